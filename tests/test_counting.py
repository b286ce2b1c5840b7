"""A document's 字数 (``sucai.counting``): its characters without white space, the one count every place shows —
CLI ``show``/``list``/``search``, the web's document page, lists and statistics, the JSON API, the .md download
and the 会员 notice — and a library stored before the count existed (migration c0007) counted when opened.

Every expected 字数 is counted here by hand, independently of sucai: ``len(re.sub(r"\\s", "", text))`` (the
bundled samples hold no control or invisible character, checked below)."""

from __future__ import annotations

import json
import re
import tracemalloc
from datetime import date
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import regex
from click.testing import CliRunner

from sucai import counting
from sucai.accounts import Viewer
from sucai.cli import app as cli_app
from sucai.counting import UNCOUNTED, count_chars, counted_mask
from sucai.db.schema import documents, meta
from sucai.dedupe import text_hash
from sucai.library import Library
from sucai.model import Document
from sucai.search import SearchRequest
from sucai.web.deps import current_viewer

SAMPLES = Path(str(resources.files("sucai").joinpath("samples/library")))
MEMBER = Viewer(1, "测试会员", "member", "2999-12-31", date(2026, 12, 2))


def solid(text: str) -> int:
    """The 字数 by hand: characters but white space."""
    return len(re.sub(r"\s", "", text))


@pytest.fixture(scope="module")
def library(tmp_path_factory, make_home) -> Library:
    library = Library.open(make_home(tmp_path_factory.mktemp("counting") / "home"))
    assert library.ingest([SAMPLES], workers=1).counts["failed"] == 0
    return library


def cli(library: Library, *args: str) -> str:
    result = CliRunner().invoke(cli_app, [*args, "--home", str(library.settings.home)])
    assert result.exit_code == 0, result.output
    return result.output


def test_count_chars_leaves_out_white_space_control_and_invisible_characters():
    text = "一、总体要求\n\t（一）\u3000指导思想 abc\u00a0d\r\n\u200b\ufeff\x00\x1b完\U000e0100\ud800"
    # by hand: 一、总体要求 (6) + （一） (3) + 指导思想 (4) + abc (3) + d (1) + 完 (1) + the lone surrogate (1)
    assert count_chars(text) == 6 + 3 + 4 + 3 + 1 + 1 + 1
    assert counted_mask(text).tolist() == [not (ch.isspace() or ch in "\u200b\ufeff\x00\x1b\U000e0100") for ch in text]
    assert count_chars("") == 0 and counted_mask("").size == 0


def test_a_long_text_is_counted_a_part_at_a_time(monkeypatch):
    """Attack27: a text was counted whole, its arrays 13 bytes a character (1.6 GB for the 125 M characters a hostile
    查重 upload read as). It is counted :data:`~sucai.counting._COUNTED_AT_ONCE` characters at a time: the same 字数 as
    the pattern's over the whole text, parts cut between a surrogate pair's halves and within runs of uncounted
    characters too (parts of 7 here), and a text of four parts counted in no more memory than one of a part
    (tracemalloc's peak, which numpy's arrays report to)."""
    text = "一、\u3000总体 要求\u200b\ufeff\x00完\n\U00020000\ud800\udc00 " * 1000
    monkeypatch.setattr(counting, "_COUNTED_AT_ONCE", 7)
    assert count_chars(text) == len(regex.sub(UNCOUNTED, "", text)) == 1000 * 10
    monkeypatch.undo()
    peaks = []
    for parts in (1, 4):
        long = "字 " * (counting._COUNTED_AT_ONCE * parts // 2)
        tracemalloc.start()
        try:
            assert count_chars(long) == len(long) // 2
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.1


def test_a_text_within_the_first_plane_fills_that_plane_alone(monkeypatch):
    """The usual text, all below U+10000, is told so by its largest code point: the first plane is filled (once)
    and counted as the pattern counts, no other plane is."""
    monkeypatch.setattr(counting, "_TABLE", np.zeros(17 << 16, dtype=bool), raising=False)
    monkeypatch.setattr(counting, "_FILLED", set(), raising=False)
    text = "一、\u3000总体 要求\u200b\ufeff\x00完\n" * 100 + "\uffff"
    assert count_chars(text) == len(regex.sub(UNCOUNTED, "", text)) == 100 * 7 + 1
    assert counting._FILLED == {0}


def test_characters_above_the_bmp_are_counted_as_the_pattern_counts_them_with_one_scan_per_plane(monkeypatch):
    """A text of many characters above U+FFFF (CJK Extension B, emoji, tag characters, variation selectors
    supplement) mixed with BMP and invisible ones: the 字数 agrees with the pattern's own scan, and the pattern is
    run once per plane the text uses, not once per character (3 s for a million of them)."""
    text = ("一、\u3000总体\u200b\U00020000\U0002a6d6\U0001f600\U000e0041\U000e0100\U0001d173\U00010000 \n") * 500
    calls = []
    pattern = regex.compile(UNCOUNTED)

    def seen(name):
        return lambda *args, **kwargs: calls.append(name) or getattr(pattern, name)(*args, **kwargs)

    monkeypatch.setattr(counting, "_UNCOUNTED", SimpleNamespace(findall=seen("findall"), fullmatch=seen("fullmatch")))
    monkeypatch.setattr(counting, "_TABLE", np.zeros(17 << 16, dtype=bool), raising=False)
    monkeypatch.setattr(counting, "_FILLED", set(), raising=False)
    assert count_chars(text) == len(regex.sub(UNCOUNTED, "", text))
    assert counted_mask(text).tolist() == [pattern.fullmatch(ch) is None for ch in text]
    assert len(calls) == 4   # planes 0, 1, 2 and 14
    assert count_chars("") == 0 and len(calls) == 4


def test_every_place_shows_the_samples_字数_without_white_space(library, library_web):
    """Sample 01 (a members part from offset 498 to the end) and sample 09 (free): the CLI, the web page, the
    JSON API and the .md download give a member the whole text's 字数; a visitor is given the whole text's 字数 where
    the product gave them its length (lists, hits, the page's 字数), and the .md states the 字数 of the text it holds."""
    for doc_id in (1, 9):
        doc = library.get(doc_id)
        whole = solid(doc.text)
        assert not re.search(r"[\x00-\x08\x0e-\x1f\u200b-\u200f\ufeff\u00ad]", doc.text)   # white space alone uncounted
        assert whole < doc.chars                                       # the length counted white space
        assert f"字数 {whole}\n" in cli(library, "show", str(doc_id))
        assert json.loads(cli(library, "show", str(doc_id), "--json"))["chars"] == whole
        assert json.loads(cli(library, "show", str(doc_id), "--json", "--free"))["chars"] == whole
        listed = {row["id"]: row["chars"] for row in json.loads(cli(library, "list", "--json"))}
        assert listed[doc_id] == whole
        hits = json.loads(cli(library, "search", doc.title[:8], "--mode", "precise", "--json"))["hits"]
        assert {h["id"]: h["chars"] for h in hits}[doc_id] == whole
        for viewer in (MEMBER, None):
            if viewer:
                library_web.app.dependency_overrides[current_viewer] = lambda: viewer
            else:
                library_web.app.dependency_overrides.clear()
            assert library_web.get(f"/api/documents/{doc_id}").json()["chars"] == whole
            page = library_web.get(f"/documents/{doc_id}").text
            assert re.search(r"<dt>字数</dt><dd>([\d,]+) 字", page)[1] == f"{whole:,}"
            listed = library_web.get("/api/documents", params={"limit": 50}).json()["documents"]
            assert {row["id"]: row["chars"] for row in listed}[doc_id] == whole
            found = library_web.get("/api/search", params={"q": doc.title[:8], "mode": "precise"}).json()["hits"]
            assert {h["id"]: h["chars"] for h in found}[doc_id] == whole
            shown = doc.text if viewer or doc.paid_from is None else doc.text[:doc.paid_from]
            md = library_web.get(f"/api/documents/{doc_id}/download", params={"format": "md"}).text
            assert f"字数：{solid(shown)} ｜" in md
    library_web.app.dependency_overrides.clear()


def test_the_member_notice_tells_the_字数_of_what_was_left_out(library, library_web):
    doc = library.get(1)
    left_out = solid(doc.text[doc.paid_from:])
    assert doc.paid_until is None and left_out < doc.chars - doc.paid_from
    assert library_web.get("/api/documents/1").json()["notice"] == f"会员可见全文（剩余 {left_out} 字）"
    assert f"会员可见全文（剩余 {left_out} 字）" in library_web.get("/documents/1").text


def test_statistics_add_up_the_字数(library, library_web):
    total = sum(solid(doc.text) for doc in library.catalogue.documents() if not doc.hidden)
    assert library.catalogue.stats()["chars"] == total
    assert library_web.get("/api/stats").json()["chars"] == total                     # a visitor's
    library_web.app.dependency_overrides[current_viewer] = lambda: MEMBER
    assert library_web.get("/api/stats").json()["chars"] == total
    library_web.app.dependency_overrides.clear()
    assert f"共 {total:,} 字" in cli(library, "stats")


def test_a_library_whose_字数_were_never_counted_counts_them_when_opened(home):
    """What migration c0007 leaves (no count, no ``counted_chars_version``), on both backends: the next open counts
    every document, a read of the free part (spaces for a members part) included, once."""
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    with library.catalogue.transaction() as conn:
        conn.execute(documents.update().values(counted_chars=None))
        conn.execute(meta.delete().where(meta.c.key == "counted_chars_version"))
    opened = Library.open(home)
    expected = {doc.id: solid(doc.text) for doc in opened.catalogue.documents()}
    assert {row.id: row.counted_chars for row in opened.catalogue.records()} == expected
    assert {d.id: d.counted_chars for d in opened.catalogue.documents(list(expected), free=True)} == expected
    assert opened.catalogue.recount() == 0                                       # done once


def test_a_library_made_by_main_before_the_count_is_counted_when_opened(tmp_path):
    """A library of main at 05ec9f7 (catalogue revision c0006, no ``counted_chars``) opens migrated and counted."""
    from test_db import old_library

    script = "import sys; from sucai.library import Library; Library.open(sys.argv[1]).ingest([sys.argv[2]], workers=1)"
    home, _ = old_library(tmp_path, "05ec9f7", script)
    library = Library.open(home, database_url="")
    docs = list(library.catalogue.documents())
    assert len(docs) == 10
    assert [row["chars"] for row in library.summaries(member=True)] == [solid(d.text) for d in docs]
    assert library.stats(member=True)["chars"] == sum(solid(d.text) for d in docs)


def test_a_sort_by_字数_orders_by_the_字数_shown(home):
    """Three documents whose lengths run the other way from their 字数 (indented, spaced-out lines): a sort by 字数
    lists them from the most 字数 each hit shows to the least, for a member and a visitor alike."""
    library = Library.open(home)
    texts = {"甲": "字数排序" + "　" * 40 + "甲", "乙": "字数排序乙乙乙乙乙" + " " * 20, "丙": "字数排序丙丙丙丙丙丙丙丙丙丙"}
    for name, text in texts.items():
        doc = Document(title=f"关于{name}的通知", text=text)
        library.catalogue.add(doc, text_hash(doc), f"/{name}", name)
    library.index.sync()
    by_hand = sorted(texts, key=lambda name: solid(texts[name]))          # 甲 5, 乙 9, 丙 14
    assert by_hand == sorted(texts, key=lambda name: -len(texts[name]))  # lengths 45, 29, 14: the other way
    for member in (True, False):
        hits = library.search(SearchRequest(q="字数排序", mode="precise", sort="length"), member=member).hits
        shown = [(h.title[2], h.chars) for h in hits]
        assert [name for name, _ in shown] == by_hand[::-1]                # the most 字 first, as by length before
        assert {name: chars for name, chars in shown} == {name: solid(text) for name, text in texts.items()}
