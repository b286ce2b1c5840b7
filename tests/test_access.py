"""The member part as a span (issue 10): text after ``##paidend##`` stays free, everywhere; and metadata
found only in the members part reaches no non-member (issue 11 #1, issue 10 "metadata taken from the
members-only part": a 落款 date, a 文号, a "来源：" line or a title in the members part).

Unit tests of :mod:`sucai.access` on documents built by hand (every offset below
was counted by hand and is checked against ``len`` of the pieces), then one file
with free text after its members part through the whole pipeline: cleaning,
ingest, the catalogue, search and snippets, section search, the CLI, downloads
and the document page. The catalogue's migration is tested in test_store.py.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient
from click.testing import CliRunner
from sqlalchemy import select

from sucai import access
from sucai.accounts import Viewer
from sucai.clean import clean
from sucai.cli import app as cli_app
from sucai.db.schema import documents, meta
from sucai.errors import InvalidInput
from sucai.library import Library
from sucai.metadata import Origin
from sucai.model import Document, Element, Evidence, OutlineNode
from sucai.outline import analyse
from sucai.search import SearchRequest
from sucai.store import Catalogue
from sucai.web import create_app
from sucai.web.deps import current_viewer

# ---------------------------------------------------------------- free_view on hand-built documents

FREE1 = "一、总体要求\n坚持稳中求进。\n"
PAID = "二、内部口径\n红杉甲方案。\n"
FREE2 = "三、保障措施\n加强组织领导。\n"


def spanned(paid_until: int | None = 29) -> Document:
    assert (len(FREE1), len(PAID), len(FREE2)) == (15, 14, 15)
    outline = [OutlineNode(1, "一、", "总体要求", 0, 15), OutlineNode(1, "二、", "内部口径", 15, 29),
               OutlineNode(1, "三、", "保障措施", 29, 44)]
    return Document("通知", FREE1 + PAID + FREE2, paid_from=15, paid_until=paid_until, outline=outline,
                    removed=[], id=1)


def test_free_view_keeps_the_text_before_and_after_the_span():
    doc = spanned()
    assert doc.members_span == (15, 29)
    view = access.free_view(doc)
    assert view.text == FREE1 + FREE2
    assert (view.paid_from, view.paid_until, view.members_span) == (15, 15, None)
    assert [(n.label, n.heading, n.start, n.end) for n in view.outline] == [("一、", "总体要求", 0, 15),
                                                                            ("三、", "保障措施", 15, 30)]
    assert access.notice(doc) == "会员可见全文（此处略去会员内容 12 字）"   # 字数 of PAID: 14 characters, 2 line ends
    assert access.free_view(view) is view and access.notice(view) is None
    assert doc.text[:15] == view.text[:15] and doc.text[29:] == view.text[15:]   # the span's 14 characters left out


def test_what_a_hit_is_cut_from_is_the_viewers_view_without_its_notice():
    """access.viewed: a member the whole document (the same object), anyone else its free view — as view() gives them."""
    doc = spanned()
    assert access.viewed(doc, True) is doc
    assert access.viewed(doc, False).text == FREE1 + FREE2 == access.view(doc, False)[0].text
    assert access.viewed(doc, False) == access.view(doc, False)[0]
    assert "红杉" not in access.viewed(doc, False).text


def test_a_span_to_the_end_is_cut_as_before():
    doc = spanned(paid_until=None)
    view = access.free_view(doc)
    assert (view.text, view.paid_from, view.paid_until) == (FREE1, 15, None)
    assert [(n.label, n.start, n.end) for n in view.outline] == [("一、", 0, 15)]
    assert access.notice(doc) == "会员可见全文（剩余 25 字）"   # 字数 of PAID + FREE2: 29 characters, 4 line ends


def test_a_span_inside_lines_is_left_out_with_a_line_break_in_its_place():
    line1 = "（四）担当作为方面。主要问题。\n"
    line2 = "（五）工作作风方面。正文。\n"
    assert (len(line1), len(line2)) == (16, 14)
    outline = [OutlineNode(2, "（四）", "担当作为方面", 0, 16), OutlineNode(2, "（五）", "工作作风方面", 16, 30)]
    doc = Document("材料", line1 + line2, paid_from=3, paid_until=26, outline=outline)
    assert doc.text[3:5] == "担当" and doc.text[26] == "正"
    view = access.free_view(doc)
    assert view.text == "（四）\n正文。\n"        # never "（四）正文。": the parts are not joined into one line
    assert (view.paid_from, view.paid_until) == (3, 3)
    # the outline of the free text: "（四）" without words is no heading, （五） is not in it
    assert view.outline == []
    # a markdown document's too: its numbered entries are no ``#`` heading lines, found again in the free text
    assert access.free_view(replace(doc, format="md")).outline == []
    assert view.text[4:] == doc.text[26:]   # the text after the span follows the line break put in
    assert access.notice(doc) == "会员可见全文（此处略去会员内容 22 字）"   # 23 characters, a line end


def test_headings_after_the_span_move_up_when_their_parent_starts_inside_it():
    """A markdown document's ``#`` headings (its unnumbered outline entries) after the span are headings of the
    free text, under the free headings before them; numbered lines are found again in the free text."""
    text = "前言。\n措施\n甲\n甲段。\n乙\n乙段。\n（一）丙。\n"
    assert [text.index(s) for s in ("措施", "甲\n", "乙\n", "（一）")] == [4, 7, 13, 19] and len(text) == 25
    children = [OutlineNode(2, "", "甲", 7, 13), OutlineNode(2, "", "乙", 13, 25)]
    doc = Document("方案", text, paid_from=4, paid_until=13, outline=[OutlineNode(1, "", "措施", 4, 25, children=children)],
                   format="md")
    view = access.free_view(doc)
    assert view.text == "前言。\n乙\n乙段。\n（一）丙。\n"
    # "乙" is under no heading in the free text: level 1; "（一）丙。" alone owns no text: no heading
    assert [(n.level, n.label, n.heading, n.start, n.end) for n in view.outline] == [(1, "", "乙", 4, 16)]


def test_elements_and_the_outline_are_the_free_texts():
    """The 公文 elements and the outline of a free view are found in its text: a 落款 whose 正文 ends
    inside the span is none, an article's summary is its words in the free text."""
    text = "第一条 为了规范管理，制定本办法。\n内部口径另定。\n某市人民政府\n2023年5月6日\n"
    start, end = text.index("规范"), text.index("某市")
    signer, date = (text.index("某市"), text.index("\n2023")), (text.index("2023"), len(text) - 1)
    doc = Document("办法", text, paid_from=start, paid_until=end,
                   outline=[OutlineNode(1, "第一条", "", 0, len(text), summary="为了规范管理")],
                   elements=[Element("issuer_signature", "某市人民政府", *signer), Element("date", "2023年5月6日", *date)])
    view = access.free_view(doc)
    assert view.text == "第一条 为了\n某市人民政府\n2023年5月6日\n"
    # the 署名 and 成文日期 stood under a finished sentence ("内部口径另定。") only in the members part
    assert view.elements == []
    assert [(n.label, n.summary, n.end) for n in view.outline] == [("第一条", "为了", len(view.text))]
    finished = Document("办法", "第一条 为了规范管理。\n" + text[end:], paid_from=6, paid_until=8)   # "规范"
    assert access.free_view(finished).text == "第一条 为了\n管理。\n某市人民政府\n2023年5月6日\n"
    assert [e.kind for e in access.free_view(finished).elements] == ["issuer_signature", "date"]
    # markdown: the elements too are the free text's
    assert access.free_view(replace(doc, format="md")).elements == []


def test_boundary_marks_for_a_member_and_for_a_visitor():
    doc = spanned()
    assert access.boundary_marks(doc, None) == [(15, "start", "以下为会员内容"), (29, "end", "以上为会员内容")]
    view, notice = access.view(doc, member=False)
    assert access.boundary_marks(view, notice) == [(15, "notice", "会员可见全文（此处略去会员内容 12 字）")]
    assert access.boundary_marks(spanned(None), None) == [(15, "start", "以下为会员内容")]
    assert access.boundary_marks(Document("无", "正文"), None) == []


# ---------------------------------------------------------------- one file through the pipeline

TITLE = "关于加强预算管理的通知"
BEFORE = "一、总体要求\n坚持稳中求进，统筹推进预算编制。\n"
MEMBERS = "二、内部测算口径\n按照红杉甲方案测算，紫檀乙口径作为备选。\n"
AFTER = "三、保障措施\n各单位要加强组织领导，青松丙措施压实工作责任。"


def source_text(begin: str = "##paidbegin##", end: str = "##paidend##") -> str:
    return f"{TITLE}\n{BEFORE}{begin}\n{MEMBERS}{end}\n{AFTER}\n"


@pytest.fixture(params=[("##paidbegin##", "##paidend##"), ("$$paidbegin$$", "$$paidend$$")], ids=["hash", "dollar"])
def span_library(request, tmp_path, home):
    """A library holding the file of :func:`source_text` with either tag pair (FastAdmin CMS uses both)."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "通知.txt").write_text(source_text(*request.param), encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([folder], workers=1).counts["ingested"] == 1
    yield library
    library.close()


def the_doc(library: Library) -> Document:
    return next(library.catalogue.documents())


def test_ingest_records_both_ends_of_the_members_part(span_library):
    doc = the_doc(span_library)
    assert doc.title == TITLE
    assert doc.text[: doc.paid_from].strip() == BEFORE.strip()
    assert doc.text[doc.paid_from : doc.paid_until].strip() == MEMBERS.strip()
    assert doc.text[doc.paid_until :].strip() == AFTER
    view, notice = access.view(doc, member=False)
    assert view.text == doc.text[: doc.paid_from].rstrip() + "\n" + AFTER   # the blank lines opening it left out
    left_out = len(re.sub(r"\s", "", doc.text[doc.paid_from:doc.paid_until]))   # 字数: no white space
    assert notice == f"会员可见全文（此处略去会员内容 {left_out} 字）"
    assert [n.label + n.heading for n in view.outline] == ["一、总体要求", "三、保障措施"]


def hits(library: Library, q: str, member: bool, **kw):
    return library.search(SearchRequest(q=q, limit=50, **kw), member=member)


@pytest.mark.parametrize("mode", ["precise", "ranked"])
@pytest.mark.parametrize("scope", ["doc", "section"])
def test_search_finds_the_text_after_the_span_but_never_the_span(span_library, mode, scope):
    for q in ("红杉甲方案", "紫檀乙口径", "内部测算口径"):
        result = hits(span_library, q, member=False, mode=mode, scope=scope)
        assert (result.total, result.hits) == (0, []), q
        assert hits(span_library, q, member=True, mode=mode, scope=scope).total == 1, q
    result = hits(span_library, "青松丙措施", member=False, mode=mode, scope=scope)
    assert result.total == 1
    hit = result.hits[0]
    assert "青松丙措施" in hit.snippet and "红杉" not in hit.snippet and "紫檀" not in hit.snippet
    marked = [hit.snippet[a:b] for a, b in hit.highlights]
    assert marked == ["青松丙措施"] if mode == "precise" else "青松丙措施" in marked   # ranked marks words too
    if scope == "section":
        view = access.free_view(the_doc(span_library))
        assert hit.section_path == ["三、保障措施"]
        assert view.text[hit.section_start : hit.section_end].strip() == AFTER   # offsets in the free view's text


def test_facet_filter_for_documents_with_a_members_part(span_library):
    assert hits(span_library, "", member=False, mode="precise", has_member_part=True).total == 1


runner = CliRunner(env={"COLUMNS": "1000"})


def cli(library: Library, *args: str) -> str:
    result = runner.invoke(cli_app, [*args, "--home", str(library.settings.home)])
    assert result.exit_code == 0, result.output
    return result.output


def in_order(text: str, *pieces: str) -> bool:
    places = [text.find(p) for p in pieces]
    return -1 not in places and places == sorted(places)


def test_cli_show_marks_both_ends_for_a_member_and_the_gap_for_a_visitor(span_library):
    doc = the_doc(span_library)
    shown = cli(span_library, "show", str(doc.id))
    assert f"会员内容起点 {doc.paid_from}" in shown and f"会员内容终点 {doc.paid_until}" in shown
    body = shown[shown.index("\n正文\n"):]   # after the metadata and the 提纲
    assert in_order(body, "坚持稳中求进", "以下为会员内容", "二、内部测算口径", "红杉甲方案", "以上为会员内容", "三、保障措施")
    free = cli(span_library, "show", str(doc.id), "--free")
    assert in_order(free[free.index("\n正文\n"):], "坚持稳中求进", access.notice(doc), "三、保障措施", "青松丙措施")
    assert "红杉" not in free and "紫檀" not in free and "以下为会员内容" not in free
    data = json.loads(cli(span_library, "show", str(doc.id), "--free", "--json"))
    assert data["text"] == access.free_view(doc).text and data["notice"] == access.notice(doc)


def test_free_downloads_put_the_notice_where_the_members_part_was(span_library, tmp_path):
    doc = the_doc(span_library)
    notice = access.notice(doc)
    txt = tmp_path / "a.txt"
    cli(span_library, "export", str(doc.id), "--free", "--format", "txt", "-o", str(txt))
    assert txt.read_text(encoding="utf-8") == (
        f"{TITLE}\n\n一、总体要求\n坚持稳中求进，统筹推进预算编制。\n\n{notice}\n\n{AFTER}\n")
    md = tmp_path / "a.md"
    cli(span_library, "export", str(doc.id), "--free", "--format", "md", "-o", str(md))
    markdown = md.read_text(encoding="utf-8")
    assert in_order(markdown, "## 一、总体要求", "坚持稳中求进", notice, "## 三、保障措施", "青松丙措施")
    word = tmp_path / "a.docx"
    cli(span_library, "export", str(doc.id), "--free", "--format", "docx", "-o", str(word))
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert paragraphs == [TITLE, "一、总体要求", "坚持稳中求进，统筹推进预算编制。", notice, "三、保障措施",
                          "各单位要加强组织领导，青松丙措施压实工作责任。"]
    pack = tmp_path / "a.zip"
    cli(span_library, "export", "--query", "预算", "--free", "--zip", "--format", "txt", "-o", str(pack))
    with zipfile.ZipFile(pack) as archive:
        assert archive.read(f"{TITLE}.txt").decode("utf-8") == txt.read_text(encoding="utf-8")
    # a member's download is the whole text, with no notice
    cli(span_library, "export", str(doc.id), "--format", "txt", "-o", str(txt))
    assert txt.read_text(encoding="utf-8") == f"{TITLE}\n\n{doc.text.strip()}\n" and "红杉甲方案" in doc.text


def page_client(library: Library, member: bool) -> TestClient:
    app = create_app(library.settings.home)
    if member:
        app.dependency_overrides[current_viewer] = lambda: Viewer(1, "测试会员", "member", "2999-12-31", date(2026, 12, 2))
    return TestClient(app)


def test_document_page_for_a_visitor_shows_the_notice_between_the_free_parts(span_library):
    doc = the_doc(span_library)
    page = page_client(span_library, member=False).get(f"/documents/{doc.id}").text
    assert in_order(page[page.index('id="body"'):], "坚持稳中求进", 'id="member-notice"', access.notice(doc), 'id="member-hint"', "青松丙措施")
    assert "红杉" not in page and "紫檀" not in page
    hint = page[page.index('id="member-hint"'):].split("</p>", 1)[0]   # both ways in come back here (try 17)
    assert f'href="/login?next=/documents/{doc.id}"' in hint and f'href="/register?next=/documents/{doc.id}"' in hint
    data = page_client(span_library, member=False).get(f"/api/documents/{doc.id}").json()
    assert data["text"] == access.free_view(doc).text and data["notice"] == access.notice(doc)
    free_until = len(doc.text[: doc.paid_from].rstrip()) + 1
    assert (data["paid_from"], data["paid_until"]) == (free_until, free_until)


def test_document_page_tells_a_free_user_where_a_membership_code_is_redeemed(span_library):
    """A free user at the 会员 notice was told 开通会员请联系管理员 only — not of the 卡密 that 我的账号 redeems, the way
    in a site that sells codes gives —, and so was a visitor signing up (user25)."""
    doc = the_doc(span_library)
    app = create_app(span_library.settings.home)
    app.dependency_overrides[current_viewer] = lambda: Viewer(2, "免费用户", "user", None, date(2026, 12, 2))
    page = TestClient(app).get(f"/documents/{doc.id}").text
    hint = page[page.index('id="member-hint"'):].split("</p>", 1)[0]
    assert f'<a href="/account?next=/documents/{doc.id}">我的账号</a>兑换卡密' in hint and "红杉" not in page
    assert "开通会员：在“我的账号”兑换卡密" in TestClient(create_app(span_library.settings.home)).get("/register").text


def body_text_before(page: str, marker_id: str) -> str:
    """The text of the page's body before the element ``marker_id``, without copy buttons, boundary marks
    and white space."""
    body = page[page.index('id="body"'): page.rindex("<", 0, page.index(f'id="{marker_id}"'))]
    body = re.sub(r'<button[^>]*>[^<]*</button>|<(span|div) class="member-boundary[^>]*>[^<]*</\1>', "", body)
    return "".join(html.unescape(re.sub(r"<[^>]+>", "", body[body.index(">") + 1:])).split())


def test_document_page_for_a_member_marks_both_ends_where_they_are(span_library):
    doc = the_doc(span_library)
    page = page_client(span_library, member=True).get(f"/documents/{doc.id}").text
    assert body_text_before(page, "member-start") == "".join(doc.text[: doc.paid_from].split())
    assert body_text_before(page, "member-end") == "".join(doc.text[: doc.paid_until].split())
    assert ">以下为会员内容<" in page and ">以上为会员内容<" in page and 'id="member-notice"' not in page


def test_a_boundary_inside_a_paragraph_is_marked_inside_it(tmp_path, home):
    """Issue 17: the marker stands at the boundary even when it falls inside a paragraph (here after a run-in
    heading's first sentence and inside a body paragraph), not before or after the paragraph. (A tag right after
    the label 「（二）」 takes the label with it: test_a_visitors_free_view_never_ends_on_a_lone_heading_label.)"""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("对照检查材料\n一、主要问题\n（一）理论学习方面。学习不够深入。\n"
                                  "（二）担当作为方面。##paidbegin##攻坚克难不足。##paidend##此后仍可免费阅读。\n",
                                  encoding="utf-8")
    library = Library.open(home)
    library.ingest([folder], workers=1)
    doc = the_doc(library)
    assert doc.text[doc.paid_from:].startswith("攻坚克难不足") and doc.text[doc.paid_until:].startswith("此后")
    page = page_client(library, member=True).get(f"/documents/{doc.id}").text
    paras = re.findall(r'<div class="para[^"]*" id="o(\d+)"><p class="ptext">(.*?)</p>', page)
    holder = next(p for p in paras if 'id="member-start"' in p[1])
    assert int(holder[0]) < doc.paid_from < doc.paid_until < int(holder[0]) + len("（二）担当作为方面。攻坚克难不足。此后仍可免费阅读。")
    assert re.sub(r"<[^>]+>", "|", holder[1]).replace("||", "|") == (
        "|（二）担当作为方面。|以下为会员内容|攻坚克难不足。|以上为会员内容|此后仍可免费阅读。")
    assert body_text_before(page, "member-start") == "".join(doc.text[: doc.paid_from].split())
    assert body_text_before(page, "member-end") == "".join(doc.text[: doc.paid_until].split())
    library.close()


# ---------------------------------------------------------------- editing the boundary; the preview setting


def test_editing_the_span_is_checked_and_normalised(span_library):
    library = span_library
    doc = the_doc(library)
    library.update(doc.id, paid_from=3, paid_until=10)
    edited = library.get(doc.id)
    assert edited.members_span == (3, 10)
    assert hits(library, doc.text[10:16], member=False, mode="precise").total == 1   # free again
    assert hits(library, doc.text[3:9], member=False, mode="precise").total == 0
    for start, end in ((3, 3), (10, 5), (3, doc.chars + 1), (None, 10), (-1, None)):
        with pytest.raises(InvalidInput) as err:
            library.update(doc.id, paid_from=start, paid_until=end)
        assert err.value.code == "bad_boundary"
    library.update(doc.id, paid_until=doc.chars)          # to the very end is stored as "to the end"
    assert library.get(doc.id).paid_until is None
    library.update(doc.id, paid_until=12)
    library.update(doc.id, paid_from=None)                 # no members part: no end either
    assert (library.get(doc.id).paid_from, library.get(doc.id).paid_until) == (None, None)


def test_the_preview_setting_stays_a_start_only_boundary(home):
    library = Library.open(home)
    spans = Document("有会员段的文档", "前言可以阅读。会员正文。后记可以阅读。", paid_from=7, paid_until=12)
    plain = Document("没有会员段的文档", "前言可以阅读。后面的全部文字在预览之外。")
    for n, doc in enumerate((spans, plain)):
        library.catalogue.add(doc, f"hash{n}", f"/p{n}", "x")
    library.close()
    library = Library.open(home, free_preview_chars=7)
    first, second = library.get(1), library.get(2)
    assert first.members_span == (7, 12)           # its own span, not the preview's
    assert (second.paid_from, second.paid_until) == (7, None)
    assert library.get(2, preview=False).paid_from is None   # what the admin edits: the stored boundary
    assert hits(library, "后记可以阅读", member=False, mode="precise").total == 1
    assert hits(library, "后面的全部文字", member=False, mode="precise").total == 0
    library.close()


# ---------------------------------------------------------------- metadata of the free view


def parsed(text: str, path: str = "/材料/某材料.txt"):
    return analyse(clean(text), origin=Origin(path=path))


NOTICE = ("关于做好档案整理工作的通知\n各有关单位：\n为做好年度档案整理工作，现将有关事项通知如下。\n"
          "##paidbegin##\n档案局发〔2031〕88号\n一、整理范围\n文书档案全部纳入整理。\n（来源：档案日报）\n"
          "二、工作要求\n各单位要按时完成。\n某市档案局\n2031年7月9日\n")


def test_metadata_of_the_members_part_is_not_in_the_free_view():
    doc = parsed(NOTICE)
    assert (doc.doc_number, doc.date, doc.source) == ("档案局发〔2031〕88号", "2031-07-09", "某市档案局")
    view = access.free_view(doc)
    assert (view.doc_number, view.date, view.source, view.genre) == (None, None, None, "通知")
    assert view.title == doc.title   # the title line stands above the free text
    assert all(e.start is None or e.end <= doc.paid_from for e in view.evidence)
    assert {e.field for e in view.evidence} == {"title", "genre"}
    assert access.view(doc, True)[0] is doc   # members keep everything


def test_metadata_of_the_free_part_stays():
    text = NOTICE.replace("##paidbegin##\n", "").replace("二、工作要求", "##paidbegin##\n二、工作要求")
    doc = parsed(text)
    view = access.free_view(doc)
    assert (view.doc_number, view.source) == ("档案局发〔2031〕88号", "档案日报")   # the 落款 is members-only now
    assert view.date == "2031"                                                     # the 文号's year is free


@pytest.mark.parametrize("where, shown", [("before", "新华网"), ("after", None)])
def test_a_source_line_right_at_the_boundary(where, shown):
    """A removed "来源：" line right before the tag and one right after it leave the same mark; the
    one after is members-only, so both are treated as members-only — except when text stands between."""
    line = "（来源：新华网）\n"
    free, members = "某地新闻\n第一段，说明情况。\n", "##paidbegin##\n第二段。\n"
    text = free + (line + "第一段之后。\n" + members if where == "before" else members.replace("\n", "\n" + line, 1))
    doc = parsed(text)
    assert doc.source == "新华网"
    assert access.free_view(doc).source == shown


def test_a_title_after_the_members_tag_is_not_a_visitors():
    doc = parsed("##paidbegin##某县机密工作情况的报告（5000字）\n一、基本情况\n今年以来，我们扎实推进各项工作。\n", "/x/07_会员材料.txt")
    assert (doc.title, doc.declared_chars, doc.genre) == ("某县机密工作情况的报告", 5000, "报告")
    view = access.free_view(doc)
    assert (view.title, view.declared_chars, view.text) == ("会员材料", None, "")
    assert view.genre == "其他"   # "报告" came from the members-only title


def test_without_any_free_title_the_visitor_is_told_it_is_for_members():
    doc = parsed("##paidbegin##某县机密工作情况的报告\n正文。\n")
    doc = replace(doc, evidence=[e for e in doc.evidence if e.origin != "file_name"])
    assert access.free_view(doc).title == access.HIDDEN_TITLE


def test_a_members_title_is_hidden_even_when_the_members_part_ends_before_the_text():
    doc = parsed("某县机密工作情况的报告\n正文。\n", "/x/材料.txt")
    doc = replace(doc, paid_from=None, evidence=[replace(e, origin="paid_title") if e.origin == "title" else e
                                                 for e in doc.evidence])
    assert access.free_view(doc).title == "材料"


def test_the_preview_boundary_of_the_operator_applies_to_metadata(tmp_path, database_url):
    """free_preview_chars makes the end of a long document members-only; its 落款 date goes with it."""
    doc = parsed("关于某事的通知\n各单位：\n" + "请认真落实各项工作任务，确保取得实效。" * 20 + "\n某县人民政府\n2023年5月6日\n")
    doc = replace(doc, paid_from=100)
    assert (doc.date, access.free_view(doc).date) == ("2023-05-06", None)
    target = database_url or tmp_path / "c.sqlite3"
    catalogue = Catalogue(target, preview_chars=100)
    catalogue.add(replace(doc, paid_from=None), "hash", "/x", "content")
    row = catalogue.records()[0]
    free = access.free_summaries([row], catalogue)[0]
    assert (row.paid_from, row.date, free.date) == (100, "2023-05-06", None)
    assert free.title == "关于某事的通知"
    assert Catalogue(target).records()[0].paid_from is None


def test_a_free_read_leaves_out_a_members_part_to_the_end_and_gives_the_same_free_view(tmp_path, database_url):
    """Catalogue.documents(free=True), what a visitor's search hits are read with: a members part that runs to the
    end (its own, or the free preview's) is not read — blanks of its length stand in for it — and every document's
    free view, length and members span are those of the document read whole."""
    body = "请认真落实各项工作任务，确保取得实效。" * 12
    secret = "会员才能看到的独家内容甲乙丙。" * 5
    texts = {"to_end": (body + secret, len(body), None), "inside": (body + secret + body, len(body), len(body + secret)),
             "free": (body, None, None), "from_start": (secret + body, 0, None),
             "preview": ("关于某事的通知\n" + body + secret, None, None)}
    target = database_url or tmp_path / "c.sqlite3"
    catalogue = Catalogue(target, preview_chars=len("关于某事的通知\n" + body))
    ids = {}
    for n, (name, (text, start, end)) in enumerate(texts.items()):
        doc = replace(parsed(f"关于{name}的通知\n" + text), paid_from=start, paid_until=end)
        ids[name] = catalogue.add(doc, f"hash{n}", f"/{name}.txt", "content")[1]
    whole = {d.id: d for d in catalogue.documents(sorted(ids.values()), outline=False)}
    read = {d.id: d for d in catalogue.documents(sorted(ids.values()), outline=False, free=True)}
    for name, doc_id in ids.items():
        assert (read[doc_id].chars, read[doc_id].members_span) == (whole[doc_id].chars, whole[doc_id].members_span)
        assert access.free_view(read[doc_id]) == access.free_view(whole[doc_id]), name
        assert access.view(read[doc_id], False)[1] == access.view(whole[doc_id], False)[1]
        span = whole[doc_id].members_span
        if span and span[1] == whole[doc_id].chars:   # to the end: not read
            assert read[doc_id].text[span[0]:].strip() == "" and secret[:8] not in read[doc_id].text, name
    assert secret[:8] in read[ids["inside"]].text   # free text after it: read whole (a visitor's view leaves it out)
    assert read[ids["free"]] == whole[ids["free"]]


def test_documents_stored_before_evidence_was_kept_are_described_over_their_free_text():
    """Their stored title and 文种 were found over the whole text: a visitor gets what the free text (its title
    line gone with the evidence) and the path give — the file name, the 文种 of "现将有关事项通知如下"."""
    doc = replace(parsed(NOTICE), evidence=[])
    view = access.free_view(doc)
    assert (view.title, view.genre, view.doc_number, view.date, view.source) == (access.HIDDEN_TITLE, "通知", None,
                                                                                None, None)
    view = access.free_view(replace(doc, source_path="/材料/某材料.txt"))
    assert (view.title, view.genre, view.doc_number, view.date, view.source) == ("某材料", "通知", None, None, None)


def test_a_span_is_free_only_outside_the_members_part():
    span = (10, 20)
    assert access._is_free(Evidence("date", "x", "text", 0, 10), span)
    assert not access._is_free(Evidence("date", "x", "text", 5, 11), span)
    assert not access._is_free(Evidence("date", "x", "text", 19, 25), span)
    assert access._is_free(Evidence("date", "x", "text", 20, 25), span)
    assert access._is_free(Evidence("source", "x", "text", 9, 9), span)
    assert not access._is_free(Evidence("source", "x", "text", 10, 10), span)   # a line removed at the edge
    assert not access._is_free(Evidence("source", "x", "text", 20, 20), span)
    for origin in ("title", "file_name", "folder", "meta", "option", "editor", "default"):
        assert access._is_free(Evidence("title", "x", origin), span)
    assert not access._is_free(Evidence("title", "x", "paid_title"), None)


def kept_and_fresh(library: Library) -> dict[int, tuple[dict | None, dict | None]]:
    """Per document: the free metadata kept with it as a visitor's row reads it (None: none made for its members
    span and the rules) and the oracle, described anew (``replace`` drops what the catalogue kept)."""
    kept = {row.id: row.free_metadata for row in library.catalogue.records(include_hidden=True)}
    return {doc.id: (kept[doc.id] and access._copied(kept[doc.id]), access.free_metadata(replace(doc)))
            for doc in library.catalogue.documents()}


def stored_made(library: Library) -> dict[int, list | None]:
    """The raw ``free_metadata`` column's ``made`` (rules' version and members span) per document, None for NULL."""
    with library.catalogue.db.read() as conn:
        rows = conn.execute(select(documents.c.id, documents.c.free_metadata)).fetchall()
    return {doc_id: column and json.loads(column)["made"] for doc_id, column in rows}


def test_the_kept_free_metadata_follows_an_admins_edit(home):
    """An edit of the title, 来源 or the member boundary describes the free view again where it is kept: what a
    visitor's list shows is the fresh description (a stale one would keep the old title, or none be kept)."""
    library = Library.open(home)
    _, doc_id = library.catalogue.add(parsed(NOTICE), "hash", "/x", "content")
    edits = [{"title": "档案整理的新标题", "source": "某市档案局"}, {"paid_from": 0}, {"paid_from": 60, "paid_until": 90},
             {"genre": "意见"}, {"paid_from": None}]
    for edit in edits:
        (before, _), = kept_and_fresh(library).values()
        library.update(doc_id, **edit)
        (kept, fresh), = kept_and_fresh(library).values()
        assert kept == fresh, edit
        if fresh is not None:
            doc = library.get(doc_id)
            assert stored_made(library)[doc_id] == [access.FREE_METADATA_VERSION, doc.paid_from, doc.paid_until]
            assert library.records()[0].title == fresh["title"]
        assert before != kept   # each edit changes what a visitor sees
    assert (kept, stored_made(library)[doc_id]) == (None, None)   # no members part left: nothing kept
    shown = library.records()[0]
    assert (shown.title, shown.source) == ("档案整理的新标题", "某市档案局")
    library.close()


@pytest.mark.parametrize("module", ["organs.py", "elements.py", "analysis.py", "metadata/titles.py", "access.py"])
def test_the_version_of_the_free_metadata_rules_changes_with_the_modules_they_run(tmp_path, monkeypatch, module):
    """read28: the 署名 rule the metadata reads a 来源 by moved out of :mod:`sucai.metadata` into :mod:`sucai.organs`;
    a change of it changes :data:`sucai.access.FREE_METADATA_VERSION` as one of the metadata rules does, so that
    every library describes its visitors' metadata again; so does a change of :mod:`sucai.elements` (its
    PARAGRAPH_END decides an undated 署名, read28) or of :mod:`sucai.analysis` (a 文种 read in simplified
    characters)."""
    copy = tmp_path / "sucai"
    shutil.copytree(Path(access.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "web"))
    monkeypatch.setattr(access, "__file__", str(copy / "access.py"))
    before = access._rules_digest()
    with open(copy / module, "a", encoding="utf-8") as changed:
        changed.write("\n# 规则改了\n")
    assert access._rules_digest() != before


def test_the_kept_free_metadata_is_made_again_when_the_preview_or_its_rules_change(home, monkeypatch):
    """Opening a library after the free preview's setting or :data:`sucai.access.FREE_METADATA_VERSION` changed
    describes every document again (a document the preview gives a members part gets one; one it no longer
    does, none); the rows then need no document read to be shown to a visitor."""
    library = Library.open(home)
    long = parsed("关于某事的通知\n各单位：\n" + "请认真落实各项工作任务，确保取得实效。" * 5 + "\n某县人民政府\n2023年5月6日\n")
    for n, doc in enumerate((parsed(NOTICE), long)):
        library.catalogue.add(doc, f"hash{n}", f"/p{n}", "x")
    version, members = access.FREE_METADATA_VERSION, library.get(1).paid_from
    assert stored_made(library) == {1: [version, members, None], 2: None}
    library.close()

    library = Library.open(home, free_preview_chars=30)
    assert stored_made(library) == {1: [version, members, None], 2: [version, 30, None]}
    assert all(kept == fresh is not None for kept, fresh in kept_and_fresh(library).values())
    assert [row.date for row in library.records()] == [None, None]   # the 落款 date is past the preview now
    monkeypatch.setattr(library.catalogue, "documents", None)   # a visitor's statistics read no document
    assert library.stats()["by_genre"] == {"通知": 2}
    library.close()

    monkeypatch.setattr(access, "FREE_METADATA_VERSION", version + "-changed")
    library = Library.open(home, free_preview_chars=30)
    assert stored_made(library) == {1: [version + "-changed", members, None], 2: [version + "-changed", 30, None]}
    library.close()
    library = Library.open(home)
    assert stored_made(library) == {1: [version + "-changed", members, None], 2: None}
    assert [row.date for row in library.records()] == [None, "2023-05-06"]
    library.close()


def test_a_title_from_a_members_part_has_its_free_metadata_made_again_without_a_span(home):
    """Opening a library describes again only the documents whose free view it makes (``Catalogue._free_viewed``):
    a document whose title came from a members part (evidence ``paid_title``) is one, even with no members span left
    and none kept (a library from before the free metadata was kept: migration c0004)."""
    library = Library.open(home)
    doc = parsed(NOTICE)
    evidence = [replace(e, origin="paid_title") if e.field == "title" else e for e in doc.evidence]
    _, doc_id = library.catalogue.add(replace(doc, paid_from=None, evidence=evidence), "hash", "/x", "content")
    with library.catalogue.transaction() as conn:
        conn.execute(documents.update().values(free_metadata=None))
        conn.execute(meta.delete().where(meta.c.key == "free_metadata_version"))
    library.close()
    library = Library.open(home)
    assert stored_made(library) == {doc_id: [access.FREE_METADATA_VERSION, None, None]}
    library.close()


def test_an_admins_edit_is_shown_to_everyone(tmp_path, database_url):
    catalogue = Catalogue(database_url or tmp_path / "c.sqlite3")
    _, doc_id = catalogue.add(parsed(NOTICE), "hash", "/x", "content")
    catalogue.update(doc_id, date="2031-07-10", source="某市档案局")
    doc = catalogue.get(doc_id)
    assert [(e.value, e.origin) for e in doc.evidence if e.field == "date"][0] == ("2031-07-10", "editor")
    view = access.free_view(doc)
    assert (view.date, view.source, view.doc_number) == ("2031-07-10", "某市档案局", None)


def test_a_visitors_free_view_never_ends_on_a_lone_heading_label():
    """New-user try 17: the free preview ended with 「（三）」 and then 会员可见全文: the heading's label goes with its
    text to the members part, so the free view ends with the last free paragraph and its outline has no empty
    （三）."""
    text = ("关于加强作风建设的实施方案\n一、总体要求\n坚持问题导向，形成求真务实的工作作风。\n二、主要任务\n（一）强化学习\n"
            "深入学习党的创新理论。\n（二）改进调研\n深入基层开展调研。\n（三）\n##paidbegin##担当作为方面\n会员内容，推动各项任务落实。")
    doc = analyse(clean(text))
    view, notice = access.view(doc, member=False)
    assert view.text.rstrip().endswith("深入基层开展调研。")
    assert notice == "会员可见全文（剩余 23 字）"   # "（三）\n担当作为方面\n会员内容，推动各项任务落实。": the label with it
    assert [n.label for n in view.outline[-1].children] == ["（一）", "（二）"]


def test_an_edited_genre_is_one_of_the_table_as_its_facet_link_asks(span_library):
    """An admin's 文种 is the taxonomy's name (a shorthand as the name it stands for); one the table lacks is refused
    — its facet's link /search?genre=… would be refused by every search (fix23)."""
    library = span_library
    doc = the_doc(library)
    library.update(doc.id, genre="讲话")
    assert library.get(doc.id).genre == "讲话稿"
    assert doc.id in {hit.id for hit in hits(library, "", member=True, genre="讲话稿").hits}
    before = library.get(doc.id).genre
    with pytest.raises(InvalidInput) as err:
        library.update(doc.id, genre="内部参考材料")
    assert err.value.code == "bad_genre" and "内部参考材料" not in str(err.value)
    assert library.get(doc.id).genre == before
