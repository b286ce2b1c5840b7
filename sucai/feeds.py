"""Atom feeds (RFC 4287) of what was added: all of it, one 文种, or one saved search.

Written with feedgen. A feed URL is read by feed readers and feed services
without a login, so every feed is made for a viewer without the member tier:
entries carry the free view only (:func:`sucai.access.free_view` — text, title,
文种, date), with the 会员 notice where the members part was left out, and a
saved search's feed matches the free text only. An entry links to the
document's page, where a member who logs in reads the whole.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

from . import access
from .model import Document

SUMMARY_CHARS = 300          # characters of free text in an entry
FEED_ENTRIES = 50            # newest entries in a feed
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str | None) -> str:
    """``text`` with the characters XML 1.0 cannot carry removed."""
    return _NOT_XML.sub("", text or "")


def summary(doc: Document) -> str:
    """The start of the free view's text of ``doc`` (up to :data:`SUMMARY_CHARS` characters, white space
    runs as one space), then the 会员 notice when a members part was left out."""
    view, notice = access.view(doc, False)
    text = " ".join(view.text.split())
    cut = text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else "")
    return f"{cut}【{notice}】" if notice else cut


def atom(*, title: str, feed_url: str, site_url: str, entries: list[tuple[str, Document]],
         subtitle: str = "素材库最新入库的材料", feed_id: str | None = None) -> bytes:
    """An Atom feed (UTF-8 bytes) of ``entries``: ``(added_at, document)`` pairs, newest first, where
    ``added_at`` is the UTC ISO time the document was added; each document is shown as its free view.

    ``feed_url`` is the feed's own address (its ``rel=self`` link, and its id unless ``feed_id`` is given:
    a feed whose URL holds a secret gets an id without it);
    ``site_url`` the site's root, without a trailing slash. Each entry's id and
    link are the document page's URL, its ``updated``/``published`` the time it
    was added, its title, 文种 (category) and 来源 (author) the free view's, and
    its summary :func:`summary`.
    """
    feed = FeedGenerator()
    feed.id(feed_id or feed_url)
    feed.title(_xml(title))
    feed.subtitle(_xml(subtitle))
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=f"{site_url}/", rel="alternate", type="text/html")
    feed.language("zh-CN")
    feed.author({"name": "sucai 素材库"})
    feed.generator("sucai 素材库")
    newest = max((at for at, _ in entries), default=None)
    feed.updated(_moment(newest) if newest else datetime.now(timezone.utc))
    for added_at, doc in reversed(entries):   # feedgen puts the entry added last first
        view = access.free_view(doc)
        url = f"{site_url}/documents/{doc.id}"
        entry = feed.add_entry()
        entry.id(url)
        entry.title(_xml(view.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.updated(_moment(added_at))
        entry.published(_moment(added_at))
        entry.category(term=_xml(view.genre), label=_xml(view.genre))
        if view.source:
            entry.author({"name": _xml(view.source)})
        entry.summary(_xml(summary(doc)), type="text")
    return feed.atom_str(pretty=True)


def _moment(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
