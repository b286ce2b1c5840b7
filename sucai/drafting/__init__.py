"""写作台: drafting help from the library — an outline, paragraphs with their sources, a draft in Word.

One module per step, each with one entry point:

- :mod:`.outline` — :func:`suggest_outline`: the headings that recur across the most
  similar documents of a 文种, clustered (:mod:`sucai.headings`), ordered, with their support;
- :mod:`.paragraphs` — :func:`paragraph_candidates`: paragraphs under matching headings
  of the library (section search), each verbatim from its cited source;
- :mod:`.placeholders` — :func:`mark_placeholders`: another unit's names, years, dates,
  people and figures as 【待补】 (facts found by :mod:`sucai.facts`, our own rules);
- :mod:`.rewrite` — :func:`rewrite_paragraph` (润笔 through an OpenAI-compatible endpoint)
  and :func:`check_rewrite`, which refuses a rewrite that adds or changes a fact;
- :mod:`.drafts` — :class:`DraftBody`, what a writer sends (the one model that checks a save), and
  :func:`build_draft`: a writer's draft checked against its sources;
  :mod:`.storage` — :class:`DraftStore`, the drafts of each author in the catalogue;
  :mod:`.document` — :func:`export_draft`: .docx (GB/T 9704), .md and .txt, with the draft's own 落款;
  :mod:`.copycheck` — :func:`check_draft`: the draft's 查重 against the library (:mod:`sucai.check`) of
  its :func:`checked_text`;
- :mod:`.tier` — :func:`may_draft`: who may use it (setting ``drafting_tier``);
- :mod:`.plan` — :func:`make_plan`: outline and candidates at once (``sucai draft``).

Everything a writer receives comes from :func:`sucai.access.view` for their tier;
hidden documents are never sources.
"""

from .copycheck import check_draft, checked_text
from .document import export_draft
from .drafts import Draft, DraftBody, build_draft, shown
from .outline import asked_genre, draft_title, suggest_outline
from .paragraphs import paragraph_candidates
from .placeholders import mark_placeholders
from .plan import first_draft, make_plan
from .rewrite import check_rewrite, rewrite_paragraph
from .storage import DraftStore, Owner
from .tier import may_draft, require_drafting

__all__ = ["Draft", "DraftBody", "DraftStore", "Owner", "asked_genre", "build_draft", "check_draft", "checked_text", "check_rewrite", "draft_title", "export_draft", "first_draft",
           "make_plan", "mark_placeholders", "may_draft", "paragraph_candidates", "require_drafting",
           "rewrite_paragraph", "shown", "suggest_outline"]
