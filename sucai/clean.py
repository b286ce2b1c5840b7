"""Cleaning: scraped text → clean text, with every removal recorded.

Cleaning is a list of small named rules (:data:`RULES`), applied in order. Each
rule looks at the current text and proposes *edits* — ``(start, end,
replacement, anchors)`` tuples, offsets in characters — and the driver applies them, records a
:class:`~sucai.model.Removal` per edit with the rule's name, and carries a few
*anchors* (the paid-content boundary, markdown heading lines) through every
edit so their offsets stay right in the final text.

What is removed: paid-content tags (``##paidbegin##``/``##paidend##``, and
``$$paidbegin$$``/``$$paidend$$`` which the FastAdmin CMS also uses; they become
the members span :attr:`Cleaned.paid_from`–:attr:`Cleaned.paid_until`),
zero-width and control characters, HTML markup, markdown link/rule lines, crawl
stamps, breadcrumbs, site adverts and contact solicitations (also a watermark glued to the
end of a real paragraph), and a source line such as "（来源：新华网）" (moved to
:attr:`Cleaned.source`), and a page's info line — a line of nothing but page fields, in any order:
"发布时间：2025-11-05 来源：某区财政局 作者：张三", "来源：某区财政局　发布时间：2025-11-05" — whole, its 来源 kept as a
source line's and its publication date in :attr:`Cleaned.published` for metadata. Titles written with spaces between the characters
("政 府 工 作 报 告") are closed up. Whitespace is tidied (trailing spaces, runs
of blank lines); that layout-only step is not recorded. Nothing else changes:
no width folding, no simplified/traditional conversion (that belongs to search).

For markdown input (``markdown=True``) the ``#`` heading marks, emphasis and
blockquote marks are markup: they are removed from the text, and each heading
line is kept in :attr:`Cleaned.headings` as ``(offset, depth)`` so the outline
knows it (see :func:`sucai.outline.analyse`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, gt, itemgetter

from .model import Removal

__all__ = ["Cleaned", "Rule", "RULES", "clean", "plain", "plain_lines"]


@dataclass
class Cleaned:
    """The result of :func:`clean`.

    ``text``: clean text, title line(s) still included, ``"\\n"`` line endings.
    ``paid_from``: offset in ``text`` of the first members-only character, or
    ``None`` when the input had no paid tags (or nothing is left inside them).
    ``removed``: every recorded removal, in rule order then text order.
    ``source``: the value of the first source line ("（来源：新华网）" → "新华网"), or None;
    ``sources``: every source line as ``(value, where in text it was removed)``, in
    text order (so metadata can tell which stood in the members-only part: a
    viewer without the member tier gets the first free one).
    ``published``: the publication date of every page info line removed ("发布时间：2025-11-05" →
    "2025-11-05", as written), with where in text the line was, in text order.
    ``paid_until``: offset where free text starts again after the last end tag
    (``##paidend##``/``$$paidend$$``), on its first non-space character; ``None``
    when the members-only part runs to the end (no end tag, nothing but
    whitespace after it — the usual case: only adverts followed the end tag —
    or a begin tag after the last end tag). Several tag pairs make one span,
    from the first begin tag to the last end tag. Becomes
    :attr:`sucai.model.Document.paid_until`.
    ``headings``: markdown heading lines as ``(offset of the line start, depth)``
    where depth is the number of ``#``; empty unless ``markdown=True``.
    All offsets are in characters.
    """

    text: str
    paid_from: int | None
    removed: list[Removal]
    source: str | None
    paid_until: int | None = None
    headings: list[tuple[int, int]] = field(default_factory=list)
    sources: list[tuple[str, int]] = field(default_factory=list)
    published: list[tuple[str, int]] = field(default_factory=list)


# An edit ``(start, end, repl, anchors)``: replace ``text[start:end]`` by ``repl``; each of ``anchors``, ``(kind,
# depth)`` pairs, marks its position. A plain tuple: a dense input makes one edit every few characters, and a
# tuple costs a fraction of an object's construction.
_Edit = tuple[int, int, str, tuple[tuple[str, int], ...]]


@dataclass(frozen=True)
class _Edits:
    """Edits (:data:`_Edit`) as four columns: starts, ends, replacements and anchors. No object per edit: a
    dense input makes one every few characters, and each tuple alive is one more the garbage collector walks —
    its passes over a large heap (an ingest's process) made such inputs ten times slower than ordinary text.
    ``split``: the text cut at the edits, when the rule found them by splitting it (:meth:`of_split`) — the
    text before each edit and the text it replaces, alternately, then the rest: the pieces :func:`_apply` and
    :func:`_removals` would otherwise slice again; None when not known. Iterating gives the edits as tuples."""

    starts: list[int]
    ends: list[int]
    repls: list[str]
    marks: list[tuple[tuple[str, int], ...]]
    split: list[str] | None = None

    @classmethod
    def of(cls, edits: Iterable[_Edit]) -> _Edits:
        """``edits`` as columns (as they are when already :class:`_Edits`)."""
        if isinstance(edits, _Edits):
            return edits
        edits = list(edits)
        return cls(*(list(map(itemgetter(column), edits)) for column in range(4)))

    @classmethod
    def of_split(cls, split: list[str], repl: str, marks: list[tuple[tuple[str, int], ...]] | None = None) -> _Edits:
        """The edits that replace by ``repl`` every other piece of ``split`` — the text cut at them (see ``split``):
        the text before each, the text it replaces, alternately, then the rest —, with ``marks`` (none when not
        given). Their spans are the running sum of the pieces' lengths: loops in C."""
        bounds = list(accumulate(map(len, split[:-1])))   # the end of each piece: an edit's start, then its end
        count = len(bounds) // 2
        return cls(bounds[0::2], bounds[1::2], [repl] * count, [()] * count if marks is None else marks, split)

    def __iter__(self) -> Iterator[_Edit]:
        return zip(self.starts, self.ends, self.repls, self.marks)

    def __len__(self) -> int:
        return len(self.starts)


@dataclass
class _State:
    """What rules carry besides the text: the values of the source lines and the publication dates of the
    info lines, in text order (an edit's ``("source", i)`` anchor marks where ``sources[i]`` was, its
    ``("published", i)`` anchor where ``published[i]`` was)."""

    sources: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """One cleaning rule: ``find(text, state)`` gives non-overlapping edits (:data:`_Edit`, or
    :class:`_Edits`) in text order.

    ``record=False`` marks layout-only rules whose edits are not listed in
    :attr:`Cleaned.removed`; they also see the whole text, while every other rule runs on each part between
    paid tags on its own (:func:`_find_by_part`). ``markdown_only`` rules run only for markdown input.
    """

    name: str
    find: Callable[[str, _State], Iterable[_Edit]]
    record: bool = True
    markdown_only: bool = False


# ---------------------------------------------------------------- helpers

_SPACE = " \t\u3000\xa0"
_LINE_BREAK = "\n"


def _line_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the whole line(s) holding ``text[start:end]``, including one trailing newline."""
    line_start = text.rfind(_LINE_BREAK, 0, start) + 1
    line_end = text.find(_LINE_BREAK, end)
    return line_start, len(text) if line_end < 0 else line_end + 1


def _regex_rule(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str] = "") -> Callable:
    """A ``find`` function that turns every match of ``pattern`` into an edit, in a list.

    A fixed ``repl`` for a pattern without groups needs no match object per match: split by the pattern in a
    group, the text comes apart into the text before each match and the match, and the running sum of their
    lengths gives the spans — loops in C, for inputs that hold a match every other character (a run of control
    characters, say), given as :class:`_Edits`. Such a pattern takes its flags as arguments, not inline (they
    must open the pattern).
    """
    fixed = isinstance(repl, str)
    if fixed and not pattern.groups:
        whole = re.compile(f"({pattern.pattern})", pattern.flags)

        def find(text: str, state: _State) -> _Edits:
            return _Edits.of_split(whole.split(text), repl)
    else:
        def find(text: str, state: _State) -> list[_Edit]:
            return [(*m.span(), repl if fixed else repl(m), ()) for m in pattern.finditer(text)]

    return find


def _line_rule(pattern: re.Pattern[str]) -> Callable:
    """A ``find`` function that deletes every whole line a match of ``pattern`` sits on."""

    def find(text: str, state: _State) -> Iterator[_Edit]:
        last_end = 0
        for m in pattern.finditer(text):
            start, end = _line_span(text, m.start(), m.end())
            if start >= last_end:
                last_end = end
                yield start, end, "", ()

    return find


# ---------------------------------------------------------------- paid tags

_PAID_TAG = re.compile(r"(##|\$\$)paid(begin|end)\1")


def members_tagged(text: str) -> bool:
    """Whether ``text`` holds a tag of the members part ("##paidbegin##", "$$paidend$$"…)."""
    return _PAID_TAG.search(text) is not None


def tagged_span(text: str) -> tuple[int, int | None] | None:
    """Where the members part the tags of ``text`` mark stands, as cleaning takes it (characters: its first begin
    tag, to its last end tag when no begin tag follows that one, else to the end: None); None when it tags none."""
    tags = [(m.start(), m.group(2)) for m in _PAID_TAG.finditer(text)]
    begins = [at for at, kind in tags if kind == "begin"]
    ends = [at for at, kind in tags if kind == "end" and begins and at > begins[-1]]
    return (begins[0], ends[-1] if ends else None) if begins else None


def _find_paid_tags(text: str, state: _State) -> Iterator[_Edit]:
    if "paid" not in text:   # (a scan in C: the pattern's search stops at every # and $ of a markdown text)
        return
    for m in _PAID_TAG.finditer(text):
        yield m.start(), m.end(), "", (("paid_" + m.group(2), 0),)


# ---------------------------------------------------------------- invisible characters

# Zero-width space/joiners, word joiner, BOM, bidi marks, embeddings, overrides and isolates, soft
# hyphen, and C0/C1 controls except \t and \n (\r is already gone: line endings are normalised first).
# ESC and CSI are among them, so no terminal escape sequence survives cleaning.
_FORMAT_CHARS = "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\x7f-\x9f"
_INVISIBLE = re.compile(f"[{_FORMAT_CHARS}\x00-\x08\x0b-\x1f]+")
_NOT_PLAIN = re.compile(f"[{_FORMAT_CHARS}\x00-\x1f]+")


_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def well_formed(text: str) -> str:
    """``text`` with each lone surrogate (half of a UTF-16 pair: what JSON's ``"\\ud800"`` or an
    undecodable byte of a command line decodes to) replaced by U+FFFD, the replacement character:
    text that UTF-8 — pages, files, databases, OpenCC, tantivy — can take. Same length; linear."""
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text


# XML 1.0 (what a .docx or an HTML report is written in) cannot carry C0 controls other than \t, \n and
# \r, nor U+FFFE/U+FFFF. A vertical tab (Word's manual line break), a form feed (a page break) and the
# file/group/record separators (which str.splitlines also takes as line breaks) are line breaks.
_XML_BREAKS = "\x0b\x0c\x1c\x1d\x1e"
_NOT_XML = re.compile(f"[\x00-\x08{_XML_BREAKS}\x0e-\x1f\ufffe\uffff]")
_TO_XML = str.maketrans({**{c: " " for c in map(chr, [*range(0x09), *range(0x0e, 0x20)])},
                         **{c: "\n" for c in _XML_BREAKS}, "\ufffe": REPLACEMENT, "\uffff": REPLACEMENT})


def xml_safe(text: str) -> str:
    """``text`` as XML 1.0 can carry it (every .docx and HTML writer), the same length: a vertical tab,
    form feed or \x1c–\x1e becomes a line break (\n), another C0 control but \t, \n, \r a space, and
    U+FFFE, U+FFFF and lone surrogates (:func:`well_formed`) U+FFFD. Linear."""
    return well_formed(text.translate(_TO_XML) if _NOT_XML.search(text) else text)


def plain(value: str) -> str:
    """A one-line field (title, file name, 来源, token name…) without control, zero-width or bidi
    formatting characters: each run becomes one space, then the ends are stripped. Terminal escape
    sequences lose their ESC/CSI and cannot act on a terminal."""
    return _NOT_PLAIN.sub(" ", value).strip() if _NOT_PLAIN.search(value) else value


def display_name(raw: str | None) -> str:
    """A user's file name (an upload's, a draft file's) for showing only — every message that names one: its last
    part (after any / or \\), NFC, a one-line field (:func:`plain`: no control, zero-width or bidi character —
    「报告\u202etxt.exe」 would show as 「报告exe.txt」), at most 120 characters; 「（无文件名）」 when nothing is left."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = plain(re.split(r"[\\/]", name)[-1])
    return name[:120] or "（无文件名）"


_NOT_IN_LINES = re.compile(f"[{_FORMAT_CHARS}\x00-\x08\x0b-\x1f]")


def plain_lines(value: str) -> str:
    """Text of several lines (a traceback) as :func:`plain` leaves a field, its lines and their indents kept: each
    control, zero-width or bidi formatting character but a tab or a line break (\\n) becomes U+FFFD, one for one."""
    return _NOT_IN_LINES.sub(REPLACEMENT, value)

# ---------------------------------------------------------------- HTML markup

_HTML_COMMENT = "<!--"   # an opener only: its end is found by _find_html (one scan, never one per opener)
_HTML_BREAK = r"<br\s*/?>|<hr\b[^<>]*>|</(?:p|div|h[1-6]|li|tr|table|section|article|blockquote|ul|ol)\s*>"
_HTML_TAG = (
    r"</?(?:p|div|span|strong|b|i|em|u|s|font|a|img|h[1-6]|ul|ol|li|table|tbody|thead|tr|td|th"
    r"|section|article|center|sup|sub|blockquote|pre|code|hr|br|o:p)\b[^<>\n]*>"
)
_HTML_ENTITY = r"&(?:nbsp|amp|lt|gt|quot|apos|ldquo|rdquo|lsquo|rsquo|mdash|hellip|middot|#\d{2,6}|#x[0-9a-fA-F]{2,5});"
_HTML = re.compile(  # the "<" or "&" markup starts with, alone (a class re's search skips to); the markup in a look-ahead
    f"[<&](?<=(?=(?:(?P<comment>{_HTML_COMMENT})|(?P<brk>{_HTML_BREAK})|(?P<tag>{_HTML_TAG})|(?P<ent>{_HTML_ENTITY}))).)",
    re.IGNORECASE,
)


def _find_html(text: str, state: _State) -> Iterator[_Edit]:
    """Comments (``<!--`` … ``-->``), tags, line-breaking tags and entities.

    Linear: a comment's end is looked for once per comment, and once no ``-->``
    follows an opener none follows any later one, so unclosed openers stay text
    without another scan to the end.
    """
    pos, closed = 0, True
    while (m := _HTML.search(text, pos)) is not None:
        pos = m.end(m.lastgroup)   # the markup's end (the match is its first character)
        if m.group("comment"):
            end = text.find("-->", pos) if closed else -1
            if end < 0:
                closed = False
                continue
            pos = end + 3
            yield m.start(), pos, "", ()
        elif m.group("brk"):
            yield m.start(), pos, "\n", ()
        elif m.group("ent"):
            yield m.start(), pos, html.unescape(m.group("ent")).replace("\xa0", " "), ()
        else:
            yield m.start(), pos, "", ()


# ---------------------------------------------------------------- markdown



def _line_start(first: str, line: str) -> re.Pattern[str]:
    """A pattern of a line from its start: ``line`` (a pattern of a whole line, without "^", whose every match
    starts with a character of ``first``) looked at in a look-ahead from a line's first character, which the match
    is, alone — a class re's search skips to in C (a pattern opening with "^" has re call its matcher at every
    character: 2–4× the CPU); ``line``'s groups are set."""
    return re.compile(f"[{first}](?<=^(?={line}).)", re.MULTILINE)


# Link text and URL stop at the next "[": each opener scans only up to the next one (linear);
# a bare URL is taken whole (possessive), so a line of glued URLs cannot backtrack exponentially.
_MD_LINK_ITEM = r"!?\[[^\[\]\n]*\]\([^\[)\n]*\)"
_MD_LINK_LINE = _line_start(r" \t!\[h", rf"[ \t]*+(?:{_MD_LINK_ITEM}[ \t]*+|https?://[^\s\[]++[ \t]*+)+$")
_MD_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\([^\[)\n]*\)")
_MD_LINK = re.compile(r"\[([^\[\]\n]+)\]\((?:https?:|/|\.)[^\[)\n]*\)")
_MD_RULE_LINE = _line_start(r" \t\-*_=", r"[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,})[ \t]*$")
# (these open with the character they consume, which re's search skips to, a look-behind placing it at a line start)
_MD_HEADING = re.compile(r"(?m)((#(?<=^#)#{0,5})[ \t]+)")  # the marks with the spaces after them; the marks
_MD_QUOTE = re.compile(r">(?<=^>)[ \t]?", re.MULTILINE)
_MD_EMPHASIS_MARK = re.compile(r"[*_](?<=(?=(\*\*|__)).)")   # where a mark starts: its first character


def _find_md_emphasis(text: str, state: _State) -> Iterator[_Edit]:
    """``**x**`` / ``__x__`` → ``x``: what ``(\\*\\*|__)(?=\\S)([^\\n]+?)(?<=\\S)\\1`` matches, in O(n log n).

    An opener is a mark followed by a non-space; its closer is the nearest same mark at
    least one character later on the same line, preceded by a non-space. Closers are
    found by bisection in a precomputed list instead of a scan to the line end from
    every opener (which made runs of ``**x `` quadratic).
    """
    marks = [(m.start(), m.group(1)) for m in _MD_EMPHASIS_MARK.finditer(text)]
    if not marks:  # most texts: no list of line ends to make
        return
    closers = {kind: [at for at, k in marks if k == kind and at > 0 and not text[at - 1].isspace()]
               for kind in ("**", "__")}
    newlines = [m.start() for m in re.finditer("\n", text)]
    cursor = 0
    for at, kind in marks:
        if at < cursor or at + 2 >= len(text) or text[at + 2].isspace():
            continue
        candidates = closers[kind]
        i = bisect_left(candidates, at + 3)
        line = bisect_left(newlines, at)
        line_end = newlines[line] if line < len(newlines) else len(text)
        if i == len(candidates) or candidates[i] >= line_end:
            continue
        close = candidates[i]
        cursor = close + 2
        yield at, cursor, text[at + 2 : close], ()


_HEADING_MARKS = [(("heading", depth),) for depth in range(7)]  # an edit's anchors, by the number of "#"


def _find_md_headings(text: str, state: _State) -> _Edits:
    """Each heading mark with the spaces after it, anchored with its depth (the number of ``#``). Split by the
    pattern's two groups, the text comes apart into (text before, marks and spaces, marks) triples: loops in C,
    for a text of nothing but heading lines."""
    pieces = _MD_HEADING.split(text)
    split = [""] * (len(pieces) // 3 * 2 + 1)
    split[0::2], split[1::2] = pieces[0::3], pieces[1::3]
    return _Edits.of_split(split, "", list(map(_HEADING_MARKS.__getitem__, map(len, pieces[2::3]))))


# ---------------------------------------------------------------- crawl stamps

# A time stamp in brackets, or a line of a page's counters or buttons. Matched from its first character, a class
# re's search skips to (a line start is none: a pattern opening with one is tried at every character, 4× the CPU):
# a line's is looked back at for the line from its start ("^", the stamp line in a look-ahead), then taken to its end.
_CRAWL_LINE = (r"[ \t]*(?:(?:浏览次数|阅读次数|点击次数|阅读量|字号)[ \t]*[:：][^\n]*"
               r"|(?:【[ \t]*)?(?:打印本页|关闭窗口|分享到)[^\n]{0,20})$")
_CRAWL_STAMP = re.compile(
    r"[（( \t浏阅点字【打关分](?:(?<=[（(])[ \t]*(?:更新|抓取|采集|爬取)?时间戳[ \t]*[:：][ \t]*\d{10,13}[ \t]*[)）]"
    rf"|(?<=^(?={_CRAWL_LINE}).)[^\n]*)",
    re.MULTILINE,
)

# ---------------------------------------------------------------- breadcrumbs

# A page's breadcrumb, site furniture like its counters: a line from the home page or "当前位置：" through the site's
# sections, separated by > › » ＞ or /, to the page — 「首页 > 通知公告 > 正文」, 「当前位置：首页 » 政务公开」. A section holds
# no white space, separator or sentence mark, so each character is read once (linear).
_CRUMB = r"[^\s>›»＞/，。；！？]{1,20}"
_CRUMB_SEPARATOR = r"[ \t\u3000]*[>›»＞/][ \t\u3000]*"
_BREADCRUMB = _line_start(
    r" \t\u3000首主网当您位",
    rf"[ \t\u3000]*(?:(?:(?:当前|您的|您现在的|您当前的)?位置[:：][ \t\u3000]*(?:{_CRUMB}{_CRUMB_SEPARATOR})?)"
    rf"|(?:网站)?(?:首页|主页){_CRUMB_SEPARATOR})(?:{_CRUMB}{_CRUMB_SEPARATOR})*{_CRUMB}[ \t\u3000]*$")

# ---------------------------------------------------------------- source line

_SOURCE_WORD = r"(?:来源|稿件来源|文章来源|信息来源|本文来源|新闻来源)"
_SOURCE = re.compile(rf"[（(][ \t]*{_SOURCE_WORD}[ \t]*[:：][ \t]*(?P<value>[^（()）\n]{{1,30}}?)[ \t]*[）)][ \t]*$",
                     re.MULTILINE)
# A page's info line: a line of nothing but page fields — "发布时间：2025-11-05 来源：某区财政局 作者：张三",
# "来源：某区财政局　发布时间：2025-11-05", "【打印】【关闭】", "字号：大 中 小", "【字体：大 中 小】", "阅读：56" — in any order, separated by spaces
# or bars. Each field's value holds no space, colon or bar, so where one field ends and the next begins is
# fixed by the next colon: a line is matched in one pass. A line longer than _INFO_LINE_CHARS is no info line.
_SPACES = r"[ \t\u3000\xa0]"
_DIGIT = "[0-9０-９]"
_DATE_WRITTEN = (rf"(?:19|20){_DIGIT}{{2}}[-./／年]{_DIGIT}{{1,2}}[-./／月]{_DIGIT}{{1,2}}[日号]?"
                 rf"(?:{_SPACES}*{_DIGIT}{{1,2}}[:：时]{_DIGIT}{{1,2}}(?:[:：分]{_DIGIT}{{1,2}}秒?)?)?")
_PUBLISHING = r"(?:发布|发表|更新|发稿)"
_VALUE = r"[^\s:：|｜【】\[\]，。；]"
_INFO_FIELD = (
    rf"(?P<dated>{_PUBLISHING}?(?:时间|日期)){_SPACES}*[:：]{_SPACES}*(?P<date>{_DATE_WRITTEN})"
    rf"|{_SOURCE_WORD}{_SPACES}*[:：]{_SPACES}*(?P<source>{_VALUE}{{1,30}})"
    rf"|(?:作者|编辑|责任编辑|责编|撰稿|供稿|审核|摄影){_SPACES}*[:：]{_SPACES}*{_VALUE}{{0,20}}"
    rf"|(?:浏览次数|阅读次数|点击次数|点击数|点击量|浏览量|阅读量|访问量|浏览|阅读|点击){_SPACES}*[:：]{_SPACES}*{_DIGIT}{{0,9}}次?"
    rf"|[【\[]?字[号体][:：]?(?:{_SPACES}*[【\[]?[大中小][】\]]?){{1,3}}[】\]]?"
    rf"|[【\[]?(?:打印本页|打印|关闭窗口|关闭|收藏本页|收藏|分享到|分享|返回顶部)[】\]]?"
)
_INFO_FIELDS = re.compile(rf"(?:{_INFO_FIELD})(?:{_SPACES}|[|｜/])*")
# A line opening with a page field's name and a colon (group "fields": where the first field starts, after the indent);
# the first characters are those of the spaces and the names (a test checks them)
_INFO_OPENER = _line_start(
    " \t\u3000\xa0发更时日来稿文信本新作编责撰供审摄",
    rf"{_SPACES}*(?P<fields>)(?=(?:{_PUBLISHING}?(?:时间|日期)|{_SOURCE_WORD}|作者|编辑|责任编辑|责编|撰稿|供稿|审核|摄影)"
    rf"{_SPACES}*[:：])")
_INFO_LINE_CHARS = 200


def _find_source(text: str, state: _State) -> Iterator[_Edit]:
    """A page's info line goes whole — its 来源 and its publication date kept (anchored where the line
    was); a source in brackets goes whole when it is a line of its own, else from the bracket to the line
    end (a bracket after a sentence)."""
    last_end = 0
    for opener in _INFO_OPENER.finditer(text):
        line_start, line_end = _line_span(text, opener.start(), opener.start())
        if line_start < last_end:
            continue
        fields = _info_fields(text, opener.start("fields"), line_end)
        if fields is not None:
            yield from _paren_sources(text, state, last_end, line_start)
            yield line_start, line_end, "", _info_anchors(state, fields)
            last_end = line_end
    yield from _paren_sources(text, state, last_end, len(text))


def _paren_sources(text: str, state: _State, start: int, end: int) -> Iterator[_Edit]:
    """The bracketed source lines of ``text[start:end]`` (see :func:`_find_source`)."""
    for m in _SOURCE.finditer(text, start, end):
        anchor = ("source", len(state.sources))
        state.sources.append(m.group("value"))
        line_start, line_end = _line_span(text, m.start(), m.end())
        whole_line = not text[line_start : m.start()].strip(_SPACE)
        yield (line_start, line_end, "", (anchor,)) if whole_line else (m.start(), m.end(), "", (anchor,))


def _info_fields(text: str, start: int, line_end: int) -> list[re.Match[str]] | None:
    """The fields of the info line running from ``start`` (its first field) to ``line_end``, or None when it
    is no info line: something else stands on it, it is too long, or it names neither a 来源 nor a
    publication date (a bare "时间：…" line is a meeting's time, unless a 来源 stands beside it)."""
    end = line_end - text.startswith("\n", line_end - 1)
    if end - start > _INFO_LINE_CHARS:
        return None
    fields, pos = [], start
    while pos < end:
        m = _INFO_FIELDS.match(text, pos, end)
        if m is None:
            return None
        fields.append(m)
        pos = m.end()
    has_source = any(m.group("source") for m in fields)
    published = any(m.group("dated") and m.group("dated").startswith(("发布", "发表", "更新", "发稿")) for m in fields)
    return fields if has_source or (published and any(m.group("date") for m in fields)) else None


def info_line(line: str) -> dict[str, str]:
    """The 来源 (``"source"``) and first date (``"date"``, as written) of ``line`` when it is a page's info line, its
    fields read as :func:`_find_source` reads them ("发布时间：2025-11-05 来源：某区财政局 作者：张三"; at most 200
    characters, spaces around it ignored), the keys it names; ``{}`` when it is no info line."""
    line = line.strip(_SPACE)
    fields = _info_fields(line, 0, len(line))
    found = ((key, next((m.group(key) for m in fields if m.group(key)), None)) for key in ("source", "date"))
    return {key: value for key, value in found if value} if fields else {}


def _info_anchors(state: _State, fields: list[re.Match[str]]) -> tuple[tuple[str, int], ...]:
    """The anchors of an info line's 来源 and its first date, their values kept in ``state``."""
    anchors = []
    source = next((m.group("source") for m in fields if m.group("source")), None)
    if source:
        anchors.append(("source", len(state.sources)))
        state.sources.append(source)
    date = next((m.group("date") for m in fields if m.group("date")), None)
    if date:
        anchors.append(("published", len(state.published)))
        state.published.append(date)
    return tuple(anchors)


# ---------------------------------------------------------------- adverts and solicitations

# Signals that only adverts and contact solicitations carry. A plain mention of
# 会员 or 公众号 in prose is not a signal: each needs an ID, a solicitation verb
# or ad wording next to it. Kinds: contact IDs, join/add/scan requests, "more
# material" teasers, paywall notices, ghost-writing offers, anti-counterfeit and
# reposting notices, site brand tags.
_AD_SIGNALS = [
    r"(?:公众号|微信号|微信|QQ群?|群号|VX|V信|薇信|威信|客服)[ \t]*[:：]",
    r"(?:资料|素材|范文|材料)请加",
    r"请加(?![强快大紧以倍深速重])[^。\n，]{0,12}(?:公众号|微信|QQ|群|好友|客服|VX)",
    r"(?:进|加入?|入)(?:微信|QQ|会员|交流|读者|粉丝)群",
    r"会员群|网盘群|网盘(?:链接|提取|下载|地址)|提取码",
    r"(?:查看|获取|下载|领取)更多[^。\n]{0,15}(?:资料|素材|范文|材料|干货)",
    r"更多(?:资料|素材|范文|干货)[^。\n]{0,6}(?:请|加|关注|搜索)",
    r"关注[^。\n，]{0,12}(?:公众号|微信号)[^。\n]{0,15}(?:获取|领取|回复|下载|查看|了解更多)",
    r"扫码(?:关注|加入|添加|领取|进群|下载)|扫一扫|长按(?:识别|扫描|二维码)",
    r"有意加入[^。\n]{0,6}(?:请|联系|加)|欢迎加入[^。\n]{0,15}(?:会员|群|svip|vip)",
    r"添加客服|联系客服|客服微信|小编微信",
    r"谨防假冒(?!伪劣|产品|商品)",
    r"(?:各类|专业|承接|提供|原创)代(?:笔|写)|代(?:笔|写)(?:客服|业务|服务|润色)|接单中|持续接单",
    r"本文来源于网络|来源于网络[^。\n]{0,6}侵|如有侵权|侵权请联系|转载请注明|版权归原作者",
    r"svip|vip会员|开通会员|升级会员|成为会员|会员专享|会员可见|付费阅读|免费预览|下载全文|全文下载",
    r"^[ \t\u3000]*【[^】\n]{1,12}(?:素材库|文库|资料库|代笔|公众号|小编|写作)】",
    # a site's tag holding its address or a download offer: "【范文网 www.fanwen123.com 免费下载】"
    r"^[ \t\u3000]*【(?=[^】\n]{0,60}?(?:www\.|://|下载|上传))[^】\n]{1,60}】",
    # an upload notice: "本文档由 公文文库 用户上传，仅供参考学习"
    r"(?:本文档?|本资料)由[^。\n]{1,20}上传|仅供(?:参考)?(?:学习|交流)",
]
# Every character a signal can start with, each letter in every case IGNORECASE matches (ſ is an s); the signals
# written with "^" start a line with spaces or "【" instead. A match is the character a signal starts at, alone:
# the pattern consumes one of these first — a class re's search skips to in C — and looks back at it for a
# signal starting there (the signals in a look-ahead inside the look-behind), so no signal is tried at any other
# character and no position costs a call of the matcher (a search guarded by a look-ahead did: half the CPU).
# Tests check that this list holds the first characters of every signal, in every case, and that the edits are
# those of the signals searched plainly: all an edit needs is where a signal starts (an advert goes to its line's
# end, and no signal runs across a line break).
_AD_FIRST = "公微Qq群Vv薇威客资素范材请进加入会网提查获下领更关扫长有欢添联小谨各专承原代接持本来如侵转版Ssſ开升成付免全仅"
_AD = re.compile(f"[{_AD_FIRST} \t\u3000【](?<=(?=(?i:"
                 + "|".join(f"(?:{s})" for s in _AD_SIGNALS if not s.startswith("^"))
                 + "|^(?:" + "|".join(f"(?:{s[1:]})" for s in _AD_SIGNALS if s.startswith("^")) + "))).)",
                 re.MULTILINE)
_SENTENCE_END = "。！？!?；;…"


def _ad_start(text: str, line_start: int, hit: int) -> int:
    """Where the advert holding ``text[hit]`` begins: just after the previous sentence end on its line."""
    cut = max(text.rfind(ch, line_start, hit) for ch in _SENTENCE_END)
    if cut < 0:
        return line_start
    while cut + 1 < hit and text[cut + 1] in "”’\"'）)":
        cut += 1
    return cut + 1


def _find_ads(text: str, state: _State) -> Iterator[_Edit]:
    """Advert lines go whole; an advert glued after a real sentence goes up to its line end."""
    last_end = 0
    for m in _AD.finditer(text):
        if m.start() < last_end:
            continue
        line_start, line_end = _line_span(text, m.start(), m.start())
        start = _ad_start(text, line_start, m.start())
        if text[line_start:start].strip(_SPACE):
            end = line_end - 1 if text.endswith("\n", 0, line_end) else line_end
        else:
            start, end = line_start, line_end
        last_end = max(end, line_end)
        yield start, end, "", ()


# ---------------------------------------------------------------- spaced titles

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_GAP = re.compile(r"[ \t\u3000]+")
# A line of 3 to 16 characters with gaps between them, "政 府 工 作 报 告" (a title spread to a width): its first
# character (group 1), the gap after it (2) and the rest (3).
_SPACED_TITLE = re.compile(
    rf"(?m)^[ \t\u3000]*([{_HAN}])([ \t\u3000]+)((?:[{_HAN}][ \t\u3000]+){{1,14}}[{_HAN}])[ \t\u3000]*$")


def _gap_width(gap: str) -> int:
    """A gap's width in half-width cells (an ideographic space U+3000 takes two)."""
    return len(gap) + gap.count("\u3000")


def _find_spaced_titles(text: str, state: _State) -> Iterator[_Edit]:
    """Each spaced title line closed up, without the spaces around it — but a line whose first gap is narrower
    than every gap after it: a label, then a heading spread to a width, 「二　富　　农」 (a two-character heading
    spaced to four), kept as written as 「第一章　总　　则」 is (the outline reads label 二, heading 富　　农, shown
    「二 富农」)."""
    for m in _SPACED_TITLE.finditer(text):
        first, gap, spaced = m.groups()
        if _gap_width(gap) >= min(map(_gap_width, _GAP.findall(spaced))):
            yield *m.span(), first + _GAP.sub("", spaced), ()


# ---------------------------------------------------------------- whitespace

# A run of spaces at a line end, matched from the run's first character only (the look-behind sees the
# character before it). Written to start with the space, so the search skips to the next space at once.
_TRAILING_SPACE = re.compile(r"[ \t\u3000\xa0](?<![ \t\u3000\xa0]{2})[ \t\u3000\xa0]*$", re.MULTILINE)
# A run of line breaks after a blank line, at the start, or at the end of the text — each read after the run's first
# line break, which the pattern opens with: re's search skips to the next one at once (a look-ahead for it did not)
_BLANK_RUNS = re.compile(r"\n(?:(?<=\n\n\n)\n*|(?<![\s\S]\n)\n*|(?<!\n\n)\n*\Z)")

# ---------------------------------------------------------------- the rules, in order

RULES: list[Rule] = [
    Rule("paid_tags", _find_paid_tags),
    Rule("invisible_chars", _regex_rule(_INVISIBLE)),
    Rule("html_markup", _find_html),
    Rule("link_lines", _line_rule(_MD_LINK_LINE)),
    Rule("markdown_images", _regex_rule(_MD_IMAGE), markdown_only=True),
    Rule("markdown_links", _regex_rule(_MD_LINK, lambda m: m.group(1))),
    Rule("rule_lines", _line_rule(_MD_RULE_LINE)),
    Rule("crawl_stamps", _regex_rule(_CRAWL_STAMP)),
    Rule("breadcrumbs", _line_rule(_BREADCRUMB)),
    Rule("source_line", _find_source),
    Rule("ads", _find_ads),
    Rule("markdown_headings", _find_md_headings, markdown_only=True),
    Rule("markdown_quotes", _regex_rule(_MD_QUOTE), markdown_only=True),
    Rule("markdown_emphasis", _find_md_emphasis, markdown_only=True),
    Rule("spaced_title", _find_spaced_titles),
    Rule("trailing_space", _regex_rule(_TRAILING_SPACE), record=False),
    Rule("blank_lines", _regex_rule(_BLANK_RUNS), record=False),
]


# ---------------------------------------------------------------- driver


@dataclass
class _Anchors:
    """Places in the text that edits move, sorted by position, as parallel lists — no object per anchor: a dense
    input makes one every few characters. ``pos``: the offsets; ``kind``: "paid_begin", "paid_end", "heading",
    "source" or "published"; ``depth``: a heading's number of "#", the index of a source's or a date's value
    in :class:`_State`. Iterating gives ``(pos, kind, depth)``."""

    pos: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, str, int]]:
        return zip(self.pos, self.kind, self.depth)

    def __len__(self) -> int:
        return len(self.pos)

    def of_kind(self, kind: str) -> tuple[list[int], list[int]]:
        """The positions and depths of the anchors of ``kind``, in order (loops in C)."""
        if kind not in self.kind:
            return [], []
        if self.kind.count(kind) == len(self.kind):   # (a text of nothing but heading lines)
            return list(self.pos), list(self.depth)
        chosen = list(map(kind.__eq__, self.kind))
        return list(compress(self.pos, chosen)), list(compress(self.depth, chosen))

    def add(self, born: _Anchors) -> None:
        """Add ``born`` and sort all by position (stable: of equal ones, those already here first)."""
        self.pos += born.pos
        self.kind += born.kind
        self.depth += born.depth
        if any(map(gt, self.pos, self.pos[1:])):  # else sorted already (a paid_end may pass another: _apply)
            order = sorted(range(len(self.pos)), key=self.pos.__getitem__)
            self.pos, self.kind, self.depth = ([column[i] for i in order] for column in (self.pos, self.kind,
                                                                                       self.depth))


def _apply(text: str, edits: _Edits, anchors: _Anchors) -> tuple[str, _Edits]:
    """Apply non-overlapping ``edits`` (text order), move ``anchors`` and add the edits' own.

    An anchor inside a replaced span moves to the start of the replacement, but the end of a members part
    (``paid_end``) strictly inside one moves to its end: a rewrite that runs across the end tag (markdown
    emphasis, a spaced title closed up, an entity) leaves its whole replacement in the members part, so that no
    members character becomes free text (the start of a members part moves to the start: the same, the other way).
    Returns the new text and the edits actually applied (an edit starting before the end of the last one applied
    is skipped). ``anchors`` is updated in place. Loops in C, over the columns.
    """
    if any(map(gt, edits.ends, edits.starts[1:])):  # overlapping edits: keep those a walk in text order applies
        edits = _Edits.of(_in_turn(edits))
    starts, ends, repls, marks = edits.starts, edits.ends, edits.repls, edits.marks
    if edits.split is None:
        pieces = [""] * (2 * len(starts) + 1)
        pieces[0::2] = map(text.__getitem__, map(slice, [0, *ends], [*starts, len(text)]))
    else:
        pieces = list(edits.split)
    pieces[1::2] = repls
    if anchors:
        _move_anchors(anchors, edits)
    born = _Anchors()
    if any(marks):   # each anchor of an edit at its start in the new text: the end of the piece before it
        marked = list(compress(marks, marks))
        flat = list(chain.from_iterable(marked))
        at = compress(islice(accumulate(map(len, pieces)), 0, None, 2), marks)
        born.pos += at if len(flat) == len(marked) else chain.from_iterable(map(repeat, at, map(len, marked)))
        born.kind += map(itemgetter(0), flat)
        born.depth += map(itemgetter(1), flat)
    anchors.add(born)   # (sorts them again: a paid_end may have passed another)
    return "".join(pieces), edits


def _in_turn(edits: Iterable[_Edit]) -> Iterator[_Edit]:
    """The ``edits`` a walk in text order applies: each that starts at or after the end of the last one kept."""
    cursor = 0
    for edit in edits:
        if edit[0] >= cursor:
            cursor = edit[1]
            yield edit


def _move_anchors(anchors: _Anchors, applied: _Edits) -> None:
    """Move ``anchors`` by the ``applied`` edits as :func:`_apply` says: one walk over both, the anchors before
    each edit and inside it found by bisection."""
    pos, kinds = anchors.pos, anchors.kind
    done = shift = 0  # pos[:done] are moved; shift: the length change of the edits so far
    for start, end, repl, _ in applied:
        inside = bisect_left(pos, start, done)
        after = bisect_left(pos, end, inside)
        if after > done:
            if shift:
                pos[done:inside] = map(add, pos[done:inside], repeat(shift))
            new_start, new_end = start + shift, start + shift + len(repl)
            if "paid_end" in kinds[inside:after]:
                pos[inside:after] = [new_end if kind == "paid_end" and at > start else new_start
                                     for at, kind in zip(pos[inside:after], kinds[inside:after])]
            else:
                pos[inside:after] = repeat(new_start, after - inside)
            done = after
            if done == len(pos):
                return
        shift += len(repl) - end + start
    pos[done:] = map(add, pos[done:], repeat(shift))


def _removals(rule: str, text: str, edits: _Edits) -> list[Removal]:
    """A :class:`Removal` of ``rule`` per edit of ``text`` that drops something, in edit order. Equal pieces share
    one (frozen) record: a dense input drops the same few characters thousands of times, and building a frozen
    dataclass costs a microsecond."""
    dropped = map(text.__getitem__, map(slice, edits.starts, edits.ends)) if edits.split is None else edits.split[1::2]
    pieces = list(filter(None, dropped))   # those not empty
    records = {piece: Removal(rule, piece) for piece in set(pieces)}
    return list(map(records.__getitem__, pieces))


def _paid_bounds(text: str, anchors: Iterable[tuple[int, str, int]]) -> tuple[int | None, int | None]:
    """``paid_from`` (first begin tag, moved onto the first non-space character) and ``paid_until``."""
    begins = [pos for pos, kind, _ in anchors if kind == "paid_begin"]
    if not begins:
        return None, None
    ends = [pos for pos, kind, _ in anchors if kind == "paid_end" and pos > begins[0]]
    until = ends[-1] if ends and ends[-1] > begins[-1] else None
    if until is not None and not text[until:].strip():
        until = None
    paid_from = _before_lone_labels(text, len(text) - len(text[begins[0] :].lstrip()))
    limit = len(text) if until is None else until
    if paid_from >= limit:
        return None, None
    if until is not None:
        until = len(text) - len(text[until:].lstrip())
    return paid_from, until


# A heading's label alone, with no heading text of its own: "（三）", "三、", "3.", "第三章", "⑶".
_LONE_LABEL = re.compile(
    r"[ \t\u3000]*(?:第[一二三四五六七八九十百零〇\d]{1,6}[编章节条]|[一二三四五六七八九十百零〇]{1,4}[、．]"
    r"|[（(][一二三四五六七八九十百零〇\d]{1,3}[）)]|\d{1,3}[.．、]|[\u2460-\u249b\u3220-\u3229])[ \t\u3000]*")


def _before_lone_labels(text: str, paid_from: int) -> int:
    """``paid_from``, moved back to the start of the heading labels that stand alone just before it — on its
    line ("（三）##paidbegin##…") or on lines of their own —: a free part never ends on a heading whose text
    is all members text. Looks back only over those lines."""
    end = paid_from
    while True:
        while end > 0 and text[end - 1] in _SPACE + _LINE_BREAK:
            end -= 1
        line_start = text.rfind(_LINE_BREAK, 0, end) + 1
        label = _LONE_LABEL.fullmatch(text, line_start, end)
        if label is None:
            return paid_from
        paid_from = end = line_start + len(label.group()) - len(label.group().lstrip(_SPACE))


def clean(text: str, *, markdown: bool = False) -> Cleaned:
    """Clean scraped text by the ordered :data:`RULES`; see the module docstring.

    ``text`` is decoded text (any line endings); ``markdown=True`` for ``.md``
    input. Returns a :class:`Cleaned` whose offsets are characters in
    ``Cleaned.text``. Never raises on odd input; an empty input gives empty text.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    state = _State()
    anchors = _Anchors()
    removed: list[Removal] = []
    for rule in RULES:
        if rule.markdown_only and not markdown:
            continue
        edits = _Edits.of(_find_by_part(rule, text, state, anchors) if rule.record else rule.find(text, state))
        if not edits:
            continue
        old = text
        text, applied = _apply(text, edits, anchors)
        if rule.record:
            removed += _removals(rule.name, old, applied)
    paid_from, paid_until = _paid_bounds(text, anchors) if "paid_begin" in anchors.kind else (None, None)
    headings = _headings(text, anchors)
    sources = [(state.sources[i], pos) for pos, i in zip(*anchors.of_kind("source"))]
    published = [(state.published[i], pos) for pos, i in zip(*anchors.of_kind("published"))]
    return Cleaned(text, paid_from, removed, sources[0][0] if sources else None, paid_until, headings, sources,
                   published)


def _headings(text: str, anchors: _Anchors) -> list[tuple[int, int]]:
    """:attr:`Cleaned.headings`: the ``(offset, depth)`` of each heading anchor, in order, whose line still holds
    text. One tuple per place and depth, shared by the headings there (a dense input puts thousands on one
    line): none is made per heading, which the garbage collector would walk."""
    heading_at, depths = anchors.of_kind("heading")
    kept = {place: place for place in set(zip(heading_at, depths)) if _line_has_text(text, place[0])}
    return list(filter(None, map(kept.get, zip(heading_at, depths))))


def _find_by_part(rule: Rule, text: str, state: _State, anchors: _Anchors) -> Iterable[_Edit]:
    """The edits of ``rule`` found in each part of ``text`` between the paid tags' anchors on its own, in text
    order: no rewrite runs across the start or end of a members part (an HTML comment opened in the free text
    and closed in the members part, emphasis or a spaced title across a tag), so what a rule finds in the free
    text never depends on the members text. A paid tag ends a line for the rules on either side of it (as the
    CMS's editor writes tags, on lines of their own): a rule sees its part between line breaks, and a deletion
    that takes such a line break along is kept within the part; another edit reaching outside its part is
    dropped. A line break right after a begin tag ends the free part (a members part starts at its first
    non-space character: :func:`_paid_bounds`). Linear in the text whatever the number of tags. Offsets are of
    ``text``."""
    if "paid_begin" not in anchors.kind and "paid_end" not in anchors.kind:   # (a scan in C of a list that may be long)
        return rule.find(text, state)
    cuts = sorted({pos + (kind == "paid_begin" and text.startswith("\n", pos)) for pos, kind, _ in anchors
                   if kind in ("paid_begin", "paid_end")} - {0, len(text)})
    if not cuts:
        return rule.find(text, state)
    return _find_in_parts(rule, text, state, [0, *cuts, len(text)])


def _find_in_parts(rule: Rule, text: str, state: _State, bounds: list[int]) -> Iterator[_Edit]:
    """The edits of ``rule`` in each part ``text[bounds[i]:bounds[i + 1]]`` (see :func:`_find_by_part`)."""
    for start, end in zip(bounds, bounds[1:]):
        before, after = "\n" if start else "", "\n" if end < len(text) else ""
        shift = start - len(before)
        for edit_start, edit_end, repl, marks in rule.find(before + text[start:end] + after, state):
            edit_start, edit_end = edit_start + shift, edit_end + shift
            if not repl:   # a deletion may take a tag's line break along: it keeps to its part
                edit_start, edit_end = max(edit_start, start), min(edit_end, end)
            if start <= edit_start <= edit_end <= end:
                yield edit_start, edit_end, repl, marks


def _line_has_text(text: str, pos: int) -> bool:
    """True when ``pos`` starts a line that still holds some text."""
    end = text.find("\n", pos)
    return (pos == 0 or text[pos - 1] == "\n") and bool(text[pos : len(text) if end < 0 else end].strip())
