"""Issue 10, readers' rows, through the whole pipeline: B26 B31 B32 B39 B40 and PDFs whose text is drawn twice.

Each test feeds the case's input (from ../shared/cases/README.md, "Second round") to
an ingest and asserts the expected value: what is stored, and what precise search finds.
"""

from __future__ import annotations

import io

import lxml.html
import pdfplumber
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from fixtures import docx_bytes, make_cjk_pdf, new_document
from sucai.library import Library
from sucai.readers import read_bytes
from sucai.readers.html import drop_link_lists
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
    assert {name: o.status for name, o in outcomes.items()} == {**dict.fromkeys(B26_FILES, "ingested"),
                                                                "notice.txt": "skipped"}
    # "通知" alone is read as the Chinese it holds, and refused as a title without text (nothing to read or quote)
    assert outcomes["notice.txt"].reason == "只有标题“通知”，没有正文"
    for name, expected in (("report.txt", "政府工作报告\n各位代表："), ("form.txt", "年度考核登记表\n姓名：\n单位："),
                           ("big5.txt", "述職報告\n本人一年來認真履職。")):
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


# --- B32: tracked moves in a .docx -------------------------------------------------------------------------------

def _tracked_paragraph(body: str) -> str:
    return f'<w:p {nsdecls("w")}>{body}</w:p>'


def _run(text: str, deleted: bool = False) -> str:
    tag = "w:delText" if deleted else "w:t"
    return f'<w:r><{tag} xml:space="preserve">{text}</{tag}></w:r>'


def tracked_changes_docx() -> bytes:
    """Word's markup for: a sentence moved from paragraph 1 to paragraph 3, a deletion and an insertion in 2,
    and a whole paragraph moved away (its mark moved too) from between 2 and 3."""
    author = 'w:author="张三" w:date="2024-03-01T10:00:00Z"'
    document = new_document()
    body = document.element.body
    paragraphs = [
        _run("一、总体要求。")
        + f'<w:moveFromRangeStart w:id="1" w:name="move1" {author}/>'
        + f'<w:moveFrom w:id="2" {author}>{_run("坚持稳中求进工作总基调。")}</w:moveFrom>'
        + '<w:moveFromRangeEnd w:id="1"/>',
        _run("二、主要任务：")
        + f'<w:del w:id="3" {author}>{_run("删去的旧提法", deleted=True)}</w:del>'
        + f'<w:ins w:id="4" {author}>{_run("新增的任务表述")}</w:ins>'
        + _run("。"),
        f'<w:pPr><w:rPr><w:moveFrom w:id="5" {author}/></w:rPr></w:pPr>'
        + f'<w:moveFrom w:id="6" {author}>{_run("整段移走的段落。")}</w:moveFrom>',
        _run("三、保障措施。")
        + f'<w:moveToRangeStart w:id="7" w:name="move1" {author}/>'
        + f'<w:moveTo w:id="8" {author}>{_run("坚持稳中求进工作总基调。")}</w:moveTo>'
        + '<w:moveToRangeEnd w:id="7"/>',
        f'<w:pPr><w:rPr><w:moveTo w:id="9" {author}/></w:rPr></w:pPr>'
        + f'<w:moveTo w:id="10" {author}>{_run("整段移走的段落。")}</w:moveTo>',
    ]
    for xml in paragraphs:
        body.append(parse_xml(_tracked_paragraph(xml)))
    return docx_bytes(document)


def test_b32_docx_tracked_move_is_read_once_at_its_new_place(home, tmp_path):
    library, outcomes = ingest_files(home, tmp_path / "in", {"修订稿.docx": tracked_changes_docx()})
    doc = library.get(outcomes["修订稿.docx"].doc_id)
    text = stored_text(library, doc.id)
    assert text.count("坚持稳中求进工作总基调。") == 1
    assert "三、保障措施。坚持稳中求进工作总基调。" in text  # at its new place
    assert text.count("整段移走的段落。") == 1 and text.rstrip().endswith("整段移走的段落。")
    assert "删去的旧提法" not in text
    assert "二、主要任务：新增的任务表述。" in text
    assert precise(library, "删去的旧提法") == []
    assert precise(library, "新增的任务表述") == [doc.id]


# --- B39: link lists and sidebars are not body text ---------------------------------------------------------------

NOTICE_PARAGRAPHS = [
    "各区县人民政府，市政府各部门：", "为做好2024年春季农业生产工作，现将有关事项通知如下。",
    "一、抓好粮食生产。各地要稳定播种面积，落实各项扶持政策，确保粮食产量稳定在合理水平。",
    "二、做好农资保障。要加强化肥、农药、种子等农资市场监管，保障供应充足、价格稳定。",
    "三、强化技术服务。组织农技人员深入田间地头开展指导服务。", "某市人民政府办公室", "2024年3月1日",
]
RELATED = ["关于开展2024年度安全生产大检查的通知", "市政府召开常务会议研究部署近期重点工作", "关于进一步加强城市管理工作的意见",
           "全市优化营商环境工作推进会召开", "关于做好防汛抗旱工作的紧急通知", "市领导调研乡村振兴工作"]
HEADLINES = ["我市召开经济运行调度会", "市长带队督导安全生产工作", "全市春季植树造林活动启动", "市委理论学习中心组举行集体学习",
             "我市新增三家国家级专精特新企业"]


def _links(titles: list[str], dated: bool = False) -> str:
    date = '<span class="date">2024-03-01</span>' if dated else ""
    return "".join(f'<li><a href="/art/{i}.html">{t}</a>{date}</li>' for i, t in enumerate(titles))


def b39_pages() -> dict[str, bytes]:
    notice = "".join(f"<p>{p}</p>" for p in NOTICE_PARAGRAPHS)
    related = (f'<html><head><meta charset="utf-8"><title>春季农业生产通知</title></head><body><div class="content">'
               f"<h1>关于做好春季农业生产工作的通知</h1>{notice}<p>相关文章：</p><ul>{_links(RELATED, True)}</ul>"
               "</div></body></html>")
    sidebar = ('<html><head><meta charset="utf-8"></head><body><table><tr><td width="700">'
               f"<h1>关于春耕备耕的通知</h1><p>各单位：请做好春耕备耕工作。</p></td>"
               f'<td width="200"><h3>【热点新闻】</h3><ul>{_links(HEADLINES)}</ul></td></tr></table></body></html>')
    return {"related.html": related.encode(), "sidebar.html": sidebar.encode()}


def test_b39_link_lists_and_sidebars_are_not_stored(home, tmp_path):
    library, outcomes = ingest_files(home, tmp_path / "in", b39_pages())
    related, sidebar = (library.get(outcomes[name].doc_id) for name in ("related.html", "sidebar.html"))
    assert [line for line in related.text.split("\n") if line] == NOTICE_PARAGRAPHS
    assert "各单位：请做好春耕备耕工作。" in sidebar.text
    for doc in (related, sidebar):
        for label in ("相关文章", "热点新闻"):
            assert label not in stored_text(library, doc.id)
    for headline in RELATED + HEADLINES:
        assert precise(library, headline) == [], headline
    assert precise(library, "春耕备耕") == [sidebar.id]


def test_b39_a_labelled_sidebar_of_few_links_goes_but_few_unlabelled_links_stay():
    """New-user try 17: a GB2312 page's 「热点新闻」 sidebar of three headlines was kept as text (four links were
    needed); under such a label two are enough. Two links in a sentence with no label stay."""
    headlines = ["全县召开警示教育大会暨青鸾特别会议", "县长调研春耕生产工作", "我县获评省级文明城市"]
    page = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>"
            "<h1>关于表彰2024年度优秀共产党员的决定</h1><p>各党支部：经研究，决定表彰以下同志。</p>"
            "<p>中共某县财政局机关委员会</p><p>2024年6月28日</p>"
            f'<div class="sidebar"><h3>热点新闻</h3><ul>{_links(headlines)}</ul></div></body></html>')
    assert read_bytes(page.encode("gb2312"), "a.html").text.split("\n")[-2:] == ["中共某县财政局机关委员会", "2024年6月28日"]
    paragraph = "为深入贯彻落实党中央决策部署，进一步加强基层党组织建设，现就有关事项通知如下。" * 3
    prose = (f'<html><body><h1>关于学习的通知</h1><p>各单位：请学习<a href="/a">《条例》</a>和<a href="/b">《规定》</a>。'
             f"{paragraph}</p></body></html>")
    assert read_bytes(prose.encode(), "b.html").text.split("\n")[-1] == f"各单位：请学习《条例》和《规定》。{paragraph}"


def test_b39_attachment_links_are_content():
    links = "".join(f'<p><a href="/files/{i}.xls">附件{i}：名单{i}.xls</a></p>' for i in range(1, 6))
    page = f"<html><body><h1>关于公布名单的通知</h1><p>现将名单公布如下。</p>{links}</body></html>"
    assert read_bytes(page.encode(), "a.html").text.split("\n")[-5:] == [f"附件{i}：名单{i}.xls" for i in range(1, 6)]


def test_b39_link_lists_deep_in_a_page_are_judged_by_their_own_text():
    """A sidebar of links 40 blocks deep (each block's text was read again with each of its links taken out: a 386 kB
    page of 4,000 links 100 blocks deep took 37 s of CPU) goes with its label; a sentence of four links and words of its own between and after them stays, and so do links to
    attached files."""
    said = ('<p>请认真学习<a href="/a">《条例》</a>、<a href="/b">《规定》</a>、<a href="/c">《办法》</a>和'
            '<a href="/d">《细则》</a>等文件的具体要求。</p>')
    files = "".join(f'<p><a href="/files/{i}.pdf">附件{i}：名单</a></p>' for i in range(1, 6))
    notice = "".join(f"<p>{p}</p>" for p in NOTICE_PARAGRAPHS)
    sidebar = f"<h3>【热点新闻】</h3><ul>{_links(HEADLINES)}</ul>"
    page = ("<html><body>" + "<div>" * 40 + f'<table><tr><td width="700"><h1>关于做好春季农业生产工作的通知</h1>{notice}'
            f'{said}<div>{files}</div></td><td width="200">{sidebar}</td></tr></table>' + "</div>" * 40 + "</body></html>")
    assert read_bytes(page.encode(), "a.html").text.split("\n") == [
        *NOTICE_PARAGRAPHS, "请认真学习《条例》、《规定》、《办法》和《细则》等文件的具体要求。", *(f"附件{i}：名单" for i in range(1, 6))]


@pytest.mark.parametrize("inside, dropped", [
    ("<!-- 栏目列表开始：这是一段很长的注释文字 -->", True),   # a comment is no text of the page
    ("热点新闻、相关文章、延伸阅读", True),                     # labels are not counted
    ("以上链接为本网站编辑部整理", False),                      # 12 characters of text of its own
    ("<h1>关于某事的通知</h1>", False),                         # a page's title is in it
])
def test_b39_what_counts_as_a_link_lists_own_text(inside, dropped):
    tree = lxml.html.document_fromstring(f"<html><body><p>正文。</p><ul>{inside}{_links(HEADLINES)}</ul></body></html>")
    drop_link_lists(tree)
    assert (tree.find(".//ul") is None) is dropped


# --- B40: HTML tables keep their rows -----------------------------------------------------------------------------

def test_b40_html_table_rows_are_lines_with_tab_separated_cells(home, tmp_path):
    page = ("<html><body><h1>关于公布先进个人名单的通知</h1><p>经研究，现将先进个人名单公布如下。</p>"
            "<table><thead><tr><th>序号</th><th>姓名</th><th>单位</th></tr></thead>"
            "<tbody><tr><td>1</td><td>张三</td><td>市财政局</td></tr><tr><td>2</td><td>李四</td><td>市教育局</td></tr>"
            "</tbody></table><p>特此通知。</p></body></html>")
    assert read_bytes(page.encode(), "名单.html").text.split("\n")[-4:] == [
        "序号\t姓名\t单位", "1\t张三\t市财政局", "2\t李四\t市教育局", "特此通知。"]
    library, outcomes = ingest_files(home, tmp_path / "in", {"名单.html": page.encode()})
    doc = library.get(outcomes["名单.html"].doc_id)
    assert "序号\t姓名\t单位\n1\t张三\t市财政局\n2\t李四\t市教育局" in doc.text
    assert precise(library, "张三") == [doc.id]


# --- PDFs whose text is drawn twice (fake bold) ------------------------------------------------------------------

def test_fake_bold_pdf_text_is_read_once(home, tmp_path):
    title, body = "关于开展作风建设专项整治的通知", "各单位：请认真组织学习，谢谢配合。"
    runs = [(120, 760, title), (120.4, 760.3, title),  # the title painted twice, 0.4 pt apart
            (72, 700, body), (72.8, 700, body), (72, 700.8, body)]  # the body three times
    pdf = make_cjk_pdf([runs], size=16)
    with pdfplumber.open(io.BytesIO(pdf)) as opened:  # the fault: every character comes out doubled
        assert "关关于于" in opened.pages[0].extract_text()
    library, outcomes = ingest_files(home, tmp_path / "in", {"通知.pdf": pdf})
    doc = library.get(outcomes["通知.pdf"].doc_id)
    assert stored_text(library, doc.id).split("\n") == [title, body]
    assert "谢谢" in doc.text  # a character really repeated (one em apart) stays
    assert precise(library, "作风建设专项整治") == [doc.id]
