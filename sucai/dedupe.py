"""Near-duplicates: clusters of versions of one document, each shown once with its representative.

- **Exact copies** (the same layout-free text, :func:`text_hash`) are one document: the ingest reports the
  second as 重复. When the second copy is the better one (see *better copy* below) it
  replaces the stored content and metadata, keeping the document's id
  (:meth:`Clusters.keep_better_copy`).
- **Near-duplicates** are kept as documents of their own and grouped into a cluster.
  Shingles are the 5-grams of the text's skeleton (:mod:`sucai.fingerprint`: letters,
  digits and Han characters only, so layout and punctuation do not count). Each document
  gets a MinHash signature (datasketch, 128 permutations, stored in the catalogue); a
  MinHash LSH index (datasketch ``MinHashLSH``, 42 bands of 3 rows: candidates from a
  Jaccard similarity of about 0.4) proposes candidates, and a candidate is a
  near-duplicate when the exact Jaccard similarity of the two shingle sets is at least
  ``JACCARD`` (0.5, chosen on the corpus: 5 % of characters changed still gives ≥ 0.55,
  two different documents of one 文种 rarely above 0.1; see ``tests/test_dedupe.py``).
  Two documents with different 发文字号 are never near-duplicates, nor two laws or regulations with different
  titles (:func:`_apart`). A new document joins the cluster of its most similar near-duplicate. The LSH index
  lives in memory: built from the stored signatures when a process first needs it, then
  topped up with what other processes stored since (signatures carry a sequence number); a bucket of one
  document is held as its id, not as a set (:func:`_buckets`).
- **Better copy** (the copy kept of an exact duplicate), by these rules in order (:func:`quality`):
  not hidden; not mostly a repetition (fewer than a third of its 5-gram shingles distinct, :func:`repeated`: a
  汇编 holding a report 60 times is near-duplicate of the report — the same shingle set — but never shown for
  it); a 发文字号 over none, whatever the title (a file saved as its title and a .docx made of it, its title line
  read but its 文号 perhaps not: the copy that lost the 文号 is no better for its title); a real title over a file
  name (a title without Han characters, such as "2017", is worst; a title equal to the file's name is next); the
  members-only part present; more metadata (文种 other than 其他, date, 文号, source); fewer broken characters
  (U+FFFD, private-use code points); a Unicode encoding over a legacy one (GB18030…); more text (letters, digits
  and Han characters: blank lines do not count); the earlier document.
- **Representative** of a cluster (the member search shows), by the same rules in the same
  order, judged only on what every viewer may see (:func:`shown_quality`), so that which member
  is shown tells a visitor nothing of a members-only part: the member's free view
  (:func:`sucai.access.free_view`, the free preview's boundary included) — its title (a title
  only members may see, :data:`~sucai.access.HIDDEN_TITLE`, counts as none), metadata, broken
  characters and letters, digits and Han characters of its free text — and public facts: hidden
  or not, whether it has a members part, its encoding, the members part's length in characters
  (which its notice states: "剩余 N 字") counted as text, its id. A document without a members part
  is judged as a better copy is. An admin may pin a representative instead. When these rules
  change (or the free preview's setting, which moves what is free), :data:`REPRESENTATIVE_VERSION`
  goes up and the library chooses every representative that is not pinned again when it is opened
  (:meth:`Catalogue.choose_representatives <sucai.store.Catalogue.choose_representatives>`), by the one
  rule of :func:`representative`.
- **Free grouping**: clusters made over whole texts depend on members-only text and 文号 (two documents whose
  free previews are alike are grouped or not by their members parts; 甲 and 丙 are grouped through a 乙 whose
  members part is like both). A viewer without the member tier sees another grouping, a function of free
  views and public facts alone: the documents without a members part (whose whole text is public), each
  grouped with its most similar near-duplicate among the earlier ones without one — the same LSH, its
  candidates those without a members part, the same checks —; a document with a members part stands alone
  for them (whether a document has one is public: its notice says so). It is kept beside the clusters
  (``free_clusters``), follows an admin's merge, split and pinning where they concern such documents and an
  edited boundary, and is made again when a library is opened after its rule (:data:`FREE_GROUPING_VERSION`)
  or the free preview's setting changed (:meth:`Clusters.group_free`) — an admin's decisions kept: documents an
  admin merged stay together, one an admin split off joins no cluster by similarity again until merged
  (:meth:`Catalogue.admin_grouping <sucai.store.Catalogue.admin_grouping>`). The clusters as members see them
  are never made again: an admin's merge or split there stays as it is.

Every operation is linear in the length of the document involved; the LSH keeps the cost
of a lookup independent of the size of the library.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import threading
import types
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from cachetools import LRUCache, cached

from . import access, analysis
from .errors import InvalidInput, NotFound, no_document
from .fingerprint import distinct, kgram_hashes, skeleton_text
from .model import Document

if TYPE_CHECKING:  # not imported: the parse workers' fork server imports this module, and no database layer
    from datasketch import LeanMinHash, MinHashLSH

    from .store import Added, Catalogue


TEXT_HASH_VERSION = 2  # 1: the stripped text; 2: its layout-free form


def text_hash(doc: Document) -> str:
    """Identity of a document's clean content, for exact-duplicate detection: the SHA-256
    (hex) of the layout-free form of its text (:func:`sucai.analysis.layout_free`: no
    white space, full-width ASCII forms folded), or of its title when the text has none.

    So layout-only variants — paragraphs indented with 　　 or not, doubled blank
    lines, trailing spaces, spaces between characters, full- or half-width
    punctuation — are one document. A title guessed from the file name does not
    count, so the same text saved under two names is one document either. When
    this definition changes, :data:`TEXT_HASH_VERSION` goes up and the library
    re-hashes the stored documents when it is opened (:meth:`Catalogue.rehash
    <sucai.store.Catalogue.rehash>`).
    """
    form = analysis.layout_free(doc.text) or analysis.layout_free(doc.title)
    return hashlib.sha256(form.encode()).hexdigest()


def _quad(*args, **kwargs):
    from scipy.integrate import quad  # the real one: only when an LSH works out its own bands and rows

    return quad(*args, **kwargs)


@cache
def _datasketch() -> types.ModuleType:
    """datasketch, imported at the first signature or LSH of this process (a command that only reads the
    catalogue makes neither: 0.03–0.05 s of its start), and without scipy. Its package imports its LSH modules,
    which import ``scipy.integrate.quad`` for one use only: working out the bands and rows of an LSH from a threshold,
    which ours are given (:data:`LSH_PARAMS`). scipy took 50 MB in every process that imports this
    module — the ingest's, the parse workers' fork server (so each worker) and the web server's — and
    0.5 s to import. So, while datasketch is imported, ``scipy.integrate`` is a stand-in whose ``quad``
    imports the real one when called (datasketch still works as documented if asked to optimise);
    the stand-in is gone once datasketch is in, and a real ``import scipy.integrate`` is never affected."""
    if "datasketch" in sys.modules or "scipy.integrate" in sys.modules:
        import datasketch
        return datasketch
    stand_in = types.ModuleType("scipy.integrate")
    stand_in.quad = _quad
    sys.modules["scipy.integrate"] = stand_in
    try:
        import datasketch
    finally:
        if sys.modules.get("scipy.integrate") is stand_in:
            del sys.modules["scipy.integrate"]
    return datasketch


@cache
def _buckets() -> type:
    """The storage of an LSH band's buckets (band hash → the ids of the documents in it) in memory: datasketch's
    own (``DictSetStorage``, a dict of sets) but for a bucket of one document, held as its id alone. Nearly every
    bucket holds one (the corpus: 139,000 of 140,000), and a set of one took 216 bytes more: 30 MB of the ingest's
    process at 3,300 documents, growing with the library. A storage of datasketch's interface (``UnorderedStorage``),
    put in place of the LSH's own (:meth:`Clusters._top_up`): the LSH inserts, queries and removes as before, and
    finds the same candidates (``tests/test_dedupe.py`` compares them)."""
    class Buckets(_datasketch().storage.UnorderedStorage):
        def __init__(self):
            self._dict: dict = {}  # band hash → a document id (never None), or the set of two or more

        def keys(self):
            return self._dict.keys()

        def get(self, key):
            found = self._dict.get(key)
            return found if type(found) is set else () if found is None else (found,)

        def insert(self, key, *vals, **_):
            found = self._dict.get(key)
            if type(found) is set:
                found.update(vals)
            elif found is None and len(vals) == 1:
                self._dict[key] = vals[0]
            else:
                self._dict[key] = {*self.get(key), *vals}

        def remove(self, *keys, **_):
            for key in keys:
                self._dict.pop(key, None)   # a bucket of one is gone with its last id already (remove_val)

        def remove_val(self, key, val, **_):
            found = self._dict[key]
            if type(found) is not set:
                if found != val:
                    raise KeyError(val)
                del self._dict[key]
                return
            found.remove(val)
            if len(found) == 1:
                self._dict[key] = next(iter(found))

        def size(self) -> int:
            return len(self._dict)

        def itemcounts(self, **_) -> dict:
            return {key: len(found) if type(found) is set else 1 for key, found in self._dict.items()}

        def has_key(self, key) -> bool:
            return key in self._dict

    return Buckets


log = logging.getLogger(__name__)

SHINGLE = 5
NUM_PERM = 128
JACCARD = 0.5            # near-duplicates from this exact Jaccard similarity of the shingle sets
LSH_THRESHOLD = 0.4      # where the LSH starts proposing candidates (below JACCARD: estimates vary)
LSH_WEIGHTS = (0.1, 0.9)  # false positives only cost a check; a false negative loses a pair
# (bands, rows) that datasketch's optimiser gives for LSH_THRESHOLD, NUM_PERM and LSH_WEIGHTS (a grid search
# over integrals with scipy, checked by tests/test_dedupe.py): given, so that no process imports scipy
LSH_PARAMS = (42, 3)
_PREFILTER = 0.3         # candidates whose estimated similarity is below this are not checked exactly
_VERIFY = 5              # only the candidates with the highest estimates are checked exactly
_SEED = 1
_SCHEME = "affine32"
_SIGN_CHUNK = 1024       # shingles per datasketch update: its shingles × permutations matrix (512 KB) stays in cache
_HAN = re.compile(r"[\u4e00-\u9fff]")
_UNICODE_ENCODINGS = ("utf-8", "utf-16", "utf-32", "ascii")
# The rules that choose representatives (shown_quality): stored representatives chosen by other rules are chosen
# again when a library is opened. 1: over the whole document (members-only text and metadata included); 2: over
# what every viewer may see; 3: the free view's metadata described over its free text alone (leak 11); 4: a text
# that is mostly a repetition (a 汇编 of one document many times) after any other; 5: a 发文字号 before the title.
REPRESENTATIVE_VERSION = 5
_REPEATS = 3             # a text fewer than a third of whose shingles are distinct is mostly a repetition
# The rule of the free grouping (Clusters.nearest): a library groups its documents again when opened after it
# changed, or after the free preview's setting did. 1: each document without a members part with its nearest
# among the earlier ones without one; 2: no two laws with different titles (_apart).
FREE_GROUPING_VERSION = 2


@dataclass
class Version:
    """One member of a cluster, as listed to users (``chars``: the whole document's 字数; ``similarity``: the
    Jaccard similarity (0–1) of its text to the cluster's representative's, None for the representative — the one
    figure of ``sucai dupes``, the admin page 相似版本组 and ``/api/documents/{id}/versions``
    (:func:`to_representative`, over the texts the viewer may read: in the free grouping, which a viewer without
    the member tier sees, every text is public)."""

    id: int
    title: str
    genre: str
    chars: int
    date: str | None
    source: str | None
    representative: bool
    pinned: bool
    similarity: float | None
    hidden: bool

    def to_dict(self) -> dict:
        return asdict(self)


def to_representative(versions: list[Version], texts: dict[int, str]) -> list[Version]:
    """``versions`` (one cluster, the representative first, as :meth:`Clusters.versions` lists them) with each
    ``similarity`` the Jaccard similarity (0–1) of its text to the representative's, as near-duplicates are found
    (:func:`shingles`, :func:`jaccard`) — so it holds after an admin picked another representative, merged or split
    (the stored one is to the version a document joined when it joined, which may be neither); None for the
    representative, and for all when none of ``versions`` is the representative. ``texts``: id → text, for every
    version. Raises KeyError for a version without its text. The figures of a group are computed once per process
    for the same texts (:func:`_alike`)."""
    if not versions or not versions[0].representative:
        return [replace(v, similarity=None) for v in versions]
    alike = _alike(tuple((v.id, texts[v.id]) for v in versions))
    return [replace(versions[0], similarity=None)] + [replace(v, similarity=s) for v, s in zip(versions[1:], alike)]


def _group_key(group: tuple[tuple[int, str], ...]) -> tuple[tuple[int, bytes], ...]:
    """A group's ``(id, text)`` pairs as the key of :data:`_ALIKE`: each text by its BLAKE2 digest, so that the
    cache holds no text, and a version edited or replaced by a better copy is computed again."""
    return tuple((doc_id, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest())
                 for doc_id, text in group)


_ALIKE: LRUCache = LRUCache(maxsize=4096)
"""The similarities of the groups seen last (:func:`_alike`): a page of 相似版本组 or a document's versions computed
them once per process (shingling a group's texts took 0.09 s for 327 k characters, the admin page's every load)."""


@cached(_ALIKE, key=_group_key, lock=threading.Lock())
def _alike(group: tuple[tuple[int, str], ...]) -> tuple[float, ...]:
    """The Jaccard similarity of each text of ``group`` after the first (``(id, text)`` pairs) to the first's."""
    base = shingles(group[0][1])
    return tuple(jaccard(base, shingles(text)) for _, text in group[1:])


def similarity_text(version: Version) -> str:
    """The 相似度 of ``version`` as ``sucai dupes`` and the admin page 相似版本组 show it: its
    :attr:`Version.similarity` in per cent ("93.5%"), 「—」 when it has none (the representative)."""
    return "—" if version.similarity is None else f"{version.similarity * 100:.1f}%"


def version_notes(version: Version, merged: set[int]) -> str:
    """The 说明 of ``version`` as ``sucai dupes`` and the admin page 相似版本组 show it: 代表版本 (「（管理员指定）」 when
    pinned), 管理员合并 when an admin merged it in (``merged``: the ids of :meth:`Clusters.merged_ids`), 已隐藏;
    joined by 「，」, empty for none."""
    notes = ["代表版本（管理员指定）" if version.pinned else "代表版本" if version.representative else "",
             "管理员合并" if version.id in merged else "", "已隐藏" if version.hidden else ""]
    return "，".join(filter(None, notes))


def shingles(text: str) -> np.ndarray:
    """The distinct shingles of ``text``: 32-bit hashes of the 5-grams of its skeleton (sorted uint64)."""
    return _skeleton_shingles(skeleton_text(text))


def _skeleton_shingles(skeleton: str) -> np.ndarray:
    return distinct(kgram_hashes(skeleton, SHINGLE) >> np.uint64(32))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted, distinct shingle arrays (1.0 for two empty ones)."""
    union = len(a) + len(b)
    if union == 0:
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (union - common)


def signature(shingle_set: np.ndarray) -> LeanMinHash:
    """The MinHash signature (datasketch) of a shingle set.

    datasketch's ``affine32`` scheme — each value mixed by its MurmurHash3 finalizer, then, per permutation,
    the least ``a·h + b`` (mod 2³²) — as its ``update_batch`` computes it with ``hashfunc=int``, but on the
    array as it is: ``update_batch`` takes a list, calls the hash function on each value and makes an array
    of the results again, which took 60 % of a signature's time over the corpus. The shingles go
    ``_SIGN_CHUNK`` at a time: a shingles × permutations matrix takes 512 bytes per shingle, so a whole
    text of a million characters at once would take half a gigabyte; chunks of 1,024 stay in the CPU's
    cache (measured on the corpus: a quarter less time than chunks of 8,192). Each chunk is computed in one
    matrix made once (uint32: the products wrap mod 2³² as the scheme's do), not in a new one per operation,
    and the signature starts as datasketch's empty one (every value 2³² − 1) without a ``MinHash`` made for it:
    2.5× less CPU (the .md and .txt files of every other corpus file: 2.2 → 0.85 s). The signature is a minimum
    per permutation, the same whatever the chunks (``tests/test_dedupe.py`` checks it against ``update_batch``).
    The permutations (from the seed) are made once.
    """
    a, b = _permutations()
    mixed = _datasketch().minhash._fmix(shingle_set.astype(np.uint32), 32)   # the affine schemes' pre-mix
    least = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    permuted = np.empty((min(len(mixed), _SIGN_CHUNK), NUM_PERM), dtype=np.uint32)
    for start in range(0, len(mixed), _SIGN_CHUNK):
        chunk = mixed[start : start + _SIGN_CHUNK, None]
        product = permuted[: len(chunk)]
        np.multiply(chunk, a, out=product)
        product += b
        np.minimum(least, product.min(axis=0), out=least)
    return _datasketch().LeanMinHash(seed=_SEED, hashvalues=least, scheme=_SCHEME)


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    return _datasketch().MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations


class Sketch(NamedTuple):
    """What a document's text gives for near-duplicates: its :func:`shingles` and its :func:`signature`
    as stored (the hash values, uint32 bytes). Made in the parse worker during an ingest."""

    shingles: np.ndarray
    signature: bytes


def sketch_of(skeleton: str) -> Sketch:
    """The sketch of a text whose skeleton (:func:`sucai.fingerprint.skeleton_text`) is ``skeleton``."""
    own = _skeleton_shingles(skeleton)
    return Sketch(own, signature(own).hashvalues.astype(np.uint32).tobytes())


def _stored(blob: bytes) -> LeanMinHash:
    return _datasketch().LeanMinHash(seed=_SEED, hashvalues=np.frombuffer(blob, dtype=np.uint32), scheme=_SCHEME)


def quality(doc: Document) -> tuple:
    """How good a copy ``doc`` is: a larger tuple is better (the rules of the module docstring, in order,
    over the whole document)."""
    return _ranked(doc, 0)


def shown_quality(doc: Document) -> tuple:
    """How good a representative ``doc`` (as the catalogue gives it: the free preview's boundary set) is,
    judged on what every viewer may see (see the module docstring): :func:`quality` of its free view, with
    the length of its members part (characters) counted as text. A larger tuple is better; the same as
    :func:`quality` for a document without a members part."""
    span = doc.members_span
    return _ranked(access.free_view(doc), span[1] - span[0] if span else 0)


def _ranked(doc: Document, hidden_chars: int) -> tuple:
    """The rules of the module docstring, in order, over ``doc``; ``hidden_chars`` more characters of text."""
    broken = doc.text.count("\ufffd") + sum(1 for c in doc.text if "\ue000" <= c <= "\uf8ff")
    metadata = sum(1 for present in (doc.genre not in ("", "其他"), doc.date, doc.doc_number, doc.source) if present)
    encoding = (doc.encoding or "").lower()
    skeleton = skeleton_text(doc.text)
    return (not doc.hidden, not repeated(skeleton), bool(doc.doc_number), _title_rank(doc), doc.paid_from is not None,
            metadata, -broken, encoding.startswith(_UNICODE_ENCODINGS), len(skeleton) + hidden_chars, -(doc.id or 0))


def repeated(skeleton: str) -> bool:
    """Whether a text (its :func:`~sucai.fingerprint.skeleton_text`) is mostly a repetition: fewer than a third
    (``1 / _REPEATS``) of its 5-gram shingles are distinct — a 汇编 holding one document 5 times (a fifth), not a
    text holding it twice (about a half). Linear in the text but for the sort of its shingles (as :func:`shingles`)."""
    hashes = kgram_hashes(skeleton, SHINGLE) >> np.uint64(32)
    return len(distinct(hashes)) * _REPEATS < len(hashes)


def representative(members: list[Document], pinned: int | None) -> tuple[int, bool]:
    """The representative of a cluster of ``members`` (documents as the catalogue gives them) and whether it is
    pinned: ``pinned``, an admin's choice, while it is one of them and not hidden; else the best by
    :func:`shown_quality`. The one rule of :class:`Clusters` and of
    :meth:`Catalogue.choose_representatives <sucai.store.Catalogue.choose_representatives>`."""
    held = next((doc for doc in members if doc.id == pinned and not doc.hidden), None)
    return (held.id, True) if held is not None else (max(members, key=shown_quality).id, False)


def _apart(a: Document, b: Document) -> bool:
    """Two documents that are different documents however alike their text: with different 发文字号 (two 复函
    written from one template differ in little more than names and dates), or two laws or regulations (文种 of the
    group 法律法规) with real titles of which neither holds the other — a law's versions keep its title, while
    法官法 and 检察官法, or the 香港 and 澳门特别行政区驻军法, share half their articles."""
    from .metadata.genres import LAWS   # here: `sucai stats` and `show` load this module, not the taxonomy

    if a.doc_number and b.doc_number and skeleton_text(a.doc_number) != skeleton_text(b.doc_number):
        return True
    if a.genre not in LAWS or b.genre not in LAWS or min(_title_rank(a), _title_rank(b)) < 2:
        return False
    titles = skeleton_text(a.title), skeleton_text(b.title)
    return titles[0] not in titles[1] and titles[1] not in titles[0]


def same_document(new: Document, new_shingles: np.ndarray, old: Document) -> bool:
    """Whether ``new`` — what a file holds now, its :func:`shingles` given — is a new version of ``old``, the
    document the file's earlier text made (edited on disk; or read again, a parse that changed its text), not
    another document written over it: they are near-duplicates by the rule of the clusters (an exact Jaccard
    similarity of at least ``JACCARD``, not :func:`_apart` — another 发文字号, another law's title). A title alone
    tells nothing here: a file's title may be its name, the same for both. Linear in the two texts."""
    return not _apart(new, old) and jaccard(new_shingles, shingles(old.text)) >= JACCARD


def _title_rank(doc: Document) -> int:
    """0: no title (one without Han characters, "2017", or one only members see, :data:`sucai.access.HIDDEN_TITLE`);
    1: the file's name used as the title; 2: a real title."""
    if not _HAN.search(doc.title or "") or doc.title == access.HIDDEN_TITLE:
        return 0
    stem = Path(doc.source_path).stem if doc.source_path else ""
    return 1 if stem and skeleton_text(stem) == skeleton_text(doc.title) else 2


class Clusters:
    """The clusters of near-duplicates of a catalogue, and the LSH index that finds them.

    Safe to use from several threads (the LSH is guarded by a lock) and several processes
    (the catalogue is the shared state; each process tops its LSH up before a lookup).
    """

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self._lock = threading.Lock()
        self._lsh: MinHashLSH | None = None
        self._signatures: dict[int, LeanMinHash] = {}
        self._seq = 0
        self.failures = 0   # documents :meth:`after_store` failed to place (logged; left to the next catch_up)

    # -- ingest ------------------------------------------------------------------

    def after_store(self, added: Added, copy: Document, sketch: Sketch | None = None, *, ties: bool = False) -> bool:
        """What the ingest calls for every file it stored (``added``: what :meth:`Catalogue.add
        <sucai.store.Catalogue.add>` gave for ``copy``, the parsed document): a new document is placed in a cluster
        (with its :class:`Sketch` when the parse worker made it, its signature stored with it under
        ``added.signature_seq``); one read again whose parse replaced the stored one (``updated``) has its clusters
        choose their representatives again (:meth:`changed`); another file's copy of the stored text (``added.copy``:
        an exact duplicate, or the document's own file whose document holds a copy of another file) may be the better
        copy (``ties``: also when as good). Returns whether it was: the stored document now has ``copy``'s content
        (:meth:`keep_better_copy`).
        Never raises: a failure is logged and counted in :attr:`failures` (the ingest then leaves its batch
        remembered as not placed, :meth:`Catalogue.unplaced_ids <sucai.store.Catalogue.unplaced_ids>`)."""
        status, doc_id = added
        try:
            if status == "ingested":
                self.place(added.stored, sketch, signed=added.signature_seq)
            elif added.copy:
                return self.keep_better_copy(doc_id, copy, added.copy, ties=ties)
            elif status == "updated":   # read again, its parse replaced the stored one
                self.changed(doc_id)
        except Exception:  # noqa: BLE001 - never stops a batch; an unplaced document is placed by the next catch_up
            self.failures += 1
            log.exception("文档 %s 的近似重复归组失败", doc_id)
        return False

    def place(self, doc: Document, sketch: Sketch | None = None, *, signed: int | None = None) -> int | None:
        """Sign ``doc`` (a stored document as the catalogue gives it, the free preview's boundary set;
        ``signed``: its signature, that of ``sketch``, is stored already, under this sequence number)
        and put it in the cluster of its most similar near-duplicate, if any — and, when it has no members
        part, in the free cluster of its most similar near-duplicate among the earlier documents without one
        (:meth:`nearest`). ``sketch``: its shingles and signature made already (:func:`sketch` of the same
        text). Returns the cluster id, or None when it has no near-duplicate."""
        own, blob = sketch or sketch_of(skeleton_text(doc.text))
        minhash = _stored(blob)
        if signed is None or sketch is None:
            signed = self.catalogue.put_signature(doc.id, blob)
        best, public = self.nearest(doc, own, minhash, signed=signed)
        if public is not None:
            self._join(doc, public, free=True)
        return None if best is None else self._join(doc, best)

    def _join(self, doc: Document, nearest: tuple[float, int], *, free: bool = False) -> int:
        cluster = self.catalogue.join_cluster(doc.id, nearest[1], round(nearest[0], 4), free=free)
        self._welcome(cluster, doc, free)
        return cluster

    def nearest(self, doc: Document, own: np.ndarray, minhash: LeanMinHash, *, members: bool = True,
                earlier: bool = True, apart: set[int] | None = None, signed: int | None = None
                ) -> tuple[tuple[float, int] | None, tuple[float, int] | None]:
        """The lookup: ``(similarity, id)`` of the stored document most similar to ``doc`` (its
        :func:`shingles` and :func:`signature` given) among its near-duplicates, None when it has none; and,
        when ``doc`` has no members part, the same among the earlier documents (lower ids; any with
        ``earlier=False``) that have none either, the free grouping (else None). Candidates come from the LSH;
        the ``_VERIFY`` best by estimate are checked exactly — for the free grouping the best of those without a
        members part, so that nothing of a members part decides it. ``members=False``: the free grouping's only
        (the first is None). Documents an admin split off are no candidates (``apart``: their ids; read when
        None). ``signed``: the sequence number under which this process just stored ``minhash`` as ``doc``'s
        signature (see :meth:`_top_up`)."""
        with self._lock:
            self._top_up(None if signed is None else (signed, doc.id, minhash))
            estimated = sorted(((self._signatures[key].jaccard(minhash), key) for key in self._lsh.query(minhash)
                                if key != doc.id), reverse=True)
        estimated = [key for estimate, key in estimated if estimate >= _PREFILTER]
        if not estimated:  # the common case: no query at all
            return None, None
        apart = self.catalogue.split_ids(estimated) if apart is None else apart
        estimated = [key for key in estimated if key not in apart]
        chosen = [estimated[:_VERIFY] if members else [], []]
        if doc.members_span is None:
            public = self.catalogue.public_ids(sorted(key for key in estimated if key < doc.id or not earlier))
            chosen[1] = [key for key in estimated if key in public][:_VERIFY]
        similar: dict[int, float] = {}
        for other in self.catalogue.documents(sorted(set(chosen[0] + chosen[1])), outline=False):
            if not _apart(doc, other):
                similarity = jaccard(own, shingles(other.text))
                if similarity >= JACCARD:
                    similar[other.id] = similarity
        best = [max(((similar[key], key) for key in keys if key in similar), key=lambda found: (found[0], -found[1]),
                    default=None) for keys in chosen]
        return best[0], best[1]

    def group_free(self) -> bool:
        """Group the documents without a members part again (the free grouping, see :meth:`nearest`) when the
        library is opened after the rules or the free preview's setting changed (or for the first time): each,
        in id order, with its most similar near-duplicate among the earlier ones, as an ingest groups them
        (:meth:`sucai.store.Catalogue.regroup_free`). Returns whether it grouped."""
        return self.catalogue.regroup_free(self._free_grouping, representative,
                                           f"{FREE_GROUPING_VERSION}:preview={self.catalogue.preview_chars}")

    def _free_grouping(self) -> dict[int, tuple[int, float | None]]:
        """Each document of the free grouping → its cluster and its similarity to the member it joined (None: the
        first of its cluster, or put there by an admin). Admins' decisions hold (:meth:`Catalogue.admin_grouping
        <sucai.store.Catalogue.admin_grouping>`): the documents without a members part of one admin group stay in
        one cluster, and one an admin split off joins none and none joins it. Linear in the documents (one
        union-find over them)."""
        self.load()
        merged, apart = self.catalogue.admin_grouping()
        parent: dict[int, int] = {}
        alike: dict[int, float | None] = {}

        def root(doc_id: int) -> int:
            while parent.setdefault(doc_id, doc_id) != doc_id:
                parent[doc_id] = doc_id = parent[parent[doc_id]]
            return doc_id

        public: set[int] = set()
        for doc in self.catalogue.documents(outline=False):
            minhash = self._signatures.get(doc.id)
            if doc.members_span is not None:
                continue
            public.add(doc.id)
            if minhash is None or doc.id in apart:
                continue
            _, nearest = self.nearest(doc, shingles(doc.text), minhash, members=False, apart=apart)
            if nearest is not None:
                alike[doc.id] = round(nearest[0], 4)
                alike.setdefault(nearest[1], None)
                parent[root(doc.id)] = root(nearest[1])
        for ids in merged:
            ids = [doc_id for doc_id in ids if doc_id in public]
            for doc_id in ids[1:]:
                alike.setdefault(doc_id, None)
                parent[root(doc_id)] = root(ids[0])
            if len(ids) > 1:
                alike.setdefault(ids[0], None)
        numbers: dict[int, int] = {}
        return {doc_id: (numbers.setdefault(root(doc_id), len(numbers) + 1), alike[doc_id]) for doc_id in sorted(alike)}

    def keep_better_copy(self, doc_id: int, copy: Document, key: str, *, ties: bool = False) -> bool:
        """Replace the stored document ``doc_id`` by ``copy`` (the same layout-free text, read from the file of
        record key ``key``) when ``copy`` is the better copy (``ties``: or as good — it came first in an ingest's
        input order, and the stored one from the same ingest), what an admin set kept (:meth:`Catalogue.replace_copy
        <sucai.store.Catalogue.replace_copy>`). Returns whether it was replaced."""
        try:
            stored = self.catalogue.get(doc_id)
        except NotFound:
            return False
        candidate = replace(copy, id=doc_id, hidden=stored.hidden)
        better, held = quality(candidate)[:-1], quality(stored)[:-1]
        if better < held or (better == held and not ties):
            return False
        if not self.catalogue.replace_copy(doc_id, candidate, key):
            return False
        self.changed(doc_id)
        return True

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Place every document that has no signature yet (a library from before clusters existed) or that an
        ingest stored but did not place (killed in between: :meth:`Catalogue.unplaced_ids
        <sucai.store.Catalogue.unplaced_ids>`); returns how many were placed."""
        ids = sorted({*self.catalogue.unsigned_ids(), *self.catalogue.unplaced_ids()})
        for done, doc_id in enumerate(ids, 1):
            for doc in self.catalogue.documents([doc_id], outline=False):
                self.place(doc)
            if progress:
                progress(done, len(ids))
        if ids:
            self.catalogue.placed(ids)
        return len(ids)

    def load(self) -> int:
        """Bring the LSH up to date with the stored signatures now (it is otherwise built at the first
        lookup); returns how many documents it holds."""
        with self._lock:
            self._top_up()
            return len(self._signatures)

    def _top_up(self, signed: tuple[int, int, LeanMinHash] | None = None) -> None:
        """Load into the LSH the signatures stored since the last look (all of them the first time). ``signed``:
        ``(seq, doc_id, minhash)`` of a signature this process has just stored: when its number is the next after
        the last one loaded, no other was stored in between, and it is loaded as it is, without a read (an ingest
        stores one per document)."""
        if self._lsh is None:
            self._lsh = _datasketch().MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS,
                                                 params=LSH_PARAMS)
            self._lsh.hashtables = [_buckets()() for _ in self._lsh.hashtables]   # compact buckets
        if signed is not None and signed[0] == self._seq + 1:
            fresh = [signed]
        else:
            fresh = [(seq, doc_id, _stored(blob)) for seq, doc_id, blob in self.catalogue.signatures_since(self._seq)]
        with self._lsh.insertion_session() as session:
            for seq, doc_id, minhash in fresh:
                if doc_id in self._signatures:  # replaced, or an id reused after a removal
                    self._lsh.remove(doc_id)
                self._signatures[doc_id] = minhash
                session.insert(doc_id, minhash, check_duplication=False)
                self._seq = seq

    # -- reading -------------------------------------------------------------------

    def versions(self, doc_id: int, member: bool = True, include_hidden: bool = False) -> list[Version]:
        """The cluster of ``doc_id``: every member (``doc_id`` included), the representative first;
        ``[]`` when the document has no near-duplicate. For a viewer with (``member``) or without the member
        tier: the clusters of whole texts, or the free grouping (documents without a members part only).
        Titles and metadata are what :func:`sucai.access.view` shows that viewer; hidden members only on
        request (for admins)."""
        cluster = self.catalogue.cluster_of(doc_id, free=not member)
        if cluster is None:
            return []
        return self._versions(self.catalogue.cluster_rows(cluster, free=not member), member, include_hidden)

    def all(self) -> list[list[Version]]:
        """Every cluster, each as :meth:`versions` gives it to an admin, largest first."""
        by_cluster: dict[int, list] = {}
        for row in self.catalogue.cluster_rows():
            by_cluster.setdefault(row.cluster_id, []).append(row)
        found = [self._versions(rows, True, True) for rows in by_cluster.values()]
        return sorted((c for c in found if c), key=lambda c: (-len(c), c[0].id))

    def merged_ids(self) -> set[int]:
        """The documents an admin merged into a cluster (:meth:`merge`), for :func:`similarity_text`."""
        return {doc_id for group in self.catalogue.admin_grouping()[0] for doc_id in group}

    def _versions(self, rows, member: bool, include_hidden: bool) -> list[Version]:
        """The versions of the cluster of ``rows`` as that viewer sees them, each ``similarity`` over the texts the
        viewer may read (:func:`sucai.access.view`: nothing of a members part reaches one without the tier)."""
        info = {row.doc_id: row for row in rows}
        out, texts = [], {}
        for doc in self.catalogue.documents(sorted(info), outline=False):
            if doc.hidden and not include_hidden:
                continue
            view = access.viewed(doc, member)
            row, texts[doc.id] = info[doc.id], view.text
            out.append(Version(doc.id, view.title, view.genre, doc.counted_chars, view.date, view.source,
                               row.representative, row.pinned, None, doc.hidden))
        out.sort(key=lambda v: (not v.representative, v.id))
        return to_representative(out, texts)

    # -- admin -----------------------------------------------------------------------

    def merge(self, ids: list[int], representative: int | None = None) -> int:
        """Put the documents ``ids`` and everything clustered with them into one cluster; an admin's
        ``representative`` is pinned. The documents of their admin group (those named here and in earlier merges
        that named one of them, :meth:`Catalogue.merge_clusters <sucai.store.Catalogue.merge_clusters>`) that have
        no members part are so merged in the free grouping too (when there are two). Raises NotFound, or
        InvalidInput for fewer than two documents or a representative outside the cluster."""
        ids = list(dict.fromkeys(ids))
        self._existing(ids + ([representative] if representative is not None else []))
        if len(ids) < 2:
            raise InvalidInput("至少要有两篇不同的文档才能合并", code="too_few")
        if representative is not None and representative not in ids:
            raise InvalidInput(f"代表文档 {representative} 不在要合并的文档中", code="bad_representative")
        cluster = self.catalogue.merge_clusters(ids)
        self._choose(cluster, representative)
        public = self._merged_public(ids[0])
        if len(public) > 1:
            self._choose(self.catalogue.merge_clusters(public, free=True), representative, free=True)
        return cluster

    def split(self, doc_id: int) -> None:
        """Take ``doc_id`` out of its cluster (in both groupings): it becomes a document of its own, and joins no
        cluster by similarity again — a regrouping (:meth:`group_free`), an edit (:meth:`changed`) — until an admin
        merges it, nor does any other join it (an ingest, :meth:`place`, too). Raises NotFound, or InvalidInput
        when it is in no cluster."""
        self._existing([doc_id])
        cluster, free = self.catalogue.split_off(doc_id)
        if cluster is None and free is None:
            raise InvalidInput(f"文档 {doc_id} 不属于任何相似版本组", code="not_clustered")
        self.refresh(cluster)
        self.refresh(free, free=True)

    def set_representative(self, doc_id: int) -> None:
        """Pin ``doc_id`` as the representative of its cluster (an admin's choice; in the free grouping too
        when it is in a cluster there). Raises NotFound, or InvalidInput when it is in no cluster or hidden."""
        self._existing([doc_id])
        cluster = self.catalogue.cluster_of(doc_id)
        if cluster is None:
            raise InvalidInput(f"文档 {doc_id} 不属于任何相似版本组", code="not_clustered")
        if self.catalogue.get(doc_id).hidden:
            raise InvalidInput(f"文档 {doc_id} 已隐藏，不能作为代表版本", code="hidden")
        self._choose(cluster, doc_id)
        free = self.catalogue.cluster_of(doc_id, free=True)
        if free is not None:
            self._choose(free, doc_id, free=True)

    def refresh(self, cluster: int | None, *, free: bool = False) -> None:
        """Choose the representative of ``cluster`` (``free``: of the free grouping) again (after a member
        joined, or was hidden, removed or replaced); an admin's pinned choice stays while it is present and
        visible."""
        if cluster is not None:
            rows = self.catalogue.cluster_rows(cluster, free=free)
            self._choose(cluster, next((row.doc_id for row in rows if row.pinned), None), free=free)

    def held(self, doc_id: int) -> tuple[int | None, int | None]:
        """The clusters ``doc_id`` is in: as members see them, and in the free grouping (None: in none)."""
        return self.catalogue.cluster_of(doc_id), self.catalogue.cluster_of(doc_id, free=True)

    def changed(self, doc_id: int) -> None:
        """``doc_id`` was edited, hidden, shown or replaced by a better copy: its clusters choose their
        representatives again, and it takes its place in the free grouping again when whether it has a
        members part changed (out of it when it has one now; when it has none now, with those an admin merged
        it with that have none either, else with its nearest among the documents without one unless an admin
        split it off)."""
        cluster, free = self.held(doc_id)
        self.refresh(cluster)
        try:
            doc = self.catalogue.get(doc_id)
        except NotFound:
            return
        if free is not None and doc.members_span is not None:
            self.refresh(self.catalogue.leave_cluster(doc_id, free=True), free=True)
        elif free is None and doc.members_span is None:
            partners = self._merged_public(doc_id)
            minhash = None if self.catalogue.split_ids([doc_id]) else self._signature_of(doc_id)
            if len(partners) > 1:
                self.refresh(self.catalogue.merge_clusters(partners, free=True), free=True)
            elif minhash is not None:
                public = self.nearest(doc, shingles(doc.text), minhash, members=False, earlier=False)[1]
                if public is not None:
                    self._join(doc, public, free=True)
        else:
            self.refresh(free, free=True)

    def _signature_of(self, doc_id: int) -> LeanMinHash | None:
        """The stored signature of ``doc_id`` (None: not signed yet, :meth:`catch_up` signs it)."""
        with self._lock:
            self._top_up()
            return self._signatures.get(doc_id)

    # -- helpers -----------------------------------------------------------------------

    def _welcome(self, cluster: int, doc: Document, free: bool = False) -> None:
        """A new member joined ``cluster`` (``free``: of the free grouping): it becomes the representative when
        it is a better copy than the current one (and no admin pinned one). Reads two documents, whatever the
        cluster's size."""
        rows = self.catalogue.cluster_rows(cluster, free=free)
        current = next((row for row in rows if row.representative), None)
        if current is not None and current.pinned:
            return
        ids = [current.doc_id] if current is not None else [row.doc_id for row in rows if row.doc_id != doc.id]
        others = list(self.catalogue.documents(ids, outline=False))
        best = max([*others, doc], key=shown_quality)
        if current is None or best.id != current.doc_id:
            self.catalogue.mark_representative(cluster, best.id, False, free=free)

    def _choose(self, cluster: int, pinned: int | None, *, free: bool = False) -> None:
        ids = [row.doc_id for row in self.catalogue.cluster_rows(cluster, free=free)]
        docs = list(self.catalogue.documents(ids, outline=False))
        if docs:
            self.catalogue.mark_representative(cluster, *representative(docs, pinned), free=free)

    def _merged_public(self, doc_id: int) -> list[int]:
        """The documents without a members part of the admin group of ``doc_id`` (what admins merged with it,
        :meth:`Catalogue.admin_group <sucai.store.Catalogue.admin_group>`), in id order: one cluster of the free
        grouping, whatever regroups it (:meth:`_free_grouping`)."""
        return sorted(self.catalogue.public_ids(self.catalogue.admin_group(doc_id)))

    def _existing(self, ids: list[int]) -> None:
        found = {d.id for d in self.catalogue.documents(sorted(set(ids)), outline=False)}
        missing = sorted(set(ids) - found)
        if missing:
            raise no_document(missing[0])
