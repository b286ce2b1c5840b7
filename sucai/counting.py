"""The one 字数 rule: which characters a 字数 counts (no I/O, below :mod:`sucai.model`).

A document's 字数 (:attr:`sucai.model.Document.counted_chars`, kept by the catalogue), 查重's 总字数, ``Draft.chars``
and the 写作台's counter all count with :func:`count_chars`.
"""

from __future__ import annotations


import numpy as np
import regex

UNCOUNTED = r"[\p{White_Space}\p{Cc}\p{Default_Ignorable_Code_Point}]"
"""The characters a 字数 does not count, as a regular expression that Python's ``regex`` and JavaScript (flag ``u``)
read alike: white space (U+3000 and NBSP among it), control characters, and the invisible ones (Unicode's
Default_Ignorable_Code_Point: a pasted BOM U+FEFF, zero-width space and joiners, soft hyphen, variation selectors…).
What a writer sees and GB/T 字数 practice counts, and the one rule of a document's 字数, 查重's 总字数, ``Draft.chars``
and the 写作台's counter (``drafting.js`` reads this pattern from its page)."""
COUNT_VERSION = 1
"""The version of :data:`UNCOUNTED`: a change to it makes every stored library count its documents again when it
is next opened (:meth:`sucai.store.Catalogue.recount`)."""


_UNCOUNTED = regex.compile(UNCOUNTED)
_PLANE = 0x10000
_TABLE = np.zeros(17 * _PLANE, dtype=bool)
"""Per code point U+0000 … U+10FFFF: whether :data:`UNCOUNTED` matches it, filled a plane at a time (:func:`_fill`)."""
_FILLED: set[int] = set()
"""The planes of :data:`_TABLE` filled so far in this process."""
_COUNTED_AT_ONCE = 1 << 20
"""The characters :func:`count_chars` counts at a time (13 MB of arrays)."""


def count_chars(text: str) -> int:
    """The 字数 of ``text``: its characters (code points) but those :data:`UNCOUNTED`. Linear in ``len(text)``, read
    :data:`_COUNTED_AT_ONCE` characters at a time: its arrays take 13 bytes a character (the code points, the indices
    numpy's ``take`` makes of them, the mask), so a text of 125 M characters (what a hostile 查重 upload read as) took
    1.6 GB more to count whole."""
    return len(text) - sum(int(np.count_nonzero(_uncounted_at(_code_points(text[at:at + _COUNTED_AT_ONCE]))))
                           for at in range(0, len(text), _COUNTED_AT_ONCE))


def counted_mask(text: str) -> np.ndarray:
    """Per character of ``text``: whether a 字数 counts it (:data:`UNCOUNTED`), a bool array of ``len(text)``."""
    return ~_uncounted_at(_code_points(text))


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (a lone surrogate too), a uint32 array of ``len(text)``."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _uncounted_at(codes: np.ndarray) -> np.ndarray:
    """Per code point of ``codes``: whether :data:`UNCOUNTED` matches it, looked up in :data:`_TABLE` (ten times
    faster than the pattern's scan) — the same cost per character in every plane, a text of 𠀀 or emoji as one of 汉字
    (each plane a text uses filled the first time one does; a text all in the first plane, the usual one, found
    so by its largest code point alone)."""
    planes = [0] if codes.max(initial=0) < _PLANE else np.flatnonzero(np.bincount(codes >> 16)).tolist()
    for plane in planes:
        if plane not in _FILLED:
            _fill(plane)
    return _TABLE.take(codes)


def _fill(plane: int) -> None:
    """Fill :data:`_TABLE`'s ``plane`` (0: the Basic Multilingual Plane, …, 16) from one scan of the pattern over its
    65,536 code points, a few ms once per process. Threads filling the same plane at once write the same marks, and
    the plane is listed as filled only once written."""
    start = plane * _PLANE
    found = _UNCOUNTED.findall("".join(map(chr, range(start, start + _PLANE))), concurrent=True)
    _TABLE[[ord(ch) for ch in found]] = True
    _FILLED.add(plane)
