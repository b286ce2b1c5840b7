"""Benchmark the 字数 count (``sucai.counting.count_chars``) on the corpus, against the pattern's own scan.

Run from the project root: ``python bench/counting.py [--repeat 3]``. Every .txt and .md file of
``../shared/corpus`` is read as text; each is counted with ``count_chars`` (a table of the Basic Multilingual Plane
made from :data:`sucai.counting.UNCOUNTED` once, timed apart) and, as the baseline, with the pattern itself
(``len(regex.sub(UNCOUNTED, "", text))``, the count before the table). The two must agree on every file. What a
library pays: its recount when first opened after migration c0007, and one count per document stored. A second
table times a text of a million characters above U+FFFF (CJK Extension B, emoji, tag characters) against a million
BMP ones, their planes' tables filled before: the two should cost about the same.
"""

from __future__ import annotations

import argparse

import regex

from _common import Timer, corpus_dir, table
from sucai.counting import UNCOUNTED, _fill, count_chars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = [path.read_text(encoding="utf-8", errors="replace")
             for path in sorted(corpus_dir().rglob("*")) if path.suffix in (".txt", ".md") and path.is_file()]
    chars = sum(map(len, texts))
    with Timer() as made:
        _fill(0)
    pattern = regex.compile(UNCOUNTED)
    rows = []
    for name, count in (("count_chars (table)", count_chars), ("baseline: the pattern's scan",
                                                                lambda text: len(pattern.sub("", text)))):
        best = min(_timed(texts, count) for _ in range(args.repeat))
        rows.append((name, len(texts), chars / 1e6, best, best / chars * 1e9))
    assert [count_chars(t) for t in texts] == [len(pattern.sub("", t)) for t in texts]
    table(("count", "files", "M characters", "seconds (best)", "ns per character"), rows,
          title=f"字数 of the corpus (table made once in {made.seconds:.2f} s)")
    rows = []
    for plane in (1, 2, 14):
        _fill(plane)
    for name, text in (("BMP (汉字, U+3000, U+200B)", "汉字\u3000\u200b" * 250_000),
                       ("above U+FFFF (𠀀, 😀, tag characters)",
                        "".join(map(chr, range(0x20000, 0x20000 + 5000))) * 100 + "\U0001f600\U000e0041" * 250_000)):
        best = min(_timed([text], count_chars) for _ in range(args.repeat))
        assert count_chars(text) == len(pattern.sub("", text))
        rows.append((name, len(text) / 1e6, best, best / len(text) * 1e9))
    table(("text", "M characters", "seconds (best)", "ns per character"), rows, title="count_chars by plane")


def _timed(texts: list[str], count) -> float:
    with Timer() as timer:
        for text in texts:
            count(text)
    return timer.seconds


if __name__ == "__main__":
    main()
