"""The fast forms of parse rules give exactly what their plain definitions give.

Several rules of the parse are written for speed (a search guarded by the characters a match can start
with, a pattern that starts with the character it consumes, a translation done only where it can
change something). Each is checked here against its plain definition, written out in the test:
on hand-checked cases, on random texts made of the pieces the rule looks for, and on the corpus.
"""

from __future__ import annotations

import random
import re
import re._parser as sre_parse
import unicodedata

import pytest

from sucai import analysis, clean, outline, radicals
from sucai.readers import text as text_reader

# -- plain definitions -------------------------------------------------------------------------

_SPACE = "[ \\t\\u3000\\xa0]"
PLAIN = {
    "ads": re.compile("|".join(f"(?:{s})" for s in clean._AD_SIGNALS), re.IGNORECASE | re.MULTILINE),
    "html": re.compile(
        f"(?P<comment>{clean._HTML_COMMENT})|(?P<brk>{clean._HTML_BREAK})|(?P<tag>{clean._HTML_TAG})"
        f"|(?P<ent>{clean._HTML_ENTITY})", re.IGNORECASE),
    "trailing_space": re.compile(f"(?<!{_SPACE}){_SPACE}+$", re.MULTILINE),
    "blank_lines": re.compile(r"(?<=\n\n)\n+|\A\n+|(?<!\n)\n+\Z"),
    "crawl_stamps": re.compile(r"[（(][ \t]*(?:更新|抓取|采集|爬取)?时间戳[ \t]*[:：][ \t]*\d{10,13}[ \t]*[)）]"
                               r"|^[ \t]*(?:浏览次数|阅读次数|点击次数|阅读量|字号)[ \t]*[:：][^\n]*$"
                               r"|^[ \t]*(?:【[ \t]*)?(?:打印本页|关闭窗口|分享到)[^\n]{0,20}$", re.MULTILINE),
    "link_lines": re.compile(rf"(?m)^[ \t]*+(?:{clean._MD_LINK_ITEM}[ \t]*+|https?://[^\s\[]++[ \t]*+)+$"),
    "rule_lines": re.compile(r"(?m)^[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,})[ \t]*$"),
    "markdown_headings": re.compile(r"(?m)^((#{1,6})[ \t]+)"),
    "markdown_quotes": re.compile(r"^>[ \t]?", re.MULTILINE),
    "emphasis_marks": re.compile(r"(?=(\*\*|__))"),
    "info_opener": re.compile(rf"^{_SPACE}*(?=(?:(?:发布|发表|更新|发稿)?(?:时间|日期)|来源|稿件来源|文章来源|信息来源|本文来源"
                              rf"|新闻来源|作者|编辑|责任编辑|责编|撰稿|供稿|审核|摄影){_SPACE}*[:：])", re.MULTILINE),
    "dropped_gaps": re.compile(  # whitespace but between two letters (not wide ones) or two digits: normalize's rule
        rf"(?<={analysis._tables().letter.pattern})\s++(?!{analysis._tables().letter.pattern})|(?<=\d)\s++(?!\d)"
        rf"|(?<!{analysis._tables().letter.pattern[:-1]}\d\s])\s++"),
    "items": re.compile(r"(?:^|(?<=[：:；;。，,！？!?\n]))[ \t\u3000]*(?:(?P<label>(?P<n>[一二三四五六七八九十百千零〇]{1,3})是)"
                        r"(?!否|不是|指)|(?P<ordinal>第(?P<nth>[一二三四五六七八九十百千零〇]{1,3}))[，,、])"),
}
FAST = {"trailing_space": clean._TRAILING_SPACE, "blank_lines": clean._BLANK_RUNS,
        "crawl_stamps": clean._CRAWL_STAMP, "link_lines": clean._MD_LINK_LINE, "rule_lines": clean._MD_RULE_LINE,
        "markdown_headings": clean._MD_HEADING, "markdown_quotes": clean._MD_QUOTE,
        "emphasis_marks": clean._MD_EMPHASIS_MARK, "info_opener": clean._INFO_OPENER,
        "dropped_gaps": analysis._tables().dropped_gaps, "items": outline._ITEM}
# What the rule reads of a match, by its plain and by its fast form, where a fast form's match is the character a
# match starts with (its groups set), not the whole span: a line rule's line, where the fields start…
_START = (lambda m: m.start(), lambda m: m.start())  # noqa: E731
# Rules whose finder reads a fast pattern's match so (where a signal starts; the markup's end, its groups'): their
# edits by it, and by the plain pattern put in its place.
FINDERS = {"ads": (clean._find_ads, "_AD"), "html": (clean._find_html, "_HTML")}
READ = {"link_lines": _START, "rule_lines": _START,
        "emphasis_marks": (lambda m: (m.start(), m.group(1)), lambda m: (m.start(), m.group(1))),
        "info_opener": (lambda m: (m.start(), m.end()), lambda m: (m.start(), m.start("fields")))}
# What the random texts are made of: pieces each rule looks for, and what stands around them.
PIECES = {
    "ads": ["公众号", "微信", "微信号", "QQ", "qq群", "Vx", "v信", "客服", "：", ":", "请加", "资料", "素材",
            "会员", "群", "网盘", "提取码", "更多", "下载", "关注", "获取", "扫一扫", "扫码", "关注", "长按",
            "欢迎加入", "SVIP", "vip", "ſvip", "代写", "承接", "接单中", "来源于网络", "侵", "如有侵权",
            "转载请注明", "谨防假冒", "产品", "【", "】", "素材库", "文库", "【素材库】", "【范文网 www.fw.cn 免费下载】",
            "\n", " ", "\t", "\u3000", "。",
            "，", "加", "入", "进", "好友", "的", "工作"],
    "html": ["<", ">", "&", ";", "<!--", "-->", "<br", "/>", "<p", "</p>", "<P ", "<hr", "<div",
             "</DIV >", "nbsp", "&#12", "&#x4e", "amp", "<span class='x'>", "\n", " ", "字", "o:p"],
    "trailing_space": [" ", "\t", "\u3000", "\xa0", "\n", "字", "a", " \n"],
    "blank_lines": ["\n", "\n\n", "\n\n\n", " ", "字", "\u3000"],
    "crawl_stamps": ["（", "(", "）", ")", "时间戳", "更新", "：", ":", "1700000000", "123", "浏览次数", "阅读量", "字号",
                     "【", "】", "打印本页", "关闭窗口", "分享到", "打", "关", "分", "字", " ", "\t", "\u3000", "\n",
                     "大 中 小", "微信"],
    "link_lines": ["[", "]", "(", ")", "![", "](", "https://", "http://a.cn", "x", " ", "\t", "\n", "字",
                   "[链接](https://a.cn/x)", "![图](a.png)"],
    "rule_lines": ["-", "---", "***", "___", "===", "*", "_", "=", " ", "\t", "\n", "字"],
    "markdown_headings": ["#", "##", "######", "#######", " ", "\t", "\n", "字", "\u3000"],
    "markdown_quotes": [">", "> ", ">\t", ">>", "\n", "字", " "],
    "emphasis_marks": ["*", "**", "***", "_", "__", "x", " ", "\n", "字"],
    "info_opener": ["发布时间", "发表", "更新", "发稿", "时间", "日期", "来源", "稿件来源", "文章来源", "信息来源", "本文来源",
                    "新闻来源", "作者", "编辑", "责任编辑", "责编", "撰稿", "供稿", "审核", "摄影", "：", ":", " ", "\u3000",
                    "\xa0", "\t", "\n", "字", "发", "时", "来源：", "发布时间：", "作者:"],
    "dropped_gaps": [" ", "  ", "\t", "\n", "\u3000", "a", "Z", "é", "Ａ", "1", "٣", "字", "。", "_", "-"],
    "items": ["一是", "二是", "十二是", "一", "是", "否", "不是", "指", "。", "，", "：", "\n", " ", "\u3000", "工作",
              "百", "零", "第", "第一", "第十二", "、", ",", "二"],
}


def _matches(pattern: re.Pattern, text: str, read=None) -> list:
    return [read(m) if read else (m.span(), m.groupdict() or m.groups() or m.group()) for m in pattern.finditer(text)]


def _random_texts(rule: str, count: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    pieces = PIECES[rule]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(count)]


# -- the guards hold every first character -----------------------------------------------------


def _first_characters(items: list) -> set[str]:
    """Every character a parsed pattern (``re._parser`` items) can start a match with; "^" for a line start."""
    firsts: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            return firsts | {chr(av)}
        if name == "IN":
            assert all(str(kind) in ("LITERAL", "RANGE") for kind, _ in av), "a negated class starts a signal"
            return firsts | {chr(v) for kind, v in av if str(kind) == "LITERAL"} | {
                chr(c) for kind, v in av if str(kind) == "RANGE" for c in range(v[0], v[1] + 1)}
        if name == "AT":
            return firsts | {"^"}
        if name == "BRANCH":
            return firsts | set().union(*(_first_characters(list(branch)) for branch in av[1]))
        if name == "SUBPATTERN":
            return firsts | _first_characters(list(av[3]))
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            firsts |= _first_characters(list(av[2]))
            if av[0] > 0:
                return firsts
            continue
        raise AssertionError(f"{name} at the start of a signal: extend this walker")
    raise AssertionError("a signal that can match the empty string")


def test_the_ad_guard_holds_the_first_characters_of_every_signal():
    guard = set(clean._AD_FIRST.casefold()) | {"^"}
    for signal in clean._AD_SIGNALS:
        firsts = {c.casefold() for c in _first_characters(list(sre_parse.parse(signal, re.IGNORECASE)))}
        assert firsts <= guard, (signal, firsts - guard)


def test_the_ad_guard_holds_every_case_of_its_letters():
    """A letter of the guard is there in every case IGNORECASE matches: the guard is consumed as it is written."""
    ignoring_case = re.compile(f"[{clean._AD_FIRST}]", re.IGNORECASE)
    assert {c for c in map(chr, range(0x10000)) if ignoring_case.fullmatch(c)} == set(clean._AD_FIRST)


def test_the_walker_finds_first_characters():
    parse = lambda pattern: _first_characters(list(sre_parse.parse(pattern)))  # noqa: E731
    assert parse(r"(?:进|加入?|入)(?:微信|QQ)群") == {"进", "加", "入"}
    assert parse(r"a?[b-d]x|^y") == {"a", "b", "c", "d", "^"}


# -- the fast forms find what the plain ones find ----------------------------------------------


@pytest.mark.parametrize("rule", sorted(FAST))
def test_fast_pattern_finds_what_the_plain_one_finds(rule):
    texts = _random_texts(rule, 3000)
    plain, fast = READ.get(rule, (None, None))
    found = [_matches(PLAIN[rule], t, plain) for t in texts]
    assert found == [_matches(FAST[rule], t, fast) for t in texts]
    assert sum(map(bool, found)) > 300  # the random texts do hold matches


def _finder_edits(rule: str, texts: list[str], monkeypatch) -> tuple[list, list]:
    """The edits of a rule of :data:`FINDERS` in each of ``texts``: by its fast pattern, by its plain one."""
    finder, name = FINDERS[rule]
    fast = [list(finder(text, None)) for text in texts]
    with monkeypatch.context() as patched:
        patched.setattr(clean, name, PLAIN[rule])
        return fast, [list(finder(text, None)) for text in texts]


@pytest.mark.parametrize("rule", sorted(FINDERS))
def test_the_edits_by_a_fast_pattern_are_those_of_the_plain_one(rule, monkeypatch):
    fast, plain = _finder_edits(rule, _random_texts(rule, 3000), monkeypatch)
    assert fast == plain
    assert sum(map(bool, fast)) > 300


@pytest.mark.parametrize("text, cleaned", [
    ("标题  \n\n\n\n　　第一段。\u3000 \n", "标题\n\n　　第一段。"),       # trailing spaces, a run of blank lines
    ("\n\n正文。\n\n\n", "正文。"),                                       # blank lines at both ends
    ("正文。&nbsp;<br/>下一行<!-- 注释 -->。", "正文。\n下一行。"),  # an entity (its space then trails), a break, a comment
    ("会议精神。关注公众号获取更多资料\n第二段。", "会议精神。\n第二段。"),   # an advert glued to a sentence
    ("素材来源：公众号：墨林\n第二段。", "第二段。"),                         # an advert line goes whole
    ("全市召开会议，安排部署工作。", "全市召开会议，安排部署工作。"),           # 会, 全, 工… start no signal here
])
def test_cleaning_by_hand(text, cleaned):
    assert clean.clean(text).text == cleaned


# -- translations done only where they change something -------------------------------------


def _plain_layout_free(text: str) -> str:
    folded = text.translate({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
    return re.sub(r"\s+", "", folded)


def test_layout_free_by_hand_and_as_defined():
    assert analysis.layout_free("（一）　ＡＢｃ，１２\u2003３！\n\n\u3000") == "(一)ABc,123!"
    assert analysis.layout_free("｟～￥\x1c字") == "｟~￥字"  # U+FF5F and ￥ are not full-width ASCII; \x1c is space
    rng = random.Random(3)
    alphabet = [chr(c) for c in range(0xFF00, 0xFF61)] + list(" \t\n\u3000\u2003\x1c\x85\xa0字a，")
    alphabet += [chr(c) for c in range(0x3002) if chr(c).isspace()]   # every white space, U+3000 the last
    alphabet += ["\u3001", "\u200b", "\ufeff", "\ud800", "\udfff", "😀", "\U00020000", "\U0010ffff"]  # lone surrogates, planes
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    assert [analysis.layout_free(t) for t in texts] == [_plain_layout_free(t) for t in texts]


def test_radical_fold_is_the_table_translation():
    table = radicals.table()
    text = "".join(map(chr, table)) + "工作⼀季度\u2e80\u2fd5\u31e3\u31ef"
    assert radicals.fold(text) == text.translate(table)
    assert radicals.fold("关于印发工作方案的通知") == "关于印发工作方案的通知"


def test_no_ordinary_character_is_suspicious_utf8():
    """What the UTF-8 plausibility check passes over unseen holds no character it would count."""
    counted = ("Cc", "Co", "Cn", "Cs", "Mn")
    passed = [c for c in map(chr, range(0x80, 0x110000)) if not text_reader._UNORDINARY.match(c)]
    assert [c for c in passed if unicodedata.category(c) in counted] == []
    assert "中" in passed and "\u302a" not in passed and "\u0301" not in passed


def _plain_fold(text: str) -> str:
    tables = analysis._tables()
    folded = text.translate(tables.bmp)
    return folded.translate(tables.fold) if re.search("[\\U00010000-\\U0010ffff]", folded) else folded


def test_fold_as_an_array_is_the_translation():
    assert analysis._fold("２０２３年（试行）Ａ") == "2023年(试行)a"
    assert analysis._fold("政\u200b府⑴\U0002f800") == _plain_fold("政\u200b府⑴\U0002f800")  # by translation
    rng = random.Random(11)
    bmp = [chr(code) for code in range(0x10000)]
    texts = ["".join(rng.choice(bmp) for _ in range(rng.randint(0, 4))) for _ in range(50000)]
    texts += ["".join(rng.choice("字，Ａa1\U00020000\u00ad⑽") for _ in range(8)) for _ in range(5000)]
    assert [analysis._fold(t) for t in texts] == [_plain_fold(t) for t in texts]


def test_skeleton_text_without_offsets_is_the_skeleton():
    from sucai.fingerprint import skeleton, skeleton_text

    assert skeleton_text("２０２３年，開通⑽ ａ") == "2023年开通10a"  # ⑽: an image of two characters
    rng = random.Random(13)
    alphabet = list("字，Ａa1 \n發⑽①\u00ad") + ["\U00020000"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    assert [skeleton_text(t) for t in texts] == [skeleton(t).chars for t in texts]


def test_element_lines_squeezed_as_by_a_regex():
    from sucai.elements import _squeeze

    rng = random.Random(12)
    texts = ["".join(rng.choice(" \t\u3000\xa0国发〔〕号\n") for _ in range(rng.randint(0, 20))) for _ in range(5000)]
    assert [_squeeze(t) for t in texts] == [re.sub("[ \t\u3000]+", "", t) for t in texts]


# -- index tokens made as arrays ------------------------------------------------------------------


def _plain_bigrams(norm: str) -> str:
    chars = norm.replace(" ", analysis.SPACE_TOKEN)
    return " ".join([a + b for a, b in zip(chars, chars[1:])] + [chars[-1]]) if chars else ""


def test_bigrams_and_unigrams_as_defined():
    assert analysis.bigrams("学习贯彻") == "学习 习贯 贯彻 彻"
    assert analysis.bigrams("党") == "党" and analysis.bigrams("") == ""
    assert analysis.unigrams("学 习a") == "学 习 a" and analysis.unigrams(" ") == ""
    rng = random.Random(7)
    alphabet = list("学习 a1，") + ["\U00020000", "\ud800", analysis.SPACE_TOKEN]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    assert [analysis.bigrams(t) for t in texts] == [_plain_bigrams(t) for t in texts]
    assert [analysis.unigrams(t) for t in texts] == [" ".join(t.replace(" ", "")) for t in texts]


# -- on the corpus ---------------------------------------------------------------------------------


@pytest.mark.corpus
def test_fast_forms_on_the_corpus(corpus_dir, monkeypatch):
    from sucai.fingerprint import skeleton, skeleton_text
    from sucai.ingest import discover
    from sucai.readers import read

    files, _ = discover([corpus_dir])
    texts = []
    for path in files[::7]:
        if path.suffix in (".md", ".txt", ".html"):
            raw = read(path)
            texts.append(raw.text.replace("\r\n", "\n").replace("\r", "\n"))
            assert text_reader._implausible_utf8(raw.text) is False
    for rule in FAST:
        plain, fast = READ.get(rule, (None, None))
        assert [_matches(FAST[rule], t, fast) for t in texts] == [_matches(PLAIN[rule], t, plain) for t in texts], rule
    for rule in FINDERS:
        fast_edits, plain_edits = _finder_edits(rule, texts, monkeypatch)
        assert fast_edits == plain_edits, rule
    assert [analysis.layout_free(t) for t in texts] == [_plain_layout_free(t) for t in texts]
    assert [radicals.fold(t) for t in texts] == [t.translate(radicals.table()) for t in texts]
    assert [analysis._fold(t) for t in texts] == [_plain_fold(t) for t in texts]
    assert [skeleton_text(t) for t in texts] == [skeleton(t).chars for t in texts]
    norms = [analysis.normalize(t) for t in texts]
    assert [analysis.bigrams(n) for n in norms] == [_plain_bigrams(n) for n in norms]
