"""相似素材: documents whose content resembles a given document.

A ranked search (:mod:`sucai.search`) whose query is made of the document's
title words and top-level headings (its topic), run for the same viewer (so a
viewer without the member tier is matched and shown free text only), with the
document itself left out. Documents of the same 文种 come first — a reader of a
对照检查材料 wants other 对照检查材料 on the same topic, not news transcripts that
share a few words — then the best of the other 文种 fill the list.
"""

from __future__ import annotations

import re

from . import access, analysis
from .library import Library
from .model import Document
from .search import Hit, SearchRequest

_WORD = re.compile(r"\w+")
MAX_TERMS = 12
UNKNOWN_GENRE = "其他"  # the 文种 of a document whose kind was not recognised: no preference then


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
    """Up to ``limit`` documents most like ``doc``, one per cluster of near-duplicates, ``doc`` and its own versions
    left out: those of the viewer's 文种 of ``doc`` first (ranked search filtered by 文种), then the others (ranked
    search), each best first.

    Each search shows one member of a cluster, but not always the same one (a version of that 文种 where its
    representative has another), so a hit is skipped when it or one of its other versions was listed. A search
    gives ``limit + 1`` hits: it skips at most one of ``doc``'s cluster and one of each cluster listed before it,
    and needs ``limit`` less those listed."""
    view = access.viewed(doc, member)
    query = similar_query(view)
    if not query:
        return []
    genres = [view.genre, None] if view.genre and view.genre != UNKNOWN_GENRE else [None]
    seen = {doc.id}   # not to be listed: doc, its versions (hidden ones too), the hits listed and their versions
    cluster = library.catalogue.cluster_of(doc.id, free=not member)   # the clusters this viewer sees
    if cluster is not None:
        seen.update(row.doc_id for row in library.catalogue.cluster_rows(cluster, free=not member))
    found: list[Hit] = []
    for genre in genres:
        request = SearchRequest(q=query, mode="ranked", genre=genre, limit=limit + 1, facets=False)
        for hit in library.search(request, member=member).hits:
            if hit.id not in seen and len(found) < limit:
                found.append(hit)
                seen.update([hit.id, *hit.other_versions])
        if len(found) >= limit:
            break
    return found
