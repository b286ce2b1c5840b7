"""The 公文 elements of GB/T 9704-2012 §7 (sucai.elements) on small texts and on the State Council notices."""

from __future__ import annotations

import json
import re

import pytest

from sucai.clean import clean
from sucai.elements import find_elements
from sucai.ingest import parse_file
from sucai.model import ELEMENT_KINDS, Element
from sucai.outline import analyse, parse_outline


def _kinds(text):
    elements = find_elements(text)
    for element in elements:  # the interface: text as written, offsets in characters of the text
        assert text[element.start : element.end] == element.text
        assert element.kind in ELEMENT_KINDS and "\n" not in element.text
    assert [e.start for e in elements] == sorted(e.start for e in elements)
    return [(e.kind, e.text) for e in elements]


# A 下行文 with every element of §7 (the title is Document.title, not part of the body).
DOWNWARD = """国务院文件

国发〔2019〕4号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：

　　现将《国家职业教育改革实施方案》印发给你们，请认真贯彻执行。

　　附件：1.国家职业教育改革实施方案
　　　　　2.职业技能等级证书试点名单

国务院

2019年1月24日

　　（此件公开发布）

附件1

国家职业教育改革实施方案

　　职业教育与普通教育是两种不同教育类型，具有同等重要地位。

附件2

职业技能等级证书试点名单

　　略。

主送：各省、自治区、直辖市教育厅。
抄送：党中央各部门，中央军委办公厅。
国务院办公厅　　　　2019年2月13日印发
"""


def test_a_downward_document_with_every_element():
    assert _kinds(DOWNWARD) == [
        ("issuer_mark", "国务院文件"),
        ("doc_number", "国发〔2019〕4号"),
        ("addressee", "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："),
        ("attachment_note", "附件：1.国家职业教育改革实施方案"),
        ("attachment_note", "2.职业技能等级证书试点名单"),
        ("issuer_signature", "国务院"),
        ("date", "2019年1月24日"),
        ("note", "（此件公开发布）"),
        ("attachment", "附件1"),
        ("attachment", "国家职业教育改革实施方案"),
        ("attachment", "附件2"),
        ("attachment", "职业技能等级证书试点名单"),
        ("addressee", "主送：各省、自治区、直辖市教育厅。"),
        ("cc", "抄送：党中央各部门，中央军委办公厅。"),
        ("printer", "国务院办公厅　　　　2019年2月13日印发"),
    ]


def test_an_upward_document_number_and_signer_on_one_line():
    """§7.2.5/§7.2.6: in a 上行文 the 发文字号 sits left and the 签发人 right on the same line."""
    text = ("某 市 人 民 政 府 文 件\n某政〔2023〕5号　　　　　签发人：张三\n省人民政府：\n"
            "我市遭受洪灾，特请示如下。妥否，请批示。\n某市人民政府\n2023年5月6日\n（联系人：李四，电话：12345678）\n")
    elements = find_elements(text)
    assert [(e.kind, e.text) for e in elements] == [
        ("issuer_mark", "某 市 人 民 政 府 文 件"),
        ("doc_number", "某政〔2023〕5号"),
        ("signer", "签发人：张三"),
        ("addressee", "省人民政府："),
        ("issuer_signature", "某市人民政府"),
        ("date", "2023年5月6日"),
        ("note", "（联系人：李四，电话：12345678）"),
    ]
    number, signer = elements[1:3]
    assert text[number.start : number.end] == "某政〔2023〕5号" and text[signer.start : signer.end] == "签发人：张三"


def test_an_order_its_number_signature_and_the_regulation_it_publishes():
    """§10.2: 令号 under the 标志; the 签发人职务 and name stand where the 署名 would (§7.3.5.3)."""
    text = ("中华人民共和国国务院令\n第707号\n现公布修订后的《中华人民共和国个人所得税法实施条例》，自2019年1月1日起施行。\n"
            "　　总理　　李克强\n2018年12月18日\n中华人民共和国个人所得税法实施条例\n第一条　根据《中华人民共和国个人所得税法》，制定本条例。\n")
    assert _kinds(text) == [
        ("issuer_mark", "中华人民共和国国务院令"),
        ("doc_number", "第707号"),
        ("issuer_signature", "总理　　李克强"),
        ("date", "2018年12月18日"),
        ("attachment", "中华人民共和国个人所得税法实施条例"),
    ]


def test_a_ministry_s_order_numbered_by_the_year():
    """verify29: a 部门令's 令号 numbered by the year (「2023年第5号」, as gov.cn's 交通运输部令 are), which the title
    reads as its 令号 since read29, was no element — and so the only heading of the document's 提纲 (sucai show, the
    page's sidebar). It is the 令号 under its mark, as 「第707号」 is; not a heading."""
    text = ("交通运输部令\n2023年第5号\n《公路工程建设项目招标投标管理办法》已于2023年3月1日经第5次部务会议通过，现予公布，"
            "自2023年5月1日起施行。\n部长　李某\n2023年3月5日\n")
    assert _kinds(text) == [("issuer_mark", "交通运输部令"), ("doc_number", "2023年第5号"),
                            ("issuer_signature", "部长　李某"), ("date", "2023年3月5日")]
    assert parse_outline(text, elements=find_elements(text)) == []


@pytest.mark.parametrize("mark", ["中华人民共和国国务院\n中华人民共和国中央军事委员会\n令",
                                  "中华人民共和国国务院\n中华人民共和国中央军事委员会令"])
def test_a_joint_order_s_mark_on_several_lines(mark):
    """read28: a joint 令's 发文机关标志 with each body on a line of its own (§10.2), 「令」 closing the last or alone below
    them, was no element but its last line ending in 令 — and its 令号 none under a 「令」 alone: the .docx set them as
    正文. Every line of the mark is the 发文机关标志, and the number under it the 令号; a 密级 above it is not."""
    text = (f"{mark}\n第438号\n《中国人民解放军文职人员条例》已经国务院第93次常务会议和中央军事委员会常务会议通过，现予公布。\n"
            "国务院总理　温家宝\n中央军事委员会主席　胡锦涛\n2005年6月23日\n")
    assert _kinds(text) == [*(("issuer_mark", line) for line in mark.split("\n")), ("doc_number", "第438号"),
                            ("issuer_signature", "国务院总理　温家宝"), ("issuer_signature", "中央军事委员会主席　胡锦涛"),
                            ("date", "2005年6月23日")]
    assert _kinds("机密★1年\n" + text)[:2] == [("issuer_mark", mark.split("\n")[0]), ("issuer_mark", mark.split("\n")[1])]


def test_joint_signatures_and_a_date_in_chinese_numerals():
    text = "国办发〔1996〕25号\n北京市、天津市人民政府，沈阳、北京军区：\n各地要认真执行。\n国务院办公厅\n中央军委办公厅\n一九九六年六月二十九日\n"
    assert _kinds(text)[2:] == [
        ("issuer_signature", "国务院办公厅"),
        ("issuer_signature", "中央军委办公厅"),
        ("date", "一九九六年六月二十九日"),
    ]


@pytest.mark.parametrize("role", ["述职人", "述职述廉人", "报告人", "汇报人", "发言人"])
def test_a_report_signed_by_the_person_who_gives_it(role):
    """user24: a 述职报告's 落款 「述职人：张某某」 above its date was no element — neither line was, so the 写作台
    offered another writer's name and date as the end of a paragraph. The person's role and name is the 署名."""
    text = f"三是严守纪律，筑牢廉洁防线。\n\n{role}：张某某\n2025年1月10日\n"
    assert _kinds(text) == [("issuer_signature", f"{role}：张某某"), ("date", "2025年1月10日")]
    # a contact person signs nothing: the date under it follows no finished paragraph, no 成文日期 either
    assert _kinds(text.replace(role, "联系人")) == []
    # the 落款 of a drafted 述职报告, its name left to the writer (sucai.drafting.document), read back on re-upload
    blank = text.replace("张某某", "【待补】")
    assert _kinds(blank) == [("issuer_signature", f"{role}：【待补】"), ("date", "2025年1月10日")]
    assert _kinds(blank.replace(f"{role}：", "")) == []   # a bare 【待补】 line signs nothing


@pytest.mark.parametrize("record", ["", "抄送：县委办公室，县人大常委会办公室。\n某某县人民政府办公室　　　　2024年3月6日印发\n"])
def test_a_signature_without_a_date_is_the_issuers_signature(record):
    """read28: a 落款 of its unit alone — a 事务文书, or a 公文 whose date was lost in copying — gave the document its
    来源 (read27) but was no element, so the .docx set it as a paragraph of 正文, not right-aligned under the text. The
    body's last line but the 版记's, a body's name (:func:`sucai.organs.signature`, the rule of the 来源) under a
    finished paragraph, is the 发文机关署名; under a heading, or a person's name, it is not."""
    text = ("今年以来，我局认真贯彻落实上级部署，扎实推进乡村振兴各项工作。\n"
            "下一步，我们将持续巩固拓展脱贫攻坚成果，全面推进乡村振兴。\n\n　　　　　　　　某某县农业农村局\n" + record)
    record_kinds = [("cc", "抄送：县委办公室，县人大常委会办公室。"), ("printer", "某某县人民政府办公室　　　　2024年3月6日印发")]
    assert _kinds(text) == [("issuer_signature", "某某县农业农村局"), *(record_kinds if record else [])]
    assert _kinds(text.replace("全面推进乡村振兴。", "三、下步打算")) == (record_kinds if record else [])
    assert _kinds(text.replace("某某县农业农村局", "张某某")) == (record_kinds if record else [])


def test_addressee_without_a_head_must_name_organs_or_persons():
    assert _kinds("各科室、各直属单位：\n现将有关事项通知如下。\n")[:1] == [("addressee", "各科室、各直属单位：")]
    bracketed = "各乡镇党委，县直各单位党组（党委）："   # the organ in brackets after another, before the colon
    assert _kinds(f"{bracketed}\n现将有关事项通知如下。\n")[:1] == [("addressee", bracketed)]
    for opening in ("同志们：", "各位代表：", "现将有关事项通知如下：", "尊敬的各位来宾：", "会议强调（要点）："):
        assert _kinds(f"{opening}\n今天我们召开会议。\n") == [], opening


@pytest.mark.parametrize(
    "text",
    [
        "2023年2月28日\n新华社北京2月28日电 国务院召开常务会议。\n",  # a dateline: no text above it
        "讲话\n（2023年2月28日）\n同志们，今天召开会议。\n",  # a date in parentheses under a title
        "各项工作要抓紧推进。\n2019年1月24日前完成全部任务。\n",  # a date inside a sentence
        "第8号\n根据有关法律，现将有关事项公告如下：\n一、自即日起施行。\n",  # a sentence ending in a colon
        "这是正文。\n张三\n李四\n王五\n赵六\n",  # short lines with no date under them
    ],
)
def test_what_is_not_an_element(text):
    assert [kind for kind, _ in _kinds(text)] in ([], ["doc_number"])


def test_a_news_item_after_a_signed_notice_is_not_an_attachment():
    kinds = _kinds("会议强调要抓好落实。\n中共中央\n2022年10月24日\n江泽民同志永垂不朽\n全党全军全国各族人民沉痛悼念。\n")
    assert kinds == [("issuer_signature", "中共中央"), ("date", "2022年10月24日")]


def test_a_repeated_attachment_name_heads_its_attachment():
    text = ("各单位要遵照执行。\n附件：1、查处酒后驾驶操作规程\n2、查处超速行驶操作规程\n公安部\n2018年1月25日\n"
            "附件1：查处酒后驾驶操作规程\n一、发现嫌疑人后应当检测。\n附件2：查处超速行驶操作规程\n一、发现超速后应当拦截。\n")
    assert [kind for kind, _ in _kinds(text)] == [
        "attachment_note", "attachment_note", "issuer_signature", "date", "attachment", "attachment",
    ]


def test_long_runs_of_candidate_lines():
    """Runs of lines that the rules look at (signature-like lines, a numbered list continuing an
    附件说明, date lines, long lines, trailing spaces): each line is looked at a bounded number of
    times (a quadratic rule would not finish here), and the runs give the right elements."""

    def block(n):
        return ("国务院办公厅\n" * 3000 + "正文。\n国务院办公厅\n中央军委办公厅\n2019年1月24日\n"
                + f"附件：1.甲{n}\n" + "".join(f"{k}.乙{n}\n" for k in range(2, 3000)) + ("字" * 5000 + "\n") * 20
                + "2019年1月24日\n" * 3000 + "各单位：" + " " * 20000 + "\n")

    elements = find_elements("".join(block(n) for n in range(3)))
    assert sum(e.kind == "attachment_note" for e in elements) == 3 * 99  # list numbers run to 99
    assert sum(e.kind == "issuer_signature" for e in elements) == 3 * 2
    assert sum(e.kind == "date" for e in elements) == 3


def test_analyse_keeps_elements_in_the_body_and_out_of_the_outline():
    doc = analyse(clean("国务院关于印发国家职业教育改革实施方案的通知\n" + DOWNWARD))
    assert doc.text.startswith("国务院文件")
    assert [(e.kind, doc.text[e.start : e.end]) for e in doc.elements] == [(e.kind, e.text) for e in doc.elements]
    assert len(doc.elements) == 15
    headings = [n.heading for n in doc.outline]
    assert "2.职业技能等级证书试点名单" not in headings and "职业技能等级证书试点名单" not in [n.label for n in doc.outline]
    assert all(not n.label.startswith("2.") for n in doc.outline)
    assert Element("date", "x", 0, 1).to_dict() == {"kind": "date", "text": "x", "start": 0, "end": 1}


# ---------------------------------------------------------------- the State Council notices


@pytest.fixture(scope="module")
def notices(corpus_dir):
    folder = corpus_dir / "state_council_policies_govcn"
    manifest = {row["id"]: row for row in map(json.loads, (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines())}
    paths = sorted((folder / "txt").glob("*.txt"))
    return [(path.name[:3], manifest[int(path.name[:3])], parse_file(path)) for path in paths]


_ORDERS = {"033", "058"}  # 国务院令: 令号 "第707号" under the mark, no 主送机关, 署名 "总理 李克强"


@pytest.mark.corpus
def test_state_council_doc_numbers_equal_the_manifest(notices):
    """Every notice's manifest gives its 文号; the first doc_number element is that 文号 — for the two
    orders, the 令号 "第707号" that the manifest cites as 国令第707号 (§10.2)."""
    assert len(notices) == 60
    for name, row, doc in notices:
        numbers = [e.text for e in doc.elements if e.kind == "doc_number"]
        expected = row["release_number"][2:] if name in _ORDERS else row["release_number"]
        assert numbers[:1] == [expected], name
        assert name not in _ORDERS or row["release_number"].startswith("国令")


@pytest.mark.corpus
def test_state_council_addressees(notices):
    """Every notice but the two orders has one 主送机关; some checked by reading the files."""
    read = {
        "003": "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
        "014": "河北省人民政府、国家发展改革委：",
        "025": "马万祺副主席：",
        "030": "邓乃扬、韩汝琦委员：",
        "040": "各省、市、自治区人民政府，国务院有关部委、直属机构：",
        "045": "武警总部：",
        "052": "北京、天津、上海、河北、辽宁、江苏、浙江、福建、山东、河南、湖南、湖北、广东、四川、西藏、陕西省（自治区、直辖市）人民政府：",
        "053": "科技部、新疆维吾尔自治区人民政府、新疆生产建设兵团：",
    }
    for name, _, doc in notices:
        addressees = [e.text for e in doc.elements if e.kind == "addressee"]
        assert len(addressees) == (0 if name in _ORDERS else 1), name
        if name in read:
            assert addressees == [read[name]]


@pytest.mark.corpus
def test_state_council_signatures_name_the_issuing_office(notices):
    """The 署名 lines above the first 成文日期 name the manifest's issuing office (joint offices
    joined), except the orders (signed by the 总理, §7.3.5.3) and 052, whose signature line carries
    a stray "&sp;" of its source page and is left as body text (its date is still found)."""
    mismatched = set()
    for name, row, doc in notices:
        kinds = [e.kind for e in doc.elements]
        first_date = kinds.index("date")
        signature = []
        for element in reversed(doc.elements[:first_date]):
            if element.kind != "issuer_signature":
                break
            signature.insert(0, element.text)
        if re.sub(r"[\s、]", "", "".join(signature)) != row["release_office"].replace("、", ""):
            mismatched.add(name)
    assert mismatched == _ORDERS | {"052"}


@pytest.mark.corpus
def test_state_council_notice_read_in_full(notices):
    doc = next(doc for name, _, doc in notices if name == "003")
    assert [(e.kind, e.text) for e in doc.elements] == [
        ("doc_number", "国发〔2019〕4号"),
        ("addressee", "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："),
        ("issuer_signature", "国务院"),
        ("date", "2019年1月24日"),
        ("note", "（此件公开发布）"),
        ("attachment", "国家职业教育改革实施方案"),
    ]
    attachment = doc.elements[-1]
    assert any(node.start == attachment.start for node in doc.outline)  # the 方案's title stays in the 提纲


# Lines of every kind the closing and 版记 rules look at, and prose around them, to shuffle into bodies.
_SHUFFLED_LINES = [
    "现将有关事项通知如下。", "请认真贯彻执行。", "特此通知。", "一、总体要求", "各单位要加强领导", "国务院办公厅",
    "某某县人民政府", "2024年3月5日", "二〇二四年三月五日", "　　2019 年 1 月 9 日", "（此件公开发布）", "(联系人：张三)",
    "附件：1．工作方案", "2．责任分工", "3. 进度安排", "附件1", "附件2：关于做好工作的通知", "附：名单", "附件",
    "关于开展专项检查的实施方案", "关于做好工作的通知", "抄送：省委各部门，省人大常委会办公厅。", "抄报：国务院。",
    "分送：各区县。", "主送：各省、自治区、直辖市人民政府。", "国务院办公厅秘书局 2019年1月9日印发",
    "某某市人民政府办公室　　　　2024年3月6日印发", "主要任务", "分工负责", "抄写", "日", "印发", "x" * 301 + "日",
    "附：" + "材料" * 150, "抄送：" + "单位、" * 100 + "单位。",   # over 300 characters: no element
]


def test_the_rules_look_at_the_lines_they_can_match_and_find_what_they_find_on_every_line(monkeypatch):
    """The closing and 版记 rules are tried only on lines opening with 附, 抄, 分 or 主 or closing with 日 or 印发
    (``_lines_where``): on shuffled bodies of element lines and prose, what they find is what trying them on
    every line finds."""
    import random

    from sucai import elements

    rng = random.Random(16)
    bodies = ["\n".join(rng.choice(_SHUFFLED_LINES) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    found = [find_elements(body) for body in bodies]
    every_line = lambda compacts, first, *_: [n for n, c in enumerate(compacts, first) if len(c) <= elements._MAX_LINE]
    monkeypatch.setattr(elements, "_lines_where", every_line)
    assert found == [find_elements(body) for body in bodies]
    assert {e.kind for found_in in found for e in found_in} >= {"date", "issuer_signature", "attachment_note",
                                                                 "attachment", "note", "cc", "addressee", "printer"}
