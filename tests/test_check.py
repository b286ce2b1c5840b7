"""查重 (sucai.check): fragments with their offsets, tolerance for light rewording, ratios, quotations,
paragraphs, the member boundary, bad drafts, the CLI, the API and the page; on the corpus, a synthetic
plagiarism set scored for precision and recall of copied characters and of attribution."""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path

import docx
import numpy as np
import opencc
import pytest
import tantivy
from PIL import Image
from fastapi.testclient import TestClient
from click.testing import CliRunner

from drafting_support import copied_chars, ingest_texts, solid
from fixtures import add_numbering, docx_bytes, image_bytes, make_cjk_pdf, new_document, number_paragraph
from sucai import access
from sucai import check as check_module
from sucai import index as index_module
from sucai import readers
from sucai.accounts import Accounts
from sucai.check import check_text, count_chars, read_draft
from sucai.check.markdown import written_text
from sucai.check.align import DraftSeeds, Fragment, Run, _cut, _runs, resolve, seed_hashes
from sucai.check.report import _paragraphs, text_span
from sucai.check import retrieve
from sucai.check.retrieve import DraftFingerprints, Sources
from sucai.cli import ExitCode
from sucai.cli import app as cli_app
from sucai.cli import run as run_cli
from sucai.drafting.drafts import Draft, Paragraph, Section, chinese_ordinal
from sucai.errors import BadValue, ReadError
from sucai.export import export_document
from sucai.fingerprint import index_tokens, skeleton, skeleton_text
from sucai.index import SCHEMA, _tantivy_document, index_fields
from sucai.readers import ocr
from sucai.library import Library
from sucai.web import check as web_check
from sucai.web import create_app

sys.path.insert(0, str(Path(__file__).parent))
from plagiarism import Score, holder, make_draft  # noqa: E402

SAMPLES = Path(str(resources.files("sucai").joinpath("samples")))
OWN = "我们结合本单位实际，认真梳理了今年以来的主要做法和体会，下面谈几点认识。"
OWN2 = "下一步，我们将继续努力，把各项任务落到实处，以实际行动迎接检验。"
KEYS = {"chars", "copy_ratio", "copy_ratio_excluding_quotes", "max_source", "matches", "paragraphs", "left_out_chars"}


@pytest.fixture(scope="module")
def library(tmp_path_factory, make_home):
    library = Library.open(make_home(tmp_path_factory.mktemp("check-home")))
    assert library.ingest([SAMPLES / "library"], workers=1).counts["failed"] == 0
    yield library
    library.close()


def doc_titled(library: Library, prefix: str):
    return next(d for d in library.catalogue.documents() if d.title.startswith(prefix))


def free_passage(library: Library, length: int = 80, title: str = "某县农业农村局关于做好"):
    """A passage of ``length`` characters from the free part of a document (the longest line), and the document."""
    doc = doc_titled(library, title)
    line = max(access.free_view(doc).text.splitlines(), key=len)
    return doc, line[:length]


def test_an_exact_copy_is_found_with_its_offsets(library):
    doc, passage = free_passage(library)
    draft = f"{OWN}\n{passage}\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    [match] = report.matches
    assert passage[0].isalnum() and passage[-1].isalnum()
    start = draft.index(passage)
    assert (match.start, match.end, match.doc_id, match.similarity) == (start, start + len(passage), doc.id, 1.0)
    assert doc.text[match.source_start:match.source_end] == passage
    assert report.chars == solid(draft)
    assert report.copy_ratio == round(solid(passage) / solid(draft), 4)
    assert report.max_source == {"doc_id": doc.id, "title": doc.title, "copy_ratio": report.copy_ratio}
    assert [(p.start, p.end, p.copy_ratio) for p in report.paragraphs] == [
        (0, len(OWN), 0.0), (start, start + len(passage), 1.0), (start + len(passage) + 1, len(draft), 0.0)]
    assert set(report.to_dict()) == KEYS
    assert set(report.to_dict()["matches"][0]) == {"start", "end", "doc_id", "title", "place", "source_start",
                                                   "source_end", "similarity"}


@pytest.mark.parametrize("text, covered, expected", [
    ("前文。（一）加强作风建设（试行）。后文", "一加强作风建设试行", "（一）加强作风建设（试行）"),
    ("据“全面从严治党”要求", "全面从严治党要求", "“全面从严治党”要求"),
    ("《条例》（2024年修订）第三条", "条例", "条例"),                 # a pair around the whole span stays out
    ("（（一）二）三", "一二三", "（（一）二）三"),                      # nested: the innermost first
    ("（一》二", "一二", "一》二"),                                     # not partners: nothing added
    ("〔2024〕1号", "20241号", "〔2024〕1号"),
])
def test_a_match_holds_the_partner_of_a_bracket_it_holds_alone(text, covered, expected):
    """The characters a 重合片段 covers: its first to its last letter, digit or Han character, and the partner of a
    bracket or quotation mark it holds alone — a copied 「（一）加强…」 began one character late, at 「一）」."""
    bones = skeleton(text)
    start = bones.chars.index(covered)
    a, b = text_span(bones, text, start, start + len(covered))
    assert text[a:b] == expected


def test_a_sentence_copied_with_its_closing_mark_is_copied_whole(library):
    """A sentence copied word for word with its 「。」 is 100 % copied (its mark was left out: 99.8 %); a mark the
    source does not have there is the draft's own."""
    doc, sentence, after = next((d, m.group(1), m.group(2)) for d in library.catalogue.documents()
                                for m in re.finditer(r"(?m)^([^“”《》（）\n]{30,60}\w)([。，])", access.free_view(d).text))
    own_mark = "；" if after == "。" else "。"
    for mark, whole in ((after, True), (own_mark, False)):
        draft = f"{OWN}\n{sentence}{mark}\n{OWN2}"
        report = check_text(library, draft, viewer_member=True)
        [match] = report.matches
        start = draft.index(sentence)
        assert (match.start, match.end, match.doc_id) == (start, start + len(sentence) + whole, doc.id)
        assert match.source_text == sentence + after * whole
        line = next(p for p in report.paragraphs if p.start == start)
        solid = len(re.sub(r"\s", "", sentence))   # a 字数 counts no white space
        assert line.copy_ratio == (1.0 if whole else round(solid / (solid + 1), 4))


def test_a_copied_numbered_heading_is_matched_from_its_opening_bracket(library):
    """End to end: a draft that copies a source's 「（二）…」 line has one 重合片段, from the 「（」 on, in both texts."""
    doc, line = next((d, line) for d in library.catalogue.documents() for line in access.free_view(d).text.splitlines()
                     if re.match(r"（[一二三四五六七八九十]+）[^“”《》（）]{40}", line))
    passage = re.match(r".{30,40}\w", line).group()   # ends on a Han character: nothing past it to take in
    draft = f"{OWN}\n{passage}\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    [match] = report.matches
    start = draft.index(passage)
    assert (match.start, match.end, match.doc_id) == (start, start + len(passage), doc.id)
    assert match.source_text == passage
    assert report.copy_ratio == round(solid(passage) / solid(draft), 4)


@pytest.mark.parametrize("change", ["character", "punctuation", "swapped words", "layout"])
def test_light_rewording_is_still_caught(library, change):
    doc, passage = free_passage(library, 120)
    if change == "character":
        edited = passage[:30] + "某" + passage[31:70] + "某" + passage[71:]
    elif change == "punctuation":
        edited = passage.replace("，", ",").replace("、", "，").replace("。", ".")
    elif change == "swapped words":
        words = re.findall(r"[\u4e00-\u9fff]{2}", passage[40:])
        edited = passage.replace(words[0] + words[1], words[1] + words[0], 1)
        assert edited != passage
    else:
        edited = "　　" + passage[:50] + "\n\n" + passage[50:]
    draft = f"{OWN}\n{edited}\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    start = draft.index(edited[:3])
    covered = sum(min(m.end, start + len(edited)) - max(m.start, start) for m in report.matches if m.doc_id == doc.id)
    assert covered >= 0.9 * len(edited.strip()), (change, report.matches)
    assert all(m.doc_id == doc.id for m in report.matches)
    share = solid(edited) / solid(draft)
    assert 0.8 * share <= report.copy_ratio <= round(share, 4)


def test_a_match_names_where_it_stands_in_its_source(tmp_path, make_home):
    """Each 重合片段 names the headings its source text stands under (开头 before the first), in the report, its JSON,
    the page, both downloads and ``sucai check``. A visitor's are those of the free view: the free text after a
    members part stands under the free heading above it, never under the members part's heading (nor is it placed
    by the whole text's outline at its free view's offsets)."""
    words = own_words(15)
    opening, led, after = words(50), words(50), words(50)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(
        f"甲文\n{opening}。\n一、总体要求\n{words(60)}。\n二、重点任务\n（一）加强组织领导\n{led}。\n（二）落实保障措施\n"
        f"{words(60)}。\n##paidbegin##\n三、内部测算口径\n{words(80)}。\n##paidend##\n{after}。\n", encoding="utf-8")
    home = make_home(tmp_path / "home")
    library = Library.open(home)
    assert library.ingest([folder], workers=1).counts["ingested"] == 1
    draft = f"{OWN}\n{opening}。\n{OWN2}\n{led}。\n{OWN}\n{after[20:]}。"
    first, second = "开头", "二、重点任务 › （一）加强组织领导"
    for member, last in ((True, "三、内部测算口径"), (False, "二、重点任务 › （二）落实保障措施")):
        report = check_text(library, draft, viewer_member=member)
        assert [(m.source_text, m.place) for m in report.matches] == [
            (f"{opening}。", first), (f"{led}。", second), (f"{after[20:]}。", last)], member
        assert [m["place"] for m in report.to_dict()["matches"]] == [first, second, last]
    path = tmp_path / "草稿.txt"
    path.write_text(draft, encoding="utf-8")
    runner = CliRunner(env={"COLUMNS": "300"})
    shown = runner.invoke(cli_app, ["check", str(path), "--free", "--home", str(home), "-o", str(tmp_path / "报告.docx")])
    assert shown.exit_code == 0 and all(place in shown.output for place in (first, second, last)), shown.output
    assert "内部测算口径" not in shown.output
    document = docx.Document(str(tmp_path / "报告.docx"))
    cells = [row.cells[2].text for row in document.tables[-1].rows[1:]]
    [doc] = library.catalogue.documents(outline=False)
    assert cells == [f"《甲文》（编号 {doc.id}）\n{place}" for place in (first, second, last)]
    page = TestClient(create_app(home)).post("/check", data={"text": draft}, headers={"accept": "text/html"}).text
    assert re.findall(r'<div class="muted place">([^<]*)</div>', page) == [first, second, last]
    library.close()


def test_the_minimum_match_length_is_a_setting(library):
    doc, passage = free_passage(library)
    piece = skeleton_text(passage)[10:22]     # 12 characters
    draft = f"{OWN}{piece}{OWN2}"
    assert check_text(library, draft, True).matches == []
    shorter = replace(library.settings, check_min_match_chars=12)
    [match] = check_text(library, draft, True, shorter).matches
    assert draft[match.start:match.end] == piece


def test_quotations_count_for_the_total_but_not_without_quotes(library):
    doc, passage = free_passage(library, 60)
    _, quoted = free_passage(library, 40, "某县农业农村局2023年")
    draft = f"{OWN}“{passage}”\n> {quoted}\n{OWN2}"
    report = check_text(library, draft, True)
    assert report.copy_ratio == round((copied_chars(passage) + copied_chars(quoted)) / solid(draft), 4)
    assert report.copy_ratio_excluding_quotes == 0.0
    assert all(m.quoted for m in report.matches)
    assert [kind for _, kind in report.segments() if kind != "original"] == ["quoted", "quoted"]


def test_the_largest_source_and_per_paragraph_ratios(library):
    a, passage_a = free_passage(library, 100)
    b, passage_b = free_passage(library, 50, "某县农业农村局2023年")
    draft = f"{passage_a}\n{OWN}{passage_b}\n{OWN2}"
    report = check_text(library, draft, True)
    assert report.max_source["doc_id"] == a.id
    assert report.max_source["copy_ratio"] == round(copied_chars(passage_a) / solid(draft), 4)
    second = report.paragraphs[1]
    assert second.copy_ratio == round(copied_chars(passage_b) / solid(OWN + passage_b), 4)
    assert {m.doc_id for m in report.matches} == {a.id, b.id}


class _Counted(np.ndarray):
    """A numpy array that adds up how many elements the numpy operations given it read (``elements``)."""

    elements = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _Counted.elements += sum(x.size for x in inputs if isinstance(x, np.ndarray))
        plain = [x.view(np.ndarray) if isinstance(x, _Counted) else x for x in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)


def test_per_paragraph_ratios_are_linear_in_the_draft():
    """attack28: each paragraph's ratio without quotes made a mask of the whole draft (``copied & quoted``), so a
    draft of 100,000 one-character lines cost 10^10 operations. The ratios equal a count by hand of each line's
    characters, and the numpy work is a few passes over the draft, however many lines it holds."""
    lines = ["  一二“三四”五 ", "六七", "", "“八”"] * 2500
    text = "\n".join(lines)
    solid = np.array([not c.isspace() for c in text])
    copied = np.array([i % 3 == 0 for i in range(len(text))]) & solid
    quoted = np.array([c in "“三四”八" for c in text])
    expected, start = [], 0
    for line in lines:
        a, b = start + len(line) - len(line.lstrip()), start + len(line.rstrip())
        if b > a:
            size = int(solid[a:b].sum())
            expected.append((a, b, round(int(copied[a:b].sum()) / size, 4),
                             round(int((copied & quoted)[a:b].sum()) / size, 4)))
        start += len(line) + 1
    _Counted.elements = 0
    got = _paragraphs(text, *(mask.view(_Counted) for mask in (copied, quoted, solid)))
    assert [(p.start, p.end, p.copy_ratio, p.quoted_ratio) for p in got] == expected
    assert 0 < _Counted.elements <= 10 * len(text)


def test_a_report_file_of_many_paragraphs_is_linear_in_them(library, monkeypatch):
    """attack28: python-docx's ``Table.add_row`` looks the table's grid up among all its rows, so the .docx report of a
    draft of 25,000 one-character lines took 71 s in the web server's process. Each paragraph is a row of the draft's
    table, in order with its ratio; the grid of each table is looked up a fixed number of times, however many rows."""
    from docx import Document as open_docx
    from docx.oxml.table import CT_Tbl

    from sucai.check.export import export_report

    lookups = []
    grid = CT_Tbl.tblGrid
    monkeypatch.setattr(CT_Tbl, "tblGrid", property(lambda tbl: lookups.append(1) or grid.fget(tbl)))
    lines = [f"第{n}段" for n in range(300)]
    report = check_text(library, "\n".join(lines), True)
    _, data = export_report(report, "docx")
    assert len(lookups) <= 10
    monkeypatch.undo()
    table = open_docx(io.BytesIO(data)).tables[1]
    assert [[cell.text for cell in row.cells] for row in table.rows] == [["段落", "复制比"]] + [[line, "0.0%"] for line in lines]


def test_the_report_file_is_on_a4_paper(library):
    """The .docx 查重报告 was on US Letter (215.9 × 279.4 mm, python-docx's template), which a Chinese office's
    printer, loaded with A4, stops for or shrinks: it is on A4, 210 × 297 mm (GB/T 148), in Word's margins."""
    from docx import Document as open_docx

    from sucai.check.export import export_report

    _, data = export_report(check_text(library, OWN, True), "docx")
    section = open_docx(io.BytesIO(data)).sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.left_margin)
    assert [round(size.mm, 1) for size in sizes] == [210, 297, 25.4, 31.8]   # margins of 1 and 1.25 inches


def test_the_report_file_s_tables_share_the_page_by_what_their_columns_hold(library):
    """user24: every table of the .docx 查重报告 had equal columns, python-docx's default: 序号 and 相似度 took two
    fifths of the 重合片段 table, whose draft's and source's texts stood four characters a line. The columns fill
    the text width of the page; the texts take most of it; 「序号」, 「100.0%」 and 「单篇最大文字复制比」 each fit
    on a line at 11 pt (3.9 mm a character, 1.9 mm of cell margin each side), in every row as in the grid."""
    from docx import Document as open_docx
    from docx.shared import Emu

    from sucai.check.export import export_report

    doc, passage = free_passage(library)
    _, data = export_report(check_text(library, f"{OWN}{passage}", True), "docx")
    report = open_docx(io.BytesIO(data))
    section = report.sections[0]
    page = Emu(section.page_width - section.left_margin - section.right_margin).mm
    items, paragraphs, matches = ([column.width.mm for column in table.columns] for table in report.tables)
    for widths in (items, paragraphs, matches):
        assert abs(sum(widths) - page) < 0.1
    for table in report.tables:
        grid = [column.width for column in table.columns]
        assert all([cell.width for cell in row.cells] == grid for row in table.rows)
    assert items[0] >= 9 * 3.9 + 3.8 and matches[0] >= 2 * 3.9 + 3.8 and matches[4] >= 6 * 2.2 + 3.8
    assert matches[1] + matches[3] >= 0.55 * page and paragraphs[0] >= 0.75 * page
    assert len(report.tables[2].rows) == 2 and report.tables[2].rows[1].cells[3].text == passage


def test_hidden_documents_are_never_sources(home):
    library = Library.open(home)
    library.ingest([SAMPLES / "library"], workers=1)
    doc, passage = free_passage(library)
    library.set_hidden(doc.id, True)
    assert check_text(library, f"{OWN}{passage}", True).matches == []
    library.close()


def test_a_non_members_draft_is_compared_with_free_views_only(library):
    """A draft across the member boundary: a member's report has fragments on both sides (none crossing
    it); a non-member's has exactly those in the free part — same draft spans, source spans and text —
    and its ratios count them alone (before, members parts counted for a non-member too)."""
    doc = doc_titled(library, "某县农业农村局2023年")
    boundary = doc.paid_from
    draft = f"{OWN}\n{doc.text[boundary - 60:boundary + 60]}\n{OWN2}"
    member, visitor = check_text(library, draft, True), check_text(library, draft, False)
    spans = [(m.source_start, m.source_end) for m in member.matches]
    assert all(e <= boundary or s >= boundary for s, e in spans)        # a fragment never crosses the boundary
    assert any(e <= boundary for s, e in spans) and any(s >= boundary for s, e in spans)
    free = [m for m in member.matches if m.source_end <= boundary]
    key = lambda m: (m.start, m.end, m.doc_id, m.source_start, m.source_end, m.source_text)  # noqa: E731
    assert [key(v) for v in visitor.matches] == [key(m) for m in free]
    assert all(access.free_view(doc).text[m.source_start:m.source_end] == m.source_text for m in visitor.matches)
    assert visitor.copy_ratio == round(sum(solid(draft[m.start:m.end]) for m in free) / solid(draft), 4)
    assert 0 < visitor.copy_ratio < member.copy_ratio


def test_the_alignment_steps():
    """Runs are exact, split at the member boundary, and each draft character is credited once."""
    source = skeleton("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")
    draft = skeleton("天地玄黄乙丙丁戊己庚辛壬癸子丑寅卯宇宙洪荒")
    runs = _runs(DraftSeeds(seed_hashes(draft)), seed_hashes(source))
    assert [(runs.run(k).i0, runs.run(k).i1, runs.run(k).j0) for k in range(len(runs))] == [(4, 17, 1)]
    cut = _cut(runs, [6])
    assert sorted((cut.run(k).i0, cut.run(k).i1, cut.run(k).j0) for k in range(len(cut))) == [(4, 9, 1), (9, 17, 6)]
    weak = Fragment(2, [Run(4, 15, 1)])
    strong = Fragment(1, [Run(4, 17, 1)])
    kept = resolve([weak, strong], len(draft), 8)
    assert [(f.doc_id, f.i0, f.i1) for f in kept] == [(1, 4, 17)]


def own_words(seed: int) -> Callable[[int], str]:
    """``words(n)``: ``n`` characters drawn at random (``random.Random(seed)``) from those of the own texts."""
    rng, alphabet = random.Random(seed), sorted(set(re.sub(r"\W", "", OWN + OWN2)))
    return lambda n: "".join(rng.choice(alphabet) for _ in range(n))


def test_a_source_found_in_a_later_round_is_aligned_with_the_whole_draft(tmp_path, make_home, monkeypatch):
    """A paragraph copied whole from a document found only in a later round — after one that shares 16 characters
    of its middle — is one 重合片段 of that document, all of it copied. Aligned with the draft's still unmatched part
    only, that source gave two fragments around the piece, which then kept only what they left of it: 10
    characters, too few for a 重合片段, credited to no source (a 新闻联播 paragraph 89 % copied, not 100 %)."""
    words = own_words(7)
    ours, paragraph = words(200), words(120)
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": f"甲文\n{words(40)}。\n{paragraph}。\n{words(40)}。\n",
                                                          "b.txt": f"乙文\n{ours}。\n{paragraph[50:66]}。\n"})
    monkeypatch.setattr(check_module, "FIRST_CANDIDATES", 1)   # the first round aligns 乙文 alone
    draft = f"{ours}\n{paragraph}"
    report = check_text(library, draft, viewer_member=True)
    a = next(d for d in library.catalogue.documents() if d.title == "甲文")
    start = draft.index(paragraph)
    assert [(m.start, m.end, m.doc_id) for m in report.matches if m.end > start] == [(start, len(draft), a.id)]
    assert report.paragraphs[-1].copy_ratio == 1.0
    library.close()


def test_a_match_runs_no_seed_into_the_writers_next_paragraph(tmp_path, make_home):
    """A paragraph copied whole between two of the writer's own that begin as the source's next one (「我们」) and
    end as its last one do: the 重合片段 is the copied paragraph. The skeleton has no line breaks, so a 4-character
    seed across the break matched and the writer's paragraph was reported 2 characters copied."""
    words = own_words(9)
    paragraph, before = words(80), words(60)
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": f"甲文\n{before}。\n{paragraph}。\n我们{words(60)}。\n"})
    for mine, ending in (("我们", ""), ("我", before[-1]), ("我们结", before[-3:])):   # and ends as its last one
        draft = f"{OWN[:-1]}{ending}。\n{paragraph}。\n{mine}{OWN2}"
        report = check_text(library, draft, viewer_member=True)
        start = draft.index(paragraph)
        assert [(m.start, m.end, m.source_text) for m in report.matches] == [
            (start, start + len(paragraph) + 1, paragraph + "。")]
        assert [p.copy_ratio for p in report.paragraphs] == [0.0, 1.0, 0.0]
    library.close()


def test_a_short_heading_beside_a_copied_paragraph_is_no_part_of_it(tmp_path, make_home):
    """check28: a draft's own headings 「一、2026年工作总结」 and 「二、存在的问题」 — shorter than a 重合片段 (13), written
    in every 工作总结 — were copied with the paragraph between them when the source had them there too: a paragraph
    is a unit, and a 重合片段 running fewer than 13 characters into one, or out of one, stops at its start (again
    for a heading under a heading). The 重合片段 is the paragraph, by hand; a break after a paragraph's 「。」 or a
    blank line ends it as a break after a short heading does; so do the two headings after it."""
    words = own_words(17)
    paragraph = words(60)
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": (
        f"甲文\n一、2026年工作总结\n（一）总体情况\n{paragraph}。\n二、存在的问题\n（一）思想方面\n"
        f"{words(80)}。\n乙部分\n{paragraph[::-1]}\n\n二、存在的问题\n（一）思想方面\n{words(80)}。\n")})
    for copied, after in ((f"{paragraph}。", "\n"), (paragraph[::-1], "\n\n")):
        draft = f"一、2026年工作总结\n（一）总体情况\n{copied}{after}二、存在的问题\n（一）思想方面\n{OWN}"
        report = check_text(library, draft, viewer_member=True)
        start = draft.index(copied)
        assert [(m.start, m.end, m.source_text) for m in report.matches] == [(start, start + len(copied), copied)]
        assert report.copy_ratio == round(solid(copied) / solid(draft), 4)
        assert [p.copy_ratio for p in report.paragraphs] == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    library.close()


@pytest.mark.parametrize("seed, length, width", [(18, 85, 20), (20, 240, 12)])
def test_a_paragraph_broken_in_mid_sentence_is_one(tmp_path, make_home, seed, length, width):
    """A copied paragraph pasted with a line break every ``width`` characters (from a PDF), its last line shorter: all
    of it is copied, by hand (its 字数 over the draft's). Each line a paragraph, the last was too short to be any part
    of a 重合片段 (and one of 3 characters was lost before check28, a break then a unit for 4); and every line, when
    all were shorter than a 重合片段's 13 (attack28: 0 % copied, a fragment losing a short piece at its start, then
    the next, to its end) — a line that opens with no outline label and ends with no mark goes on in the next."""
    words = own_words(seed)
    paragraph = words(length)
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": f"甲文\n{words(60)}。\n{paragraph}。\n{words(60)}。\n"})
    broken = "\n".join(paragraph[i:i + width] for i in range(0, length, width)) + "。"
    draft = f"{OWN}\n{broken}\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    start = draft.index(broken)
    assert [(m.start, m.end) for m in report.matches] == [(start, start + len(broken))]
    assert report.copy_ratio == round(solid(broken) / solid(draft), 4)
    assert [p.copy_ratio for p in report.paragraphs] == [0.0] + [1.0] * -(-length // width) + [0.0]
    library.close()


@pytest.mark.parametrize("labels, sizes", [(("（一）", "（二）", "（三）"), (16, 30, 21)),
                                           (("1.2024年", "2.2025年", "3.2026年"), (18, 27, 17)),
                                           (("第一章", "第二章", "第三章"), (16, 30, 21))])
def test_a_paste_broken_by_width_goes_on_past_its_labelled_lines(tmp_path, make_home, labels, sizes):
    """write29: a copied passage of run-in items (「（一）…。…（二）…。」) pasted from a narrow column, a line break every
    8 characters, lost its first line 「（一）」 and 5 characters — short, labelled, so a heading of its own, too short
    for a 重合片段 —, as any line opening with a label did. Its labels stand after a sentence's end within a line too
    (「…。（二）…」), where no heading does: their level is none of the draft's outline, and such a line goes on in the
    next as an unlabelled one does. All of it is copied, by hand. A label is read as a heading's is
    (:data:`sucai.headings.LABEL`): 「2.2025年」 is label 2. before a year (tidy31: 查重 read no level in it, and lost
    the first line 「1.2024年」), 「第二章」 a 章's. (``sizes``: the sentences before the second and third labels, so that
    each stands after a 「。」 within a line, and the last.)"""
    words = own_words(29)
    first, second, third = labels
    passage = f"{first}{words(14)}。{words(sizes[0])}。{second}{words(12)}。{words(sizes[1])}。{third}{words(10)}。{words(sizes[2])}。"
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": f"甲文\n{words(60)}。\n{passage}\n{words(60)}。\n"})
    broken = "\n".join(passage[i:i + 8] for i in range(0, len(passage), 8))
    assert broken.startswith(first) and f"。{second}" in broken and f"。{third}" in broken   # within lines
    draft = f"{OWN}\n{broken}\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    start = draft.index(broken)
    assert [(m.start, m.end) for m in report.matches] == [(start, start + len(broken))]
    assert [p.copy_ratio for p in report.paragraphs] == [0.0] + [1.0] * -(-len(passage) // 8) + [0.0]
    library.close()


def test_short_headings_one_under_another_are_left_out_four_at_most_at_each_end(tmp_path, make_home):
    """attack28: 20 short labelled lines (「一、」 and 9 characters: headings, each too short to be a 重合片段) copied with
    their source's: a fragment loses 4 such pieces at most at each end (four levels of headings, GB/T 9704-2012
    §7.3.3), so lines 5 to 16 are copied, by hand — not 0 %, as with no bound."""
    words = own_words(21)
    lines = [f"{chinese_ordinal(i)}、{words(9)}" for i in range(1, 21)]
    outline = "\n".join(lines)
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": f"甲文\n{words(60)}。\n{outline}\n{words(60)}。\n"})
    draft = f"{OWN}\n{outline}\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    start, end = draft.index(lines[4]), draft.index(lines[15]) + len(lines[15])
    assert [(m.start, m.end) for m in report.matches] == [(start, end)]
    assert [p.copy_ratio for p in report.paragraphs] == [0.0] * 5 + [1.0] * 12 + [0.0] * 5
    library.close()


def test_what_a_better_source_leaves_stays_within_paragraphs(tmp_path, make_home):
    """A document holding the draft's line 「H。」 and the first 20 characters of the paragraph after it, and a better one
    holding that paragraph from its 6th character on: the first is credited 「H。」 alone — the 5 characters the
    second leaves of the paragraph are too few for a 重合片段 there, as they would be in a fragment of its own."""
    words = own_words(19)
    heading, paragraph = words(20), words(80)
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": f"甲文\n{heading}。\n{paragraph[:20]}{words(40)}。\n",
                                                          "b.txt": f"乙文\n{words(40)}。\n{paragraph[5:]}。\n"})
    a, b = (doc_titled(library, title) for title in ("甲文", "乙文"))
    draft = f"{OWN}\n{heading}。\n{paragraph}。\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    at, rest = draft.index(heading), draft.index(paragraph) + 5
    assert [(m.start, m.end, m.doc_id) for m in report.matches] == [
        (at, at + len(heading) + 1, a.id), (rest, rest + len(paragraph) - 5 + 1, b.id)]
    library.close()


@pytest.mark.parametrize("spaced, mark, source_mark, whole", [
    (False, ".", "。", True), (False, ",", "，", True), (True, " 。", "。", True), (False, "%.", "％。", True),
    (False, "%。", "%。", True), (False, "；", "。", False)])
def test_a_sentence_copied_with_its_mark_in_any_width_is_whole(tmp_path, make_home, spaced, mark, source_mark, whole):
    """check28: a copied sentence ending with 「.」 where its source has 「。」 (half-width marks), or written with a space
    between every two characters, was 99.5 % copied: its mark, the same one, was not taken in; nor was a figure's
    「%」 (the skeleton holds its digits only), verbatim too. Another mark than the source's (「；」 for 「。」) stays
    the writer's own."""
    words = own_words(20)
    sentence = words(40)
    library = ingest_texts(make_home(tmp_path / "home"),
                           {"a.txt": f"甲文\n{words(60)}。\n{sentence}{source_mark}{words(30)}。\n"})
    copied = (" ".join(sentence) if spaced else sentence) + mark
    draft = f"{OWN}\n{copied}\n{OWN2}"
    report = check_text(library, draft, viewer_member=True)
    start = draft.index(copied)
    [match] = report.matches
    assert (match.start, match.end) == (start, start + len(copied) - (not whole))
    assert match.source_text == sentence + source_mark * whole
    assert report.paragraphs[1].copy_ratio == (1.0 if whole else round(solid(sentence) / solid(copied), 4))
    library.close()


FIGURES = ("2025年，全县地区生产总值增长6.2%，规模以上工业增加值增长8.5%，固定资产投资增长10.3%；新建高标准农田3.5万亩，"
           "粮食总产量稳定在21万吨以上，城乡居民人均可支配收入分别增长5.1%和7.4%。")
REWRITES = {
    "full-width digits": lambda p: p.translate(str.maketrans("0123456789.%", "０１２３４５６７８９．％")),
    "half-width marks": lambda p: p.translate(str.maketrans("，；。", ",;.")),
    "traditional": lambda p: opencc.OpenCC("s2t").convert(p),
    "spaces between characters": " ".join,
    "line breaks in mid-sentence": lambda p: "\n".join(p[i:i + 23] for i in range(0, len(p), 23)),
}


def common_substrings(draft: str, source: str, least: int) -> int:
    """The oracle: the letters and digits (NFKC, simplified by OpenCC) of ``draft`` in common substrings of ``source``
    of at least ``least``, the longest taken first, each character of either text in one at most — by brute force."""
    fold = opencc.OpenCC("t2s").convert
    a, b = ("".join(c for c in fold(unicodedata.normalize("NFKC", t)) if c.isalnum()) for t in (draft, source))
    used_a, used_b, total = [False] * len(a), [False] * len(b), 0
    while True:
        best = (0, 0, 0)
        for i in range(len(a)):
            for j in range(len(b)):
                n = 0
                while (i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]
                       and not (used_a[i + n] or used_b[j + n])):
                    n += 1
                best = max(best, (n, i, j))
        n, i, j = best
        if n < least:
            return total
        used_a[i:i + n], used_b[j:j + n], total = [True] * n, [True] * n, total + n


@pytest.mark.parametrize("rewrite", REWRITES)
def test_a_paragraph_a_writer_rewrites_lightly_is_all_copied(tmp_path, make_home, rewrite):
    """check28, as a writer: a paragraph of figures from a document, written with full-width digits, half-width marks,
    in traditional characters, with a space between every two characters or broken in mid-sentence, is still copied
    whole — its 字数 over the draft's, as the oracle finds every letter and digit of it in common substrings of at
    least 13 with the source. Half-width marks, spaces and 「%」 lost its last mark or two, the line breaks its last
    line (99.5 %, 97.7 %)."""
    library = ingest_texts(make_home(tmp_path / "home"), {"a.txt": f"某县政府工作报告\n各位代表：\n{FIGURES}\n{OWN2}\n"})
    written = REWRITES[rewrite](FIGURES)
    assert common_substrings(written, FIGURES, 13) == sum(c.isalnum() for c in FIGURES)
    draft = f"{OWN}\n{written}\n"
    report = check_text(library, draft, viewer_member=True)
    assert report.copy_ratio == round(count_chars(written) / count_chars(draft), 4)
    assert [p.copy_ratio for p in report.paragraphs] == [0.0] + [1.0] * written.count("\n") + [1.0]
    library.close()


def test_a_set_phrase_of_many_documents_is_copied_from_none(tmp_path, make_home):
    """A short 重合片段 that a tenth of the library says — 「以习近平新时代中国特色社会主义思想为指导」 is in 73 of
    625 corpus documents — is the wording of a genre, not copied: a sentence of one's own around it was reported 54 %
    copied from one of them. So is the phrase with a few words that one document says after it; the phrase with a
    重合片段's worth of them, the same phrase in fewer documents and a longer passage all of them hold count."""
    words = own_words(8)
    phrase, rare = "以习近平新时代中国特色社会主义思想为指导", "深入推进乡村全面振兴再上新台阶"
    passage = "、".join(words(12) for _ in range(5))
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(12):   # the phrase and the passage in 12 documents of 12; the rare phrase in 3 of them
        body = [words(150), phrase + "，" + words(30), passage, words(150)] + ([rare + "，" + words(30)] if n < 3 else [])
        (folder / f"{n:02}.txt").write_text(f"文{n}\n" + "。\n".join(body) + "。\n", encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == 12
    doc = next(iter(library.catalogue.documents()))
    at = doc.text.index(phrase)
    after = doc.text[at + len(phrase) + 1:]   # its own words after the phrase and 「，」
    before = doc.text[:at].rstrip("。\n")[-13:]   # and before it and its 「。」

    def copied(*parts: str) -> list[str]:
        for member in (True, False):
            report = check_text(library, "".join(parts), viewer_member=member)
            assert report.copy_ratio == round(solid("".join(m.source_text for m in report.matches)) / report.chars, 4)
        return [m.source_text for m in report.matches]

    assert copied(OWN, phrase, "；", OWN2) == []
    assert copied(OWN, phrase, "，", after[:5], "。", OWN2) == []
    assert copied(OWN, phrase, "，", after[:13], "。", OWN2) == [f"{phrase}，{after[:13]}"]
    assert copied(OWN, before, "。", phrase, "；", OWN2) == [doc.text[at - 15:at + len(phrase)]]
    assert copied(OWN, rare, "；", OWN2) == [rare]
    assert copied(OWN, passage, "。", OWN2) == [passage + "。"]
    library.close()


def test_a_set_phrase_joined_to_the_writers_words_across_a_gap_is_still_one(tmp_path, make_home):
    """A law's closing 「本法自公布之日起施行」, which 12 documents say, after the writer's 「广泛宣传」, which one of them
    says before it and its 「第二十条」: the 重合片段 bridging that gap (16 counted characters: 「广泛宣传。」 and the
    phrase with its 「。」) is the set phrase and 4 characters of the writer's, too few for a 重合片段 (13): nothing is
    copied. Judged whole, the draft's 5-character sequences across the gap — in no document — were the fingerprints
    winnowing picked there, in place of the phrase's own, and it counted as copied from that one law."""
    words = own_words(13)
    phrase = "本法自公布之日起施行"
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(12):
        closing = "各级人民政府应当广泛宣传。\n\n第二十条 " if n == 0 else f"{words(40)}。\n\n第{n}条 "
        (folder / f"{n:02}.txt").write_text(f"法{n}\n{words(150)}。\n{closing}{phrase}。\n", encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == 12
    law = next(doc for doc in library.catalogue.documents() if doc.title == "法0")
    draft = f"{OWN}我们要广泛宣传。{phrase}。{OWN2}"
    assert check_module.copy_ratio(draft, law.text, 13) == round(16 / count_chars(draft), 4)   # it bridges the gap
    for member in (True, False):
        report = check_text(library, draft, viewer_member=member)
        assert (report.matches, report.copy_ratio) == ([], 0.0), member
    library.close()


def test_a_set_phrase_left_over_by_a_better_source_is_copied_from_none(tmp_path, make_home):
    """A passage copied from 甲文 (60 characters) and a set phrase after it, which 12 documents say: 乙文 holds the
    passage's last 25 characters and the phrase, a 重合片段 of 45 — too long for a set phrase. 甲文's covers more and
    takes the passage; what is left of 乙文's is the phrase alone, which is copied from none: nothing but the passage
    is copied. Only whole 重合片段 were judged, so the leftover counted, copied from 乙文."""
    words = own_words(14)
    phrase, passage = "以习近平新时代中国特色社会主义思想为指导", words(60)
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(12):
        (folder / f"{n:02}.txt").write_text(f"文{n}\n{words(150)}。\n{phrase}，{words(30)}。\n", encoding="utf-8")
    (folder / "a.txt").write_text(f"甲文\n{words(100)}。\n{passage}。\n{words(100)}。\n", encoding="utf-8")
    (folder / "b.txt").write_text(f"乙文\n{words(100)}。\n{passage[-25:]}{phrase}。\n{words(100)}。\n",
                                  encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == 14
    a = next(doc for doc in library.catalogue.documents() if doc.title == "甲文")
    draft = f"{OWN}\n{passage}{phrase}。\n{OWN2}"
    for member in (True, False):
        report = check_text(library, draft, viewer_member=member)
        start = draft.index(passage)
        assert [(m.start, m.end, m.doc_id) for m in report.matches] == [(start, start + len(passage), a.id)], member
        assert report.copy_ratio == round(len(passage) / solid(draft), 4), member
    library.close()


def test_a_set_phrase_is_told_by_the_documents_the_viewer_may_see(tmp_path, make_home):
    """A phrase that 12 documents hold, all but one in their members part, is a set phrase to a member and copied
    from the one free document to anyone else: a non-member's set phrases are counted in the free views
    (``free_fp``) — counted in whole texts, whether a visitor's sentence was reported copied would tell that
    members parts say it."""
    words = own_words(10)
    phrase = "以习近平新时代中国特色社会主义思想为指导"
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(12):
        body = [words(150), words(150), phrase + "，" + words(30)] if n else [words(150), phrase + "，" + words(30)]
        (folder / f"{n:02}.txt").write_text(f"文{n}\n" + "。\n".join(body + [words(150)]) + "。\n", encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == 12
    free = None
    for doc in library.catalogue.documents():
        if doc.title == "文0":
            free = doc
        else:   # the members part from the second paragraph on: the phrase in it
            library.update(doc.id, paid_from=doc.text.index("。") + 2)
    assert free is not None and free.paid_from is None
    draft = f"{OWN}{phrase}；{OWN2}"
    assert check_text(library, draft, viewer_member=True).matches == []
    visitor = check_text(library, draft, viewer_member=False)
    assert [(m.doc_id, m.source_text) for m in visitor.matches] == [(free.id, phrase)]
    library.close()


def test_hidden_documents_make_no_set_phrase(tmp_path, make_home):
    """A phrase 12 documents hold, 11 of them hidden since: copied from the one left, for anyone. tantivy's document
    frequency counts deleted documents until their segment is merged, so the 11 hidden ones still made it a set
    phrase (verify23) — and a members boundary moved left the old free view's fingerprints counted for visitors."""
    words = own_words(11)
    phrase = "以习近平新时代中国特色社会主义思想为指导"
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(12):
        body = [words(150), phrase + "，" + words(30), words(150)]
        (folder / f"{n:02}.txt").write_text(f"文{n}\n" + "。\n".join(body) + "。\n", encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == 12
    kept = [doc.id for doc in library.catalogue.documents() if doc.title == "文0"]
    for doc in library.catalogue.documents():
        if doc.id not in kept:
            library.set_hidden(doc.id, True)
    for member in (True, False):
        report = check_text(library, f"{OWN}{phrase}；{OWN2}", viewer_member=member)
        assert [(m.doc_id, m.source_text) for m in report.matches] == [(kept[0], phrase)], member
    library.close()


class _CountedSearcher:
    """A tantivy searcher that counts the hits its searches returned (``hits``) and the document frequencies it was
    asked (``freqs``)."""

    def __init__(self, searcher: tantivy.Searcher):
        self.searcher, self.hits, self.freqs = searcher, 0, 0

    def search(self, *args, **kwargs):
        found = self.searcher.search(*args, **kwargs)
        self.hits += len(found.hits)
        return found

    def doc_freq(self, *args):
        self.freqs += 1
        return self.searcher.doc_freq(*args)

    def __getattr__(self, name: str):
        return getattr(self.searcher, name)


def test_set_phrases_count_the_texts_a_brute_force_counts(tmp_path, make_home):
    """Whether a fingerprint is a set phrase's — at least ``least`` texts hold it — agrees, for every fingerprint of
    the library, a member's and a visitor's, with a brute force: the distinct texts (clusters the viewer sees, or
    documents in none) of the shown documents whose text (a visitor's: free view) holds it. A phrase is held by 8
    near-duplicates (one text), 6 near-duplicates with a members part, the phrase in their free part (one text to a
    member; six to a visitor, whose free grouping holds no document with a members part), 4 more and 5 hidden since:
    6 texts to a member, 11 of 18 holders to a visitor (read in two batches). Another, in 30 texts, is told by its
    first ``least`` holders: no more ids read (:func:`retrieve.holding`: batches of 4, 4, 8, 14 of them), its
    document frequency asked once in each field of the viewer's texts (a member's two)."""
    words = own_words(25)
    phrase, other = "以习近平新时代中国特色社会主义思想为指导", "不忘初心牢记使命担当作为真抓实干"
    folder = tmp_path / "docs"
    folder.mkdir()
    shared, free, paid = words(600), words(600), words(600)
    texts = {f"a{n}": f"甲{n}\n{words(6)}。\n{shared}。\n{phrase}。\n" for n in range(8)}
    texts |= {f"f{n}": f"乙{n}\n{free}。\n{phrase}。\n##paidbegin##\n{paid}{words(6)}。\n" for n in range(6)}
    texts |= {f"s{n}": f"丙{n}\n{words(300)}。\n{phrase}，{words(20)}。\n" for n in range(9)}
    texts |= {f"o{n}": f"丁{n}\n{words(300)}。\n{other}，{words(20)}。\n" for n in range(30)}
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == len(texts)
    for doc in library.catalogue.documents(outline=False):
        if doc.title in ("丙4", "丙5", "丙6", "丙7", "丙8"):
            library.set_hidden(doc.id, True)
    library.index.sync()
    docs = [doc for doc in library.catalogue.documents(outline=False) if not doc.hidden]
    searcher = library.index.searcher()
    phrase_tokens = set(DraftFingerprints(skeleton(phrase).chars).all())
    for member, phrase_texts in ((True, 6), (False, 11)):
        group = {row.doc_id: row.cluster_id for row in library.catalogue.cluster_rows(free=not member)}
        held: dict[str, set[int]] = {}
        for doc in docs:
            for token in index_tokens((doc if member else access.free_view(doc)).text).split():
                held.setdefault(token, set()).add(group.get(doc.id, -doc.id))
        assert {len(held[token]) for token in phrase_tokens} == {phrase_texts}, member   # the clusters as meant
        counted = _CountedSearcher(searcher)
        sources = Sources(member)
        phrases = retrieve.SetPhrases(counted, DraftFingerprints(phrase), sources, 13, group)
        assert phrases.least == 10
        assert {t for t in held if phrases._common(t)} == {t for t, found in held.items() if len(found) >= 10}
        assert {phrases.common[token] for token in phrase_tokens} == {not member}
        common = [token for token, found in held.items() if len(found) == 30]
        assert common, member
        for token in common:
            counted.hits = counted.freqs = 0
            phrases.common.pop(token)
            assert phrases._common(token) and (counted.hits, counted.freqs) == (phrases.least, 1 + member), member
            batches = list(retrieve.holding(searcher, sources, token, 4, sources.doc_freq(searcher, token)))   # doubling
            assert [len(ids) for ids in batches] == [4, 4, 8, 14]
            assert sorted(i for ids in batches for i in ids) == sorted(-text for text in held[token])
    library.close()


def test_a_rare_passage_is_looked_up_by_the_documents_that_hold_it_now(tmp_path, make_home):
    """A passage 60 documents held, 55 of them hidden since, is in 5 now: rare, looked up on its own in a later round
    (``local_candidates``). tantivy's document frequency counts the hidden ones until their segment is merged, so it
    was taken for common (more than ``RARE``) and never looked up. Each fingerprint is read once per check: a later
    round asks again, and reads nothing (but its document frequency in each field of the viewer's texts)."""
    words = own_words(12)
    passage = words(40)
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(60):
        (folder / f"{n:02}.txt").write_text(f"文{n}\n{words(150)}。\n{passage}。\n{words(150)}。\n", encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == 60
    live = []
    for doc in library.catalogue.documents(outline=False):
        if int(doc.title[1:]) < 55:
            library.set_hidden(doc.id, True)
        else:
            live.append(doc.id)
    library.index.sync()
    searcher = library.index.searcher()
    fingerprints = DraftFingerprints(skeleton(passage).chars)
    assert searcher.doc_freq("free_fp", fingerprints.all()[0]) == 60 > retrieve.RARE   # the hidden ones still counted
    opened = fingerprints.open(np.zeros(len(skeleton(passage)), dtype=bool))
    for member in (True, False):
        counted = _CountedSearcher(searcher)
        rare = retrieve.RareHolders(counted, Sources(member))
        assert sorted(retrieve.local_candidates(rare, opened, set(), 10)) == sorted(live)
        assert (counted.hits, counted.freqs) == (5 * len(opened), (1 + member) * len(opened))
        counted.hits = counted.freqs = 0   # a later round of the check reads none of them again
        assert sorted(retrieve.local_candidates(rare, opened, set(), 10)) == sorted(live)
        assert (counted.hits, counted.freqs) == (0, 0)
    library.close()


@pytest.mark.corpus
def test_a_sentence_of_one_reposted_text_is_copied_from_it(corpus_dir, tmp_path, make_home):
    """A State Council notice reposted by 11 sites — each with its own 转发 lines above it — is one text in 11
    documents: a sentence of it is copied from it, not a set phrase, which is the wording of many texts. Counted by
    documents, its sentences were in 11 and read as set phrases: 0 % copied. The texts are those the viewer sees: to
    a visitor, each document with a members part is one of its own. Ten texts saying it make it a set phrase."""
    notice = next((corpus_dir / "state_council_policies_govcn" / "txt").glob("003_*.txt")).read_text(encoding="utf-8")
    sentence = "牢固树立新发展理念，服务建设现代化经济体系"   # 20 characters of it
    assert sentence in notice
    words = own_words(13)
    folder = tmp_path / "docs"
    folder.mkdir()
    cities = "甲乙丙丁戊己庚辛壬癸子"
    for n, city in enumerate(cities):   # the reposts: the notice below a 转发 of each city's own
        (folder / f"repost{n:02}.txt").write_text(
            f"{city}市人民政府办公室转发国务院通知\n各区县人民政府：{words(40)}。\n{notice}", encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    assert library.ingest([folder], workers=1).counts["ingested"] == 11
    assert len({row.cluster_id for row in library.catalogue.cluster_rows()}) == 1   # one text, 11 documents
    draft = f"{OWN}{sentence}；{OWN2}"
    for member in (True, False):
        report = check_text(library, draft, viewer_member=member)
        assert [m.source_text for m in report.matches] == [sentence], member
    for doc in library.catalogue.documents(outline=False):   # a members part after it: to a visitor, 11 texts
        library.update(doc.id, paid_from=len(doc.text) - 60)   # (the versions a visitor sees: of free views only)
    assert [m.source_text for m in check_text(library, draft, viewer_member=True).matches] == [sentence]
    assert check_text(library, draft, viewer_member=False).matches == []
    for n in range(9):   # and in ten texts: nine other documents say it too
        (folder / f"other{n}.txt").write_text(f"文{n}\n{words(150)}。\n{sentence}，{words(30)}。\n", encoding="utf-8")
    library.ingest([folder], workers=1)
    for member in (True, False):
        assert check_text(library, draft, viewer_member=member).matches == [], member
    library.close()


def test_bad_drafts_get_a_clear_message(library, tmp_path, capsys):
    for text in ("", "   \n\n", "。，、！？——……"):
        with pytest.raises(BadValue) as error:   # the user's bad input: exit status 2 on the command line
            check_text(library, text)
        assert error.value.code == "empty_draft" and "没有可查重的文字" in error.value.message
    long = "中" * 200_000
    with pytest.raises(BadValue) as error:
        check_text(library, long)
    assert error.value.code == "draft_too_long" and "200,000" in error.value.message
    client = TestClient(create_app(library.settings.home), raise_server_exceptions=False)
    files = {"empty.txt": b"", "scan.pdf": make_cjk_pdf([[]]), "binary.txt": bytes(range(256)) * 40,
             "long.txt": long.encode("utf-8")}
    home = str(library.settings.home)
    # a draft with no text (empty, a blank scan), too long or of a type no reader takes is bad input (exit 2, as a
    # refused value is); one that cannot be read an error
    files["图表.xyz"] = "一份草稿".encode()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("草稿.txt", "一份草稿")
    files["草稿.zip"] = packed.getvalue()
    expected = {"empty.txt": ExitCode.USAGE, "scan.pdf": ExitCode.USAGE, "binary.txt": ExitCode.ERROR,
                "long.txt": ExitCode.USAGE, "图表.xyz": ExitCode.USAGE, "草稿.zip": ExitCode.USAGE}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        response = client.post("/api/check", files={"file": (name, data)})
        assert response.status_code in (413, 422), (name, response.text)
        body = response.json()
        assert body["ok"] is False and re.search(r"[\u4e00-\u9fff]", body["error"]), body
        assert "导入" not in body["error"], body   # nothing is imported by a 查重 (new-user try 26: 「再导入其中的文件」)
        capsys.readouterr()
        assert run_cli(["check", str(tmp_path / name), "--home", home]) == expected[name], name
        said = capsys.readouterr()
        assert said.out == "" and body["error"] in said.err and "Traceback" not in said.err, (name, said)
    for path in ("/dev/null", str(tmp_path)):   # no draft file at all is bad input too, a device as a folder (try 26)
        assert run_cli(["check", path, "--home", home]) == ExitCode.USAGE, path
        assert "Traceback" not in capsys.readouterr().err
    assert run_cli(["check", str(tmp_path / "empty.txt"), "-o", str(tmp_path / "报告.pdf"), "--home", home]) \
        == ExitCode.USAGE
    assert "查重报告只能保存为 .html 或 .docx" in capsys.readouterr().err
    nested = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"   # attack 19: nested too deep was a 500
    for body, kind in ((b"{not json", "application/json"), (b'{"text": 5}', "application/json"), (nested, "application/json"),
                       (b"\xff\xfe\xfa", "text/plain"), (long.encode(), "text/plain"), (b"x", "image/png")):
        response = client.post("/api/check", content=body, headers={"content-type": kind})
        assert response.status_code in (413, 422), (kind, response.text)
        assert re.search(r"[\u4e00-\u9fff]", response.json()["error"]), response.text
    page = client.post("/check", data={"text": ""}, headers={"accept": "text/html"})
    assert page.status_code == 422 and "没有可查重的文字" in page.text and 'id="check-form"' in page.text
    # a draft file is read within the per-file budget of the ingest
    two_pages = tmp_path / "两页.pdf"
    two_pages.write_bytes(make_cjk_pdf([[(72, 720, "第一页的文字")], [(72, 720, "第二页的文字")]]))
    with pytest.raises(ReadError) as error:
        read_draft(replace(library.settings, parse_max_pages=1), two_pages)
    assert error.value.code == "too_large" and "超过每个文件 1 页的上限" in error.value.message
    assert "第一页的文字" in read_draft(library.settings, two_pages)


def test_an_uploaded_drafts_name_is_shown_cleaned_in_its_error(library):
    """Fix 30: a refused draft's name was echoed raw — 「“报告\u202excod.docx” 不是有效的 Word 文件」, its bidi override and
    control characters shown back to the uploader. It is shown as every file name is (:func:`sucai.clean.display_name`):
    each run of such characters one space, the ends stripped, the last part of a path only."""
    client = TestClient(create_app(library.settings.home), raise_server_exceptions=False)
    cases = {"报告\u202excod.docx": "“报告 xcod.docx” 不是有效的 Word 文件",
             "C:\\草稿\\扫描\u200b件\x1b[2J.pdf": "“扫描 件 [2J.pdf” 不是有效的 PDF 文件",
             "稿.\u2067yxz": "不支持的文件类型 . yxz（"}
    for name, said in cases.items():
        for path, key in (("/api/check", "error"), ("/check", None)):
            answer = client.post(path, files={"file": (name, "一份草稿的文字".encode())},
                                 headers={"accept": "application/json" if key else "text/html",
                                          "x-forwarded-for": "198.51.100.30"})
            shown = answer.json()[key] if key else answer.text
            assert answer.status_code == 422 and said in shown, (name, path, shown)
            assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in shown.replace("\n", "")), (name, path)


def test_a_short_text_draft_is_read_without_a_worker(library, tmp_path, monkeypatch):
    """A .txt or .md draft of at most 4 bytes per character of check_max_chars is read in this process (a worker's
    start was most of a 41-字 check's time on the command line), with the ingest's reading: a short GBK file decoded,
    Markdown's markup gone. A Word file, a text over the limit, and a .txt that is really a PDF go to a worker; so does
    a .md over 32 KB (attack28: 400 KB of ``[[[…`` held the web server's process for 7 s of markdown-it)."""
    sent = []
    worker = check_module.run_budgeted
    monkeypatch.setattr(check_module, "run_budgeted", lambda function, jobs, *rest: sent.extend(jobs) or
                        worker(function, jobs, *rest))
    settings = replace(library.settings, check_max_chars=100)
    words = "关于进一步加强基层减负工作的通知\n各乡镇：为切实减轻基层负担。"
    gbk = tmp_path / "草稿.txt"
    gbk.write_bytes(words.encode("gbk"))
    assert read_draft(settings, gbk) == words
    assert read_draft(settings, data="# 题目\n\n正文**加粗**".encode(), name="稿.md") == "题目\n正文加粗"
    assert sent == []
    over = tmp_path / "长稿.txt"
    over.write_bytes(("字" * 134).encode())   # 402 bytes > 4 × 100: 134 字, over check_max_chars, refused in its worker
    with pytest.raises(BadValue, match="草稿共 134 字"):
        read_draft(settings, over)
    pdf = tmp_path / "其实是PDF.txt"
    pdf.write_bytes(make_cjk_pdf([[(72, 720, "第一页的文字")]]))
    assert "第一页的文字" in read_draft(settings, pdf)
    assert [job[0] for job in sent] == [over, pdf]
    big = replace(settings, check_max_chars=100_000)   # 400 KB of text in this process, Markdown only 32 KB
    markup = "[" * (check_module._INLINE_MARKDOWN_BYTES - 1)   # markdown-it's costliest input: ~10 µs a byte
    assert read_draft(big, data=f"{markup}\n".encode(), name="稿.md") == markup
    assert read_draft(big, data=f"{markup}[\n".encode(), name="稿.md") == markup + "["
    assert [job[2] for job in sent[2:]] == ["稿.md"]   # only the one over the limit went to a worker


def test_a_draft_file_longer_than_a_check_takes_is_refused_in_its_worker(library, monkeypatch):
    """Attack27: a .docx of numbered paragraphs whose label is 25 numbers of 50 letters each (the numbering part's
    bounds: a template of 50 characters, a list starting at 32,767) read as 1,250 letters a paragraph — 100 kB of
    upload, 125 M characters, which the worker sent back to the web server's process for it to count (1.9 GB); a
    label is now 100 characters at most (sec28). The worker refuses a text longer than check_max_chars (BadValue
    draft_too_long, the web's 422, exit status 2) and sends back its reason only, its 字数 counted by hand: 500
    paragraphs × 100 (the labels' spaces uncounted)."""
    document = new_document()
    add_numbering(document, 90, [("lowerLetter", "%1" * 25, 32_767)], 90)
    for _ in range(500):
        number_paragraph(document.add_paragraph(""), 90)
    data = docx_bytes(document)
    sent_back = []
    finish = check_module.run_budgeted
    monkeypatch.setattr(check_module, "run_budgeted", lambda *args: sent_back.extend(found := list(finish(*args))) or found)
    with pytest.raises(BadValue) as refused:
        read_draft(replace(library.settings, check_max_chars=49_999), data=data, name="编号.docx")
    assert refused.value.code == "draft_too_long" and "草稿共 50,000 字" in refused.value.message
    assert [type(result) for result in sent_back] == [tuple]   # the reason, not the text
    # within the limit, the text itself: counters 32,767 (g, 100 times), 32,768 (h)…, each label with its space
    assert read_draft(replace(library.settings, check_max_chars=50_000), data=data, name="编号.docx") == "\n".join(
        chr(ord("a") + (32_766 + k) % 26) * 100 + " " for k in range(500))


@pytest.mark.parametrize("member", [True, False])
def test_our_own_md_download_checks_as_its_text(library, member):
    """F7: a .md download checked again counted its markup (``#``, ``>``, ``｜``, ``\\.``) and its metadata line
    (「文种：… ｜ 字数：…」) as the writer's text. Read back it is its title and text, as its .txt download with its
    blank lines left out (markdown's paragraphs are read one a line): the same 总字数 (the title's and the text's 字数 —
    the metadata line is no part of it) and the same report."""
    doc = doc_titled(library, "某县农业农村局关于做好")
    shown = doc if member else access.free_view(doc)
    notice = None if member else access.notice(doc)
    reports = {}
    for fmt in ("md", "txt"):
        _, data = export_document(shown, fmt, notice=notice)
        text = read_draft(library.settings, data=data, name=f"下载.{fmt}")
        reports[fmt] = check_text(library, re.sub(r"\n\s*\n", "\n", text), viewer_member=member)
    md = reports["md"]
    assert md.chars == count_chars(doc.title + shown.text + (notice or "")) == reports["txt"].chars
    assert "字数：" not in md.text and "#" not in md.text and "\\" not in md.text
    assert md.copy_ratio == reports["txt"].copy_ratio > 0.9
    assert [(m.doc_id, m.source_start, m.source_end) for m in md.matches] == \
        [(m.doc_id, m.source_start, m.source_end) for m in reports["txt"].matches]


def test_a_markdown_draft_reads_as_its_text():
    """Markup goes, the writer's words and numbers stay: an ordered item keeps its number, a link its text; a quote
    that is not our download's metadata line right under the title stays (by hand)."""
    text = written_text("# 题目\n\n> 来源：某局 ｜ 字数：12\n\n## 一、总体要求\n\n1\\. 抓好**落实**，见[通知](http://x/)。\n"
                        "第二行\n\n2. 列表\n\n> 字数：5\n")
    assert text == "题目\n一、总体要求\n1. 抓好落实，见通知。\n第二行\n2. 列表\n字数：5"
    assert written_text("正文\n\n> 字数：5") == "正文\n字数：5"   # no title above it: the writer's quote


def test_markdown_that_reads_as_no_text_is_kept_as_written():
    """Review 18: a notes line markdown-it reads as a link reference definition, and text nested past its limit of
    twenty, vanished from the draft — and from its 总字数 and its 查重. They are kept as written, in their place, without
    the quote and list markers before them (by hand)."""
    assert written_text("正文一\n\n[1]: 《关于某事的通知》\n[1]: 《另一份通知》\n\n正文二") == \
        "正文一\n[1]: 《关于某事的通知》\n[1]: 《另一份通知》\n正文二"
    assert written_text("引文：\n\n> [注]: <某局 文件>\n>   “标题”\n") == "引文：\n[注]: <某局 文件>\n“标题”"
    assert written_text("正文\u2028续\f完\r\n\r\n[1]: 《通知》") == "正文\u2028续\f完\n[1]: 《通知》"   # markdown-it's lines
    assert written_text(">" * 20 + " 正文") == "正文"
    assert written_text("前\n\n" + "> " * 19 + "- 深处的条目\n" + "> " * 19 + "  续行\n\n后") == "前\n深处的条目\n续行\n后"


def test_one_rule_for_the_word_count(library):
    """Stop 30: 字数 counted white space by str.isspace in Python and by ``\\s`` in the 写作台, which differed on a
    pasted BOM, control characters, U+200B, U+0085… One rule now (``UNCOUNTED``): no white space, control or invisible
    character is counted — 查重's 总字数, ``Draft.chars`` and the counter (its browser test) alike."""
    pasted = "\ufeff我们要\u200b认真\u3000学习\u00a0，\x01抓好\u0085\x1c落\u00ad实\ufe0f。\u2060😀\t\n"
    seen = "我们要认真学习，抓好落实。😀"   # what a writer sees, by hand: 14 characters
    assert count_chars(pasted) == len(seen) == 14
    assert check_text(library, pasted).chars == 14
    draft = Draft("标题", "通知", "", [Section("学习", 1, [Paragraph(pasted)])])
    assert draft.chars == len("一、学习") + 14


def test_an_over_long_draft_is_refused_before_anything_else(home, monkeypatch, capsys, tmp_path):
    """Stop 30: the closing 附：素材来源 list of a draft (a pass over its lines, a read of the titles it names) was
    looked at before the draft's length, and a visitor's hourly 查重 was counted for a draft then refused as too
    long. The length now comes first, on the whole text: the API, the page and the CLI refuse an over-long draft
    with the Chinese message, the list code never reached, nothing counted."""
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("check_max_chars = 2000\nfree_checks_per_hour = 1\n")
    library = Library.open(home)
    lines = [f"{i}. 一、总体要求 第1段：《关于某项工作的通知》（编号 {i}）；原文照录" for i in range(1, 301)]
    draft = "一、总体要求\n" + OWN * 20 + "\n附：素材来源\n" + "\n".join(lines)
    message = f"草稿共 {solid(draft):,} 字，超过单次查重上限 2,000 字"

    def never(*args):
        raise AssertionError("the sources list was looked at before the length")

    monkeypatch.setattr("sucai.check._without_sources_list", never)
    with pytest.raises(BadValue) as error:
        check_text(library, draft)
    assert error.value.code == "draft_too_long" and error.value.message.startswith(message)
    client = TestClient(create_app(home), raise_server_exceptions=False)
    for response in (client.post("/api/check", json={"text": draft}),
                     client.post("/api/check", content=draft.encode(), headers={"content-type": "text/plain"})):
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "draft_too_long" and response.json()["error"].startswith(message)
    page = client.post("/check", data={"text": draft}, headers={"accept": "text/html"})
    assert page.status_code == 422 and message in page.text and 'id="check-form"' in page.text
    (tmp_path / "长稿.txt").write_text(draft, encoding="utf-8")
    capsys.readouterr()
    assert run_cli(["check", str(tmp_path / "长稿.txt"), "--home", str(home)]) == ExitCode.USAGE
    said = capsys.readouterr()
    assert message in said.err and "Traceback" not in said.err
    monkeypatch.undo()
    assert client.post("/api/check", json={"text": OWN}).status_code == 200   # the visitor's one 查重 this hour is left
    file = client.post("/api/check", files={"file": ("长稿.txt", draft.encode())})   # a file is counted before it is read
    assert file.status_code == 429 and file.json()["code"] == "too_many_checks"
    library.close()


def test_a_visitors_uploaded_file_is_counted_before_it_is_read(home, monkeypatch):
    """Attack 26: a visitor's file was read — a scan's OCR in a worker up to the per-file budget, a 400 KB Markdown
    file parsed in the server's own process (6.5 s CPU) — before any of ``free_checks_per_hour`` was counted, and
    not counted at all when its text then proved too long or the file unreadable: no end of such uploads. A file is
    counted before it is read; this hour's free 查重 spent, the next is refused unread (429)."""
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("check_max_chars = 2000\nfree_checks_per_hour = 2\n")
    read = []
    monkeypatch.setattr("sucai.web.check.read_draft", lambda settings, path, data, name: read.append(name) or "字" * 2001)
    client = TestClient(create_app(home), raise_server_exceptions=False)
    statuses = [client.post("/api/check", files={"file": (f"稿{n}.md", b"#")}).status_code for n in range(3)]
    assert statuses == [422, 422, 429] and read == ["稿0.md", "稿1.md"]
    page = client.post("/check", files={"file": ("稿3.md", b"#")}, headers={"accept": "text/html"})
    assert page.status_code == 429 and "查重过于频繁" in page.text and read == ["稿0.md", "稿1.md"]
    assert client.post("/api/check", json={"text": "字" * 2001}).json()["code"] == "draft_too_long"   # typed: not counted


def _uploads(home: Path, settings: str) -> TestClient:
    """A client of an app over ``home`` with ``settings`` added, through a trusted proxy: ``post(client, n, …)``
    uploads as the client address ``198.51.100.n``."""
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write(f"trusted_proxies = \"10.0.0.0/8\"\n{settings}")
    return TestClient(create_app(home), raise_server_exceptions=False, client=("10.0.0.1", 1))


def _upload(client: TestClient, address: int, data: bytes = b"x", path: str = "/api/check", **headers):
    return client.post(path, files={"file": ("稿.txt", data)}, headers={"x-forwarded-for": f"198.51.100.{address}", **headers})


def _until(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_uploaded_drafts_are_read_one_at_a_time(home, monkeypatch):
    """Attack 23: each uploaded draft was read at once in a worker of its own — a visitor's hour of 30 scans sent
    together ran 30 Tesseracts at once, each up to ``parse_timeout_seconds``, on a machine of 2 cores. A server process
    reads one uploaded file at a time, first come first served: here the first read goes on until the other upload
    (from another address) waits for its turn, and a read of it comes only once the first is done."""
    client = _uploads(home, "free_checks_per_hour = 0\n")
    first, second, overlapped = threading.Lock(), threading.Event(), []

    def read(settings, path, data, name):
        if not first.acquire(blocking=False):
            second.set()
            return OWN
        assert _until(lambda: client.app.state.draft_reads.statistics().tasks_waiting == 1)   # the other one asked
        overlapped.append(second.wait(timeout=2))
        return OWN

    monkeypatch.setattr("sucai.web.check.read_draft", read)
    with client:
        other = threading.Thread(target=_upload, args=(client, 1))
        other.start()
        answer = _upload(client, 2).json()
        assert answer.get("chars") == count_chars(OWN), answer
        other.join(timeout=60)
    assert overlapped == [False]


def held_reads(monkeypatch) -> tuple[threading.Event, threading.Event, list[bytes]]:
    """Uploaded drafts read as ``OWN``, each file's bytes recorded, and the one of ``b"slow"`` held until released:
    ``(reading, release, read)`` — set once the slow one is being read, to set to let it end, the bytes read."""
    reading, release, read = threading.Event(), threading.Event(), []

    def read_draft(settings, path, data, name):
        read.append(data)
        if data == b"slow":
            reading.set()
            release.wait(timeout=10)
        return OWN

    monkeypatch.setattr("sucai.web.check.read_draft", read_draft)
    return reading, release, read


def test_an_uploaded_draft_waits_for_the_reads_before_it_a_bounded_time(home, monkeypatch):
    """verify24: the reads were one at a time with no bound on the wait — a visitor's hour of thirty slow scans (each
    up to ``parse_timeout_seconds``, 300 s) held every other upload of the process, a member's too, for hours. An
    upload whose turn has not come within ``READ_WAIT_SECONDS`` is answered 503 ``busy`` (with ``Retry-After``); the
    slow one is answered, and the next upload is read at once after it. fix24: the 503 spent one of the visitor's
    ``free_checks_per_hour``, counted before the wait: it is counted when the file's turn comes."""
    monkeypatch.setattr("sucai.web.check.READ_WAIT_SECONDS", 1)
    reading, release, _ = held_reads(monkeypatch)
    with _uploads(home, "free_checks_per_hour = 1\n") as client:
        answers = []
        slow = threading.Thread(target=lambda: answers.append(_upload(client, 1, b"slow")))
        slow.start()
        assert reading.wait(timeout=60)
        busy = _upload(client, 2)
        release.set()
        slow.join(timeout=60)
        after, spent = _upload(client, 2), _upload(client, 2)
    assert (busy.status_code, busy.json()["code"], busy.headers["retry-after"]) == (503, "busy", "1"), busy.text
    assert "请稍后再试" in busy.json()["error"]
    assert [a.json().get("chars") for a in (*answers, after)] == [count_chars(OWN)] * 2
    assert (spent.status_code, spent.json()["code"]) == (429, "too_many_checks")   # the hour's one: spent by after


def test_an_uploader_has_one_file_in_hand_at_a_time(home, monkeypatch):
    """fix24: one client address queued all its uploads of the hour ahead of everyone else's, each read up to
    ``parse_timeout_seconds``. While an address's upload waits or is read, another from it is refused at once (429
    ``upload_in_hand``, Chinese, with Retry-After; the 查重 page too), unread and uncounted; other addresses wait their
    turn as before. A member has one per account, whatever the address (colleagues behind one office address)."""
    monkeypatch.setattr("sucai.web.check.READ_WAIT_SECONDS", 1)
    accounts = Accounts.open(home)
    accounts.add_user("会员", "check-password", "member", "2099-12-31")
    member = {"authorization": f"Bearer {accounts.create_token('会员', 't')}"}
    accounts.close()
    reading, release, read = held_reads(monkeypatch)
    with _uploads(home, "free_checks_per_hour = 2\n") as client:
        slow = threading.Thread(target=_upload, args=(client, 1, b"slow"))
        slow.start()
        assert reading.wait(timeout=60)
        refused, page = _upload(client, 1, b"again"), _upload(client, 1, b"again", "/check", accept="text/html")
        other, members = _upload(client, 2, b"other"), _upload(client, 1, b"member", **member)
        release.set()
        slow.join(timeout=60)
        after = _upload(client, 1, b"after")
    assert (refused.status_code, refused.json()["code"], refused.headers["retry-after"]) == (429, "upload_in_hand", "1")
    assert "上一个文件还在排队或读取中" in refused.json()["error"]
    assert (page.status_code, page.headers["retry-after"]) == (429, "1") and "上一个文件还在排队或读取中" in page.text
    assert [a.json()["code"] for a in (other, members)] == ["busy", "busy"]   # waited their turn, not refused
    assert after.json().get("chars") == count_chars(OWN), after.text   # the hour's second: the refused cost nothing
    assert read == [b"slow", b"after"]


def test_a_free_upload_is_read_within_the_wait_of_the_next(home, monkeypatch):
    """attack24: a scan of noise kept Tesseract on for the whole ``parse_timeout_seconds`` (300 s), and sent again as
    soon as it was answered, its address alone had every other upload of the process answered 503 ``busy`` after
    ``READ_WAIT_SECONDS``. A visitor's or free user's file is read within half of ``READ_WAIT_SECONDS`` (the setting if
    less), so the file behind it is read in its time — read within the whole wait, the scan and its worker's start
    took 61 s, and a file sent 3 s after it was still answered 503 —; a member's within the setting. One not read in
    time is said so as a 查重's, not as the ingest's (a setting to raise, then 入库 again)."""
    accounts = Accounts.open(home)
    for name, role in (("会员", "member"), ("用户", "user")):
        accounts.add_user(name, "check-password", role, "2099-12-31" if role == "member" else None)
    tokens = {name: {"authorization": f"Bearer {accounts.create_token(name, 't')}"} for name in ("会员", "用户")}
    accounts.close()
    budgets, wait = [], web_check.READ_WAIT_SECONDS // 2
    assert wait < 100

    def read_draft(settings, path, data, name):
        budgets.append(settings.parse_timeout_seconds)
        if data == b"scan":   # as the OCR says it to an ingest
            raise ReadError("文字识别（OCR）读到第 3 页（共 9 页）时超出每个文件的时间上限，已停止；可调大设置 "
                            "parse_timeout_seconds（sucai.toml）后再次入库", code="timeout")
        return OWN

    monkeypatch.setattr("sucai.web.check.read_draft", read_draft)
    with _uploads(home, "free_checks_per_hour = 0\nparse_timeout_seconds = 100\n") as client:
        for headers in ({}, tokens["用户"], tokens["会员"]):
            assert _upload(client, 1, **headers).json().get("chars") == count_chars(OWN)
        timeouts = [_upload(client, 1, b"scan", **headers).json() for headers in ({}, tokens["会员"])]
        monkeypatch.setattr("sucai.web.check.READ_WAIT_SECONDS", 300)   # half of it: more than the setting
        _upload(client, 1)
    assert budgets == [wait, wait, 100, wait, 100, 100]
    assert [(t["code"], t["error"]) for t in timeouts] == [
        ("timeout", f"文件在 {seconds} 秒内没有读完（扫描件的文字识别较慢），已停止；请直接粘贴草稿文字查重，或分成几个较小的文件上传")
        for seconds in (wait, 100)]   # a web 查重 has no setting to raise, nor an ingest to run again


def test_a_members_scan_read_to_its_limit_spends_a_check(home, monkeypatch):
    """attack25: a member's scan that Tesseract read to ``parse_timeout_seconds`` (300 s) spent nothing — a failed
    查重 spends none —, and one whose 查重 of the day were spent was read too, only then refused: one member sending
    noise scans one after another held the process's file reads for ever, every other upload answered 503 ``busy``.
    A member's file is read only with a 查重 of the day left (429 ``quota_exceeded`` unread), and one read to its time
    limit spends one; a file read in time and then refused spends none, as before."""
    accounts = Accounts.open(home)
    accounts.add_user("会员", "check-password", "member", "2099-12-31")
    member = accounts.viewer("会员")
    token = {"authorization": f"Bearer {accounts.create_token('会员', 't')}"}
    read = []

    def read_draft(settings, path, data, name):
        read.append(data)
        if data == b"scan":
            raise ReadError("文字识别（OCR）超出每个文件的时间上限，已停止", code="timeout")
        if data == b"bad":
            raise ReadError("Word 文件已损坏", code="corrupt")
        return OWN

    monkeypatch.setattr("sucai.web.check.read_draft", read_draft)
    with _uploads(home, "member_daily_checks = 2\n") as client:
        answers = [_upload(client, 1, data, **token) for data in (b"bad", b"scan", b"x", b"scan", b"x")]
    assert [a.json().get("code") for a in answers] == ["corrupt", "timeout", None, "quota_exceeded", "quota_exceeded"]
    assert answers[2].json()["chars"] == count_chars(OWN)
    assert read == [b"bad", b"scan", b"x"]   # the last two not read: the day's two spent (a timeout, a report)
    assert accounts.used_today(member, "check") == 2
    assert [e["detail"] for e in accounts.audit_log(10, event="check")] == [f"查重 {len(OWN)} 字", "查重 文件未在时限内读完"]
    accounts.close()


@pytest.mark.skipif(ocr.missing() is not None, reason=ocr.missing() or "")
def test_a_scan_read_for_a_check_past_its_time_limit_is_said_as_a_checks(library, tmp_path, monkeypatch, capsys):
    """A scan 查重 could not read within ``parse_timeout_seconds`` was said as the ingest says it: raise the setting,
    「后再次入库，这个文件会重新读取」. ``sucai check`` says to check again; the web 查重, whose user has no setting to
    raise, to paste the text or split the file. Two seconds: the deadline less Tesseract's stop has passed at page 1."""
    scan = tmp_path / "扫描件.png"
    scan.write_bytes(image_bytes(Image.new("L", (400, 200), 255)))
    said = ("文字识别（OCR）读到第 1 页（共 1 页）时超出每个文件的时间上限，已停止；"
            "可调大设置 parse_timeout_seconds（sucai.toml，或环境变量 SUCAI_PARSE_TIMEOUT_SECONDS）后重新查重")
    with pytest.raises(ReadError) as caught:
        read_draft(replace(library.settings, parse_timeout_seconds=2), scan)
    assert (caught.value.code, caught.value.message) == ("timeout", said)
    monkeypatch.setenv("SUCAI_PARSE_TIMEOUT_SECONDS", "2")
    capsys.readouterr()
    assert run_cli(["check", str(scan), "--home", str(library.settings.home)]) == ExitCode.ERROR
    err = capsys.readouterr().err
    assert said in err and "入库" not in err and "Traceback" not in err
    client = TestClient(create_app(library.settings.home), raise_server_exceptions=False)
    answer = client.post("/api/check", files={"file": ("扫描件.png", scan.read_bytes())})
    assert (answer.status_code, answer.json()["code"], answer.json()["error"]) == (
        422, "timeout", "文件在 2 秒内没有读完（扫描件的文字识别较慢），已停止；请直接粘贴草稿文字查重，或分成几个较小的文件上传")


def test_a_check_never_changes_the_library(library):
    index_files = {p.name: p.stat().st_mtime_ns for p in library.settings.index_dir.iterdir()}
    state = lambda: (library.catalogue.change_count(), library.catalogue.meta("signature_seq"),  # noqa: E731
                     library.catalogue.stats(), library.catalogue.cluster_rows())
    before = state()
    doc, passage = free_passage(library)
    check_text(library, f"{OWN}{passage}", False)
    check_text(library, f"{OWN}{passage}", True)
    assert state() == before
    assert {p.name: p.stat().st_mtime_ns for p in library.settings.index_dir.iterdir()} == index_files


def test_cli_checks_a_draft_given_on_standard_input(library, monkeypatch, capsys):
    """New-user try 22: a pasted paragraph had to be saved to a file first. ``sucai check -`` reads the draft from
    standard input (any encoding a text file may have: here GB18030) and reports as on the same text."""
    doc, passage = free_passage(library)
    draft = f"{OWN}\n{passage}\n{OWN2}"
    home = str(library.settings.home)
    result = CliRunner().invoke(cli_app, ["check", "-", "--json", "--free", "--home", home],
                                input=draft.encode("gb18030"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report == check_text(library, draft, False).to_dict()
    assert report["max_source"]["doc_id"] == doc.id and report["copy_ratio"] > 0
    capsys.readouterr()
    # bad input: exit 2, said as of a paste — nothing pasted said 文件为空 (new-user try 19)
    for pasted in (b"", b" \n\t\r\n", "。，、\n".encode()):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(pasted)))
        assert run_cli(["check", "-", "--home", home]) == ExitCode.USAGE, pasted
        assert capsys.readouterr().err == "错误：草稿中没有可查重的文字（为空，或只有图片、符号）\n", pasted


def test_a_draft_that_never_ends_is_refused_in_chinese(library, tmp_path, monkeypatch, capsys):
    """``sucai check /dev/zero``: the short-text path read it in this process to its end (the machine's memory,
    then an internal MemoryError); a named pipe waited for a writer for ever. Both are refused unread, as the
    worker's reading refuses them. Standard input is read to one byte past the file limit, then refused (exit 1)."""
    fifo = tmp_path / "草稿.txt"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        with pytest.raises(BadValue) as caught:   # the user's bad input: exit 2
            read_draft(library.settings, path)
        assert caught.value.code == "not_a_file" and "不是普通文件" in caught.value.message, path
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 100)
    for size, status in ((100, ExitCode.OK), (101, ExitCode.ERROR)):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("稿".encode() * 33 + b"x" * (size - 99))))
        assert run_cli(["check", "-", "--home", str(library.settings.home)]) == status, size
    assert "粘贴的草稿过大" in capsys.readouterr().err


def test_cli_api_and_page_give_the_same_report(library, tmp_path):
    doc, passage = free_passage(library)
    draft = f"{OWN}\n{passage}\n{OWN2}"
    path = tmp_path / "草稿.txt"
    path.write_bytes(draft.encode("gb18030"))
    runner = CliRunner(env={"COLUMNS": "200"})
    home = str(library.settings.home)
    cli = json.loads(runner.invoke(cli_app, ["check", str(path), "--json", "--free", "--home", home]).output)
    client = TestClient(create_app(home))
    assert client.post("/api/check", json={"text": draft}).json() == cli
    assert client.post("/api/check", files={"file": ("草稿.txt", draft.encode("gb18030"))}).json() == cli
    assert client.post("/api/check", content=draft.encode(), headers={"content-type": "text/plain"}).json() == cli
    assert cli == check_text(library, draft, False).to_dict()
    shown = runner.invoke(cli_app, ["check", str(path), "--home", home, "-o", str(tmp_path / "报告.docx")])
    assert shown.exit_code == 0 and "总文字复制比" in shown.output and doc.title[:10] in shown.output
    # new-user try 29: the table counted from 0 (a match at the draft's start was at 「0–27」); a writer counts from 1
    table = [line.split("│")[1:-1] for line in shown.output.splitlines() if line.startswith("│ ") and line[2] != " "]
    assert [(cells[0].strip(), cells[3].strip()) for cells in table] == [
        (f"{m['start'] + 1}–{m['end']}", f"{m['source_start'] + 1}–{m['source_end']}") for m in cli["matches"]]
    assert (tmp_path / "报告.docx").read_bytes()[:2] == b"PK"
    picker = re.search(r'<input type="file" name="file" accept="([^"]*)"', client.get("/check").text).group(1)
    assert set(picker.split(",")) == {".txt", ".md", ".docx", ".pdf", ".html", ".htm", ".doc", ".wps", ".rtf", ".odt",
                                      ".png", ".jpg", ".jpeg", ".tif", ".tiff"}   # what the reader takes (try 17: no .doc)
    page = client.post("/check", files={"file": ("草稿.txt", draft.encode("utf-16"))}, headers={"accept": "text/html"})
    assert page.status_code == 200 and 'class="seg-copied"' in page.text and 'id="check-matches"' in page.text
    html = client.post("/api/check", params={"format": "html"}, data={"text": draft})
    assert html.headers["content-type"].startswith("text/html") and "attachment" in html.headers["content-disposition"]
    assert "总文字复制比" in html.text and passage[:20] in html.text
    # the downloaded page links its sources to the site (new-user try 21: 「/documents/N」 led nowhere from the disk);
    # the site's own page links them as its pages do, and a report made by `sucai check -o` names them only
    assert re.findall(r'<a href="([^"]+)"', html.text) == [f"http://testserver/documents/{doc.id}"] * 2
    section = page.text.split('class="check-report"')[1].split("</section>")[0]
    assert re.findall(r'<a href="([^"]+)"', section) == [f"/documents/{doc.id}"] * 2
    made = runner.invoke(cli_app, ["check", str(path), "--free", "--home", home, "-o", str(tmp_path / "报告.html")])
    offline = (tmp_path / "报告.html").read_text(encoding="utf-8")
    assert made.exit_code == 0 and "<a " not in offline and offline.count(f"《{doc.title}》（编号 {doc.id}）") == 2
    docx = client.post("/api/check", params={"format": "docx"}, data={"text": draft})
    assert docx.content[:2] == b"PK" and "wordprocessingml" in docx.headers["content-type"]


def test_a_lone_surrogate_in_a_json_draft_reads_as_a_replacement_character(library):
    """JSON may spell half of a UTF-16 pair ("\\ud800"), which no UTF-8 page, file or report can hold: the
    draft reads it as U+FFFD, and every format of the report is made (it was a 500 before)."""
    doc, passage = free_passage(library)
    draft = f"\ud800繁體{OWN}\n{passage}"
    client = TestClient(create_app(library.settings.home), raise_server_exceptions=False)
    post = lambda fmt: client.post("/api/check", params={"format": fmt},  # noqa: E731
                                   content=json.dumps({"text": draft}), headers={"content-type": "application/json"})
    report = post("json")
    assert report.status_code == 200, report.text
    assert report.json() == check_text(library, draft.replace("\ud800", "\ufffd"), False).to_dict()
    assert [m["doc_id"] for m in report.json()["matches"]] == [doc.id]
    html = post("html")
    assert html.status_code == 200 and "\ufffd繁體" in html.text and passage[:20] in html.text
    assert post("docx").content[:2] == b"PK"


# -- the corpus ------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_synthetic_plagiarism_set(subset_library):
    """Drafts of passages (10–300 characters) copied from corpus documents and lightly reworded, mixed with
    original text: precision and recall of copied characters and of attribution ≥ 0.95; the error of
    总文字复制比 at most 2 percentage points on average."""
    library, _ = subset_library
    docs = [d for d in library.catalogue.documents(outline=False) if d.chars >= 500]
    rng = random.Random(20261130)
    han = "".join(sorted({c for d in docs[:100] for c in d.text if "\u4e00" <= c <= "\u9fff"}))
    score, holds = Score(), holder(library)
    for _ in range(40):
        draft = make_draft(rng, docs, rng.randint(5, 20), han)
        score.add(draft, check_text(library, draft.text, viewer_member=True), holds)
    errors = sorted(score.ratio_errors)
    mean = sum(errors) / len(errors)
    print(f"plagiarism set: {score.truth} copied characters; precision {score.precision:.4f}, recall {score.recall:.4f}; "
          f"attribution precision {score.attribution_precision:.4f}, recall {score.attribution_recall:.4f}; "
          f"总文字复制比 error mean {mean * 100:.2f} pp, p90 {errors[int(0.9 * len(errors))] * 100:.2f} pp, "
          f"max {errors[-1] * 100:.2f} pp")
    assert score.precision >= 0.95 and score.recall >= 0.95
    assert score.attribution_precision >= 0.95 and score.attribution_recall >= 0.95
    assert mean <= 0.02


@pytest.mark.corpus
@pytest.mark.parametrize("seed", [2212, 6, 35])
def test_a_long_draft_finds_each_of_its_many_sources(subset_library, seed):
    """A draft compiled from many documents — here a paragraph of each of 120, about 25,000 字 — has each of
    them found, so each paragraph is copied whole: the sources a 查重 aligns grow with the draft's length. At 20 +
    30 + 30 sources whatever its length, at most 80 of the 120 could be found. Law articles made of the phrases of
    many laws' penalty articles too: a 旅游法 article (seed 6) was 45 % found, a 会计法 one (seed 35) 39 % — their set
    phrases closed their stretches to the later rounds —, and a 个人信息保护法 one (seed 35) 87 % when the later rounds
    ranked documents by the number of their rare fingerprints, not by their weight."""
    library, _ = subset_library
    rng = random.Random(seed)
    docs = sorted(library.catalogue.documents(outline=False), key=lambda d: (d.title, d.text))   # ids: as parsed
    lines = [[line.strip() for line in d.text.splitlines() if 120 <= len(line.strip()) <= 300] for d in docs]
    draft = "\n".join(rng.choice(found) for found in rng.sample([found for found in lines if found], 120))
    report = check_text(library, draft, viewer_member=True)
    missed = [draft[p.start:p.end][:30] for p in report.paragraphs if p.copy_ratio < 0.9]
    assert len(report.paragraphs) == 120 and not missed


def _samples_and_accounts(home, settings):
    """The bundled sample library ingested into ``home`` with ``settings`` (lines of sucai.toml) added; its accounts
    store, open."""
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write(settings)
    library = Library.open(home)
    library.ingest([SAMPLES / "library"], workers=1)
    library.close()
    return Accounts.open(home)


def test_visitors_and_free_users_checks_are_limited_and_not_audited(home):
    """Attack 12: a visitor's 查重 had no limit and wrote a row of the audit log each. Now a visitor may run
    ``free_checks_per_hour`` an hour from one address and a free user as many per account (429
    ``too_many_checks`` in Chinese, with Retry-After), counted apart from the audit log; members spend their
    daily quota as before."""
    accounts = _samples_and_accounts(home, "free_checks_per_hour = 3\n")
    accounts.add_user("免费用户", "check-password", "user")
    accounts.add_user("会员", "check-password", "member", "2099-12-31")
    user_token, member_token = (accounts.create_token(name, "t") for name in ("免费用户", "会员"))
    app = create_app(home)
    here, there = (TestClient(app, raise_server_exceptions=False, client=(ip, 1)) for ip in ("203.0.113.1", "203.0.113.2"))
    drafts = [f"{OWN}（稿{n}）" for n in range(6)]   # each a new draft: a repeat of one is not charged (fix26)
    assert [here.post("/api/check", json={"text": text}).status_code for text in drafts[:3]] == [200] * 3
    refused = here.post("/api/check", json={"text": drafts[3]})
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_checks"
    assert "每小时最多 3 次" in refused.json()["error"] and int(refused.headers["retry-after"]) > 0
    page = here.post("/check", data={"text": drafts[3]}, headers={"accept": "text/html"})
    assert page.status_code == 429 and "查重过于频繁" in page.text and int(page.headers["retry-after"]) > 0
    assert there.post("/api/check", json={"text": OWN}).status_code == 200      # another address
    user = [TestClient(app, raise_server_exceptions=False, client=(f"203.0.113.{n}", 1),
                       headers={"authorization": f"Bearer {user_token}"}) for n in range(10, 14)]
    assert [client.post("/api/check", json={"text": text}).status_code for client, text in zip(user, drafts)] \
        == [200, 200, 200, 429]
    member = TestClient(app, client=("203.0.113.1", 1), headers={"authorization": f"Bearer {member_token}"})
    assert all(member.post("/api/check", json={"text": text}).status_code == 200 for text in drafts[:5])
    audited = accounts.audit_log(100, event="check")
    assert [e["username"] for e in audited] == ["会员"] * 5 + ["免费用户"] * 3
    accounts.close()


def test_the_report_of_the_draft_just_checked_is_not_charged_again(home):
    """New-user try 26: the 查重 page's report downloads (Word, 网页) each ran — and charged — the 查重 again: a visitor
    who checked a draft and downloaded its report spent two of the hour's, a double click three. A 查重 of the draft
    its viewer was charged for within half an hour is not charged, five times (RECHECKS); then, and for any other
    draft, the limits hold as before — a visitor's by address, a member's daily 查重."""
    import html

    accounts = _samples_and_accounts(home, "free_checks_per_hour = 1\nmember_daily_checks = 1\n")
    accounts.add_user("会员", "check-password", "member", "2099-12-31")
    member_token = accounts.create_token("会员", "t")
    app = create_app(home)
    visitor = TestClient(app, raise_server_exceptions=False, client=("203.0.113.5", 1))
    page = visitor.post("/check", data={"text": f"{OWN}\n{OWN2}"}, headers={"accept": "text/html"})
    assert page.status_code == 200 and 'id="check-result"' in page.text
    # what the page's download forms send: the report's text, its line ends as a browser sends a form's (CR LF)
    sent = {html.unescape(text).replace("\n", "\r\n")
            for text in re.findall(r'<textarea name="text" hidden>(.*?)</textarea>', page.text, re.S)}
    assert sent == {f"{OWN}\r\n{OWN2}"}
    downloads = [visitor.post("/api/check", params={"format": fmt}, data={"text": f"{OWN}\r\n{OWN2}"})
                 for fmt in ("docx", "html", "docx", "html", "docx", "html")]
    assert [r.status_code for r in downloads] == [200] * 5 + [429], [r.text[:80] for r in downloads]   # RECHECKS
    assert downloads[0].content[:2] == b"PK" and "总文字复制比" in downloads[1].text
    assert visitor.post("/api/check", json={"text": OWN}).json()["code"] == "too_many_checks"   # another draft
    member = TestClient(app, raise_server_exceptions=False, client=("203.0.113.5", 1),
                        headers={"authorization": f"Bearer {member_token}"})
    assert member.post("/api/check", json={"text": OWN}).status_code == 200   # the member's own, not the visitor's
    assert member.post("/api/check", params={"format": "docx"}, json={"text": OWN}).status_code == 200
    assert accounts.used_today(accounts.viewer_for_token(member_token), "check") == 1
    other = member.post("/api/check", json={"text": OWN2})
    assert other.status_code == 429 and other.json()["code"] == "quota_exceeded"
    accounts.close()


def test_the_report_of_a_drafted_file_just_checked_is_not_charged_again(home):
    """fix27: a 写作台 draft downloaded (.md, ending with 附：素材来源) and uploaded on the 查重 page, then its report
    downloaded, was charged twice: the report's text — what the page's download forms send — leaves the sources list
    out, so it was another draft's. The text the report is made of is remembered too; through the API as well."""
    import html
    from zoneinfo import ZoneInfo

    from sucai.drafting import export_draft
    from sucai.drafting.drafts import Source

    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("free_checks_per_hour = 1\n")
    library = Library.open(home)
    library.ingest([SAMPLES / "library"], workers=1)
    doc = library.get(1)
    library.close()
    draft = Draft("关于做好某项工作的讲话", "讲话稿", "", [Section("总体要求", 1, [
        Paragraph(OWN, Source(doc.id, 0, 10, doc.title)), Paragraph(OWN2, Source(doc.id, 10, 20, doc.title))])])
    _, md = export_draft(draft, "md", zone=ZoneInfo("Asia/Shanghai"))
    assert "附：素材来源" in md.decode("utf-8")
    app = create_app(home)
    visitor = TestClient(app, raise_server_exceptions=False, client=("203.0.113.7", 1))
    page = visitor.post("/check", files={"file": ("初稿.md", md, "text/markdown")}, headers={"accept": "text/html"})
    assert page.status_code == 200 and 'id="check-result"' in page.text
    [sent] = {html.unescape(text).replace("\n", "\r\n")
              for text in re.findall(r'<textarea name="text" hidden>(.*?)</textarea>', page.text, re.S)}
    assert sent == f"关于做好某项工作的讲话\r\n一、总体要求\r\n{OWN}\r\n{OWN2}"   # by hand: no sources list
    download = visitor.post("/api/check", params={"format": "docx"}, data={"text": sent})
    assert download.status_code == 200 and download.content[:2] == b"PK", download.text[:80]
    assert visitor.post("/api/check", json={"text": OWN}).json()["code"] == "too_many_checks"   # another draft
    there = TestClient(app, raise_server_exceptions=False, client=("203.0.113.8", 1))
    txt = export_draft(draft, "txt", zone=ZoneInfo("Asia/Shanghai"))[1].decode("utf-8")
    listed = there.post("/api/check", json={"text": txt})
    assert listed.status_code == 200 and listed.json()["left_out_chars"] > 0
    report = there.post("/api/check", params={"format": "html"}, json={"text": txt[:txt.index("\n附：素材来源")]})
    assert report.status_code == 200 and "总文字复制比" in report.text


def test_control_characters_in_a_draft_never_break_a_report(library, tmp_path, capsys):
    """A vertical tab, form feed, bell or start-of-heading in a draft made every .docx report fail (500, and the
    CLI's English "内部错误：ValueError"). The draft is checked with a line break for \\x0b and \\x0c and a space
    for the others — the same offsets —, and every report is made."""
    doc, passage = free_passage(library)
    draft = f"{OWN}\x0b{passage}\x0c{OWN2}\x07\x01"
    read = draft.replace("\x0b", "\n").replace("\x0c", "\n").replace("\x07", " ").replace("\x01", " ")
    report = check_text(library, draft, False)
    assert report.text == read and report.to_dict() == check_text(library, read, False).to_dict()
    assert [(p.start, p.end) for p in report.paragraphs] == [(0, len(OWN)), (len(OWN) + 1, len(OWN) + 1 + len(passage)),
                                                             (len(read) - 2 - len(OWN2), len(read) - 2)]
    client = TestClient(create_app(library.settings.home), raise_server_exceptions=False)
    for fmt in ("docx", "html"):
        response = client.post("/api/check", params={"format": fmt}, json={"text": draft})
        assert response.status_code == 200, response.text
    (tmp_path / "草稿.txt").write_text(draft, encoding="utf-8")
    out = tmp_path / "报告.docx"
    assert run_cli(["check", str(tmp_path / "草稿.txt"), "-o", str(out), "--home", str(library.settings.home)]) == 0
    assert "内部错误" not in capsys.readouterr().err and out.read_bytes()[:2] == b"PK"


def test_the_largest_source_never_exceeds_the_total(home, sample_path, tmp_path):
    """New-user try 17: a saved draft — a heading renumbered from the real scraped sample's 「（四）担当作为方面」 and
    the paragraph under it — got 单篇最大文字复制比 94.8 % over 总文字复制比 93.4 %: the single source counted
    characters of a fragment that no kept 重合片段 covers. With one source only, the two are the same figure."""
    library = Library.open(home)
    library.ingest([sample_path], workers=1)
    [doc] = [library.get(d.id) for d in library.catalogue.documents()]
    lines = doc.text.splitlines()
    heading = next(line for line in lines if line.startswith("（四）担当作为方面。"))
    paragraph = heading.removeprefix("（四）担当作为方面。")[:478]   # the text under the heading, as the desk gives it
    draft = f"县审计局党支部2024年度组织生活会对照检查材料\n一、存在的主要问题\n（一）担当作为方面\n{paragraph}\n二、整改措施\n我们将认真整改，确保取得实效。"
    report = check_text(library, draft, viewer_member=True)
    assert {m.doc_id for m in report.matches} == {doc.id} and report.copy_ratio > 0.8
    assert report.max_source == {"doc_id": doc.id, "title": doc.title, "copy_ratio": report.copy_ratio}
    library.close()




def _old_fingerprint_document(entry: dict) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("id", entry["id"])
    for field in ("fp", "free_fp"):
        if field in entry:
            doc.add_text(field, entry[field])
    return doc


def _indexed(schema: tantivy.Schema, docs) -> tantivy.Index:
    """An index in memory of these documents, one commit."""
    made = tantivy.Index(schema)
    writer = made.writer(heap_size=15_000_000, num_threads=1)
    for doc in docs:
        writer.add_document(doc)
    writer.commit()
    made.reload()
    return made


def test_fingerprints_without_frequencies_rank_candidates_as_with_them(library):
    """Index version 12 keeps no term frequency of the 查重 fingerprints: a document's tokens are distinct, so BM25
    reads a frequency of 1 either way, and every candidate's score — of whole texts (``fp``, documents with a members
    part) and of free views (``free_fp``), for drafts of one source's passages and of several — is the one an index
    with them gave."""
    docs = list(library.catalogue.documents())
    entries = [index_fields(doc) for doc in docs]
    assert any("fp" in entry for entry in entries)   # documents with a members part among them
    rng = random.Random(12)
    drafts = [doc.text[start:start + 300] for doc in docs for start in (0, len(doc.text) // 2)]
    drafts += ["".join(rng.choice(docs).text[:120] for _ in range(4)) for _ in range(20)]
    builder = tantivy.SchemaBuilder()   # the oracle: ids and fingerprints with frequencies, as index version 11 kept
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for field in ("fp", "free_fp"):
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="freq")
    old_schema = builder.build()
    old = _indexed(old_schema, map(_old_fingerprint_document, entries))
    now = _indexed(SCHEMA, map(_tantivy_document, entries))
    ranked = {}
    for name, made, schema in (("old", old, old_schema), ("now", now, SCHEMA)):
        searcher = made.searcher()
        ranked[name] = [[(score, searcher.doc(address)["id"][0]) for score, address in searcher.search(
            tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(schema, field, token))
                                         for token in DraftFingerprints(skeleton_text(draft)).all()]), 20).hits]
                        for draft in drafts for field in ("fp", "free_fp")]
    assert sum(map(len, ranked["old"])) > len(drafts)
    assert ranked["now"] == ranked["old"]


def test_an_index_of_version_11_is_rebuilt_when_the_library_opens(home, monkeypatch):
    """A library whose index holds the fingerprints with frequencies (version 11) gets them without (version 12) when
    its index is opened — by the first 查重, which finds the source."""
    def fingerprint_record() -> str:
        meta = json.loads((library.settings.index_dir / "meta.json").read_text())
        return next(field["options"]["indexing"]["record"] for field in meta["schema"] if field["name"] == "fp")

    with monkeypatch.context() as old:
        old.setattr(index_module, "_FINGERPRINTS", "freq")
        old.setattr(index_module, "SCHEMA", index_module._schema())
        old.setattr(index_module, "INDEX_VERSION", 11)
        library = Library.open(home)
        library.ingest([SAMPLES / "library"], workers=1)
        library.close()
    assert fingerprint_record() == "freq"
    library = Library.open(home)
    try:
        doc, passage = free_passage(library)
        report = check_text(library, f"{OWN}{passage}", False)
        assert report.max_source["doc_id"] == doc.id
        assert fingerprint_record() == "basic"
    finally:
        library.close()


def test_the_whole_texts_fingerprints_are_indexed_where_the_free_view_differs_only(library):
    """Index version 14: ``free_fp`` holds every document's free view's fingerprints, ``fp`` the whole text's only for
    a document with a members part (``split``) — for any other it held the same tokens again, a quarter of tantivy's
    work in an ingest (bench/ingest.py)."""
    docs = list(library.catalogue.documents())
    entries = {doc.id: index_fields(doc) for doc in docs}
    paid = {doc.id for doc in docs if doc.paid_from is not None}
    assert {doc_id for doc_id, entry in entries.items() if "fp" in entry} == paid and 0 < len(paid) < len(docs)
    for doc in docs:
        free = doc.text[:doc.paid_from] + (doc.text[doc.paid_until:] if doc.paid_until is not None else "")
        assert entries[doc.id]["free_fp"] == index_tokens(free if doc.id in paid else doc.text)
        if doc.id in paid:
            assert entries[doc.id]["fp"] == index_tokens(doc.text) != entries[doc.id]["free_fp"]


def _scores(searcher: tantivy.Searcher, clauses: list) -> dict[int, float]:
    """Document id → score of every document the boolean query of ``clauses`` matches."""
    hits = searcher.search(tantivy.Query.boolean_query(clauses), limit=10_000).hits
    return {searcher.doc(address)["id"][0]: score for score, address in hits}


def test_each_candidate_is_scored_in_the_field_of_the_text_the_viewer_sees(library):
    """A member's candidates: a document with a members part by its whole text's fingerprints in ``fp`` alone (its
    free view's, in ``free_fp`` too, not counted again), any other by ``free_fp`` — each score the document's BM25
    score in that one field; a visitor's, every document's score in ``free_fp``."""
    docs = list(library.catalogue.documents())
    split = {doc.id for doc in docs if index_fields(doc)["split"]}
    searcher = library.index.searcher()
    drafts = [doc.text[start:start + 300] for doc in docs for start in (0, len(doc.text) // 2, len(doc.text) - 300)]
    whole_only = 0
    for draft in drafts:
        tokens = DraftFingerprints(skeleton_text(draft)).all()
        whole, free = ({doc_id: score for doc_id, score in _scores(searcher, [
            (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, field, token)) for token in tokens]).items()}
            for field in ("fp", "free_fp"))
        assert set(whole) <= split
        whole_only += bool(set(whole) - set(free))
        assert _scores(searcher, Sources(True).clauses(tokens)) == {i: s for i, s in free.items() if i not in split} | whole
        assert _scores(searcher, Sources(False).clauses(tokens)) == free
    assert whole_only   # drafts of members parts: sources a member's 查重 finds in no free view


def _members_pair(home: Path, secret: bool) -> tuple[Library, list[str], list[str]]:
    """A library of 12 documents with a members part — 100 random Han characters free, then 60 of their own and the
    next document's first free 40 — and 6 without; ``secret`` False: other characters of the same lengths in the
    members parts, all else the same. With the free texts, and the members texts of ``secret`` True."""
    rng = random.Random(29)
    rare = lambda n: "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))  # noqa: E731
    free = [rare(100) for _ in range(18)]
    members = [rare(60) + "，" + free[(i + 1) % 18][:40] for i in range(12)]
    others = [rare(len(text)) for text in members]
    texts = {f"{i:02d}.txt": f"关于第{i + 1}项工作的通知\n{free[i]}。\n" for i in range(18)}
    for i, text in enumerate(members if secret else others):
        texts[f"{i:02d}.txt"] += f"##paidbegin##\n{text}。\n"
    return ingest_texts(home, texts), free, members


def test_a_visitors_candidates_and_report_depend_on_no_members_text(tmp_path, make_home):
    """Two libraries that differ only in members-only text give a visitor the same candidates with the same BM25
    scores, in the same order, and the same report (文字复制比, 重合片段, their order, sources checked), byte for byte,
    for drafts of free text, members text and both; a member's differ, so the test can fail."""
    (one, free, members), (two, _, _) = (_members_pair(make_home(tmp_path / name / "home"), secret)
                                         for name, secret in (("with", True), ("without", False)))
    try:
        drafts = free + members + ["\n".join(members)] + [a[50:] + b[:50] for a, b in zip(free, members)]
        seen = [[], []]
        for library, out in zip((one, two), seen):
            searcher = library.index.searcher()
            for draft in drafts:
                for member in (False, True):
                    tokens = DraftFingerprints(skeleton_text(draft)).all()
                    hits = searcher.search(tantivy.Query.boolean_query(Sources(member).clauses(tokens)), limit=20).hits
                    report = check_text(library, draft, viewer_member=member)
                    out.append((member, [(score, searcher.doc(address)["id"][0]) for score, address in hits],
                                json.dumps(report.to_dict(), ensure_ascii=False), report.sources_checked))
        visitor = [[kept for kept in made if not kept[0]] for made in seen]
        assert visitor[0] == visitor[1]
        assert sum(bool(kept[1]) and '"doc_id"' in kept[2] for kept in visitor[0]) >= len(free)
        member = [[kept for kept in made if kept[0]] for made in seen]
        assert sum(a[1:] != b[1:] for a, b in zip(*member)) >= len(members)
    finally:
        one.close()
        two.close()


def test_an_index_of_version_13_is_rebuilt_when_the_library_opens(home, monkeypatch):
    """A library whose index holds the whole text's fingerprints of every document (version 13) is rebuilt when it
    is opened: then ``fp`` holds none of a document without a members part, and a member's 查重 scores it once."""
    with monkeypatch.context() as old:
        old.setattr(index_module, "INDEX_VERSION", 13)
        old.setattr(index_module, "index_fields", lambda doc, *args: index_fields(doc, *args) | {
            "fp": index_tokens(doc.text)})
        library = Library.open(home)
        library.ingest([SAMPLES / "library"], workers=1)
        library.close()
    library = Library.open(home)
    try:
        doc = next(doc for doc in library.catalogue.documents() if doc.paid_from is None)
        passage = max(doc.text.splitlines(), key=len)[:80]
        tokens = DraftFingerprints(skeleton_text(passage)).all()
        searcher = library.index.searcher()
        assert library.index.rebuilt
        assert doc.id not in _scores(searcher, [(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "fp", token))
                                                for token in tokens])
        scores = [_scores(searcher, Sources(member).clauses(tokens)) for member in (True, False)]
        assert scores[0][doc.id] == scores[1][doc.id] > 0
        assert check_text(library, f"{OWN}{passage}", True).max_source["doc_id"] == doc.id
    finally:
        library.close()
