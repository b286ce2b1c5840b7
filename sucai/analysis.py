"""The one analysis path, used both when indexing and when querying.

Normalisation is for matching only; stored and displayed text stays original.
It folds, character by character:

- full-width ASCII forms (U+FF01–U+FF5E) to ASCII, so ２０２３ = 2023 and （试行） = (试行);
- Latin letters to lower case;
- traditional characters to simplified ones, with OpenCC's ``t2s`` applied to each
  character alone (never phrase-wise), so that every character has exactly one
  image: 乾 always becomes 干, in the document and in the query alike, and
  乾安县 stays findable as 乾安县;
- whitespace: a run of whitespace between two wide characters (Han, CJK
  punctuation) is dropped ("办公室　关于" = "办公室关于"); any other run becomes one
  ASCII space ("GB/T 9704").

Because every kept character maps to one original character, a match in the
normalised text maps back to an exact span of the original (see
:func:`normalize_with_offsets`).

Tokens for the index (:func:`bigrams`, :func:`unigrams`, :func:`words`) are
space-separated strings fed to tantivy's ``whitespace`` tokenizer, so that the
token at position *i* is the character bigram starting at normalised offset *i*:
a phrase query over those bigrams is an exact substring test.
"""

from __future__ import annotations

import bisect
import operator
import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

import opencc
import rjieba

SPACE_TOKEN = "\ue000"  # stands for a kept space inside index tokens (never in real text after cleaning)

_WHITESPACE = re.compile(r"\s+")
_WORD_JUNK = re.compile(r"^[\W_]+$")


def _is_wide(char: str) -> bool:
    """Han ideographs, CJK symbols and punctuation, full-width forms."""
    return unicodedata.east_asian_width(char) in "WF"


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {0x3000: " "}
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0).lower()
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    converter = opencc.OpenCC("t2s")
    ranges = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
    chars = "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1))
    # Convert in one call with a separator so OpenCC cannot apply phrase rules.
    converted = converter.convert("\n".join(chars)).split("\n")
    for char, simple in zip(chars, converted):
        if len(simple) == 1 and simple != char:
            table[ord(char)] = simple
    for code, image in table.items():  # make folding idempotent: follow chains such as 薴 → 苧 → 苎
        while ord(image) in table and table[ord(image)] != image:
            image = table[ord(image)]
        table[code] = image
    return table


def _space_or_nothing(text: str, start: int, end: int) -> str:
    """What a whitespace run ``text[start:end]`` becomes: "" between two wide characters, else " "."""
    if 0 < start and end < len(text) and _is_wide(text[start - 1]) and _is_wide(text[end]):
        return ""
    return " "


def normalize(text: str) -> str:
    """Fold ``text`` for matching (see the module docstring). Never raises."""
    folded = text.translate(_fold_table())
    return _WHITESPACE.sub(lambda m: _space_or_nothing(folded, m.start(), m.end()), folded).strip(" ")


class OffsetMap:
    """Where each character of a normalised text came from in the original text.

    Kept stretches of text map one to one, so only the starts of the stretches are
    stored (``O(number of whitespace runs)``, not ``O(length)``).
    """

    def __init__(self, norm_starts: list[int], orig_starts: list[int], orig_length: int):
        self._norm, self._orig, self._length = norm_starts, orig_starts, orig_length

    def __getitem__(self, i: int) -> int:
        """Original offset of normalised offset ``i`` (``len(norm)`` maps to ``len(text)``)."""
        k = bisect.bisect_right(self._norm, i) - 1
        if k < 0:
            return self._length
        return min(self._orig[k] + i - self._norm[k], self._length)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of a non-empty normalised span ``[start, end)``."""
        return self[start], self[end - 1] + 1


def normalize_with_offsets(text: str) -> tuple[str, OffsetMap]:
    """Like :func:`normalize`, plus where each normalised character came from.

    Returns ``(norm, offsets)``: ``norm[i]`` comes from ``text[offsets[i]]``, and a
    match ``norm[a:b]`` covers the original span ``offsets.span(a, b)``.
    """
    folded = text.translate(_fold_table())
    pieces: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    size = pos = 0

    def keep(piece: str, origin: int) -> None:
        nonlocal size
        if piece:
            pieces.append(piece)
            norm_starts.append(size)
            orig_starts.append(origin)
            size += len(piece)

    for m in _WHITESPACE.finditer(folded):
        keep(folded[pos : m.start()], pos)
        keep(_space_or_nothing(folded, m.start(), m.end()), m.start())
        pos = m.end()
    keep(folded[pos:], pos)
    norm = "".join(pieces)
    lead = len(norm) - len(norm.lstrip(" "))
    return norm.strip(" "), OffsetMap([n - lead for n in norm_starts], orig_starts, len(text))


def bigrams(norm: str) -> str:
    """Index tokens of normalised text: the bigram at every offset (the last character alone).

    ``"学习贯彻"`` → ``"学习 习贯 贯彻 彻"``: token *i* starts at offset *i*.
    """
    if not norm:
        return ""
    chars = norm.replace(" ", SPACE_TOKEN)
    return " ".join(map(operator.add, chars, chars[1:])) + " " + chars[-1]


def unigrams(norm: str) -> str:
    """Index tokens for one-character queries: every non-space character."""
    return " ".join(norm.replace(" ", ""))


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
    _bundled_dictionary()
    return [w for w in rjieba.cut(norm) if not _WORD_JUNK.match(w)]


def word_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each word of ``text`` (jieba with our user dictionary), in characters, in order.

    Unlike :func:`words`, nothing is dropped or normalised: the spans tile ``text``
    (punctuation and whitespace are words of their own).
    """
    _bundled_dictionary()
    spans, offset = [], 0
    for word in rjieba.cut(text):
        spans.append((offset, offset + len(word)))
        offset += len(word)
    return spans


def search_words(norm: str) -> list[str]:
    """Words of a query for ranked search: the words, plus their sub-words (jieba's search mode)."""
    _bundled_dictionary()
    return list(dict.fromkeys(w for w in rjieba.cut_for_search(norm) if not _WORD_JUNK.match(w)))


def dictionary_terms(extra: Path | None = None) -> list[str]:
    """The official-writing terms added to the segmenter: the bundled list, plus the operator's file.

    Files hold one term per line; text after the first space and lines starting with # are ignored.
    """
    text = resources.files("sucai").joinpath("data/userdict.txt").read_text(encoding="utf-8")
    if extra is not None and extra.exists():
        text += "\n" + extra.read_text(encoding="utf-8")
    return [line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")]


_dictionary_lock = threading.Lock()
_added: set[str] = set()


@lru_cache(maxsize=1)
def _bundled_dictionary() -> None:
    _add_words(dictionary_terms())


def use_user_dictionary(path: Path) -> None:
    """Add the operator's terms (``SUCAI_HOME/userdict.txt``) to the segmenter of this process.

    Idempotent: terms already added are skipped, so calling it again (say, per
    thread) never touches the segmenter while other threads segment text.
    """
    _bundled_dictionary()
    _add_words(dictionary_terms(path))


def _add_words(terms: list[str]) -> None:
    with _dictionary_lock:
        for term in terms:
            word = normalize(term)
            if word not in _added:
                rjieba.add_word(word, 1000, "n")
                _added.add(word)


# -- the layout-free form (exact duplicates) ------------------------------------

_FULL_WIDTH_ASCII = str.maketrans({chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})
_ANY_SPACE = re.compile(r"\s+")


def layout_free(text: str) -> str:
    """``text`` without its layout: the form on which two texts are the same document.

    Drops every white-space character (``str.isspace``: spaces, the 　 (U+3000)
    paragraph indentation, tabs, line breaks, so blank lines and trailing spaces
    too) and folds the full-width ASCII forms U+FF01–U+FF5E to ASCII
    (punctuation width: "，" = ",", "（" = "(", "１" = "1"). Nothing else is
    changed — case, traditional and simplified characters, and every other
    character stay as they are — so two texts that read differently never share
    a form. Linear in ``len(text)``; never raises.
    """
    return _ANY_SPACE.sub("", text.translate(_FULL_WIDTH_ASCII))
