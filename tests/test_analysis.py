"""The one analysis path (normalisation, offsets, tokens) and the lenient query parser."""

from __future__ import annotations

import os
import random
import re
import sys
import time

import numpy as np
import pytest

from sucai import analysis, radicals
from sucai.query import parse_query


@pytest.mark.parametrize("raw, norm", [
    ("２０２３年第１号（试行）", "2023年第1号(试行)"),
    ("開通政務服務熱線", "开通政务服务热线"),
    ("乾安县", "干安县"),                      # one image per character, in documents and queries alike
    ("市财政局   办公室\u3000关于", "市财政局办公室关于"),  # whitespace between Chinese characters dropped
    ("hello \n  world", "hello world"),       # between two Latin words: one space
    ("  前后空白  ", "前后空白"),
    # B31: spaces at Chinese/Latin, Chinese/digit, letter/digit boundaries and by punctuation do not count
    ("全市 2023 年地区生产总值增长 5.2% ，完成 GDP 目标", "全市2023年地区生产总值增长5.2%,完成gdp目标"),
    ("GB/T 9704-2012", "gb/t9704-2012"),
    ("DB41/T 958—2020", "db41/t958—2020"),
    ("2023 2024", "2023 2024"),                # between two numbers it counts
    ("Windows 10", "windows10"),
    # B25: Kangxi radicals, CJK radical supplement, CJK strokes
    ("关于印发⼯作⽅案的通知，⼀季度执⾏", "关于印发工作方案的通知,一季度执行"),
    ("⻓江⻔户", "长江门户"),
    # compatibility characters: NFKC, one character to several
    ("㈠⑴⒈①Ⅳ", "(一)(1)1.1iv"),
    ("㊀㊣ﬁ ℃㎡", "一正fi°cm2"),
    ("……", "……"),                            # the ellipsis is Chinese punctuation, not full stops
    ("政\u200b府\u00ad网\ufeff站", "政府网站"),    # invisible format characters
    # traditional → simplified by phrases, in a run that holds a traditional character
    ("本計畫經國務院批覆同意", "本计划经国务院批复同意"),
    ("香港衞生署", "香港卫生署"),               # a Hong Kong variant (t2s alone leaves 衞)
    ("他們看著我說", "他们看着我说"),            # a Taiwan variant
    ("工作取得显著成效", "工作取得显著成效"),     # simplified text is never phrase-converted
    ("严重破坏土地", "严重破坏土地"),
    # a lone surrogate (JSON "\\ud800", an undecodable byte of a command line) is no character: U+FFFD
    ("\ud800繁體", "\ufffd繁体"),
    ("變\udcff更", "变\ufffd更"),
    # every quotation mark is ", double or single, horizontal or corner (new-user try 21: 「第一议题」 typed, or
    # "第一议题" on a laptop, never matched the text's “第一议题”); 《》 (书名号) are no quotation marks
    ("坚持把“第一议题”制度", '坚持把"第一议题"制度'),
    ("「第一议题」『两个确立』‘两个维护’", '"第一议题""两个确立""两个维护"'),
    ("＂落实＂ ＇落实＇ ﹁落实﹂ ｢落实｣ 〝落实〞", '"落实""落实""落实""落实""落实"'),
    ("《关于“三农”工作的意见》", '《关于"三农"工作的意见》'),
    ("China’s 'GDP'", 'china"s"gdp"'),
])
def test_normalize(raw, norm):
    assert analysis.normalize(raw) == norm


# Unicode's Quotation_Mark property (PropList.txt, Unicode 15), written out by hand
QUOTATION_MARKS = "\"'«»‘’‚‛“”„‟‹›⹂「」『』〝〞〟﹁﹂﹃﹄＂＇｢｣"


def test_every_quotation_mark_and_nothing_else_is_folded_to_one():
    """The fold table's quotation marks: each of the 30 is ", and no other character's image holds " or '."""
    assert len(set(QUOTATION_MARKS)) == 30
    assert {char: analysis.normalize(char) for char in QUOTATION_MARKS} == dict.fromkeys(QUOTATION_MARKS, '"')
    quoting = {chr(code) for code, image in analysis._tables().fold.items() if set(image) & {'"', "'"}}
    assert quoting == set(QUOTATION_MARKS) - {'"'}


def test_normalize_is_idempotent_on_every_folded_character():
    table = analysis._tables().fold
    images = "".join(table.values())
    assert analysis.normalize(analysis.normalize(images)) == analysis.normalize(images)


def test_a_short_text_is_folded_as_a_long_one():
    """A text shorter than analysis._FOLD_BY_ARRAY (a query's term) is folded by translation, a longer one as an
    array of code points: every character of the basic plane and some beyond it, alone, is folded to the image it
    has in a long run of it (the fold is character by character)."""
    long = analysis._FOLD_BY_ARRAY
    chars = [chr(c) for c in [*range(0xD800), *range(0xE000, 0x10000), 0x1F600, 0x20000, 0x2F800]]
    for char in chars:
        assert analysis._fold(char) * long == analysis._fold(char * long), hex(ord(char))
    assert analysis._fold("ＡＢＣ１２３，") == "abc123,"


def test_the_fold_for_display_gives_ordinary_ideographs():
    text = "关于印发⼯作⽅案的通知\n⼀季度执⾏⻓效机制"
    folded = radicals.fold(text)
    assert folded == "关于印发工作方案的通知\n一季度执行长效机制"
    assert all(not 0x2E80 <= ord(c) <= 0x2FDF for c in folded)
    assert len(folded) == len(text)


_GAP = set(" \u3000\n\t\u00a0") | set(analysis._IGNORABLE)


def test_offsets_point_at_the_source_characters():
    """Property test: each normalised character comes from the characters its span names.

    A space comes from a whitespace run; any other character is part of the image of
    the one source character it maps to (after the phrase conversion, which keeps
    lengths). Spans never go backwards, and every source character that is not
    whitespace gives its whole image, once, in order.
    """
    rng = random.Random(7)
    alphabet = ["学", "习", " ", "\u3000", "\n", "\t", "Ａ", "b", "c", "（", "）", "開", "計畫", "2", "３", "⑴",
                "℃", "①", "\u200b", "⼯", "Ⅳ", "…", "\u00a0", "批覆", ".", "衞", "𝐀", "🄁", "ж", "٣", "\ud800",
                "“", "」", "'"]
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        norm, offsets = analysis.normalize_with_offsets(text)
        assert norm == analysis.normalize(text)
        source = analysis.to_simplified(text)
        assert len(source) == len(text)
        last = 0
        for i, char in enumerate(norm):
            start, end = offsets.span(i, i + 1)
            assert last <= start < end <= len(text)
            piece = source[start:end]
            if char == " ":
                assert set(piece) <= _GAP and piece.strip(analysis._IGNORABLE)
            else:
                assert len(piece) == 1 and char in analysis.normalize(piece)
            last = start
        assert norm.replace(" ", "") == "".join(analysis.normalize(c) for c in source if c not in _GAP)


@pytest.mark.parametrize("text, needle, shown", [
    ("第⑴项", "(1)", "⑴"),
    ("第⑴项", "1", "⑴"),            # part of one character's image: the whole character
    ("共㈠㈡两部分", "(一)(二)", "㈠㈡"),
    ("气温 25 ℃ 左右", "25°c", "25 ℃"),
    ("全市 2023 年", "2023年", "2023 年"),
    ("本計畫經國務院批覆", "计划", "計畫"),
])
def test_spans_of_expanded_characters_are_exact(text, needle, shown):
    norm, offsets = analysis.normalize_with_offsets(text)
    at = norm.index(analysis.normalize(needle))
    start, end = offsets.span(at, at + len(analysis.normalize(needle)))
    assert text[start:end] == shown


def test_bigram_tokens_start_at_every_offset():
    assert analysis.bigrams("学习贯彻") == "学习 习贯 贯彻 彻"
    assert analysis.bigrams("a b") == f"a{analysis.SPACE_TOKEN} {analysis.SPACE_TOKEN}b b"
    assert analysis.phrase_terms("学习贯彻党") == [(0, "学习"), (2, "贯彻"), (3, "彻党")]
    assert analysis.phrase_terms("学习") == [(0, "学习")]


def test_user_dictionary_terms_stay_whole():
    words = analysis.words(analysis.normalize("聚焦群众急难愁盼，落实一岗双责"))
    assert "急难愁盼" in words and "一岗双责" in words


@pytest.mark.parametrize("q, groups, excluded, warned", [
    ("财政 通知", [["财政"], ["通知"]], [], False),
    ("财政 -通知", [["财政"]], ["通知"], False),
    ("财政 OR 教育 -年度", [["财政", "教育"]], ["年度"], False),
    ('"hello world" 报告', [["hello world"], ["报告"]], [], False),
    ('"GB/T 9704-2012"', [["gb/t9704-2012"]], [], False),
    ("“全面 从严”", [["全面从严"]], [], False),   # full-width quotes; the space between Han goes
    ("２０２３ （试行）", [["2023"], ["(试行)"]], [], False),
    ('"未闭合', [["未闭合"]], [], True),
    ("OR 财政", [["财政"]], [], True),
    ("财政 OR", [["财政"]], [], True),
    ("-", [], [], True),
    ("财政 财政", [["财政"]], [], False),
    ("", [], [], False),
    ("\ud800繁體 -變更", [["\ufffd繁体"]], ["变更"], False),   # a lone surrogate never raises
    # punctuation typed between terms separates them, as a space does (with a 提示); quoted, it stays
    ("担当作为，作风建设", [["担当作为"], ["作风建设"]], [], True),
    ("担当作为；作风建设、形式主义", [["担当作为"], ["作风建设"], ["形式主义"]], [], True),
    ("担当作为,作风建设;形式主义", [["担当作为"], ["作风建设"], ["形式主义"]], [], True),
    ("担当作为， 作风建设，", [["担当作为"], ["作风建设"]], [], True),
    ("-作风，形式主义", [["形式主义"]], ["作风"], True),
    ("市，县", [["市"], ["县"]], [], True),                  # no word typed character by character
    # sentence punctuation ends a term: between clauses it separates them, at the query's end it is left out
    ("如何做好基层减负？", [["如何做好基层减负"]], [], True),
    ("做好基层减负。落实责任！", [["做好基层减负"], ["落实责任"]], [], True),
    ("基层减负? 落实!", [["基层减负"], ["落实"]], [], True),
    ('"基层减负？"', [["基层减负?"]], [], False),            # quoted: literal (？ is ? once normalised)
    ('"担当作为，作风建设"', [["担当作为,作风建设"]], [], False),  # ， is , once normalised (NFKC)
    ("1,000 元", [["1,000"], ["元"]], [], False),           # a comma between digits is none
    # a quotation mark inside a term is part of it, as pasted from a text (new-user try 21: taken for syntax,
    # 「把“第一议题”制度」 matched nothing), normalised as every quotation mark is, to "; opening a token, “…” quotes
    # a phrase as "…" does
    ("坚持把“第一议题”制度作为", [['坚持把"第一议题"制度作为']], [], False),
    ("第一议题”制度 -“形式主义”", [['第一议题"制度']], ["形式主义"], False),
    ("把「第一议题」制度", [['把"第一议题"制度']], [], False),
    ("“基层 减负” ＂落实＂", [["基层减负"], ["落实"]], [], False),
    # any quotation mark opening a token quotes a phrase, as matching folds them all to one (new-user try 21)
    ("「基层 减负」 『落实』 ‘担当 作为’", [["基层减负"], ["落实"], ["担当作为"]], [], False),
    ("-「形式 主义」 ﹁两个确立﹂", [["两个确立"]], ["形式主义"], False),
    # a quotation nested in a phrase is part of it (GB/T 15834-2011 §4.8, verify22: “坚持‘两个确立’” was split at ‘
    # into 坚持 and 两个确立"", as 「他说『基层 减负』很好」 into three terms); an apostrophe is no quotation mark
    ("“坚持‘两个确立’” 基层", [['坚持"两个确立"'], ["基层"]], [], False),
    ("「他说『基层 减负』很好」", [['他说"基层减负"很好']], [], False),
    ('"坚持\'两个确立\'" “他说"落实"”', [['坚持"两个确立"'], ['他说"落实"']], [], False),
    ("“China’s reform” China's", [['china"s reform'], ['china"s']], [], False),
    # a pair of marks mixed as German writes it, „…“ ‚…‘: the high mark closes the low one (read22: 「引号没有闭合」)
    ("„基层 减负“ ‚担当 作为‘ 落实", [["基层减负"], ["担当作为"], ["落实"]], [], False),
    ("„坚持‚两个确立‘“ 基层", [['坚持"两个确立"'], ["基层"]], [], False),
    # a single mark closed by a double one: a pair mixed (single marks quote inside double ones, not the reverse)
    ("'基层 减负\" ‘担当 作为\" 落实", [["基层减负"], ["担当作为"], ["落实"]], [], False),
    ("“坚持'两个确立\"” 基层", [['坚持"两个确立"'], ["基层"]], [], False),
    ("「」‘’ 『「』」", [], [], False),      # quotation marks alone are no term
    ("“坚持‘两个确立’ 基层", [['坚持"两个确立"基层']], [], True),
    # a 发文字号 is read with each of its brackets, the 〔〕 form first (a 提示 unless typed with 〔〕)
    ("国办发[2019]3号", [["国办发〔2019〕3号", "国办发[2019]3号", "国办发(2019)3号", "国办发【2019】3号"]], [], True),
    ("国办发（2019）3号", [["国办发〔2019〕3号", "国办发[2019]3号", "国办发(2019)3号", "国办发【2019】3号"]], [], True),
    ("国办发【2019】3号", [["国办发〔2019〕3号", "国办发[2019]3号", "国办发(2019)3号", "国办发【2019】3号"]], [], True),
    ("国办发〔2019〕3号", [["国办发〔2019〕3号", "国办发[2019]3号", "国办发(2019)3号", "国办发【2019】3号"]], [], False),
    ("依据国发［2020］12号文件", [["依据国发〔2020〕12号文件", "依据国发[2020]12号文件", "依据国发(2020)12号文件",
                               "依据国发【2020】12号文件"]], [], True),
    ("-国发〔2020〕1号", [], ["国发〔2020〕1号", "国发[2020]1号", "国发(2020)1号", "国发【2020】1号"], False),
    ('"国办发[2019]3号"', [["国办发[2019]3号"]], [], False),   # quoted: as typed
    ("国办发(2019]3号", [["国办发(2019]3号"]], [], False),     # brackets that are no pair: as typed
    ("国办发(19)3号", [["国办发(19)3号"]], [], False),         # no four-digit year: no 发文字号
])
def test_parse_query(q, groups, excluded, warned):
    parsed = parse_query(q)
    assert parsed.groups == groups
    assert parsed.excluded == excluded
    assert bool(parsed.warnings) == warned


def test_a_doc_number_is_scored_in_its_bracket_form_once():
    parsed = parse_query("国办发[2019]3号 OR 国发(2020)1号 预算")
    assert parsed.scored_terms == ["国办发〔2019〕3号", "国发〔2020〕1号", "预算"]
    assert parsed.variants == {"国办发[2019]3号": "国办发〔2019〕3号", "国办发(2019)3号": "国办发〔2019〕3号",
                               "国办发【2019】3号": "国办发〔2019〕3号", "国发[2020]1号": "国发〔2020〕1号",
                               "国发(2020)1号": "国发〔2020〕1号", "国发【2020】1号": "国发〔2020〕1号"}
    assert parsed.warnings == ["已按发文字号“国办发〔2019〕3号”检索（[ ]、( )、【 】、〔 〕 各种括号写法都算）",
                               "已按发文字号“国发〔2020〕1号”检索（[ ]、( )、【 】、〔 〕 各种括号写法都算）"]


def test_separating_punctuation_is_named_in_the_hint():
    assert parse_query("担当作为，作风建设；形式主义，").warnings == [
        "已把“，”“；”当作空格，分开检索前后的词（要连同标点检索，请加引号）"]


def test_an_asterisk_is_said_to_be_no_wildcard():
    """"基层*" found nothing in precise mode, silently: * is read as text (no wildcard), and said so once."""
    wildcard = "“*” 不是通配符，按原文检索；要找含某词的材料，直接检索这个词即可"
    assert parse_query("基层* 减负＊").warnings == [wildcard]
    assert parse_query('"基层*"').warnings == []   # quoted: as typed, on purpose
    assert parse_query("基层减负").warnings == []


def test_punctuation_at_the_ends_is_named_as_left_out():
    assert parse_query("如何做好基层减负？").warnings == ["已忽略查询首尾的“？”（要连同标点检索，请加引号）"]
    assert parse_query("减负？落实。").warnings == ["已把“？”当作空格，分开检索前后的词（要连同标点检索，请加引号）",
                                                "已忽略查询首尾的“。”（要连同标点检索，请加引号）"]


@pytest.mark.parametrize("q, typed", [
    ("担当作为﹖作风建设｡", "担当作为？作风建设。"),   # small and halfwidth forms: ？ 。 once normalised (NFKC)
    ("担当作为‼作风建设﹐", "担当作为！作风建设，"),   # ‼ is !!
    ("担当作为︑作风建设⁇", "担当作为、作风建设？"),   # vertical 、, ⁇ is ??
    ("如何做好基层减负﹖", "如何做好基层减负？"),
])
def test_compatibility_forms_of_punctuation_separate_terms_as_their_forms_do(q, typed):
    """Review 17: ﹖ ｡ ‼ (the same as ？ 。 ! once normalised) were read as part of a term; they separate and end terms
    as the punctuation they stand for, with a 提示 naming the character typed."""
    parsed, expected = parse_query(q), parse_query(typed)
    assert parsed.groups == expected.groups and len(parsed.warnings) == len(expected.warnings) >= 1
    assert all(c in "".join(parsed.warnings) for c in q if not c.isalnum())


@pytest.mark.parametrize("q, groups", [
    ("index.php?id=3", [["index.php?id=3"]]),
    ("/list/show.asp?id=3&page=2 通知", [["/list/show.asp?id=3&page=2"], ["通知"]]),
    ("https://www.gov.cn/zhengce/content?id=3。", [["https://www.gov.cn/zhengce/content?id=3"]]),
    ("www.gov.cn，减负", [["www.gov.cn"], ["减负"]]),          # a wide comma still separates
    ("http://a.cn/x?a=1,b=2 减负", [["http://a.cn/x?a=1,b=2"], ["减负"]]),
    ("减负?落实", [["减负"], ["落实"]]),                        # no address: ? separates
    ("a.b,c", [["a.b"], ["c"]]),
])
def test_a_web_address_or_file_name_is_one_term(q, groups):
    """Review 17: 「index.php?id=3」 was split at ? with a 提示; a web address (a scheme or www.) or a file name with a
    query is one term, its ASCII ? , ; ! kept in it, and only punctuation after it separates."""
    parsed = parse_query(q)
    assert parsed.groups == groups
    assert not any("当作空格" in w for w in parsed.warnings) or "，" in q or q == "减负?落实" or q == "a.b,c"
    assert parse_query("-index.php?id=3 减负").excluded == ["index.php?id=3"]


@pytest.mark.parametrize("q, groups", [
    ("www.gov.cn,政策文件", [["www.gov.cn"], ["政策文件"]]),
    ("http://www.gov.cn/a.html,基层减负", [["http://www.gov.cn/a.html"], ["基层减负"]]),
    ("https://www.gov.cn/zhengce?id=3;减负!落实", [["https://www.gov.cn/zhengce?id=3"], ["减负"], ["落实"]]),
    ("index.php?id=3,基层减负", [["index.php?id=3"], ["基层减负"]]),
])
def test_a_web_address_stops_at_punctuation_before_chinese(q, groups):
    """Review 18: 「www.gov.cn,政策文件」 was one term (the address ran on over the ASCII comma into the Chinese words
    after it), with no 提示; an address's ASCII , ; ? ! are its own only when ASCII follows them."""
    parsed = parse_query(q)
    assert parsed.groups == groups
    assert any("当作空格" in w for w in parsed.warnings)


def test_parse_query_cuts_long_input_with_a_warning():
    parsed = parse_query("字" * 600, max_chars=500)
    assert parsed.groups == [["字" * 500]] and parsed.warnings


@pytest.mark.parametrize("short_text", [0, 2_000], ids=["regex checks", "set checks of short texts"])
def test_matchable_form_gives_the_spans_of_the_normalised_text(monkeypatch, short_text):
    """Property test: the needles' spans found in analysis.matchable's form are exactly the spans the
    normalised text gives (the oracle: normalize_with_offsets), and the cheap form is used often — with
    the checks of long texts (regexes) and those of short ones (sets of characters) alike."""
    from sucai.snippet import find_spans

    monkeypatch.setattr(analysis, "_SHORT_TEXT", short_text)  # these texts: long (0) or short (2,000)
    rng = random.Random(11)
    alphabet = ["学", "习", "发", "展", "發", " ", "\n", "\u3000", "，", ",", "a", "B", "b", "1", "１", "⑴", "(", ")",
                "\u200b", "⼯", "工", "開", "开", "乾", "干", "。", "\udcff", "“", "」", '"']
    fast = folded = 0
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        norm, offsets = analysis.normalize_with_offsets(text)
        needles = []
        for _ in range(rng.randint(1, 3)):
            start = rng.randrange(len(norm) + 1)
            needle = norm[start:start + rng.randint(1, 4)].strip()
            needles.append(needle or rng.choice("学习发展工开干"))
        oracle = sorted((*offsets.span(at, at + len(n)), i) for i, n in enumerate(needles)
                        for at in range(len(norm)) if norm.startswith(n, at))
        assert find_spans(text, needles) == oracle, (text, needles)
        form = analysis.matchable(text, needles)[0]
        fast += form != norm
        folded += form not in (text, norm)   # folded character for character ("，" → ",")
    assert fast > 200 and folded > 50   # the fast paths are taken often enough for the comparison to mean something


def test_gap_checks_of_short_texts_agree_with_the_gap_regex():
    """Property test: the set check of short texts (whitespace gaps as the pieces of ``str.split``, ignorable
    characters by the regex) finds a gap a needle might run across exactly when the long path's regex
    (``_gap_guard``) does, for every whitespace character and the ignorable ones."""
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()] + list(analysis._IGNORABLE)
    alphabet = list("学习发展工作，,ab1") + spaces
    rng = random.Random(5)
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        needles = tuple(sorted({"".join(rng.choice("学习发展工作ab1,") for _ in range(rng.randint(1, 3)))
                                for _ in range(rng.randint(1, 3))}))
        guard = analysis._gap_guard(needles)
        gap = guard is not None and guard.search(text) is not None
        assert analysis._gap_free(text, needles) is not gap, (text, needles)
        found += gap
    assert found > 200


def test_word_text_is_the_words_joined_by_spaces():
    texts = ["学习贯彻党的二十大精神，推动高质量发展。", "GDP 增长 5.2% 左右", "___ 。。 a_b _x_ ", "", "。",
             "Hello World 2023 2024 计划", "——“一是”、（二）"]
    rng = random.Random(11)
    texts += ["".join(rng.choice("中国 a_。，1x—") for _ in range(rng.randint(0, 30))) for _ in range(300)]
    for text in texts:
        norm = analysis.normalize(text)
        assert analysis.word_text(norm) == " ".join(analysis.words(norm)), norm


def test_the_plane_tables_are_each_code_points_own_answer():
    """The per-code-point tables of the basic plane were made with 65,536 regex matches and two list walks
    (0.08 s of every search's start); now they are read off one scan of the plane and set where the fold has an
    image. Each entry is what the character gives alone: the pattern's match, the fold's one-character image."""
    tables = analysis._tables()
    for pattern, found in ((tables.unplain, tables.unplain_bmp), (tables.unaligned, tables.unaligned_bmp),
                           (analysis._GAP, tables.gap_bmp)):
        assert [code for code in range(0x10000) if bool(pattern.match(chr(code))) != found[code]] == []
    for code in range(0x10000):
        image = tables.fold.get(code, chr(code))
        one = len(image) == 1
        assert tables.single[code] == (ord(image) if one and ord(image) < 0x10000 else 0)
        assert tables.aligned[code] == (ord(image) if one else code)
    assert sum(tables.gap_bmp) > 20 and tables.single[ord("Ａ")] == ord("a") and tables.single[0xAD] == 0


def _same_tables(a, b) -> bool:
    def same(x, y):
        if isinstance(x, np.ndarray):
            return x.dtype == y.dtype and bool((x == y).all())
        if isinstance(x, re.Pattern):
            return (x.pattern, x.flags) == (y.pattern, y.flags)
        if isinstance(x, tuple):   # the OpenCC converters: the same conversions
            return [c.convert("計畫衞生") for c in x] == [c.convert("計畫衞生") for c in y]
        return x == y
    return all(same(getattr(a, name), getattr(b, name)) for name in analysis._Tables.__dataclass_fields__)


def test_the_tables_are_read_back_from_the_cache_file_of_their_inputs(tmp_path, monkeypatch):
    """Building the tables took 0.2 s of every search's and 查重's start; the first process writes them to a file
    named by their inputs, the next reads them (0.03 s) — the same tables; a damaged file is built again; other
    inputs (here another OpenCC) name another file."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = analysis._tables_file()
    assert path.parent == tmp_path / "sucai" and not path.exists()
    built = analysis._built_tables()
    analysis._tables.cache_clear()
    try:
        assert _same_tables(analysis._tables(), built) and path.exists()
        analysis._tables.cache_clear()
        with monkeypatch.context() as patched:
            patched.setattr(analysis, "_built_tables", lambda: pytest.fail("built again, not read"))
            assert _same_tables(analysis._tables(), built)
        analysis._tables.cache_clear()
        path.write_bytes(b"damaged")
        assert _same_tables(analysis._tables(), built)
    finally:
        analysis._tables.cache_clear()
    monkeypatch.setattr(analysis.opencc, "__version__", "0.0.0")
    assert analysis._tables_file() != path


def test_the_cache_keeps_the_tables_in_use_not_every_versions(tmp_path, monkeypatch):
    """Each upgrade names new cache files (their inputs changed) and the old ones stayed for ever: a file of the
    same kind that no process read for 30 days goes when a new one is written; one read lately stays, and reading
    marks a file so; other files of the folder are not touched."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = analysis._tables_file()
    path.parent.mkdir(parents=True)
    day, now = 86400, time.time()
    ages = {"analysis-tables-000000000000000000000000.npz": 31, "analysis-tables-111111111111111111111111.npz": 29,
            "fold-tables-222222222222222222222222.npz": 31, "notes-333333333333333333333333.npz": 31}
    for name, days in ages.items():
        (path.parent / name).write_bytes(b"old")
        os.utime(path.parent / name, (now - days * day, now - days * day))
    analysis._tables.cache_clear()
    try:
        analysis._tables()   # built and written: its kind's file unused for 31 days removed
        assert {p.name for p in path.parent.iterdir()} == {path.name, "analysis-tables-111111111111111111111111.npz",
                                                           "fold-tables-222222222222222222222222.npz",
                                                           "notes-333333333333333333333333.npz"}
        os.utime(path, (now - 40 * day, now - 40 * day))
        analysis._tables.cache_clear()
        analysis._tables()   # read: in use again
        assert path.stat().st_mtime > now - day
    finally:
        analysis._tables.cache_clear()
