"""相似素材: documents whose content resembles a given document.

A ranked search (:mod:`sucai.search`) whose query is made of the document's
title words and top-level headings, run for the same viewer (so a viewer without
the member tier is matched and shown free text only), with the document itself
left out.
"""

from __future__ import annotations

import re

from . import access, analysis
from .library import Library
from .model import Document
from .search import Hit, SearchRequest

_WORD = re.compile(r"\w+")
MAX_TERMS = 12


def similar_query(doc: Document) -> str:
    """The query for documents like ``doc``: title words, then top-level headings (no query syntax).

    ``doc`` should already be the viewer's view (:func:`sucai.access.view`), so
    that members-only headings never shape what a visitor is shown.
    """
    terms: list[str] = []
    for word in analysis.words(analysis.normalize(doc.title)):
        terms += [w for w in _WORD.findall(word) if len(w) > 1]
    for node in doc.outline:
        if node.kind == "heading" and node.heading:
            terms += [w for w in _WORD.findall(analysis.normalize(node.heading)) if len(w) > 1]
    terms = [t for t in dict.fromkeys(terms) if t.upper() != "OR"]
    return " ".join(terms[:MAX_TERMS])


def similar(library: Library, doc: Document, *, member: bool = False, limit: int = 5) -> list[Hit]:
    """Up to ``limit`` documents most like ``doc`` (ranked search), ``doc`` itself excluded."""
    view = access.view(doc, member)[0]
    query = similar_query(view)
    if not query:
        return []
    request = SearchRequest(q=query, mode="ranked", limit=limit + 1, facets=False)
    hits = library.search(request, member=member).hits
    return [h for h in hits if h.id != doc.id][:limit]
