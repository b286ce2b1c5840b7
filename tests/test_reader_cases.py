"""Issue 10, readers' rows, through the whole pipeline: B26 B31 B32 B39 B40 and PDFs whose text is drawn twice.

Each test feeds the case's input (from ../shared/cases/README.md, "Second round") to
an ingest and asserts the expected value: what is stored, and what precise search finds.
"""

from __future__ import annotations

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
