"""Text lines laid out on pages (PDF text layer or OCR) → paragraphs.

Steps: page furniture dropped (page-number lines such as "- 1 -", "–– - 1 - ––",
"第 3 页", "3/22", and header/footer lines repeated on most pages); lines joined
into paragraphs by their geometry; spaces next to CJK characters removed (the
layout gaps of cases B16 and B31). Shared by ``pdf`` and ``ocr``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median, quantiles

from sucai.readers.cjk import join_fragments, remove_cjk_spaces

_DECORATION = "-–—‒―_·•~～ \u3000"
_PAGE_NUMBER = re.compile(
    r"\d+|第\s*\d+\s*页(\s*[,，]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|(page\s*)?\d+(\s*of\s*\d+)?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？；：!?;:][”’」』）)]*\s*$")
_HEADING = re.compile(
    r"\s*(第[一二三四五六七八九十百零〇\d]+[章节条编部分款]|[一二三四五六七八九十]+[、．]|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d+(\.\s?\d+)*([.．、]|\s)|[①-⑳]|附件)")
_EDGE_LINES = 3  # page furniture is looked for among the first and last lines of a page…
_EDGE_BAND = 0.1  # …and in the top and bottom tenth of its height
_FURNITURE_MAX_CHARS = 60


@dataclass(frozen=True)
class Line:
    """One text line of a page: its text and the layout facts that decide paragraph breaks.

    ``indented`` means it starts more than about one character right of the
    left margin; ``short`` means it ends more than two characters before the
    typical right edge (so the paragraph ends here); ``edge`` means it is one of
    the first or last three lines of its page or lies in the top or bottom 10 %
    of the page, where headers, footers and page numbers live.
    """

    text: str
    indented: bool = False
    short: bool = False
    edge: bool = False


def is_page_number(text: str) -> bool:
    """True for a page-number line: "3", "- 1 -", "— 2 —", "–– - 1 - ––", "第 3 页", "第3页 共22页", "3/22", "Page 3"."""
    core = text.strip(_DECORATION)
    return bool(core) and bool(_PAGE_NUMBER.fullmatch(core))


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove page-number lines at page edges, and running headers/footers.

    A running header/footer is a line of at most 60 characters that, with its
    digits ignored, occurs on at least half the pages of a document of three or
    more pages and is an ``edge`` line on at least one of them. Its copies are
    removed wherever they are (some PDFs put the header mid-way in the text order).
    """
    counts = Counter(key for page in pages for key in {_furniture_key(line.text) for line in page})
    at_edges = {_furniture_key(line.text) for page in pages for line in page if line.edge}
    threshold = max(3, len(pages) / 2)
    repeated = {key for key, n in counts.items() if n >= threshold and key in at_edges}

    def is_furniture(line: Line) -> bool:
        return (line.edge and is_page_number(line.text)) or (
            len(line.text) <= _FURNITURE_MAX_CHARS and _furniture_key(line.text) in repeated)

    return [[line for line in page if not is_furniture(line)] for page in pages]


def _breaks_after(previous: Line, line: Line) -> bool:
    return (previous.short or line.indented or bool(_SENTENCE_END.search(previous.text))
            or bool(_HEADING.match(line.text)))


def join_paragraphs(lines: list[Line]) -> list[str]:
    """Join consecutive lines into paragraphs.

    A break is kept where the previous line ends with sentence-final punctuation
    (。！？；：), is short, or where the next line is indented or starts like a
    heading ("一、", "（一）", "第一章", "1.", "3.2 "). Joined pieces meet without a
    space when either side is CJK, else with one space.
    """
    paragraphs: list[str] = []
    previous: Line | None = None
    for line in lines:
        if previous is not None and not _breaks_after(previous, line):
            paragraphs[-1] = join_fragments(paragraphs[-1], line.text)
        else:
            paragraphs.append(line.text)
        previous = line
    return paragraphs


def mark_edges(lines: list[dict], page_height: float) -> list[dict]:
    """The raw lines of one page (in reading order) with "edge" set: one of the first or last three lines,
    or within the top or bottom tenth of the page (see Line)."""
    band = _EDGE_BAND * page_height
    last = len(lines) - _EDGE_LINES
    return [{**line, "edge": not _EDGE_LINES <= i < last or line["top"] < band or line["bottom"] > page_height - band}
            for i, line in enumerate(lines)]


def measure(pages: list[list[dict]]) -> list[list[Line]]:
    """Turn raw lines into Line objects, measuring margins over the whole document.

    Each raw line is a dict with "text", "x0", "x1", "top", "bottom" (any one
    unit, y growing downwards) and "edge" (see Line).
    """
    every = [line for page in pages for line in page]
    if len(every) < 2:
        return [[Line(line["text"], edge=line["edge"]) for line in page] for page in pages]
    size = median(line["bottom"] - line["top"] for line in every)
    left = quantiles([line["x0"] for line in every], n=10)[0]
    right = quantiles([line["x1"] for line in every], n=10)[-1]
    return [[Line(line["text"], indented=line["x0"] > left + 0.8 * size, short=line["x1"] < right - 2 * size,
                  edge=line["edge"]) for line in page] for page in pages]




def page_lines_to_text(pages: list[list[dict]]) -> str:
    """Paragraph text (one paragraph per line) from the raw lines of each page (see ``measure``)."""
    lines = [line for page in drop_furniture(measure(pages)) for line in page]
    return remove_cjk_spaces("\n".join(join_paragraphs(lines)))
