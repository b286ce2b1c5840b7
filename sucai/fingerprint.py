"""Text fingerprints for near-duplicates and 查重: the skeleton of a text, its k-gram hashes, winnowing.

- The **skeleton** of a text is its letters, digits and Han characters, folded as for
  search (:func:`sucai.analysis.normalize`: compatibility forms, case, traditional →
  simplified), with everything else left out: whitespace, line breaks, indentation,
  punctuation, symbols. So neither layout nor punctuation (full- or half-width, swapped
  or missing) ever makes two texts differ — a coarser form than the exact identity of
  documents (:func:`sucai.analysis.layout_free`), for similarity only. ``origin[i]`` is
  the offset, in characters of the original text, of skeleton character *i* (a
  character folding to several, ⑽ → 10, gives each of them).
- **k-gram hashes**: a 64-bit hash of every *k* consecutive skeleton characters
  (a polynomial over the code points, then the splitmix64 finaliser to spread the bits).
- **Winnowing** (Schleimer, Wilkerson & Aiken, "Winnowing: local algorithms for document
  fingerprinting", SIGMOD 2003): of every *w* consecutive k-gram hashes the smallest is
  selected. Two texts that share a run of at least ``w + k - 1`` skeleton characters
  share a selected hash; about ``2 / (w + 1)`` of the positions are selected.

Everything here is linear in the length of the text and vectorised with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import analysis

_BASE = np.uint64(0x100000001B3)
_MIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27), np.uint64(0x94D049BB133111EB), np.uint64(31))

# 查重 fingerprints in the search index: 5-grams, windows of 8 ⇒ every shared run of 12
# skeleton characters (below the 13-character minimum match) shares a fingerprint.
CHECK_K = 5
CHECK_W = 8


@dataclass(frozen=True)
class Skeleton:
    """The skeleton of a text: ``chars`` and, for each, its offset in the original text (``origin``, int64)."""

    chars: str
    origin: np.ndarray

    def __len__(self) -> int:
        return len(self.chars)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span ``[start, end)`` (characters) of the non-empty skeleton span ``[start, end)``."""
        return int(self.origin[start]), int(self.origin[end - 1]) + 1

    def offset(self, original: int) -> int:
        """The skeleton offset of the first skeleton character at or after ``original``."""
        return int(np.searchsorted(self.origin, original))


def skeleton(text: str) -> Skeleton:
    """The skeleton of ``text`` (see the module docstring). Linear; never raises."""
    text = analysis.to_simplified(text)  # phrase-wise, character for character
    codes = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    single, several = _fold_tables()
    basic = codes < 0x10000
    folded = np.zeros(len(codes), dtype=np.uint32)
    folded[basic] = single[codes[basic]]
    counts = (folded != 0).astype(np.int64)
    images: dict[int, str] = {}
    special = np.zeros(len(codes), dtype=bool)
    special[basic] = several[codes[basic]]
    special |= ~basic
    for i in np.flatnonzero(special).tolist():  # images of several characters, or beyond the basic plane: rare
        images[i] = _alnum(analysis.normalize(text[i]))
        counts[i] = len(images[i])
    origin = np.repeat(np.arange(len(codes), dtype=np.int64), counts)
    parts, previous = [], 0
    for i in sorted(images):
        parts += [_decode(folded[previous:i]), images[i]]
        previous = i + 1
    parts.append(_decode(folded[previous:]))
    return Skeleton("".join(parts), origin)


def skeleton_text(text: str) -> str:
    """Only the characters of :func:`skeleton`: made without the offsets when every character of ``text``
    is of the basic plane and has an image of at most one character (the common case), else by it."""
    codes = analysis.code_points(analysis.to_simplified(text))
    single, several = _fold_tables()
    if codes.max(initial=0) < 0x10000 and not several[codes].any():
        return _decode(single[codes])
    return skeleton(text).chars


def _decode(folded: np.ndarray) -> str:
    return folded[folded != 0].tobytes().decode("utf-32-le", errors="surrogatepass")


def _alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


@lru_cache(maxsize=1)
def _fold_tables() -> tuple[np.ndarray, np.ndarray]:
    """For each code point of the basic plane, the letters, digits and Han characters of its image
    under :func:`sucai.analysis.normalize`: ``single`` holds the image when it is one character (0
    when it has none), ``several`` marks the code points whose image has more (⑽ → 10).

    Read from the user cache (:func:`sucai.analysis.derived_file`: named by the analysis tables' inputs and this
    module's source), else built (:func:`_built_fold_tables`, 0.3–0.6 s of CPU: every ingest's process paid it for
    its first near-duplicate, every 查重 for its first draft) and written there for the next process."""
    path = analysis.derived_file("fold-tables", Path(__file__))
    try:
        stored = analysis.load_arrays(path)
        single, several = stored["single"], stored["several"]
        if single.shape == several.shape == (0x10000,) and single.dtype == np.uint32 and several.dtype == bool:
            return single, several
    except analysis.UNREADABLE:   # none yet, or damaged: built again
        pass
    single, several = _built_fold_tables()
    analysis.save_arrays(path, single=single, several=several)
    return single, several


def _built_fold_tables() -> tuple[np.ndarray, np.ndarray]:
    """:func:`_fold_tables` made from :func:`sucai.analysis.char_images` of every character of the basic plane."""
    single = np.zeros(0x10000, dtype=np.uint32)
    several = np.zeros(0x10000, dtype=bool)
    codes = [code for code in range(0x10000) if not 0xD800 <= code < 0xE000]
    for code, image in zip(codes, analysis.char_images("".join(map(chr, codes)))):
        if len(image) == 1:   # the common case, without a string made
            single[code] = ord(image) if image.isalnum() else 0
            continue
        image = _alnum(image)   # whitespace, which alone normalize drops, is no letter either
        if len(image) == 1:
            single[code] = ord(image)
        elif image:
            several[code] = True
    return single, several


def kgram_hashes(chars: str, k: int) -> np.ndarray:
    """uint64 hash of each ``chars[i:i+k]``, for ``i`` in ``0 … len(chars) - k`` (empty when shorter than k)."""
    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - k + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(count, dtype=np.uint64)
    for j in range(k):
        h = h * _BASE + codes[j : j + count]
    s1, m1, s2, m2, s3 = _MIX
    h ^= h >> s1
    h *= m1
    h ^= h >> s2
    h *= m2
    return h ^ (h >> s3)


def winnow(hashes: np.ndarray, w: int) -> np.ndarray:
    """Positions (sorted, distinct) of the hashes selected by winnowing with windows of ``w``."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= w:
        return np.array([int(np.argmin(hashes))], dtype=np.int64)
    windows = sliding_window_view(hashes, w)
    return distinct(np.arange(len(windows), dtype=np.int64) + windows.argmin(axis=1))


def window_minima(hashes: np.ndarray, w: int) -> np.ndarray:
    """The least of each run of ``w`` consecutive ``hashes``, in order — the values winnowing selects (:func:`winnow`),
    with repeats —; the least of all when there are at most ``w``, none of none. The array's elementwise minimum
    with itself shifted by 1, 2, 4…: ⌈log₂ w⌉ passes over it, not a search of each window."""
    if len(hashes) <= w:
        return hashes.min(keepdims=True) if len(hashes) else hashes
    least, span = hashes, 1   # least[i]: the least of hashes[i : i + span]
    while span < w:
        shift = min(span, w - span)
        least = np.minimum(least[:-shift], least[shift:])
        span += shift
    return least


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` without its hashing, which is slower here)."""
    return _first_of_runs(np.sort(values))


def _first_of_runs(values: np.ndarray) -> np.ndarray:
    """``values`` without the repeats of a value right after it (on sorted values: the distinct ones)."""
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def check_fingerprints(chars: str) -> np.ndarray:
    """The distinct 查重 fingerprints (uint64) of a skeleton: winnowed ``CHECK_K``-gram hashes — the distinct least
    hashes of the windows, whose places (:func:`winnow`) the index needs not; neighbouring windows mostly share
    theirs, left out before the sort (the quarter of the corpus: 0.27 → 0.05 s of CPU)."""
    return distinct(_first_of_runs(window_minima(kgram_hashes(chars, CHECK_K), CHECK_W)))


def tokens(fingerprints: np.ndarray) -> list[str]:
    """Index tokens of fingerprints: the top 40 bits in hex (10 characters)."""
    joined = _hex_tokens(fingerprints)
    return joined.split(" ") if joined else []


def index_tokens(text: str) -> str:
    """The 查重 fingerprints of ``text`` as space-separated index tokens (see :func:`tokens`)."""
    return skeleton_tokens(skeleton_text(text))


def skeleton_tokens(skeleton: str) -> str:
    """:func:`index_tokens` of the text whose skeleton is ``skeleton``."""
    return _hex_tokens(check_fingerprints(skeleton))


def _hex_tokens(fingerprints: np.ndarray) -> str:
    """:func:`tokens`, space-separated: the top 5 bytes of each big-endian value, in hex at once."""
    top = np.ascontiguousarray(fingerprints, dtype=">u8").view(np.uint8).reshape(-1, 8)[:, :5]
    return top.tobytes().hex(" ", 5)
