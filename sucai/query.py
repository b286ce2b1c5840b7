"""Reading what a user typed into the search box, leniently.

Syntax: terms separated by spaces must all occur (but Chinese characters typed one by one with spaces
between them are one word: "基 层 减 负" is 基层减负, unless an OR touches them); ``"…"`` (or “…”, 「…」, any quotation marks) keeps spaces
inside one term, quotations nested in it included (“坚持‘两个确立’”) — a quotation mark inside a term is part of it, as pasted from a text (把“第一议题”制度;
normalised, it matches any quotation mark: :mod:`sucai.analysis`); ``-term`` excludes; ``A OR B`` (also
``A | B``) accepts either.
Outside quotes the punctuation a writer types between terms or clauses (``，`` ``；`` ``、`` ``。`` ``？`` ``！`` and
``,`` ``;`` ``?`` ``!`` and their compatibility forms — ﹖ ｡ ‼ ﹐…, the same once normalised —, but not a comma between
two digits: 1,000) separates them as a space does, and at the start or end of the query is left out ("如何做好基层减负？"
is 如何做好基层减负); not inside a web address or a file name typed as a term (``index.php?id=3``,
``https://www.gov.cn/zhengce?id=3``), which is one term up to a punctuation mark followed by Chinese
(``www.gov.cn,政策文件`` is two terms). A 发文字号 (机关代字, a bracketed
four-digit year, 序号 and 号, GB/T 9704-2012 §7.2.4: 国办发〔2019〕3号) outside quotes is read with
each of the brackets it is written with — 〔〕 [] () 【】 (full-width ［］ （） and ﹝﹞ are the same
after normalising) — whichever the user typed: its 〔〕 form is the term, the others its
:attr:`ParsedQuery.variants`. Inside quotes a term stays as typed.
Nothing a user types raises: what cannot be read as syntax is read as text and
reported in ``warnings`` (in Chinese, for the search page).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from . import analysis

_TYPED_SEPARATORS = "，；、。？！,;?!"
# the blocks of compatibility forms of punctuation: general punctuation (‼ ⁇), vertical, small, halfwidth forms
_COMPATIBILITY_BLOCKS = ((0x2000, 0x206F), (0xFE10, 0xFE19), (0xFE30, 0xFE6B), (0xFF61, 0xFF64))
_COMPATIBILITY = [chr(c) for first, last in _COMPATIBILITY_BLOCKS for c in range(first, last + 1)]
SEPARATORS = _TYPED_SEPARATORS + "".join(
    c for c in _COMPATIBILITY if set(unicodedata.normalize("NFKC", c)) <= set(_TYPED_SEPARATORS))
"""The punctuation that separates the terms of a query as a space does (and their compatibility forms)."""
_SEPARATOR_CLASS = re.escape(SEPARATORS)
# a web address (a scheme or www.: ASCII ,;?! inside, followed by ASCII — not by Chinese: www.gov.cn,政策文件 is two
# terms) or a file name with a query (index.php?id=3), not ending with separating punctuation; possessive runs:
# linear in the query
_ADDRESS = (rf"(?:[A-Za-z][A-Za-z0-9+.\-]*+://|www\.)(?:[^\s{_SEPARATOR_CLASS}]++|[,;?!]++(?=[!-~]))++"
            rf"|/?[A-Za-z0-9_~%\-]++(?:[./][A-Za-z0-9_~%\-]++)++\?[!-~]*[^\s{_SEPARATOR_CLASS}]")
# a phrase: a token that starts with a quotation mark, to the one that closes it (“…”, "…", 「…」, ‘…’: they are " when
# the query is read, _quotes_read); inside a term they are the characters themselves, as pasted from a
# text: 把“第一议题”制度
_TOKEN = re.compile(rf'(-?)"([^"]*)("?)|({_ADDRESS})(?![^\s{_SEPARATOR_CLASS}])'
                    rf'|([{_SEPARATOR_CLASS}]+)|((?:[^\s{_SEPARATOR_CLASS}]|(?<=\d),(?=\d))+)')
_WILDCARD = "“*” 不是通配符，按原文检索；要找含某词的材料，直接检索这个词即可"
_BRACKETS = ("〔〕", "[]", "()", "【】")  # the 〔〕 form first: GB/T 9704-2012 §7.2.4
# a 发文字号 in a normalised term: 机关代字, an opening bracket, the year, a closing bracket, 序号 and 号
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]+)([〔\[(【])(\d{4})([〕\])】])(\d+号)")
_SYNTAX_FOLD = str.maketrans({"－": "-", "﹣": "-", "｜": "|"})   # read as ASCII syntax (quotation marks: _quotes_read)
_OR = {"OR", "|"}


@dataclass
class ParsedQuery:
    """``groups``: every group must match, a group matches when any of its terms does.

    Terms are normalised (:func:`sucai.analysis.normalize`), non-empty, and listed once.
    """

    groups: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    variants: dict[str, str] = field(default_factory=dict)
    """A term of a group that is another spelling of a 发文字号 → the group's term in its 〔〕 form
    (国办发[2019]3号 → 国办发〔2019〕3号): matched verbatim like the others, not scored by itself."""

    @property
    def terms(self) -> list[str]:
        """All positive terms, in the order typed (a 发文字号 with each of its spellings)."""
        return [t for group in self.groups for t in group]

    @property
    def scored_terms(self) -> list[str]:
        """The positive terms without the :attr:`variants`: what ranked mode scores (a 发文字号 once)."""
        return [t for t in self.terms if t not in self.variants]

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded


@cache
def _quotation_marks() -> frozenset[str]:
    return frozenset(analysis.quotation_marks())


def _quotes_read(text: str) -> str:
    """``text`` with the quotation marks that open and close a phrase as ``"`` — a mark opening a token
    (「基层 减负」 as “基层 减负”: :func:`sucai.analysis.quotation_marks`, which matching folds to one too) and the one
    that closes it, nested quotations counted (GB/T 15834-2011 §4.8: “坚持‘两个确立’” is one phrase; 「他说『基层
    减负』」 too). Inside a phrase a mark ends the level it closes (:func:`sucai.analysis.closes_quotation`: 」 』 ” ’,
    “ after „, " after ") and opens one else; an apostrophe between two Latin letters or
    digits (China's, China’s) is none. The marks inside stay themselves (an ASCII " as ＂), as do those in a term
    (把“第一议题”制度 is one). One pass, linear in ``text``."""
    marks, chars = _quotation_marks(), list(text)
    open_: list[str] = []   # the marks of the levels open in the phrase being read
    at_start = True          # a token may start here
    for k, char in enumerate(chars):
        if char not in marks or _is_apostrophe(text, k):
            at_start = (char.isspace() or char in SEPARATORS or (char == "-" and at_start)) if not open_ else False
            continue
        if not open_:
            if at_start:
                open_.append(char)
                chars[k] = '"'
            continue
        if analysis.closes_quotation(char, open_[-1]):
            open_.pop()
        else:
            open_.append(char)
        if not open_:
            chars[k], at_start = '"', True
        elif char == '"':
            chars[k] = "＂"
    return "".join(chars)


def _is_apostrophe(text: str, k: int) -> bool:
    """Whether ``text[k]`` (' ’ ＇) stands between two Latin letters or digits: China's."""
    return (text[k] in "'’＇" and 0 < k < len(text) - 1
            and all(c.isalnum() and ord(c) < 0x250 for c in (text[k - 1], text[k + 1])))


def parse_query(text: str, max_chars: int = 500) -> ParsedQuery:
    """Parse a search-box string; never raises (see the module docstring)."""
    parsed = ParsedQuery()
    if len(text) > max_chars:
        parsed.warnings.append(f"查询过长，只使用前 {max_chars} 个字符")
        text = text[:max_chars]
    pending_or = False
    separators: list[tuple[str, bool]] = []
    read = _quotes_read(text.translate(_SYNTAX_FOLD))
    for negated, quoted, bare in _spaced_words(_tokens(read, parsed, separators), parsed):
        if bare in _OR and not quoted:
            if not parsed.groups or pending_or:
                parsed.warnings.append(f"“{bare}” 两边需要有检索词，已忽略")
            pending_or = bool(parsed.groups)
            continue
        term = analysis.normalize(quoted if quoted is not None else bare)
        if not term.strip('"'):   # quotation marks alone are no term (「」‘’, "'" or 「『「…)
            if negated:
                parsed.warnings.append("“-” 后面需要跟要排除的词，已忽略")
            continue
        if quoted is None and "*" in term and _WILDCARD not in parsed.warnings:
            parsed.warnings.append(_WILDCARD)
        spellings = [term] if quoted is not None else _spellings(term, parsed)
        if negated:
            parsed.excluded += spellings
        elif pending_or:
            parsed.groups[-1] += spellings
        else:
            parsed.groups.append(spellings)
        pending_or = False
    if pending_or:
        parsed.warnings.append("“OR” 后面缺少检索词，已忽略")
    parsed.warnings += _separator_hints(separators)
    parsed.groups = _dedupe_groups(parsed.groups)
    parsed.excluded = list(dict.fromkeys(parsed.excluded))
    return parsed


def _spellings(term: str, parsed: ParsedQuery) -> list[str]:
    """``[term]``; for a term holding a 发文字号, its 〔〕 form and then its other spellings (recorded in
    ``parsed.variants``; a 提示 when the user typed other brackets than 〔〕). Linear in the term."""
    forms = list(dict.fromkeys(_DOC_NUMBER.sub(lambda m: _bracketed(m, pair), term) for pair in _BRACKETS))
    if len(forms) == 1:
        return [term]
    if forms[0] != term:
        parsed.warnings.append(f"已按发文字号“{forms[0]}”检索（[ ]、( )、【 】、〔 〕 各种括号写法都算）")
    parsed.variants.update((other, forms[0]) for other in forms[1:])
    return forms


def _bracketed(m: re.Match, pair: str) -> str:
    """The 发文字号 ``m`` with its year in the brackets ``pair``; as it is when its brackets are no pair."""
    agency, opening, year, closing, number = m.groups()
    return f"{agency}{pair[0]}{year}{pair[1]}{number}" if opening + closing in _BRACKETS else m.group()


def _separator_hints(separators: list[tuple[str, bool]]) -> list[str]:
    """The 提示 for the separating punctuation read (``(run, between terms)``, :func:`_tokens`): that between terms
    it was read as a space, and that at the start or end of the query (a question's ？) it was left out — each
    character named once, where it separated terms if it ever did."""
    between = dict.fromkeys(c for run, inner in separators if inner for c in run)
    ends = dict.fromkeys(c for run, inner in separators if not inner for c in run if c not in between)
    hints = []
    if between:
        hints.append(f"已把“{'”“'.join(between)}”当作空格，分开检索前后的词（要连同标点检索，请加引号）")
    if ends:
        hints.append(f"已忽略查询首尾的“{'”“'.join(ends)}”（要连同标点检索，请加引号）")
    return hints


def _tokens(text: str, parsed: ParsedQuery, separators: list[tuple[str, bool]]):
    """Yield ``(negated, quoted_text_or_None, bare_text)`` for each token; a run of separating
    punctuation (appended to ``separators`` with whether other tokens stand on both sides of it) is a token with
    no text, which ends a run of spaced characters (:func:`_spaced_words`) and is then passed over."""
    found = list(_TOKEN.finditer(text))
    others = [k for k, m in enumerate(found) if m.group(5) is None]
    for k, m in enumerate(found):
        if m.group(5) is not None:
            separators.append((m.group(5), bool(others) and others[0] < k < others[-1]))
            yield False, None, ""
            continue
        bare = m.group(4) or m.group(6)
        if bare is not None:
            if bare.startswith("-") and len(bare) > 1:
                yield True, None, bare[1:]
            elif bare == "-":
                yield True, None, ""
            else:
                yield False, None, bare
            continue
        if not m.group(3):
            parsed.warnings.append("引号没有闭合，已把引号后的内容当作一个词")
        yield bool(m.group(1)), m.group(2), m.group(2)


def _spaced_words(tokens, parsed: ParsedQuery):
    """Join each run of two or more bare one-character Han tokens into one token: a word typed, or pasted from
    a PDF, with spaces between its characters ("基 层 减 负" is 基层减负, as the same spacing in a document's
    text is), reported in ``warnings``. A run that an ``OR`` read as an operator touches (one before its first
    token or after its last, with a token on its other side too) is left as it was typed, one term per
    character: in "市 县 OR 乡" the user wrote syntax, 市 and (县 or 乡); an ``OR`` that opens or ends the query
    is ignored, and so is here ("基 层 OR" is 基层). Other tokens pass as they are."""
    tokens = list(tokens)
    operator = [0 < k < len(tokens) - 1 and _is_or(token) for k, token in enumerate(tokens)]
    run: list[tuple] = []
    for k, token in enumerate([*tokens, None]):
        if token is not None and _is_character(token):
            run.append(token)
            continue
        touched = operator[k - len(run) - 1] if k > len(run) else False
        if len(run) > 1 and not touched and not (token is not None and operator[k]):
            words = [t[2] for t in run]
            parsed.warnings.append(f"已把“{' '.join(words)}”当作一个词“{''.join(words)}”检索")
            yield False, None, "".join(words)
        else:
            yield from run
        run.clear()
        if token is not None:
            yield token


def _is_character(token: tuple) -> bool:
    """A bare (not negated, not quoted) token of one Han character."""
    negated, quoted, bare = token
    return not negated and quoted is None and len(bare) == 1 and unicodedata.name(bare, "").startswith("CJK UNIFIED")


def _is_or(token: tuple) -> bool:
    negated, quoted, bare = token
    return not negated and quoted is None and bare in _OR


def _dedupe_groups(groups: list[list[str]]) -> list[list[str]]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for group in groups:
        key = tuple(dict.fromkeys(group))
        if key not in seen:
            seen.add(key)
            out.append(list(key))
    return out


# Words that ask rather than name what is sought, and function words: a document answering
# "外国人在中国工作需要办理什么手续" need not hold 什么, 需要 or 在. Ranked mode with
# ``Ranking.question_words`` leaves them out of a term's partial matches (word and bigram
# clauses); they still count in its verbatim match.
QUESTION_WORDS = frozenset(
    "如何 怎样 怎么 怎么样 怎么办 哪些 哪个 哪种 哪几 哪几个 哪里 哪 什么 什么样 是否 能否 可否 为什么 为何 "
    "多少 多久 多长 多大 是不是 有没有 能不能 由谁 由谁来 请问 几 谁 吗 呢 "
    "需要 要 会 能 可以 应该 应当 是 在 有 的 了".split()
)


# Words a writer adds to a topic without naming anything of it — the heading's 方面, 关于, and the verbs of 公文 that
# any topic takes (加强作风建设, 做好基层减负) —: 担当作为方面 asks for sections on 担当作为, 加强理论学习 for those on
# 理论学习; a section search counts a term held by a section holding the rest of its words.
TOPIC_FILLERS = frozenset("方面 关于 有关 加强 强化 做好 抓好".split())


def topic_words(term: str) -> list[str]:
    """The words of ``term`` (:func:`sucai.analysis.words`) a section must hold to be on its topic: of two characters
    or more, none of :data:`QUESTION_WORDS` or :data:`TOPIC_FILLERS` — "担当作为方面" → ``["担当作为"]``,
    "加强理论学习" → ``["理论", "学习"]``; ``[]`` when none is left ("方面"). Never raises."""
    return [w for w in analysis.words(term) if len(w) > 1 and w not in QUESTION_WORDS and w not in TOPIC_FILLERS]


def content_pieces(term: str) -> list[str]:
    """The runs of ``term`` between its question and function words (:data:`QUESTION_WORDS`,
    where the segmenter :func:`sucai.analysis.word_spans` cuts one out whole), in order:
    "外国人在中国工作需要办理什么手续" → ``["外国人", "中国工作", "办理", "手续"]``;
    ``[term]`` when nothing else is left. Linear in the term; never raises."""
    pieces, kept = [], 0
    for start, end in analysis.word_spans(term):
        if term[start:end] in QUESTION_WORDS:
            pieces.append(term[kept:start])
            kept = end
    pieces = [p for p in [*pieces, term[kept:]] if p.strip()]
    return pieces or [term]
