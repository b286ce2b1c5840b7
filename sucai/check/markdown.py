"""A Markdown draft as the text its writer wrote: what 查重 reads of a .md file.

A .md download of ours (:func:`sucai.export.markdown.to_markdown`) — a document's or a 写作台 draft's — is
``# 标题``, a metadata line ``> 文种：… ｜ 字数：… ｜ 来源：…``, headings as ``##``…, and text with ``\\*``, ``1\\.``
escapes. Read as it is, its markup and its metadata line were counted in the draft's 总字数 and could be
reported as 重合片段 (a 来源 named in the line and in a source). :func:`written_text` parses the Markdown
(markdown-it-py, CommonMark) and keeps the text only.
"""

from __future__ import annotations

import re
from collections import deque
from heapq import merge

from markdown_it import MarkdownIt

_FIELD = r"(?:文种|字数|来源|文号|日期)：[^｜\n]*"
_METADATA = re.compile(rf"{_FIELD}(?: ｜ {_FIELD})*")
"""The metadata line of our .md download (:func:`sucai.export.markdown._metadata`), its ``>`` aside: one or more
``名：值`` fields separated by `` ｜ ``; a value never holds ``｜``, so a match is linear in the line."""

_TEXT_BLOCKS = {"fence", "code_block", "html_block"}
_MARKERS = re.compile(r"(?:[>\s]|[-+*](?=\s)|\d{1,9}[.)](?=\s))*")
"""The quote and list markers opening a line, and the white space between them (one character at a time: linear)."""
_LINE_END = re.compile(r"\r\n?|\n")
"""A line's end as markdown-it reads it (its line numbers), not :meth:`str.splitlines`' (U+2028, ``\\f``…)."""


def written_text(markdown: str) -> str:
    """The text of the Markdown ``markdown``: one line per line of its headings, paragraphs, list items, code and
    HTML blocks (``\\n`` between them), without their markup (``#``, ``>``, emphasis, link targets, escapes: ``1\\.``
    reads ``1.``); an ordered list item keeps its number (``1. ``), a 公文 heading number its writer typed; a link
    reads as its text, an image as its description. Lines Markdown reads as no text are kept as written (:func:`_unread`):
    a link reference definition (a notes line ``[1]: 《关于某事的通知》``) and what is nested past markdown-it's limit
    (``>>>…> 正文``, twenty deep). The metadata line right after the title of our own download (``> 文种：… ｜
    字数：…``, :data:`_METADATA`, with a 字数 field) is left out. Linear in ``len(markdown)``; never raises."""
    md = MarkdownIt("commonmark")
    env: dict = {}
    tokens = md.parse(markdown, env)
    unread = _unread(tokens, env, md.options["maxNesting"], _LINE_END.split(markdown))
    lines: list[str] = []
    prefix = ""
    blocks = 0   # top-level blocks begun so far
    for at, token in enumerate(tokens):
        while unread and token.map and unread[0][0] < token.map[0]:
            lines.append(unread.popleft()[1])
        if token.level == 0 and token.nesting >= 0 and token.type != "inline":
            blocks += 1
        if token.type == "list_item_open" and token.info:   # an ordered item: its number and "." or ")"
            prefix = f"{token.info}{token.markup} "
        elif token.type == "inline":
            text = _inline(token.children or [])
            if not (blocks == 2 and _metadata_after_title(tokens, at, text)):
                lines.append(prefix + text)
            prefix = ""
        elif token.type in _TEXT_BLOCKS:
            lines.append(token.content.rstrip("\n"))
    return "\n".join(lines + [text for _, text in unread])


def _unread(tokens: list, env: dict, deepest: int, source: list[str]) -> deque[tuple[int, str]]:
    """The lines of ``source`` that markdown-it parsed to no text, ``(line number, its text)`` in order, without the
    quote and list markers that open them (:data:`_MARKERS`): those of link reference definitions (``env``; one
    defined again too), and those of a container opened ``deepest`` levels down (markdown-it's ``maxNesting``), whose
    content it leaves unparsed."""
    spans = merge([ref["map"] for ref in env.get("references", {}).values()],   # each in the order of the text
                  [ref["map"] for ref in env.get("duplicate_refs", [])],
                  [token.map for at, token in enumerate(tokens[:-1]) if token.nesting == 1 and token.map
                   and token.level >= deepest - 1 and tokens[at + 1].nesting == -1])
    lines = ((number, source[number][_MARKERS.match(source[number]).end():].rstrip())
             for start, end in spans for number in range(start, min(end, len(source))))
    return deque((number, text) for number, text in lines if text)


def _inline(children: list) -> str:
    """The text of an inline token's ``children``: text, code and images' descriptions; a line break a ``\\n``."""
    parts = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline(child.children or []))
        elif child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
    return "".join(parts)


def _metadata_after_title(tokens: list, at: int, text: str) -> bool:
    """Whether the inline token ``tokens[at]``, of the second top-level block, is our download's metadata line: the
    first block is a ``#`` title, this one a quote of one paragraph whose text is :data:`_METADATA` with a 字数."""
    return (tokens[0].type == "heading_open" and tokens[0].tag == "h1" and at >= 2
            and tokens[at - 2].type == "blockquote_open" and tokens[at + 2].type == "blockquote_close"
            and "字数：" in text and _METADATA.fullmatch(text) is not None)
