"""The one analysis path (normalisation, offsets, tokens) and the lenient query parser."""

from __future__ import annotations

import random

import pytest

from sucai import analysis
from sucai.query import parse_query


@pytest.mark.parametrize("raw, norm", [
    ("２０２３年第１号（试行）", "2023年第1号(试行)"),
    ("GB/T 9704", "gb/t 9704"),
    ("開通政務服務熱線", "开通政务服务热线"),
    ("乾安县", "干安县"),                      # one image per character, in documents and queries alike
    ("市财政局   办公室\u3000关于", "市财政局办公室关于"),  # whitespace between wide characters dropped
    ("hello \n  world", "hello world"),       # elsewhere folded to one space
    ("  前后空白  ", "前后空白"),
])
def test_normalize(raw, norm):
    assert analysis.normalize(raw) == norm


def test_normalize_is_idempotent_on_every_folded_character():
    table = analysis._fold_table()
    images = "".join(table.values())
    assert analysis.normalize(analysis.normalize(images)) == analysis.normalize(images)


def test_offsets_point_at_the_source_character():
    """Property test against a per-character oracle: each normalised character is the fold of its source."""
    rng = random.Random(7)
    alphabet = "学习 贯彻\u3000\nＡb c（）開 2３\t"
    table = analysis._fold_table()
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        norm, offsets = analysis.normalize_with_offsets(text)
        assert norm == analysis.normalize(text)
        for i, char in enumerate(norm):
            source = text[offsets[i]]
            assert source.translate(table).lower() == char or (char == " " and source.isspace())


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
    ("“全面 从严”", [["全面从严"]], [], False),   # full-width quotes; the space between Han goes
    ("２０２３ （试行）", [["2023"], ["(试行)"]], [], False),
    ('"未闭合', [["未闭合"]], [], True),
    ("OR 财政", [["财政"]], [], True),
    ("财政 OR", [["财政"]], [], True),
    ("-", [], [], True),
    ("财政 财政", [["财政"]], [], False),
    ("", [], [], False),
])
def test_parse_query(q, groups, excluded, warned):
    parsed = parse_query(q)
    assert parsed.groups == groups
    assert parsed.excluded == excluded
    assert bool(parsed.warnings) == warned


def test_parse_query_cuts_long_input_with_a_warning():
    parsed = parse_query("字" * 600, max_chars=500)
    assert parsed.groups == [["字" * 500]] and parsed.warnings
