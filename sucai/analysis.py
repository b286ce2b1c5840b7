"""The one analysis path, used both when indexing and when querying.

Normalisation is for matching only; stored and displayed text stays original.
It folds:

- compatibility characters to their plain spelling (Unicode NFKC, UAX #15, one
  character at a time): full-width forms (２０２３ = 2023, （试行） = (试行)),
  enclosed and parenthesised numbers and ideographs (① = 1, ⑴ = (1), ⒈ = 1.,
  ㈠ = (一)), Roman numerals (Ⅳ = IV), CJK compatibility ideographs, ℃ = °C,
  ligatures. The ellipsis … and ‥ stays (Chinese punctuation, not full stops),
  and so do spacing accents whose NFKC form is a space and a combining mark;
- CJK radicals and strokes to the ideographs they stand for (⼯ = 工, ⻓ = 长;
  :mod:`sucai.radicals`);
- invisible format characters (soft hyphen, zero-width space and joiners, word
  joiner, BOM) to nothing;
- letters to lower case;
- a lone surrogate (half of a UTF-16 pair: JSON's "\\ud800", an undecodable byte of a
  command line) to U+FFFD, the replacement character: it is no character, and no
  encoder, tokenizer or database takes it;
- traditional characters to simplified ones. A run of Han characters that holds a
  traditional or variant character (one outside GB 2312, the simplified set, that
  OpenCC converts) is converted with OpenCC's phrase conversion, Taiwan and Hong
  Kong variants first (``tw2t``, ``hk2t``, then ``t2s``): 計畫 = 计划, 批覆 = 批复,
  衞生 = 卫生, 看著 = 看着. Simplified text is never phrase-converted (显著 stays
  显著). Then every character alone gets its one ``t2s`` image, in documents
  and queries alike (乾 → 干, so 乾安县 stays findable as 乾安县);
- quotation marks to one, ``"``: every character with Unicode's Quotation_Mark property (UAX #44,
  PropList.txt, read with :mod:`regex`) — “ ” ‘ ’ " ' ＂ ＇, the corner brackets 「 」 『 』 (and their
  forms ﹁ ﹂ ｢ ｣), 〝 〞 〟, „ ‟ ‚ ‛, « » ‹ › —, so that a phrase typed or pasted with other marks
  (「第一议题」, "第一议题" from a laptop's keyboard, ＂第一议题＂) matches the text's “第一议题”. One
  image for double and single marks alike: the single ones are the double ones one level in (GB/T
  15834-2011 标点符号用法 §4.8 引号: 外面一层用双引号，里面一层用单引号), a level that says where a
  quotation stands, not what it quotes (坚持‘两个确立’ inside a quoted speech is a report's
  坚持“两个确立”); 「」 is the outer mark of Taiwan and Hong Kong and 『』 their inner one, while vertical
  mainland text uses 『』 outside (﹃﹄); and ’ is also the typographic apostrophe (China’s = China's).
  《》 (书名号) are no quotation marks and stay;
- whitespace: a run of whitespace counts, as one space, only between two letters
  or two digits ("hello world" ≠ "helloworld", "2023 2024" ≠ "20232024");
  anywhere else it is dropped: between Chinese characters ("办公室　关于" =
  "办公室关于"), at Chinese/Latin and Chinese/digit boundaries ("2023 年" =
  "2023年", "GDP 目标" = "GDP目标"), next to punctuation and at letter/digit
  boundaries ("GB/T 9704" = "GB/T9704", "5.2 %" = "5.2%").

Each normalised character comes from one original character or one whitespace
run, and one original character may give several (⑴ → "(1)"), so a match in the
normalised text maps back to exact original characters (see
:func:`normalize_with_offsets`).

Tokens for the index (:func:`bigrams`, :func:`unigrams`, :func:`words`) are
space-separated strings fed to tantivy's ``whitespace`` tokenizer, so that the
token at position *i* is the character bigram starting at normalised offset *i*:
a phrase query over those bigrams is an exact substring test.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import os
import re
import sys
import tempfile
import threading
import time
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import ModuleType

import numpy as np
import opencc
import regex
from platformdirs import user_cache_dir

from . import radicals
from .clean import REPLACEMENT, well_formed
from .errors import InvalidInput, ReadError

log = logging.getLogger(__name__)

SPACE_TOKEN = "\ue000"  # stands for a kept space inside index tokens (never in real text after cleaning)

_WHITESPACE = re.compile(r"\s+")
_WORD_JUNK = re.compile(r"^[\W_]+$")
_JUNK_LINES = re.compile(r"^(?:[^\w\n]|_)+\n", re.MULTILINE)  # a line that _WORD_JUNK matches, and its end
_IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_KEPT = "\u2025\u2026"  # ‥ …: Chinese punctuation, not two or three full stops
_UNIFIED = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x2EBEF), (0x30000, 0x323AF))  # CJK unified ideographs
_HAN_RANGES = _UNIFIED + ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F))  # and the compatibility ideographs
_LAST_FOLDED = 0x30000  # NFKC and case are folded for the BMP and planes 1–2
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_PHRASE_CONFIGS = ("tw2t", "hk2t", "t2s")  # Taiwan and Hong Kong variants to OpenCC's standard, then to simplified
_SHORT_TEXT = 2_000  # characters: matchable checks shorter texts with sets, not regexes (compiling them costs more)
_QUOTE = '"'  # the one image of every quotation mark (see the module docstring)
_QUOTATION_MARK = regex.compile(r"\p{Quotation_Mark}")


def _is_wide(char: str) -> bool:
    """Han ideographs, CJK symbols and punctuation, full-width forms."""
    return unicodedata.east_asian_width(char) in "WF"


def _is_han(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _HAN_RANGES)


def _chars(ranges) -> str:
    return "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1))


def _char_class(chars) -> str:
    """A regex character class matching exactly ``chars`` (as ranges of consecutive code points)."""
    codes = sorted(set(map(ord, chars)))
    parts, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        lo, hi = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]" if parts else "[^\\s\\S]"


@dataclass(frozen=True)
class _Tables:
    fold: dict[int, str]   # code point → its image (see the module docstring), only where it differs
    bmp: list              # the same for every code point of the BMP, the image or the code point itself:
    #                        str.translate with a sparse dict raises (and catches) an error per unmapped character
    special: re.Pattern    # gaps (whitespace, invisible characters), BMP characters whose image is not one
    #                        character, and any character beyond the BMP (rare; looked up one by one)
    traditional: re.Pattern  # a traditional or variant character (BMP): its Han run is phrase-converted
    unplain: re.Pattern    # a traditional character, a lone surrogate or one beyond the BMP (see matchable)
    converters: tuple      # the OpenCC converters of :data:`_PHRASE_CONFIGS`
    unaligned: re.Pattern  # a character whose image is not one character, or beyond the BMP (see matchable)
    letter: re.Pattern     # a letter that keeps a following space (narrow, BMP; see _keeps_space)
    dropped_gaps: re.Pattern  # whitespace runs that do not count (the complement of _keeps_space)
    single: np.ndarray     # uint32 per BMP code point: its image when that is one BMP character, else 0
    aligned: np.ndarray    # uint32 per BMP code point: its image when that is one character, else itself
    unplain_bmp: np.ndarray  # bool per BMP code point: ``unplain`` matches it
    unaligned_bmp: np.ndarray  # bool per BMP code point: ``unaligned`` matches it
    gap_bmp: np.ndarray    # bool per BMP code point: whitespace or an invisible character (what a gap is made of)


def _convert(converters, text: str) -> str:
    for converter in converters:
        text = converter.convert(text)
    return text


def _per_character(converters, chars: str) -> list[str]:
    """Each of ``chars`` converted alone (one call; line breaks keep OpenCC from applying phrase rules)."""
    return _convert(converters, "\n".join(chars)).split("\n")


def _compatibility(char: str) -> str:
    """The NFKC form of ``char``, lower-cased, unless it is kept (see the module docstring)."""
    image = unicodedata.normalize("NFKC", char)
    if char in _KEPT or any(c.isspace() for c in image):
        return char
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in image)


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """The tables of this process: read from the cache file of their inputs (:func:`_tables_file`) when there is
    one, else built (≈ 0.2 s of CPU, once per process: every search and 查重 started with it) and written there
    for the next process — best effort: a cache folder that cannot be written only costs the next one the build."""
    path = _tables_file()
    try:
        return _read_tables(path)
    except UNREADABLE:   # none yet, or unreadable: built again
        tables = _built_tables()
    save_arrays(path, fold_codes=np.array(list(tables.fold), dtype=np.uint32),
                fold_images=np.array(list(tables.fold.values()), dtype=str),
                patterns=np.array([getattr(tables, name).pattern for name in _PATTERNS], dtype=str),
                **{name: getattr(tables, name) for name in _ARRAYS})
    return tables


# what reading a cache file of arrays (numpy's .npz) raises when there is none, or it is damaged
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)
# a cache file that no process read for this many days is of inputs no sucai in use has (an upgraded version's)
CACHE_UNUSED_DAYS = 30


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of the cache file ``path`` (numpy's .npz; raises one of :data:`UNREADABLE`), the file marked as
    in use (its modification time set to now, best effort), so that :func:`save_arrays` keeps it."""
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    try:
        os.utime(path)
    except OSError:   # a cache folder this process may read but not write
        pass
    return arrays


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """Write ``arrays`` to the cache file ``path`` (numpy's .npz), whole or not at all whatever another process
    reads meanwhile — best effort: a cache folder that cannot be written only costs the next process the build.
    The files of its kind (its name up to the digest) that no process read for :data:`CACHE_UNUSED_DAYS` days are
    removed then: each upgrade names new ones, and the folder would keep those of every version since the first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as file:
            np.savez(file, **arrays)
        os.replace(file.name, path)
    except OSError as err:
        log.debug("分析表未能写入缓存 %s：%s", path, err)
    unused_since = time.time() - CACHE_UNUSED_DAYS * 86400
    for other in path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*.npz"):
        try:
            if other != path and other.stat().st_mtime < unused_since:
                other.unlink()
        except OSError:   # removed by another process meanwhile, or not ours to remove
            pass


def derived_file(name: str, rules: Path) -> Path:
    """The cache file of arrays made from these tables by the rules of the module ``rules`` (a source file):
    beside the tables' own (:func:`_tables_file`), named by ``name``, the tables' inputs and that module's source,
    so that a change of either names another file."""
    tables = _tables_file()
    digest = hashlib.sha256(tables.name.encode() + rules.read_bytes()).hexdigest()[:24]
    return tables.with_name(f"{name}-{digest}.npz")


_PATTERNS = ("special", "traditional", "unplain", "unaligned", "letter", "dropped_gaps")
_ARRAYS = ("single", "aligned", "unplain_bmp", "unaligned_bmp", "gap_bmp")


def _tables_file() -> Path:
    """The cache file of the tables, named by a digest of everything they are made of: the source of this
    module (the rules), of :mod:`sucai.radicals` and its data file, of :mod:`sucai.clean` (the replacement
    character), OpenCC's version (its dictionaries), regex's (its Unicode properties: the quotation marks) and
    Python's (its Unicode database, case and character classes). A change to any of them names another file, so
    a file is never read for other inputs. In the user-cache directory (platformdirs: ``~/.cache/sucai`` or
    ``$XDG_CACHE_HOME/sucai`` on Linux)."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in (package / "analysis.py", package / "radicals.py", package / "clean.py",
                 package / "data" / "EquivalentUnifiedIdeograph.txt"):
        digest.update(path.read_bytes())
    digest.update(f"{opencc.__version__} {regex.__version__} {sys.version} {unicodedata.unidata_version}".encode())
    return Path(user_cache_dir("sucai")) / f"analysis-tables-{digest.hexdigest()[:24]}.npz"


def _read_tables(path: Path) -> _Tables:
    """The tables :func:`_tables` wrote to ``path``. Raises OSError, ValueError, KeyError or BadZipFile."""
    stored = load_arrays(path)
    fold = dict(zip(stored["fold_codes"].tolist(), stored["fold_images"].tolist()))
    patterns = dict(zip(_PATTERNS, map(re.compile, stored["patterns"].tolist())))
    arrays = {name: stored[name] for name in _ARRAYS}
    bmp = [fold.get(code, code) for code in range(0x10000)]
    converters = tuple(opencc.OpenCC(config) for config in _PHRASE_CONFIGS)
    return _Tables(fold=fold, bmp=bmp, converters=converters, **patterns, **arrays)


def _built_tables() -> _Tables:
    fold: dict[int, str] = {}
    radical = radicals.table()
    for code in range(_LAST_FOLDED):
        char = chr(code)
        if code in radical:
            fold[code] = radical[code]
        elif (not unicodedata.is_normalized("NFKC", char) or char.lower() != char) and not char.isspace():
            image = _compatibility(char)
            if image != char:
                fold[code] = image
    for char in _IGNORABLE:
        fold[ord(char)] = ""
    for code in range(0xD800, 0xE000):
        fold[code] = REPLACEMENT
    for char in _QUOTATION_MARK.findall(_chars([(0, _LAST_FOLDED - 1)])):   # 30, all of the basic plane
        if char != _QUOTE:
            fold[ord(char)] = _QUOTE
    han = _chars(_HAN_RANGES)
    for char, simple in zip(han, _per_character((opencc.OpenCC("t2s"),), han)):
        if len(simple) == 1 and simple != char:
            fold.setdefault(ord(char), simple)
    for code, image in fold.items():  # idempotent: follow chains such as 薴 → 苧 → 苎, ⾨ → 門 → 门
        for _ in range(8):
            image, before = image.translate(fold), image
            if image == before:
                break
        fold[code] = image
    bmp = [fold.get(code, code) for code in range(0x10000)]
    expanding = [chr(c) for c, image in fold.items() if len(image) > 1 and c < 0x10000]
    special = re.compile(f"(?P<gap>[\\s{_IGNORABLE}]+)|{_char_class(expanding)}|{_ASTRAL.pattern}")
    converters = tuple(opencc.OpenCC(config) for config in _PHRASE_CONFIGS)
    unified = _chars(r for r in _UNIFIED if r[1] < 0x10000)
    traditional = [char for char, simple in zip(unified, _per_character(converters, unified))
                   if simple != char and not _in_gb2312(char)]
    letters = _char_class(c for c in map(chr, range(0x10000)) if c.isalpha() and not _is_wide(c))
    # a whitespace run but between two letters or two digits, each case read after the run's first character, which
    # the pattern opens with: re's search skips to the next whitespace at once (a look-ahead for it did not)
    dropped = rf"\s(?:(?<={letters}\s)\s*+(?!{letters})|(?<=\d\s)\s*+(?!\d)|(?<!{letters[:-1]}\d\s]\s)\s*+)"
    unaligned = re.compile(f"{_char_class(expanding + list(_IGNORABLE))}|{_ASTRAL.pattern}")
    unplain = re.compile(f"{_char_class(traditional)[:-1]}\\ud800-\\udfff\\U00010000-\\U0010ffff]")
    single, aligned = _code_point_images(fold)
    unplain_bmp, unaligned_bmp, gap_bmp = (_matched_alone(pattern) for pattern in (unplain, unaligned, _GAP))
    return _Tables(fold, bmp, special, re.compile(_char_class(traditional)), unplain, converters, unaligned,
                   re.compile(letters), re.compile(dropped), single, aligned, unplain_bmp, unaligned_bmp, gap_bmp)


def _code_point_images(fold: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
    """:attr:`_Tables.single` and :attr:`_Tables.aligned` of ``fold``: a code point's own number where ``fold``
    has no image for it, set only at the code points it has one for (a tenth of the plane)."""
    single = np.arange(0x10000, dtype=np.uint32)
    aligned = single.copy()
    for code, image in fold.items():
        if code < 0x10000:
            one = len(image) == 1
            single[code] = ord(image) if one and ord(image) < 0x10000 else 0
            aligned[code] = ord(image) if one else code
    return single, aligned


def _matched_alone(pattern: re.Pattern) -> np.ndarray:
    """Bool per BMP code point: ``pattern`` matches the character alone. For a pattern whose every match is a
    run of characters each of which it matches alone (one-character classes, or a run of one: ``[…]+``), so
    that it is read off one scan of the whole plane, not 65,536 matches."""
    found = np.zeros(0x10000, dtype=bool)
    for match in pattern.finditer(_PLANE):
        found[match.start():match.end()] = True
    return found


_PLANE = "".join(map(chr, range(0x10000)))   # every BMP code point, in order


# characters: a shorter text is folded by translation. Its array's fixed cost, ~4 µs, is what translating 128 characters
# costs, and ~80 µs in a search (issue 16: numpy's reduction, cold after the index's work, was a query's parse's CPU)
_FOLD_BY_ARRAY = 128


def _fold(text: str) -> str:
    """Every character of ``text`` replaced by its image (no whitespace rule, no phrase conversion).

    As an array of code points when every character of ``text`` is of the BMP and has an image of
    one BMP character (the common case: three times faster than str.translate, which makes an
    integer and looks it up per character); else, and for a text shorter than :data:`_FOLD_BY_ARRAY`
    (a query's term), by translation — the same images.
    """
    tables = _tables()
    if len(text) < _FOLD_BY_ARRAY:
        return _translated(text, tables)
    codes = code_points(text)
    if len(codes) and codes.max() < 0x10000:
        images = tables.single[codes]
        if images.all():
            return _from_code_points(images)
    return _translated(text, tables)


def _translated(text: str, tables: _Tables) -> str:
    """:func:`_fold` by translation."""
    folded = text.translate(tables.bmp)
    return folded.translate(tables.fold) if _ASTRAL.search(folded) else folded


@lru_cache(maxsize=1)
def quotation_marks() -> str:
    """Every quotation mark (Unicode's Quotation_Mark property, UAX #44; 30 characters): ``"`` and the characters
    :func:`normalize` folds to it."""
    return _QUOTE + "".join(chr(code) for code, image in _tables().fold.items() if image == _QUOTE)


def closes_quotation(mark: str, opener: str) -> bool:
    """Whether the quotation mark ``mark`` (one of :func:`quotation_marks`) closes the quotation ``opener`` opened,
    whatever pair a writer mixed: a closing mark (Unicode's Pe, Pf: ” ’ 」 』 » ›), the high mark after a low one
    („…“, ‚…‘, as German writes them: “ ‘ are Pi, an opening mark anywhere else), or an ASCII-like one (" ' ＂ ＇, Po)
    after its own kind — ＂ after ", as NFKC reads them —, or a double one (" ＂) after a single opening one (' ＇ ‘ ‚):
    single marks quote inside double ones, never the other way round, so '…" is a pair mixed, not a third level
    opened. Any other mark opens a quotation inside (“坚持‘两个确立’”, GB/T 15834-2011 §4.8). Never raises."""
    category = unicodedata.category(mark)
    return (category in ("Pe", "Pf") or (opener in _LOW_OPENERS and mark == _LOW_OPENERS[opener])
            or (category == "Po" and unicodedata.normalize("NFKC", mark) == unicodedata.normalize("NFKC", opener))
            or (mark in _DOUBLE and opener in _SINGLE_OPENERS))


_LOW_OPENERS = {"„": "“", "‚": "‘"}   # a low opening mark and the high one that closes it (German)
_DOUBLE = '"＂'
_SINGLE_OPENERS = "'＇‘‚"


def read_mark(char: str, opened: list[str], brackets: Mapping[str, str]) -> None:
    """Read ``char`` onto ``opened``, the brackets and quotation marks open before it (innermost last): an opening
    bracket of ``brackets`` (opening → closing mark: 《》, （）) pushed; the mark that closes the innermost — its
    bracket's own, a quotation mark :func:`closes_quotation` reads so — popping it; another quotation mark but a
    closing one (Pe, Pf) pushed; any other character, or a closing mark that closes nothing, passed over. The one
    reading of the export's title lines and the outline's headings. Never raises."""
    if char in brackets:
        opened.append(char)
    elif opened and brackets.get(opened[-1]) == char:
        opened.pop()
    elif char in quotation_marks():
        if opened and opened[-1] not in brackets and closes_quotation(char, opened[-1]):
            opened.pop()
        elif unicodedata.category(char) not in ("Pe", "Pf"):
            opened.append(char)


def char_images(chars: str) -> list[str]:
    """The image under :func:`normalize` of each of ``chars`` taken alone — ``normalize(c)`` for each ``c`` — but
    for the whitespace rule: a whitespace character is its own image here (alone, normalize drops it). One OpenCC
    call for all of them, where ``normalize`` makes one per traditional character: the basic plane's 65,536 in
    0.1 s, not 1.3 s. Linear in ``len(chars)``; never raises."""
    tables = _tables()
    simple = list(chars)
    marked = [i for i, char in enumerate(simple) if tables.traditional.match(char)]
    for i, converted in zip(marked, _per_character(tables.converters, "".join(simple[i] for i in marked))):
        if len(converted) == 1:   # as to_simplified: a conversion that changes the length is not made
            simple[i] = converted
    codes = code_points("".join(simple))
    single = tables.single[np.minimum(codes, 0xFFFF)] * (codes < 0x10000)   # 0: not one BMP character
    return [chr(image) if image else _translated(char, tables) for char, image in zip(simple, single.tolist())]


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def to_simplified(text: str) -> str:
    """``text`` with each Han run that holds a traditional or variant character converted phrase-wise.

    Same length as ``text``, character for character (OpenCC's conversions
    replace a phrase by one of the same length; a text where that does not hold
    is returned unchanged, with a warning). Linear; never raises.
    """
    tables = _tables()
    found = tables.traditional.search(text)
    if found is None:
        return text
    converted = _convert(tables.converters, well_formed(text))  # OpenCC takes UTF-8 only
    if len(converted) != len(text):
        log.warning("OpenCC 改变了文本长度，改为逐字匹配")
        return text
    pieces, pos = [], 0
    while found:
        start, end = found.start(), found.end()
        while start > pos and _is_han(text[start - 1]):
            start -= 1
        while end < len(text) and _is_han(text[end]):
            end += 1
        pieces += [text[pos:start], converted[start:end]]
        pos = end
        found = tables.traditional.search(text, end)
    pieces.append(text[pos:])
    return "".join(pieces)


def _keeps_space(left: str, right: str) -> bool:
    """Whether whitespace between the normalised characters ``left`` and ``right`` counts (as one space):
    between two letters (not Chinese: narrow ones, of the BMP) or two decimal digits."""
    letter = _tables().letter
    return bool(letter.match(left) and letter.match(right)) or (left.isdecimal() and right.isdecimal())


def normalize(text: str) -> str:
    """Fold ``text`` for matching (see the module docstring). Linear; never raises."""
    tables = _tables()
    folded = _fold(to_simplified(text))
    return _WHITESPACE.sub(" ", tables.dropped_gaps.sub("", folded))


class OffsetMap:
    """Where each character of a normalised text came from in the original text.

    The normalised text is a sequence of segments, each from an original span:
    a stretch copied character for character (same length: character *k* of the
    segment comes from character *k* of the span), or one original character or
    whitespace run that gives another number of characters (all of which come
    from the whole span). Only the segment starts are stored.
    """

    def __init__(self, norm_starts: list[int], orig_starts: list[int], orig_ends: list[int],
                 norm_length: int, orig_length: int):
        self._norm, self._orig, self._orig_end = norm_starts, orig_starts, orig_ends
        self._norm_length, self._length = norm_length, orig_length

    def _segment(self, i: int) -> tuple[int, int]:
        """(segment index, offset of ``i`` in it) for a normalised offset ``0 <= i < len(norm)``."""
        k = bisect.bisect_right(self._norm, i) - 1
        return k, i - self._norm[k]

    def _linear(self, k: int) -> bool:
        norm_end = self._norm[k + 1] if k + 1 < len(self._norm) else self._norm_length
        return norm_end - self._norm[k] == self._orig_end[k] - self._orig[k]

    def start(self, i: int) -> int:
        """Where the original characters of normalised character ``i`` start (``len(norm)`` → ``len(text)``)."""
        if i >= self._norm_length:
            return self._length
        k, inside = self._segment(i)
        return self._orig[k] + inside if self._linear(k) else self._orig[k]

    def end(self, i: int) -> int:
        """Where the original characters of normalised character ``i`` end (exclusive)."""
        k, inside = self._segment(i)
        return self._orig[k] + inside + 1 if self._linear(k) else self._orig_end[k]

    __getitem__ = start

    @property
    def identical(self) -> bool:
        """Whether this is the map of a text to itself (:meth:`identity`): every span maps to itself."""
        return self._norm_length == self._length and len(self._norm) <= 1

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text to itself (``length`` characters)."""
        return cls([0], [0], [length], length, length) if length else cls([], [], [], 0, 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of a non-empty normalised span ``[start, end)``: every original
        character any of its characters came from, and no other."""
        return self.start(start), self.end(end - 1)


def normalize_with_offsets(text: str) -> tuple[str, OffsetMap]:
    """Like :func:`normalize`, plus where each normalised character came from.

    Returns ``(norm, offsets)``: ``norm == normalize(text)``, and a match
    ``norm[a:b]`` covers the original span ``offsets.span(a, b)``.
    """
    tables = _tables()
    fold = tables.fold

    def image(m: re.Match, before: str) -> str:
        if m.lastgroup != "gap":
            return fold.get(ord(m.group()), m.group())
        end, source = m.end(), m.string
        following = fold.get(ord(source[end]), source[end]) if end < len(source) else ""
        spaced = before and following and m.group().strip(_IGNORABLE)
        return " " if spaced and _keeps_space(before, following[0]) else ""

    return _rebuild(to_simplified(text), tables.special, image)


def matchable(text: str, needles: list[str]) -> tuple[str, OffsetMap]:
    """A form of ``text`` in which the normalised ``needles`` occur exactly where they occur in
    ``normalize(text)``, and where each of its characters came from (as :func:`normalize_with_offsets`).

    Besides folding characters, normalising only changes whitespace, which a needle without a
    space can only run across where it lies between two characters that follow each other in
    the needle. So the needles are searched in a cheaper form: ``text`` itself (only such gaps
    normalised) when it has no traditional character and no character other than a needle's own
    whose image holds a character of a needle (an upper-case letter, a full-width form, ⑴ for
    "(1)", 發 for 发) — the common case, simplified text and Chinese needles; else ``text`` folded
    character by character with its whitespace kept. A needle with a space, or such a gap in the
    folded text, takes :func:`normalize_with_offsets`. A long text is screened by array look-ups over
    its code points (:func:`_unplain`, :func:`_gap_between`), and folded by one array look-up unless a
    character's image is not one character. A short text (a title, a snippet's window) is checked with sets of
    characters instead (:func:`_short_matchable`, nothing to build per set of needles). Linear.
    """
    if any(" " in needle for needle in needles):
        return normalize_with_offsets(text)
    if len(text) < _SHORT_TEXT:
        return _short_matchable(text, tuple(sorted(set(needles))))
    tables = _tables()
    key = tuple(sorted(set(needles)))
    codes = code_points(text)
    if not _unplain(codes, key):
        if _gap_between(text, codes, key):
            return _rebuild(text, _gap_guard(key), _gap_image, fold=False)
        return text, OffsetMap.identity(len(text))
    simple = to_simplified(text)
    codes = codes if simple is text else code_points(simple)
    if int(codes.max()) < 0x10000 and not tables.unaligned_bmp.take(codes).any():   # folded char for char
        codes = tables.aligned.take(codes)
        form, offsets = _from_code_points(codes), OffsetMap.identity(len(text))
    else:
        form, offsets = _rebuild(simple, tables.unaligned, lambda m, _: tables.fold.get(ord(m.group()), m.group()))
        codes = code_points(form)
    return normalize_with_offsets(text) if _gap_between(form, codes, key) else (form, offsets)


def is_plain(text: str, needles: list[str]) -> bool:
    """Whether :func:`matchable` of ``text`` is ``text`` itself: the normalised ``needles`` occur in ``text``, as
    written, exactly where they occur in ``normalize(text)`` (no needle holds a space; ``text`` holds no traditional
    character, no other character whose image holds a character of a needle and no gap a needle might run across).
    The same tests as :func:`matchable`'s, without making a form; linear in ``text``."""
    if any(" " in needle for needle in needles):
        return False
    key = tuple(sorted(set(needles)))
    if len(text) < _SHORT_TEXT:
        return _plain_for(text, key)
    codes = code_points(text)
    return not _unplain(codes, key) and not _gap_between(text, codes, key)


def _short_matchable(text: str, needles: tuple[str, ...]) -> tuple[str, OffsetMap]:
    """:func:`matchable` of a short text (the ``needles`` sorted, unique), as the long path makes it but checked
    with sets of characters and regexes (nothing built per set of needles): ``text`` itself when it is plain for
    the needles (:func:`_plain_for`); else, when every character of its simplified form has an image of one
    character (a snippet's window with "，" for a needle's ","), that form folded character for character (the
    same length: each match maps to itself), unless a gap of it might hold a needle; else
    :func:`normalize_with_offsets`."""
    if _plain_for(text, needles):
        return text, OffsetMap.identity(len(text))
    simple = to_simplified(text)
    if not _tables().unaligned.search(simple):
        form = _aligned_fold(simple)
        if _gap_free(form, needles):
            return form, OffsetMap.identity(len(text))
    return normalize_with_offsets(text)


def _unplain(codes: np.ndarray, needles: tuple[str, ...]) -> bool:
    """Whether the text of these code points holds what ``unplain`` matches (a traditional character, a
    lone surrogate, a character beyond the BMP) or another character whose image holds a character of the
    ``needles`` (sorted, unique; :func:`_holds_other`): one array look-up, several times faster than the
    regex and the scans."""
    return bool(len(codes)) and (int(codes.max()) >= 0x10000 or bool(_unplain_table(needles).take(codes).any()))


@lru_cache(maxsize=64)
def _unplain_table(needles: tuple[str, ...]) -> np.ndarray:
    """What :func:`_unplain` looks for, as a bool array over the BMP (the other characters are all in it)."""
    table = _tables().unplain_bmp.copy()
    table[[ord(char) for char in _guard_chars(needles)[0]]] = True
    return table


def _gap_between(text: str, codes: np.ndarray, needles: tuple[str, ...]) -> bool:
    """Whether ``text`` (``codes``: its code points) holds what :func:`_gap_guard` of the ``needles``
    (sorted, unique) matches: a run of whitespace and invisible characters right after a character that
    some character follows in a needle and right before one that follows some character. With arrays
    (the regex tests each character against each needle character), unless a needle holds a character
    beyond the BMP."""
    tables = _gap_tables(needles)
    if tables is None:
        return bool(_gap_guard(needles).search(text))
    if len(codes) < 3:
        return False
    gap = _tables().gap_bmp.take(codes, mode="clip")   # beyond the BMP: as U+FFFF, not a gap
    before = np.flatnonzero(gap[1:] > gap[:-1])        # the character before each run of gap characters
    after = np.flatnonzero(gap[:-1] > gap[1:]) + 1     # the character after each run
    before, after = before[: len(before) - int(gap[-1])], after[int(gap[0]) :]   # runs between two characters: pairs
    firsts, seconds = tables
    return bool((firsts.take(codes[before], mode="clip") & seconds.take(codes[after], mode="clip")).any())


@lru_cache(maxsize=64)
def _gap_tables(needles: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """The characters of :func:`_gap_guard` as bool arrays over the BMP: (those that some character
    follows in a needle, those that follow one); None when one is beyond the BMP."""
    _, firsts, seconds = _guard_chars(needles)
    if any(ord(char) >= 0x10000 for char in firsts | seconds):
        return None
    tables = (np.zeros(0x10000, dtype=bool), np.zeros(0x10000, dtype=bool))
    for table, chars in zip(tables, (firsts, seconds)):
        table[[ord(char) for char in chars]] = True
    return tables


def _gap_image(m: re.Match, before: str) -> str:
    """What a gap (group 1) between two needle characters (folded already) becomes: see :func:`_keeps_space`."""
    end, source = m.end(1), m.string
    spaced = before and end < len(source) and m.group(1).strip(_IGNORABLE)
    return " " if spaced and _keeps_space(before, source[end]) else ""


def _holds_other(text: str, needles: tuple[str, ...]) -> bool:
    """Whether ``text`` holds another character whose image holds a character of the ``needles``
    (sorted, unique): a scan of ``text`` per such character, each much faster than one regex scan."""
    return any(char in text for char in _guard_chars(needles)[0])


@lru_cache(maxsize=256)
def _gap_guard(needles: tuple[str, ...]) -> re.Pattern | None:
    """For :func:`matchable`: a gap — whitespace, invisible characters — that one of the ``needles``
    might run across: after a character that some character follows in a needle, before one that
    follows some character (None for needles of one character)."""
    firsts = "".join(needle[:-1] for needle in needles)
    seconds = "".join(needle[1:] for needle in needles)
    gap = f"([\\s{_IGNORABLE}]+)"  # the group is the part to normalise (see _rebuild)
    return re.compile(f"{_char_class(firsts)}{gap}(?={_char_class(seconds)})") if firsts else None


_GAP = re.compile(f"[\\s{_IGNORABLE}]+")
_IGNORABLE_CHAR = re.compile(f"[{_IGNORABLE}]")


def _plain_for(text: str, needles: tuple[str, ...]) -> bool:
    """For :func:`matchable` of a short text: whether ``text`` holds none of what the long path looks
    for — no traditional character, lone surrogate or character beyond the BMP, no other character
    whose image holds a character of the ``needles`` (sorted, unique), no gap between a character that
    some character follows in a needle and one that follows some character — so that the needles occur
    in ``text`` itself exactly where they occur in ``normalize(text)``. Linear in ``text``."""
    return not (_tables().unplain.search(text) or _holds_other(text, needles)) and _gap_free(text, needles)


def _gap_free(text: str, needles: tuple[str, ...]) -> bool:
    """Whether ``text`` holds no gap between a character that some character follows in one of the ``needles``
    (sorted, unique) and one that follows some character (what :func:`_gap_guard` matches), by sets of characters."""
    _, firsts, seconds = _guard_chars(needles)
    if _IGNORABLE_CHAR.search(text):
        return not any(0 < m.start() and m.end() < len(text) and text[m.start() - 1] in firsts
                       and text[m.end()] in seconds for m in _GAP.finditer(text))
    # whitespace alone (``\s`` is ``str.isspace``): the gaps inside the text lie between the pieces of ``split``
    pieces = text.split()
    return not any(left[-1] in firsts and right[0] in seconds for left, right in zip(pieces, pieces[1:]))


@lru_cache(maxsize=256)
def _guard_chars(needles: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """For :func:`matchable`, as sets: (the other characters whose image holds a character of the needles,
    the characters that some character follows in a needle, those that follow one)."""
    inverse = _inverse()
    return (frozenset("".join(inverse.get(c, "") for c in set("".join(needles)))),
            frozenset("".join(needle[:-1] for needle in needles)), frozenset("".join(needle[1:] for needle in needles)))


@lru_cache(maxsize=1)
def _inverse() -> dict[str, str]:
    """Each character → the BMP characters (other than itself) whose image contains it."""
    inverse: dict[str, str] = {}
    for code, image in _tables().fold.items():
        if code < 0x10000:
            for char in set(image):
                inverse[char] = inverse.get(char, "") + chr(code)
    return inverse


def _aligned_fold(text: str) -> str:
    """``text`` with each character whose image is one character replaced by it, the others kept: the same
    length, so a slice of it is the slice of ``text`` folded wherever every character has such an image
    (one array look-up for the whole text instead of a ``str.translate`` per slice)."""
    codes = code_points(text)
    if not len(codes):
        return text
    bmp = codes < 0x10000
    images = _tables().aligned[np.where(bmp, codes, 0)]
    return _from_code_points(images if bmp.all() else np.where(bmp, images, codes))


def _rebuild(source: str, pattern: re.Pattern, image, fold: bool = True) -> tuple[str, OffsetMap]:
    """``source`` with each match of ``pattern`` (its last group that took part, else all of it)
    replaced by ``image(match, last character so far)`` and the text between matches folded
    character for character (``fold``: the pattern matches every character whose image is not one
    character) or kept, and the offset map back to ``source``."""
    kept = _aligned_fold(source) if fold else source   # what each character between matches becomes
    pieces: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    size = pos = 0

    def keep(piece: str, start: int, end: int) -> None:
        nonlocal size
        if piece:
            pieces.append(piece)
            norm_starts.append(size)
            orig_starts.append(start)
            orig_ends.append(end)
            size += len(piece)

    for m in pattern.finditer(source):
        start, end = m.span(m.lastindex or 0)
        keep(kept[pos:start], pos, start)
        keep(image(m, pieces[-1][-1] if pieces else ""), start, end)
        pos = end
    keep(kept[pos:], pos, len(source))
    return "".join(pieces), OffsetMap(norm_starts, orig_starts, orig_ends, size, len(source))


def bigrams(norm: str) -> str:
    """Index tokens of normalised text: the bigram at every offset (the last character alone).

    ``"学习贯彻"`` → ``"学习 习贯 贯彻 彻"``: token *i* starts at offset *i*. Made as an array of code
    points (three per token: two characters and the space), not as one string per token.
    """
    codes = code_points(norm.replace(" ", SPACE_TOKEN))
    if not len(codes):
        return ""
    out = np.empty(3 * len(codes) - 2, dtype=np.uint32)
    tokens = out[:-1].reshape(-1, 3)
    tokens[:, 0], tokens[:, 1], tokens[:, 2] = codes[:-1], codes[1:], ord(" ")
    out[-1] = codes[-1]
    return _from_code_points(out)


def unigrams(norm: str) -> str:
    """Index tokens for one-character queries: every non-space character."""
    codes = code_points(norm.replace(" ", ""))
    if not len(codes):
        return ""
    out = np.full(2 * len(codes) - 1, ord(" "), dtype=np.uint32)
    out[::2] = codes
    return _from_code_points(out)


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (uint32, one per character; lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)


def _from_code_points(codes: np.ndarray) -> str:
    return codes.tobytes().decode("utf-32-le", errors="surrogatepass")


def phrase_terms(norm_term: str) -> list[tuple[int, str]]:
    """The bigram tokens (offset, token) whose conjunction at those offsets means ``norm_term`` occurs.

    Covers the term with non-overlapping bigrams plus the last one:
    ``"学习贯彻党"`` → ``[(0, "学习"), (2, "贯彻"), (3, "彻党")]``. Needs ``len(norm_term) >= 2``.
    """
    chars = norm_term.replace(" ", SPACE_TOKEN)
    offsets = list(range(0, len(chars) - 1, 2))
    if offsets[-1] != len(chars) - 2:
        offsets.append(len(chars) - 2)
    return [(o, chars[o : o + 2]) for o in offsets]


def words(norm: str) -> list[str]:
    """Words of normalised text for ranked search (jieba segmentation with our user dictionary).

    Punctuation and whitespace are dropped; Latin words and numbers are kept whole.
    """
    return [w for w in _segmenter().cut(norm) if not _WORD_JUNK.match(w)]


def word_text(norm: str) -> str:
    """``" ".join(words(norm))``, made faster for the index: the junk words are dropped by one regex
    over the words one a line (normalised text holds no line break)."""
    kept = _JUNK_LINES.sub("", "\n".join(_segmenter().cut(norm)) + "\n")
    return kept[:-1].replace("\n", " ")


def word_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each word of ``text`` (jieba with our user dictionary), in characters, in order.

    Unlike :func:`words`, nothing is dropped or normalised: the spans tile ``text``
    (punctuation and whitespace are words of their own).
    """
    spans, offset = [], 0
    for word in _segmenter().cut(text):
        spans.append((offset, offset + len(word)))
        offset += len(word)
    return spans


def word_tags(text: str) -> list[tuple[int, str]]:
    """``(start, tag)`` of each word of the segmenter in ``text``, in order: the offset where it begins (characters,
    0 first; punctuation is a word of its own) — the places where a line may break without cutting a word — and
    its part of speech as jieba tags it (the ICTCLAS set: ``n`` noun, ``vn`` verbal noun, ``v`` verb, ``p``
    preposition, ``x`` punctuation…). ``text`` is original text; it is segmented as normalised, with offsets
    mapped back."""
    norm, offsets = normalize_with_offsets(text)
    tagged, at = [], 0
    for token, tag in _segmenter().tag(norm):
        tagged.append((offsets[at], tag))
        at += len(token)
    return tagged


def search_words(norm: str) -> list[str]:
    """Words of a query for ranked search: the words, plus their sub-words (jieba's search mode)."""
    return list(dict.fromkeys(w for w in _segmenter().cut_for_search(norm) if not _WORD_JUNK.match(w)))


def dictionary_terms(extra: Path | None = None) -> list[str]:
    """The official-writing terms added to the segmenter: the bundled list, plus the operator's file.

    Files hold one term per line; text after the first space and lines starting with # are ignored.
    """
    text = resources.files("sucai").joinpath("data/userdict.txt").read_text(encoding="utf-8")
    if extra is not None and extra.exists():
        text += "\n" + _read_user_dictionary(extra)
    return [line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _read_user_dictionary(path: Path) -> str:
    """The operator's dictionary file, decoded like any text file (UTF-8 with or without BOM, UTF-16, GBK…): a text
    file only — a scan, a PDF or a Word file is refused, never read here, in the process that asked and without a
    time limit (its OCR a Tesseract that outlived a killed server).

    Raises InvalidInput (code ``bad_user_dictionary``), naming the file, when it cannot be read or is no text file.
    """
    from .readers import detect_format, file_bytes   # the readers here only: a search reads no other file
    from .readers.text import read_text

    try:
        data = file_bytes(path)
        text = read_text(data).text if detect_format(data, path.name) in ("txt", "md") else None
    except ReadError as err:
        if err.code == "empty":
            return ""
        raise InvalidInput(f"无法读取用户词典 {path}：{err.message}", code="bad_user_dictionary") from err
    if text is None:
        raise InvalidInput(f"无法读取用户词典 {path}：它不是纯文本文件，请另存为每行一个词的 .txt 文件",
                           code="bad_user_dictionary")
    return text


_dictionary_lock = threading.Lock()
_added: set[str] = set()      # the terms (normalised) added to the segmenter
_wanted: set[str] = set()     # the operator's terms given to this process (:func:`use_user_dictionary`)
_loaded: list[ModuleType] = []   # the segmenter, once imported


def load_segmenter() -> None:
    """Load the segmenter now rather than at the first word segmented (:func:`_segmenter`, ≈ 0.5 s).

    A process that searches calls it as it starts — the web app, ``sucai search`` — so that its first
    search takes as long as the next, and the time a search reports is the search's. Idempotent.
    """
    _segmenter()


@lru_cache(maxsize=1)
def _segmenter() -> ModuleType:
    """jieba (rjieba) with the bundled terms and the operator's, imported at the first word segmented (or
    by :func:`load_segmenter`): its dictionary (34 MB) is loaded with it, so a process that segments no
    word — an ingest's, whose parse workers segment — never holds it."""
    import rjieba

    with _dictionary_lock:
        _loaded.append(rjieba)
        _add_words(dictionary_terms() + sorted(_wanted))
    return rjieba


def use_user_dictionary(path: Path) -> None:
    """Add the operator's terms (``SUCAI_HOME/userdict.txt``) to the segmenter of this process: now when it
    is loaded, else when it is (:func:`_segmenter`). The file is read now (InvalidInput when it cannot be).

    Idempotent: terms already added are skipped, so calling it again (say, per
    thread) never touches the segmenter while other threads segment text.
    """
    terms = dictionary_terms(path)
    with _dictionary_lock:
        _wanted.update(terms)
        if _loaded:
            _add_words(terms)


def _add_words(terms: list[str]) -> None:
    """Add ``terms`` to the loaded segmenter (with ``_dictionary_lock`` held)."""
    for term in terms:
        word = normalize(term)
        if word and word not in _added:
            _loaded[0].add_word(word, 1000, "n")
            _added.add(word)


# -- the layout-free form (exact duplicates) ------------------------------------

_FULL_WIDTH_FIRST, _FULL_WIDTH_LAST, _FULL_WIDTH_SHIFT = 0xFF01, 0xFF5E, 0xFEE0  # U+FF01–U+FF5E → U+0021–U+007E
_SPACE_BELOW = 0x3001  # no character from U+3001 on is white space (U+3000 is the last)
_SPACE = np.array([chr(code).isspace() for code in range(_SPACE_BELOW)] + [False])
"""Per code point below U+3001: ``str.isspace``; the last entry (False) stands for every code point above."""


def layout_free(text: str) -> str:
    """``text`` without its layout: the form on which two texts are the same document.

    Drops every white-space character (``str.isspace``: spaces, the 　 (U+3000)
    paragraph indentation, tabs, line breaks, so blank lines and trailing spaces
    too) and folds the full-width ASCII forms U+FF01–U+FF5E to ASCII
    (punctuation width: "，" = ",", "（" = "(", "１" = "1"). Nothing else is
    changed — case, traditional and simplified characters, a lone surrogate and every other
    character stay as they are — so two texts that read differently never share
    a form. Linear in ``len(text)`` (a few numpy passes over its code points, not a Python call per full-width
    character: "，" is one); never raises.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes[~_SPACE.take(np.minimum(codes, _SPACE_BELOW))]   # a new array: frombuffer's is read-only
    codes[(codes >= _FULL_WIDTH_FIRST) & (codes <= _FULL_WIDTH_LAST)] -= _FULL_WIDTH_SHIFT
    return codes.tobytes().decode("utf-32-le", "surrogatepass")
