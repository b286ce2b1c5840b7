"""Related words learned from the library's own text, for ranked query expansion (``Ranking.related_*``, an option
off in :data:`sucai.search.RANKING`; bench/relevance.py phase 24).

A word2vec model (gensim, skip-gram, Mikolov et al. 2013) is trained on the free view of every document
(:func:`sucai.access.free_view`: what every viewer may read, so no members-only word can reach a visitor through a
ranking moved by the table), one sentence per line, cut into words as the index cuts them
(:func:`sucai.analysis.words` of the normalised line); then each word of two characters or more keeps its nearest
words (cosine of the vectors), question and function words (:data:`sucai.query.QUESTION_WORDS`) and one-character
words left out. Training runs in one thread with a fixed seed, so the same texts give the same table. gensim is
imported only here, when a table is learned (it is in the ``test`` extra, not a dependency of the service).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from . import access, analysis
from .query import QUESTION_WORDS
from .store import Catalogue

_BLOCK = 512  # words whose neighbours are found in one matrix product (a block × vocabulary float32 matrix)


@dataclass(frozen=True, eq=False)   # compared and hashed by identity: a search's result-cache key holds it
class RelatedWords:
    """``table[word]``: the nearest words of ``word``, nearest first, each ``(word, cosine)`` (cosine in [−1, 1])."""

    table: dict[str, tuple[tuple[str, float], ...]]

    def of(self, word: str, count: int, least: float) -> list[tuple[str, float]]:
        """The first ``count`` related words of ``word`` with a cosine of at least ``least`` (none for an unknown
        word)."""
        return [(w, c) for w, c in self.table.get(word, ())[:count] if c >= least]

    def __repr__(self) -> str:
        return f"RelatedWords({len(self.table):,} words)"


def sentences(texts: Iterable[str]) -> list[list[str]]:
    """The lines of ``texts`` cut into words as the index cuts them (:func:`sucai.analysis.words` of each
    normalised line), empty lines left out; each word string interned (a library's words repeat)."""
    out = []
    for text in texts:
        for line in text.splitlines():
            found = [sys.intern(w) for w in analysis.words(analysis.normalize(line))]
            if found:
                out.append(found)
    return out


def learn(texts: Iterable[str], *, size: int = 100, window: int = 5, epochs: int = 5, min_count: int = 5,
          keep: int = 10, seed: int = 7) -> RelatedWords:
    """A :class:`RelatedWords` learned from ``texts`` (skip-gram with negative sampling: ``size`` dimensions, a
    context of ``window`` words either side, ``epochs`` passes, words seen fewer than ``min_count`` times left out);
    each word keeps its ``keep`` nearest words. Deterministic for the same texts (one worker, ``seed``)."""
    from gensim.models import Word2Vec

    model = Word2Vec(sentences(texts), vector_size=size, window=window, epochs=epochs, min_count=min_count,
                     sg=1, workers=1, seed=seed)
    return RelatedWords(nearest(model.wv.index_to_key, model.wv.get_normed_vectors(), keep))


def nearest(words: list[str], unit: np.ndarray, keep: int) -> dict[str, tuple[tuple[str, float], ...]]:
    """For each word of two characters or more, its ``keep`` nearest words by the cosine of their unit vectors
    (``unit[i]`` is ``words[i]``'s), themselves of two characters or more and no question word."""
    candidate = np.array([len(w) > 1 and w not in QUESTION_WORDS for w in words])
    rows = np.flatnonzero(candidate)
    table = {}
    for start in range(0, len(rows), _BLOCK):
        block = rows[start:start + _BLOCK]
        cosine = unit[block] @ unit.T
        cosine[:, ~candidate] = -2.0
        cosine[np.arange(len(block)), block] = -2.0   # a word is not its own neighbour
        top = np.argpartition(-cosine, keep, axis=1)[:, :keep]
        for row, word_at, best in zip(cosine, block, top):
            ordered = best[np.argsort(-row[best])]
            table[words[word_at]] = tuple((words[j], float(row[j])) for j in ordered if row[j] > -2.0)
    return table


def learn_from(catalogue: Catalogue, **options) -> RelatedWords:
    """:func:`learn` over the title and the free view of every document of ``catalogue`` that is not hidden
    (``options`` as :func:`learn`'s)."""
    return learn((f"{doc.title}\n{access.free_view(doc).text}" for doc in catalogue.documents(outline=False)
                  if not doc.hidden), **options)
