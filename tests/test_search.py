"""Search cases of ../shared/cases/README.md (B01–B14, B20, B22), restated with their expected values.

Documents are put into the catalogue directly (not through the parsers), so these
tests check search alone. Every expectation is a hand-checked value from the case.
"""

from __future__ import annotations

import json
from collections import Counter
import random
import re
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import pytest

from conftest import stored_text
from sucai import access
from sucai.analysis import normalize, search_words
from sucai.errors import InvalidInput, NotFound
from sucai.ingest import text_hash
from sucai.library import Library
from sucai.model import Document
from sucai.query import parse_query
from sucai.headings import role
from sucai.search import SearchRequest
from sucai.snippet import find_spans, make_snippet

SAMPLE_TEXTS = Path(str(resources.files("sucai").joinpath("samples/src")))
SAMPLES = SAMPLE_TEXTS.parent / "library"


def add(library: Library, *texts: str, title: str = "测试文档", paid_from: int | None = None) -> list[int]:
    ids = []
    for n, text in enumerate(texts):
        doc = Document(title=f"{title}{len(ids) + n}" if len(texts) > 1 else title, text=text, paid_from=paid_from)
        status, doc_id = library.catalogue.add(doc, text_hash(doc), f"/test/{text_hash(doc)}", "x")
        assert status == "ingested"
        ids.append(doc_id)
    library.index.sync()
    return ids


def ids_for(library: Library, q: str, mode: str = "precise", member: bool = True, **kw) -> list[int]:
    result = library.search(SearchRequest(q=q, mode=mode, limit=100, **kw), member=member)
    assert result.total == len(result.hits)
    return sorted(h.id for h in result.hits)


def highlighted(library: Library, q: str, mode: str = "precise", **kw) -> list[list[str]]:
    """For each hit, the highlighted pieces of its snippet."""
    result = library.search(SearchRequest(q=q, mode=mode, **kw), member=True)
    return [[h.snippet[a:b] for a, b in h.highlights] for h in result.hits]


@pytest.fixture
def library(home) -> Library:
    lib = Library.open(home)
    yield lib
    lib.close()


BOTH = pytest.mark.parametrize("mode", ["precise", "ranked"])


@BOTH
@pytest.mark.parametrize("q", ["工程", "建工"])
def test_b01_part_of_a_segmented_word(library, mode, q):
    [doc] = add(library, "在建工程审计情况通报")
    assert ids_for(library, q, mode) == [doc]
    assert highlighted(library, q, mode) == [[q]]


def test_b03_all_terms_and_exclusion(library):
    d1, d2, _ = add(library, "财政局关于预算公开的通知", "财政局年度工作总结", "教育局关于招生的通知")
    assert ids_for(library, "财政 通知") == [d1]
    assert ids_for(library, "财政 -通知") == [d2]
    assert ids_for(library, "财政 -通知", mode="ranked") == [d2]


def test_b04_short_terms_still_filter(library):
    d1, _ = add(library, "乡村振兴实施方案", "乡村振兴调研报告")
    assert ids_for(library, "乡村振兴 方案") == [d1]
    assert ids_for(library, "方案") == [d1]


@BOTH
def test_b05_one_character(library, mode):
    [doc] = add(library, "加强党风廉政建设")
    assert ids_for(library, "廉", mode) == [doc]
    assert highlighted(library, "廉", mode) == [["廉"]]


@BOTH
@pytest.mark.parametrize("q", ["2023年", "2023", "年政府", "2023年政府"])
def test_b06_same_analysis_at_index_and_query_time(library, mode, q):
    [doc] = add(library, "2023年政府工作报告")
    assert ids_for(library, q, mode) == [doc]


@pytest.mark.parametrize("q, shown", [
    ("GB/T 9704-2012", ["GB/T9704-2012"]),  # two terms, both inside one run of the text
    ("9704", ["9704"]),
    ("gb/t9704", ["GB/T9704"]),
    ("〔2023〕15号", ["〔2023〕15号"]),
    ("2023", ["2023"]),
])
def test_b07_latin_and_digits_inside_han(library, q, shown):
    [doc] = add(library, "依据GB/T9704-2012排版，文号办发〔2023〕15号")
    assert ids_for(library, q) == [doc]
    assert highlighted(library, q) == [shown]


def test_b08_phrase_order_matters(library):
    [doc] = add(library, "深入学习贯彻党的二十大精神 hello world")
    assert ids_for(library, "学习贯彻党的") == [doc]
    assert ids_for(library, '"hello world"') == [doc]
    assert ids_for(library, "hello world") == [doc]
    assert ids_for(library, "贯彻学习") == []


@pytest.mark.parametrize("q", ["办公室", "自查"])
def test_b10_highlight_after_spaces(library, q):
    text = "市财政局   办公室\u3000关于开展自查的通知"
    add(library, text)
    [hit] = library.search(SearchRequest(q=q, mode="precise"), member=True).hits
    [(start, end)] = hit.highlights
    assert hit.snippet[start:end] == q
    assert text[text.index(q) : text.index(q) + len(q)] == q


@pytest.mark.parametrize("q, span, snippet", [("一", (0, 1), "一二"), ("三四", (0, 2), "三四")])
def test_b11_offsets_in_characters(home, q, span, snippet):
    library = Library.open(home, snippet_chars=2)
    add(library, "一二三四")
    [hit] = library.search(SearchRequest(q=q, mode="precise"), member=True).hits
    assert hit.snippet == snippet
    assert hit.highlights == [span]


@pytest.mark.parametrize("doc_text, q, shown", [
    ("２０２３年第１号（试行）", "2023年第1号", "２０２３年第１号"),
    ("２０２３年第１号（试行）", "(试行)", "（试行）"),
    ("2023年第1号(试行)", "２０２３年第１号", "2023年第1号"),
    ("2023年第1号(试行)", "（试行）", "(试行)"),
])
def test_b13_full_and_half_width(library, doc_text, q, shown):
    [doc] = add(library, doc_text)
    assert ids_for(library, q) == [doc]
    assert highlighted(library, q) == [[shown]]


def test_b14_simplified_query_finds_traditional_text(library):
    [doc] = add(library, "開通政務服務熱線")
    assert ids_for(library, "开通政务") == [doc]
    assert highlighted(library, "开通政务") == [["開通政務"]]


def test_one_to_many_character_stays_findable(library):
    [doc] = add(library, "吉林省乾安县人民政府")
    assert ids_for(library, "乾安县") == [doc]
    assert ids_for(library, "乾") == [doc]


def test_b20_members_part_is_not_searchable_by_free_users(library):
    free_part = "一、总体要求" + "坚持问题导向，压实工作责任，" * 4
    text = free_part + "二、内部测算口径 红杉甲方案"
    [doc] = add(library, text, paid_from=len(free_part))
    free = library.search(SearchRequest(q="红杉甲方案", mode="precise"), member=False)
    assert (free.total, free.hits) == (0, [])
    assert library.search(SearchRequest(q="红杉甲方案", mode="ranked"), member=False).total == 0
    assert ids_for(library, "红杉甲方案", member=True) == [doc]
    [hit] = library.search(SearchRequest(q="总体要求", mode="ranked"), member=False).hits
    secret = text[len(free_part):]
    windows = {secret[i : i + 4] for i in range(len(secret) - 3)}
    assert not any(w in hit.snippet for w in windows)
    assert all(b <= len(hit.snippet) for _, b in hit.highlights)


def test_b22_long_document_is_indexed_to_the_end(library):
    [doc] = add(library, "文" * 300_000 + "附件：特别标记词语")
    [hit] = library.search(SearchRequest(q="特别标记词语", mode="precise"), member=True).hits
    assert hit.id == doc
    assert "特别标记词语" in hit.snippet
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["特别标记词语"]


def test_or_groups(library):
    d1, d2, d3 = add(library, "财政预算", "教育招生", "卫生防疫")
    assert ids_for(library, "财政 OR 教育") == [d1, d2]
    assert ids_for(library, "财政 OR 教育 -招生") == [d1]


def test_a_word_typed_with_spaces_between_its_characters_is_one_term(library):
    """"基 层 减 负" (pasted from a PDF) was four one-character terms: every document holding 基, 层, 减 and 负
    anywhere matched (new-user try 14)."""
    word, scattered, other = add(library, "持续推进基层减负工作。", "基本情况：层层压实责任，减少负担。", "减负")
    for q in ("基 层 减 负", "基　层　减　负"):
        result = library.search(SearchRequest(q=q, mode="precise"), member=True)
        assert [h.id for h in result.hits] == [word], q
        assert result.warnings == ["已把“基 层 减 负”当作一个词“基层减负”检索"]
    assert ids_for(library, "基层减负 OR 减负") == [word, other]
    assert ids_for(library, "基 本 负担") == [scattered]


def test_characters_an_or_touches_are_not_joined(library):
    """"市 县 OR 乡" was read as 市县 OR 乡 (review 14): the one-by-one characters were joined across the OR.
    The user wrote syntax: 市, and 县 or 乡; no 提示 says a word was joined."""
    both, village, town_only, apart = add(library, "市县两级联动。", "全市乡村振兴。", "乡镇建设。", "县城和市区。")
    result = library.search(SearchRequest(q="市 县 OR 乡", mode="precise", limit=100), member=True)
    assert sorted(h.id for h in result.hits) == [both, village, apart]
    assert result.warnings == []
    # an OR after the run or before it: the run stays apart; a run no OR touches is still one word
    word, scattered, other = add(library, "持续推进基层减负工作。", "基本情况：层层压实责任，减少负担。", "减负")
    assert ids_for(library, "基层减负 OR 减 负") == [word, scattered, other]
    assert ids_for(library, "减 负 OR 基层减负") == [word, scattered, other]
    assert ids_for(library, "基 层 减 负 工作 OR 乡村") == [word]
    # an OR that opens or ends the query is no operator (ignored, with its 提示): the run is one word (review 15b)
    for q in ("OR 基 层 减 负", "基 层 减 负 OR"):
        result = library.search(SearchRequest(q=q, mode="precise", limit=100), member=True)
        assert sorted(h.id for h in result.hits) == [word], q
        assert any("基层减负" in w for w in result.warnings), q


@pytest.mark.parametrize("q", ['"未闭合', "OR", "-", "a OR", "OR OR", '""', "   ", "-\"x", "（", "\x00", "a" * 5000])
@pytest.mark.parametrize("mode", ["precise", "ranked"])
def test_no_query_string_raises(library, q, mode):
    add(library, "财政预算")
    result = library.search(SearchRequest(q=q, mode=mode), member=False)
    assert result.total >= 0


def test_stable_pagination_with_ties(library):
    ids = add(library, *[f"同样的内容第{chr(0x5f00 + i)}条" for i in range(30)])  # equal length: equal scores
    pages = [library.search(SearchRequest(q="同样", mode="precise", limit=7, page=p), member=True) for p in range(1, 6)]
    seen = [h.id for r in pages for h in r.hits]
    assert sorted(seen) == sorted(ids)  # no repeats, no gaps
    scores = [(h.score, h.id) for r in pages for h in r.hits]
    assert scores == sorted(scores, key=lambda s: (-s[0], s[1]))  # relevance, then id


def test_ranked_puts_precise_matches_first(library):
    partial, exact = add(library, "担当方面的作为很多，存在一些问题", "担当作为方面存在问题较多")
    result = library.search(SearchRequest(q="担当作为方面", mode="ranked"), member=True)
    assert [h.id for h in result.hits] == [exact, partial]


@pytest.mark.parametrize("member", [True, False])
def test_ranked_puts_precise_matches_first_for_a_long_query_too(library, member):
    """A pasted paragraph of 99 rare four-character terms (499 characters, under the length limit): a
    short text holding all but one of them, three times each, scores above 10,000 by BM25 alone, yet the
    only exact match — the one text holding every term, buried in a long text — comes first, and the
    partial match shows its own relevance (found by an attack: a constant bonus of 10,000 let the partial
    match pass for an exact one and took 10,000 off its score)."""
    rng = random.Random(3)
    rare = [chr(c) for c in range(0x9A00, 0x9B00)]
    terms = ["".join(rng.sample(rare, 4)) for _ in range(99)]
    common = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就年分对成会可主发"
    filler = lambda k: "".join(rng.choice(common) for _ in range(k))   # noqa: E731
    add(library, *[filler(300) for _ in range(300)], title="文件")
    exact, = add(library, " ".join(terms) + "。" + filler(60_000), title="长文")
    partial, = add(library, "。".join(t for t in terms[:-1] for _ in range(3)), title="短文")
    q = " ".join(terms)
    assert ids_for(library, q, member=member) == [exact]   # the oracle: precise mode
    result = library.search(SearchRequest(q=q, mode="ranked", limit=5), member=member)
    assert [h.id for h in result.hits][:2] == [exact, partial]
    unboosted = library.search(SearchRequest(q=q + " -" + terms[-1], mode="ranked", limit=5), member=member)
    top = {h.id: h.score for h in unboosted.hits}   # the last term excluded: no exact match, no bonus
    assert top[partial] > 10_000
    assert next(h.score for h in result.hits if h.id == partial) == pytest.approx(top[partial], rel=1e-3)


@pytest.mark.parametrize("sep", ["，", "；", "、", ",", ";", "。", "？", "！", "?"])
@pytest.mark.parametrize("mode", ["precise", "ranked"])
def test_punctuation_between_terms_separates_them(library, sep, mode):
    both, one, joined = add(library, "要担当作为，也要抓好作风建设", "担当作为很重要", "担当作为、作风建设两手抓")
    spaced = library.search(SearchRequest(q="担当作为 作风建设", mode=mode, limit=10), member=True)
    result = library.search(SearchRequest(q=f"担当作为{sep}作风建设", mode=mode, limit=10), member=True)
    assert [h.id for h in result.hits] == [h.id for h in spaced.hits]
    if mode == "precise":
        assert sorted(h.id for h in result.hits) == [both, joined]
    assert any("当作空格" in w for w in result.warnings)
    assert ids_for(library, f'"担当作为{sep}作风建设"') == ([joined] if sep == "、" else [])   # quoted: literal


@pytest.mark.parametrize("mode", ["precise", "ranked"])
def test_a_question_mark_ends_the_term(library, mode):
    # 「如何做好基层减负？」: the ？ is no part of the term — the text need not hold it, nor is a bigram 负？ scored
    asked, other = add(library, "如何做好基层减负，关键在于落实。", "基层治理要抓好。")
    result = library.search(SearchRequest(q="如何做好基层减负？", mode=mode, limit=10), member=True)
    assert [h.id for h in result.hits] == ([asked] if mode == "precise" else [asked, other])   # ranked: 基层 too
    plain = library.search(SearchRequest(q="如何做好基层减负", mode=mode, limit=10), member=True)
    assert [(h.id, h.score) for h in result.hits] == [(h.id, h.score) for h in plain.hits]
    assert ids_for(library, '"如何做好基层减负？"') == []   # quoted: literal


@pytest.mark.parametrize("q", ["国办发[2019]3号", "国办发(2019)3号", "国办发（2019）3号", "国办发【2019】3号",
                               "国办发〔2019〕3号", "国办发［2019］3号"])
def test_a_doc_number_is_found_whatever_its_brackets(library, q):
    issued, cited, bracketed, other = add(
        library, "国务院办公厅关于开展治理工作的通知\n国办发〔2019〕3号\n各省、自治区、直辖市人民政府：治理工作要抓好。",
        "根据《通知》（国办发〔2019〕3号）要求，做好治理工作。",
        "按照国办发[2019]3号文件要求部署。",
        "国办发〔2019〕13号 国办发〔2018〕3号 国办发2019年3号")
    assert ids_for(library, q) == [issued, cited, bracketed]
    result = library.search(SearchRequest(q=q, mode="ranked", limit=10), member=True)
    assert {h.id for h in result.hits[:3]} == {issued, cited, bracketed}
    shown = library.search(SearchRequest(q=q, mode="precise", limit=10), member=True).hits
    assert {h.snippet[a:b] for h in shown for a, b in h.highlights} == {"国办发〔2019〕3号", "国办发[2019]3号"}
    assert ids_for(library, f"治理 {q}") == [issued, cited]
    assert ids_for(library, f"部署 -{q}") == []     # every spelling is excluded


def test_a_sentence_pasted_with_its_quotation_marks_finds_its_document(library):
    """A writer copies a sentence from a document — 公文 quote their terms, “第一议题” — and searches it: the
    document holding it verbatim is found, first in ranked mode (new-user try 21: 精准 found nothing)."""
    quoted, other, plain = add(library, "支部坚持把“第一议题”制度作为固定议程。", "把第一议题制度作为议程。",
                               "第一议题是制度。")
    assert ids_for(library, "把“第一议题”制度作为") == [quoted]   # precise: verbatim only
    assert ids_for(library, "第一议题”制度") == [quoted]
    assert ids_for(library, "“第一议题”制度") == [quoted, other, plain]   # a quoted phrase and a word
    ranked = library.search(SearchRequest(q="把“第一议题”制度作为", mode="ranked", limit=10), member=True).hits
    assert [h.id for h in ranked][:1] == [quoted] and {other, plain} <= {h.id for h in ranked}


@pytest.mark.parametrize("typed", ["“第一议题”", "「第一议题」", '"第一议题"', "＂第一议题＂", "『第一议题』",
                                   "‘第一议题’", "〝第一议题〞", "﹁第一议题﹂", "“第一议题’"])
def test_a_phrase_typed_with_any_quotation_marks_finds_the_text_written_with_others(library, typed):
    """「第一议题」 typed, "第一议题" on a laptop's keyboard or ＂第一议题＂ finds the 公文 that wrote “第一议题”, and
    the one that wrote 「第一议题」 (a Hong Kong copy): every quotation mark is one when matching (new-user try 21:
    text that looks right never matched); highlights cover the text's own marks."""
    quoted, cornered, plain = add(library, "支部坚持把“第一议题”制度作为固定议程。", "坚持把「第一议题」制度作为议程。",
                                  "坚持把第一议题制度作为议程。")
    q = f"把{typed}制度"
    assert ids_for(library, q) == [quoted, cornered]
    assert sorted(highlighted(library, q)) == [["把“第一议题”制度"], ["把「第一议题」制度"]]
    assert ids_for(library, f"议程 -把{typed}") == [plain]
    ranked = library.search(SearchRequest(q=q, mode="ranked", limit=10), member=True).hits
    assert {h.id for h in ranked[:2]} == {quoted, cornered} and plain in {h.id for h in ranked}


@pytest.mark.parametrize("typed", ["“坚持‘两个确立’”", "「坚持『两个确立』」", '"坚持\'两个确立\'"'])
def test_a_phrase_with_a_quotation_nested_in_it_finds_the_text_that_holds_it(library, typed):
    """A phrase quoting a quotation, as 公文 write them (GB/T 15834-2011 §4.8: 单引号 inside 双引号), is one
    phrase: only the text holding it verbatim is found (verify22: split at its inner marks, it found every
    text holding 坚持 and 两个确立 followed by two marks)."""
    nested, apart = add(library, "要“坚持‘两个确立’”。", "坚持学习。‘两个确立’”")
    assert ids_for(library, typed) == [nested]
    assert highlighted(library, typed) == [["坚持‘两个确立’"]]


RANKED_TEXTS = ["担当作为方面存在问题", "作风建设要常抓", "为基层减负", "担 当", "一般的工作", "无关内容", "作为",
                "要有‘担当’的作为"]


@pytest.mark.parametrize("q", ["担当作为", "的", "作为 问题", "担当 OR 作风", '"基层 减负"', "担当 -作风", "作为 -问题",
                               "「担当」", "作为 -“担当”"])
@pytest.mark.parametrize("member", [True, False])
def test_ranked_matches_are_the_documents_holding_a_bigram_of_a_term(library, q, member):
    """Ranked mode finds (and counts, and facets) every document holding a character bigram of a term
    (a one-character term: that character), none of the excluded terms — the oracle is a substring
    scan, whatever the scored query's phrases and words add to the scores."""
    ids = add(library, *RANKED_TEXTS, title="测试")
    parsed = parse_query(q)
    texts = {i: normalize(f"测试{n}") + "\n" + normalize(t) for n, (i, t) in enumerate(zip(ids, RANKED_TEXTS))}

    def grams(term):
        return [term] if len(term) == 1 else [term[k : k + 2] for k in range(len(term) - 1)]

    oracle = sorted(i for i, text in texts.items()
                    if any(g in text for t in parsed.terms for g in grams(t))
                    and not any(t in text for t in parsed.excluded))
    assert oracle  # the case means something
    for sort in ("relevance", "date", "length"):
        result = library.search(SearchRequest(q=q, mode="ranked", limit=100, sort=sort), member=member)
        assert (result.total, sorted(h.id for h in result.hits)) == (len(oracle), oracle), sort
        assert sum(f["count"] for f in result.facets["genre"]) == len(oracle)


def test_filters_and_facets(library):
    docs = [
        Document(title="关于预算的通知", text="预算公开", genre="通知", date="2023-05-01"),
        Document(title="年度工作总结", text="预算执行", genre="工作总结", date="2024-01-02"),
        Document(title="另一个通知", text="预算调整", genre="通知", date="2024-03-03"),
    ]
    for doc in docs:
        library.catalogue.add(doc, text_hash(doc), doc.title, "x")
    library.index.sync()
    result = library.search(SearchRequest(q="预算", mode="precise"), member=True)
    assert {f["value"]: f["count"] for f in result.facets["genre"]} == {"通知": 2, "工作总结": 1}
    assert {f["value"]: f["count"] for f in result.facets["year"]} == {2023: 1, 2024: 2}
    assert result.total == 3
    assert library.search(SearchRequest(q="预算", mode="precise", genre="通知", year=2024), member=True).total == 1
    by_date = library.search(SearchRequest(q="预算", mode="precise", sort="date"), member=True)
    assert [h.date for h in by_date.hits] == ["2024-03-03", "2024-01-02", "2023-05-01"]


def test_remove_drops_from_index(library):
    [doc] = add(library, "唯一的测试文本")
    library.remove(doc)
    assert ids_for(library, "唯一的测试") == []


def _outlined(text: str, headings: list[tuple[str, str, int]]) -> list:
    """Outline nodes for ``(label, heading, level)`` headings found in ``text`` by str.find (the oracle), each after
    the one before."""
    from sucai.model import OutlineNode

    starts = [0]
    for label, heading, _ in headings:
        starts.append(text.index(label + heading, starts[-1] + (len(starts) > 1)))
    starts = starts[1:]
    nodes, stack = [], []
    for (label, heading, level), start in zip(headings, starts):
        node = OutlineNode(level, label, heading, start, len(text))
        while stack and stack[-1].level >= level:
            stack.pop().end = start
        (stack[-1].children if stack else nodes).append(node)
        stack.append(node)
    return nodes


SECTIONED = (
    "根据要求，现将对照检查情况报告如下。\n"
    "一、主要问题\n"
    "（一）理论学习方面。学习不够深入，存在问题较多。\n"
    "（二）担当作为方面。一是主动作为不够；二是存在问题不敢碰硬。\n"
    "二、整改措施\n"
    "（一）强化担当作为。建立问题清单。\n"
)
SECTION_HEADINGS = [("一、", "主要问题", 1), ("（一）", "理论学习方面", 2), ("（二）", "担当作为方面", 2),
                    ("二、", "整改措施", 1), ("（一）", "强化担当作为", 2)]


@pytest.fixture
def sectioned(library):
    doc = Document(title="对照检查材料", text=SECTIONED, outline=_outlined(SECTIONED, SECTION_HEADINGS))
    status, doc_id = library.catalogue.add(doc, text_hash(doc), "/s", "x")
    library.index.sync()
    return doc_id


def test_sections_cut_the_text_at_every_heading(library, sectioned):
    from sucai.search import sections

    parts = sections(library.get(sectioned))
    assert [p.path for p in parts] == [
        [], ["一、主要问题"], ["一、主要问题", "（一）理论学习方面"], ["一、主要问题", "（二）担当作为方面"],
        ["二、整改措施"], ["二、整改措施", "（一）强化担当作为"]]
    assert "".join(SECTIONED[p.start : p.end] for p in parts) == SECTIONED


def test_a_query_without_terms_lists_every_section_under_the_heading_filter(library, sectioned):
    """With nothing to match (a blank query, or only a word left out), a section search lists every section the heading
    filter accepts — those holding no needle too, which a search with terms never makes (_matching_sections)."""
    for mode in ("precise", "ranked"):
        for q in ("", "-形式主义"):
            request = SearchRequest(q=q, mode=mode, scope="section", heading="主要问题", limit=10)
            hits = library.search(request, member=True).hits
            assert sorted(h.section_path[-1] for h in hits) == ["一、主要问题", "（一）理论学习方面", "（二）担当作为方面"]


def test_ranked_snippets_do_not_highlight_the_question_words_ranking_leaves_out(library):
    add(library, "我们研究如何落实，持续推进基层减负。")
    [pieces] = highlighted(library, "如何推进基层减负", "ranked")
    assert "如何" in search_words("如何推进基层减负")   # the segmenter does find it …
    assert not any("如何" in piece for piece in pieces)          # … but it is no highlight of its own
    assert any("基层减负" in piece for piece in pieces) and any("推进" in piece for piece in pieces)


def test_section_scope_precise_needs_all_terms_in_one_section(library, sectioned):
    result = library.search(SearchRequest(q="担当作为 存在问题", mode="precise", scope="section"), member=True)
    assert [h.section_path for h in result.hits] == [["一、主要问题", "（二）担当作为方面"]]
    [hit] = result.hits
    assert SECTIONED[hit.section_start : hit.section_end].startswith("（二）担当作为方面")
    assert {hit.snippet[a:b] for a, b in hit.highlights} == {"担当作为", "存在问题"}


def test_section_scope_heading_filter(library, sectioned):
    result = library.search(SearchRequest(q="问题", mode="precise", scope="section", heading="担当作为"), member=True)
    assert sorted(h.section_path[-1] for h in result.hits) == ["（一）强化担当作为", "（二）担当作为方面"]
    assert result.total == 2


@pytest.mark.parametrize("heading, shown", [
    ("存在问题", ["（二）担当作为方面"]),          # 存在 … 问题 in 一、存在的主要问题
    ("存在的问题", ["（二）担当作为方面"]),        # 的 is a function word, left out of the filter's words
    ("主要问题", ["（二）担当作为方面"]),
    ("一、存在的主要问题", ["（二）担当作为方面"]),  # the label does not count
    ("问题存在", []),                             # the words in another order
    ("担当作为", ["（一）强化担当作为", "（二）担当作为方面"]),
    ("2023年", []),                              # no key (a year): as typed, in no heading
])
def test_section_scope_heading_filter_reads_the_heading_as_the_drafting_desk_does(library, heading, shown):
    text = SECTIONED.replace("一、主要问题", "一、存在的主要问题")
    headings = [("一、", "存在的主要问题", 1), *SECTION_HEADINGS[1:]]
    doc = Document(title="对照检查材料", text=text, outline=_outlined(text, headings))
    library.catalogue.add(doc, text_hash(doc), "/s", "x")
    library.index.sync()
    result = library.search(SearchRequest(q="担当作为", mode="precise", scope="section", heading=heading),
                            member=True)
    assert sorted(h.section_path[-1] for h in result.hits) == shown
    assert result.total == len(shown)


@pytest.mark.parametrize("heading, shown", [
    ("组织实施", ["四、组织实施", "五、组织领导和实施", "六、组织与实施"]),   # beside 和/与, one modifier between
    ("存在问题", ["一、存在的突出问题"]),                                     # a modifier and 的
])
def test_the_heading_filter_allows_a_modifier_between_its_words_not_more(library, heading, shown):
    # the words of the filter stand near each other in the heading: 组织 … 实施 across a whole clause is another
    # heading (七、组织开展专项检查推动实施, 八、存在一些较为突出问题), and so are the words in another order
    headings = ["一、存在的突出问题", "二、存在一些较为突出问题", "三、实施组织", "四、组织实施", "五、组织领导和实施",
                "六、组织与实施", "七、组织开展专项检查推动实施"]
    text = "".join(f"{h}\n落实责任。\n" for h in headings)
    outline = _outlined(text, [(h[:2], h[2:], 1) for h in headings])
    doc = Document(title="实施方案", text=text, outline=outline)
    library.catalogue.add(doc, text_hash(doc), "/h", "x")
    library.index.sync()
    result = library.search(SearchRequest(q="落实责任", mode="precise", scope="section", heading=heading),
                            member=True)
    assert sorted(h.section_path[-1] for h in result.hits) == sorted(shown)


def test_section_scope_ranked_puts_the_best_section_first(library, sectioned):
    result = library.search(SearchRequest(q="担当作为方面 存在问题", scope="section"), member=True)
    assert result.hits[0].section_path == ["一、主要问题", "（二）担当作为方面"]


def test_a_bare_heading_comes_after_its_sub_sections(library):
    """New user 18: 「担当作为方面 存在问题」 listed 「一、存在的主要问题」 second — a section of nothing but its heading line,
    its text in its sub-sections, scored high for its length (its heading's) and for naming the part asked. It
    comes after the sub-sections of it that match (listed still: the 写作台 takes a heading's whole part from it);
    a bare heading none of whose sub-sections match keeps its place (its heading is what matched)."""
    from sucai.search import sections

    text = SECTIONED.replace("一、主要问题", "一、存在的主要问题")
    headings = [("一、", "存在的主要问题", 1), *SECTION_HEADINGS[1:]]
    doc = Document(title="对照检查材料", text=text, outline=_outlined(text, headings))
    library.catalogue.add(doc, text_hash(doc), "/s", "x")
    library.index.sync()
    stored = library.get(library.catalogue.summaries()[0]["id"])
    assert [(p.path[-1:], p.bare) for p in sections(stored)] == [
        ([], False), (["一、存在的主要问题"], True), (["（一）理论学习方面"], False), (["（二）担当作为方面"], False),
        (["二、整改措施"], True), (["（一）强化担当作为"], False)]
    result = library.search(SearchRequest(q="担当作为方面 存在问题", scope="section", limit=10), member=True)
    listed = [h.section_path[-1] for h in result.hits]
    # the 问题 part first (存在问题 names it): 担当作为方面 holds both terms, 理论学习方面 存在问题, then their bare
    # heading; then the measures, matching through 担当作为
    assert listed == ["（二）担当作为方面", "（一）理论学习方面", "一、存在的主要问题", "（一）强化担当作为"]
    assert result.total == 4 and sum(b["count"] for b in result.facets["genre"]) == 4
    alone = library.search(SearchRequest(q="主要问题", mode="precise", scope="section"), member=True)
    assert [h.section_path for h in alone.hits] == [["一、存在的主要问题"]]


def _stored(library: Library, title: str, text: str, headings: list[tuple[str, str, int]], genre: str = "") -> int:
    doc = Document(title=title, text=text, outline=_outlined(text, headings), genre=genre)
    status, doc_id = library.catalogue.add(doc, text_hash(doc), f"/o/{text_hash(doc)}", "x")
    assert status == "ingested"
    return doc_id


def test_ranked_sections_holding_every_term_come_before_those_sharing_common_words(library):
    """sec19: a visitor's 「担当作为方面 存在问题」 (the README's example) listed first a letter's short 「八、关于防灾抗灾和
    移民安置问题」 — 方面 and 问题 only, in a heading that reads as a 问题 part — above the one section on 担当作为 and its
    problems (no problems part of that 对照检查材料 says 担当作为). Ranked section search counts the query's groups a
    section holds: 担当作为方面 by 担当作为 (方面 a filler, not in the opening paragraph), 存在问题 by a section of the problems part, by none of
    another part, by 存在 and 问题 in a section of no part. Hand-checked: the opening paragraph holds 担当作为, 存在 and
    问题 (2 groups); 理论学习方面 stands in a 问题 part without 担当作为 (1 group, the part asked); 强化担当作为 holds
    担当作为 in the measures (1 group, another part): a higher BM25 score than the problems, which come before it (the
    part asked); role19: the letter's 关于防灾抗灾和移民安置问题 is a topic, no 问题 part, and its section holds 问题
    but not 存在 and no 担当作为 (0 groups): last."""
    check = ("对照查摆了在理论学习、担当作为上存在的问题，深入剖析根源，现将对照检查情况报告如下。\n"
             "一、存在的主要问题\n（一）理论学习方面。学习的系统性不够，对党的创新理论研究不深，专题研讨次数偏少，"
             "学用结合不够，用理论指导实践的能力还有差距。\n"
             "二、整改措施\n（一）强化担当作为。建立问题清单，逐项销号，对急难愁盼问题限时办结。\n")
    letter = ("一、关于交通建设。同意你省意见。\n"
              "二、关于防灾抗灾和移民安置问题。中央在防灾抗灾方面给予专项支持。\n")
    checked = _stored(library, "对照检查材料", check, [("一、", "存在的主要问题", 1), ("（一）", "理论学习方面", 2),
                                                      ("二、", "整改措施", 1), ("（一）", "强化担当作为", 2)])
    letter_id = _stored(library, "关于建议办理情况的函", letter, [("一、", "关于交通建设", 1),
                                                              ("二、", "关于防灾抗灾和移民安置问题", 1)])
    library.index.sync()
    result = library.search(SearchRequest(q="担当作为方面 存在问题", scope="section", limit=10), member=False)
    listed = [(h.id, h.section_path[-1] if h.section_path else "") for h in result.hits]
    assert listed[0] == (checked, "") and listed[-2:] == [(checked, "（一）强化担当作为"),
                                                          (letter_id, "二、关于防灾抗灾和移民安置问题")]
    # the problems, the bare 一、存在的主要问题 right after its sub-section
    assert listed[1:-2] == [(checked, "（一）理论学习方面"), (checked, "一、存在的主要问题")]
    precise = library.search(SearchRequest(q="担当作为 存在问题", mode="precise", scope="section"), member=False)
    assert precise.total == 0   # precise mode unchanged: no section holds both verbatim


def test_a_section_whose_heading_holds_the_words_comes_before_openings_that_mention_them(library):
    """season27: 「廉洁自律方面」 listed first the openings 「现将…廉洁自律情况报告如下」 of three reports (short sections: a
    higher BM25 score) above the section headed 「三、坚持廉洁自律，严守纪律规矩」. Hand-checked: every section here holds
    the one group (by 廉洁自律, 方面 a filler); the 对照检查材料's problems hold 「廉洁自律方面」 verbatim, the only exact
    match — first, as precise matches stay; then the section whose heading holds 廉洁自律; then the openings, whose
    heading path is empty. A precise search for 廉洁自律 puts that section first as well."""
    report = ("根据县纪委工作安排，现将本人2023年度履行岗位职责和廉洁自律情况报告如下。\n一、加强理论学习，提高政治素质\n"
              "一年来，我坚持把理论学习摆在首位，不断提高政治判断力。\n三、坚持廉洁自律，严守纪律规矩\n"
              "严格遵守中央八项规定及其实施细则精神，自觉抵制各种不正之风，从不利用职务之便谋取私利，做到干净干事。\n")
    reported = _stored(library, "2023年度个人述职述廉报告", report, [("一、", "加强理论学习，提高政治素质", 1),
                                                                    ("三、", "坚持廉洁自律，严守纪律规矩", 1)])
    short = _stored(library, "关于2023年度廉洁自律情况的报告", "现将本人廉洁自律情况报告如下。\n一、主要工作\n认真履行一岗双责。\n",
                    [("一、", "主要工作", 1)])
    check = ("现将廉洁自律等方面的对照检查情况报告如下。\n一、存在的主要问题\n"
             "（一）作风建设方面。在廉洁自律方面要求不严，对身边人教育提醒不够及时，存在失之于宽的问题。\n")
    checked = _stored(library, "对照检查材料", check, [("一、", "存在的主要问题", 1), ("（一）", "作风建设方面", 2)])
    library.index.sync()
    result = library.search(SearchRequest(q="廉洁自律方面", scope="section", limit=10), member=True)
    listed = [(h.id, h.section_path[-1] if h.section_path else "") for h in result.hits]
    assert listed[:2] == [(checked, "（一）作风建设方面"), (reported, "三、坚持廉洁自律，严守纪律规矩")]
    assert sorted(listed[2:]) == sorted([(reported, ""), (short, ""), (checked, "")])
    precise = library.search(SearchRequest(q="廉洁自律", mode="precise", scope="section", limit=10), member=True)
    assert (precise.hits[0].id, precise.hits[0].section_path) == (reported, ["三、坚持廉洁自律，严守纪律规矩"])


def test_ranked_sections_of_every_part_asked_hold_the_part_names(library):
    """sec19: 「主要问题 原因」 names two parts; no section stands in both, so a term naming a part is held by a section of
    any part the query names: the problems and their causes hold both terms and come before an opening paragraph
    holding 主要问题 and 原因 verbatim (in no part: held by its text; the higher score, checked below)."""
    text = ("查找主要问题，分析原因。\n一、存在的主要问题\n（一）学习不够深入。主要问题是学习不深，流于形式，未能学以致用。\n"
            "二、问题产生的原因\n（一）思想认识不到位。原因在于思想放松，对理论学习的重要性认识不足。\n")
    _stored(library, "对照检查材料", text, [("一、", "存在的主要问题", 1), ("（一）", "学习不够深入", 2),
                                          ("二、", "问题产生的原因", 1), ("（一）", "思想认识不到位", 2)])
    library.index.sync()
    hits = library.search(SearchRequest(q="主要问题 原因", scope="section", limit=10), member=True).hits
    listed = [h.section_path[-1] if h.section_path else "" for h in hits]
    assert sorted(listed[:-1]) == sorted(["（一）学习不够深入", "一、存在的主要问题", "（一）思想认识不到位", "二、问题产生的原因"])
    assert listed[-1] == "" and hits[-1].score > max(h.score for h in hits[:-1])


def test_a_section_holding_the_part_word_comes_before_one_only_standing_in_the_part(library):
    """season28: 「下一步」 names the measures part, so every section of a measures part holds it: section search listed
    a 今后打算 that only says 进一步 above a speech's opening that says 下一步 itself (in no part: after every section of
    one). A section holding none of the query's words, only standing in the part they name, comes after every
    section holding them — of the part first. Hand-checked oracle: the 工作总结's 下一步工作打算 (heading and text),
    the speech's opening (text), the other 工作总结's 今后打算 (进一步 only); 工作开展情况, 主要成效 and the speech's
    充分肯定成绩 hold no 下一步 and stand in no measures part: not listed."""
    summary = ("一、工作开展情况\n今年以来，我们扎实推进各项工作，取得了明显成效。\n"
               "二、下一步工作打算\n下一步，我们将持续深化重点领域改革，狠抓各项任务落实。\n")
    other = ("一、主要成效\n全年完成各项目标任务，群众满意度稳步提升。\n"
             "二、今后打算\n进一步加强干部教育培训，进一步提升能力素质，推动工作再上新台阶。\n")
    speech = ("同志们：今天召开这次会议，主要是总结前一阶段工作，部署下一步任务。\n"
              "一、充分肯定成绩\n过去一年，全县上下团结奋斗，各项事业取得新进展。\n")
    planned = _stored(library, "2024年工作总结", summary, [("一、", "工作开展情况", 1), ("二、", "下一步工作打算", 1)])
    later = _stored(library, "2023年工作总结", other, [("一、", "主要成效", 1), ("二、", "今后打算", 1)])
    spoken = _stored(library, "在全县工作会议上的讲话", speech, [("一、", "充分肯定成绩", 1)])
    library.index.sync()
    hits = library.search(SearchRequest(q="下一步", scope="section", limit=10), member=True).hits
    assert [(h.id, h.section_path) for h in hits] == [(planned, ["二、下一步工作打算"]), (spoken, []),
                                                     (later, ["二、今后打算"])]


def test_precise_sections_keep_their_order_by_score(library):
    """sec19: precise mode lists every section holding each term verbatim by score, wherever the part a term names: a
    short section of the measures holding 存在问题 once and 担当作为 three times (the higher score: the part it stands
    in does not count its 存在问题, :func:`sucai.search._matching_sections`) before a long opening paragraph holding
    each once — which ranked mode lists first (it stands in no part, so its 存在问题 counts; the measures' does not)."""
    opening = "对照检查中存在问题，主要是担当作为不够。" + "会前广泛征求意见，深入谈心谈话，认真撰写材料。" * 8
    text = opening + "\n一、整改措施\n（一）强化担当作为。针对存在问题，强化担当作为，担当作为见实效。\n"
    doc_id = _stored(library, "对照检查材料", text, [("一、", "整改措施", 1), ("（一）", "强化担当作为", 2)])
    library.index.sync()
    for mode, paths in (("precise", [["一、整改措施", "（一）强化担当作为"], []]),
                        ("ranked", [[], ["一、整改措施", "（一）强化担当作为"]])):
        hits = library.search(SearchRequest(q="担当作为 存在问题", mode=mode, scope="section"), member=True).hits
        assert [(h.id, h.section_path) for h in hits] == [(doc_id, path) for path in paths], mode
        assert (hits[0].score > hits[1].score) == (mode == "precise"), mode


def test_ranked_sections_of_the_genre_asked_come_first(library):
    """sec19: 「加强作风建设 心得体会」 asks for sections on 作风建设 (加强 a filler) of 心得体会: a 心得体会's section on
    作风建设 holds both groups (its 文种 the second), and so does one of a document whose title says 心得体会 (the
    title heads its sections); both come before a 讲话稿's section holding 加强作风建设 verbatim and more often (the
    higher BM25 score, checked below) but no 心得体会."""
    speech = "一、加强作风建设\n加强作风建设，要以上率下。加强作风建设，要久久为功。\n"
    notes = "一、几点体会\n作风建设永远在路上，学习后深受教育，感到自身差距不小，今后要在工作中持续改进。\n"
    spoken = _stored(library, "在会上的讲话", speech, [("一、", "加强作风建设", 1)], genre="讲话稿")
    noted = _stored(library, "学习体会", notes, [("一、", "几点体会", 1)], genre="心得体会")
    titled = _stored(library, "读书班学习心得体会", notes.replace("今后", "今后一个时期"), [("一、", "几点体会", 1)])
    library.index.sync()
    result = library.search(SearchRequest(q="加强作风建设 心得体会", scope="section", limit=10), member=True)
    assert {h.id for h in result.hits[:2]} == {noted, titled} and result.hits[2].id == spoken
    assert max(h.score for h in result.hits[:2]) < result.hits[2].score   # not by score: by what the sections hold


def test_identical_sections_of_a_document_are_one_hit(library):
    """F5: a 汇编 repeating one section filled a 段落 page with it. Sections whose texts are the same but for their
    outline label and layout are one hit (the first), which says how many others the document holds; the total
    and the facets count it once."""
    same = "担当作为方面。面对急难险重任务主动请缨少，存在问题不敢碰硬。\n"
    other = "担当作为方面。研究解决办法不多，推动改革的魄力不够。\n"
    parts = [("一、", "第一党支部", "（一）", same), ("二、", "第二党支部", "（一）", same),
             ("三、", "第三党支部", "（二）", same.replace("，", "， ")), ("四、", "第四党支部", "（一）", other)]
    text = "".join(f"{a}{b}\n{c}{d}" for a, b, c, d in parts)
    headings = [h for a, b, c, d in parts for h in ((a, b, 1), (c, "担当作为方面", 2))]
    doc = Document(title="对照检查材料汇编", text=text, outline=_outlined(text, headings))
    library.catalogue.add(doc, text_hash(doc), "/c", "x")
    library.index.sync()
    for mode in ("precise", "ranked"):
        result = library.search(SearchRequest(q="担当作为方面", mode=mode, scope="section"), member=True)
        hits = sorted(result.hits, key=lambda h: h.section_start)   # the shorter section scores higher
        assert [(h.section_path, h.same_sections) for h in hits] == [
            (["一、第一党支部", "（一）担当作为方面"], 2), (["四、第四党支部", "（一）担当作为方面"], 0)], mode
        assert result.total == 2 and result.facets["genre"] == [{"value": hits[0].genre, "count": 2}]
        assert text[hits[0].section_start:hits[0].section_end] == "（一）" + same


def test_identical_sections_are_found_as_by_comparing_every_layout_free_form():
    """Issue 16: :func:`sucai.search._distinct` builds a section's layout-free form only when another matching section
    of its document has as many characters besides white space. Over seeded documents of short sections that differ
    in white space, full-width forms and labels (many of the same length, some the same), it keeps the sections and
    counts the copies that comparing every section's form, as the search did before, gives."""
    from types import SimpleNamespace

    from sucai.analysis import layout_free
    from sucai.headings import strip_label
    from sucai.search import _distinct, _Section, _section_key

    def reference(found, order):
        kept, copies = {}, {}
        for f in sorted(found, key=order):
            first = kept.setdefault(layout_free(strip_label(f[1].text[f[2].start : f[2].part_end])), f)
            copies[first[2].start] = copies.get(first[2].start, 0) + (first is not f)
        return [(f[2].start, copies[f[2].start]) for f in sorted(kept.values(), key=lambda f: f[2].start)]

    rng = random.Random(16)
    pieces = ["担当", "作为", "，", ",", " ", "\u3000", "\n", "（", "(", "问题", "1", "１"]
    labels = ["", "一、", "（一）", "1."]
    compared = copies = alike = 0
    for doc_id in range(300):
        texts = [rng.choice(labels) + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
                 for _ in range(rng.randint(1, 10))]
        view = SimpleNamespace(id=doc_id, text="".join(texts))
        starts = [sum(map(len, texts[:k])) for k in range(len(texts) + 1)]
        order = _section_key

        def found():
            return [(rng.random(), view, _Section(s, e, [f"{doc_id}"], e), 0,
                     (rng.randint(0, 2), rng.random() < 0.5, rng.randint(0, 1), rng.randint(0, 3)))
                    for s, e in zip(starts, starts[1:]) if view.text[s:e].strip()]

        state = rng.getstate()
        expected = reference(found(), order)
        rng.setstate(state)
        listed = [(f[2].start, f[2].copies) for f in _distinct(found(), order)]
        assert listed == expected, view.text
        compared += 1
        copies += sum(n for _, n in expected)
        solid = [len(layout_free(strip_label(view.text[s:e]))) for s, e in zip(starts, starts[1:]) if view.text[s:e].strip()]
        alike += len(solid) - len(set(solid)) - sum(n for _, n in expected)   # as long, not the same
    assert compared == 300 and copies > 100 and alike > 100   # both cases exercised


def test_section_term_counts_match_counting_each_section():
    """Issue 16: _term_counts seeks each needle in the sections that hold it rather than in every section; its
    counts (overlapping occurrences, one that runs past its section's end not counted) and their order (first
    occurrence, then its end, then the needle) are those of counting each needle in each section by hand — on
    seeded texts cut into sections, with gaps between some of them (text in no section, white space in a library)."""
    from sucai.analysis import matchable
    from sucai.search import _Bounds, _Section, _term_counts

    def by_hand(text, needles, parts):
        out = []
        for part in parts:
            first = {}
            for n, needle in enumerate(needles):
                at = [i for i in range(part.start, part.end - len(needle) + 1) if text.startswith(needle, i)]
                if at:
                    first[n] = (at[0], at[0] + len(needle), n, len(at))
            out.append([(n, count) for *_, n, count in sorted(first.values())])
        return out

    rng = random.Random(25)
    needles = ["问题", "哈哈", "哈哈哈", "题问题", "学", "习问", "不在"]
    counted = crossing = 0
    for _ in range(400):
        text = "".join(rng.choice("问题学习哈哈") for _ in range(rng.randint(1, 80)))
        cuts = sorted(set(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(2, 12)))))
        parts = [_Section(s, e, [], e) for s, e in zip(cuts, cuts[1:]) if rng.random() < 0.8]
        if not parts:
            continue
        assert matchable(text, needles)[1].identical   # the path of text itself, where needles are sought
        bounds = _Bounds(text, [p.start for p in parts], [p.end for p in parts], [None] * len(parts),
                         [False] * len(parts))
        found = _term_counts(text, needles, bounds)
        got = [list(found.get(k, {}).items()) for k in range(len(parts))]
        assert got == by_hand(text, needles, parts), (text, cuts)
        counted += sum(c for counts in got for _, c in counts)
        crossing += sum(text.startswith(n, p.end - 1) for p in parts for n in needles if len(n) > 1)
    assert counted > 1000 and crossing > 100   # occurrences counted, and some running past a section's end


def test_sections_are_those_of_cutting_the_text_at_every_heading_recursively():
    """sections() walks the outline once into flat bounds (_Bounds) and makes a section's path only when asked; its
    sections are those of the recursive cut it replaced (the oracle below): seeded outlines of headings at four
    levels, items (一是…) whose children are no sections, blank sections, and headings ending before the next one —
    some where their parent ends too, the last cut at an offset holding it —, each section's path, part end and
    bareness."""
    from sucai.model import OutlineNode
    from sucai.search import _bare, sections

    def by_recursion(doc):
        cuts = [(0, [], None)]

        def visit(nodes, path):
            for node in nodes:
                if node.kind != "heading":
                    continue
                here = path + [f"{node.label}{node.heading}".strip()]
                cuts.append((node.start, here, node))
                visit(node.children, here)
                if node.end < len(doc.text):
                    cuts.append((node.end, path, None))

        visit(doc.outline, [])
        cuts.sort(key=lambda c: c[0])
        merged = []
        for cut in cuts:
            if merged and merged[-1][0] == cut[0]:
                merged[-1] = cut
            else:
                merged.append(cut)
        ends = [s for s, *_ in merged[1:]] + [len(doc.text)]
        return [(s, e, p, node.end if node else e, node is not None and _bare(doc.text, node.start, node.heading, e))
                for (s, p, node), e in zip(merged, ends) if doc.text[s:e].strip()]

    def outline(text, rng):
        """Nodes for the heading lines of ``text`` (levels from their labels, items 一是 below them), each ending at the
        next heading of its level or above, or — sometimes — at a line start before it, never after its parent."""
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        roots, stack = [], []
        for at in starts:
            line = text[at:].split("\n", 1)[0]
            level = next((n + 1 for n, mark in enumerate(marks) if line.startswith(mark)), None)
            if not level:
                continue
            label = marks[level - 1]
            node = OutlineNode(level, label, line[len(label):], at, len(text), "item" if label == "一是" else "heading")
            while stack and stack[-1].level >= level:
                stack.pop().end = at
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)

        def shorten(nodes, limit):
            for node in nodes:
                inside = [at for at in starts if node.start < at <= min(node.end, limit)]
                node.end = rng.choice(inside) if inside and rng.random() < 0.4 else min(node.end, limit)
                shorten(node.children, node.end)

        shorten(roots, len(text))
        return roots

    rng = random.Random(26)
    marks = ["一、", "（一）", "1.", "（1）", "一是"]   # levels 1 to 4, and items
    seen = items = ties = blank = 0
    for _ in range(300):
        lines = []
        for _ in range(rng.randint(0, 14)):
            kind = rng.random()
            if kind < 0.5:
                lines.append(rng.choice(marks[:4]) + rng.choice(["存在的主要问题", "整改措施", "理论学习方面", ""]))
            elif kind < 0.65:
                lines.append("一是加强学习；二是狠抓落实。")
            elif kind < 0.8:
                lines.append(rng.choice(["", "  ", "\u3000"]))
            else:
                lines.append("我们认真查摆问题。")
        text = "\n".join(lines)
        doc = Document(title="对照检查材料", text=text, outline=outline(text, rng))
        got = [(p.start, p.end, p.path, p.part_end, p.bare) for p in sections(doc)]
        assert got == by_recursion(doc), text
        headings = [n for root in doc.outline for n in root.walk() if n.kind == "heading"]
        later = {n.start for n in headings} | {len(text)}
        seen += len(got)
        items += any(n.kind == "item" for root in doc.outline for n in root.walk())
        ties += sum(1 for end in Counter(n.end for n in headings if n.end not in later).values() if end > 1)
        blank += len(got) < len({0, *(n.start for n in headings)})
    assert seen > 500 and items > 20 and ties > 20 and blank > 20, (seen, items, ties, blank)


def test_bare_headings_are_the_same_only_when_their_sub_sections_are(library):
    """Review 18: two bare 「（一）存在问题」 — their text in their sub-sections, different ones — were one hit (their
    sections held their heading lines alone, the same), and the 写作台 lost the second one's text. Sections are the
    same when their parts, sub-sections included, are."""
    from sucai.drafting.paragraphs import paragraph_candidates

    text = ("一、班子方面\n（一）存在问题\n1.学习不够深入系统。\n2.调查研究不够经常。\n"
            "二、个人方面\n（一）存在问题\n1.担当作为不够，遇到矛盾绕着走。\n2.作风不够严实，满足于过得去。\n")
    headings = [("一、", "班子方面", 1), ("（一）", "存在问题", 2), ("1.", "学习不够深入系统", 3),
                ("2.", "调查研究不够经常", 3), ("二、", "个人方面", 1), ("（一）", "存在问题", 2),
                ("1.", "担当作为不够", 3), ("2.", "作风不够严实", 3)]
    doc = Document(title="民主生活会对照检查材料", text=text, outline=_outlined(text, headings))
    library.catalogue.add(doc, text_hash(doc), "/b", "x")
    library.index.sync()
    for mode in ("precise", "ranked"):
        hits = library.search(SearchRequest(q="存在问题", mode=mode, scope="section"), member=True).hits
        assert sorted((h.section_path, h.same_sections) for h in hits) == [
            (["一、班子方面", "（一）存在问题"], 0), (["二、个人方面", "（一）存在问题"], 0)], mode
    candidates = paragraph_candidates(library, "存在问题", genre=None, member=True)
    assert sorted(c.section_path[0] for c in candidates) == ["一、班子方面", "二、个人方面"]
    assert sorted("担当作为不够" in c.text for c in candidates) == [False, True]


ROLE_TEXTS = [
    "一、存在的问题\n"
    "（一）担当作为方面。有的同志遇到矛盾绕着走，攻坚克难的勇气不够，工作标准不高，满足于过得去、差不多，"
    "推动落实的办法不多。\n"
    "二、整改措施\n"
    "（一）强化担当作为。针对担当作为方面存在问题，树立担当作为导向，以担当作为促落实。\n",
    "一、存在的主要问题\n"
    "（一）担当作为方面。面对急难险重任务主动请缨少，存在问题不敢碰硬。\n"
    "二、下一步整改措施\n"
    "（一）聚焦担当作为方面。对照存在问题逐条整改，在担当作为上下功夫，激励干部担当作为。\n",
]
ROLE_HEADINGS = [
    [("一、", "存在的问题", 1), ("（一）", "担当作为方面", 2), ("二、", "整改措施", 1), ("（一）", "强化担当作为", 2)],
    [("一、", "存在的主要问题", 1), ("（一）", "担当作为方面", 2), ("二、", "下一步整改措施", 1),
     ("（一）", "聚焦担当作为方面", 2)],
]


def test_section_scope_ranks_the_part_a_query_word_names_first(library):
    # 存在问题 names a part of the document: the sections under a 问题 heading come before the 整改措施 sections,
    # which also say 担当作为 and 存在问题 (more often, in fewer characters: by their text alone they came first)
    for n, (text, headings) in enumerate(zip(ROLE_TEXTS, ROLE_HEADINGS)):
        doc = Document(title=f"对照检查材料{n}", text=text, outline=_outlined(text, headings))
        library.catalogue.add(doc, text_hash(doc), f"/r{n}", "x")
    library.index.sync()

    def parts(q, mode):
        hits = library.search(SearchRequest(q=q, mode=mode, scope="section", limit=10), member=True).hits
        return [("问题" if "问题" in h.section_path[0] else "措施", h.section_path[-1]) for h in hits]

    # ranked: both 担当作为方面 sections of the problems, then the problems' bare headings (存在, 问题 in their
    # text), then the measures (the 措施 sections match through 担当作为 and 存在问题 in their text)
    assert parts("担当作为方面 存在问题", "ranked") == [
        ("问题", "（一）担当作为方面"), ("问题", "（一）担当作为方面"), ("问题", "一、存在的问题"),
        ("问题", "一、存在的主要问题"), ("措施", "（一）强化担当作为"), ("措施", "（一）聚焦担当作为方面")]
    # precise: the sections holding both terms verbatim (one of the problems, two of the measures), in that order
    assert [p for p, _ in parts("担当作为方面 存在问题", "precise")] == ["问题", "措施", "措施"]
    # 整改措施 asks for the measures: they come first
    assert [p for p, _ in parts("担当作为 整改措施", "ranked")] == ["措施"] * 4 + ["问题"] * 2


def test_a_members_only_heading_names_no_part_for_a_visitor(tmp_path, make_home):
    """Review 17b: the part a query word names (存在问题 → the 问题 sections first) goes by each section's heading
    path; a heading of the members part must not move a visitor's sections. Two libraries whose one document
    differs only in its members part's heading (「二、整改措施」 or 「二、存在的问题」) give a visitor the same
    totals, order and scores in both modes."""
    free = "一、存在的问题\n（一）担当作为方面。有的同志遇到矛盾绕着走，存在问题不敢碰硬。\n"
    members = "\n（一）强化担当作为。针对担当作为方面存在问题，树立担当作为导向，以担当作为促落实。\n"
    seen = []
    for name, heading in (("measures", "整改措施"), ("problems", "存在的问题")):
        library = Library.open(make_home(tmp_path / name))
        text = free + "二、" + heading + members
        doc = Document(title="对照检查材料", text=text, paid_from=len(free), outline=_outlined(text, [
            ("一、", "存在的问题", 1), ("（一）", "担当作为方面", 2), ("二、", heading, 1), ("（一）", "强化担当作为", 2)]))
        library.catalogue.add(doc, text_hash(doc), "/m", "x")
        library.index.sync()
        found = {}
        for mode in ("ranked", "precise"):
            result = library.search(SearchRequest(q="担当作为方面 存在问题", mode=mode, scope="section", limit=10),
                                    member=False)
            found[mode] = (result.total, [(h.section_path, h.score) for h in result.hits])
        seen.append(found)
        library.close()
    assert seen[0] == seen[1]
    assert seen[0]["ranked"][0] >= 1 and seen[0]["precise"][0] >= 1
    assert all("强化担当作为" not in str(path) for _, hits in seen[0].values() for path, _ in hits)


def test_section_scope_puts_a_section_holding_the_term_first(library):
    """F22: 「第一百二十条之一」 in section scope ranked the short articles 之五 and 之六 (第一百二十条, 之一 and the
    bigrams in them, not the term) above the article itself; as in document scope, sections holding every term
    verbatim come first, then the others, each by score."""
    text = ("第一百二十条之一 资助恐怖活动组织、实施恐怖活动的个人的，或者资助恐怖活动培训的，处五年以下有期徒刑、"
            "拘役、管制或者剥夺政治权利，并处罚金；情节严重的，处五年以上有期徒刑，并处罚金或者没收财产。"
            "为恐怖活动组织、实施恐怖活动或者恐怖活动培训招募、运送人员的，依照前款的规定处罚。\n"
            "第一百二十条之五 以暴力、胁迫等方式强制他人穿着宣扬恐怖主义服饰的，有下列情形之一的，处三年以下有期徒刑。\n"
            "第一百二十条之六 明知是宣扬恐怖主义的物品而非法持有，有下列情形之一的，处三年以下有期徒刑。\n")
    labels = ["第一百二十条之一", "第一百二十条之五", "第一百二十条之六"]
    doc = Document(title="中华人民共和国刑法", text=text, outline=_outlined(text, [(label, "", 1) for label in labels]))
    library.catalogue.add(doc, text_hash(doc), "/law", "x")
    library.index.sync()
    hits = library.search(SearchRequest(q="第一百二十条之一", mode="ranked", scope="section", limit=10), member=True).hits
    assert [h.section_path for h in hits][0] == ["第一百二十条之一"]
    assert sorted(h.section_path[0] for h in hits[1:]) == labels[1:]
    assert hits[1].score >= hits[2].score > 0 and hits[0].score > 0   # the partial ones by score
    assert hits[0].score < hits[1].score   # the article's own score as before: only the order changed


def test_a_word_naming_a_part_inside_a_longer_term_names_none(library):
    """Review 17: ranked mode took the part from each word of a term — 问题 of 「解决群众急难愁盼问题」 put the
    problems first, the section holding the whole term third; 「问题产生的原因」 named two parts. A part is named by
    a term that names it as a whole; otherwise sections go by score alone."""
    text = ("一、存在的问题\n（一）思想方面。理论学习不够深入，对问题思考不深。\n"
            "二、问题产生的原因\n（一）理论学习不够。学习缺乏系统性。\n"
            "三、整改措施\n（一）解决群众急难愁盼问题。建立群众急难愁盼问题清单，逐项解决。\n")
    headings = [("一、", "存在的问题", 1), ("（一）", "思想方面", 2), ("二、", "问题产生的原因", 1),
                ("（一）", "理论学习不够", 2), ("三、", "整改措施", 1), ("（一）", "解决群众急难愁盼问题", 2)]
    doc = Document(title="对照检查材料", text=text, outline=_outlined(text, headings))
    library.catalogue.add(doc, text_hash(doc), "/w", "x")
    library.index.sync()
    for q in ("解决群众急难愁盼问题", "问题产生的原因"):
        hits = library.search(SearchRequest(q=q, mode="ranked", scope="section", limit=10), member=True).hits
        bare = [k for k, h in enumerate(hits) if text[h.section_start:h.section_end].strip() == h.section_path[-1]]
        scores = [h.score for k, h in enumerate(hits) if k not in bare]   # bare headings: after their sub-sections
        assert scores == sorted(scores, reverse=True) and all(scores), (q, [(h.section_path[-1], h.score) for h in hits])
        assert all(j < k for k in bare for j, h in enumerate(hits) if h.section_path[:-1] == hits[k].section_path), q
        assert hits[0].section_path[-1].endswith(q), q


def test_section_scope_respects_the_member_boundary(library):
    text = SECTIONED
    doc = Document(title="对照检查材料", text=text, outline=_outlined(text, SECTION_HEADINGS),
                   paid_from=text.index("担当作为方面"))
    library.catalogue.add(doc, text_hash(doc), "/p", "x")
    library.index.sync()
    result = library.search(SearchRequest(q="不敢碰硬", mode="precise", scope="section"), member=False)
    assert result.total == 0
    free = library.search(SearchRequest(q="问题", mode="precise", scope="section"), member=False)
    shown = "".join(h.snippet + "".join(h.section_path) for h in free.hits)
    assert "担当作为方面" not in shown and "整改措施" not in shown
    assert free.hits and all(h.chars == len(re.sub(r"\s", "", text)) for h in free.hits)  # the document's 字数, not the preview's


def test_free_preview_setting_makes_unbounded_documents_members_only(home):
    text = "前言部分可以免费阅读。" + "会员专享的红杉乙方案细节" * 3
    library = Library.open(home)
    add(library, text)
    assert ids_for(library, "红杉乙方案", member=False) != []
    library.close()
    library = Library.open(home, free_preview_chars=11)  # the index notices the setting and rebuilds
    library.index.sync()
    assert ids_for(library, "红杉乙方案", member=False) == []
    assert ids_for(library, "红杉乙方案", member=True) != []
    assert ids_for(library, "免费阅读", member=False) != []
    [doc] = library.catalogue.documents()
    assert doc.paid_from == 11


def test_metadata_edit_and_hiding_reach_the_index(library):
    [doc] = add(library, "关于调整会员边界的测试正文，后半部分是会员内容。")
    library.update(doc, title="改过的标题", genre="通知", paid_from=10)
    assert library.get(doc).title == "改过的标题"
    assert ids_for(library, "改过的标题") == [doc]
    assert library.search(SearchRequest(q="x", mode="precise", genre="通知"), member=True).total == 0
    assert library.search(SearchRequest(q="", mode="precise", genre="通知"), member=True).total == 1
    assert ids_for(library, "会员内容", member=False) == []
    library.set_hidden(doc, True)
    assert ids_for(library, "改过的标题") == []
    assert library.catalogue.summaries() == [] and library.catalogue.stats()["documents"] == 0
    with pytest.raises(NotFound):
        library.get(doc)
    assert library.get(doc, include_hidden=True).hidden
    library.set_hidden(doc, False)
    assert ids_for(library, "改过的标题") == [doc]
    with pytest.raises(InvalidInput):
        library.update(doc, paid_from=10_000)


BLANKS = ("", " ", "\u3000", "\t\n ", "\u200b", None)   # empty, spaces (an ideographic one), a zero-width space, None


@pytest.mark.parametrize("field", ["title", "genre"])
def test_a_blank_title_or_genre_is_refused_and_nothing_written(library, field):
    """A document's 标题 and 文种 are never blank (the admin form said so, Library.update did not: genre=" " was
    stored, and listed as a 文种 of its own): a blank or white-space value is refused in Chinese, nothing written."""
    [doc] = add(library, "关于修改元数据的测试正文。")
    before = stored_text(library.catalogue.db)
    for value in BLANKS:
        with pytest.raises(InvalidInput) as refused:
            library.update(doc, **{field: value, "source": "某市档案局"})
        label = {"title": "标题", "genre": "文种"}[field]
        assert refused.value.code == f"bad_{field}" and refused.value.message.startswith(f"{label}不能为空"), value
        assert stored_text(library.catalogue.db) == before, value
    assert library.catalogue.stats()["by_genre"] == {library.get(doc).genre: 1}
    too_long = "长" * {"title": 201, "genre": 51}[field]
    with pytest.raises(InvalidInput):
        library.update(doc, **{field: too_long})
    assert stored_text(library.catalogue.db) == before
    value = {"title": "改过的值", "genre": "实施方案"}[field]   # a 文种 is one of the table (test_access)
    library.update(doc, **{field: f" {value}\u3000"})   # kept without the white space around it
    assert getattr(library.get(doc), field) == value


def test_a_blank_optional_field_is_cleared(library):
    """文号, 日期 and 来源 may be unknown: a blank value clears them (None, 来源 "未注明"), never stores white space."""
    [doc] = add(library, "关于修改元数据的测试正文。")
    library.update(doc, doc_number="某发〔2024〕1号", source="某市档案局")
    assert library.catalogue.stats()["by_source"] == {"某市档案局": 1}
    for value in BLANKS:
        library.update(doc, doc_number=value, source=value)
        stored = library.get(doc)
        assert (stored.doc_number, stored.source) == (None, None), value
        assert library.catalogue.stats()["by_source"] == {"未注明": 1}, value
        library.update(doc, doc_number="某发〔2024〕1号", source="某市档案局")


def test_changing_the_dictionary_reindexes_before_anyone_searches(home):
    library = Library.open(home)
    add(library, "召开述职评议会议", "另一篇材料")
    library.close()
    (home / "userdict.txt").write_text("述职评议会\n", encoding="utf-8")
    reopened = Library.open(home)
    assert reopened.search(SearchRequest(q="述职", mode="precise"), member=True).total == 1
    assert reopened.search(SearchRequest(q="", mode="precise"), member=True).total == 2


def test_a_change_of_a_visitors_metadata_rules_reindexes_before_anyone_searches(home, monkeypatch):
    """The index's ``free_`` fields (a visitor's 文种 filter and facet) follow the rules of a visitor's metadata:
    a library opened after they changed (a leak fix, say) searches with what the new rules give."""
    library = Library.open(home)
    [doc] = add(library, "关于做好档案工作的通知\n各单位：\n请认真落实。\n" + "档案工作要求。" * 20, paid_from=20)
    assert ids_for(library, "", member=False, genre="通知") == [doc]
    library.close()

    described = access._free_metadata
    monkeypatch.setattr(access, "_free_metadata", lambda d, text: {**described(d, text), "genre": "讲话稿"})
    monkeypatch.setattr(access, "FREE_METADATA_VERSION", access.FREE_METADATA_VERSION + "-changed")
    reopened = Library.open(home)
    assert [b["value"] for b in reopened.search(SearchRequest(q=""), member=False).facets["genre"]] == ["讲话稿"]
    assert ids_for(reopened, "", member=False, genre="通知") == []
    assert ids_for(reopened, "", member=True, genre="其他") == [doc]   # a member's (stored, not described) unchanged
    reopened.close()


# -- metadata filters and facets (issue 9: years newest first; issue 11 #1: a visitor's metadata) -----------------


def _ingest_texts(library: Library, tmp_path, texts: dict[str, str]) -> dict[str, int]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    summary = library.ingest([folder], workers=1)
    return {o.path.rsplit("/", 1)[-1]: o.doc_id for o in summary.outcomes}


def test_year_facets_newest_first_and_the_viewers_own_metadata(library, tmp_path):
    work = {2019: "完成老旧小区改造十二个，新建口袋公园三处", 2024: "推进数字政府建设，政务服务事项全部网上可办",
            2021: "开展党史学习教育，为群众办实事两百余件"}   # texts of their own: near-duplicates are one result
    ids = _ingest_texts(library, tmp_path, {
        f"{year}.txt": f"{year}年工作总结\n一、总体情况\n{year}年，我们{work[year]}。\n" for year in (2019, 2024, 2021)} | {
        "paid.txt": ("关于做好档案工作的通知\n各单位：\n请认真落实档案工作。\n##paidbegin##\n"
                     "某市档案局发〔2031〕8号\n一、要求\n按时完成。\n某市档案局\n2031年7月9日\n")})
    member = library.search(SearchRequest(q=""), member=True)
    assert [b["value"] for b in member.facets["year"]] == [2031, 2024, 2021, 2019]
    visitor = library.search(SearchRequest(q=""), member=False)
    assert [b["value"] for b in visitor.facets["year"]] == [2024, 2021, 2019]
    assert {b["value"] for b in visitor.facets["source"]} == {"未注明"}
    assert ids_for(library, "", member=True, year=2031) == [ids["paid.txt"]]
    assert ids_for(library, "", member=False, year=2031) == []
    assert ids_for(library, "", member=False, source="某市档案局") == []
    assert ids_for(library, "", member=False, genre="工作总结") == sorted(ids[f"{y}.txt"] for y in (2019, 2021, 2024))
    by_date = library.search(SearchRequest(q="", sort="date", limit=10), member=False).hits
    assert by_date[-1].id == ids["paid.txt"]   # undated for a visitor, not dated 2031
    hit = library.search(SearchRequest(q="档案"), member=False).hits[0]
    assert (hit.id, hit.date, hit.source, hit.genre) == (ids["paid.txt"], None, None, "通知")


def test_genre_filters_accept_former_names_and_warn_about_unknown_ones(library, tmp_path):
    ids = _ingest_texts(library, tmp_path, {"a.txt": "在全市大会上的讲话\n同志们：\n今天开会。\n"})
    assert ids_for(library, "", genre="讲话") == ids_for(library, "", genre="讲话稿") == [ids["a.txt"]]
    result = library.search(SearchRequest(q="", genre="请加微信qs123"))   # the site's words, not the asker's (fix23)
    assert (result.total, result.warnings) == (0, ["没有这个文种，请从文种表中选择（文种表见 sucai genres），可能找不到结果"])
    near = library.search(SearchRequest(q="", genre=" 讲话 稿"), member=False)   # new-user try 29: names the near ones
    assert near.warnings == ["没有这个文种，请从文种表中选择（文种表见 sucai genres），可能找不到结果"]
    near = library.search(SearchRequest(q="", genre="检查"), member=False)
    assert near.warnings == ["没有这个文种，请从文种表中选择（文种表见 sucai genres；相近的有“对照检查材料”），可能找不到结果"]


# -- second round (../shared/cases/README.md, issue 10) -------------------------------------------


def ingest_text(library: Library, tmp_path, text: str, name: str = "doc.txt") -> int:
    """Ingest ``text`` as a UTF-8 .txt file through the whole pipeline (readers, cleaning, outline)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    summary = library.ingest([path], workers=1)
    [outcome] = summary.outcomes
    assert outcome.status == "ingested", outcome
    return outcome.doc_id


@pytest.mark.parametrize("q", ["工作方案", "一季度", "执行"])
def test_b25_kangxi_radicals_match_ideographs(library, tmp_path, q):
    doc = ingest_text(library, tmp_path, "关于印发⼯作⽅案的通知\n各单位：现将⼀季度⼯作⽅案印发给你们，请认真执⾏。\n")
    assert ids_for(library, q) == [doc]
    stored = library.get(doc)
    assert "⼯" not in stored.title + stored.text and "工作方案" in stored.title  # the stored text shows ideographs
    assert "执行" in stored.text and "一季度" in stored.text


def test_b25_radicals_in_stored_text_still_match(library):
    """Documents stored before the reader's fold (or edited in) match through the analysis alone."""
    [doc] = add(library, "⻓江⼤保护⼯作⽅案")
    assert ids_for(library, "长江大保护工作方案") == [doc]
    assert highlighted(library, "工作方案") == [["⼯作⽅案"]]


B31_TEXT = "全市 2023 年地区生产总值增长 5.2% ，完成 GDP 目标。依据 DB41/T 958—2020 执行。hello world"


@pytest.mark.parametrize("q, shown", [
    ("2023年", "2023 年"), ("增长5.2%", "增长 5.2%"), ("完成GDP目标", "完成 GDP 目标"),
    ("DB41/T958", "DB41/T 958"), ('"DB41/T 958"', "DB41/T 958"), ('"hello world"', "hello world"),
])
def test_b31_spaces_at_han_latin_and_han_digit_boundaries(library, tmp_path, q, shown):
    doc = ingest_text(library, tmp_path, "地区生产总值情况\n" + B31_TEXT + "\n")
    assert ids_for(library, q) == [doc]
    assert highlighted(library, q) == [[shown]]


def test_b31_a_space_between_latin_words_counts(library):
    [doc] = add(library, B31_TEXT)
    assert ids_for(library, '"hello world"') == [doc]
    assert ids_for(library, "helloworld") == []
    [joined] = add(library, "helloworld 合在一起", title="另一篇")
    assert ids_for(library, "helloworld") == [joined]
    assert ids_for(library, '"hello world"') == [doc]


@pytest.mark.parametrize("doc_text, q", [
    ("依据GB/T9704-2012排版", '"GB/T 9704-2012"'),
    ("依据GB/T 9704-2012排版", '"GB/T9704-2012"'),
    ("依据GB/T 9704-2012排版", "GB/T9704"),
])
def test_b31_quoted_standard_number_with_or_without_space(library, doc_text, q):
    [doc] = add(library, doc_text)
    assert ids_for(library, q) == [doc]
    assert ids_for(library, q, mode="ranked") == [doc]


COMPAT_TEXT = "㈠总体要求\n⑴工作目标：到第Ⅳ季度完成。\n⒈基本原则\n①坚持问题导向；②坚持系统观念。气温 25 ℃。"


@pytest.mark.parametrize("q, shown", [
    ("(一)总体要求", "㈠总体要求"), ("（一）", "㈠"), ("(1)工作目标", "⑴工作目标"), ("1.基本原则", "⒈基本原则"),
    ("第IV季度", "第Ⅳ季度"), ("iv", "Ⅳ"), ("1坚持问题导向", "①坚持问题导向"), ("25°C", "25 ℃"),
])
def test_compatibility_characters_match_their_plain_spelling(library, q, shown):
    [doc] = add(library, COMPAT_TEXT)
    assert ids_for(library, q) == [doc]
    assert highlighted(library, q) == [[shown]]


# Taiwan and Hong Kong texts whose simplified form depends on the phrase (per character they convert otherwise)
TRADITIONAL = [
    ("本計畫經行政院核定後實施", "计划", "計畫"),            # 畫 alone is 画
    ("國務院關於同意設立新區的批覆", "批复", "批覆"),        # 覆 alone stays 覆
    ("經過反覆研究，決定如下", "反复研究", "反覆研究"),
    ("據瞭解，該項目進展順利", "据了解", "據瞭解"),           # 瞭 alone stays 瞭
    ("經濟已經開始復甦", "复苏", "復甦"),
    ("香港衞生署發出通告", "卫生署", "衞生署"),              # Hong Kong variant: t2s alone leaves 衞
    ("他們一直看著這個問題", "看着这个问题", "看著這個問題"),  # Taiwan 著 for 着
]


@pytest.mark.parametrize("doc_text, q, shown", TRADITIONAL)
def test_traditional_phrases_are_found_by_the_simplified_query(library, doc_text, q, shown):
    [doc] = add(library, doc_text)
    assert ids_for(library, q) == [doc]
    assert highlighted(library, q) == [[shown]]


@pytest.mark.parametrize("doc_text, q", [("工作取得显著成效", "显著成效"), ("严重破坏土地的行为", "破坏土地"),
                                         ("一批覆盖全省的项目", "覆盖")])
def test_simplified_text_is_not_phrase_converted(library, doc_text, q):
    """OpenCC's phrases applied to simplified text would turn 显著 into 显着 and 破坏土 into 破坯土."""
    [doc] = add(library, doc_text)
    assert ids_for(library, q) == [doc]
    assert highlighted(library, q) == [[q]]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_b41_user_dictionary_in_gbk_or_with_a_bom(home, encoding):
    (home / "userdict.txt").write_bytes("清廉机关\n一岗双责\n".encode(encoding))
    from sucai import analysis

    terms = analysis.dictionary_terms(home / "userdict.txt")
    assert terms[-2:] == ["清廉机关", "一岗双责"]   # the first term is not lost to the BOM
    library = Library.open(home)
    [doc] = add(library, "建设清廉机关，落实一岗双责")
    for mode in ("precise", "ranked"):
        assert ids_for(library, "清廉机关", mode) == [doc]
    assert "清廉机关" in analysis.words("建设清廉机关")
    library.close()


def test_b41_unreadable_user_dictionary_is_refused_with_its_name(home):
    (home / "userdict.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    library = Library.open(home)
    with pytest.raises(InvalidInput, match="userdict.txt") as err:
        library.search(SearchRequest(q="清廉机关"))
    assert err.value.code == "bad_user_dictionary" and "用户词典" in err.value.message


def test_a_user_dictionary_that_is_a_scan_is_refused_unread(home, monkeypatch):
    """Ops 23: the dictionary was read as any document is — a scan saved as userdict.txt went through Tesseract in
    the process that searched (a web server's), with no time limit, a Tesseract that outlived that process. It is
    read as text or refused, and no program is started."""
    import subprocess

    from fixtures import cjk_font_path, image_bytes, render_page

    if cjk_font_path() is None:
        pytest.skip("needs a CJK font (Debian: fonts-wqy-microhei)")
    (home / "userdict.txt").write_bytes(image_bytes(render_page(["清廉机关", "一岗双责"], font_size=80)))
    started, real = [], subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda command, *a, **k: started.append(command) or real(command, *a, **k))
    from sucai import analysis

    with pytest.raises(InvalidInput, match="userdict.txt") as err:
        analysis.dictionary_terms(home / "userdict.txt")
    assert err.value.code == "bad_user_dictionary" and "不是纯文本文件" in err.value.message
    assert started == []


def test_ranked_title_highlights_are_merged(library):
    [doc] = add(library, "市政府办公室关于印发方案的通知", title="市政府办公室工作要点")
    [hit] = library.search(SearchRequest(q="办公室", mode="ranked"), member=True).hits
    assert hit.id == doc
    assert [hit.title[a:b] for a, b in hit.title_highlights] == ["办公室"]
    spans = hit.title_highlights
    assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:]))   # sorted, disjoint, not touching


def test_section_scope_scans_within_its_character_budget(home):
    """A section search reads at most section_scan_chars characters of the best documents (the best one
    always) and says so; for the documents it reads, it returns the same sections as with no budget."""
    texts = [SECTIONED, SECTIONED.replace("建立问题清单", "建立担当作为问题清单"), SECTIONED + "担当作为的补充说明。\n"]
    found = {}
    for budget in (1_000_000, len(SECTIONED) * 2 + 20, 1):
        library = Library.open(home, section_scan_chars=budget)
        if not found:
            for n, text in enumerate(texts):
                doc = Document(title=f"对照检查材料{n}", text=text, outline=_outlined(text, SECTION_HEADINGS))
                library.catalogue.add(doc, text_hash(doc), f"/b{n}", "x")
            library.index.sync()
        result = library.search(SearchRequest(q="担当作为", mode="precise", scope="section", limit=50), member=True)
        found[budget] = ([(h.id, h.section_start, h.score) for h in result.hits], result.warnings)
        library.close()
    everything, warned = found.pop(1_000_000)
    assert len({i for i, _, _ in everything}) == 3 and not warned
    for budget, scanned in ((len(SECTIONED) * 2 + 20, 2), (1, 1)):
        hits, warned = found[budget]
        ids = {i for i, _, _ in hits}
        assert len(ids) == scanned and warned == [f"匹配文档较多，只在最相关的 {scanned} 篇中查找段落（段落数和分类计数只计这些文档）"]
        assert hits == [h for h in everything if h[0] in ids]


def test_the_budget_takes_the_same_documents_whatever_the_index_says_of_their_lengths():
    """Issue 16: a section search reads first the documents whose lengths, as the index holds them, fit its budget,
    and the one after them (one read when the index is right); the documents it scans are those of reading them one
    by one — the first ones that fit, hidden ones left out — also when the index's lengths are wrong (a document
    changed or hidden since it read them)."""
    from types import SimpleNamespace

    from sucai.search import _within_budget

    class Catalogue:
        def __init__(self, docs):
            self.docs, self.reads = docs, []

        def documents(self, ids, free):
            self.reads.append(len(ids))
            return [self.docs[i] for i in sorted(ids)]

    def one_by_one(docs, ids, budget):
        out, used = [], 0
        for doc in (docs[i] for i in ids if not docs[i].hidden):
            if out and used + doc.chars > budget:
                break
            out.append(doc.id)
            used += doc.chars
        return out

    rng = random.Random(16)
    for _ in range(200):
        docs = {i: SimpleNamespace(id=i, chars=rng.randint(1, 100), hidden=rng.random() < 0.1) for i in range(120)}
        ids = rng.sample(list(docs), rng.randint(1, 120))
        budget = rng.randint(1, 3000)
        right = [docs[i].chars for i in ids]
        wrong = [max(1, n + rng.randint(-30, 30)) for n in right]
        for lengths in (right, wrong):
            catalogue = Catalogue(docs)
            scanned = [d.id for d in _within_budget(catalogue, ids, budget, False, lengths, batch=7)]
            assert scanned == one_by_one(docs, ids, budget)
            if lengths is right and not any(docs[i].hidden for i in ids):
                assert catalogue.reads == [min(len(ids), len(scanned) + 1)]


# -- snippets start where a sentence or clause starts ------------------------------------------------

_STOPS = "。！？；!?;\n"
_COMMAS = "，、：,:"


@pytest.mark.parametrize("needle, expected", [
    ("中心任务", "这是新时代的中心任务。"),       # the sentence end 。 lies within reach: the snippet opens after it
    ("全面推进", "全面推进中华民族伟大复兴，"),   # only a clause mark ， within reach: it opens after that
])
def test_snippet_opens_at_a_sentence_or_clause(needle, expected):
    text = "我们要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念。全面建设社会主义现代化国家，全面推进中华民族伟大复兴，这是新时代的中心任务。" * 3
    shown = make_snippet(text, find_spans(text, [needle]), 30)
    assert shown.text.startswith(expected)
    assert [shown.text[a:b] for a, b in shown.highlights] == [needle]


def test_snippets_of_the_samples_never_open_with_punctuation():
    """Every snippet of every two-character needle of the bundled samples: the first character is no
    punctuation, and unless the window is at the start of the text it opens right after a sentence or
    clause mark — or there is none in the quarter width before its first match."""
    width = 60
    for path in sorted(SAMPLE_TEXTS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for at in range(0, len(text) - 2, 97):
            needle = text[at : at + 2]
            if any(c.isspace() or c in _STOPS + _COMMAS for c in needle):
                continue
            shown = make_snippet(text, find_spans(text, [normalize(needle)]), width)
            assert shown.highlights and shown.text[0] not in _STOPS + _COMMAS + " ", (path.name, needle, shown.text)
            first = shown.start + shown.highlights[0][0]
            before = text[max(0, shown.start - width // 4) : first]
            opened = shown.start == 0 or text[shown.start - 1] in _STOPS + _COMMAS + " \u3000"
            assert opened or not any(c in before for c in _STOPS + _COMMAS), (path.name, needle, shown.text)


def test_the_snippet_window_holds_the_most_needles_then_matches_then_comes_first():
    """The window a snippet is cut from (before it moves to a sentence start), against a brute force over
    every candidate: a window starts a quarter width before a match (or at 0) and covers the matches from
    that one on that start before its end; the best covers the most distinct needles, then the most
    matches, then starts first."""
    from sucai.snippet import _best_start

    rng = random.Random(16)
    for _ in range(3_000):
        needles = rng.choice([1, 4])   # spans of one needle: the window holding the most (snippet._fullest_start)
        spans = sorted((s, s + rng.randint(1, 4), rng.randrange(needles))
                       for s in (rng.randrange(rng.choice([5, 50, 500])) for _ in range(rng.randint(1, 40))))
        width = rng.choice([1, 2, 3, 8, 30, 120])
        candidates = []
        for anchor, _, _ in spans:
            start = max(0, anchor - width // 4)
            covered = [n for s, _, n in spans if anchor <= s < start + width]
            candidates.append((len(set(covered)), len(covered), -start))
        assert _best_start(spans, width) == -max(candidates)[2], (spans, width)


def brute_verbatim_spans(text: str, needles: list[str], most: int) -> list[tuple[int, int, int]]:
    """The oracle of snippet._verbatim_spans: every occurrence (overlapping ones too) of each needle and of its form
    with the full-width punctuation of Chinese text, the first ``most`` of each form, as (start, end, needle index)
    in characters, sorted."""
    widen = str.maketrans(",;:!?()", "，；：！？（）")
    expected = []
    for index, needle in enumerate(needles):
        for form in dict.fromkeys((needle, needle.translate(widen))):
            at = [p for p in range(len(text)) if text.startswith(form, p)][:most]
            expected += [(p, p + len(form), index) for p in at]
    return sorted(expected)


def test_the_snippet_window_is_placed_by_every_verbatim_occurrence_up_to_the_limit():
    """The occurrences a snippet's window is chosen from (snippet._verbatim_spans), against a brute force: each
    needle as written and with the full-width punctuation of Chinese text, at every position it starts at —
    overlapping ones too ("哈哈" three times in "哈哈哈哈"), whether or not it can overlap itself —, the first
    ``most`` of each form, sorted."""
    from sucai.snippet import _verbatim_spans

    rng = random.Random(19)
    alphabet = "哈a,，b工作("
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        needles = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
        most = rng.choice([1, 2, 3, 64])
        assert _verbatim_spans(text, needles, most) == brute_verbatim_spans(text, needles, most), (text, needles, most)


def test_a_needle_holding_another_is_placed_by_every_occurrence_up_to_the_limit():
    """snippet._verbatim_spans of a term and its pieces (ranked mode's needles: a term and its words, which hold one
    another), against a brute force: a form holding another is found from that one's occurrences when they are all
    known — fewer than the limit —, and must still be found in full: at the start of the text, overlapping ("哈哈哈"
    in "哈哈哈哈"), with the full-width punctuation of Chinese text, up to the limit of its own."""
    from sucai.snippet import _verbatim_spans

    rng = random.Random(23)
    alphabet = "哈哈工作党建设,，(（a"
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        term = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 6)))
        pieces = [term[a:b] for a, b in (sorted(rng.sample(range(len(term) + 1), 2)) for _ in range(rng.randint(1, 4)))]
        needles = list(dict.fromkeys([term, *pieces]))
        rng.shuffle(needles)
        most = rng.choice([1, 2, 3, 5, 64])
        assert _verbatim_spans(text, needles, most) == brute_verbatim_spans(text, needles, most), (text, needles, most)


def test_a_snippet_windows_highlights_are_the_needles_found_in_it():
    """The spans a snippet's window is highlighted with (snippet._spans_between: taken from the verbatim occurrences
    when the part is plain for the needles and they are all known) are find_spans of the part, in the text's offsets:
    with traditional characters, full-width forms, a line break inside a needle, a needle with a space, and more
    occurrences than the limit the window is placed by."""
    from sucai.snippet import _MOST, _spans_between, _verbatim_spans

    rng = random.Random(29)
    alphabet = ["工作", "發展", "发展", "，", ",", "\n", "（1）", "(1)", "ａ", "a", " ", "哈", "党"]
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([5, 30, 200])))
        needles = list(dict.fromkeys(rng.sample(["工作", "发展", "作发", ",发", "(1)", "a", "哈哈", "工作 发展", "党"],
                                                rng.randint(1, 3))))
        verbatim = _verbatim_spans(text, needles)
        lo = rng.randrange(len(text) + 1)
        hi = lo + rng.randint(0, 60)
        part = [(s + lo, e + lo, n) for s, e, n in find_spans(text[lo:hi], needles)]
        assert _spans_between(text, needles, verbatim, lo, hi) == part, (text, needles, lo, hi)
    text = "加强党建工作。" * (_MOST + 5)   # more occurrences than the limit: the window at the end is searched
    verbatim = _verbatim_spans(text, ["党建"])
    lo = len(text) - 20
    assert _spans_between(text, ["党建"], verbatim, lo, len(text)) == [(p, p + 2, 0) for p in range(lo, len(text))
                                                                       if text.startswith("党建", p)]


def test_a_results_plain_data_is_what_asdict_gives(library):
    """SearchResult.to_dict (the API's answer, without a deep copy) has the shape and values of asdict."""
    add(library, "关于推进基层治理的通知。加强统筹协调，推进基层治理现代化。", "全年工作总结。")
    result = library.search(SearchRequest(q="基层治理 工作"), member=False)
    assert result.hits and result.facets["genre"]
    assert json.dumps(result.to_dict(), ensure_ascii=False) == json.dumps(asdict(result), ensure_ascii=False)


def test_matching_ids_of_a_section_search_are_the_documents_with_a_matching_section(library, sectioned):
    # a saved section search's feed, sync and zip read matching_ids: a document holding the words outside
    # any section under the heading is no match of it
    [flat] = add(library, "担当作为方面的问题很多，存在问题不少。")
    section = SearchRequest(q="问题", mode="precise", scope="section", heading="担当作为")
    assert library.matching_ids(section, member=True) == (1, [sectioned])
    both = SearchRequest(q="担当作为 存在问题", mode="precise", scope="section")
    total, ids = library.matching_ids(both, member=True)
    assert (total, sorted(ids)) == (2, sorted([sectioned, flat]))
    assert sorted(library.matching_ids(SearchRequest(q="问题", mode="precise"), member=True)[1]) == [sectioned, flat]


@pytest.mark.corpus
@pytest.mark.parametrize("q, part", [("旅游 成效", "成效"), ("旅游业 措施", "措施")])
def test_sections_of_the_part_a_query_names_lead_on_real_reports(corpus_dir, home, q, part):
    # the 海拉尔 government work reports: each a 工作回顾 (成效) and a 工作安排 (措施) part, both about 旅游;
    # on main 5 (成效) and 8 (措施) of the top 10 sections stood in the part asked for

    library = Library.open(home)
    library.ingest([corpus_dir / "gov_work_reports_hailaer_district" / "utf8"])
    result = library.search(SearchRequest(q=q, scope="section", limit=10), member=True)
    assert len(result.hits) == 10
    assert [role(h.section_path) for h in result.hits] == [part] * 10
    library.close()


def test_a_long_heading_filter_is_cut_and_said(library):
    """Review 17: the heading filter costs its length times a heading's; the API caps it at 100 characters, the CLI
    did not (51 words against a long text took 88 s). A longer one is cut to 100, with a 提示."""
    from sucai.search import MAX_HEADING_FILTER
    result = library.search(SearchRequest(q="问题", scope="section", heading="存在" * 5000), member=True)
    assert f"按标题筛选的文字最多 {MAX_HEADING_FILTER} 字，已截取前 {MAX_HEADING_FILTER} 字" in result.warnings



def test_ranked_sections_of_a_work_summary_s_parts(library):
    """user22, on the bundled samples: a 工作总结's parts are its 工作开展情况 (成效), 存在的问题 and 工作打算 (措施).
    「工作总结 主要成绩」 listed first a 调研报告's 主要做法 (成效: 主要成绩 held, 工作总结 not), the 工作总结's own
    工作开展情况 seventh (it named no part); 「下一步工作打算」 named no part either (打算, 下一步 and 工作 were no part
    words of a query), so the 工作总结's 存在的问题 came second and its 工作打算 not in the first ten. Hand-checked:
    工作开展情况 stands in 成效 and is a 工作总结's (both groups); the sections of 措施 parts — 今后打算, 工作打算,
    下一步整改措施, 今后努力方向 — come before any other."""
    library.ingest([SAMPLES], workers=1)
    hits = library.search(SearchRequest(q="工作总结 主要成绩", scope="section", limit=10), member=True).hits
    assert (hits[0].genre, hits[0].section_path) == ("工作总结", ["一、2023年工作开展情况"])
    hits = library.search(SearchRequest(q="下一步工作打算", scope="section", limit=10), member=True).hits
    parts = [role(h.section_path) for h in hits]
    planned = [h.section_path[0] for h in hits[: parts.index(None)]]
    assert set(parts[: parts.index(None)]) == {"措施"} and {"三、2024年工作打算", "四、存在的不足和今后打算"} <= set(planned)
