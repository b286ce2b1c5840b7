"""Ranked mode applies the weights of :data:`sucai.search.RANKING` (what bench/relevance.py compares and tunes)."""

from __future__ import annotations

import dataclasses

import pytest

from sucai import search
from sucai.library import Library
from sucai.search import SearchRequest

from test_search import add


@pytest.fixture
def library(home) -> Library:
    lib = Library.open(home)
    yield lib
    lib.close()


def test_title_and_body_weights_decide_between_a_title_match_and_a_body_match(library, monkeypatch):
    in_title = add(library, "会议听取了有关情况的汇报。", title="安全生产检查")[0]
    in_body = add(library, "本月开展了一次检查，重点是安全生产。", title="工作简报")[0]

    def order():
        return [h.id for h in library.search(SearchRequest(q="安全生产的检查", limit=10), member=True).hits]

    monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, title=20.0, body=0.05, bigram=0.05, proximity=0.0))
    assert order() == [in_title, in_body]
    monkeypatch.setattr(search, "RANKING", dataclasses.replace(search.RANKING, title=0.05, body=20.0))
    assert order() == [in_body, in_title]
