"""查重 of a draft: how much of it is still the library's text, and from where.

:func:`check_draft` lays the draft out as it downloads (:func:`checked_text`, :func:`.document.draft_document`:
numbered headings, one line per paragraph; without the list of sources, which only
cites) and checks that text against the library with :func:`sucai.check.check_text`
for the writer's tier — the same 文字复制比 and 重合片段 as ``sucai check`` and
``/check`` give for a pasted text. Offsets in the report are characters of that text
(``CheckReport.text``). Pass the draft as the writer may see it now
(:func:`.drafts.shown`): a withheld members paragraph is checked as its notice.
"""

from __future__ import annotations

from ..check import CheckReport, check_text
from ..library import Library
from .document import draft_document
from .drafts import Draft


def checked_text(draft: Draft) -> str:
    """The text a 查重 of ``draft`` checks: the draft as it downloads (numbered headings, a line per paragraph),
    without its title and list of sources — what :func:`sucai.check.check_length` is asked about first."""
    return draft_document(draft, sources=False).text


def check_draft(library: Library, draft: Draft, *, member: bool) -> CheckReport:
    """The 查重 report of ``draft`` against ``library`` for a viewer with (``member``) or without the
    member tier. Raises BadValue (code ``empty_draft``) when the draft has no text to check,
    (``draft_too_long``) past the setting ``check_max_chars``."""
    return check_text(library, checked_text(draft), viewer_member=member)
