"""发文字号 and 发文机关: the document number and the organisation a document comes from.

发文字号 (GB/T 9704-2012 §7.2.5) is 发文机关代字 + 〔年份〕 + 序号, "国办发〔2018〕127号";
a 令 is numbered "中华人民共和国国务院令第517号". The 代字 names the issuer:
:data:`CODE_ISSUERS` maps the common ones (the State Council and its general
office, the Party centre, the courts and procuratorates, ministries) and
:data:`PROVINCES` the provinces' (京政发 → 北京市人民政府, 粤府办 → 广东省人民政府办公厅).

Organisation names elsewhere: the 发文机关 before 关于 in a title (标题 = 发文机关 +
事由 + 文种, 《党政机关公文处理工作条例》第九条), the 署名 line of a 落款 (:func:`sucai.organs.signature`, the
rule of the 公文 elements too), the body that
adopted or promulgated a law ("第十三届全国人民代表大会第三次会议通过"), the
speaker's office in a report ("我代表国务院，向大会报告政府工作"), the body a piece of
collected works was written for ("这是毛泽东为中共中央起草的…"), a news agency's
dateline ("新华社北京3月5日电", "央视网消息"), and folder names. Each function
returns the name and where it was written (offsets of the string it was given).
"""

from __future__ import annotations

import re

from ..organs import ORG, ORGS, Named, joined, plausible
from .lines import HAN, holds

_NUMBER = r"(?:\d{1,5}|[一二三四五六七八九十百千零〇]{1,6})"
CODE = rf"[A-Za-z]{{0,4}}[{HAN}][{HAN}A-Za-z]{{0,9}}"
"""A 发文机关代字: Chinese characters, Latin letters among them (「X府发」, 「GB办」: a county's or a company's code
written with its abbreviation), at least one character Chinese — a run of letters alone is no 代字."""
_DECREE_ISSUER = rf"(?:中华人民共和国)?(?:国务院|主席|[{HAN}]{{1,12}}(?:部|委员会|局|署|行|院|政府))"
DOC_NUMBER = re.compile(
    rf"(?P<code>{CODE})\s*[〔\[［【（(]\s*(?P<year>(?:19|20|１９|２０)\d{{2}})\s*[〕\]］】）)]\s*第?\s*\d{{1,5}}\s*号"
    rf"|(?P<decree>(?>{_DECREE_ISSUER})(?:、(?>{_DECREE_ISSUER})){{0,5}})"
    rf"(?:令\s*(?:(?:19|20)\d{{2}}\s*年\s*)?第\s*{_NUMBER}\s*号|\s*第\s*{_NUMBER}\s*号令)"
)
"""A 发文字号 ("国发〔2019〕4号", "京政发[2020]3号", "X府发〔2023〕5号": its 代字 a :data:`CODE`) or a 令's number
("中华人民共和国国务院令第517号", a ministry's numbered by the year: "中华人民共和国交通运输部令2023年第5号"), of a 令 that
several bodies issue together too ("中华人民共和国国务院、中华人民共和国中央军事委员会令第438号", "海关总署、公安部令第7号"),
or written "海关总署第61号令". Each body is matched once, the first way it can be (an atomic group): tried every way,
six of them joined cost ~50 µs a character of 「中华人民共和国国务院、」 over and over; once, ~1 µs, as one body alone did."""


def doc_number_text(match: re.Match[str]) -> str:
    """The 发文字号 or 令号 a :data:`DOC_NUMBER` match reads, as GB/T 9704-2012 §7.2.5 writes it: no white space
    between its parts, Arabic numerals in ASCII (a web page's 「国发〔２０１８〕４４号」), and the year of a 发文字号 in
    六角括号 whatever brackets hold it — a pair of two kinds too, as OCR reads one: 「国发【2018] 44号」 →
    国发〔2018〕44号. Linear in the match."""
    if match.group("code") is None:
        return _SPACES.sub("", match.group()).translate(_ASCII_DIGITS)
    after = _SPACES.sub("", match.string[match.end("year"):match.end()])[1:]   # the closing bracket dropped
    return f"{match.group('code')}〔{match.group('year')}〕{after}".translate(_ASCII_DIGITS)


_SPACES = re.compile(r"\s+")
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

PRESIDENT = "中华人民共和国主席"
"""Who issues a 主席令 (and promulgates the laws a 人民代表大会 or its 常务委员会 adopts)."""

# 发文机关代字 → 发文机关, the longest matching start of the 代字 wins ("国办发明电" → 国办 → 国务院办公厅).
CODE_ISSUERS: dict[str, str] = {
    "国发": "国务院", "国函": "国务院", "国令": "国务院", "国阅": "国务院",
    "国办": "国务院办公厅",
    "中发": "中共中央", "中办": "中共中央办公厅", "厅字": "中共中央办公厅",
    "中纪发": "中央纪委", "中组发": "中共中央组织部", "组通字": "中共中央组织部", "中宣发": "中共中央宣传部",
    "法释": "最高人民法院", "法发": "最高人民法院", "法办": "最高人民法院",
    "高检发": "最高人民检察院", "高检会": "最高人民检察院",
    "发改": "国家发展改革委", "财": "财政部", "教": "教育部", "国科发": "科学技术部", "工信部": "工业和信息化部",
    "公通字": "公安部", "公安部": "公安部", "民发": "民政部", "民函": "民政部", "司发": "司法部",
    "人社部": "人力资源社会保障部", "劳社部": "劳动和社会保障部", "劳部": "劳动部", "自然资": "自然资源部", "环": "生态环境部", "建": "住房城乡建设部",
    "交": "交通运输部", "水": "水利部", "农": "农业农村部", "商": "商务部", "文旅": "文化和旅游部",
    "国卫": "国家卫生健康委", "退役军人": "退役军人事务部", "应急": "应急管理部", "审": "审计署",
    "国资": "国务院国资委", "署": "海关总署", "税总": "国家税务总局", "国市监": "国家市场监督管理总局",
    "广电": "国家广播电视总局", "体": "国家体育总局", "统": "国家统计局", "国医保": "国家医疗保障局",
    "银保监": "中国银行保险监督管理委员会", "证监": "中国证券监督管理委员会", "银发": "中国人民银行",
}

PROVINCES: dict[str, str] = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省",
    "内蒙": "内蒙古自治区", "蒙": "内蒙古自治区", "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省",
    "苏": "江苏省", "浙": "浙江省", "皖": "安徽省", "闽": "福建省", "赣": "江西省", "鲁": "山东省",
    "豫": "河南省", "鄂": "湖北省", "湘": "湖南省", "粤": "广东省", "桂": "广西壮族自治区", "琼": "海南省",
    "川": "四川省", "黔": "贵州省", "贵": "贵州省", "云": "云南省", "滇": "云南省", "藏": "西藏自治区",
    "陕": "陕西省", "甘": "甘肃省", "青": "青海省", "宁": "宁夏回族自治区", "新": "新疆维吾尔自治区",
}
_PROVINCE_CODE = re.compile(
    rf"(?P<p>{'|'.join(sorted(PROVINCES, key=len, reverse=True))})(?:政|府)(?P<office>办)?(?:发|函|文|字|令|规|明电|办)?")

# The 发文机关 of a title, before 关于 or 对 ("…对全国政协…提案的答复"; not 对外, a subject: "…人民法院对外委托…规定").
_TITLE_ISSUER = re.compile(rf"^(?P<org>{ORGS})(?=关于|对(?!外)|转发|印发|批转|致)")
# A unit at the start of a 事务文书's title, before its year or its leader's post: "某市财政局第三党支部2024年度组织
# 生活会对照检查材料", "某县农业农村局党组书记…发言提纲". Only the endings of a unit of Party or government count
# (not 部, which ends 干部, nor 院 or 中心), never a pronoun or a whole area (我局, 全市…党委), and only in a title
# that ends with a 事务文书's name and has no news verb before the unit ("李强会见欧盟委员会主席", "丁薛祥出席…
# 委员会2025年年会并讲话" name someone else's).
_TITLE_UNIT = re.compile(
    rf"^(?![我本该各在]|全(?!国))(?P<org>(?:(?!出席|会见|参加|致辞|视察|调研)[{HAN}]){{2,30}}?"
    r"(?:党支部|党总支|党委|党组|党工委|纪委|委员会|办公室|办公厅|政府|局|委|办|厅))"
    r"(?=(?:19|20)\d{2}年|(?:党组|党委|党工委)?副?(?:书记|局长|主任|厅长|部长|主席|领导班子|班子))"
    r"(?=.*(?:材料|提纲|总结|报告|讲话|讲稿|发言|计划|要点|方案|汇报|体会|打算)$)")
_TITLE_BRACKET = re.compile(rf"[（(](?P<org>{ORGS})[）)]\s*$")
# A body named after a date starts after the date and the 经 before it, never with them: "1日第十二届全国人民代表大会常务
# 委员会…通过" → 全国人民代表大会常务委员会, "17日 经人力资源和社会保障部第6次部务会议通过" → 人力资源和社会保障部.
_AFTER_DATE = rf"(?:(?<![{HAN}\d０-９])|(?<=日))"
# The 签发人 of a 令 (GB/T 9704-2012 §10.2, §7.3.5.3: 签发人职务 and 签名章 above its 成文日期): a post and a name, "总理　　李克强".
_SIGNER = re.compile(rf"^[{HAN}]{{0,20}}?(?:总理|主席|部长|主任|局长|署长|行长|院长|检察长|省长|市长|县长|区长)[ \t\u3000]*[{HAN}·]{{2,5}}$")
_ADOPTED = re.compile(
    rf"(?:{_AFTER_DATE}经)?"
    r"(?P<org>全国人民代表大会常务委员会|全国人民代表大会|最高人民法院|最高人民检察院|中央军事委员会|国务院|政务院"
    rf"|[{HAN}]{{2,12}}(?:省|市|自治区|自治州|县)人民代表大会(?:常务委员会)?"
    rf"|(?:{_AFTER_DATE}|(?<={_AFTER_DATE}经))(?![第经])[{HAN}]{{2,20}}?(?:部|委员会|总局|局|署|办公室|办公厅)"
    r"(?=[^。]{0,30}?(?:通过|批准|公布|发布)))"
    r"[^。]{0,40}?(?:通过|批准|公布|发布|修正|修订)")
_REPORTER = re.compile(rf"我代表(?P<org>[{HAN}]{{2,30}}?)[，,]?\s*向(?:大会|会议|全会)")
_CENTRAL_COMMITTEE = re.compile(r"^第[一二三四五六七八九十]+届中央委员会$")
# The editor's note under a piece of collected works names the body it was written for: 「这是毛泽东为中共中央起草的对党内的
# 指示」 → 中共中央, 「这是毛泽东为新华社写的评论」 → 新华社, 「这是毛泽东为延安《解放日报》写的社论」 → 解放日报 — not the body
# it went to (「这是毛泽东写给中共中央的报告」) nor an occasion (「为纪念抗日战争两周年写的文章」).
_DRAFTED_FOR = re.compile(
    rf"^[ \t\u3000]*这是[{HAN}]{{2,4}}(?:同志)?(?:在[^。\n]{{0,40}})?为"
    rf"(?:[{HAN}]{{0,4}}《(?P<paper>[{HAN}]{{2,12}})》|(?P<org>{ORGS}))所?(?:起草|撰写|写)的", re.MULTILINE)
_NEWS = re.compile(
    rf"^[^\n]{{0,20}}?(?P<org>新华社|央视网|中新社|人民网|新华网|光明网|中国新闻网|[{HAN}]{{2,8}}(?:日报|晚报|报社))"
    rf"(?:消息|[{HAN}]{{0,8}}\d{{1,2}}月\d{{1,2}}日电|讯)", re.MULTILINE)
# The 发文机关标志 of a 版头 (GB/T 9704-2012 §7.2.4): the issuers' names and 「文件」, a line alone.
_ISSUER_MARK = re.compile(rf"(?P<org>{ORGS})[ \t\u3000]*文件")
_FOLDER_NOISE = re.compile(r"(?:文件|公文|发文|资料|材料|文档)$")


def doc_number_issuer(number: str) -> str | None:
    """The 发文机关 a 发文字号 names: "国办发〔2018〕127号" → 国务院办公厅, "京政办发〔2020〕3号" →
    北京市人民政府办公厅, "中华人民共和国国务院令第517号" → 国务院, a joint 令's bodies joined with "、"
    ("中华人民共和国国务院、中华人民共和国中央军事委员会令第438号" → 国务院、中央军事委员会); None when the 代字 is not known."""
    m = DOC_NUMBER.fullmatch(number.strip())
    if not m:
        return None
    if m.group("decree"):
        return "、".join(PRESIDENT if issuer == "主席" else issuer
                        for issuer in (name.removeprefix("中华人民共和国") for name in m.group("decree").split("、")))
    code = m.group("code")
    keys = [key for key in CODE_ISSUERS if code.startswith(key)]
    if keys:
        return CODE_ISSUERS[max(keys, key=len)]
    province = _PROVINCE_CODE.fullmatch(code)
    if province:
        return PROVINCES[province.group("p")] + ("人民政府办公厅" if province.group("office") else "人民政府")
    return None


def mark_issuer(line: str) -> Named | None:
    """The issuers a 版头's 发文机关标志 names (GB/T 9704-2012 §7.2.4): "某县人民政府文件" → 某县人民政府, a joint one's
    joined with "、"; None for any other line (offsets of ``line``)."""
    m = _ISSUER_MARK.fullmatch(line)
    return Named(joined(m.group("org")), m.start("org"), m.end("org")) if m and plausible(m.group("org")) else None


def title_issuer(title: str) -> Named | None:
    """The 发文机关 at the start of a title ("国务院办公厅关于…" → 国务院办公厅), in a trailing
    bracket ("2024年政府工作报告（国务院）" → 国务院), or the unit a 事务文书's title opens with, before
    its year or its leader's post ("某县农业农村局2023年乡村振兴工作总结" → 某县农业农村局)."""
    for pattern in (_TITLE_ISSUER, _TITLE_BRACKET, _TITLE_UNIT):
        m = pattern.search(title)
        if m and plausible(m.group("org")):
            return Named(joined(m.group("org")), m.start("org"), m.end("org"))
    return None


def signer(line: str) -> bool:
    """Whether ``line`` is the 签发人 of a 令, a post and a name ("总理　　李克强", "国家市场监督管理总局局长　某某"): a
    date line under it is the 令's 成文日期."""
    return bool(_SIGNER.match(line)) if len(line) <= 40 else False


def adopted_by(text: str, start: int = 0, end: int | None = None) -> Named | None:
    """The body that adopted or promulgated a law or regulation, from the 题注 ``text[start:end]``
    ("1990年…第七届全国人民代表大会常务委员会第十五次会议通过" → 全国人民代表大会常务委员会)."""
    m = _ADOPTED.search(text, start, len(text) if end is None else end)
    return Named(m.group("org"), m.start("org"), m.end("org")) if m else None


def reporter(text: str) -> Named | None:
    """Whom a report is made on behalf of: "我代表国务院，向大会报告" → 国务院;
    "我代表第十九届中央委员会向大会作报告" → 中共中央."""
    m = _REPORTER.search(text)
    if not m:
        return None
    org = m.group("org")
    if _CENTRAL_COMMITTEE.match(org):
        return Named("中共中央", m.start("org"), m.end("org"))
    return Named(org, m.start("org"), m.end("org")) if plausible(org) and ORG.fullmatch(org) else None


def drafted_for(text: str, start: int = 0, end: int | None = None) -> Named | None:
    """The body a piece of collected works was written for, as the editor's note on a line of ``text[start:end]`` says:
    "这是毛泽东为中共中央起草的对党内的指示" → 中共中央, "…为延安《解放日报》写的社论" → 解放日报 (offsets into ``text``)."""
    m = _DRAFTED_FOR.search(text, start, len(text) if end is None else end)
    if not m:
        return None
    group = "paper" if m.group("paper") else "org"
    return Named(_bodies(m.group(group)), m.start(group), m.end(group)) if plausible(m.group(group)) else None


def _bodies(orgs: str) -> str:
    """Bodies named together, joined with "、": 「中共中央和中央军委」 → 中共中央、中央军委 (but 工业和信息化部, one body)."""
    parts = orgs.split("和")
    named_apart = len(parts) > 1 and all(ORG.fullmatch(part) and plausible(part) for part in parts)
    return "、".join(parts) if named_apart else joined(orgs)


def news_agency(text: str, start: int = 0, end: int | None = None) -> Named | None:
    """The agency of the first news dateline near the start of a line of ``text[start:end]``:
    "新华社北京10月20日电" → 新华社, "央视网消息" → 央视网 (offsets into ``text``)."""
    end = len(text) if end is None else end
    m = _NEWS.search(text, start, end) if holds(text, ("消息", "日电", "讯"), start, end) else None   # (a dateline's end)
    return Named(m.group("org"), m.start("org"), m.end("org")) if m else None


def folder_issuer(folder: str) -> str | None:
    """An organisation a folder is named after ("公安部", "国务院文件" → 国务院), else None."""
    name = _FOLDER_NOISE.sub("", folder.strip())
    return name if 2 <= len(name) <= 30 and ORG.fullmatch(name) and plausible(name) else None
