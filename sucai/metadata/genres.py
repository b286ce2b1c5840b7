"""文种: the taxonomy of document types, and how a document is classified into it.

The taxonomy (:data:`GENRES`, in display order, grouped by :data:`GROUPS`;
entry point :func:`taxonomy`) uses the field's standard names:

- **法定公文** — the 15 types of 《党政机关公文处理工作条例》(2012) 第八条: 决议 决定
  命令（令） 公报 公告 通告 意见 通知 通报 报告 请示 批复 议案 函 纪要.
- **法律法规** — by 效力级别 (《中华人民共和国立法法》): 法律 (adopted by the 全国人民代表大会
  or its 常务委员会), 行政法规 (国务院; named 条例/规定/办法, 《行政法规制定程序条例》第五条),
  地方性法规 (local people's congresses), 部门规章 (ministries' 令; 规定/办法,
  《规章制定程序条例》第七条), 司法解释 (最高人民法院/最高人民检察院; 解释 规定 规则 批复 决定,
  《最高人民法院关于司法解释工作的规定》第六条); and, for rules whose level is not stated
  (a 党内法规, a unit's own rules), their name: 条例 规定 办法 细则.
- **事务文书** — the working documents of offices: 讲话稿 工作总结 工作计划 (计划, 要点, 安排,
  规划, 纲要) 实施方案 (方案, 预案) 调研报告 述职报告 心得体会 对照检查材料 发言提纲 党课讲稿
  汇报材料 主持词 致辞 简报 新闻稿 事迹材料 (先进事迹材料), 案例 (典型案例, a court's 指导性案例: by a title ending in
  it or a part headed 基本案情, 案情回顾, 裁判要点…), and 政府工作报告 (a government's report to its
  人民代表大会).
- **新闻与著作** — 新闻报道 (datelined news: "新华社…电", "本报讯", a news programme's transcript — 《新闻联播》 —
  by the summary it opens with, "本期节目主要内容："),
  理论文章 (commentary and theory articles), 著作 (chapters of collected works, 选集/文集:
  a 题注 date in Chinese numerals under the title and an editor's note "这是…").

Anything else is :data:`OTHER` ("其他").

Classification (:func:`classify`) looks, in this order, at: combinations that
fix a law's level (a title ending in 条例 with a 国务院令 文号 → 行政法规), the marks
of collected works, a 工作报告 delivered at a 人民代表大会 (its subtitle "——2024年1月8日在…人民代表大会…上"), the title's
closing word (the last 文种 word of the title or of
one of its parts, words inside 《》 ignored, "…实施方案的通知" → 通知; of two
事务文书 joined, the first: "…工作总结和…工作打算" → 工作总结), the
文号, cues in the first lines of the body (a dateline → 新闻报道, "现批复如下" →
批复, "同志们：" → 讲话稿), the folders the file came from, and the file name. Each
answer is a candidate carrying its evidence; the first is the document's 文种.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..analysis import to_simplified
from ..errors import InvalidInput
from ..model import OTHER, Evidence
from .issuers import DOC_NUMBER, PROVINCES, doc_number_issuer
from .lines import HAN


@dataclass(frozen=True)
class Genre:
    """One 文种: its ``name`` (as stored and filtered on), its ``group``, the ``words`` a title
    ends with when it is one (regex alternatives, longest first), and the ``basis`` it rests on."""

    name: str
    group: str
    words: str = ""
    basis: str = ""


_STATUTORY = "《党政机关公文处理工作条例》第八条"
GROUPS = ("法定公文", "法律法规", "事务文书", "新闻与著作")
GENRES: tuple[Genre, ...] = (
    Genre("决议", "法定公文", "决议", _STATUTORY),
    Genre("决定", "法定公文", "决定", _STATUTORY),
    Genre("命令（令）", "法定公文", "命令|[嘉通]?令", _STATUTORY),
    Genre("公报", "法定公文", "公报", _STATUTORY),
    Genre("公告", "法定公文", "公告", _STATUTORY),
    Genre("通告", "法定公文", "通告", _STATUTORY),
    Genre("意见", "法定公文", "意见", _STATUTORY),
    Genre("通知", "法定公文", "通知", _STATUTORY),
    Genre("通报", "法定公文", "通报", _STATUTORY),
    Genre("报告", "法定公文", "报告", _STATUTORY),
    Genre("请示", "法定公文", "请示", _STATUTORY),
    Genre("批复", "法定公文", "批复", _STATUTORY),
    Genre("议案", "法定公文", "(?<!协)议案", _STATUTORY),
    Genre("函", "法定公文", "复函|函|答复", _STATUTORY),
    Genre("纪要", "法定公文", "纪要", _STATUTORY),
    Genre("法律", "法律法规", "", "《中华人民共和国立法法》第二章"),
    Genre("行政法规", "法律法规", "", "《中华人民共和国立法法》第三章，《行政法规制定程序条例》第五条"),
    Genre("地方性法规", "法律法规", "", "《中华人民共和国立法法》第四章"),
    Genre("部门规章", "法律法规", "", "《中华人民共和国立法法》第四章，《规章制定程序条例》第七条"),
    Genre("司法解释", "法律法规", "", "《最高人民法院关于司法解释工作的规定》第六条"),
    Genre("条例", "法律法规", "实施条例|暂行条例|条例"),
    Genre("规定", "法律法规", "暂行规定|规定|规则|规范"),
    Genre("办法", "法律法规", "实施办法|暂行办法|办法"),
    Genre("细则", "法律法规", "实施细则|细则"),
    Genre("讲话稿", "事务文书", "讲话稿|讲话提纲|宣讲提纲|讲话|发言材料|发言稿|发言|演讲稿|演讲|讲稿|开幕词|闭幕词|宣讲稿"),
    Genre("工作总结", "事务文书", "工作总结|总结"),
    Genre("工作计划", "事务文书", "工作计划|工作要点|工作思路|工作设想|工作谋划|计划|要点|安排|规划|纲要|打算"),
    Genre("实施方案", "事务文书", "实施方案|工作方案|方案|预案"),
    Genre("调研报告", "事务文书", "调研报告|调查报告|考察报告"),
    Genre("述职报告", "事务文书", "(?:述[职责廉德学法])+报告|述职"),
    Genre("政府工作报告", "事务文书", "政府工作报告"),
    Genre("心得体会", "事务文书", "心得体会|学习体会|心得|体会|感悟|读后感|观后感"),
    Genre("对照检查材料", "事务文书",
          "(?:对照检查|检视剖析|对照检视|个人检视|检查剖析|剖析)(?:材料)?(?:发言提纲)?"),
    Genre("发言提纲", "事务文书", "发言提纲|提纲"),
    Genre("党课讲稿", "事务文书", "党课讲稿|党课提纲|党课"),
    Genre("汇报材料", "事务文书", "汇报材料|汇报提纲|情况汇报|工作汇报|汇报"),
    Genre("主持词", "事务文书", "主持词|主持稿|串词"),
    Genre("致辞", "事务文书", "致辞|致词|贺词|祝词|欢迎词|答谢词|献词"),
    Genre("简报", "事务文书", "简报"),
    Genre("新闻稿", "事务文书", "新闻稿|通讯稿|新闻通稿"),
    Genre("事迹材料", "事务文书", "(?:先进)?事迹(?:材料)?"),
    Genre("案例", "事务文书", "典型案例|指导性案例|案例"),
    Genre("新闻报道", "新闻与著作"),
    Genre("理论文章", "新闻与著作"),
    Genre("著作", "新闻与著作"),
)
NAMES: tuple[str, ...] = tuple(g.name for g in GENRES) + (OTHER,)
# Former names (sucai 0.1) and common shorthand, accepted as filters.
ALIASES = {"讲话": "讲话稿", "工作方案": "实施方案", "先进事迹": "事迹材料", "规划": "工作计划", "命令": "命令（令）",
           "令": "命令（令）", "要点": "工作计划", "计划": "工作计划", "方案": "实施方案", "新闻": "新闻报道"}
LAWS = frozenset(genre.name for genre in GENRES if genre.group == "法律法规")   # their title names the document
_NAMED_BY = tuple((genre, re.compile(genre.words)) for genre in GENRES if genre.words)


def taxonomy(counts: Mapping[str, int] | None = None) -> list[dict]:
    """The taxonomy for filters and pickers: ``[{"group": "法定公文", "genres": [{"name", "basis"}…]}…]``
    in display order, then the group "其他" holding :data:`OTHER`.

    With ``counts`` (文种 → number of documents), each genre also has its ``count`` and
    only genres that have documents are listed (groups left empty are dropped).
    """
    groups = [*GROUPS, OTHER]
    members = {group: [g for g in GENRES if g.group == group] for group in GROUPS}
    members[OTHER] = [Genre(OTHER, OTHER)]
    out = []
    for group in groups:
        entries = [{"name": g.name, "basis": g.basis} for g in members[group]]
        if counts is not None:
            entries = [{**e, "count": counts[e["name"]]} for e in entries if counts.get(e["name"])]
        if entries:
            out.append({"group": group, "genres": entries})
    return out


@lru_cache(maxsize=4096)   # a search asks it of each query term for every section it ranks
def canonical(name: str | None) -> str | None:
    """The taxonomy name for what a user typed as a 文种: a name of :data:`NAMES`, a shorthand of :data:`ALIASES`
    ("讲话" → "讲话稿"), or the words a title of a 文种 ends with (its ``words``, no two 文种's alike: "对照检查" →
    对照检查材料, "述职" → 述职报告, "总结" → 工作总结), each also typed in traditional characters (「對照檢查材料」,
    「述職」: :func:`~sucai.analysis.to_simplified`); any other name as given, in simplified characters."""
    if name is None:
        return None
    name = to_simplified(name.strip())
    if name in ALIASES:
        return ALIASES[name]
    return next((genre.name for genre, words in _NAMED_BY if words.fullmatch(name)), name)   # a name's words hold it


def written_genre(name: str | None) -> str | None:
    """The 文种 a writer names for a draft (the 写作台, ``sucai draft``): :func:`canonical`'s, else — a name no 文种 has
    — the one a title ending with it has (:func:`title_genre`: 「研讨发言」, 「交流发言」 → 讲话稿, 「学习心得」 → 心得体会,
    「个人剖析材料」 → 对照检查材料), else the name as :func:`canonical` gives it."""
    found = canonical(name)
    return found if found is None or found in NAMES else title_genre(found) or found


def genre_table_hint(name: str) -> str:
    """Where to find the 文种 a user may name, for a message about ``name`` that is none of them:
    「（文种表见 sucai genres；相近的有“对照检查材料”）」 — the names holding ``name`` (at most three), if any."""
    near = [g for g in NAMES if name and name in g][:3]
    return "（文种表见 sucai genres" + ("；相近的有" + "、".join(f"“{g}”" for g in near) if near else "") + "）"


def listed_genre(name: str | None) -> str | None:
    """The 文种 ``name`` asks for (a search's filter, the 文种 of 今日更新 or its feed), as the taxonomy names it
    (:func:`canonical`: 「讲话」 → 讲话稿); None for none (None, white space). Raises InvalidInput (``bad_genre``) for a
    name no 文种 has, in words of its own and the names near it (:func:`genre_table_hint`): a link's words are never
    shown as the site's (「/updates?genre=请加微信…」 was printed on the page and in the title of a feed, 「/search?genre=…」
    in the search page's warning)."""
    if name is None or not name.strip():
        return None
    found = canonical(name)
    if found not in NAMES:
        raise InvalidInput("没有这个文种，请从文种表中选择" + genre_table_hint(found), code="bad_genre")
    return found


# -- the title's closing word ----------------------------------------------------------------

_TITLE_WORDS = re.compile(
    "(?:" + "|".join(f"(?P<g{i}>{g.words})" for i, g in enumerate(GENRES) if g.words) + ")$")
# A title that joins two 事务文书 ("2023年工作总结和2024年工作打算", "心得体会暨研讨发言", "对照检查材料 发言提纲",
# "讲话稿及实施方案") is the one it names first: the rest is its closing part (下步打算) or the use made of it. The
# stretch between the two names holds no 的 or 会, which would make the first a meeting's or a notice's subject
# ("在2023年工作总结暨2024年工作部署会议上的讲话"). 工作计划's words (要点, 安排…) are too common to lead. A year's
# 工作情况 before a plan is its 工作总结 ("2023年工作情况及2024年工作打算").
_AFFAIRS = tuple(i for i, g in enumerate(GENRES) if g.group == "事务文书")
_JOINED = re.compile("(?:" + "|".join(f"(?P<g{i}>{GENRES[i].words})" for i in _AFFAIRS if GENRES[i].name != "工作计划")
                     + r"|(?P<review>(?:工作|开展|完成|落实|进展)情况))(?:和|及|与|暨|以及|、|\s+)[^的会]{0,24}$")
_JOINED_SPAN = 48  # characters before the closing word that may hold the first name
_BOOK_TITLE = re.compile(r"《[^《》]*》")
_TAIL = 16  # characters at the end of a title that hold its closing word
_TRAILING_BRACKET = re.compile(r"[（(][^（()）\n]*[）)]$")
_TRAILING_MARKS = " \t\u3000！!？?。…"
_PARTS = re.compile(r"[：:丨｜|]|——|—|--")
_LAW_TITLE = re.compile(r"(?:(?<![办方做想说看写书手技章违非合守执犯])法|法典(?:\s+\S{1,8}编|\s*[总附分]则)?|修正案)$")
_PRC = "中华人民共和国"
_JUDICIAL_ISSUER = re.compile(r"^(?:最高人民法院|最高人民检察院)")
_JUDICIAL_FORM = re.compile(r"(?:解释|规定|规则|批复|决定|解答|安排)$")
_REGULATION = re.compile(r"(?:条例|规定|办法|细则|规则|规范)$")
_RULES = re.compile(r"(?:规定|办法|细则|规则|规范)$")
_LOCAL = re.compile(rf"^[{HAN}]{{2,10}}(?:省|市|自治区|自治州|县|区)")


@lru_cache(maxsize=1024)   # a document's title candidates, its parts and folders ask again: 1,866 titles in 4,742 calls
def title_genre(title: str) -> str | None:
    """The 文种 a title names by its closing word, or None.

    The title and each of its parts (split at "：", "丨", "——") are looked at;
    brackets and punctuation at the end ("（试行）", "（2018年修正）", "！") and
    words inside 《》 are ignored; of the words that close a part, the longest
    wins (调研报告 over 报告). A law ("中华人民共和国…法", "…修正案") is 法律. Of two
    事务文书 joined ("…工作总结和…工作打算", "心得体会暨研讨发言"), the first named.
    """
    text = _bare_title(title)
    if _LAW_TITLE.search(text[-_TAIL:]) and text.startswith(_PRC):
        return "法律"
    best: tuple[int, str] | None = None
    for part in [text, *_PARTS.split(text)]:
        part = _strip_end(part)
        tail = part[-_TAIL:]
        m = _TITLE_WORDS.search(tail)  # the words close the title: only its end is looked at
        if m:
            genre = _first_named(part[: len(part) - len(tail) + m.start()], _matched(m))
            if best is None or len(m.group()) > best[0]:
                best = (len(m.group()), genre)
    return best[1] if best else None


def _matched(m: re.Match[str]) -> int:
    """The index in :data:`GENRES` of the genre whose words matched (its group ``g<index>``)."""
    return next(int(k[1:]) for k, v in m.groupdict().items() if v is not None and k[0] == "g")


def _first_named(before: str, closing: int) -> str:
    """The 文种 of a title part closed by a word of ``GENRES[closing]`` with ``before`` in front of that word:
    the first of two joined 事务文书 (``_JOINED``), else the closing one."""
    name = GENRES[closing].name
    m = _JOINED.search(before[-_JOINED_SPAN:]) if closing in _AFFAIRS else None
    if m is None:
        return name
    if m.group("review"):
        return "工作总结" if name == "工作计划" else name
    return GENRES[_matched(m)].name


def _bare_title(title: str) -> str:
    """The title with the names of other documents (《…》) emptied and its trailing brackets and marks cut."""
    return _strip_end(_BOOK_TITLE.sub("《》", title.strip()))


def _strip_end(text: str) -> str:
    """``text`` without brackets ("（试行）", "（2018年修正）") and marks ("！") at its end, repeatedly."""
    while True:
        cut = _TRAILING_BRACKET.sub("", text.rstrip(_TRAILING_MARKS)).rstrip(_TRAILING_MARKS)
        if cut == text:
            return text
        text = cut


# -- cues in the body ------------------------------------------------------------------------

# (文种, cue, where): "lead" = the first 300 characters of the body, "head" = the first 1,500,
# "ends" = the first and the last 1,500 (公文 close with "特此通知", "此复"…).
_BODY_CUES: list[tuple[str, re.Pattern[str], str]] = [
    ("新闻报道", re.compile(rf"^[^\n]{{0,20}}(?:新华社|中新社|央视网消息|本报[{HAN}]{{0,6}}讯|[{HAN}]{{2,8}}(?:日报|晚报)[{HAN}]{{0,6}}讯)"
                         r"|^[^\n]{0,30}\d{1,2}月\d{1,2}日电[（(]记者"
                         r"|^[ \t\u3000]*本期(?:节目)?主要内容[：:]", re.MULTILINE), "lead"),   # a news programme's summary
    ("事迹材料", re.compile(r"^[—-]{1,2}记[\u4e00-\u9fff]", re.MULTILINE), "lead"),
    # a case's parts as its publisher heads them (最高人民法院's 指导性案例 and 典型案例, a ministry's 典型案例)
    ("案例", re.compile(r"^[ \t\u3000]*(?:基本案情|简要案情|案情回顾|案情简介|裁判要点|裁判要旨)[ \t\u3000]*$", re.MULTILINE),
     "head"),
    ("批复", re.compile(r"现批复如下|现就有关问题批复如下|特此批复"), "ends"),
    ("函", re.compile(r"函复如下|特此函复|特此复函|此复[。\s]|现答复如下|答复如下"), "ends"),
    ("请示", re.compile(r"(?:妥否|当否|可否)[，,]?请(?:批示|审批|批复)"), "ends"),
    ("通报", re.compile(r"特此通报|现将[^。\n]{0,30}通报如下"), "ends"),
    ("通知", re.compile(r"现(?:将|把)[^。\n]{0,60}印发给你们|特此通知|现(?:将|就)[^。\n]{0,40}通知如下"), "ends"),
    ("意见", re.compile(r"现(?:就|提出)[^。\n]{0,40}(?:提出)?(?:如下|以下)意见"), "head"),
    # the openings of 事务文书 that say "…如下" like a 报告 ("现将个人对照检查情况报告如下" is no 报告)
    ("述职报告", re.compile(r"现将[^。\n]{0,40}(?:述职|述责|履职)[^。\n]{0,20}如下"), "head"),
    ("对照检查材料", re.compile(r"(?:对照检查|检视剖析|对照检视)(?:情况)?(?:报告|汇报)?如下"), "head"),
    ("工作总结", re.compile(r"现将[^。\n]{0,60}总结如下"), "head"),
    ("报告", re.compile(r"各位代表[：:]\s*现在，?我代表|特此报告|现将[^。\n]{0,30}报告如下"), "ends"),
    ("讲话稿", re.compile(r"^(?:同志们|各位领导|同志们、朋友们)[：:，,]", re.MULTILINE), "lead"),
]
_LEAD, _HEAD = 300, 1500
# Collected works (选集/文集): a 题注 date in Chinese numerals, then an editor's note on the piece.
_WORKS_DATE = re.compile(r"^[（(][一二三四五六七八九〇○零]{4}年[^\n]{0,20}[）)]$", re.MULTILINE)
_WORKS_NOTE = re.compile(rf"^(?:这是|本篇是|此文是|本文是)?[{HAN}]{{2,4}}(?:同志)?(?:此文|这篇|为|在|写|给|起草|发表|致)"
                         r"[^\n]{0,80}(?:讲演|演说|讲话|报告|文章|指示|电报|信|发言|评论|按语|结论|序言|社论|谈话|决议|通知|命令)",
                         re.MULTILINE)
_FOLDER_WORKS = re.compile(r"选集|文集|文选|全集|著作|selected[_ -]?works|anthology|collected[_ -]?works", re.IGNORECASE)
_FOLDER_NEWS = re.compile(r"新闻|联播|xinwen|news", re.IGNORECASE)
_LEVELS = ("行政法规", "部门规章", "地方性法规", "司法解释")
_THEORY_OPENING = re.compile(r"^[^。\n]{0,30}?习近平(?:总书记|同志|主席)")
_THEORY_TITLE = re.compile(r"^(?:加快|推进|推动|坚持|深化|始终|把握|牢牢|深刻认识|深刻把握|不断|全面|持续|努力|着力|切实|论|浅谈|浅析|试论|谈谈)"
                           r"|(?:探索|思考|启示|路径|逻辑|意义|内涵|要义|优势|之道|之策|辨析|探析|研究)$")
_PROVINCE_TITLE = re.compile("^(?:" + "|".join(sorted({re.sub("(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", name)
                                                   for name in PROVINCES.values()} | {"香港", "澳门", "台湾"},
                                                  key=len, reverse=True)) + ")")
_PERSON_TITLE = re.compile(rf"^[{HAN}·]{{2,4}}[：:]")
_PLACE_OR_ORG = re.compile(r"[省市县区州镇乡村部局委网报社厅院]$|^(?:外交部|国防部|商务部)")

@dataclass(frozen=True)
class Signals:
    """What :func:`classify` looks at besides the title candidates.

    ``body`` is the clean text with ``start`` the offset where the document text
    begins; ``span(start, end, rule)`` makes the evidence of a span of ``body``.
    ``doc_number`` / ``adopted`` / ``issuers`` are the 文号 and source candidates
    already found; ``folders`` the folder names a file came from (nearest first)
    with their evidence; ``file_title`` the title made from the file name.
    """

    body: str
    start: int
    span: Callable[[int, int, str], Evidence]
    doc_number: Evidence | None = None
    adopted: Evidence | None = None
    issuers: Sequence[Evidence] = ()
    folders: Sequence[tuple[str, Evidence]] = ()
    file_title: Evidence | None = None


def classify(titles: Sequence[Evidence], signals: Signals) -> list[Evidence]:
    """The 文种 candidates of a document, best first (field ``"genre"``); empty when nothing says.

    ``titles`` are the title candidates (best first); see the module docstring for
    the order of the rules. Never raises; looks only at the title, the first and the last
    1,500 characters of the body and names outside the text, each read in simplified characters (OpenCC,
    :func:`sucai.analysis.to_simplified`): a traditional copy (Big5) is the 文种 of its simplified original.
    """
    found: list[Evidence] = []
    head_end = signals.start + _HEAD
    titles = [replace(t, value=to_simplified(t.value)) for t in titles]
    signals = replace(signals, body=_simplified(signals.body, signals.start),
                      folders=[(to_simplified(folder), evidence) for folder, evidence in signals.folders])
    title = titles[0] if titles else None
    if title is not None:
        found += _levels(title, signals)
    found += _works(signals, head_end)
    if title is not None:
        found += _government_report(title, signals)
    for candidate in titles:
        genre = title_genre(candidate.value)
        if genre:
            found.append(_as(candidate, genre, "标题"))
    if signals.doc_number is not None:
        genre = _doc_number_genre(signals.doc_number.value)
        if genre:
            found.append(_as(signals.doc_number, genre, "文号"))
    found += _body_cues(signals, head_end, title)
    for folder, evidence in signals.folders:
        genre = _folder_genre(folder)
        if genre:
            found.append(_as(evidence, genre, "文件夹"))
    return _unique(found)


def _simplified(body: str, start: int) -> str:
    """``body`` with what the cues read — up to :data:`_HEAD` characters after ``start`` and the last
    :data:`_HEAD` — in simplified characters; the same length, so every offset holds."""
    head_end = start + _HEAD
    tail_start = max(head_end, len(body) - _HEAD)
    return to_simplified(body[:head_end]) + body[head_end:tail_start] + to_simplified(body[tail_start:])


def _levels(title: Evidence, signals: Signals) -> list[Evidence]:
    """法律 / 行政法规 / 地方性法规 / 部门规章 / 司法解释 from the title's form and who made it."""
    bare = _bare_title(title.value)
    number = signals.doc_number
    code = DOC_NUMBER.fullmatch(number.value) if number else None
    adopted = signals.adopted
    by = adopted.value if adopted else ""
    out: list[Evidence] = []
    if code and code.group("code") and code.group("code").startswith(("法释", "高检发释")):
        out.append(combine("司法解释", "文号", title, number))
    if _JUDICIAL_ISSUER.match(bare) and _JUDICIAL_FORM.search(bare):
        out.append(combine("司法解释", "标题", title))
    if _LAW_TITLE.search(bare) and (bare.startswith(_PRC) or by.startswith("全国人民代表大会")):
        out.append(combine("法律", "标题", title, adopted if not bare.startswith(_PRC) else None))
    for folder, evidence in signals.folders:
        if "司法解释" in folder and _JUDICIAL_FORM.search(bare):
            out.append(combine("司法解释", "文件夹", title, evidence))
    if not _REGULATION.search(bare):
        return out
    if by.startswith("全国人民代表大会"):
        out.append(combine("法律", "通过机关", title, adopted))
    if by in ("国务院", "政务院") or bare.startswith("国务院关于"):
        out.append(combine("行政法规", "通过机关" if by else "标题", title, adopted if by else None))
    if code and code.group("decree"):   # the State Council's 令, alone or with the 中央军事委员会's (军事行政法规)
        by_state_council = "国务院" in doc_number_issuer(number.value).split("、")
        level = "行政法规" if by_state_council else "部门规章" if _RULES.search(bare) else None
        if level:
            out.append(combine(level, "令", title, number))
    if "人民代表大会" in by and not by.startswith("全国") and _LOCAL.match(bare):
        out.append(combine("地方性法规", "通过机关", title, adopted))
    # A folder names the level unless the document's own 文号 says another body issued it (a ministry's
    # 通知 filed under 行政法规/ is that ministry's rule, not the State Council's).
    other_issuer = bool(code and code.group("code")) and doc_number_issuer(number.value) not in ("国务院", "国务院办公厅")
    for folder, evidence in signals.folders:
        level = next((lv for lv in _LEVELS if lv in folder and lv != "司法解释"), None)
        if level == "行政法规" and other_issuer:
            continue
        if level and (level != "部门规章" or _RULES.search(bare)):
            out.append(combine(level, "文件夹", title, evidence))
    return out


# The subtitle of a report made at a session of a 人民代表大会: "——2024年1月8日在某县第十八届人民代表大会第三次会议上".
_CONGRESS_SUBTITLE = re.compile(r"^[ \t\u3000]*[—－-]{1,4}[^\n]{0,20}在[^\n]{0,40}人民代表大会[^\n]{0,30}上[ \t\u3000]*$",
                                re.MULTILINE)
# Bodies other than the government that report to a 人民代表大会 at its session.
_OTHER_REPORTERS = re.compile(r"常务委员会|常委会|法院|检察院|监察委员会|监委")


def _government_report(title: Evidence, signals: Signals) -> list[Evidence]:
    """政府工作报告: a title closing in 工作报告 that names no other reporting body (a 常务委员会, a 法院…: their
    reports share the subtitle), with a subtitle at a 人民代表大会 in the first lines of the body."""
    bare = _bare_title(title.value)
    if not bare.endswith("工作报告") or _OTHER_REPORTERS.search(bare):
        return []
    m = _CONGRESS_SUBTITLE.search(signals.body, signals.start, signals.start + _LEAD)
    return [combine("政府工作报告", "副标题", title, signals.span(m.start(), m.end(), "副标题"))] if m else []


def _works(signals: Signals, head_end: int) -> list[Evidence]:
    """著作: the 题注 date and editor's note of collected works, or a folder named after them."""
    out = []
    date = _WORKS_DATE.search(signals.body, signals.start, head_end)
    if date and date.start() - signals.start < 80:
        note = _WORKS_NOTE.search(signals.body, date.end(), min(head_end, date.end() + 300))
        if note:
            out.append(signals.span(date.start(), note.end(), "选集题注"))
    for folder, evidence in signals.folders:
        if _FOLDER_WORKS.search(folder):
            out.append(evidence)
    return [_as(e, "著作", e.rule or "文件夹") for e in out]


def _body_cues(signals: Signals, head_end: int, title: Evidence | None) -> list[Evidence]:
    out = []
    body, start = signals.body, signals.start
    windows = {"lead": [(start, start + _LEAD)], "head": [(start, head_end)],
               "ends": [(start, head_end), (max(head_end, len(body) - _HEAD), len(body))]}
    for genre, pattern, where in _BODY_CUES:
        m = next((m for a, b in windows[where] for m in [pattern.search(body, a, b)] if m), None)
        if m:
            out.append(_as(signals.span(m.start(), m.end(), "正文"), genre, "正文"))
    if title is not None:
        out += _article_kind(title, signals, head_end)
    return out


def _article_kind(title: Evidence, signals: Signals, head_end: int) -> list[Evidence]:
    """新闻报道, 事迹材料 or 理论文章 for an article whose title names no 文种: a person's name before a
    colon (a profile), a place before a colon (local news), an opening that quotes the General Secretary."""
    bare = _bare_title(title.value)
    if title_genre(bare):
        return []
    person = _PERSON_TITLE.match(bare)
    if person and not _PLACE_OR_ORG.search(person.group().rstrip("：:")):
        return [_as(title, "事迹材料", "标题")]
    if _PROVINCE_TITLE.match(bare) or "：" in bare or ":" in bare:
        return [_as(title, "新闻报道", "标题")]
    if _THEORY_TITLE.search(bare):
        return [_as(title, "理论文章", "标题")]
    first = signals.body[signals.start : head_end].lstrip()
    m = _THEORY_OPENING.match(first)
    if m:
        offset = signals.start + len(signals.body[signals.start : head_end]) - len(first)
        return [_as(signals.span(offset + m.start(), offset + m.end(), "正文"), "理论文章", "正文")]
    return []


def _doc_number_genre(number: str) -> str | None:
    m = DOC_NUMBER.fullmatch(number)
    if not m:
        return None
    code = m.group("code")
    if not code:
        return None
    if code.endswith("函"):
        return "函"
    return "通知" if code.endswith("明电") else None


def _folder_genre(folder: str) -> str | None:
    """A 文种 a folder is named after ("讲话稿", "通知", "新闻联播"); law levels are handled with the title."""
    if _FOLDER_NEWS.search(folder):
        return "新闻报道"
    name = canonical(folder.strip())
    if name in NAMES and name not in _LEVELS and name != OTHER:
        return name
    return title_genre(folder) if len(folder) <= 12 else None


# -- evidence ------------------------------------------------------------------------------


def combine(genre: str, rule: str, *pieces: Evidence | None) -> Evidence:
    """A genre found from several pieces of evidence, as one piece that lies in the free part only
    when all of them do: a members title line makes it members-only; text spans are covered by one
    span from the first start to the last end; otherwise the first piece's origin."""
    real = [p for p in pieces if p is not None]
    if any(p.origin == "paid_title" for p in real):
        return Evidence("genre", genre, "paid_title", rule=rule)
    spans = [p for p in real if p.origin == "text"]
    if spans:
        return Evidence("genre", genre, "text", min(p.start for p in spans), max(p.end for p in spans), rule)
    first = real[0]
    return Evidence("genre", genre, first.origin, first.start, first.end, rule)


def _as(evidence: Evidence, genre: str, rule: str) -> Evidence:
    return Evidence("genre", genre, evidence.origin, evidence.start, evidence.end, rule)


def _unique(found: list[Evidence]) -> list[Evidence]:
    """Drop later candidates with the same value and the same evidence."""
    seen, out = set(), []
    for e in found:
        key = (e.value, e.origin, e.start, e.end)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
