"""Chinese numerals: 十二 → 12, 一百零三 → 103, 二〇二三 → 2023 (digit by digit)."""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
# A year right after a numbered label — 「5.2026年重点工作」, 「9.2024世界机器人大会在京开幕」 (新闻联播's 新闻摘要):
# the label "5." is followed by a digit, but it is the label's number, not the whole part of a decimal (「1.5亿元」,
# 「3.1415」): a year of the 1800s to 2000s in four digits, then no digit, decimal point, per cent sign or unit of an
# amount (「1.2025亿元」 is a decimal). A regex to put in a lookahead after the label.
LABEL_YEAR = "(?:1[89]|20|１[８９]|２０)[0-9０-９]{2}(?![0-9０-９.．%％‰万亿千百十元吨米倍])"


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
