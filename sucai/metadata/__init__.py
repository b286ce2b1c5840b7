"""Metadata: what a document is — its title, 文种, 发文字号, 成文日期 and 来源 — and where each was found.

Entry point: :func:`describe` reads a clean text (:class:`sucai.clean.Cleaned`) and
what is known of its file (:class:`Origin`: path, the metadata a reader found
outside the text, the operator's ``--source``) and returns a :class:`Description`:
the title and where the document text starts after it, and for every derived
field the candidates found, best first, each with its
:class:`~sucai.model.Evidence` — a span of the document text, the title line, or an
origin outside the text. The first candidate of a field is the document's value;
a viewer without the member tier gets the first one whose evidence lies in the
free part (:func:`sucai.access.free_view`).

Where each field comes from, best first:

- **title** (:mod:`.titles`): the regulation a 令 opening the text promulgates (a 令 that names none — a 主席令
  announcing an appointment — its 标志（令号）; a 令 whose 令号 is members text is members' evidence alone); the file
  name's title when the title line of a text read by OCR is it cut short or garbled (「标点符与」 in 标点符号用法（GBT
  15834-2011）.pdf, a scan); the title line(s); the title the file declares; the file name without its numbering;
  "政府工作报告" for a report opening "我代表…向大会作工作报告"; the bare file name.

  Where the title ends and the body starts never depends on members text (sec30): the title is found again over
  the text with each character of its members part that is not white space made 「文」 (as a twin whose members
  part says nothing would be). When the two differ, the title found over the whole text is members' evidence alone,
  the other's title lines that are free text the free title; the body starts where the whole text's does when no
  free line stands between the two starts (a members line a title took — the members' text keeps its title lines
  out), else where the neutral text's does (a members 版头 that made the free 文号 and title lines the head, a
  members 文号 under which a 版头 was read, a joint 令's 「令」 line in the members part).
- **doc_number** (发文字号, :mod:`.issuers`): a 文号 line in the first lines (a line
  that is nothing else first), the title, the 版头 lines above the title, a 令's 标志 and 令号.
- **date** (:mod:`.dates`): a full date in the title ("(20250224)"); the 成文日期 of
  the 落款, then the 印发日期 of the 版记; the 题注 under the title (the latest date that is not a 施行 date: a
  law's last amendment); the date under a publisher's 「X发布」 line above a title the file declares (a case's
  「最高人民法院发布」/「2022-03-15」); the 发布时间 of a page's info line (which cleaning removed) or a 发布时间/发布日期 line; the date
  in the file's metadata; a year or month in the title ("2024年政府工作报告"); a date
  or year in the file name; the year of the 文号.
- **source** (来源/发文机关, :mod:`.issuers`): the 代字 of the 文号 (but the title's issuers first when
  the 文号's is the first of them — 联合行文 —, and a law's adopting body first when the 文号 is a 主席令); the 版头's
  发文机关标志 (「某县人民政府文件」); the issuer in the title; the 署名 of the 落款 (above its 成文日期, or closing the body when it has none); the body that adopted a law;
  a publisher's 「X发布」 line above a title the file declares; the speaker's office; "我代表
  …向大会"; the body a piece of collected works was written for ("这是毛泽东为中共中央起草的…"); a "来源：" line; a news dateline; the 文种 when only one body issues it
  (行政法规 → 国务院); the file's metadata; a folder named after an organisation;
  ``--source``.
- **genre** (文种, :mod:`.genres`): see :func:`sucai.metadata.genres.classify`.

Every rule looks at bounded windows (the title, the first and last lines), so
describing is linear in the text and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import PurePath

from ..clean import Cleaned
from ..elements import PARAGRAPH_END
from ..model import METADATA_FIELDS, Evidence
from ..organs import Named, signature
from . import dates, genres, issuers, titles
from .lines import HAN, SPACE, Line, head, holds, lines, tail

__all__ = ["Origin", "Description", "describe", "title_note_lines", "title_notes", "DOC_NUMBER"]

DOC_NUMBER = issuers.DOC_NUMBER
_HEAD_LINES = 8          # lines under the title that may hold a 文号 or a 题注
_ISSUED_CHARS = 30       # a publisher's 「X发布」 line above a title
_TITLE_NOTE_CHARS = 60   # a 题注 line is at most this long…
_ADOPTION_CHARS = 2000   # …unless it records adoption and amendments (刑法's dozen, in one line: 1,000)
_NOTE_WINDOW = 4000      # the 题注 lines of a law, one per amendment, end within this many characters
_SIGNATURE_CHARS = 30    # a 落款 date line is at most this long
_PRINTER_CHARS = 60      # a 版记's 印发 line — 印发机关, spaces, 印发日期 and 印发 — is at most this long
_CLOSING_LINES = 6       # a 落款 without a date, the paragraph above it and the 版记 under it are in the last lines
_RECORD = re.compile(r"^(?:抄送|抄报|分送|主送)[：:]|印发$")   # a 版记 line (GB/T 9704-2012 §7.4)
_NEWS_WINDOW = 3000
_WORKS_NOTE_WINDOW = 600  # the editor's note (题解) of collected works is within this many characters under the title
_DOC_NUMBER_LINE = 200   # a line holding a 文号 (or a 令's number) is no longer than this
_SIGNATURE_WINDOW = 3000  # a 落款 is looked for in the first and the last characters of the body
_FOLDER_DEPTH = 3
UPLOADS = "uploads"   # the admin's web upload keeps a file as <home>/uploads/YYYY-MM-DD/<its name> (sucai.web.admin)
_UPLOAD_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PUBLISHED = re.compile(r"(?:发布|发文|印发|成文|公布|发稿|更新)(?:时间|日期)[ \t\u3000]*[:：][ \t\u3000]*"
                        r"|^[ \t\u3000]*日期[ \t\u3000]*[:：][ \t\u3000]*", re.MULTILINE)
# 文种 that only one body issues (《中华人民共和国立法法》第七十二条: 国务院 makes 行政法规).
_GENRE_ISSUERS = {"行政法规": "国务院"}
_IN_FORCE = re.compile(r"\s*(?:起)?\s*(?:施行|生效|实施|执行)")   # after a date: when it takes effect
_ADOPTION = re.compile(r"通过|公布|发布|修正|修订|批准")
# The shapes of a 题注 line (:func:`_note_shape`): an occasion after a dash, no sentence in it; a note in brackets with
# its year, closed on the line or later; what a dated act says was done; the speaker's office and name apart, no
# punctuation ("海拉尔区人民政府区长　　杜联合").
_OCCASION = re.compile(r"[—―－─-]+[ \u3000]*[^。！？；]{2,120}")
_BRACKETED = re.compile(r"[（(][^（()）]*年[^（()）]*[）)]?")
_ACT = re.compile(rf"{_ADOPTION.pattern}|施行|生效|实施|执行|会议")
_SPEAKER = re.compile(r"[^\s，。、：；！？,.:;!?]{2,30}[ \u3000]+[^\s，。、：；！？,.:;!?]{2,4}")
_DATE_LEAD = 2   # what may stand before a dated act's date: 「根据」, 「（」, 「自」
_HAN_CHAR = re.compile(f"[{HAN}]")
_NOT_SPACE = re.compile(r"\S")
_DATED_LINE = re.compile(r"^[^\n]{0,40}(?:年|\d[-./／]\d)[^\n]{0,40}$", re.MULTILINE)


def _folders(path: PurePath) -> list[str]:
    """The folders of ``path`` that are evidence of its file (a date, a 来源, a 文种), the nearest first, at most
    ``_FOLDER_DEPTH``; none for a file the web upload keeps (``uploads/YYYY-MM-DD/``): those folders are the
    library's, named by the day of the upload — which became the 成文日期 of every upload that names none (ops21)."""
    folders = list(path.parts[-1 - _FOLDER_DEPTH : -1])[::-1]
    return [] if folders[1:2] == [UPLOADS] and _UPLOAD_DAY.fullmatch(folders[0]) else folders


@dataclass(frozen=True)
class Origin:
    """What is known of a document besides its text.

    ``path``: the file it was read from (its name and folders are evidence);
    ``title``: a title the container declares (:attr:`sucai.readers.RawDocument.title`);
    ``meta``: metadata found outside the text (:attr:`sucai.readers.RawDocument.meta`:
    "title", "date", "source", "url"), empty when none; ``source``: the 来源 the
    operator gave for the batch (``sucai ingest --source``); ``ocr``: the text was recognised by OCR
    (:attr:`sucai.readers.RawDocument.ocr_confidence` set), its lines may be cut short or garbled.
    """

    path: str | None = None
    title: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    ocr: bool = False


@dataclass(frozen=True)
class Description:
    """The result of :func:`describe`. Offsets are characters of the clean text.

    ``title_start`` is where the title line begins (what stands before it is
    site navigation), ``body_start`` where the document text begins;
    ``declared_chars`` the length a "（5350字）" after the title claims;
    ``evidence`` the candidates of every field, best first per field, with spans
    in the coordinates of the document text (``clean text[body_start:]``).
    """

    title_start: int
    body_start: int
    declared_chars: int | None
    evidence: list[Evidence]

    def value(self, name: str) -> str | None:
        """The best candidate of field ``name``, or None when there is none."""
        return next((e.value for e in self.evidence if e.field == name), None)


def describe(cleaned: Cleaned, origin: Origin | None = None) -> Description:
    """Title, 文种, 发文字号, 成文日期 and 来源 of a clean text, each with its evidence.

    ``cleaned`` is the output of :func:`sucai.clean.clean` (title still in the
    text; its markdown ``#`` lines in ``headings``). See the module docstring for
    the rules and their order. Never raises.
    """
    return _Describer(cleaned, origin or Origin()).run()


class _Describer:
    """One description: the clean text, where its parts are, and the evidence found so far."""

    def __init__(self, cleaned: Cleaned, origin: Origin):
        self.cleaned, self.origin, self.text = cleaned, origin, cleaned.text
        path = PurePath(origin.path) if origin.path else None
        self.stem = path.stem if path else None
        self.folders = _folders(path) if path else []
        self.file_title = titles.file_title(self.stem) if self.stem else None
        hints = [h for h in (origin.title, origin.meta.get("title"), self.file_title) if h]
        self.decree = titles.decree_title(self.text, 0)
        self.members_decree = bool(self.decree) and self._in_members(self.decree.start, self.decree.number.end)
        heads = [pos for pos, depth in cleaned.headings if depth == 1]
        self.whole = self._split(self.text, self.decree, hints, heads)
        self.free_split = self.whole   # the split of the text with its members part made neutral (sec30)
        if cleaned.paid_from is not None:
            neutral = self._neutral()
            self.free_split = self._read(self._split(neutral, titles.decree_title(neutral, 0), hints, heads))
        ends = sorted((self.whole.body_start, self.free_split.body_start))
        self.split = self.free_split if self._holds_free_text(*ends) else self.whole
        self.body_start = self.split.body_start
        self.evidence: list[Evidence] = []

    # -- where the title is ------------------------------------------------------------------------

    def _split(self, text: str, decree: titles.Decree | None, hints: list[str], heads: list[int]) -> titles.TitleSplit:
        """The title of ``text`` (the clean text, or :meth:`_neutral`), ``decree`` the 令 opening it: the lines of a 令
        whose 令号 is free text stay in the body; one whose 令号 is members text is split as a text without it is."""
        if decree and not self._in_members(decree.start, decree.number.end):
            return titles.TitleSplit("", 0, 0, 0)
        return titles.split(text, hints, heads)

    def _neutral(self) -> str:
        """The clean text with each character of its members part that is not white space made 「文」: the text
        of a twin whose members part is as long, line by line, but says nothing (offsets unchanged)."""
        start, end = self.cleaned.paid_from, self._paid_until
        return self.text[:start] + _NOT_SPACE.sub("文", self.text[start:end]) + self.text[end:]

    def _read(self, split: titles.TitleSplit) -> titles.TitleSplit:
        """``split``, found over :meth:`_neutral`, with its title as the clean text writes it (the title is the
        same characters, white space kept, of the same span)."""
        if not split.text or not self._in_members(split.start, split.end):
            return split
        written = (c for c in self.text[split.start : split.end] if not c.isspace())
        return replace(split, text="".join(c if c.isspace() else next(written, "") for c in split.text))

    def _holds_free_text(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` of the clean text holds free text other than white space."""
        paid_from = len(self.text) if self.cleaned.paid_from is None else self.cleaned.paid_from
        free = self.text[start : min(end, paid_from)] + self.text[max(start, self._paid_until) : end]
        return bool(free.strip())

    @property
    def _paid_until(self) -> int:
        return len(self.text) if self.cleaned.paid_until is None else self.cleaned.paid_until

    # -- evidence -----------------------------------------------------------------------------

    def at(self, name: str, value: str, start: int, end: int, rule: str) -> Evidence:
        """Evidence of ``value`` written at ``[start, end)`` of the clean text."""
        if start >= self.body_start:
            return Evidence(name, value, "text", start - self.body_start, end - self.body_start, rule)
        return Evidence(name, value, "paid_title" if self._in_members(start, end) else "title", rule=rule)

    def _in_members(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` of the clean text (a point when empty) touches the members part."""
        paid_from = self.cleaned.paid_from
        if paid_from is None:
            return False
        return start < self._paid_until and (paid_from < end if end > start else paid_from <= start)

    def outside(self, name: str, value: str | None, origin: str, rule: str) -> Evidence | None:
        value = (value or "").strip()
        return Evidence(name, value, origin, rule=rule) if value else None

    def add(self, *found: Evidence | None) -> None:
        for evidence in found:
            if evidence is not None and evidence.value:
                self.evidence.append(evidence)

    def first(self, name: str) -> Evidence | None:
        return next((e for e in self.evidence if e.field == name), None)

    # -- the fields -------------------------------------------------------------------------------

    def run(self) -> Description:
        declared = self._titles()
        self._doc_numbers()
        self._dates()
        self._sources()
        self._genres()
        self._fallback_sources()
        title_start = min(self.split.start, self.free_split.start)   # the free view's head is decided with the latter
        return Description(title_start, self.body_start, declared, _unique(self.evidence))

    def _titles(self) -> int | None:
        whole, free = self.whole, self.free_split
        self._decree_title()   # before a free title line under a 令 whose 令号 is members text: the members' title
        moved = (whole.start, whole.end, whole.body_start) != (free.start, free.end, free.body_start)
        declared = self._title_line(whole, members=moved) if whole.text else None
        if moved and self.split is free and free.text:   # the text starts under these lines: a visitor's head if free
            members = self._in_members(free.start, free.end)
            found = self._title_line(free, members)
            declared = declared if members else found
        self.add(self.outside("title", self.origin.title, "meta", "文件声明的标题"),
                 self.outside("title", self.origin.meta.get("title"), "meta", "网页元数据"),
                 self.outside("title", self.file_title, "file_name", "文件名"))
        report = titles.report_title(self.text, self.body_start)
        if report:
            self.add(self.at("title", report[0], report[1], report[2], "开头语"))
        self.add(self.outside("title", self.stem, "file_name", "文件名"))
        if not self.first("title"):
            self.add(Evidence("title", "无标题", "default", rule="缺省"))
        return declared

    def _title_line(self, split: titles.TitleSplit, members: bool = False) -> int | None:
        """Add the title of ``split``'s line(s) — members' evidence alone when ``members`` (where it ends was read
        from members text) — and return the length its 「（5350字）」 declares."""
        m = titles.DECLARED.search(split.text)
        title = titles.without_note_marks(titles.DECLARED.sub("", split.text).strip() if m else split.text)
        title = titles.without_heading_mark(title)
        title = titles.as_declared(title, (self.origin.title, self.origin.meta.get("title"), self.file_title))
        if members:
            self.add(Evidence("title", title, "paid_title", rule="标题行"))
        else:
            if self.origin.ocr and self.file_title and titles.cut_short(title, self.file_title):
                self.add(self.outside("title", self.file_title, "file_name", "文件名"))
            if not (self.origin.ocr and titles.unworded(title)):   # OCR's reading of a cover's marks: no title
                self.add(self.at("title", title, split.start, split.end, "标题行"))
        return int(m.group(1)) if m else None

    def _decree_title(self) -> None:
        """The title a 令 opening the text gives: the regulation it promulgates, or — a 令 that names none (a 主席令
        announcing an appointment) — its 标志（令号）."""
        decree = self.decree
        if decree is None:
            return
        if decree.title:
            found = self.at("title", decree.title.text, decree.title.start, decree.title.end, "令所公布的法规")
        else:
            found = self.at("title", f"{decree.mark}（{decree.number.text}）", decree.start, decree.number.end, "令号")
        # a 令 whose 令号 is members text: that a free line is the regulation it names is known from members text
        self.add(Evidence("title", found.value, "paid_title", rule=found.rule) if self.members_decree else found)

    def _doc_numbers(self) -> None:
        head_lines = head(self.text, 6, self.body_start)
        if self.decree:
            decree = self.decree
            self.add(self.at("doc_number", decree.number_text, decree.start, decree.number.end, "令号"))
        hits = []
        sources = [Line(self.split.text, self.split.start, self.split.end)] if self.split.text else []
        above = head(self.text, 6, 0, self.split.start) if self.split.text else []  # the 版头 above the title
        acts = {line.start: found.value for found, line in self._note_dates}   # the 题注's dated acts
        notes = [line for _, line in self._note_dates if line.start > head_lines[-1].start] if head_lines else []
        for line in sources + above + head_lines + notes:
            if len(line.text) > _DOC_NUMBER_LINE or "号" not in line.text:   # every DOC_NUMBER holds a 号
                continue
            for m in DOC_NUMBER.finditer(line.text):
                whole = m.group() == line.text
                if whole or len(line.text) <= 40 or m.group("decree"):
                    hits.append((not whole, acts.get(line.start), line.start + m.start(), line.start + m.end(),
                                 issuers.doc_number_text(m)))
        # a 题注's 令 that a later one revised (「2011年…国务院令第601号公布」 above 「2024年…令第791号第三次修订」)
        # numbered an earlier text: the latest act's comes first, as its date is the text's
        latest = max((act for _, act, *_ in hits if act), default=None)
        for *_, start, end, value in sorted(hits, key=lambda h: (h[0], h[1] is not None and h[1] != latest)):
            self.add(self.at("doc_number", value, start, end, "文号"))

    def _dates(self) -> None:
        title = self.first("title")
        in_title = list(dates.context_dates(title.value)) if title else []
        full = [d for d in in_title if d.precision == 3]
        if title and full:
            self.add(_with_value(title, "date", full[0].value, "标题"))
        self.add(*self._signature_dates())
        self.add(self._title_note_date())
        issued = self._issued_above
        if issued and issued[2]:
            line, found = issued[2]
            self.add(self.at("date", found.value, line.start + found.start, line.start + found.end, "发布行"))
        self.add(*self._published_dates())
        meta_date = self.origin.meta.get("date")
        self.add(self.outside("date", dates.parse(meta_date) if meta_date else None, "meta", "网页元数据"))
        if title and in_title and not full:
            self.add(_with_value(title, "date", max(in_title, key=lambda d: d.precision).value, "标题"))
        for name in filter(None, (self.stem, *self.folders[:1])):
            found = max(dates.context_dates(name), key=lambda d: d.precision, default=None)
            if found:
                self.add(Evidence("date", found.value, "file_name" if name == self.stem else "folder", rule="文件名"))
                break
        number = self.first("doc_number")
        code = DOC_NUMBER.fullmatch(number.value) if number else None
        if number and code and code.group("year"):
            self.add(_with_value(number, "date", code.group("year"), "文号年份"))

    @cached_property
    def _issued_above(self) -> tuple[Line, Named, tuple[Line, dates.Found] | None] | None:
        """The 「X发布」 line of a publisher's header above a title found by the file's declared name (the rest above
        such a title is site navigation), with the date alone on the line below it when there is one:
        「消费者权益保护典型案例」/「最高人民法院发布」/「2022-03-15」 above a case the file names. None without one."""
        if not self.split.hint:
            return None
        above = head(self.text, _HEAD_LINES, 0, self.split.start)
        for i, line in enumerate(above):
            named = issuers.adopted_by(line.text)
            if named and named.start == 0 and line.text.endswith("发布") and len(line.text) <= _ISSUED_CHARS:
                below = above[i + 1 : i + 2]
                found = _date_alone(below[0].text) if below else None
                return line, named, (below[0], found) if found else None
        return None

    @cached_property
    def head_lines(self) -> list[Line]:
        """The first lines of the body."""
        return head(self.text, _HEAD_LINES, self.body_start)

    @cached_property
    def _note_dates(self) -> list[tuple[dates.Found, Line]]:
        """The latest date of each 题注 line that has one (a 「发布时间：」 line's passed over: it is found as such),
        never the date it takes effect (施行), in text order."""
        found = []
        for line in title_note_lines(self.text, self.body_start):
            acts = [] if _PUBLISHED.search(line.text) else [
                d for d in dates.dates(line.text) if not _IN_FORCE.match(line.text, d.end)]
            if acts:
                found.append((max(acts, key=lambda d: d.value), line))
        return found

    def _title_note_date(self) -> Evidence | None:
        if not self._note_dates:
            return None
        found, line = max(self._note_dates, key=lambda pair: pair[0].value)   # the first of equal ones
        return self.at("date", found.value, line.start + found.start, line.start + found.end, "题注")

    def _signature_dates(self) -> list[Evidence]:
        """成文日期 of the 落款: a short line that is a date and little else (never a 施行 date), after a short
        署名 line or a 令's 签发人 (or among the last lines); the 印发日期 of the 版记's 印发 line after it, as a fallback
        (:func:`_printed`). Looked for in the first and the last characters of the body (a 通知 may be followed by what it
        issues), above a news dateline (what a news report quotes — 「中共中央 国务院」 / 「2024年8月11日」 under a 贺电 in a
        新闻联播 — is not its own)."""
        signed, printed = [], []
        note_end = max((line.end for line in title_note_lines(self.text, self.body_start)), default=self.body_start)
        last_lines = tail(self.text, 5, self.body_start)
        last = last_lines[0].start if last_lines else len(self.text)
        news = self._dateline.start if self._dateline else len(self.text)
        for line in self._short_lines(note_end, _PRINTER_CHARS):
            if line.start > news:
                break   # a news report's: the 落款 below its dateline is that of a document it quotes
            found = next(dates.dates(line.text), None)
            if found is None:
                continue
            span = (line.start + found.start, line.start + found.end)
            if _printed(line.text, found):
                printed.append(self.at("date", found.value, *span, "印发日期"))
            elif len(line.text) > _SIGNATURE_CHARS or len(line.text) - (found.end - found.start) > 12 \
                    or "施行" in line.text or "印发" in line.text or _IN_FORCE.match(line.text, found.end):
                continue   # 「八、本修正案自2024年3月1日起施行。」, 「第十条 本规定自1999年4月1日起执行。」: never a 落款
            elif line.start >= last or _signs(_line_before(self.text, line.start).text):
                signed.append(self.at("date", found.value, *span, "落款"))
            if signed and printed:
                break
        return signed[:1] + printed[:1]

    def _short_lines(self, start: int, longest: int) -> Iterator[Line]:
        """Lines of at most ``longest`` characters holding a year, in the first and the last
        :data:`_SIGNATURE_WINDOW` characters from ``start``."""
        second = max(start + _SIGNATURE_WINDOW, len(self.text) - _SIGNATURE_WINDOW)
        for a, b in ((start, start + _SIGNATURE_WINDOW), (second, len(self.text))):
            for m in _DATED_LINE.finditer(self.text, a, min(b, len(self.text))):
                line = m.group().strip(" \t\u3000\xa0")
                if len(line) <= longest:
                    lead = len(m.group()) - len(m.group().lstrip(" \t\u3000\xa0"))
                    yield Line(line, m.start() + lead, m.start() + lead + len(line))

    def _published_dates(self) -> list[Evidence]:
        """The publication date of every page info line that cleaning removed (a point where the line was, in
        text order: a viewer without the member tier gets the first free one), then a "发布时间：2023-12-05" line
        in the first or the last lines. It is the ``date`` field's candidate after the 落款 and the 题注: when
        a page was put online says when the document was written only when the document names no 成文日期 of
        its own."""
        found = []
        for written, at in self.cleaned.published:
            date = next(dates.dates(written), None) or _compact(written)
            if date:
                found.append(self.at("date", date.value, at, at, "发布时间"))
        for a, b in ((self.body_start, self.body_start + 1500), (max(self.body_start, len(self.text) - 1000), len(self.text))):
            m = _PUBLISHED.search(self.text, a, b) if holds(self.text, ("日期", "时间"), a, b) else None
            if m:
                rest = self.text[m.end() : m.end() + 30]
                date = next(dates.dates(rest), None) or _compact(rest)
                if date:
                    return [*found, self.at("date", date.value, m.end() + date.start, m.end() + date.end, "发布时间")]
        return found

    def _sources(self) -> None:
        number, title = self.first("doc_number"), self.first("title")
        issuer = issuers.doc_number_issuer(number.value) if number else None
        named = issuers.title_issuer(title.value) if title else None
        notes = list(title_note_lines(self.text, self.body_start))
        adopted = issuers.adopted_by(self.text, notes[0].start, notes[-1].end) if notes else None
        by_number = _with_value(number, "source", issuer, "文号") if issuer else None
        by_title = _with_value(title, "source", named.name, "标题") if named else None
        by_adoption = self.at("source", adopted.name, adopted.start, adopted.end, "通过机关") if adopted else None
        ahead = []   # (each is found again in its place below: the first of the two stays)
        if issuer and named and named.name.startswith(issuer + "、"):
            ahead.append(by_title)   # 联合行文: the 文号 is the first issuer's, the title names them all
        if issuer == issuers.PRESIDENT and adopted:
            ahead.append(by_adoption)   # a law: adopted by a 人民代表大会 or its 常务委员会, promulgated by a 主席令
        self.add(*ahead, by_number, self._issuer_mark(), by_title, *self._signature_sources(), by_adoption)
        if self._issued_above:
            line, named, _ = self._issued_above
            self.add(self.at("source", named.name, line.start + named.start, line.start + named.end, "发布行"))
        for line in self.head_lines:
            speaker = signature(line.text)
            if speaker and line.text != speaker.name:
                self.add(self.at("source", speaker.name, line.start + speaker.start, line.start + speaker.end, "署名"))
                break
        window = self.text[self.body_start : self.body_start + 600]
        reporter = issuers.reporter(window)
        if reporter:
            start = self.body_start + reporter.start
            self.add(self.at("source", reporter.name, start, self.body_start + reporter.end, "开头语"))
        drafted = issuers.drafted_for(self.text, self.body_start, self.body_start + _WORKS_NOTE_WINDOW)
        if drafted:
            self.add(self.at("source", drafted.name, drafted.start, drafted.end, "题解"))
        self.add(*self._source_lines())
        self.add(self._news_agency())

    def _issuer_mark(self) -> Evidence | None:
        """The issuers of the 发文机关标志 in the 版头 above the title (GB/T 9704-2012 §7.2.4: 「某县人民政府文件」), which
        a 文号 of a 代字 not known (「某府发〔2023〕5号」) leaves unnamed."""
        above = head(self.text, _HEAD_LINES, 0, self.split.start) if self.split.text else []
        for line in above:
            named = issuers.mark_issuer(line.text)
            if named:
                return self.at("source", named.name, line.start + named.start, line.start + named.end, "发文机关标志")
        return None

    def _fallback_sources(self) -> None:
        """来源 from what the document is (a 行政法规 is the State Council's), the file's metadata,
        its folders and the operator's ``--source``."""
        genre = self.first("genre")
        if genre and genre.value in _GENRE_ISSUERS:
            self.add(_with_value(genre, "source", _GENRE_ISSUERS[genre.value], "文种"))
        self.add(self.outside("source", self.origin.meta.get("source"), "meta", "网页元数据"))
        for folder in self.folders:
            self.add(self.outside("source", issuers.folder_issuer(folder), "folder", "文件夹"))
        self.add(self.outside("source", self.origin.source, "option", "入库指定"))

    def _signature_sources(self) -> list[Evidence]:
        """The 署名 line right above the 落款 date; with no 落款 date, the 署名 that closes the body (:meth:`_undated_signature`)."""
        date = next((e for e in self.evidence if e.field == "date" and e.rule == "落款" and e.origin == "text"), None)
        if date is None:
            return self._undated_signature()
        line_start = self.text.rfind("\n", 0, date.start + self.body_start)
        if line_start <= self.body_start:
            return []
        previous = _line_at(self.text, line_start - 1)
        named = signature(previous.text) if previous.start >= self.body_start else None
        if not named:
            return []
        return [self.at("source", named.name, previous.start + named.start, previous.start + named.end, "落款")]

    def _undated_signature(self) -> list[Evidence]:
        """A 落款 without its 成文日期 (a 事务文书 signed by its unit alone, a date lost in copying): a 署名 line
        (:func:`sucai.organs.signature`) that is the body's last line but the 版记's (抄送, 印发) and follows a
        finished paragraph — 「…请认真贯彻执行。」 / 「某某县人民政府办公室」."""
        closing = tail(self.text, _CLOSING_LINES, self.body_start)
        while closing and _RECORD.search(closing[-1].text):
            closing.pop()
        if len(closing) < 2 or closing[-2].text[-1] not in PARAGRAPH_END:
            return []
        line = closing[-1]
        named = signature(line.text)
        return [self.at("source", named.name, line.start + named.start, line.start + named.end, "落款")] if named else []

    def _source_lines(self) -> list[Evidence]:
        """Every source line, in text order (the first is the 来源; a viewer without the member tier gets the
        first free one, :func:`sucai.access.free_metadata`). Where a line stood unknown: only as safe as the
        end of the text."""
        lines = self.cleaned.sources or ([(self.cleaned.source, len(self.text))] if self.cleaned.source else [])
        return [self.at("source", source, at, at, "来源行") for source, at in lines]

    @cached_property
    def _dateline(self) -> Named | None:
        """The first news dateline of the body ("新华社北京10月20日电", "央视网消息")."""
        return issuers.news_agency(self.text, self.body_start, self.body_start + _NEWS_WINDOW)

    def _news_agency(self) -> Evidence | None:
        named = self._dateline
        return self.at("source", named.name, named.start, named.end, "电头") if named else None

    def _genres(self) -> None:
        body_line = self.text.rfind("\n", 0, self.body_start) + 1
        number = self.first("doc_number")
        adopted = next((e for e in self.evidence if e.field == "source" and e.rule == "通过机关"), None)
        folders = [(folder, Evidence("genre", folder, "folder", rule="文件夹")) for folder in self.folders]
        signals = genres.Signals(
            body=self.text, start=body_line,
            span=lambda start, end, rule: self.at("genre", "", start, end, rule),
            doc_number=number, adopted=adopted,
            issuers=[e for e in self.evidence if e.field == "source"], folders=folders)
        self.add(*genres.classify([e for e in self.evidence if e.field == "title"], signals))


def title_note_lines(text: str, start: int = 0) -> Iterator[Line]:
    """The lines of :func:`title_notes`, each a 题注 or read with one (the metadata reads a date and an adopting
    body in them; a 写作台 opening starts after them, :mod:`sucai.drafting.paragraphs`)."""
    return (line for line, _ in title_notes(text, start))


def title_notes(text: str, start: int = 0) -> Iterator[tuple[Line, str | None]]:
    """The 题注 under a title — its date and occasion (「——2024年3月5日在第十四届全国人民代表大会第二次会议上」),
    its speaker (「国务院总理　李强」), a law's adoption and amendments — from ``start`` of ``text`` (where the body
    starts after the title), before the first paragraph of prose or labelled line (一、, 第一条): short lines
    (at most :data:`_TITLE_NOTE_CHARS` characters, none ending as a sentence or a salutation does: 。！？；：),
    or longer ones that record adoption and amendment ("…会议通过 根据…修正"); past the
    first :data:`_HEAD_LINES` lines, only dated lines that record adoption and amendment (a law amended
    a dozen times, one line each) and the lines of a 《…》 broken over several; at most
    :data:`_NOTE_WINDOW` characters on. A line without Chinese (a standard's English title) is passed over, but a
    date alone (「2022-03-15」 under a case's 「最高人民法院发布」).

    Each line comes with its 题注 shape (:func:`_note_shape`; "continued" for a line of a bracket or a 《…》 opened
    above), or None for a line only read with them: a date alone, the title printed again, a
    heading, a speaker with no occasion above. The .docx centres in 楷体 the lines in a row from the first that
    have a shape (:mod:`sucai.export.docx`). Offsets are characters of ``text``; linear in the window."""
    window = lines(text, start, min(len(text), start + _NOTE_WINDOW))
    open_quotes = inside = 0   # 《 left open above; brackets and 《 too
    shape = None
    for count, line in enumerate(window):
        quoted, open_quotes = open_quotes, max(0, open_quotes + line.text.count("《") - line.text.count("》"))
        if line.text[-1] in "。！？；：:" or len(line.text) > _ADOPTION_CHARS or (
                titles.LABEL.match(line.text) and not quoted):
            return
        if not _HAN_CHAR.search(line.text) and not _date_alone(line.text):
            continue   # a standard's English title under its own ("Layout key for official document of …")
        adoption = _ADOPTION.search(line.text)
        broken = quoted or open_quotes  # a line of a 《…》 broken over several
        if len(line.text) > _TITLE_NOTE_CHARS and not (adoption or broken):
            return
        if count >= _HEAD_LINES and not (broken or adoption and next(dates.dates(line.text), None)):
            return
        shape = "continued" if inside else _note_shape(line.text, shape)
        inside = max(0, inside + sum(map(line.text.count, "（(《")) - sum(map(line.text.count, "）)》")))
        yield line, shape


def _note_shape(line: str, above: str | None) -> str | None:
    """The 题注 shape of ``line`` under a line of shape ``above`` (None: the title, or no 题注): "occasion", a date and
    occasion after a dash (「——2024年3月5日在第十四届全国人民代表大会第二次会议上」); "speaker", office and name under one
    (「国务院总理　李强」); "bracket", a note in brackets with its year (「（一九四二年五月）」, or opening one that
    closes on a later line); "act", a dated act — adoption, amendment, promulgation, taking effect or the meeting that
    did it, the amending act named after it too (「2008年1月31日 中华人民共和国国务院令第517号公布」, 「根据2011年1月8日
    《…决定》修订」, 刑法's 「…会议通过的《中华人民共和国刑法修正案（十一）》」, 「2021年1月1日 施行」); None for any other line."""
    if _OCCASION.fullmatch(line):
        return "occasion"
    found = next(dates.dates(line), None)
    if found and found.start <= _DATE_LEAD and _ACT.search(line):
        return "act"
    if _BRACKETED.fullmatch(line):
        return "bracket"
    if above == "occasion" and _SPEAKER.fullmatch(line):
        return "speaker"
    return None


def _date_alone(line: str) -> dates.Found | None:
    """The date that is all of ``line`` (「2022-03-15」, 「2022年3月15日」), or None."""
    found = next(dates.dates(line), None)
    return found if found and found.start == 0 and found.end == len(line) else None


def _compact(text: str) -> dates.Found | None:
    return next(dates.context_dates(text[:12]), None)


def _line_at(text: str, pos: int) -> Line:
    """The line holding offset ``pos`` (the previous non-blank line when ``pos`` is on a blank one)."""
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    start = text.rfind("\n", 0, pos) + 1
    while start > 0 and not text[start:end].strip():
        end = start - 1
        start = text.rfind("\n", 0, end) + 1
    raw = text[start:end]
    stripped = raw.strip(" \t\u3000\xa0")
    lead = len(raw) - len(raw.lstrip(" \t\u3000\xa0"))
    return Line(stripped, start + lead, start + lead + len(stripped))


def _line_before(text: str, pos: int) -> Line:
    """The non-blank line above the line holding offset ``pos`` (a date line indented to the right, as a 落款's is,
    has its own white space before ``pos``)."""
    return _line_at(text, max(text.rfind("\n", 0, pos), 0))


def _printed(line: str, found: dates.Found) -> bool:
    """Whether ``line`` is a 版记's 印发机关和印发日期 (GB/T 9704-2012 §7.4.3) and ``found`` its date: the date and 印发
    close it, the 印发机关 alone stands before them (「某某县人民政府办公室　　　　2024年3月6日印发」, or nothing:
    「2024年3月6日印发」) — not a clause naming the day something else was issued (「《某某办法》于2024年3月6日印发」)."""
    before = line[: found.start].strip(SPACE)
    return line[found.end :].strip(SPACE) == "印发" and (not before or signature(before) is not None)


def _signs(line: str) -> bool:
    """Whether a date line under ``line`` is a 成文日期: ``line`` is a 发文机关署名 or a 令's 签发人."""
    return signature(line) is not None or issuers.signer(line)


def _with_value(evidence: Evidence, name: str, value: str, rule: str) -> Evidence:
    """The same evidence for another field or value (a date read from the title, an issuer from a 文号)."""
    return Evidence(name, value, evidence.origin, evidence.start, evidence.end, rule)


def _unique(found: Sequence[Evidence]) -> list[Evidence]:
    """Each (field, value, origin, span) once, in order, fields in :data:`METADATA_FIELDS` order."""
    seen, out = set(), []
    for name in METADATA_FIELDS:
        for e in found:
            key = (e.field, e.value, e.origin, e.start, e.end)
            if e.field == name and key not in seen:
                seen.add(key)
                out.append(e)
    return out
