"""The document page shows structure as structure: 公文 element lines placed as GB/T 9704-2012 §7 says,
article entries of the 提纲 named by their label with the opening words apart, never glued or half-bolded."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from sucai.library import Library
from sucai.web import create_app
from sucai.web.render import paragraphs

from test_elements import DOWNWARD

LAW = ("中华人民共和国某某法\n第一章 总则\n第一条 为了惩罚犯罪，保护人民，制定本法。\n"
       "第十七条之一 已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚。\n"
       "第三十三条 主刑的种类如下：\n（一）管制；\n（二）拘役；\n（三）有期徒刑。\n前款规定的刑罚，依照本法执行。\n")
_PARA = re.compile(r'<div class="para\b([^"]*)" id="o(\d+)"><(?:p|h\d) class="ptext">(.*?)</(?:p|h\d)>', re.S)
_TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_home):
    root = tmp_path_factory.mktemp("structure-page")
    home = make_home(root / "home")
    (root / "in").mkdir()
    (root / "in" / "notice.txt").write_text("国务院关于印发国家职业教育改革实施方案的通知\n" + DOWNWARD, encoding="utf-8")
    (root / "in" / "law.txt").write_text(LAW, encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([root / "in"], workers=1).counts["ingested"] == 2
    ids = {row["title"][:4]: row["id"] for row in library.catalogue.summaries()}
    yield {"library": library, "client": TestClient(create_app(home)), "notice": ids["国务院关"],
           "law": ids["中华人民"], "home": root / "home"}
    library.close()


def _paragraphs(page: str) -> dict[int, tuple[set[str], str]]:
    """offset → (CSS classes, text as shown) of every body paragraph of a page."""
    return {int(m[2]): (set(m[1].split()), html.unescape(_TAG.sub("", m[3]))) for m in _PARA.finditer(page)}


def test_element_lines_are_placed_not_body_paragraphs(site):
    doc = site["library"].get(site["notice"])
    shown = _paragraphs(site["client"].get(f"/documents/{site['notice']}").text)
    assert len(doc.elements) == 15
    for element in doc.elements:  # each element's line carries its kind, in place of a body paragraph
        line_start = doc.text.rfind("\n", 0, element.start) + 1
        offset = line_start + len(doc.text[line_start:element.start]) - len(doc.text[line_start:element.start].lstrip())
        classes, text = shown[offset]
        assert {"element", f"el-{element.kind}"} <= classes and element.text.split()[0] in text, element
    body = [offset for offset, (classes, _) in shown.items() if "element" not in classes]
    assert {doc.text[o : doc.text.index("\n", o)] for o in body} == {
        "现将《国家职业教育改革实施方案》印发给你们，请认真贯彻执行。", "职业教育与普通教育是两种不同教育类型，具有同等重要地位。", "略。",
    }
    record = [classes for classes, _ in shown.values() if "record" in classes]  # 主送, 抄送, 印发: 版记 apart
    assert len(record) == 3 and "record-first" in record[0] and "record-last" in record[-1]
    assert not {"record-first", "record-last"} & record[1]
    labels = [text for classes, text in shown.values() if "attachment-label" in classes]
    titles = [text for classes, text in shown.values() if "attachment-title" in classes]
    assert (labels, titles) == (["附件1", "附件2"], ["国家职业教育改革实施方案", "职业技能等级证书试点名单"])


def test_printer_and_upward_number_lines_are_laid_out_in_two_parts():
    from sucai.clean import clean
    from sucai.outline import analyse

    doc = analyse(clean("某市关于防汛的请示\n某政〔2023〕5号　　　签发人：张三\n省人民政府：\n妥否，请批示。\n"
                        "抄送：省水利厅。\n某市人民政府办公室　　2023年5月6日印发\n"))
    parts = [p.parts for p in paragraphs(doc) if p.parts]
    assert parts == [
        [("doc_number", "某政〔2023〕5号"), ("signer", "签发人：张三")],
        [("addressee", "省人民政府：")],
        [("cc", "抄送：省水利厅。")],
        [("printer", "某市人民政府办公室"), ("printer", "2023年5月6日印发")],
    ]


def test_article_entries_are_their_labels_with_the_opening_words_apart(site):
    page = site["client"].get(f"/documents/{site['law']}").text
    entries = re.findall(r'<span class="entry">([^<]*)</span>(?: <span class="summary">([^<]*)</span>)?', page)
    assert entries == [("第一章 总则", ""), ("第一条", "为了惩罚犯罪"), ("第十七条之一", "已满七十五周岁的人故意犯罪的"),
                       ("第三十三条", "主刑的种类如下")]
    text = _TAG.sub("", page)
    for glued in ("第一条为了", "第十七条之一已满", "第三十三条主刑"):
        assert glued not in text
    bold = re.findall(r'<strong class="lead">([^<]*)</strong>', page)
    assert bold == ["第一条", "第十七条之一", "第三十三条"]  # the label only, never up to the first comma
    shown = _paragraphs(page)
    assert [text for _, text in shown.values()][1:3] == [
        "第一条 为了惩罚犯罪，保护人民，制定本法。", "第十七条之一 已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚。",
    ]


def test_elements_and_summaries_in_the_api(site):
    data = site["client"].get(f"/api/documents/{site['law']}").json()
    assert data["outline"][0]["children"][0] | {"children": []} == {
        "level": 2, "label": "第一条", "heading": "", "summary": "为了惩罚犯罪", "kind": "heading",
        "start": data["text"].index("第一条"), "end": data["text"].index("第十七条之一"), "children": [],
    }
    notice = site["client"].get(f"/api/documents/{site['notice']}").json()
    assert [e["kind"] for e in notice["elements"]][:3] == ["issuer_mark", "doc_number", "addressee"]
    assert all(notice["text"][e["start"] : e["end"]] == e["text"] for e in notice["elements"])


def test_in_a_browser_element_lines_are_centred_flush_left_and_right(site, tmp_path):
    """Computed styles in Chromium: 发文字号 centred (§7.2.5), 主送机关 顶格 (§7.3.2), 署名 and 成文日期
    right-aligned (§7.3.5), 版记 between rules (§7.4.1), the article summary apart from its label."""
    browser_tests = pytest.importorskip("test_web_browser", reason="needs chromium and playwright")
    with browser_tests.Server(site["home"]) as server, browser_tests.sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(browser_tests.CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.goto(f"{server.url}/documents/{site['notice']}")

        def style(selector: str, prop: str) -> str:
            return page.eval_on_selector(f"{selector} .ptext", f"e => getComputedStyle(e)['{prop}']")

        assert style(".el-doc_number", "textAlign") == "center"
        assert (style(".el-addressee", "textAlign"), style(".el-addressee", "textIndent")) == ("left", "0px")
        assert style(".el-issuer_signature", "textAlign") == style(".el-date", "textAlign") == "right"
        assert style(".record-first", "borderTopStyle") == "solid" and style(".record-last", "borderBottomStyle") == "solid"
        assert style(".attachment-title", "textAlign") == "center"
        page.screenshot(path=str(tmp_path / "notice.png"), full_page=True)
        page.goto(f"{server.url}/documents/{site['law']}")
        entry = page.locator(".outline a", has_text="第一条").first
        assert entry.locator(".entry").inner_text() == "第一条"
        assert entry.locator(".summary").inner_text() == "为了惩罚犯罪"
        assert entry.inner_text() == "第一条 为了惩罚犯罪"
        browser.close()
