"""Benchmark the downloads: a 10,000-character document as docx/md/txt, and a 100-document zip.

Run from the project root: ``python bench/export.py [--runs N]``. Text comes from
../shared/samples/sample_scraped_dui_zhao_jian_cha.txt when present, else from
generated filler. Targets: one document < 100 ms, a 100-document zip < 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import _common  # noqa: F401 - Ctrl+C ends it with one Chinese line, as every benchmark (its excepthook)
from sucai.export import FORMATS, export_document, export_zip
from sucai.model import Document, OutlineNode

SAMPLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "samples" / "sample_scraped_dui_zhao_jian_cha.txt"
FILLER = "坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的二十大精神，扎实推进各项工作。"
LABELS = ("一、", "二、", "三、", "四、", "五、", "六、")


def source_lines() -> list[str]:
    """Body lines of the sample file, or filler when ../shared is absent."""
    if SAMPLE.exists():
        lines = SAMPLE.read_text(encoding="utf-8").splitlines()[1:]
        return [line for line in lines if len(line) > 40 and "#" not in line]
    return [FILLER * 4]


def synthetic_document(chars: int, number: int = 0) -> Document:
    """A document of exactly ``chars`` characters: level-1 headings, each followed by paragraphs."""
    lines, outline, text, n = source_lines(), [], "", 0
    while len(text) < chars:
        if n % 6 == 0 and n // 6 < len(LABELS):
            heading = "总体要求和工作目标"
            outline.append(OutlineNode(1, LABELS[n // 6], heading, len(text), len(text)))
            text += f"{LABELS[n // 6]}{heading}\n"
        else:
            text += lines[n % len(lines)] + "\n"
        n += 1
    text = text[:chars]
    for node, following in zip(outline, outline[1:] + [None]):
        node.end = following.start if following else len(text)
    return Document(f"第{number}号 合成测试材料", text, genre="工作总结", source="bench", outline=outline, id=number)


def timings(action, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return sorted(out)


def report(label: str, seconds: list[float], unit_chars: int, target: float) -> None:
    median = statistics.median(seconds)
    p99 = seconds[min(len(seconds) - 1, round(0.99 * (len(seconds) - 1)))]
    verdict = "ok" if p99 < target else "OVER TARGET"
    print(
        f"{label:<22} median {median * 1000:8.1f} ms  p99 {p99 * 1000:8.1f} ms  "
        f"{unit_chars / median / 1e6:6.2f} M chars/s  (target {target * 1000:.0f} ms: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="runs per single-document format")
    parser.add_argument("--zip-runs", type=int, default=5, help="runs of the 100-document zip")
    args = parser.parse_args()
    doc = synthetic_document(10_000)
    print(f"text from {'sample file' if SAMPLE.exists() else 'filler'}; {doc.chars} chars, {len(doc.outline)} headings")
    for fmt in FORMATS:
        report(f"10k chars → {fmt}", timings(lambda: export_document(doc, fmt), args.runs), doc.chars, 0.1)
    docs = [(synthetic_document(10_000, i), None) for i in range(100)]
    total = sum(d.chars for d, _ in docs)
    for fmt in FORMATS:
        report(f"100-doc zip → {fmt}", timings(lambda: export_zip(docs, fmt), args.zip_runs), total, 5.0)


if __name__ == "__main__":
    main()
