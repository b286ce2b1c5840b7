"""A synthetic plagiarism set: drafts made of passages copied from known documents, lightly
edited, mixed with original text, and the scoring of a 查重 report against that truth.

Used by ``tests/test_check.py`` (corpus tests) and ``bench/check.py``. Seeded, so a run
is reproducible.

- **Copied passages**: 10–300 characters of a library document (starting and ending at
  a letter or Han character), then lightly reworded: characters changed (about one Han
  character in 40 replaced by another), punctuation swapped (full-width ↔ half-width,
  、→，), two adjacent words swapped, sentences reordered (see :func:`edit`).
- **Original text**: words (of up to 4 characters) of some library document shuffled
  into sentences: text that is not in the library, with a realistic vocabulary.

Scoring counts letters, digits and Han characters (what a match can be made of):
precision and recall of copied characters, and of attribution (a character's source is
right when it is the passage's document, or another document holding the same passage,
e.g. a version of it), and the error of 总文字复制比.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from sucai import analysis
from sucai.fingerprint import skeleton_text

HAN = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
_SWAP_PUNCT = {"，": ",", ",": "，", "：": ":", "；": ";", "（": "(", "）": ")", "、": "，"}


@dataclass
class Passage:
    start: int          # span in the draft
    end: int
    doc_id: int
    original: str       # the passage as it is in the source, before the edits


@dataclass
class Draft:
    text: str
    passages: list[Passage]

    @property
    def true_ratio(self) -> float:
        solid = sum(1 for c in self.text if not c.isspace())
        copied = sum(1 for p in self.passages for c in self.text[p.start:p.end] if not c.isspace())
        return copied / solid if solid else 0.0


def passage(rng: random.Random, text: str, length: int) -> str | None:
    """A passage of about ``length`` characters starting and ending at a letter, digit or Han character."""
    if len(text) < length + 2:
        return None
    start = rng.randrange(len(text) - length)
    piece = text[start:start + length]
    piece = piece[next((i for i, c in enumerate(piece) if c.isalnum()), len(piece)):]
    piece = piece[:len(piece) - next((i for i, c in enumerate(reversed(piece)) if c.isalnum()), len(piece))]
    return piece if len(piece) >= min(10, length) and "\n" not in piece else None


def edit(rng: random.Random, piece: str, han: str) -> str:
    """Light rewording: about one Han character in 40 changed, half the punctuation swapped, and
    with probability 0.3 each two adjacent words swapped (passages of 30 characters or more)
    and the whole sentences reordered."""
    chars = list(piece)
    for i, c in enumerate(chars):
        if HAN.match(c) and rng.random() < 1 / 40:
            chars[i] = rng.choice(han)
        elif c in _SWAP_PUNCT and rng.random() < 0.5:
            chars[i] = _SWAP_PUNCT[c]
    piece = "".join(chars)
    words = analysis.words(piece)
    if len(piece) >= 30 and len(words) > 4 and rng.random() < 0.3:
        k = rng.randrange(len(words) - 1)
        a, b = words[k], words[k + 1]
        if a + b in piece:
            piece = piece.replace(a + b, b + a, 1)
    sentences = _SENTENCE.findall(piece)
    if len(sentences) > 3 and rng.random() < 0.3:  # whole sentences: the cut ones at both ends stay
        middle = sentences[1:-1]
        rng.shuffle(middle)
        piece = "".join([sentences[0], *middle, sentences[-1]])
    return piece


def original_text(rng: random.Random, source: str, length: int) -> str:
    """Words of ``source`` (of up to 4 characters: long names such as 全国人民代表大会常务委员会
    would be real matches) shuffled into sentences of 8–20 words: about ``length`` characters."""
    words = [w for w in analysis.words(analysis.normalize(source)) if HAN.search(w) and len(w) <= 4] or ["工作"]
    out = ""
    while len(out) < length:
        out += "".join(rng.choice(words) for _ in range(rng.randint(8, 20))) + rng.choice("。，；")
    return out


def make_draft(rng: random.Random, docs: list, passages: int, han: str, newline_every: int = 3) -> Draft:
    """A draft of ``passages`` copied passages from ``docs`` (objects with ``id`` and ``text``),
    each edited and followed by original text; a line break after some of them."""
    parts: list[str] = []
    found: list[Passage] = []
    size = 0
    while len(found) < passages:
        doc = rng.choice(docs)
        piece = passage(rng, doc.text, rng.randint(10, 300))
        if piece is None or not HAN.search(piece):
            continue
        edited = edit(rng, piece, han)
        found.append(Passage(size, size + len(edited), doc.id, piece))
        filler = original_text(rng, rng.choice(docs).text, rng.randint(20, 200))
        if len(found) % newline_every == 0:
            filler += "\n"
        parts += [edited, filler]
        size += len(edited) + len(filler)
    return Draft("".join(parts), found)


@dataclass
class Score:
    """Counts over letters, digits and Han characters of the drafts."""

    truth: int = 0         # copied
    detected: int = 0      # inside a reported match
    hit: int = 0           # both
    attributed: int = 0    # both, and the reported source holds the passage
    ratio_errors: list[float] = None

    def __post_init__(self):
        self.ratio_errors = self.ratio_errors or []

    @property
    def precision(self) -> float:
        return self.hit / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.hit / self.truth if self.truth else 1.0

    @property
    def attribution_precision(self) -> float:
        return self.attributed / self.hit if self.hit else 1.0

    @property
    def attribution_recall(self) -> float:
        return self.attributed / self.truth if self.truth else 1.0

    @property
    def max_ratio_error(self) -> float:
        return max(self.ratio_errors, default=0.0)

    def add(self, draft: Draft, report, holds) -> None:
        """Score ``report`` (a CheckReport) against ``draft``; ``holds(doc_id, passage)`` tells whether a
        document holds a passage (so that another copy of it is a right source)."""
        text = draft.text
        truth = [None] * len(text)
        for p in draft.passages:
            for i in range(p.start, p.end):
                truth[i] = p
        for i, c in enumerate(text):
            if not c.isalnum():
                continue
            match = next((m for m in report.matches if m.start <= i < m.end), None)
            passage_ = truth[i]
            self.truth += passage_ is not None
            self.detected += match is not None
            if match is not None and passage_ is not None:
                self.hit += 1
                self.attributed += match.doc_id == passage_.doc_id or holds(match.doc_id, passage_.original)
        self.ratio_errors.append(abs(report.copy_ratio - draft.true_ratio))


def holder(library):
    """``holds(doc_id, passage)``: the document's skeleton contains the passage's (cached per document)."""
    cache: dict[int, str] = {}

    def holds(doc_id: int, passage_text: str) -> bool:
        if doc_id not in cache:
            cache[doc_id] = skeleton_text(library.catalogue.get(doc_id).text)
        return skeleton_text(passage_text) in cache[doc_id]

    return holds
