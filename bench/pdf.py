"""Benchmark many-page PDFs: pages/s and peak memory of sucai's PDF reader, against pdfplumber keeping its pages.

Run from the project root: ``python bench/pdf.py [--pages N]`` (default 1000).
A PDF of N pages of different Chinese text (32 lines × 31 characters a page) is
generated; each measurement runs in a fresh Python process and reports its peak
resident memory (VmHWM of /proc/self/status; ru_maxrss would keep the parent's peak across exec). Baseline: pdfplumber extracting every page's lines
without closing the pages (what sucai 0.1 did), on N/10 pages — its memory grows
with every page. Target: peak < 150 MB whatever N (issue 11 #6: 1,000 pages took
2.5 GB before).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import REPO, table

sys.path.insert(0, str(REPO / "tests"))

from test_budget import many_page_pdf  # noqa: E402

TARGET_PEAK_MB = 150
_OURS = r"""
import re, sys, time
from pathlib import Path
from sucai.readers import Limits, read
start = time.perf_counter()
read(Path(sys.argv[1]), Limits(max_pages=100_000))
print(time.perf_counter() - start, int(re.search(r'VmHWM:\s+(\d+)', open('/proc/self/status').read()).group(1)) / 1024)
"""
_BASELINE = r"""
import re, sys, time
import pdfplumber
start = time.perf_counter()
with pdfplumber.open(sys.argv[1]) as pdf:
    lines = [page.extract_text_lines(return_chars=False) for page in pdf.pages]
print(time.perf_counter() - start, int(re.search(r'VmHWM:\s+(\d+)', open('/proc/self/status').read()).group(1)) / 1024)
"""


def measure(code: str, path: Path) -> tuple[float, float]:
    seconds, peak = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True,
                                   text=True).stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, code, pages in (("sucai read (pages released)", _OURS, args.pages),
                                   ("baseline: pdfplumber keeping pages", _BASELINE, max(1, args.pages // 10))):
            path = Path(folder) / f"{pages}.pdf"
            path.write_bytes(many_page_pdf(pages))
            seconds, peak = measure(code, path)
            rows.append([label, pages, pages / seconds, peak, peak / pages, TARGET_PEAK_MB])
    table(["what", "pages", "pages/s", "peak RSS MB", "MB/page", "target peak MB"], rows,
          title="Many-page PDF: speed and peak memory (each in a fresh process)")


if __name__ == "__main__":
    main()
