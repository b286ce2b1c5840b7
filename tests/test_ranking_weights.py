"""Ranked mode applies the weights of :data:`sucai.search.RANKING` (what bench/relevance.py compares and tunes)."""

from __future__ import annotations

import dataclasses

import pytest

from sucai import search
from sucai.query import content_pieces
from sucai.search import SearchRequest

from test_search import add



def test_title_and_body_weights_decide_between_a_title_match_and_a_body_match(library, monkeypatch):
    in_title = add(library, "会议听取了有关情况的汇报。", title="安全生产检查")[0]
    in_body = add(library, "本月开展了一次检查，重点是安全生产。", title="工作简报")[0]

    def order():
        return [h.id for h in library.search(SearchRequest(q="安全生产的检查", limit=10), member=True).hits]

    monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, title=20.0, body=0.05, bigram=0.05, proximity=0.0))
    assert order() == [in_title, in_body]
    monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, title=0.05, body=20.0))
    assert order() == [in_body, in_title]


@pytest.mark.parametrize(("term", "pieces"), [
    ("外国人在中国工作需要办理什么手续", ["外国人", "中国工作", "办理", "手续"]),  # 在, 需要, 什么 cut out
    ("劳动合同的试用期最长是多久", ["劳动合同", "试用期最长"]),              # 的, 是, 多久
    ("什么是实事求是", ["实事求是"]),
    ("许多长期项目", ["许多长期项目"]),  # 多长 inside 许多/长期 is no word of its own
    ("如何", ["如何"]),                  # nothing else left: the term itself
])
def test_content_pieces_cut_out_question_and_function_words(term, pieces):
    assert content_pieces(term) == pieces


def test_question_words_match_only_verbatim_when_left_out(library, monkeypatch):
    answer = add(library, "外国人来华工作，应当按照规定办理工作许可手续。", title="外国人就业管理")[0]
    asking = add(library, "请问需要什么？还需要什么？在哪里办？", title="常见问答")[0]  # shares only question words

    def found():
        return [h.id for h in library.search(SearchRequest(q="外国人在中国工作需要办理什么手续", limit=10), member=True).hits]

    monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, question_words=False))
    assert set(found()) == {answer, asking}
    monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, question_words=True))
    assert found() == [answer]


def test_length_prior_reorders_partial_matches_and_keeps_exact_matches_first(library, monkeypatch):
    """Two documents match 安全生产的检查 in part (every word and bigram once); one is about 20 times longer, and a
    third, short, has the query verbatim. In every clause BM25 (k1 1.2, b 0.75, lengths 1 : 20 : 1) gives the short
    one 2.2 / 1.42 against the long one's 2.2 / 3.76, 2.6 times as much (hand-computed), so a prior of
    length ** 0.1 (20 ** 0.1 ≈ 1.35) keeps it ahead and length ** 1 (20 times) puts the long one ahead; the
    verbatim match stays first, and the pages of one hit agree with one page of three."""
    sentence = "本月开展了一次检查，重点是安全生产。"
    filler = "".join(f"第{n}号记录{n * 7}页。" for n in range(34))  # no character of the query
    short = add(library, sentence, title="工作简报")[0]
    long = add(library, sentence + filler, title="工作月报")[0]
    exact = add(library, "要做好安全生产的检查。", title="通知")[0]
    assert 18 <= (len(sentence) + len(filler)) / len(sentence) <= 22

    def order(**page):
        request = SearchRequest(q="安全生产的检查", **({"limit": 3} | page))
        return [h.id for h in library.search(request, member=True).hits]

    for length, partial in ((0.0, [short, long]), (0.1, [short, long]), (1.0, [long, short])):
        monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, length=length))
        assert order() == [exact, *partial]
        assert [i for page in (1, 2, 3) for i in order(limit=1, page=page)] == order()


FEEDBACK = {"feedback_docs": 2, "feedback_terms": 3, "feedback_weight": 1.0, "feedback_max_df": 1.0}
# Two documents asking about 耕地保护 verbatim, both naming 基本农田; a short one holding only 保护 (and 耕地
# nowhere), and a longer one on 基本农田 that holds 保护 once: without feedback the short one ranks first of the
# two (BM25 over the shared bigram 保护 favours the shorter), with 基本农田 learned from the first hits the
# longer one does.
FIELDS = ("加强耕地保护，严守基本农田红线，基本农田一经划定不得擅自占用。",
          "耕地保护是基础，基本农田要落到地块。",
          "加强生态保护。",
          "各地要把基本农田划定到户，基本农田建档立卡，基本农田设立标志，严格保护，定期核查，做好台账管理工作。")


def test_feedback_words_of_the_first_hits_bring_up_a_document_the_query_alone_ranks_lower(library, monkeypatch):
    exact_a, exact_b, short, learned = add(library, *FIELDS, title="材料")

    def order(**changes):
        monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, **changes))
        return [h.id for h in library.search(SearchRequest(q="耕地保护", limit=10), member=True).hits]

    without = order(feedback_docs=0)
    assert set(without[:2]) == {exact_a, exact_b} and without[2:] == [short, learned]
    with_feedback = order(**FEEDBACK)
    assert set(with_feedback[:2]) == {exact_a, exact_b}   # the exact matches still come first
    assert with_feedback[2:] == [learned, short]
    assert len(with_feedback) == 4                        # feedback reorders the matches, it adds none


def test_feedback_leaves_precise_mode_alone(library, monkeypatch):
    add(library, *FIELDS, title="材料")

    def found():
        return [h.id for h in library.search(SearchRequest(q="耕地保护", mode="precise", limit=10), member=True).hits]

    before = found()
    monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, **FEEDBACK))
    assert found() == before and len(before) == 2


def test_a_visitors_feedback_words_come_from_the_free_view_only(library, monkeypatch):
    """基本农田 only in the members part of the first hits: a visitor's order is that without feedback (nothing
    learned), a member's has the feedback document first among the partial matches."""
    free = "加强耕地保护，严格执行土地管理制度。"
    paid = "基本农田一经划定不得擅自占用，基本农田要落到地块。"
    first = add(library, free + paid, title="材料甲", paid_from=len(free))[0]
    second = add(library, free + paid + "。", title="材料乙", paid_from=len(free))[0]
    short, learned = add(library, *FIELDS[2:], title="材料")

    def order(member: bool, **changes):
        monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, **changes))
        return [h.id for h in library.search(SearchRequest(q="耕地保护", limit=10), member=member).hits]

    assert set(order(True, **FEEDBACK)[:2]) == {first, second}
    assert order(True, **FEEDBACK)[2:] == [learned, short]
    assert order(False, **FEEDBACK) == order(False, feedback_docs=0)
    assert order(False, feedback_docs=0)[2:] == [short, learned]
