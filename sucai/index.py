"""The search index: a tantivy index derived from the catalogue.

One tantivy document per catalogue document. Text fields hold the tokens of
:mod:`sucai.analysis` (``*_bi``: the bigram at every offset, with positions —
exact substring tests and, with slop, word proximity; ``*_uni``: single
characters; ``*_w``: jieba words with frequencies — ranked search).

Two views of each document are indexed apart, so that a viewer's matches and
scores — term statistics included — come from the text that viewer may see:

- the free view (:func:`sucai.access.free_view`), for every document:
  ``free_title_*``, ``free_*`` (text) and ``free_head_w`` (heading words). A
  viewer without the member tier searches these only.
- the whole document, only for documents whose free view differs (those with a
  members-only part, flagged ``split``): ``title_*``, ``body_*`` and ``head_w``. A
  member searches these for ``split`` documents and the free view for the others
  (which is then the whole document). Each text is thus indexed once, plus the
  free part of documents that have a members part, and a phrase that runs across
  the member boundary is found for members like any other.

The 查重 fingerprints (:mod:`sucai.fingerprint`; the documents holding each token, no term frequency:
:data:`_FINGERPRINTS`) are laid out as the text fields are: those of the free view in ``free_fp`` for every
document, those of the whole text in ``fp`` only for ``split`` documents. Everyone but a member looks for 查重
sources in ``free_fp`` alone, so which sources a non-member's draft is compared with, and how they rank, depend on
no members text; a member in ``fp`` and in ``free_fp`` of the documents not ``split``
(:class:`sucai.check.retrieve.Sources`). Each text's fingerprints are thus indexed once, plus the free part's of
documents that have a members part (index version 13 held ``fp`` for every document: the same tokens as ``free_fp``
in all but those, a quarter of tantivy's work in an ingest, ``bench/ingest.py``).

Two flags say where a document stands in the free grouping of near-duplicates (:mod:`sucai.dedupe`), the one
viewers without the member tier see: ``free_clustered`` (a member of a cluster) and ``free_version`` (a
member that is not its cluster's representative), so that their search leaves out the other versions with
one term instead of a list of ids. They follow the catalogue's free grouping: a sync that applies a change of
a cluster indexes again every entry whose flags no longer hold, and until it has, :meth:`SearchIndex.snapshot`
names the entries whose flags are wrong (:class:`Versions`), so a search never depends on them being current.
The clusters members see (over whole texts) have the same two flags, ``clustered`` and ``version``, as they stood
when the entry was written, and no entry is ever indexed again because of them — an entry indexed again leaves its
old one counted in the statistics of every field until segments merge (BM25's document count and average length),
which would tell a visitor's scores how members-only text grouped documents. They are set again only when an entry
is written for another reason (added, edited, hidden and shown again, its free grouping's flags changed, the index
rebuilt); until then :class:`Versions` names the members whose entries lack the flag (``unflagged``), and a search
takes their stale ``version`` flags as it takes lagging free flags. Where no document with a members part is near,
both group documents alike (:mod:`sucai.dedupe`), so their flags catch up with the free grouping's.

Facet fields (``genre``, ``source``, ``year``, ``date``, ``chars`` — the text's length —, ``counted_chars``
— its 字数, what a sort by 字数 orders —, ``has_paid``) are fast fields for filters, facet counts and sorting;
``free_genre``, ``free_source``, ``free_year`` and ``free_date`` are the same
metadata as a viewer without the member tier gets it (:func:`sucai.access.free_view`:
only what is found outside the members-only part), for every document. No text is
stored: snippets are cut from the catalogue.

Each node keeps its own index, a replica of the shared catalogue: it is rebuilt
when its version or the analysis (segmentation dictionary) changed, and brought
up to date by :meth:`SearchIndex.sync`, which applies the catalogue's change log
(:meth:`sucai.store.Catalogue.changes_since`) from the last change it applied —
or re-indexes everything when the log no longer holds them all (:meth:`~sucai.store.Catalogue.prune_changes`);
a server follows the log as it grows (:mod:`sucai.replica`). Writers from several
processes of a node take turns under one file lock; a reader never sees a
half-written commit (tantivy commits atomically). While the index lags
(another process holds the lock, or the follower has not caught up yet),
searches leave out the documents the catalogue has changed since the last change
the index applied (:meth:`SearchIndex.snapshot`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import tantivy
from filelock import FileLock, Timeout

from . import access, analysis
from .config import Settings
from .fingerprint import index_tokens as check_tokens, skeleton_tokens
from .memory import give_back
from .model import UNSTATED_SOURCE, Document, walk_outline
from .resultcache import ResultCache

if TYPE_CHECKING:  # not imported: the parse workers' fork server imports this module, and no database layer
    from .store import Catalogue, ClusterRow

log = logging.getLogger(__name__)

# 10: counted_chars (字数 without white space) for the sort by 字数; 11: the flags of the clusters members see;
# 12: the 查重 fingerprints without term frequencies (_FINGERPRINTS); 13: every quotation mark indexed as " (analysis);
# 14: the whole text's 查重 fingerprints (fp) of split documents only
INDEX_VERSION = 14
_MARKER = "sucai-index.json"
_WANTED = "index.wanted"  # touched by a process that waits for the index lock to apply an edit (see SearchIndex.sync)
_BATCH = 200
_WAITING = (32, 500_000)  # documents, characters: a Feed hands this many to its writer at once (one cluster read)
# Bytes tantivy may buffer before it writes a segment (the peak memory of a sync). 20 MB instead took 30 MB off an
# ingest's peak but cost its process 70 % more CPU (109 → 187 s on the corpus: a segment every 20 MB, and a merge of
# the whole index every eight of them) and raised its commit's peak (319 → 347 MB; bench/ingest.py, issue 16).
_WRITER_HEAP = 50_000_000
# How the 查重 fingerprint fields are indexed: the documents holding each token, no term frequency. A document's
# tokens are distinct (winnowed hashes, sucai.fingerprint: no 40-bit token repeated within a document among the
# corpus's 7.1 M), so tantivy's BM25 reads a frequency of 1 either way and ranks 查重's candidates as it did with
# frequencies ("freq", index version 11; tests/test_check.py compares them). The two fields — nearly every token a
# term of its own — are some 40 % of the index's CPU in an ingest; their frequencies cost them ~15 % of it (the
# corpus's entries indexed alone: 10.8–12.5 s against 13.9–16.6 s of CPU).
_FINGERPRINTS = "basic"


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for part in ("title", "body", "free_title", "free"):
        sb.add_text_field(f"{part}_bi", tokenizer_name="whitespace", index_option="position")
        sb.add_text_field(f"{part}_uni", tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field(f"{part}_w", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("head_w", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("free_head_w", tokenizer_name="whitespace", index_option="freq")
    sb.add_boolean_field("split", indexed=True)
    for prefix in ("", "free_"):  # the metadata as members see it, and as everyone else does
        sb.add_text_field(f"{prefix}genre", tokenizer_name="raw", fast=True)
        sb.add_text_field(f"{prefix}source", tokenizer_name="raw", fast=True)
        sb.add_unsigned_field(f"{prefix}year", indexed=True, fast=True)
        sb.add_unsigned_field(f"{prefix}date", indexed=True, fast=True)  # YYYYMMDD, 0 when unknown
    sb.add_unsigned_field("chars", indexed=True, fast=True)
    sb.add_unsigned_field("counted_chars", indexed=True, fast=True)
    sb.add_boolean_field("has_paid", indexed=True, fast=True)
    # the free grouping of near-duplicates (sucai.dedupe), which viewers without the member tier see
    sb.add_boolean_field("free_clustered", indexed=True)   # in a cluster of near-duplicates
    sb.add_boolean_field("free_version", indexed=True)     # in one and not its representative
    # the same of the clusters members see (over whole texts), as they stood when the entry was written
    sb.add_boolean_field("clustered", indexed=True)
    sb.add_boolean_field("version", indexed=True)
    sb.add_text_field("fp", tokenizer_name="whitespace", index_option=_FINGERPRINTS)  # 查重 fingerprints (whole text)
    sb.add_text_field("free_fp", tokenizer_name="whitespace", index_option=_FINGERPRINTS)  # the same of the free view
    return sb.build()


SCHEMA = _schema()


def fingerprint(settings: Settings) -> str:
    """What the index depends on besides the catalogue: its version, the dictionary, and the free preview setting.
    (A change of the rules of a visitor's metadata re-indexes the documents whose metadata it changed: they are
    logged as changed when described again, :meth:`sucai.store.Catalogue.describe_free`.)"""
    terms = "\n".join(analysis.dictionary_terms(settings.user_dict_path))
    digest = hashlib.sha256(terms.encode()).hexdigest()[:16]
    return f"{INDEX_VERSION}:{digest}:preview={settings.free_preview_chars}"


class TextTokens(NamedTuple):
    """The index tokens of one text (see :func:`_text_fields`), and its 查重 fingerprints (``fp``,
    for a whole document's text or its free view's; None for a title's)."""

    bi: str
    uni: str
    w: str
    fp: str | None = None


class Prepared(NamedTuple):
    """Index tokens made ahead (by a parse worker, :func:`prepare`), each keyed by what it was made of, so
    that they serve any catalogue document with that text and no other (see :func:`index_fields`).

    ``texts``: a text or a title → its tokens (:class:`TextTokens`; ``fp`` only for a whole document's
    text and its free view's); ``headings``: the headings of a view, joined as :func:`_headings_text` joins them → their words.
    """

    texts: dict[str, TextTokens]
    headings: dict[str, str]


def prepare(doc: Document, skeleton: str) -> Prepared:
    """The tokens of ``doc``'s texts, titles and headings (whole and free view) — every part of its index
    entry that needs the segmenter or the normalisation —, made where ``doc`` was parsed so that the
    ingest's process only looks them up (it never segments a word of an ingested document).
    ``skeleton`` is the skeleton of ``doc.text`` (:func:`sucai.fingerprint.skeleton_text`, made once
    for these 查重 tokens and the near-duplicate sketch)."""
    free = access.free_view(doc)
    texts = {doc.text: TextTokens(**_text_fields("", analysis.normalize(doc.text)), fp=skeleton_tokens(skeleton))}
    if free.text not in texts:
        texts[free.text] = TextTokens(**_text_fields("", analysis.normalize(free.text)), fp=check_tokens(free.text))
    for text in (doc.title, free.title):
        if text not in texts:
            texts[text] = TextTokens(**_text_fields("", analysis.normalize(text)))
    headings = {joined: _words(joined) for joined in {_headings_text(doc), _headings_text(free)}}
    return Prepared(texts, headings)


_NOTHING_PREPARED = Prepared({}, {})

# Makes the tokens of documents to index elsewhere than in this process (an ingest's parse workers): given the
# documents, yields each with its Prepared (or None: not made, this process segments it), in their order.
Tokens = Callable[[Iterable[Document]], Iterator[tuple[Document, Prepared | None]]]


def index_fields(doc: Document, prepared: Prepared | None = None, cluster: ClusterRow | None = None,
                 member_cluster: ClusterRow | None = None) -> dict:
    """The index entry of a catalogue document, as field name → value (see the module docstring).
    Tokens of a text, title or headings found in ``prepared`` are taken from there (:func:`prepare`);
    ``cluster``: its row in a cluster of the free grouping, ``member_cluster`` in one of the clusters members
    see; None when it is in none."""
    prepared = prepared or _NOTHING_PREPARED
    fields: dict = {"id": doc.id, "chars": doc.chars, "counted_chars": doc.counted_chars,
                    "has_paid": doc.members_span is not None}
    for (clustered, version), row in zip(_FLAGS.values(), (member_cluster, cluster)):
        fields.update({clustered: row is not None, version: _role(row) == _VERSION})
    free = access.free_view(doc)
    fields.update(facet_fields(doc, ""))
    fields.update(facet_fields(free, "free_"))
    fields.update(_view_fields(free, "free_title", "free", "free_head_w", prepared))
    fields["free_fp"] = _fingerprints(free.text, prepared)   # 查重 fingerprints of the free view (everyone's)
    fields["split"] = (free.title, free.text, free.outline) != (doc.title, doc.text, doc.outline)
    if fields["split"]:
        fields.update(_view_fields(doc, "title", "body", "head_w", prepared))
        fields["fp"] = _fingerprints(doc.text, prepared)   # … and of the whole text, a member's where they differ
    return fields


def _fingerprints(text: str, prepared: Prepared) -> str:
    """The 查重 fingerprint tokens of ``text``, from ``prepared`` when made there."""
    made = prepared.texts.get(text)
    return made.fp if made and made.fp is not None else check_tokens(text)


def facet_fields(doc: Document, prefix: str) -> dict:
    """文种, 来源 ("未注明" when none), year and date (YYYYMMDD, 0 when unknown) of ``doc`` as fields ``prefix…``."""
    return {f"{prefix}genre": doc.genre, f"{prefix}source": doc.source or UNSTATED_SOURCE,
            f"{prefix}year": doc.year or 0, f"{prefix}date": _date_key(doc.date)}


def _view_fields(view: Document, title: str, text: str, headings: str, prepared: Prepared) -> dict[str, str]:
    fields = {}
    for part, value in ((title, view.title), (text, view.text)):
        made = prepared.texts.get(value)
        fields.update({f"{part}_bi": made.bi, f"{part}_uni": made.uni, f"{part}_w": made.w} if made
                      else _text_fields(part, analysis.normalize(value)))
    joined = _headings_text(view)
    words = prepared.headings.get(joined)
    fields[headings] = words if words is not None else _words(joined)
    return fields


def _headings_text(doc: Document) -> str:
    """The headings of ``doc``'s outline, joined by spaces (what its heading words are made of)."""
    return " ".join(n.heading for n in walk_outline(doc.outline) if n.kind == "heading")


def _words(text: str) -> str:
    return analysis.word_text(analysis.normalize(text))


def _text_fields(part: str, norm: str) -> dict[str, str]:
    """``{part}_bi``, ``{part}_uni``, ``{part}_w`` of a normalised text (no prefix, no underscore, for ``part`` "")."""
    prefix = f"{part}_" if part else ""
    return {
        f"{prefix}bi": analysis.bigrams(norm),
        f"{prefix}uni": analysis.unigrams(norm),
        f"{prefix}w": analysis.word_text(norm),
    }


_ALONE, _REPRESENTATIVE, _VERSION = 0, 1, 2   # where a document stands among near-duplicates (index flags)
# the index's (clustered, version) flags of the clusters a viewer with (True) or without the member tier sees
_FLAGS = {True: ("clustered", "version"), False: ("free_clustered", "free_version")}
HIT_DOCUMENT_CHARS = 2_000_000
"""At most how many characters of documents a state's :attr:`Snapshot.hit_documents` keeps (per process, both tiers;
~4 MB of text, some 300 documents of the corpus's broad hits): a search's page of hits read them from the catalogue
again — decoding ~70,000 characters of UTF-8 and making ten documents, about a sixth of a broad search's CPU."""


def _document_size(doc: Document) -> int:
    """What a document kept in :attr:`Snapshot.hit_documents` counts against :data:`HIT_DOCUMENT_CHARS`."""
    return max(1, doc.chars)


def _role(row: ClusterRow | None) -> int:
    """:data:`_ALONE`, :data:`_REPRESENTATIVE` or :data:`_VERSION` for a document's cluster row (None: in none)."""
    return _ALONE if row is None else _REPRESENTATIVE if row.representative else _VERSION


def _tantivy_document(fields: dict) -> tantivy.Document:
    out = tantivy.Document()
    for name, value in fields.items():
        if isinstance(value, bool):
            out.add_boolean(name, value)
        elif isinstance(value, int):
            out.add_unsigned(name, value)
        else:
            out.add_text(name, value)
    return out


def _date_key(date: str | None) -> int:
    if not date:
        return 0
    parts = (date.split("-") + ["0", "0"])[:3]
    return int(parts[0]) * 10000 + int(parts[1]) * 100 + int(parts[2])


@dataclass(frozen=True)
class Snapshot:
    """What one search reads: the searcher of an index generation, the ids whose entries it must not
    trust (``changed``, see :meth:`sucai.store.Catalogue.index_state`), and the state they were read in:
    the index generation (the last change of the catalogue's log the index applied) and the newest
    change (:meth:`sucai.store.Catalogue.change_count`).

    ``state`` names everything a search result depends on besides the request and the viewer: every
    change of a document or a cluster appends to the log, every sync moves the generation. A
    cache keyed by it (:mod:`sucai.resultcache`) never serves a result computed before a document was
    hidden, removed, edited or re-bounded. ``split``: some entry of this generation has the
    whole-document fields (a document with a members part), which a member's queries must then search.
    """

    searcher: tantivy.Searcher
    changed: tuple[int, ...]
    generation: int
    changes: int
    split: bool = True
    versions: Versions | None = None   # the clusters of near-duplicates in this state (None: there are none)
    free_versions: Versions | None = None   # the same of the free grouping (viewers without the member tier)
    # the documents read for the hits of the searches of this state, by (id, read for a viewer without the member
    # tier): see sucai.search._hit_documents
    hit_documents: ResultCache = field(default_factory=lambda: ResultCache(0), compare=False, repr=False)

    @property
    def state(self) -> tuple:
        return self.generation, self.changes, self.changed

    def versions_for(self, member: bool) -> Versions | None:
        """The clusters a viewer with (``member``) or without the member tier sees."""
        return self.versions if member else self.free_versions


@dataclass(frozen=True)
class Versions:
    """The clusters of near-duplicates (:mod:`sucai.dedupe`) of one state of the catalogue, as a search over
    one index generation needs them (made once per state).

    ``rows``: each member's :class:`~sucai.store.ClusterRow` by its id; ``representatives``: each cluster's
    representative by the cluster's id. ``others``: each member → the ids of
    the other members of its cluster that are not hidden, ascending (a hit's 其他版本). ``flagged``: the
    ids whose entry in this generation has the ``version`` flag; ``unflagged``: the members shown to no
    one yet (not hidden) whose entry lacks the ``clustered`` flag (indexed before they joined: the index
    not caught up yet, or, of the clusters members see, not indexed again since). ``candidates``: at most
    how many entries a query limited to the ``clustered`` flag and ``unflagged`` finds. ``flags``: the names
    of the ``clustered`` and ``version`` flags of these clusters (``free_clustered`` and ``free_version`` for the
    free grouping). ``values``: for a viewer with (True) or without the member tier, each
    member's facet values in this generation, read by :mod:`sucai.search` when first needed; ``sought``: the query of
    the entries a search of these clusters looks among, likewise.
    """

    rows: dict[int, ClusterRow]
    representatives: dict[int, int]
    others: dict[int, list[int]]
    flagged: frozenset[int]
    unflagged: tuple[int, ...]
    candidates: int
    flags: tuple[str, str]
    values: dict[bool, dict[int, dict]] = field(default_factory=dict, compare=False, repr=False)
    # the query of the entries that may be members of these clusters, made by sucai.search at its first search
    # of the state, then shared by its other searches
    sought: list = field(default_factory=list, compare=False, repr=False)


class SearchIndex:
    """The index under ``settings.index_dir``, opened (or created, or rebuilt) for use.

    It is this node's replica of the catalogue: it records in its marker file the
    catalogue it follows (:meth:`~sucai.store.Catalogue.library_id`) and the last
    change of the catalogue's change log it applied (:attr:`applied`), and
    :meth:`sync` applies the changes after that one.
    """

    def __init__(self, settings: Settings, catalogue: Catalogue, *, rebuild: bool = False,
                 progress: Callable[[int, int], None] | None = None):
        """Open this node's index (:meth:`_open`). ``rebuild``: re-index every document as it opens, whether or
        not it must, calling ``progress(done, total)`` after each; :attr:`rebuilt` then says how many."""
        self.settings = settings
        self.catalogue = catalogue
        self._lock = FileLock(str(settings.home / "index.lock"))
        self._wanted = settings.home / _WANTED
        self._marker_path = settings.index_dir / _MARKER
        # the searcher of the newest generation seen, whether it has split entries, its flagged entries (for a
        # viewer with and without the member tier: the ids with the clustered flag, the ids with the version flag)
        self._generation = -1
        self._searcher: tantivy.Searcher | None = None
        self._split = True
        self._flagged: dict[bool, tuple[frozenset[int], frozenset[int]]] = {}
        # (state, searcher, their Versions: as members see them, and the free grouping's, the hits' documents) of the
        # last snapshot
        self._versions: tuple[tuple, tantivy.Searcher, Versions | None, Versions | None, ResultCache] | None = None
        self._last: tuple[tuple, Snapshot] | None = None   # (what was checked, the snapshot) of the last snapshot
        self._reloading = threading.Lock()
        analysis.use_user_dictionary(settings.user_dict_path)
        self.rebuilt: int | None = None   # the documents re-indexed as the index opened (None: it opened as it was)
        with self._locked():   # an ingest's batch gives way to a process that opens the index (an edit, a server)
            self.index = self._open(rebuild, progress)

    def _open(self, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> tantivy.Index:
        """Open the index; build it anew when its version differs, re-index everything when the analysis
        changed, or when it follows another catalogue (a restored or replaced database), is ahead of it, or applied
        its change log only up to a change the log no longer holds (:meth:`~sucai.store.Catalogue.prune_changes`).

        A rebuild happens here, before anyone searches, so a search never meets an
        index emptied for rebuilding; re-indexing replaces all entries in one commit.
        """
        directory = self.settings.index_dir
        stored = self._marker()
        if stored.get("version") != INDEX_VERSION:
            if directory.exists():
                log.info("检索索引版本为 %s，本版本需要 %s：重新建立索引", stored.get("version"), INDEX_VERSION)
                shutil.rmtree(directory)
            directory.mkdir(parents=True)
            self.index = tantivy.Index(SCHEMA, path=str(directory))
        else:
            self.index = tantivy.Index.open(str(directory))
        if (rebuild or stored.get("fingerprint") != fingerprint(self.settings)
                or stored.get("library") != self.catalogue.library_id()
                or not self.catalogue.pruned_through() <= stored.get("applied", 0) <= self.catalogue.change_count()):
            self.rebuilt = self.sync(progress, replace_all=True)
        return self.index

    def _marker(self) -> dict:
        try:
            return json.loads(self._marker_path.read_text())
        except (OSError, ValueError):
            return {}

    def _write_marker(self, applied: int) -> None:
        """Record what the index holds (after its commit; written whole or not at all)."""
        temp = self._marker_path.with_name(f".{_MARKER}.{os.getpid()}")
        temp.write_text(json.dumps({"version": INDEX_VERSION, "fingerprint": fingerprint(self.settings),
                                    "library": self.catalogue.library_id(), "applied": applied}))
        os.replace(temp, self._marker_path)

    @property
    def applied(self) -> int:
        """The last change of the catalogue's log this index holds (by any process of this node)."""
        return self._marker().get("applied", 0)

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the latest commit: this process's own commits at once (``sync``
        reloads), other processes' within a fraction of a second (tantivy watches the index)."""
        return self.index.searcher()

    def snapshot(self) -> Snapshot:
        """The :class:`Snapshot` for one search. One searcher serves every search of an index
        generation — the last change of the log it applied — in all threads; it is replaced when a
        process of this node applied newer changes since this one last looked (the index is reloaded
        first), so an entry the log counts as applied is never read from an older commit. The clusters of
        near-duplicates are read again only when the state moved (every change of one is logged).

        The last snapshot is given again while neither the index's marker file nor the catalogue changed
        (a stat and :meth:`sucai.db.Database.data_version`, checked before anything is read, so a change
        made meanwhile is seen by the next call); on PostgreSQL, which has no such check, the state is
        read for every search."""
        checked = (_stamp(self._marker_path), self.catalogue.db.data_version())
        last = self._last
        if last is not None and checked[1] is not None and last[0] == checked:
            return last[1]
        applied = self.applied
        changes, changed = self.catalogue.index_state(applied)
        with self._reloading:
            if applied != self._generation or self._searcher is None:
                self.index.reload()
                self._searcher = self.index.searcher()
                self._split = self._searcher.search(tantivy.Query.term_query(SCHEMA, "split", True), limit=1).hits != []
                self._flagged = {member: (_ids(self._searcher, clustered), _ids(self._searcher, version))
                                 for member, (clustered, version) in _FLAGS.items()}
                self._generation = applied
            searcher, split, flagged = self._searcher, self._split, self._flagged
        if changed is None:   # behind the log's pruned point: no entry is trusted until a sync rebuilds the index
            changed = sorted(_ids(searcher))
        state = (applied, changes, tuple(changed))
        versions = self._versions   # made for this state and this searcher (whose flags it names)
        if versions is None or versions[0] != state or versions[1] is not searcher:
            versions = self._versions = (state, searcher, *(
                _versions(self.catalogue.cluster_rows(free=not member), *flagged[member], _FLAGS[member])
                for member in (True, False)), ResultCache(HIT_DOCUMENT_CHARS, size=_document_size))
        snapshot = Snapshot(searcher, tuple(changed), applied, changes, split, *versions[2:])
        self._last = (checked, snapshot)
        return snapshot

    def sync(self, progress: Callable[[int, int], None] | None = None, *, replace_all: bool = False,
             tokens: Tokens | None = None, edit: bool = False, before_commit: Callable[[], None] | None = None) -> int:
        """Apply the catalogue's changes after :attr:`applied`; returns how many documents were (re)indexed.

        Each changed document is read as it is now and indexed again (or dropped when
        removed or hidden), so applying a change twice does no harm: the commit and
        the record of :attr:`applied` need not be atomic, and a process killed at any
        moment leaves work the next call redoes. Processes of a node take turns
        under a file lock. ``replace_all`` re-indexes every document, dropping every
        entry first in the same commit (readers see the old index until the new one
        is complete). ``progress(done, total)`` is called after each document. ``tokens``: makes the
        documents' tokens elsewhere (:data:`Tokens`; an ingest's parse workers), else this process segments them.
        ``edit``: someone waits for the changes (an edit, a server starting, an integrity check); while another
        process holds the lock, it is asked to let go (an ingest commits its batch at once: :meth:`Feed.wanted`).
        ``before_commit``: as :meth:`Feed.commit`'s. An index behind the log's pruned point
        (:meth:`~sucai.store.Catalogue.prune_changes`) is re-indexed whole, as with ``replace_all``.
        """
        if not replace_all and self.catalogue.change_count() <= self.applied:
            return 0
        with self._locked() if edit else self._lock:
            pending = None if replace_all else self.catalogue.changes_since(self.applied)
            if pending is None:
                if not replace_all:
                    log.info("检索索引落后于已清理的变更日志：重新建立索引")
                    replace_all = True
                applied = self.catalogue.change_count()   # read first: later changes are applied later
                ids = self.catalogue.document_ids()
            else:
                if not pending:                           # another process of this node applied them
                    return 0
                applied = pending[-1][0]
                ids = {doc_id for _, doc_id, kind in pending if kind != "cluster"}
                if any(kind == "cluster" for _, _, kind in pending):
                    ids |= self._misflagged()
                ids = sorted(ids)
            if ids or replace_all:   # cluster changes that leave every flag as it is: no commit
                writer = self.index.writer(heap_size=_WRITER_HEAP, num_threads=1)
                if replace_all:
                    writer.delete_all_documents()
                self._reindex(writer, ids, progress, fresh=replace_all, tokens=tokens, before_commit=before_commit)
            self._write_marker(applied)
            return len(ids)

    def _locked(self):
        """The index lock, acquired (a context manager that releases it). While another process holds it, the
        ``index.wanted`` file is touched every half second, so that a :class:`Feed` of an ingest commits its
        batch and waits to begin the next one (:meth:`_give_way`); it is removed once the lock is taken."""
        try:
            lock = self._lock.acquire(blocking=False)
        except Timeout:
            while True:
                self._wanted.touch()
                try:
                    lock = self._lock.acquire(timeout=0.5)
                    break
                except Timeout:
                    pass
            self._wanted.unlink(missing_ok=True)
        return lock

    def _give_way(self) -> None:
        """Wait while an edit waits for the index lock (its ``index.wanted`` touched less than a second ago:
        one whose process died is not waited for), so that it takes the lock first."""
        while (touched := _touched(self._wanted)) is not None and time.time() - touched < 1:
            time.sleep(0.05)

    def _reindex(self, writer: tantivy.IndexWriter, ids: list[int], progress: Callable[[int, int], None] | None,
                 *, fresh: bool = False, tokens: Tokens | None = None,
                 before_commit: Callable[[], None] | None = None) -> None:
        """Index these documents as the catalogue holds them now (an entry each, none for a removed or
        hidden one), commit, and reload. ``fresh``: the writer dropped every entry already; ``tokens``:
        see :meth:`sync`. ``progress(done, total)``: ``done`` ids of ``ids`` are through. ``before_commit()``
        is called once every entry is with the writer, before it commits (see :meth:`Feed.commit`)."""
        rows = _rows(self.catalogue) if ids else ({}, {})
        for doc_id in () if fresh else ids:   # a deletion drops the entries added before it only
            _delete(writer, doc_id)
        position = {doc_id: number for number, doc_id in enumerate(ids, 1)}
        shown = (doc for batch in _batches(ids, _BATCH) for doc in self.catalogue.documents(batch) if not doc.hidden)
        done = 0
        for doc, prepared in tokens(shown) if tokens else ((doc, None) for doc in shown):
            writer.add_document(_tantivy_document(index_fields(doc, prepared, *(by_id.get(doc.id) for by_id in rows))))
            done = position[doc.id]
            if progress:
                progress(done, len(ids))
        if progress and done < len(ids):   # the ids after the last document indexed: removed or hidden
            progress(len(ids), len(ids))
        if before_commit:
            before_commit()
        writer.commit()
        give_back()   # the writer's heap, freed by the commit, before a merge the commit started takes its own
        writer.wait_merging_threads()
        self.index.reload()
        give_back()   # the merge's (an ingest grew by 125 MB over the corpus without these)

    def _misflagged(self, fed: dict[int, int] | None = None) -> set[int]:
        """The ids whose entries' cluster flags — in the latest commit, or as ``fed`` (id → role, :func:`_role`)
        to a writer since — differ from the catalogue's free grouping now (hidden members have no entry).
        Called under the index lock."""
        self.index.reload()
        entries = {**_entries(self.index.searcher()), **(fed or {})}
        want = {row.doc_id: _role(row) for row in self.catalogue.cluster_rows(free=True) if not row.hidden}
        return {doc_id for doc_id in want.keys() | entries.keys()
                if want.get(doc_id, _ALONE) != entries.get(doc_id, _ALONE)}

    def feed(self, progress: Callable[[int, int], None] | None = None, tokens: Tokens | None = None) -> Feed:
        """A :class:`Feed` for an ingest of this process: documents indexed as they are stored."""
        return Feed(self, progress, tokens)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-index every document from the catalogue (one commit: searches go on meanwhile)."""
        return self.sync(progress, replace_all=True)

    def indexed_ids(self) -> list[int]:
        """The document id of every entry of the index, in order (an id twice: a broken index), as of
        its latest commit (by any process)."""
        self.index.reload()
        searcher = self.searcher()
        total = searcher.num_docs
        if not total:
            return []
        hits = searcher.search(tantivy.Query.all_query(), limit=total).hits
        return sorted(searcher.doc(address)["id"][0] for _, address in hits)

    def repair(self, ids: Iterable[int]) -> None:
        """Index these documents again from the catalogue (dropped when removed or hidden), one commit."""
        with self._lock:
            self._reindex(self.index.writer(heap_size=_WRITER_HEAP, num_threads=1), sorted(set(ids)), None)


class Feed:
    """Documents indexed as an ingest stores them, instead of read back from the catalogue by a later
    :meth:`SearchIndex.sync`: their entries go to an index writer a few at a time (:data:`_WAITING`: tantivy
    holds them in its own heap, so the ingest keeps the tokens of a few documents at most), and :meth:`commit`
    publishes a batch of them.

    The first :meth:`add` of a batch takes the node's index lock (as :meth:`SearchIndex.sync` does) and
    notes the last change the index applied; :meth:`commit` applies the changes of the log after it:
    a fed document whose one change since is its own addition keeps the entry it was fed with (unless its
    cluster flags no longer hold: a later document joined its cluster), every other changed document
    (changed by another process meanwhile, or added before this batch began and indexed already) and every
    entry whose cluster flags no longer hold is indexed again from the catalogue; then the writer commits, the marker
    moves and the lock is released. So the index ends exactly as a sync would leave it, and a process
    killed mid-batch leaves only uncommitted entries, which the next sync redoes from the log.
    ``progress(done, total)`` is called as :meth:`SearchIndex.sync` calls it, at each commit; ``tokens`` makes
    the tokens of the documents indexed again there (:data:`Tokens`: an ingest's parse workers, so that its
    process segments no word — a document it fed and a later one joined, a better copy's new texts).
    """

    def __init__(self, index: SearchIndex, progress: Callable[[int, int], None] | None = None,
                 tokens: Tokens | None = None):
        self.index = index
        self.progress = progress
        self.tokens = tokens
        self._writer: tantivy.IndexWriter | None = None
        self._applied = 0
        self._fed: dict[int, int] = {}   # id → the cluster role it was fed with in the free grouping (see _role)
        self._waiting: list[tuple[Document, Prepared | None]] = []   # added, not yet handed to the writer
        self._waiting_chars = 0
        self._since = 0.0  # when the batch took the lock (seconds since the epoch, as file times are)
        self.chars = 0  # characters of the documents fed since the last commit

    def __len__(self) -> int:
        return len(self._fed) + len(self._waiting)

    def add(self, doc: Document, prepared: Prepared | None = None) -> None:
        """Index ``doc``, a catalogue document the ingest just added (as :meth:`Catalogue.add
        <sucai.store.Catalogue.add>` gives it back, ``Added.stored``) and placed among near-duplicates, with the tokens its worker
        ``prepared``. It goes to the writer with those added after it, up to :data:`_WAITING` (documents,
        characters) or the commit, their cluster rows read at once (one read instead of one per document)."""
        if self._writer is None:
            self.index._give_way()
            self.index._lock.acquire()
            try:
                self._since = time.time()
                self._applied = self.index.applied
                self._writer = self.index.index.writer(heap_size=_WRITER_HEAP, num_threads=1)
            except BaseException:
                self.index._lock.release()
                raise
        self._waiting.append((doc, prepared))
        self._waiting_chars += doc.chars
        self.chars += doc.chars
        if len(self._waiting) >= _WAITING[0] or self._waiting_chars >= _WAITING[1]:
            self._hand_over()

    def _hand_over(self) -> None:
        """Give the writer the documents added and not yet given, with their cluster flags as they stand now."""
        if not self._waiting:
            return
        free, grouped = _rows(self.index.catalogue, [doc.id for doc, _ in self._waiting])
        for doc, prepared in self._waiting:
            cluster = free.get(doc.id)
            self._writer.add_document(_tantivy_document(index_fields(doc, prepared, cluster, grouped.get(doc.id))))
            self._fed[doc.id] = _role(cluster)
        self._waiting.clear()
        self._waiting_chars = 0

    def wanted(self) -> bool:
        """Whether a process of this node has waited, since this batch took the index lock, to apply an edit
        (:meth:`SearchIndex.sync` with ``edit``): the ingest then commits the batch without waiting for it to grow."""
        touched = _touched(self.index._wanted)
        return self._writer is not None and touched is not None and touched >= self._since

    def commit(self, before_commit: Callable[[], None] | None = None) -> None:
        """Publish the documents fed since the last commit, with every other change of the log (see the class).
        ``before_commit()``, when given, is called once every entry is with the writer — the tokens of those
        indexed again made —, before the writer commits and merges segments (an ingest's last commit stops the
        parse workers' fork server there: :func:`sucai.budget.stop_fork_server`)."""
        if self._writer is None:
            return
        try:
            self._hand_over()
            pending = self.index.catalogue.changes_since(self._applied)
            if pending is None:
                self._writer.rollback()
            else:
                self._publish(pending, before_commit)
        finally:
            self._end()
        if pending is None:   # the log was pruned past the batch's start: the index is built again, this batch too
            self.index.sync(self.progress, tokens=self.tokens, before_commit=before_commit)

    def _publish(self, pending: list[tuple[int, int, str]], before_commit: Callable[[], None] | None) -> None:
        """Commit the batch with the changes of the log after its start (``pending``; see the class)."""
        kinds: dict[int, list[str]] = {}
        for _, doc_id, kind in pending:
            if kind != "cluster":
                kinds.setdefault(doc_id, []).append(kind)
        trusted = {doc_id for doc_id in self._fed if kinds.get(doc_id) == ["add"]}
        redo = set(kinds) | set(self._fed)
        if any(kind == "cluster" for _, _, kind in pending):   # cluster flags that no longer hold, fed or not
            misflagged = self.index._misflagged(self._fed)
            trusted -= misflagged
            redo |= misflagged
        again = sorted(redo - trusted)
        total, report = len(trusted) + len(again), None
        if self.progress:
            self.progress(len(trusted), total)
            report = lambda done, _: self.progress(len(trusted) + done, total)  # noqa: E731
        self.index._reindex(self._writer, again, report, tokens=self.tokens, before_commit=before_commit)
        self.index._write_marker(pending[-1][0] if pending else self._applied)

    def abandon(self) -> None:
        """Drop what was fed since the last commit (the next sync indexes it from the catalogue)."""
        if self._writer is not None:
            self._writer.rollback()
            self._end()

    def _end(self) -> None:
        self._writer = None
        self._fed.clear()
        self._waiting.clear()
        self._waiting_chars = 0
        self.chars = 0
        self.index._lock.release()


def _stamp(path) -> tuple | None:
    """What tells a file's versions apart (it is replaced whole, never written in place); None: no file."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def _touched(path) -> float | None:
    """When a file was last modified (seconds since the epoch); None: no file."""
    stamp = _stamp(path)
    return None if stamp is None else stamp[1] / 1e9


def _ids(searcher: tantivy.Searcher, flag: str | None = None) -> frozenset[int]:
    """The ids of the entries with ``flag`` set (None: of every entry)."""
    query = tantivy.Query.all_query() if flag is None else tantivy.Query.term_query(SCHEMA, flag, True)
    hits = searcher.search(query, limit=max(1, searcher.num_docs)).hits
    return frozenset(searcher.fast_field_values("id", [address for _, address in hits])) if hits else frozenset()


def _entries(searcher: tantivy.Searcher) -> dict[int, int]:
    """The cluster role (:func:`_role`) of each entry of ``searcher`` with the ``free_clustered`` flag, by id."""
    versions = _ids(searcher, "free_version")
    return {doc_id: _VERSION if doc_id in versions else _REPRESENTATIVE for doc_id in _ids(searcher, "free_clustered")}


def _rows(catalogue: Catalogue, doc_ids: list[int] | None = None
          ) -> tuple[dict[int, ClusterRow], dict[int, ClusterRow]]:
    """The cluster rows of these documents (None: of every document in a cluster), by id: of the free grouping,
    and of the clusters members see (the rows :func:`index_fields` takes)."""
    return tuple({row.doc_id: row for row in catalogue.cluster_rows(doc_ids=doc_ids, free=free)}
                 for free in (True, False))


def _versions(rows: list[ClusterRow], clustered: frozenset[int], versions: frozenset[int],
              flags: tuple[str, str]) -> Versions | None:
    """:class:`Versions` of the cluster rows of a state, for a generation whose entries with the ``clustered``
    and ``version`` flags (named ``flags``) are these; None when there are no clusters."""
    if not rows:
        return None
    shown: dict[int, list[int]] = {}
    for row in rows:
        if not row.hidden:
            shown.setdefault(row.cluster_id, []).append(row.doc_id)
    unflagged = tuple(row.doc_id for row in rows if not row.hidden and row.doc_id not in clustered)
    return Versions(rows={row.doc_id: row for row in rows},
                    representatives={row.cluster_id: row.doc_id for row in rows if row.representative},
                    others={row.doc_id: [i for i in shown.get(row.cluster_id, ()) if i != row.doc_id] for row in rows},
                    flagged=versions, unflagged=unflagged, candidates=len(clustered) + len(unflagged), flags=flags)


def _delete(writer: tantivy.IndexWriter, doc_id: int) -> None:
    # By query: delete_documents_by_term reads a Python int as i64 and misses our u64 ids.
    writer.delete_documents_by_query(tantivy.Query.term_query(SCHEMA, "id", doc_id))


def _batches(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
