"""Chinese numerals: 十二 → 12, 一百零三 → 103, 二〇二三 → 2023 (digit by digit)."""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_int(numeral: str) -> int:
    """Value of a Chinese (十二, 一百零三) or Arabic (12, １２) numeral; 0 for anything else. Never raises."""
    if numeral.isdigit():
        return int(numeral)
    total = digit = 0
    for ch in numeral:
        if ch in UNITS:
            total += (digit or 1) * UNITS[ch]
            digit = 0
        else:
            digit = DIGITS.get(ch, 0)
    return total + digit


def cn_digits(numeral: str) -> int:
    """Value of a numeral written digit by digit, as years are (二〇二三 → 2023, 一九四○ → 1940)."""
    return int("".join(str(DIGITS.get(ch, 0)) for ch in numeral) or 0)
