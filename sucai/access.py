"""The member boundary: what a viewer without the member tier (会员) may see.

This module is the one place that decides how much of a document a viewer gets.
Every route and command that shows, searches or exports document text goes
through it.
"""

from __future__ import annotations

from dataclasses import replace

from .model import Document, OutlineNode

MEMBER_NOTICE = "会员可见全文（剩余 {remaining} 字）"


def view(doc: Document, member: bool) -> tuple[Document, str | None]:
    """What a viewer gets of ``doc``: ``(document, notice)``.

    A member (or admin) gets the whole document and no notice; anyone else gets
    :func:`free_view` and :func:`notice`.
    """
    return (doc, None) if member else (free_view(doc), notice(doc))


def free_view(doc: Document) -> Document:
    """The free preview of ``doc``: its text cut at ``paid_from``, outline trimmed.

    Returns ``doc`` itself when it has no members-only part. Otherwise a copy whose
    ``text`` is ``doc.text[:paid_from]`` (the notice is not part of the text; see
    :func:`notice`), whose outline keeps only the nodes that start before the
    boundary (their ``end`` clipped to it), whose 公文 elements are those that
    end before it, and whose ``removed`` audit list is empty (it may quote
    members-only text).
    """
    if doc.paid_from is None:
        return doc
    cut = doc.paid_from
    elements = [element for element in doc.elements if element.end <= cut]
    return replace(doc, text=doc.text[:cut], outline=_clip(doc.outline, doc.text, cut), elements=elements, removed=[])


def notice(doc: Document) -> str | None:
    """The notice shown in place of the members-only part, or None when there is none."""
    if doc.paid_from is None:
        return None
    return MEMBER_NOTICE.format(remaining=len(doc.text) - doc.paid_from)


def _clip(nodes: list[OutlineNode], text: str, cut: int) -> list[OutlineNode]:
    """Nodes starting before ``cut``; a heading or summary whose words run past ``cut`` is blanked."""
    return [
        replace(
            node,
            heading=node.heading if _words_end(node.heading, node, text) <= cut else "",
            summary=node.summary if _words_end(node.summary, node, text) <= cut else "",
            end=min(node.end, cut),
            children=_clip(node.children, text, cut),
        )
        for node in nodes
        if node.start < cut
    ]


def _words_end(words: str, node: OutlineNode, text: str) -> int:
    """Where ``words`` (the node's heading or summary) end in ``text``."""
    found = text.find(words, node.start, node.end)
    return node.end if found < 0 else found + len(words)
