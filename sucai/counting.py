"""The one 字数 rule: which characters a 字数 counts (no I/O, below :mod:`sucai.model`).

A document's 字数 (:attr:`sucai.model.Document.counted_chars`, kept by the catalogue), 查重's 总字数, ``Draft.chars``
and the 写作台's counter all count with :func:`count_chars`.
"""

from __future__ import annotations

from functools import cache

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
_BMP = 0x10000


def count_chars(text: str) -> int:
    """The 字数 of ``text``: its characters (code points) but those :data:`UNCOUNTED`. Linear in ``len(text)``."""
    return len(text) - int(np.count_nonzero(_uncounted_at(_code_points(text))))


def counted_mask(text: str) -> np.ndarray:
    """Per character of ``text``: whether a 字数 counts it (:data:`UNCOUNTED`), a bool array of ``len(text)``."""
    return ~_uncounted_at(_code_points(text))


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (a lone surrogate too), a uint32 array of ``len(text)``."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _uncounted_at(codes: np.ndarray) -> np.ndarray:
    """Per code point of ``codes``: whether :data:`UNCOUNTED` matches it — looked up in a table of the Basic
    Multilingual Plane (ten times faster than the pattern's scan), the rare code points above it matched one by one."""
    marks = _bmp_table()[np.minimum(codes, _BMP - 1)]
    high = np.flatnonzero(codes >= _BMP)
    if high.size:
        marks[high] = [_UNCOUNTED.fullmatch(chr(code)) is not None for code in codes[high].tolist()]
    return marks


@cache
def _bmp_table() -> np.ndarray:
    """Per code point U+0000 … U+FFFF: whether :data:`UNCOUNTED` matches it, made once per process (a few ms)."""
    table = np.zeros(_BMP, dtype=bool)
    table[[ord(ch) for ch in _UNCOUNTED.findall("".join(map(chr, range(_BMP))), concurrent=True)]] = True
    return table
