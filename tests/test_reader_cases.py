"""Issue 10, readers' rows, through the whole pipeline: B26 B31 B32 B39 B40 and PDFs whose text is drawn twice.

Each test feeds the case's input (from ../shared/cases/README.md, "Second round") to
an ingest and asserts the expected value: what is stored, and what precise search finds.
"""

from __future__ import annotations

import io

import pdfplumber
import pytest

from fixtures import make_cjk_pdf
from sucai.library import Library
from sucai.search import SearchRequest


def ingest_files(home, folder, files: dict[str, bytes]) -> tuple[Library, dict]:
    """Write ``files`` into ``folder``, ingest them; returns the library and {file name: outcome}."""
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    library = Library.open(home)
    summary = library.ingest([folder / name for name in files])
    return library, {o.path.rsplit("/", 1)[-1]: o for o in summary.outcomes}


def precise(library: Library, q: str) -> list[int]:
    return sorted(h.id for h in library.search(SearchRequest(q=q, mode="precise", limit=100), member=True).hits)


def stored_text(library: Library, doc_id: int) -> str:
    doc = library.get(doc_id)
    return doc.title + "\n" + doc.text


# --- B26: short GBK / Big5 files -------------------------------------------------------------------------------

B26_FILES = {
    "report.txt": "政府工作报告\n各位代表：".encode("gbk"),
    "form.txt": "年度考核登记表\n姓名：\n单位：".encode("gbk"),
    "big5.txt": "述職報告\n本人一年來認真履職。".encode("big5"),
    "notice.txt": "通知".encode("gbk"),
}


def test_b26_short_gbk_and_big5_files_are_stored_as_the_chinese_they_hold(home, tmp_path):
    assert B26_FILES["notice.txt"].decode("utf-8") == "\u0368\u05aa"  # the fault: valid UTF-8, read as two marks
    library, outcomes = ingest_files(home, tmp_path / "in", B26_FILES)
    assert {name: o.status for name, o in outcomes.items()} == dict.fromkeys(B26_FILES, "ingested")
    for name, expected in (("report.txt", "政府工作报告\n各位代表："), ("form.txt", "年度考核登记表\n姓名：\n单位："),
                           ("big5.txt", "述職報告\n本人一年來認真履職。"), ("notice.txt", "通知")):
        doc = library.get(outcomes[name].doc_id)
        assert stored_text(library, doc.id).replace("\n", "") == expected.replace("\n", ""), name
        assert doc.encoding == ("big5" if name == "big5.txt" else "gb18030")
    for query, name in (("政府工作报告", "report.txt"), ("年度考核", "form.txt"), ("述职报告", "big5.txt")):
        assert precise(library, query) == [outcomes[name].doc_id], query


# --- B31: quarter-em gaps at Han/Latin and Han/digit boundaries in PDFs -----------------------------------------

def _gapped_runs(pieces: list[str], x: float, y: float, size: float, gap: float) -> list[tuple[float, float, str]]:
    """Lay ``pieces`` out on one line, each glyph 1 em wide, with a ``gap`` (points) between pieces."""
    runs = []
    for piece in pieces:
        runs.append((x, y, piece))
        x += len(piece) * size + gap
    return runs


def test_b31_quarter_em_gaps_in_a_16pt_pdf_do_not_break_precise_search(home, tmp_path):
    size = 16
    line = _gapped_runs(["全市", "2023", "年地区生产总值增长", "5.2%", "，完成", "GDP", "目标。"], 40, 700, size, size / 4)
    latin = _gapped_runs(["hello", "world", "DB41/T", "958"], 40, 660, size, size / 2)
    pdf = make_cjk_pdf([[*line, *latin]], size=size)
    with pdfplumber.open(io.BytesIO(pdf)) as opened:  # the fault: the gaps come out as spaces
        assert "全市 2023 年" in opened.pages[0].extract_text()
    library, outcomes = ingest_files(home, tmp_path / "in", {"统计公报.pdf": pdf})
    doc = library.get(outcomes["统计公报.pdf"].doc_id)
    stored = stored_text(library, doc.id)
    assert "全市2023年地区生产总值增长5.2%，完成GDP目标。" in stored
    assert "hello world DB41/T 958" in stored  # a real space between two Latin words is kept
    for query in ("2023年", "增长5.2%", "完成GDP目标", "hello world", "DB41/T 958"):
        assert precise(library, query) == [doc.id], query
