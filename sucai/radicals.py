"""CJK radicals and strokes that stand in for ordinary ideographs, and the ideographs they stand for.

Text copied out of PDFs often carries Kangxi radicals (U+2F00–U+2FD5: ⼯ ⽅ ⼀ ⾏),
CJK radical supplement characters (U+2E80–U+2EF3: ⻓ ⻔ ⻅) and CJK strokes
(U+31C0–U+31E3) where the author wrote 工 方 一 行: the font maps those glyphs to
the radical code points. They look the same and never match what users type.

The mapping is the Unicode Character Database's ``EquivalentUnifiedIdeograph.txt``
(Unicode 15.0, shipped verbatim in ``sucai/data``; UAX #44): each radical or
stroke to one unified ideograph that is visually identical or near-identical.
Radicals without an equivalent (U+2E80 and a few strokes) are left as they are.
One code point becomes one code point, so offsets in characters do not move.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

# The blocks of every character of the table (CJK Radicals Supplement, Kangxi Radicals, CJK Strokes): a text
# without any is returned as it is, without a translation that looks up each of its characters.
_BLOCKS = re.compile("[\u2e80-\u2fdf\u31c0-\u31ef]")


@lru_cache(maxsize=1)
def table() -> dict[int, str]:
    """Code point of each radical or stroke → the ideograph it stands for (for ``str.translate``)."""
    mapping: dict[int, str] = {}
    data = resources.files("sucai").joinpath("data/EquivalentUnifiedIdeograph.txt").read_text(encoding="utf-8")
    for line in data.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) != 2:
            continue
        first, _, last = fields[0].strip().partition("..")
        ideograph = chr(int(fields[1], 16))
        for code in range(int(first, 16), int(last or first, 16) + 1):
            mapping[code] = ideograph
    return mapping


def fold(text: str) -> str:
    """``text`` with every radical and stroke that has an equivalent replaced by its ideograph.

    Same length as ``text`` (one character for one). Linear; never raises.
    """
    return text.translate(table()) if _BLOCKS.search(text) else text
