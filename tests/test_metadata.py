"""Metadata: title, 文种, 发文字号, 成文日期 and 来源 of a clean text, each with where it was found."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from sucai import access
from sucai.clean import clean
from sucai.ingest import parse_file
from sucai.metadata import Origin, describe, title_note_lines, title_notes
from sucai.model import found_by
from sucai.metadata.dates import dates, parse
from sucai.metadata.genres import GENRES, GROUPS, NAMES, OTHER, canonical, taxonomy, title_genre
from sucai.metadata.issuers import doc_number_issuer
from sucai.metadata.titles import distinguishing_notes, file_title
from sucai.outline import analyse
from sucai.readers import RawDocument


def described(text: str, **origin):
    return describe(clean(text), Origin(**origin))


def best(text: str, field: str, **origin) -> tuple[str | None, str | None]:
    """(value, rule) of the best candidate of ``field``."""
    evidence = next((e for e in described(text, **origin).evidence if e.field == field), None)
    return (evidence.value, evidence.rule) if evidence else (None, None)


def test_the_folders_a_web_upload_is_kept_in_are_no_evidence_of_it():
    """The admin's web upload keeps a file as <home>/uploads/YYYY-MM-DD/<its name>: that day, the upload's, was the
    成文日期 (据文件名) of every uploaded document that names none — its year facet and date sort with it (ops21).
    A folder the operator named by a day is still read."""
    text = "关于开展冬季安全检查的通知\n\n各单位：请于本月组织检查。\n"
    assert best(text, "date", path="/srv/sucai/uploads/2026-12-05/通知.txt") == (None, None)
    assert best(text, "date", path="/srv/下载/2024-03-15/通知.txt") == ("2024-03-15", "文件名")
    assert best(text, "source", path="/srv/sucai/uploads/2026-12-05/通知.txt") == (None, None)
    assert best(text, "source", path="/srv/某县财政局/uploads/通知.txt") == ("某县财政局", "文件夹")


# ---------------------------------------------------------------- titles


def test_a_title_broken_over_three_lines_is_joined_up_to_its_closing_word():
    text = ("国务院办公厅关于有效发挥政府性\n融资担保基金作用切实支持小微企业和\n“三农”发展的指导意见\n"
            "国办发〔2019〕6号\n各省、自治区、直辖市人民政府：\n近年来，各地区有效发挥了作用。")
    doc = analyse(clean(text))
    assert doc.title == "国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见"
    assert doc.text.startswith("国办发〔2019〕6号")
    assert (doc.genre, doc.source) == ("意见", "国务院办公厅")


@pytest.mark.parametrize("head, title", [
    ("某某市人民政府文件\n\n某政发〔2024〕5号\n\n", "某某市人民政府关于做好2024年防汛工作的通知"),
    ("000012\n特急\n某 某 市 人 民 政 府 文 件\n某政发〔2024〕5号　　签发人：张三\n", "某某市人民政府关于做好2024年防汛工作的通知"),
    ("某某市人民政府文件\n某某市人民政府办公室文件\n某政发〔2024〕5号\n签发人：张三\n", "某某市人民政府关于做好2024年防汛工作的通知"),
    ("某政发〔2024〕5号\n", "某某市人民政府关于做好2024年防汛工作的通知"),   # a 版头 of its 文号 alone
])
def test_the_title_of_a_document_with_a_masthead_is_below_its_doc_number(head, title):
    """read29: a 公文 opening with its 版头 — 发文机关标志 「某某市人民政府文件」 and 发文字号, 份号, 紧急程度 and 签发人 — was
    titled by the 标志, its real title left in the body. The title is the lines between the 文号 and the 主送机关 (GB/T
    9704-2012 §7.3.1), as when the file is named by it; the 版头 stood before the title, its 文号 is still the 文号."""
    text = head + "某某市人民政府\n关于做好2024年防汛工作的通知\n各县（市、区）人民政府：\n　　为做好防汛工作，现通知如下。\n"
    doc = analyse(clean(text))
    assert (doc.title, doc.doc_number, doc.source, doc.genre) == (title, "某政发〔2024〕5号", "某某市人民政府", "通知")
    assert doc.text.startswith("各县（市、区）人民政府：")
    kept = doc.removed[-1]   # (cleaning joined the spaced-out 标志 first: a spaced_title removal)
    assert (kept.rule, "".join(kept.text.split())) == ("before_title", "".join(head.split()))
    named = analyse(clean(text), origin=Origin(path="/x/某某市人民政府关于做好2024年防汛工作的通知.docx"))
    assert (named.title, named.text) == (doc.title, doc.text)


def test_a_title_naming_a_file_above_a_sentence_opening_with_a_doc_number_is_the_title():
    """A title ending with 「文件」 above a paragraph that opens with a 文号 is no 版头 (the 文号 is no line of its own)."""
    text = "认真学习贯彻省委文件\n某发〔2024〕1号文件下发以来，各地认真落实。\n一是加强组织领导\n各级党组织要把学习摆上重要议程。\n"
    assert analyse(clean(text)).title == "认真学习贯彻省委文件"


@pytest.mark.parametrize("name", ["素材.txt", "素材.docx"])
@pytest.mark.parametrize("mark", ["# ", "### ", "#\u3000"])
def test_a_markdown_heading_marker_in_a_files_title_line_is_dropped_from_its_title(tmp_path, name, mark):
    """A .txt or .docx whose first paragraph is 「# 关于做好防汛工作的通知」 (pasted from a markdown editor) kept the
    「# 」 in its title: the title is the line without it, whatever the file's name says; only a leading mark and space
    go (「#关于…」 and a 「#」 later in the line are not markers)."""
    from docx import Document as Docx

    from fixtures import docx_bytes

    lines = [f"{mark}关于做好防汛工作的通知", "各单位：", "请认真做好 #汛期 # 值班工作。"]
    path = tmp_path / name
    if name.endswith(".docx"):
        document = Docx()
        for line in lines:
            document.add_paragraph(line)
        path.write_bytes(docx_bytes(document))
    else:
        path.write_text("\n".join(lines), encoding="utf-8")
    doc = parse_file(path)
    assert (doc.title, doc.genre) == ("关于做好防汛工作的通知", "通知")
    assert "#汛期 # 值班" in doc.text
    assert best("#关于做好防汛工作的通知\n各单位：\n请认真做好防汛工作。", "title")[0] == "#关于做好防汛工作的通知"


@pytest.mark.parametrize("first, second", [("某县农业农村局2023年乡村振兴工作总结和", "2024年工作打算"),
                                           ("某县2023年工作总结暨", "2024年工作思路")])
def test_a_summary_and_plan_title_broken_after_its_and_is_joined(first, second):
    doc = analyse(clean(f"{first}\n{second}\n2023年，全县扎实推进各项工作。\n一、主要工作\n正文。"))
    assert (doc.title, doc.genre) == (first + second, "工作总结")


def test_a_title_is_not_closed_inside_a_book_title():
    """"…实施《中华人民共和国药品管理法" ends with 法 but its 《 is open: the next line belongs to the title."""
    text = ("国务院关于在海南博鳌乐城国际医疗旅游先行区\n暂时调整实施《中华人民共和国药品管理法\n实施条例》有关规定的决定\n"
            "国发〔2018〕43号\n各省、自治区、直辖市人民政府：\n为进一步支持海南省试点发展国际医疗旅游相关产业，现决定如下。")
    doc = analyse(clean(text))
    assert doc.title == "国务院关于在海南博鳌乐城国际医疗旅游先行区暂时调整实施《中华人民共和国药品管理法实施条例》有关规定的决定"
    assert (doc.genre, doc.doc_number) == ("决定", "国发〔2018〕43号")
    unbalanced = analyse(clean("关于《某某\n办法\n其他\n正文很长的一段话，没有标题。"))
    assert unbalanced.title == "关于《某某"   # never closed: the first line alone


@pytest.mark.parametrize("written", ["国发【2018] 44号", "国发[2018〕44号", "国发 （2018） 44号", "国发［2018］　44 号",
                                     "国发〔2018〕44号", "国发〔２０１８〕４４号", "国发［２０１８］４４号"])
def test_a_doc_number_is_stored_with_hexagonal_brackets_and_no_spaces(written):
    """An OCR'd 发文字号 mixes brackets and spaces, a web page's writes full-width numerals (read31: one with a
    full-width year was not read at all): stored as GB/T 9704-2012 §7.2.4 writes it, 国发〔2018〕44号 — its
    evidence still the span written in the text, its line the 发文字号 element."""
    text = f"国务院关于加强数字政府建设的指导意见\n{written}\n各省、自治区、直辖市人民政府：\n现提出如下意见。"
    doc = analyse(clean(text))
    assert doc.doc_number == "国发〔2018〕44号"
    [evidence] = [e for e in doc.evidence if e.field == "doc_number"]
    assert doc.text[evidence.start:evidence.end] == written
    assert [doc.text[e.start:e.end] for e in doc.elements if e.kind == "doc_number"] == [written]


@pytest.mark.parametrize("number, year", [("X府发〔2023〕5号", "2023"), ("GB办〔2020〕3号", "2020"), ("湘X发〔2021〕12号", "2021")])
def test_a_doc_number_whose_code_holds_latin_letters_is_read_whole(number, year):
    """read31: a 代字 written with a Latin abbreviation (a county's 「X府发」, a company's 「GB办」) was read from its first
    Chinese character on — 「府发〔2023〕5号」 — and its line was no 发文字号 element. Letters alone are no 代字."""
    text = f"某县人民政府关于开展冬季安全检查的通知\n{number}\n各乡镇人民政府：\n请于本月组织检查。\n"
    doc = analyse(clean(text))
    assert (doc.doc_number, doc.date) == (number, year)
    assert [doc.text[e.start:e.end] for e in doc.elements if e.kind == "doc_number"] == [number]
    assert analyse(clean(text.replace(number, "ABC〔2020〕3号"))).doc_number is None


def test_a_declared_title_broken_over_lines_is_taken_whole():
    """A page declares its title (HTML <title>, the gov.cn table) and the body breaks it over three lines, the
    last opening with a quotation mark: the three lines are the title, not the first one alone."""
    title = "国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见"
    text = ("国务院办公厅关于有效发挥政府性\n融资担保基金作用切实支持小微企业和\n“三农”发展的指导意见\n国办发〔2019〕6号\n"
            "各省、自治区、直辖市人民政府：\n近年来，各地区、各部门认真贯彻落实有关要求。")
    doc = analyse(clean(text), origin=Origin(meta={"title": title}))
    assert (doc.title, doc.genre, doc.doc_number) == (title, "意见", "国办发〔2019〕6号")
    assert doc.text.startswith("国办发〔2019〕6号")
    other = analyse(clean(text), origin=Origin(meta={"title": "国务院办公厅关于有效发挥政府性融资担保基金作用的通知"}))
    assert other.title != "国务院办公厅关于有效发挥政府性融资担保基金作用的通知"   # a hint is taken only as written


def test_an_issuer_line_above_the_title_is_part_of_it():
    doc = analyse(clean("国务院办公厅\n关于四川省在温家宝总理考察工作时\n所提问题和建议办理情况的函\n国办函〔2004〕71号\n四川省人民政府：\n正文。"))
    assert doc.title == "国务院办公厅关于四川省在温家宝总理考察工作时所提问题和建议办理情况的函"
    assert doc.genre == "函"


COVER = "政策信息发布平台\n共性需求说明书\n\n南方IT学院S3S147\n2019年01月\n\n文档修订记录\n1.技术栈\n使用框架搭建后台；\n"


def test_a_cover_title_over_two_lines_is_joined():
    """New-user try 14: a specification's cover ("政策信息发布平台" / "共性需求说明书") was titled by its first line."""
    doc = analyse(clean(COVER))
    assert doc.title == "政策信息发布平台共性需求说明书"
    assert doc.text.startswith("南方IT学院S3S147\n")


@pytest.mark.parametrize("second", ["2019年01月", "某府办发〔2019〕3号", "——用户手册", "南方IT学院S3S147"])
def test_a_cover_title_is_not_joined_with_a_date_number_subtitle_or_unit_line(second):
    doc = analyse(clean(COVER.replace("共性需求说明书\n", f"{second}\n", 1)))
    assert doc.title == "政策信息发布平台"


@pytest.mark.parametrize("lines, title, genre", [
    (("国务院办公厅关于进一步加强和规范", "政府采购活动的通知"), None, "通知"),
    (("关于进一步规范", "行政事业单位国有资产管理的通知"), None, "通知"),
    (("市场监管总局关于进一步规范", "和加强行政执法的意见"), None, "意见"),
    (("关于2023年度预算执行情况的说明", "和2024年预算草案的报告"), None, "报告"),
    (("政策信息发布平台数据交换", "技术规范"), None, None),
])
def test_a_title_line_ending_in_a_verb_like_word_goes_on(lines, title, genre):
    """Review 15c: 规范 and 说明 stopped a join after the first line ("关于进一步加强和规范" as the title, 文种 规定);
    they end a title only as the last word of the lines joined."""
    doc = analyse(clean("\n".join(lines) + "\n各有关单位：\n现将有关事项说明如下。\n"))
    assert doc.title == (title or "".join(lines))
    if genre:
        assert doc.genre == genre


@pytest.mark.parametrize("lines, genre", [
    (("国务院办公厅关于印发“十四五”国家信息化规划", "的通知"), "通知"),
    (("某县农业农村局关于2025年工作总结", "和2026年工作计划的报告"), "报告"),
    (("关于印发某某管理办法（试行）", "的通知"), "通知"),
    (("中共某某县委办公室关于印发某某实施方案", "及配套文件的通知"), "通知"),
])
def test_a_title_broken_after_a_word_that_could_end_it_goes_on(lines, genre):
    """A two-line title (GB/T 9704-2012 §7.3.3) whose first line ends with a closing word — 规划, 工作总结, （试行） — and
    whose second opens with 的 or a conjunction is one title: it was the first line and a guessed heading 「的通知」 (read22)."""
    doc = analyse(clean("\n".join(lines) + "\n各有关单位：\n现将有关事项通知如下。\n一、总体要求\n正文。\n"))
    assert (doc.title, doc.genre) == ("".join(lines), genre)
    assert [(n.label, n.heading) for n in doc.outline] == [("一、", "总体要求")]
    assert doc.text.startswith("各有关单位：")


@pytest.mark.parametrize("second", ["和平县人民政府", "的确如此，我们做了很多工作。", "各有关单位："])
def test_a_closed_title_takes_no_line_that_does_not_end_one(second):
    doc = analyse(clean(f"某县2025年工作总结\n{second}\n一年来，全县扎实推进各项工作。\n"))
    assert doc.title == "某县2025年工作总结"


def test_lines_are_not_joined_when_no_closing_word_comes():
    doc = analyse(clean("推进作风建设常态化长效化\n作风建设\n习近平总书记近期就作风建设作出重要指示。"))
    assert doc.title == "推进作风建设常态化长效化"


@pytest.mark.parametrize("markdown", [False, True])
def test_a_part_of_a_law_keeps_its_law(markdown):
    text = "# 中华人民共和国民法典\n\n# 合同编\n\n2020年5月28日 第十三届全国人民代表大会第三次会议通过\n\n## 第一分编 通则\n\n第四百六十三条 本编调整因合同产生的民事关系。\n"
    if not markdown:
        text = text.replace("# ", "")
    doc = analyse(clean(text, markdown=markdown), markdown=markdown, origin=Origin(path="/x/民法典/合同编.md"))
    assert doc.title == "中华人民共和国民法典 合同编"
    assert (doc.genre, doc.date, doc.source) == ("法律", "2020-05-28", "全国人民代表大会")


def test_a_sentence_above_the_declared_title_is_not_part_of_it():
    """read21, the corpus's 案例/消费购物/张莉诉北京合力华通汽车服务有限公司买卖合同纠纷案.md: its 裁判要点, a sentence in a
    ``#`` line, was joined to the case's name; a ``#`` line that is no sentence above the name stays part of the title."""
    name = "张莉诉北京合力华通汽车服务有限公司买卖合同纠纷案"
    text = f"# 为家庭生活消费需要购买汽车，发生欺诈纠纷的，可以按照消费者权益保护法处理。\n\n## {name}\n\n## 基本案情\n\n2007年2月28日，原告购车。\n"
    doc = analyse(clean(text, markdown=True), markdown=True, origin=Origin(path=f"/案例/{name}.md"))
    assert doc.title == name
    topic = text.replace("为家庭生活消费需要购买汽车，发生欺诈纠纷的，可以按照消费者权益保护法处理。", "家用汽车的消费欺诈")
    assert analyse(clean(topic, markdown=True), markdown=True, origin=Origin(path=f"/案例/{name}.md")).title == f"家用汽车的消费欺诈 {name}"


def test_a_publisher_s_header_above_the_declared_title_gives_its_date_and_source():
    """fix36, 10 of the corpus's 52 laws 案例 (案例/消费购物/张某等人诉某销售公司、孟某某服务合同纠纷案.md): their header —
    「消费者权益保护典型案例」/「最高人民法院发布」/「2022-03-15」 — stands above the name the file gives, and was passed
    over with the site navigation a declared title leaves above it: no date, no 来源. Its 「X发布」 line and the date
    alone below it are kept; navigation with neither gives none, nor does a date not under a 「X发布」 line."""
    name = "张某等人诉某销售公司、孟某某服务合同纠纷案"
    header = "# 预付卡未使用金额经营者应向消费者返还\n\n消费者权益保护典型案例\n\n最高人民法院发布\n\n2022-03-15\n\n"
    body = f"## {name}\n\n## 基本案情\n\n2017年至2019年期间，张某等众多家长为婴幼儿办卡消费。\n"
    doc = analyse(clean(header + body, markdown=True), markdown=True, origin=Origin(path=f"/案例/消费购物/{name}.md"))
    assert (doc.title, doc.date, doc.source) == (name, "2022-03-15", "最高人民法院")
    for other in (header.replace("2022-03-15", "首页"), header.replace("最高人民法院发布", "首页 > 典型案例")):
        doc = analyse(clean(other + body, markdown=True), markdown=True, origin=Origin(path=f"/案例/{name}.md"))
        assert (doc.title, doc.date, doc.source) == (name, None, "最高人民法院" if "发布" in other else None)


def test_a_publisher_s_header_under_the_title_gives_its_date_and_source():
    """read28: the same case named by no file (「案例一.md」, a paste) is titled by its first line, so its header stands
    below the title, read as its 题注: 「最高人民法院发布」 gave the 来源, but the bare date line 「2022-03-15」 was passed
    over as a line with no Chinese (a standard's English title) — no date. A date alone is read."""
    header = "# 预付卡未使用金额经营者应向消费者返还\n\n消费者权益保护典型案例\n\n最高人民法院发布\n\n2022-03-15\n\n"
    body = "## 基本案情\n\n2017年至2019年期间，张某等众多家长为婴幼儿办卡消费。\n"
    doc = analyse(clean(header + body, markdown=True), markdown=True, origin=Origin(path="/下载/案例一.md"))
    assert (doc.title, doc.date, doc.source) == ("预付卡未使用金额经营者应向消费者返还", "2022-03-15", "最高人民法院")
    assert "2022-03-15" in [line.text for line in title_note_lines(doc.text)]


def test_a_decree_is_titled_by_the_regulation_it_promulgates():
    text = ("中华人民共和国国务院令\n第706号\n《专利代理条例》已经2018年9月6日国务院第23次常务会议修订通过，"
            "现将修订后的《专利代理条例》公布，自2019年3月1日起施行。\n总理 李克强\n2018年11月6日\n专利代理条例\n"
            "第一章 总则\n第一条 为了规范专利代理行为，制定本条例。")
    doc = analyse(clean(text))
    assert doc.title == "专利代理条例"
    assert doc.text.startswith("中华人民共和国国务院令")  # the 令 stays in the document
    assert (doc.doc_number, doc.source, doc.genre, doc.date) == ("中华人民共和国国务院令第706号", "国务院", "行政法规",
                                                                "2018-11-06")


@pytest.mark.parametrize("between", [0, 6])
def test_a_regulation_revised_by_a_later_decree_is_numbered_by_it(between):
    """read31: 36 of the corpus's 行政法规 revised by a later 令 (their 题注 「2011年7月26日 …国务院令第601号公布」 …
    「2024年9月27日 …国务院令第791号第三次修订」) were dated by the last act but numbered by the first — a number
    of a text they no longer are. The latest act's 令号 is the 文号, also past the first lines of a long 题注; a 题注
    of one 令 is numbered by it, whatever acts without a number follow."""
    amended = "".join(f"201{i}年3月2日 《国务院关于修改部分行政法规的决定》第{i + 1}次修订\n\n" for i in range(between))
    text = ("某某保护条例\n\n2011年7月26日 中华人民共和国国务院令第601号公布\n\n" + amended
            + "2024年9月27日 中华人民共和国国务院令第791号第三次修订）\n\n2024年12月1日 施行\n\n"
            "第一条 为了加强某某保护，制定本条例。\n\n第二条 本条例自公布之日起施行。\n")
    doc = analyse(clean(text))
    assert (doc.doc_number, doc.date, doc.source) == ("中华人民共和国国务院令第791号", "2024-09-27", "国务院")
    once = analyse(clean(text.replace("中华人民共和国国务院令第791号", "《国务院关于修改〈某某保护条例〉的决定》")))
    assert (once.doc_number, once.date) == ("中华人民共和国国务院令第601号", "2024-09-27")


@pytest.mark.parametrize("text, expected", [
    # a 主席令 announcing an appointment names no regulation: titled as gov.cn does, 标志（令号）
    ("中华人民共和国主席令\n第十二号\n根据中华人民共和国第十四届全国人民代表大会常务委员会第五次会议的决定：\n"
     "免去秦刚的外交部部长职务；\n任命王毅为外交部部长。\n中华人民共和国主席　习近平\n2023年7月25日\n",
     ("中华人民共和国主席令（第十二号）", "中华人民共和国主席令第十二号", "中华人民共和国主席", "命令（令）", "2023-07-25")),
    # a ministry's 令 numbered by the year, its body the rule itself with no title line
    ("中华人民共和国交通运输部令\n2023年第5号\n第一条　为了规范道路运输管理，制定本规定。\n第二条　本规定自2023年9月1日起施行。\n"
     "部长　李小鹏\n2023年6月1日\n",
     ("中华人民共和国交通运输部令（2023年第5号）", "中华人民共和国交通运输部令2023年第5号", "交通运输部", "命令（令）", "2023-06-01")),
    # a 部门令 promulgating its rule 「已于…经…通过，现予公布」 as gov.cn's 部门令 write it (verify29)
    ("中华人民共和国交通运输部令\n2023年第5号\n《道路运输车辆技术管理规定》已于2023年3月24日经第7次部务会议通过，现予公布，"
     "自2023年6月1日起施行。\n部长　李小鹏\n2023年4月10日\n",
     ("道路运输车辆技术管理规定", "中华人民共和国交通运输部令2023年第5号", "交通运输部", "部门规章", "2023-04-10")),
    # the rule itself under the 令号, titled
    ("国家发展和改革委员会令\n第16号\n必须招标的工程项目规定\n第一条　为了确定必须招标的工程项目，制定本规定。\n",
     ("必须招标的工程项目规定", "国家发展和改革委员会令第16号", "国家发展和改革委员会", "部门规章", None)),
    # the regulation named in the 令's text and not printed below it
    ("中华人民共和国国务院令\n第707号\n现公布修订后的《中华人民共和国个人所得税法实施条例》，自2019年1月1日起施行。\n"
     "总理　　李克强\n2018年12月18日\n",
     ("中华人民共和国个人所得税法实施条例", "中华人民共和国国务院令第707号", "国务院", "行政法规", "2018-12-18")),
])
def test_a_decree_naming_no_regulation_below_it_is_numbered_still(text, expected):
    """read29: a 令 that names no regulation printed below it — a 主席令 announcing an appointment, a 部门令 whose body
    is the rule itself, a 令 whose regulation is named only in its text — was no 令: no 令号, no 来源, the 标志
    「中华人民共和国主席令」 its title and the 令号 the first line of its text."""
    doc = analyse(clean(text))
    assert (doc.title, doc.doc_number, doc.source, doc.genre, doc.date) == expected
    assert doc.text == text.strip()   # the 令 stays in the document


@pytest.mark.parametrize("mark", ["中华人民共和国国务院、中华人民共和国中央军事委员会令",
                                  "中华人民共和国国务院\n中华人民共和国中央军事委员会\n令",
                                  "中华人民共和国国务院\n中华人民共和国中央军事委员会令"])
def test_a_joint_decree_is_numbered_and_sourced_by_its_masthead_on_one_line_or_several(mark):
    """read28: a joint 令's 发文机关标志 — 「中华人民共和国国务院、中华人民共和国中央军事委员会令」 on one line, or each body on
    a line of its own and 「令」 closing the last or alone below them — was no 令 at all: no 令号, the 来源 the 署名's
    中央军事委员会 alone, the masthead the title. Its 令号 is the bodies joined with 「、」 and the number, as the
    corpus's 题注 write it; the 令 is titled by its regulation, promulgated 「已经…通过，现予公布」 as most are."""
    text = (f"{mark}\n第438号\n《中国人民解放军文职人员条例》已经2005年5月18日国务院第93次常务会议和2005年6月1日"
            "中央军事委员会常务会议通过，现予公布，自2005年8月1日起施行。\n国务院总理　温家宝\n中央军事委员会主席　胡锦涛\n"
            "2005年6月23日\n中国人民解放军文职人员条例\n第一章　总则\n第一条　为了规范文职人员管理，制定本条例。")
    doc = analyse(clean(text))
    assert (doc.title, doc.doc_number, doc.source, doc.date) == (
        "中国人民解放军文职人员条例", "中华人民共和国国务院、中华人民共和国中央军事委员会令第438号", "国务院、中央军事委员会",
        "2005-06-23")
    assert doc.text.startswith(mark)


def test_no_bare_number_for_a_title_when_the_text_says_what_it_is():
    """The 海拉尔区 report of 2017 has no title line and the file name "2017" (issue 9)."""
    text = ("　—2017年2月11日在海拉尔区第十四届人民代表大会第六次会议上\n　　　　海拉尔区人民政府代区长 杨国宏\n"
            "各位代表:\n　　现在,我代表海拉尔区人民政府向大会作工作报告,请予审议。\n")
    doc = analyse(clean(text), origin=Origin(path="/corpus/raw_gbk/2017.txt"))
    assert doc.title == "政府工作报告"
    assert (doc.genre, doc.date, doc.source) == ("政府工作报告", "2017-02-11", "海拉尔区人民政府")
    assert found_by(doc.evidence)["title"] == "开头语"


@pytest.mark.parametrize("stem, title", [
    ("003_国务院关于印发国家职业教育改革实施方案的通知", "国务院关于印发国家职业教育改革实施方案的通知"),
    ("2017_海拉尔区政府工作报告", "海拉尔区政府工作报告"),
    ("001_陕西咸阳：社区开展活动_精准解痛点", "陕西咸阳：社区开展活动 精准解痛点"),
    ("护士条例(2020-03-27)", "护士条例"),
    ("2017", None), ("20250224", None), ("（12）", None),
    ("2024年工作要点", "2024年工作要点"), ("2023年度述职报告", "2023年度述职报告"),   # a year, not a number
    ("12月份工作安排", "12月份工作安排"),
])
def test_file_titles(stem, title):
    assert file_title(stem) == title


def test_the_declared_title_marks_where_the_document_starts():
    doc = analyse(clean("首页 > 政策\n打印本页\n关于加强安全生产的通知\n各单位：\n正文。"), title_hint="关于加强安全生产的通知")
    assert doc.title == "关于加强安全生产的通知" and doc.text.startswith("各单位")
    assert [r.rule for r in doc.removed] == ["crawl_stamps", "breadcrumbs"]   # read30: 「首页 > 政策」 is a breadcrumb


@pytest.mark.parametrize("line, origin, title", [
    ("公文写作常见错误更正对照表！", {"path": "/素材/公文写作常见错误更正对照表.pdf"}, "公文写作常见错误更正对照表"),
    ("公文写作常见错误更正对照表！！", {"title": "公文写作常见错误更正对照表"}, "公文写作常见错误更正对照表"),
    ("公文写作常见错误更正对照表!", {"meta": {"title": "公文写作常见错误更正对照表"}}, "公文写作常见错误更正对照表"),
    ("奋进新征程！", {"path": "/素材/讲话稿.pdf"}, "奋进新征程！"),               # no declared title says otherwise
    ("南京政府向何处去？", {"path": "/素材/南京政府向何处去.md"}, "南京政府向何处去？"),   # a question is its title
])
def test_a_title_lines_exclamation_mark_goes_when_the_file_names_it_without(line, origin, title):
    """Found in pdf_docx_fixtures: 公文写作常见错误更正对照表.pdf, a web article, opens with its title and a 「！」 of
    emphasis; the file's name has none."""
    assert best(f"{line}\n第一类：公文标题\n正文。", "title", **origin) == (title, "标题行")


@pytest.mark.parametrize("line, title", [
    ("关于辽沈战役⑴的作战方针", "关于辽沈战役的作战方针"),                 # read21: six titles of the corpus's 毛选
    ("和中央社、扫荡报、新民报⑴三记者的谈话", "和中央社、扫荡报、新民报三记者的谈话"),
    ("关于做好某项工作的通知[1]", "关于做好某项工作的通知"),
    ("关于《某某条例》⑵的说明", "关于《某某条例》的说明"),
    ("关于印发第〔12〕期简报的通知", "关于印发第〔12〕期简报的通知"),        # a number, not a note's mark
])
def test_a_title_line_loses_the_reference_marks_of_its_notes(line, title):
    assert best(f"{line}\n正文第一段，说明情况。", "title")[0] == title


def test_without_any_title_line_or_hint_the_file_name_is_used():
    doc = analyse(clean("（一）第一项。\n（二）第二项。"), origin=Origin(path="/材料/某县工作要点.txt"))
    assert doc.title == "某县工作要点" and doc.genre == "工作计划"
    assert analyse(clean("（一）第一项。")).title == "无标题"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("written, iso", [
    ("2023年12月5日", "2023-12-05"), ("二〇二三年十二月五日", "2023-12-05"), ("一九四○年二月二十日", "1940-02-20"),
    ("２０２３年１２月５日", "2023-12-05"), ("2023 年 12 月 5 号", "2023-12-05"), ("2023-12-05", "2023-12-05"),
    ("2023.12.5", "2023-12-05"), ("2023年12月", "2023-12"), ("二〇二三年十二月", "2023-12"),
])
def test_written_dates(written, iso):
    assert [d.value for d in dates(f"于{written}印发")] == [iso]


@pytest.mark.parametrize("written", ["2023年2月30日", "2023年13月1日", "1850年1月1日", "5.2%", "2019年度"])
def test_what_is_not_a_date(written):
    assert list(dates(written)) == []


@pytest.mark.parametrize("meta, iso", [("2024-03-05T09:00:00+08:00", "2024-03-05"), ("2024年3月5日", "2024-03-05"),
                                       ("20240305", "2024-03-05"), ("下午", None)])
def test_dates_given_on_their_own(meta, iso):
    assert parse(meta) == iso


@pytest.mark.parametrize("text, origin, date, rule", [
    ("《新闻联播》 (20250224)\n新闻摘要\n本期节目主要内容：\n1.习近平在2023年会议上讲话；", {}, "2025-02-24", "标题"),
    ("关于做好工作的通知\n各单位：\n请认真落实。这是正文，2019年完成目标任务，各地要抓好落实工作。\n某某局\n2021年12月3日", {},
     "2021-12-03", "落款"),
    ("在全市会议上的讲话\n（二〇二三年二月二十八日）\n同志们：\n今天开会。", {}, "2023-02-28", "题注"),
    ("某某条例\n1990年3月1日 国务院发布\n根据2011年1月8日《国务院关于废止和修改部分行政法规的决定》修订\n2011年3月1日 施行\n第一条 为了管理，制定本条例。",
     {}, "2011-01-08", "题注"),
    ("关于某事的情况说明\n发布时间：2023-06-01 09:00\n正文很长，这一段没有日期，说明了有关情况。", {}, "2023-06-01", "发布时间"),
    ("关于某事的情况说明\n日期：2023-06-01\n正文很长，这一段没有写明，说明了有关情况。", {}, "2023-06-01", "发布时间"),   # ingest30
    ("关于某事的情况说明\n正文很长，这一段没有日期，说明了有关情况。", {"meta": {"date": "2022-05-06"}}, "2022-05-06", "网页元数据"),
    ("2024年政府工作报告（国务院）\n现在，我代表国务院，向大会报告政府工作。", {}, "2024", "标题"),
    ("关于某事的情况说明\n正文很长，这一段没有日期。", {"path": "/新闻/20240312.md"}, "2024-03-12", "文件名"),
    ("关于某事的通知\n京政发〔2020〕3号\n各区人民政府：\n正文很长，没有日期。", {}, "2020", "文号年份"),
    ("关于某事的情况说明\n正文很长，这一段没有日期。", {}, None, None),
])
def test_where_the_date_comes_from(text, origin, date, rule):
    assert best(text, "date", **origin) == (date, rule)


_PLAN_REPLY = ("国务院关于河北雄安新区总体规划（2018—2035年）的批复\n国函〔2018〕159号\n河北省人民政府：\n"
               "你们《关于呈报〈河北雄安新区总体规划（2018—2035年）〉的请示》收悉。现批复如下：原则同意。\n")


@pytest.mark.parametrize("text, path, date, rule", [
    (_PLAN_REPLY, "/收件/014_国务院关于河北雄安新区总体规划（2018—2035年）的批复.txt", "2018", "文号年份"),
    ("全国造林绿化规划纲要（2021年至2025年）\n各地要抓好落实，正文没有日期。", "/收件/纲要.txt", None, None),
    ("某中学工作总结\n本学年正文没有日期。", "/收件/2023-2024学年工作总结.txt", None, None),
    ("某中学工作总结\n本学年正文没有日期。", "/收件/2023-工作总结.txt", "2023", "文件名"),
])
def test_the_years_of_a_period_in_a_title_or_file_name_are_no_date(text, path, date, rule):
    """A user's first day (user23): the corpus's 「国务院关于河北雄安新区总体规划（2018—2035年）的批复」 was dated 2035
    by its title and file name wherever its 落款 (2018-12-25) is not seen — a visitor's 今日更新, list and 年份 facet, the
    落款 being in the members part: a period names the years a plan covers, not when it was written."""
    assert best(text, "date", path=path) == (date, rule)


_AMENDMENTS = [("1999年12月25日", "《中华人民共和国刑法修正案》"), ("2001年8月31日", "《中华人民共和国刑法修正案（二）》"),
               ("2001年12月29日", "《中华人民共和国刑法修正案（三）》"), ("2002年12月28日", "《中华人民共和国刑法修正案（四）》"),
               ("2005年2月28日", "《中华人民共和国刑法修正案（五）》"), ("2006年6月29日", "《中华人民共和国刑法修正案（六）》"),
               ("2009年2月28日", "《中华人民共和国刑法修正案（七）》"), ("2011年2月25日", "《中华人民共和国刑法修正案（八）》"),
               ("2015年8月29日", "《中华人民共和国刑法修正案（九）》"), ("2017年11月4日", "《中华人民共和国刑法修正案（十）》"),
               ("2020年12月26日", "《中华人民共和国刑法修正案（十一）》")]
_ADOPTED = "1979年7月1日第五届全国人民代表大会第二次会议通过"


@pytest.mark.parametrize("head", [
    # one line per adoption and amendment (lawrefbook): the 11th amendment is the 13th line under the title
    "\n".join([_ADOPTED, "1997年3月14日第八届全国人民代表大会第五次会议修订"]
              + [f"{day} 第某届全国人民代表大会常务委员会第某次会议通过的{name}" for day, name in _AMENDMENTS]),
    # one 题注 in brackets (npc.gov.cn): 1,000 characters in one line
    "（" + "　".join([_ADOPTED, "1997年3月14日第八届全国人民代表大会第五次会议修订"]
                    + [f"根据{day}第某届全国人民代表大会常务委员会第某次会议通过的{name}修正" for day, name in _AMENDMENTS]) + "）",
    # the title of an amending decision broken over three lines past the eighth
    "\n".join([_ADOPTED] + [f"{day} 第某届全国人民代表大会常务委员会第某次会议通过的{name}" for day, name in _AMENDMENTS[:8]]
              + ["2020年12月26日 第十三届全国人民代表大会常务委员会第二十四次会议《关于修改〈中华人民共和国刑法〉",
                 "〈中华人民共和国刑事诉讼法〉", "〈中华人民共和国监狱法〉的决定》修正"]),
    # a line of the 《…》 that opens with an article's number (文物保护法: "…〈…文物保护法〉第三十条\n第三十一条的决定》")
    "\n".join([_ADOPTED, "1991年6月29日 第七届全国人民代表大会常务委员会第二十次会议《关于修改〈中华人民共和国刑法〉第三十条",
               "第三十一条的决定》第一次修正", "2020年12月26日 第十三届全国人民代表大会常务委员会第二十四次会议修正"]),
])
def test_a_law_is_dated_by_its_latest_amendment_however_many_lines_its_note_has(head):
    """F21: the 题注 was read in the first eight lines (and a line of at most 400 characters), so 刑法 was dated by
    an amendment of 2005, or not at all."""
    text = f"中华人民共和国刑法\n{head}\n第一编 总则\n第一条 为了惩罚犯罪，保护人民，制定本法。\n"
    assert best(text, "date") == ("2020-12-26", "题注")


def test_a_law_with_a_long_note_keeps_its_first_article_out_of_the_note():
    text = "\n".join(["某某法", _ADOPTED] + [f"{day} 第某次会议通过的{name}" for day, name in _AMENDMENTS]
                     + ["第一条 为了规范管理，根据2030年1月1日通过的决定修订的规定，制定本法", "第二条 本法自公布之日起施行。"])
    assert best(text, "date") == ("2020-12-26", "题注")


def test_the_title_note_lines_are_read_whole_and_only_the_notes_have_a_shape():
    """One reading of a 题注 (twin23): the metadata and the 写作台 take every line read with it — the title printed
    again above a law's adoption — and the .docx centres only the lines with a 题注's shape (by hand, the shapes of
    :func:`sucai.metadata._note_shape`): the adoption, an amendment whose bracket closes a line later, its 施行."""
    body = ["中华人民共和国某某", "管理法", "（2009年6月27日 第十一届全国人民代表大会常务委员会第九次会议通过",
            "2020年3月1日 第十三届全国人民代表大会常务委员会第十六次会议第一次修正）", "2020年5月1日 施行",
            "第一章 总则", "第一条 为了规范管理，制定本法。"]
    text = "\n".join(body)
    assert [line.text for line in title_note_lines(text)] == body[:5]
    assert [(line.text, line.start) for line, _ in title_notes(text)] == [(t, text.index(t)) for t in body[:5]]
    assert [shape for _, shape in title_notes(text)] == [None, None, "act", "continued", "act"]


@pytest.mark.corpus
def test_the_criminal_law_is_dated_by_its_twelfth_amendment(corpus_dir):
    """F21 on the corpus's 刑法: seventeen 题注 lines, the last 2023年12月29日 (修正案（十二）)."""
    doc = parse_file(corpus_dir / "laws_lawrefbook_national" / "刑法" / "刑法.md")
    assert (doc.title, doc.date) == ("中华人民共和国刑法", "2023-12-29")


def test_an_amendments_last_article_naming_when_it_takes_effect_is_no_signature():
    """New-user try 18 F1: 「八、本修正案自2024年3月1日起施行。」, short and last, was read as the 落款; the 题注's
    adoption date is the amendment's date."""
    text = ("中华人民共和国刑法修正案（十二）\n2023年12月29日 第十四届全国人民代表大会常务委员会第七次会议通过\n"
            "一、将刑法第一百六十五条修改为：“国有公司、企业的董事利用职务便利，情节严重的，处三年以下有期徒刑。”\n"
            "二、将刑法第三百九十三条修改为：“单位为谋取不正当利益而行贿，情节严重的，对单位判处罚金。”\n"
            "三、本修正案自2024年3月1日起施行。")
    assert best(text, "date") == ("2023-12-29", "题注")


def test_a_standard_is_dated_and_sourced_by_its_cover_under_its_english_title():
    """read21, the corpus's GB/T 9704-2012 (党政机关公文格式.pdf): its English title under the Chinese one, a line
    longer than a 题注's, ended the 题注 before 「2012-06-29发布2012-07-01实施」 and the bodies that issue it."""
    text = ("党政机关公文格式\nLayout key for official document of Party and government organs\n2012-06-29发布2012-07-01实施\n"
            "中华人民共和国国家质量监督检验检疫总局\n发布\n中国国家标准化管理委员会\n前言\n本标准按照GB/T 1.1—2009给出的规则起草。")
    assert best(text, "date") == ("2012-06-29", "题注")
    assert best(text, "source") == ("中华人民共和国国家质量监督检验检疫总局", "通过机关")


def test_a_last_article_naming_when_the_rule_is_carried_out_is_no_signature():
    """read21, the corpus's 外国在华常住人员携带进境物品进口税收暂行规定: 「第十条 本规定自1999年4月1日起执行。」, short and
    last, was its 落款; the 题注's 发布 date is its date, not the day it took effect."""
    text = ("某某暂行规定\n1999年1月3日 经国务院批准\n1999年3月10日 海关总署发布 自1999年4月1日施行\n"
            "第一条 为了规范管理，制定本规定。\n第二条 本规定由海关总署负责解释。\n第三条 本规定自1999年4月1日起执行。")
    assert best(text, "date") == ("1999-03-10", "题注")


@pytest.mark.corpus
def test_the_criminal_laws_twelfth_amendment_is_dated_by_its_adoption(corpus_dir):
    path = corpus_dir / "laws_lawrefbook_national" / "刑法" / "刑法修正案（十二）(2023-12-29).md"
    assert parse_file(path).date == "2023-12-29"


def test_a_date_in_the_body_text_is_not_the_documents_date():
    text = "关于某事的情况说明\n今年以来，我们于2023年3月5日召开了动员会，全年共开展活动十二次，取得了明显成效。\n下一步，我们将继续努力。"
    assert best(text, "date") == (None, None)


def test_a_notice_followed_by_what_it_issues_is_dated_by_its_own_signature():
    text = ("国务院关于印发某某方案的通知\n国发〔2019〕4号\n各省人民政府：\n现将《某某方案》印发给你们，请认真贯彻执行。\n国务院\n2019年1月24日\n"
            "某某方案\n" + "一、总体要求。各地区要加强组织领导，抓好各项任务落实。\n" * 400 + "附件：2020年1月1日前完成的事项\n")
    assert best(text, "date") == ("2019-01-24", "落款")


def test_a_signature_date_indented_to_the_right_is_read_above_what_the_notice_issues():
    """read21, the corpus's 国办函〔2018〕71号 as text: 「国务院办公厅」 then 「 2018年10月27日」, indented as a 落款 is,
    with the 方案 it issues after it — the line above the date was looked for inside the date's own indentation, so
    the 落款 was missed and the date fell back to the 文号's year."""
    text = ("国务院办公厅关于印发某某试点工作方案的通知\n国办函〔2018〕71号\n各省人民政府：\n《某某试点工作方案》已经国务院同意，"
            "现印发给你们，请认真贯彻执行。\n国务院办公厅\n\n　　　　2018年10月27日\n（此件公开发布）\n某某试点工作方案\n"
            + "一、总体要求。各地区要加强组织领导，抓好各项任务落实。\n" * 200)
    assert best(text, "date") == best(text.replace("　　　　2018", "  2018"), "date") == ("2018-10-27", "落款")


def test_the_signature_of_what_a_news_report_quotes_is_not_the_reports():
    """read21, the corpus's 新闻联播 of 20240812: the 贺电 it reads out ends 「中共中央 国务院」 / 「2024年8月11日」, below
    the item's dateline; that 落款 gave the transcript 来源 国务院 (and 江泽民同志治丧委员会 to two others). Without the
    dateline the same lines are the document's own 落款."""
    quoted = "中共中央、国务院\n2024年8月11日\n"
    text = ("某日新闻\n本期节目主要内容：\n1.中共中央 国务院致某代表团的贺电；\n央视网消息（新闻联播）：贺电全文如下：\n某代表团：\n"
            "你们在比赛中取得了优异成绩，特致热烈祝贺！\n" + quoted + "\n" + "其他新闻内容，记者报道了各地的情况。\n" * 100)
    assert best(text, "source") == ("央视网", "电头") and best(text, "date") == (None, None)
    own = text.replace("央视网消息（新闻联播）：", "")
    assert best(own, "source") == ("中共中央、国务院", "落款") and best(own, "date") == ("2024-08-11", "落款")


@pytest.mark.parametrize("printer", [
    "某某县人民政府办公室　　　　2024年3月6日印发",                # GB/T 9704-2012 §7.4.3: 印发机关 left, 印发日期 right
    "中共某某自治区某某市委员会办公室　　　　2024年3月6日 印发",    # 33 characters, a space before 印发
    "某某县人民政府办公室 二〇二四年三月六日印发",
])
def test_a_notice_whose_signature_has_no_date_is_dated_by_its_printing(printer):
    """read27: a 版记's 印发 line was read as a 成文日期 only when at most 12 of its characters were not the date — the
    印发机关 of most (「某某县人民政府办公室」 and the spaces that push the date right) are longer, so a notice whose 落款
    lost its date had none. A 落款's own date still comes first; a clause naming when something else was issued is none."""
    body = ("关于做好2024年防汛工作的通知\n各乡镇人民政府，县直各单位：\n现将有关事项通知如下，请认真贯彻执行。\n"
            "某某县人民政府办公室\n{date}抄送：县委办公室，县人大常委会办公室。\n{printer}\n")
    assert best(body.format(date="", printer=printer), "date") == ("2024-03-06", "印发日期")
    assert best(body.format(date="2024年3月5日\n", printer=printer), "date") == ("2024-03-05", "落款")
    assert best(body.format(date="", printer="《某某办法》于2024年3月6日印发"), "date") == ("2024", "标题")


def test_a_decree_is_dated_by_the_date_under_its_signer():
    """read21, the corpus's 国务院令第707号: 「总理　　李克强」 and the date under it (GB/T 9704-2012 §10.3: a 令's
    签发人 above its 成文日期) were no 落款, so the 令 had no date — and the page's 发布时间 four days later stood in for it.
    A date under a line that is no 署名 nor 签发人 is still none."""
    text = ("中华人民共和国国务院令\n第707号\n现公布修订后的《某某条例》，自2019年1月1日起施行。\n　　总理　　李克强\n\n"
            "2018年12月18日\n某某条例\n" + "第一条 为了规范管理，制定本条例。\n" * 200)
    assert best(text, "date", meta={"date": "2018-12-22"}) == ("2018-12-18", "落款")
    assert best(text.replace("总理　　李克强", "请遵照执行"), "date", meta={"date": "2018-12-22"}) == ("2018-12-22", "网页元数据")


# ---------------------------------------------------------------- 发文字号 and 来源


@pytest.mark.parametrize("number, issuer", [
    ("国发〔2019〕4号", "国务院"), ("国办发〔2018〕127号", "国务院办公厅"), ("国办函〔2004〕71号", "国务院办公厅"),
    ("国办发明电〔2018〕15号", "国务院办公厅"), ("国函〔2018〕159号", "国务院"), ("中办发〔2019〕1号", "中共中央办公厅"),
    ("法释〔2024〕12号", "最高人民法院"), ("高检发释字〔2019〕1号", "最高人民检察院"), ("人社部发〔2020〕5号", "人力资源社会保障部"),
    ("京政办发〔2020〕3号", "北京市人民政府办公厅"), ("粤府〔2021〕12号", "广东省人民政府"), ("中华人民共和国国务院令第517号", "国务院"),
    ("中华人民共和国主席令第三十一号", "中华人民共和国主席"), ("公安部令第5号", "公安部"),
    ("中华人民共和国交通运输部令2023年第5号", "交通运输部"), ("某某发〔2020〕1号", None), ("不是文号", None),
    # a 令 several bodies issue together names them all (read27: the corpus's 35 such 行政法规 were the last body's)
    ("中华人民共和国国务院、中华人民共和国中央军事委员会令第438号", "国务院、中央军事委员会"),
    ("农业部、财政部、国家物价局令第1号", "农业部、财政部、国家物价局"), ("海关总署第61号令", "海关总署"),
])
def test_issuers_of_document_numbers(number, issuer):
    assert doc_number_issuer(number) == issuer


@pytest.mark.parametrize("note, source", [
    ("这是毛泽东为中共中央起草的对党内的指示。", "中共中央"),
    ("这是毛泽东在去重庆同蒋介石进行和平谈判的前两天为中共中央起草的对党内的通知。", "中共中央"),
    ("这是毛泽东为中共中央军事委员会起草的给华东野战军的电报。", "中共中央军事委员会"),
    ("这是毛泽东同志为中共中央和中央军委起草的给中国人民志愿军负责人的指示。", "中共中央、中央军委"),
    ("这是毛泽东为延安《解放日报》写的社论。", "解放日报"),
    ("这是毛泽东为新华社写的一篇评论。", "新华社"),
    ("这是毛泽东写给中共中央的报告。", None),                     # the body it went to
    ("这是毛泽东为纪念抗日战争两周年写的文章。", None),            # an occasion
    ("这是毛泽东为中国人民解放军总部发言人起草的声明。", None),    # a spokesman
])
def test_a_work_is_sourced_by_the_body_its_editors_note_says_it_was_written_for(note, source):
    """read27: 223 of the corpus's 229 毛选 pieces had no 来源, though 65 are a 中共中央 指示 or 决定, a 新华社 评论, a
    《解放日报》 社论… as the editor's note (题解) under the 题注 says."""
    text = f"论政策\n（一九四〇年十二月二十五日）\n{note}\n　　在目前反共高潮的形势下，我们的政策是有决定意义的。\n"
    assert best(text, "source") == ((source, "题解") if source else (None, None))
    if source:
        evidence = next(e for e in described(text).evidence if e.field == "source")
        body = text[text.index("\n") + 1 :]
        assert body[evidence.start : evidence.end] == source.replace("、", "和")


@pytest.mark.parametrize("record", ["", "抄送：县委办公室，县人大常委会办公室。\n某某县人民政府办公室　　　　2024年3月6日印发\n"])
def test_a_signature_without_a_date_names_the_source(record):
    """read27: the 署名 of a 落款 was read only above its 成文日期, so a document signed by its unit alone — a 事务文书,
    or a 公文 whose date was lost in copying — had no 来源; the 版记 under the 署名 is passed over. A unit's name under
    what is no finished paragraph (a heading) is no 署名."""
    text = ("2023年度乡村振兴工作总结\n今年以来，我局认真贯彻落实上级部署，扎实推进乡村振兴各项工作。\n"
            "下一步，我们将持续巩固拓展脱贫攻坚成果，全面推进乡村振兴。\n\n　　　　　　　　某某县农业农村局\n" + record)
    assert best(text, "source") == ("某某县农业农村局", "落款")
    evidence = next(e for e in described(text).evidence if e.field == "source")
    body = text[text.index("\n") + 1 :]
    assert body[evidence.start : evidence.end] == "某某县农业农村局"
    assert best(text.replace("全面推进乡村振兴。", "三、下步打算"), "source") == (None, None)


@pytest.mark.parametrize("signed, unit", [
    ("市行政审批服务局审批科　李某某", "市行政审批服务局审批科"),   # a 科室 of an organ
    ("县财政局办公室　张某某", "县财政局办公室"),
    ("县财政局办公室 张某某", "县财政局办公室"),
    ("我国文旅产业一季度高位开局　持续火热", None),   # a news headline's words, no person
])
@pytest.mark.parametrize("dated", [True, False])
def test_a_signature_of_a_unit_and_a_person_names_the_unit(signed, unit, dated):
    """season27: a 述职报告 signed 「市行政审批服务局审批科　李某某」 — a unit and the person who signs for it, apart — had no
    来源, dated or not. The unit is the 来源; the person is no part of it. Four characters after a unit's name are a news
    headline's words more often than a name: no 署名."""
    text = ("2020年个人述职报告\n根据工作安排，现将本人一年来的工作情况报告如下。\n一、工作开展情况\n"
            "今年以来，我认真履行岗位职责，圆满完成各项工作任务。\n二、2020年工作打算\n下一步，我将继续努力，争取更大成绩。\n\n"
            f"　　　　　　{signed}\n" + ("　　　　　　2020年12月20日\n" if dated else ""))
    assert best(text, "source") == ((unit, "落款") if unit else (None, None))
    if unit:
        evidence = next(e for e in described(text).evidence if e.field == "source")
        body = text[text.index("\n") + 1 :]
        assert body[evidence.start : evidence.end] == unit


@pytest.mark.parametrize("byline, source", [
    ("某某县财政局办公室　张三", ("某某县财政局办公室", "署名")),   # the writer's unit: the 来源 of a 心得体会
    ("作者：张三", (None, None)),   # an author alone names no unit
    ("作者：某某县财政局　张三", (None, None)),   # nor a web page's 作者 field
    ("张三　某某县财政局", (None, None)),
])
def test_a_byline_under_a_title_names_the_writers_unit(byline, source):
    """read29, checking read28's byline on the corpus (its 16 first 来源 by this rule are the 海拉尔 reports' 「海拉尔区人民政府
    区长　杜联合」): the unit of a 「单位　姓名」 line under a 心得体会's title is its 来源; an 「作者：」 line is none."""
    text = f"学习贯彻党的二十大精神心得体会\n{byline}\n　　党的二十大报告内涵丰富，我深受教育。\n　　一是要坚定理想信念。\n"
    assert best(text, "source") == source


@pytest.mark.parametrize("byline, source", [
    ("某市委书记　张三", ("某市委", "署名")),
    ("中共某县委副书记 王五", ("中共某县委", "署名")),
    ("某县县长 李四", ("某县人民政府", "署名")),
    ("某市副市长　赵六", ("某市人民政府", "署名")),
    ("县长　李四", (None, None)),   # a post with no place names no organ
    ("市委书记　张三", (None, None)),
    ("某县县长讲话", (None, None)),   # no name apart: no byline
])
def test_a_speakers_post_under_a_speech_title_names_the_organ(byline, source):
    """read30: a byline by post under a speech's title — 「某市委书记　张三」 — gave no 来源: the post's organ is it,
    the place's 委 for its 书记, its 人民政府 for its head, when the place is named."""
    text = f"在全市经济工作会议上的讲话\n{byline}\n同志们：\n　　今天召开会议，主要任务是总结工作。\n"
    assert best(text, "source") == source


def test_a_regulation_several_bodies_promulgate_by_one_decree_is_theirs():
    """read27, the corpus's 中国人民解放军文职人员条例 and 33 more: 「中华人民共和国国务院、中华人民共和国中央军事委员会令第438号」
    was read from its second body on — 文号 「中华人民共和国中央军事委员会令第438号」, 来源 中央军事委员会 —, a joint 令 of
    ministries likewise (「民政部、总后勤部令第1号」 → 总后勤部), and a 令 numbered 「海关总署第61号令」 not at all."""
    text = ("中国人民解放军文职人员条例\n2005年6月23日 中华人民共和国国务院、中华人民共和国中央军事委员会令第438号公布\n"
            "2017年9月27日 中华人民共和国国务院、中华人民共和国中央军事委员会令第689号修订\n第一章 总则\n第一条 为了规范文职人员管理，制定本条例。")
    doc = analyse(clean(text))
    assert (doc.doc_number, doc.source, doc.genre) == (   # the 令 of its revision, as its date (read31)
        "中华人民共和国国务院、中华人民共和国中央军事委员会令第689号", "国务院、中央军事委员会", "行政法规")
    rules = text.replace("中国人民解放军文职人员条例", "无线电管制规定")   # a 规定 of the two is no ministry's 部门规章
    assert "部门规章" not in [e.value for e in described(rules).evidence if e.field == "genre"]
    ministries = "某某站管理办法\n1990年3月1日 民政部、总后勤部令第1号发布\n第一条 为了加强管理，制定本办法。"
    assert (best(ministries, "doc_number"), best(ministries, "source")) == (
        ("民政部、总后勤部令第1号", "文号"), ("民政部、总后勤部", "文号"))
    customs = "某某暂行规定\n1997年1月22日 国务院批准\n1997年4月10日 海关总署第61号令发布\n第一条 为了规范管理，制定本规定。"
    assert best(customs, "doc_number") == ("海关总署第61号令", "文号")


@pytest.mark.parametrize("text, origin, source, rule", [
    ("关于某事的通知\n国办发〔2018〕127号\n各省人民政府：\n正文。", {}, "国务院办公厅", "文号"),
    ("最高人民法院 最高人民检察院关于办理某类案件适用法律若干问题的解释\n正文。", {}, "最高人民法院、最高人民检察院", "标题"),
    ("关于某事的通知\n各单位：\n正文，请认真落实，抓好各项工作。\n某县农业农村局\n2023年5月6日", {}, "某县农业农村局", "落款"),
    ("某某法\n1993年12月29日 第八届全国人民代表大会常务委员会第五次会议通过\n第一条 为了规范，制定本法。", {}, "全国人民代表大会常务委员会", "通过机关"),
    # read21, the corpus's 国办发〔1996〕25号 and 农村土地承包法: a 文号 names the first of the issuers of a 联合行文, whom
    # the title names all; a law's 主席令 promulgates what a 人民代表大会 adopted
    ("国务院办公厅、中央军委办公厅关于加强某项工作的通知\n国办发〔1996〕25号\n各省人民政府：\n正文。", {},
     "国务院办公厅、中央军委办公厅", "标题"),
    ("中华人民共和国某某法\n2002年8月29日 第九届全国人民代表大会常务委员会第二十九次会议通过\n2002年8月29日 中华人民共和国主席令第七十三号公布\n"
     "第一条 为了规范，制定本法。", {}, "全国人民代表大会常务委员会", "通过机关"),
    # read21, the corpus's 最高人民法院人民法院对外委托司法鉴定管理规定 (sic): 对外 is its subject, not 「X对Y的答复」
    ("最高人民法院人民法院对外委托司法鉴定管理规定\n2002年2月22日 最高人民法院审判委员会第1214次会议通过\n第一条 为规范工作，制定本办法。", {},
     "最高人民法院", "通过机关"),
    # read21, the corpus's 反间谍法 and 企业职工带薪年休假实施办法: the date's 日 or the 经 before the body were read as its name
    ("某某法\n(2014年11月1日第十二届全国人民代表大会常务委员会第十一次会议通过)\n第一条 为了规范，制定本法。", {},
     "全国人民代表大会常务委员会", "通过机关"),
    ("某某实施办法\n2008年7月17日 经人力资源和社会保障部第6次部务会议通过\n第一条 为了实施，制定本办法。", {},
     "人力资源和社会保障部", "通过机关"),
    ("某某实施办法\n２００８年７月１７日经人力资源和社会保障部第６次部务会议通过\n第一条 为了实施，制定本办法。", {},
     "人力资源和社会保障部", "通过机关"),
    ("政府工作报告\n——2016年2月19日在区人民代表大会上\n海拉尔区人民政府区长　　杜联合\n各位代表：\n现在，我代表区政府向大会作工作报告。", {},
     "海拉尔区人民政府", "署名"),
    ("报告\n同志们：\n现在，我代表第十九届中央委员会向大会作报告。", {}, "中共中央", "开头语"),
    ("某地新闻\n正文第一段。\n（来源：新华网）", {}, "新华网", "来源行"),
    ("某地新闻\n新华社北京10月20日电（记者王某）正文第一段。", {}, "新华社", "电头"),
    # ingest30: a dateline ends in 日电, 消息 or 讯 — the search for one is spared on a text holding none
    ("某地新闻\n央视网消息：正文第一段。", {}, "央视网", "电头"),
    ("某地新闻\n某某日报讯（记者王某）正文第一段。", {}, "某某日报", "电头"),
    ("某地新闻\n正文第一段。", {"meta": {"source": "中国政府网"}}, "中国政府网", "网页元数据"),
    ("某某管理办法\n第一条 为了管理，制定本办法。", {"path": "/法规/公安部/某某管理办法.md"}, "公安部", "文件夹"),
    ("某地新闻\n正文第一段。", {"source": "某某素材网"}, "某某素材网", "入库指定"),
    ("某地新闻\n正文第一段。", {}, None, None),
    # read30: a 版头 whose 代字 is not known names its issuers by its 发文机关标志 (GB/T 9704-2012 §7.2.4)
    ("某县人民政府文件\n某府发〔2023〕5号\n关于做好防汛工作的通知\n各乡镇人民政府：\n正文。", {}, "某县人民政府", "发文机关标志"),
    ("某市人民政府办公室文件\n某政办发〔2023〕5号\n关于做好防汛工作的通知\n各县区人民政府：\n正文。", {}, "某市人民政府办公室",
     "发文机关标志"),
    ("某县财政局、某县教育局文件\n某财发〔2023〕5号\n关于做好资助工作的通知\n各学校：\n正文。", {}, "某县财政局、某县教育局",
     "发文机关标志"),
    # read30 noticed: a joint 标志 whose issuers a space parts was read as the title, and named no 来源
    ("某县财政局 某县教育局文件\n某财发〔2023〕5号\n关于做好资助工作的通知\n各学校：\n正文。", {}, "某县财政局、某县教育局",
     "发文机关标志"),
    ("某县财政局　某县教育局文件\n某财发〔2023〕5号\n关于做好资助工作的通知\n各学校：\n正文。", {}, "某县财政局、某县教育局",
     "发文机关标志"),
    ("关于做好防汛工作的通知\n某府发〔2023〕5号\n各乡镇人民政府：\n正文。", {}, None, None),   # no 标志: no 来源
])
def test_where_the_source_comes_from(text, origin, source, rule):
    assert best(text, "source", **origin) == (source, rule)


@pytest.mark.parametrize("title, source", [
    ("某市财政局第三党支部2024年度组织生活会对照检查材料", "某市财政局第三党支部"),
    ("某县农业农村局党组书记在全县乡村振兴推进会上的发言提纲", "某县农业农村局"),
    ("某县农业农村局2023年乡村振兴工作总结", "某县农业农村局"),
    ("市教育局机关第二党支部2025年度组织生活会对照检查材料", "市教育局机关第二党支部"),
    ("某县农业农村局党组2024年度民主生活会对照检查材料", "某县农业农村局党组"),
    # not a unit of its own, or someone else's
    ("基层干部2024年述职报告", None),
    ("我局2024年工作总结", None),
    ("全市党委2024年工作要点", None),
    ("李强会见欧盟委员会主席", None),
    ("丁薛祥出席中国环境与发展国际合作委员会2025年年会并讲话", None),
    ("某县农业农村局2023年度考核结果公示", None),
])
def test_the_unit_a_titles_opens_with_is_its_source(title, source):
    """New-user try 16: 来源 was empty when the title names the unit before its year or its leader's post."""
    assert best(f"{title}\n一年来，我们认真履行职责。", "source") == (source, "标题" if source else None)


def test_a_documents_own_source_line_wins_over_its_folder_and_the_operators(tmp_path):
    """New-user try 16: a GBK page in folder 范文网/ with "发布时间：… 来源：某区财政局 作者：张三" was 来源 范文网
    (the folder's); the folder and ``--source`` are for files that name none themselves."""
    folder = tmp_path / "范文网"
    folder.mkdir()
    page = folder / "p.html"
    page.write_bytes(("<html><head><meta charset=\"gbk\"><title>x</title></head><body>"
                      "<h1>关于做好2026年预算编制工作的通知</h1><p>发布时间：2025-11-05 来源：某区财政局 作者：张三</p>"
                      "<p>各单位：现将有关事项通知如下。</p><p>一、总体要求</p></body></html>").encode("gbk"))
    for source in (None, "某某素材网"):
        doc = parse_file(page, source=source)
        assert (doc.title, doc.date, doc.source) == ("关于做好2026年预算编制工作的通知", "2025-11-05", "某区财政局")
        assert doc.text.startswith("各单位：")
        assert "作者" not in doc.text and "范文网" in [e.value for e in doc.evidence if e.field == "source"]


_CMS_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>某某县人民政府</title></head><body>
<div class="header"><img src="/img/logo.png" alt="某某县人民政府"><a href="/">首页</a> | <a href="/wza/">无障碍</a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/gzdt/">工作动态</a></div>
<div class="article"><h1>我县部署元旦春节期间安全生产工作</h1>
{info}
<div class="content">
<p>　　12月19日，县安全生产委员会召开会议，部署元旦春节期间安全生产工作。会议指出，元旦、春节期间人员流动大，安全风险明显上升。</p>
<p>　　会议要求，各乡镇、各有关部门要围绕道路交通、消防、燃气等重点行业领域，组织开展安全隐患排查整治，整改不留死角。</p>
<p>　　会议强调，要严格落实领导带班和24小时值班制度，遇有重大情况及时报告，确保全县安全形势持续稳定。</p></div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div></div>
<div class="footer"><p>主办单位：某某县人民政府办公室　承办单位：某某县大数据中心</p>
<p>网站标识码：1234567890　<a href="https://beian.miit.gov.cn/">某ICP备12345678号</a></p></div></body></html>"""


@pytest.mark.parametrize("info", [
    "<p class='info'><span>发布时间：2024-12-20</span>　<span>来源：县应急管理局</span>　<span>浏览次数：1234</span></p>",
    "<p class='info'>发布时间：2024-12-20 09:30　来源：县应急管理局　浏览次数：<span id='hits'>1234</span></p>",
    "<p>来源：县应急管理局</p><p>发布时间：2024-12-20</p><p>浏览次数：1234</p>",
])
def test_a_cms_articles_info_line_gives_its_date_and_source_not_its_title(tmp_path, info):
    """F1 (regression): a CMS article page — site header, nav, breadcrumb, <h1>, the info line 发布时间/来源/浏览次数,
    body, footer — once had "发布时间：2024-12-20" for its title. The title is the <h1>, the date and 来源 the info
    line's, and none of the page's furniture is left in the text."""
    page = tmp_path / "article.html"
    page.write_text(_CMS_PAGE.format(info=info), encoding="utf-8")
    doc = parse_file(page)
    assert (doc.title, doc.date, doc.source) == ("我县部署元旦春节期间安全生产工作", "2024-12-20", "县应急管理局")
    assert doc.text.startswith("12月19日，县安全生产委员会召开会议")
    assert not any(word in doc.text for word in ("发布时间", "浏览次数", "当前位置", "主办单位", "打印本页"))


@pytest.mark.parametrize("simplified, traditional, genre", [
    ("关于召开全县安全生产会议的请示\n县人民政府：\n妥否，请批示。", "關於召開全縣安全生產會議的請示\n縣人民政府：\n妥否，請批示。", "请示"),
    ("某县财政局\n县人民政府：\n现将有关情况汇报如下。妥否，请批示。", "某縣財政局\n縣人民政府：\n現將有關情況匯報如下。妥否，請批示。", "请示"),
    ("县审计局2024年度工作总结\n一年来，我局认真履行职责。", "縣審計局2024年度工作總結\n一年來，我局認真履行職責。", "工作总结"),
])
def test_a_traditional_copy_is_the_genre_of_its_simplified_original(tmp_path, simplified, traditional, genre):
    """New-user try 17: a Big5 (traditional) copy of a document got another 文种 than its simplified original
    (請示 is no 请示 to the rules): the rules read the title and the body in simplified characters; the text is
    kept as written."""
    big5 = tmp_path / "copy.txt"
    big5.write_bytes(traditional.encode("big5"))
    doc = parse_file(big5)
    assert doc.encoding.lower().replace("-", "") in ("big5", "big5hkscs", "cp950")
    assert (analyse(clean(simplified)).genre, doc.genre) == (genre, genre)
    assert doc.text.endswith(traditional.split("\n")[-1])   # "請批示", "一年來": as written


@pytest.mark.parametrize("title, genre", [
    ("工作报告", "政府工作报告"),
    ("某县人民政府工作报告", "政府工作报告"),
    # other bodies report at the same session, with the same subtitle: not the government's report
    ("某县人民代表大会常务委员会工作报告", "报告"),
    ("某县人民法院工作报告", "报告"),
    ("关于某县2023年预算执行情况和2024年预算草案的报告", "报告"),
    ("学习2024年政府工作报告心得体会", "心得体会"),
])
def test_a_work_report_at_a_peoples_congress_is_a_government_work_report(title, genre):
    """New-user try 17: 政府工作报告 were filed under 报告. A title ending in 政府工作报告 is one (the 文种 table);
    so is a 工作报告 with a subtitle "——2024年1月8日在…人民代表大会…上" when its title names no other body."""
    text = f"{title}\n——2024年1月8日在某县第十八届人民代表大会第三次会议上\n各位代表：\n现在，我向大会作工作报告，请予审议。"
    assert best(text, "genre") == (genre, "副标题" if genre == "政府工作报告" else "标题")


@pytest.mark.parametrize("info", ["发布时间：2025-11-05 来源：某区财政局 作者：张三", "来源：某区财政局　发布时间:2025-11-05"])
def test_a_pages_info_line_dates_a_document_that_names_no_date_of_its_own(info):
    """New-user try 17: the info line goes whole (cleaning), in either order; its 来源 is the document's and its
    发布时间 is the ``date`` field's candidate after the 成文日期 of a 落款: the date of a page is the document's
    only when the document names none."""
    title, body = "关于做好2026年预算编制工作的通知", "各单位：\n现将有关事项通知如下，请认真落实，抓好各项工作。"
    doc = analyse(clean(f"{title}\n{info}\n{body}"))
    assert (doc.text, doc.date, doc.source) == (body, "2025-11-05", "某区财政局")
    assert found_by(doc.evidence)["date"] == "发布时间"
    signed = analyse(clean(f"{title}\n{info}\n{body}\n某区财政局\n2025年10月30日"))
    assert [(e.value, e.rule) for e in signed.evidence if e.field == "date"][:2] == [
        ("2025-10-30", "落款"), ("2025-11-05", "发布时间")]


def test_a_visitor_gets_the_date_of_a_free_info_line_only():
    """The info line's date is evidence at the point where the line was: a visitor gets it when it stood in
    the free part, never when it stood in the members part."""
    body = "各单位：\n现将有关事项通知如下，请认真落实。\n"
    free = analyse(clean(f"关于某事的通知\n发布时间：2025-11-05 来源：某区财政局\n{body}##paidbegin##会员正文内容。"))
    members = analyse(clean(f"关于某事的通知\n{body}##paidbegin##发布时间：2025-11-05 来源：某区财政局\n会员正文内容。"))
    assert (free.date, members.date) == ("2025-11-05", "2025-11-05")
    assert access.free_metadata(free)["date"] == "2025-11-05"
    assert access.free_metadata(members)["date"] is None


def test_a_visitor_gets_the_free_banner_above_a_free_title():
    """Attack 28: a 公文's 版头 and 文号 stand above its title (read29) — the free view was described from the title
    down, so a visitor lost the 文号 and its year of a document whose members part is in its body."""
    doc = analyse(clean("某某市人民政府文件\n某政发〔2024〕3号\n关于加强安全生产工作的通知\n各区县人民政府：\n"
                        "现将有关事项通知如下。\n##paidbegin##会员正文内容。\n"))
    assert (doc.title, doc.doc_number, doc.members_span) == ("关于加强安全生产工作的通知", "某政发〔2024〕3号", (21, 28))
    free = access.free_metadata(doc)
    assert (free["title"], free["doc_number"], free["date"]) == ("关于加强安全生产工作的通知", "某政发〔2024〕3号", "2024")


@pytest.mark.parametrize("text, field, value", [
    ("论政策\n（一九四〇年十二月二十五日）\n##paidbegin##这是毛泽东为中共中央起草的对党内的指示。\n在目前形势下，我们的政策有决定意义。\n"
     "##paidend##", "source", "中共中央"),
    ("2023年度乡村振兴工作总结\n今年以来，我局扎实推进乡村振兴。\n##paidbegin##下一步，我们将全面推进乡村振兴。\n某某县农业农村局\n"
     "##paidend##", "source", "某某县农业农村局"),
    ("关于做好防汛工作的通知\n各单位：\n现将有关事项通知如下，请认真贯彻执行。\n##paidbegin##某某县人民政府办公室\n"
     "抄送：县委办公室。\n某某县人民政府办公室　　　　2024年3月6日印发\n##paidend##", "date", "2024-03-06"),
    ("某某条例\n2005年6月23日 ##paidbegin##中华人民共和国国务院、中华人民共和国中央军事委员会令第438号公布\n##paidend##"
     "第一条 为了规范管理，制定本条例。", "doc_number", "中华人民共和国国务院、中华人民共和国中央军事委员会令第438号"),
    # attack 28: a 版头's 文号 above a free title, members text (the lines above the title described with it)
    ("##paidbegin##\n某某市人民政府文件\n某政发〔2024〕3号\n##paidend##\n关于加强安全生产工作的通知\n各区县：\n正文。\n",
     "doc_number", "某政发〔2024〕3号"),
    ("某某市人民政府文件\n##paidbegin##\n某政发〔2024〕3号\n##paidend##\n关于加强安全生产工作的通知\n各区县：\n正文。\n",
     "doc_number", "某政发〔2024〕3号"),
    # read30: the 发文机关标志 of a 版头, and a speaker's post under a title, written in the members part
    ("在全市经济工作会议上的讲话\n##paidbegin##某市委书记　张三\n同志们：\n会员正文内容。\n##paidend##", "source", "某市委"),
    ("##paidbegin##\n某某县人民政府文件\n某府发〔2024〕3号\n##paidend##\n关于加强安全生产工作的通知\n各区县：\n正文。\n",
     "source", "某某县人民政府"),
])
def test_a_visitor_gets_nothing_read27s_rules_find_in_the_members_part(text, field, value):
    """The 题解's body, an undated 署名, the 版记's 印发日期 and a joint 令's number, written in the members part:
    a member gets them, a visitor's metadata — described over the free text — none."""
    doc = analyse(clean(text))
    assert getattr(doc, field) == value
    assert access.free_metadata(doc)[field] != value


@pytest.mark.parametrize("text, title, first_line", [
    # a title's second line in the members part: no free line moves, the text is as the whole text splits it
    ("关于加强安全生产\n##paidbegin##\n工作的通知\n##paidend##\n各单位：\n请认真贯彻执行。\n", "关于加强安全生产工作的通知",
     "各单位："),
    # a members 版头 over a free 文号 and title: the text starts where it would over a members part saying nothing
    ("##paidbegin##\n某某县人民政府文件\n##paidend##\n某政发〔2019〕4号\n关于做好秋季防火工作的通知\n各乡镇人民政府：\n"
     "请认真贯彻执行。\n", "关于做好秋季防火工作的通知", "某政发〔2019〕4号"),
])
def test_where_the_text_starts_moves_no_free_line_with_members_text(text, title, first_line):
    """sec30: the title and body are split over the text with its members part made 「文」 when the whole text's split
    would move a free line; a member's title is the whole text's either way."""
    doc = analyse(clean(text))
    assert (doc.title, doc.text.split("\n")[0]) == (title, first_line)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030"])
@pytest.mark.parametrize("ad, title", [
    ("【范文网 www.fanwen123.com 免费下载】", "市教育局机关第二党支部2025年度组织生活会对照检查材料"),
    ("本文档由 公文文库 用户上传，仅供参考学习", "2025年度个人述职述廉报告"),
])
def test_a_scraped_files_advert_line_is_not_glued_into_its_title(tmp_path, encoding, ad, title):
    """New-user try 16: "【范文网 …】" + the title was the title."""
    path = tmp_path / "范文.txt"
    path.write_text(f"{ad}\n{title}\n\n根据上级党组织安排，现将有关情况报告如下。\n", encoding=encoding)
    doc = parse_file(path)
    assert doc.title == title and doc.text == "根据上级党组织安排，现将有关情况报告如下。"


@pytest.mark.parametrize("above", ["范文网 www.fanwen123.com", "https://www.example.cn/fanwen/123.html"])
def test_a_line_with_a_web_address_is_never_part_of_a_title(above):
    doc = analyse(clean(f"{above}\n2025年度个人述职述廉报告\n一年来，我认真履行职责。"))
    assert doc.title == "2025年度个人述职述廉报告" and doc.text == "一年来，我认真履行职责。"


@pytest.mark.parametrize("cover", ["ICS 01. 140. 10\nA 19中华人民共和国国家标准", "ICS 01. 140. 10A 19中华人民共和国国家标准",
                                   "ICS 01.140.10\nA 19\n中华人民共和国国家标准"])
def test_a_standards_cover_furniture_is_not_its_title(cover):
    """New-user try 16: the OCR of 标点符号用法（GBT 15834-2011）.pdf (its first lines as the reader gives them) was
    titled "ICS 01. 140. 10A 19中华人民共和国国家标准": its ICS and CCS codes and the cover's heading."""
    text = (f"{cover}\nGB/T 15834一2011\n代替GB/T 15834一1995\n标点符号用法\n"
            "General rules for punctuation\n2011-12-30发布2012-06-01实施\n前言\n本标准按照GB/T 1.1-2009给出的规则起草。")
    doc = analyse(clean(text), origin=Origin(path="/标准/标点符号用法（GBT 15834-2011）.pdf"))
    assert doc.title == "标点符号用法"
    assert doc.text.startswith("General rules for punctuation")
    only_furniture = analyse(clean(f"{cover}\nGB/T 15834一2011"),
                             origin=Origin(path="/标准/标点符号用法（GBT 15834-2011）.pdf"))
    assert only_furniture.title == "标点符号用法（GBT 15834-2011）"


def test_an_ocr_line_of_no_han_character_is_no_title_and_an_ocr_read_gb_number_is_cover_furniture():
    """verify31: the cover of 党政机关公文格式.pdf (GB/T 9704-2012) scanned at 300 dpi reads, by Tesseract, 「ICS 35.240.20
    (zB Al3 中华人民 家标准 GB/工9704一2012 …」 — its CCS code garbled — and 「(zB Al3」 was the title. A line of a text read
    by OCR with no Han character is no title: the file name's is (a typed file's keeps its place); and a GB number as OCR
    reads it, 工 or 丁 for the T, is a standard's cover furniture, passed over above the title as 「GB/T 9704-2012」 is."""
    path = "/标准/党政机关公文格式（GBT 9704-2012）.pdf"
    rest = "\n代替GB/T 9704一1999\n党政机关公文格式\nLayout key for official document of Party and government organs\n前言"
    scanned = "ICS 35.240.20\n(zB Al3\n中华人民\n家标准\nGB/工9704一2012" + rest
    assert analyse(clean(scanned), origin=Origin(path=path, ocr=True)).title == "党政机关公文格式（GBT 9704-2012）"
    assert analyse(clean("(zB Al3" + rest), origin=Origin(path=path)).title == "(zB Al3"   # a typed file's line
    for number in ("GB/工9704一2012", "GB/丁 9704—2012", "GB/T 9704-2012"):
        assert analyse(clean(number + rest), origin=Origin(path=path)).title == "党政机关公文格式", number


def test_a_scan_s_title_line_cut_or_garbled_by_ocr_gives_way_to_the_file_name():
    """read28: the OCR of 标点符号用法（GBT 15834-2011）.pdf reads its cover's title 「标点符与」 — the file name's title
    opened, then garbled — and that line was the title. A first line that opens as the file name's title does and
    stops short of it, no title by itself (no 文种 or closing word ends it), gives way to the file name; a title line
    that is one keeps its place, as does a short line the file name does not open with. read29: only a text read by OCR
    (a typed file's short title line is its author's: 「乡村振兴」 in 乡村振兴战略实施情况调研.docx)."""
    cover = "ICS 01. 140. 10\nA 19\n中华人民共和国国家标准\nGB/T 15834一2011\n代替GB/T 15834一1995\n"
    rest = "\nGeneral rules for punctuation\n2011-12-30发布\n前言\n本标准按照GB/T 1.1-2009给出的规则起草。"
    path = "/标准/标点符号用法（GBT 15834-2011）.pdf"
    for line in ("标点符与", "标点符号"):
        assert analyse(clean(cover + line + rest), origin=Origin(path=path, ocr=True)).title == "标点符号用法（GBT 15834-2011）"
        assert analyse(clean(cover + line + rest), origin=Origin(path=path)).title == line
    assert analyse(clean(cover + "标点符号用法" + rest), origin=Origin(path=path, ocr=True)).title == "标点符号用法"
    assert analyse(clean(cover + "句读" + rest), origin=Origin(path=path, ocr=True)).title == "句读"
    table = "公文写作常见错误更正对照表\n一、标题\n错误：关于召开会议的通知的通知。"
    assert analyse(clean(table), origin=Origin(path="/公文写作常见错误更正对照表（2024版）.pdf", ocr=True)
                   ).title == "公文写作常见错误更正对照表"
    report = "政府工作报告\n——2024年1月5日在某某区第十八届人民代表大会第四次会议上\n各位代表：现在，我代表区人民政府作报告。"
    assert analyse(clean(report), origin=Origin(path="/报告/政府工作报告2024.txt", ocr=True)).title == "政府工作报告"
    typed = "乡村振兴\n\n　　实施乡村振兴战略，是党的十九大作出的重大决策部署。"
    assert analyse(clean(typed), origin=Origin(path="/调研/乡村振兴战略实施情况调研.docx")).title == "乡村振兴"


@pytest.mark.parametrize("confidence, title", [(71.5, "标点符号用法（GBT 15834-2011）"), (None, "标点符与")])
def test_a_file_is_read_as_ocr_text_when_its_reader_recognised_it(monkeypatch, confidence, title):
    """read29: the reader says whether a file's text came from OCR (``ocr_confidence``); only then may the title line
    be the file name's title garbled (the same text typed keeps its line)."""
    text = "标点符与\n前言\n本标准按照GB/T 1.1-2009给出的规则起草。\n"
    monkeypatch.setattr("sucai.ingest.readers.read", lambda path, limits: RawDocument(
        text, "pdf", None, ocr_confidence=confidence))
    assert parse_file(Path("/标准/标点符号用法（GBT 15834-2011）.pdf")).title == title


def test_the_operators_source_is_used_only_when_the_file_names_none():
    sources = [e.value for e in described("关于某事的通知\n国发〔2019〕4号\n正文。", source="某某素材网").evidence
               if e.field == "source"]
    assert sources[0] == "国务院" and sources[-1] == "某某素材网"


def test_a_regulation_with_nothing_but_its_folder_is_the_state_councils():
    doc = analyse(clean("某某管理条例\n第一条 为了管理，制定本条例。"), origin=Origin(path="/法规/行政法规/某某管理条例.md"))
    assert (doc.genre, doc.source) == ("行政法规", "国务院")


# ---------------------------------------------------------------- 文种


def test_the_taxonomy_has_the_fields_standard_names():
    names = [g.name for g in GENRES]
    assert len(names) == len(set(names)) and NAMES[-1] == OTHER
    statutory = [g.name for g in GENRES if g.group == "法定公文"]
    assert statutory == ["决议", "决定", "命令（令）", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复",
                         "议案", "函", "纪要"]   # 《党政机关公文处理工作条例》第八条, in its order
    assert {"法律", "行政法规", "地方性法规", "部门规章", "司法解释", "条例", "规定", "办法", "细则"} <= set(names)
    assert {"讲话稿", "工作总结", "工作计划", "实施方案", "调研报告", "述职报告", "心得体会", "对照检查材料", "发言提纲", "党课讲稿",
            "汇报材料", "主持词", "致辞", "简报", "新闻稿", "案例", "新闻报道", "理论文章", "著作", "政府工作报告"} <= set(names)
    groups = taxonomy()
    assert [g["group"] for g in groups] == [*GROUPS, OTHER]
    assert [g["name"] for group in groups for g in group["genres"]] == list(NAMES)
    counted = taxonomy(counts={"通知": 3, "其他": 1, "法律": 0})
    assert counted == [{"group": "法定公文", "genres": [{"name": "通知", "basis": GENRES[7].basis, "count": 3}]},
                       {"group": OTHER, "genres": [{"name": OTHER, "basis": "", "count": 1}]}]


@pytest.mark.parametrize("typed, name", [("讲话", "讲话稿"), (" 通知 ", "通知"), ("令", "命令（令）"), ("未知", "未知"), (None, None),
                                         # new-user try 20: 「对照检查」 outlined a 对照检查材料 from laws (总则, 法律责任,
                                         # 附则): what one 文种's titles end with names it
                                         ("对照检查", "对照检查材料"), ("检视剖析", "对照检查材料"), ("述职", "述职报告"),
                                         ("总结", "工作总结"), ("心得", "心得体会"), ("汇报", "汇报材料"), ("复函", "函"),
                                         ("工作报告", "工作报告"), ("调研", "调研"), ("报告", "报告"),
                                         # user24: typed in traditional characters, the 写作台 searched every 文种
                                         ("對照檢查材料", "对照检查材料"), ("述職", "述职报告"), ("講話", "讲话稿"),
                                         ("工作總結", "工作总结"), ("未知文種", "未知文种")])
def test_what_users_type_as_a_genre(typed, name):
    assert canonical(typed) == name


@pytest.mark.parametrize("title, genre", [
    ("某市财政局纪委党支部2023年专题组织生活会对照检查材料", "对照检查材料"),
    ("2023年度民主生活会个人发言提纲", "发言提纲"),
    ("某县党建引领基层治理典型案例", "案例"),
    ("某省基层减负工作案例", "案例"),
    ("学习党的二十大精神心得体会", "心得体会"),
    ("2023年度个人述职述廉报告", "述职报告"),
    ("关于全市乡村振兴情况的调研报告", "调研报告"),
    ("政府工作报告", "政府工作报告"),
    ("2024年政府工作报告（国务院）", "政府工作报告"),
    ("2023年上半年工作总结", "工作总结"),
    ("某县2024年工作要点", "工作计划"),
    ("在全市经济工作会议上的讲话", "讲话稿"),
    ("新春致辞", "致辞"),
    ("全市表彰大会主持词", "主持词"),
    ("国务院关于印发国家职业教育改革实施方案的通知", "通知"),
    ("关于印发《乡村振兴实施方案》的通知", "通知"),
    ("某县乡村振兴实施方案", "实施方案"),
    ("某局安全生产专项整治工作方案", "实施方案"),
    ("国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见", "意见"),
    ("护士条例", "条例"),
    ("某某管理办法（试行）", "办法"),
    ("国务院办公厅关于同意建立某部际联席会议制度的函", "函"),
    ("国务院办公厅对全国政协十届四次会议第4626号提案的答复", "函"),
    ("关于某某同志先进事迹材料", "事迹材料"),
    ("专题党课讲稿：赓续红色血脉", "党课讲稿"),
    ("国务院关于某市城市总体规划的批复", "批复"),
    ("常务会议纪要", "纪要"),
    ("关于提请审议某某法草案的议案", "议案"),
    ("中华人民共和国刑法修正案（十二）", "法律"),
    ("中华人民共和国公司法", "法律"),
    ("中华人民共和国国务院令", "命令（令）"),
    ("推进作风建设常态化长效化", None),
    ("函授教育发展史", None),
    ("某公司股权转让协议案", None),
])
def test_title_genre(title, genre):
    assert title_genre(title) == genre


@pytest.mark.parametrize("title, genre", [
    # a 工作总结 closes with its plan for the next year (下步打算): the summary is the document
    ("某县农业农村局2023年乡村振兴工作总结和2024年工作打算", "工作总结"),
    ("首都规划建设委员会2023年工作总结和2024年工作要点", "工作总结"),   # as named in 新闻联播, 2024-02
    ("2023年工作总结及2024年工作计划", "工作总结"),
    ("2023年工作总结暨2024年工作思路", "工作总结"),
    ("上半年工作总结与下半年工作安排", "工作总结"),
    ("2023年工作开展情况及2024年工作打算", "工作总结"),
    ("2023年述职报告及2024年工作打算", "述职报告"),
    ("情况汇报及下一步工作打算", "汇报材料"),
    ("2024年工作思路", "工作计划"),
    ("2024年工作计划", "工作计划"),
    # 述职 with 述廉, 述德, 述学, 述法 in any order
    ("2023年度述职述德述廉报告", "述职报告"),
    ("2023年度述学述职述廉报告", "述职报告"),
    ("局长2023年度述职述廉述法报告", "述职报告"),
    ("领导班子述责述廉报告", "述职报告"),
    ("习近平听取李家超述职报告", "述职报告"),
    # the piece named first, the use made of it second
    ("学习二十大精神心得体会暨研讨发言", "心得体会"),
    ("读书班心得体会暨交流发言材料", "心得体会"),
    ("主题教育专题研讨发言材料", "讲话稿"),
    ("2023年度民主生活会对照检查材料暨发言提纲", "对照检查材料"),
    ("2023年度民主生活会对照检查材料 发言提纲", "对照检查材料"),
    ("2023年度民主生活会个人对照检查发言提纲", "对照检查材料"),
    ("2023年度民主生活会个人对照检查材料发言提纲", "对照检查材料"),
    ("2023年度民主生活会个人检视剖析发言提纲", "对照检查材料"),
    ("2023年度民主生活会对照检查材料（发言提纲）", "对照检查材料"),
    ("动员部署会讲话稿及实施方案", "讲话稿"),
    ("县委书记在全县经济工作会议上的讲话暨2024年工作安排", "讲话稿"),
    # a 总结 that names a meeting or what a notice is about is not the document
    ("在全县2023年工作总结暨2024年工作部署会议上的讲话", "讲话稿"),
    ("在2023年工作总结表彰大会上的讲话", "讲话稿"),
    ("蔡奇出席结业式并作总结讲话", "讲话稿"),
    ("关于做好2023年工作总结和2024年工作计划的通知", "通知"),
    ("关于2023年工作情况及2024年工作打算的报告", "报告"),
    ("关于印发《2023年工作总结和2024年工作要点》的通知", "通知"),
    ("在党的第十七次代表大会上关于联共（布）中央工作的总结报告", "报告"),
    ("学习体会和心得", "心得体会"),
    # an outline (提纲) is of the piece it outlines; 发言提纲 is the one of a 民主生活会 or 组织生活会
    ("在全县经济工作会议上的讲话提纲", "讲话稿"),
    ("二十届四中全会精神宣讲提纲", "讲话稿"),
    ("“七一”专题党课提纲", "党课讲稿"),
    ("2024年上半年工作汇报提纲", "汇报材料"),
    ("组织生活会发言提纲", "发言提纲"),
])
def test_titles_that_name_two_genres(title, genre):
    """Mixed titles of 事务文书 are filed as the field files them: by the piece they name first."""
    assert title_genre(title) == genre


@pytest.mark.parametrize("text, origin, genre", [
    ("护士条例\n2008年1月31日 中华人民共和国国务院令第517号公布\n第一条 为了维护护士的合法权益，制定本条例。", {}, "行政法规"),
    ("城市节约用水管理规定\n1988年11月30日 国务院批准\n1988年12月20日 中华人民共和国建设部令第1号发布\n第一条 为加强管理，制定本规定。", {}, "行政法规"),
    ("侵害消费者权益行为处罚办法\n2015年1月5日 国家工商行政管理总局令第73号公布\n第一条 为依法制止，制定本办法。", {}, "部门规章"),
    ("最高人民法院关于审理某类案件适用法律若干问题的解释\n2020年12月25日 最高人民法院审判委员会第1824次会议通过\n为正确审理，制定本解释。", {}, "司法解释"),
    ("中华人民共和国学位条例\n1980年2月12日 第五届全国人民代表大会常务委员会第十三次会议通过\n第一条 为了促进，制定本条例。", {}, "法律"),
    ("某某省环境保护条例\n2019年7月31日 某某省第十三届人民代表大会常务委员会第十三次会议通过\n第一条 为了保护环境，制定本条例。", {}, "地方性法规"),
    ("工资支付暂行规定\n关于印发《工资支付暂行规定》的通知\n劳部发〔1994〕489号\n各省劳动厅：\n正文。", {"path": "/法规/行政法规/工资支付暂行规定.md"}, "规定"),
    ("反对党八股\n（一九四二年二月八日）\n这是毛泽东在延安干部会上的讲演。\n刚才凯丰同志讲了今天开会的宗旨。", {}, "著作"),
    ("湖南农民运动考察报告\n第一段。", {"path": "/书/毛泽东选集/001-湖南农民运动考察报告.md"}, "著作"),
    ("国际调解院开业仪式在香港举行\n10月20日，嘉宾合影。\n新华社香港10月20日电（记者王昕怡）总部设在中国香港的国际调解院20日举行开业仪式。", {}, "新闻报道"),
    ("《新闻联播》 (20250224)\n新闻摘要\n本期节目主要内容：", {"path": "/xinwenlianbo/20250224.md"}, "新闻报道"),
    ("《新闻联播》 (20250224)\n新闻摘要\n本期节目主要内容：\n"   # no folder says so, its first 央视网消息 past 300 characters
     + "".join(f"{i}.某地推进某项工作取得新进展 为高质量发展注入新动能；\n" for i in range(1, 13))
     + "详细新闻\n某某会议在京召开\n央视网消息（新闻联播）：会议指出，", {"path": "/下载/20250224.md"}, "新闻报道"),
    ("云南丽江推行基层治理改革 协同共治和美家园\n如今，在云南省丽江市华坪县，村民不到一刻钟就办完登记。", {}, "新闻报道"),
    ("郭慧茹：从“异乡客”到“筑梦人”\n从“异乡客”到“筑梦人”\n——记河南省信阳市固始县高级中学副校长郭慧茹\n清晨的校园里。", {}, "事迹材料"),
    ("始终保持一张蓝图绘到底的战略定力\n习近平总书记指出，“十五五”时期是关键时期。", {}, "理论文章"),
    ("关于某事\n河北省人民政府：\n你省请示收悉。经研究，现批复如下：\n一、同意。", {}, "批复"),
    ("关于某事\n各单位：\n现将《某某办法》印发给你们，请认真贯彻执行。", {}, "通知"),
    ("某某\n同志们：\n今天我们召开这次会议，主要任务是部署工作。", {}, "讲话稿"),
    ("某某\n正文第一段。", {"path": "/材料/讲话稿/某某.txt"}, "讲话稿"),
    ("某某\n正文第一段。", {}, OTHER),
    ("某某\n根据要求，支部认真查摆问题。现将对照检查情况报告如下，请同志们批评指正。\n一、存在的问题", {}, "对照检查材料"),
    ("某某\n一年来，我认真履行职责。现将本人履职情况报告如下。\n一、加强学习", {}, "述职报告"),
    ("某某\n2023年，全局工作取得新进展。现将有关情况总结如下。\n一、主要工作", {}, "工作总结"),
    ("某某\n2023年，全局工作取得新进展。现将有关情况报告如下。\n一、主要工作", {}, "报告"),
    ("某镇2023年度述职述廉报告\n现将一年来的工作情况报告如下。", {}, "述职报告"),
    # a case by its parts' headings, in no folder that names it (read22: the 52 cases of the corpus were 其他)
    ("张某诉某公司买卖合同纠纷案\n关键词\n民事、买卖合同、欺诈。\n裁判要点\n为生活消费需要购买汽车的，可以按照消费者权益保护法处理。\n"
     "基本案情\n2007年2月28日，原告从被告处购买轿车一辆。", {"path": "/下载/张某诉某公司买卖合同纠纷案.md"}, "案例"),
    ("加班费的仲裁时效应当如何认定\n基本案情\n张某于2016年7月入职某建筑公司。\n裁判结果\n一审法院判决。", {}, "案例"),
    ("自愿参加体育活动 意外受伤谁担责\n案情回顾\n宋先生和周先生都是羽毛球业余爱好者。\n法官解读\n民法典确立了规则。", {}, "案例"),
    ("关于某事\n各单位：\n基本案情和主要做法\n我们开展了工作。", {}, OTHER),   # a line that holds more than a part's name
])
def test_classification_beyond_the_title(text, origin, genre):
    assert analyse(clean(text), origin=Origin(**origin)).genre == genre


# The 文种 each bundled sample was written as (sucai/samples/README.md).
SAMPLE_GENRES = {"01_对照检查材料_某市财政局第三党支部.txt": "对照检查材料", "02_民主生活会发言提纲.txt": "发言提纲",
                 "03_基层减负心得体会.txt": "心得体会", "04_述职述廉报告.txt": "述职报告", "05_乡村振兴工作总结.md": "工作总结",
                 "06_作风建设讲话.html": "讲话稿", "07_以案促改实施方案.docx": "实施方案", "08_村级集体经济调研报告.pdf": "调研报告",
                 "09_春季农业生产通知.txt": "通知", "10_政府工作报告.txt": "政府工作报告"}


def test_the_bundled_samples_are_filed_as_the_genres_they_were_written_as():
    library = Path(str(resources.files("sucai").joinpath("samples/library")))
    assert {name: parse_file(library / name).genre for name in SAMPLE_GENRES} == SAMPLE_GENRES


def test_each_genre_candidate_records_its_evidence():
    doc = analyse(clean("关于某事\n各单位：\n正文第一段。\n现将《某某办法》印发给你们，请认真贯彻执行。"))
    cue = next(e for e in doc.evidence if e.field == "genre")
    assert (cue.value, cue.origin, cue.rule) == ("通知", "text", "正文")
    assert doc.text[cue.start : cue.end] == "现将《某某办法》印发给你们"


# ---------------------------------------------------------------- evidence


def test_evidence_spans_point_into_the_document_text():
    doc = analyse(clean("关于某事的通知\n国办发〔2018〕127号\n各省人民政府：\n正文，请认真落实。\n国务院办公厅\n2018年12月5日"))
    for e in doc.evidence:
        if e.origin == "text" and e.end > e.start:
            assert e.value in doc.text[e.start : e.end] or e.field in ("source", "genre", "date")
    number = next(e for e in doc.evidence if e.field == "doc_number")
    assert doc.text[number.start : number.end] == "国办发〔2018〕127号"
    date = next(e for e in doc.evidence if e.field == "date")
    assert doc.text[date.start : date.end] == "2018年12月5日"
    title = next(e for e in doc.evidence if e.field == "title")
    assert (title.origin, title.start) == ("title", None)


def test_a_title_after_the_members_tag_is_a_members_title():
    doc = analyse(clean("##paidbegin##关于某事的报告\n一、基本情况\n正文。"), origin=Origin(path="/x/07_会员标题.txt"))
    title, *others = [e for e in doc.evidence if e.field == "title"]
    assert (title.value, title.origin) == ("关于某事的报告", "paid_title")
    assert [(e.value, e.origin) for e in others][:1] == [("会员标题", "file_name")]
    free = analyse(clean("关于某事的报告\n##paidbegin##一、基本情况\n正文。"))
    assert next(e for e in free.evidence if e.field == "title").origin == "title"


def test_a_removed_source_line_is_evidence_at_the_place_it_stood():
    doc = analyse(clean("关于某事\n第一段。\n（来源：新华网）\n第二段。"))
    source = next(e for e in doc.evidence if e.field == "source")
    assert (source.start, source.end) == (doc.text.index("第二段"), doc.text.index("第二段"))


def test_describing_odd_input_is_bounded_and_never_raises():
    """Runs of spaces, brackets, 《》 and digits in a title (the kind of input that makes nested regex
    repeats backtrack without end) are described promptly and correctly."""
    odd = "最高人民法院关于修改《" + "　" * 5000 + "》的决定" + "（试行）" * 2000
    assert title_genre(odd) == "决定"
    text = odd + "\n" + ("（" * 3000) + "\n" + "2023年" * 3000 + "\n" + "我代表" * 3000
    doc = analyse(clean(text))
    assert doc.title.startswith("最高人民法院关于修改")
    assert analyse(clean("")).title == "无标题"


# ---------------------------------------------------------------- lists


def test_equal_titles_are_told_apart_by_issuer_and_year():
    rows = [
        {"id": 1, "title": "政府工作报告", "source": "海拉尔区人民政府", "date": "2013-02-28"},
        {"id": 1, "title": "政府工作报告", "source": "海拉尔区人民政府", "date": "2013-02-28"},   # a second section
        {"id": 2, "title": "政府工作报告", "source": "海拉尔区人民政府", "date": "2014-02-19"},
        {"id": 3, "title": "政府工作报告", "source": "国务院", "date": "2024"},
        {"id": 4, "title": "护士条例", "source": "国务院", "date": "2020-03-27"},
        {"id": 5, "title": "某条例", "source": "国务院", "date": "2020-01-02"},
        {"id": 6, "title": "某条例", "source": "国务院", "date": "2020-03-04"},
        {"id": 7, "title": "某材料", "source": None, "date": None},
        {"id": 8, "title": "某材料", "source": None, "date": None},
    ]
    assert distinguishing_notes(rows) == [
        "（海拉尔区人民政府 · 2013）", "（海拉尔区人民政府 · 2013）", "（海拉尔区人民政府 · 2014）", "（国务院 · 2024）", "",
        "（国务院 · 2020-01-02）", "（国务院 · 2020-03-04）", "（编号 7）", "（编号 8）"]


# ---------------------------------------------------------------- metadata a reader found outside the text (corpus)


@pytest.mark.corpus
def test_every_case_of_the_corpus_is_a_case_by_its_own_text(corpus_dir):
    """The 52 court cases of the law collection (典型案例, 指导性案例) are 案例 by their parts' headings — 基本案情,
    案情回顾, 裁判要点 —, not only by their folder's name; the taxonomy had no name for them: 其他 (read22)."""
    cases = sorted((corpus_dir / "laws_lawrefbook_national" / "案例").glob("*/*.md"))
    assert len(cases) == 52
    genres = {path.name: [e.rule for e in parse_file(path).evidence if e.value == "案例"][:1] for path in cases}
    assert genres == {path.name: ["正文"] for path in cases}


@pytest.mark.corpus
def test_a_xinwenlianbo_transcript_is_news_by_its_own_text_in_any_folder(corpus_dir, tmp_path_factory):
    """Every 20th 新闻联播 transcript, copied into a folder that names no 文种, is still 新闻报道: most were only by
    their corpus folder's name (xinwenlianbo_…), their first 央视网消息 past the opening window (read22)."""
    files = sorted((corpus_dir / "xinwenlianbo_cctv_transcripts").glob("*.md"))[::20]
    assert len(files) >= 70
    folder = tmp_path_factory.mktemp("下载")   # not tmp_path: the test's name, in its path, names 新闻联播
    for path in files:
        copy = folder / path.name
        copy.write_bytes(path.read_bytes())
        doc = parse_file(copy)
        assert (path.name, doc.genre) == (path.name, "新闻报道")


@pytest.mark.corpus
def test_the_gov_cn_pages_metadata_is_evidence_outside_the_text(corpus_dir):
    """Every gov.cn page of the corpus: the title, 发布日期 and 发文机关 that the HTML reader finds outside the
    body (the page's 信息公开 table and meta tags) reach the document as evidence of origin "meta", with no
    offsets. Expected values from the corpus' own meta.jsonl (title, release_office, the date in the URL).
    A visitor of the page made members-only from its first character still gets them."""
    folder = corpus_dir / "state_council_policies_govcn"
    rows = {row["id"]: row for row in map(json.loads, (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines())}
    pages = sorted((folder / "html").glob("*.html"))
    assert len(pages) == 60
    for page in pages:
        row = rows[int(page.name.split("_")[0])]
        published = "-".join(re.search(r"/(\d{4})-(\d\d)/(\d\d)/", row["url"]).groups())
        doc = parse_file(page)
        outside = {(e.field, e.value) for e in doc.evidence if e.origin == "meta"}
        assert {("title", row["title"]), ("date", published), ("source", row["release_office"])} <= outside, page.name
        assert all(e.start is None and e.end is None for e in doc.evidence if e.origin == "meta")
        visitor = access.free_view(replace(doc, paid_from=0, paid_until=None))
        assert visitor.text == ""
        assert (visitor.title, visitor.source) == (row["title"], row["release_office"]), page.name
        assert visitor.date == published, page.name   # the 落款's 成文日期 is members-only now
        assert visitor.doc_number is None             # the 文号 line is in the text


@pytest.mark.parametrize("lines, name, title", [
    (["市财政局关于印发2023年度预算绩效管理", "工作方案的通知"], "工作方案的通知", "市财政局关于印发2023年度预算绩效管理工作方案的通知"),
    (["关于进一步加强和改进", "基层党组织建设的意见"], "基层党组织建设的意见", "关于进一步加强和改进基层党组织建设的意见"),
    (["通知公告", "关于做好防汛工作的通知"], "关于做好防汛工作的通知", "关于做好防汛工作的通知"),   # a site's section name
    (["某某自治县人民政府办公室文件", "关于做好防汛工作的通知"], "关于做好防汛工作的通知", "关于做好防汛工作的通知"),   # a 版头's 标志
    (["国务院办公厅关于全面推行行政规范性文件", "合法性审核机制的指导意见"], "合法性审核机制的指导意见",
     "国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见"),   # its first line ends in 文件, no 标志 (tidy31)
])
def test_a_title_broken_over_two_lines_is_whole_when_the_file_is_named_after_its_second(tmp_path, lines, name, title):
    """read30: a title broken over two lines, the file named after the second, was the second line alone: the file's
    name matched it, and what stood above was taken for site navigation. Lines above that read as the title's
    opening, through the named line, are the title; a short section name is not."""
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n各单位：\n现将有关事项通知如下。\n", encoding="utf-8")
    assert parse_file(path).title == title
