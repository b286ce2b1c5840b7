"""Metadata a web page gives outside its body text → ``RawDocument.meta`` ("title", "date", "source", "url").

Sources, first found wins per key:

- ``<meta>`` tags of the Open Graph protocol (og:title, og:site_name, og:url,
  article:published_time) and of Chinese government sites (the 政府网站 page
  tags ArticleTitle, PubDate, ContentSource, SiteName, Url, as gov.cn pages
  carry them), plus common publishing tags (publishdate, author…);
- the 信息公开 table of gov.cn policy pages ("标　　题：", "发文机关：",
  "发布日期：" cells, each followed by its value cell) — not in a page that tags
  a members part;
- the page's info line ("发布时间：2025-11-20 10:30 来源：某某日报 作者：张三",
  :func:`sucai.clean.info_line`): an element of the page whose text is nothing
  but page fields, often outside the article the body text is taken from —
  not in a page that tags a members part, nor when the body text holds it
  (:func:`article_meta`), where it could be members text;
- ``<link rel="canonical">``, then ``<title>``.

A creation or modification date is not a publication date and is left out.
Values are as written, whitespace collapsed; a key with no value is absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from itertools import islice

from sucai.clean import info_line, members_tagged

# Where each key is looked for, in order of preference: "name" = a <meta name/property/itemprop> (lower case),
# "table:…" = a cell of the gov.cn 信息公开 table, "canonical" = <link rel="canonical">, "title" = <title>.
_SOURCES = {
    "title": ("og:title", "articletitle", "twitter:title", "table:title", "title"),
    "date": ("pubdate", "article:published_time", "publishdate", "firstpublishedtime", "datepublished",
             "dc.date.issued", "table:date", "info:date"),
    "source": ("contentsource", "table:source", "info:source", "og:site_name", "sitename", "author"),
    "url": ("canonical", "og:url", "url"),
}
_TABLE_LABELS = {"标题": "title", "发文机关": "source", "发布日期": "date"}  # gov.cn 信息公开 table
_INFO_LABELS = {*_TABLE_LABELS, "索引号", "主题分类", "成文日期", "发文字号", "主题词"}   # and the cells that open its tables
_LABEL_NOISE = re.compile(r"[\s\u3000:：]")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_MAX_VALUE_CHARS = 500
_INFO_TAGS = ("div", "p", "span", "li", "td", "header", "section", "font", "small", "em")
_INFO_NODES = 32   # an info line's elements (its fields' labels and values) at most: an element holding more is
#                    none, found so after reading that many of them — each element costs little however much it holds


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())[:_MAX_VALUE_CHARS]


def _meta_tags(tree) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        name = (element.get("name") or element.get("property") or element.get("itemprop") or "").strip().lower()
        content = _clean(element.get("content"))
        if name and content:
            found.setdefault(name, content)
    return found


def _table_values(tree) -> dict[str, str]:
    """Label cell → the value cell right after it, for the labels of the gov.cn 信息公开 table; none in a page that
    tags a members part (the table could be in it, and it is dropped from the text: attack 30)."""
    found: dict[str, str] = {}
    for cell in tree.iter("td", "th"):
        key = _TABLE_LABELS.get(_LABEL_NOISE.sub("", cell.text_content()))
        value_cell = cell.getnext()
        if key and value_cell is not None and value_cell.tag in ("td", "th"):
            value = _clean(value_cell.text_content())
            if value:
                found.setdefault(key, value)
    return {} if found and members_tagged(tree.text_content()) else found


def _info_line(tree) -> tuple[str, dict[str, str]]:
    """The text of the first element of the page (in document order) that is an info line, and its 来源 and date;
    none in a page that tags a members part (the info line could be in it: a free view names no 来源 of its text)."""
    for element in tree.iter(*_INFO_TAGS):
        few = next(islice(element.iter(), _INFO_NODES, None), None) is None   # (its text runs read past empty ones)
        line = " ".join(" ".join(element.itertext()).split()) if few else ""
        found = line and info_line(line)
        if found:
            return ("", {}) if members_tagged(tree.text_content()) else (line, found)
    return "", {}


def drop_info_tables(tree) -> None:
    """Remove the gov.cn 信息公开 tables, in place: metadata (:func:`page_meta` reads it first), not body text — a
    table whose first cell of its own (not a nested table's) is one of their labels (索引号, 标题, 主题词…)."""
    for table in list(tree.iter("table")):
        first = next((cell for cell in table.iter("td", "th") if next(cell.iterancestors("table"), None) is table), None)
        if first is not None and _LABEL_NOISE.sub("", first.text_content()) in _INFO_LABELS:
            table.drop_tree()


def _canonical(tree) -> str:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return _clean(link.get("href"))
    return ""


def page_meta(tree) -> tuple[dict[str, str], dict[str, str], str]:
    """The page's metadata as ``{"title": …, "date": …, "source": …, "url": …}``, keys without a value left out, the
    same without its info line, and that line when it gave a value ("" else; :func:`article_meta` chooses, once the
    body text is known).

    ``tree`` is the lxml.html document, before any of it is removed. "url" is
    kept only when it is an absolute http(s) URL.
    """
    title = tree.find(".//title")
    found = {
        **_meta_tags(tree),
        **{f"table:{key}": value for key, value in _table_values(tree).items()},
        "canonical": _canonical(tree),
        "title": _clean(title.text_content()) if title is not None else "",
    }
    info = cache(lambda: _info_line(tree))   # read when reached
    meta = _chosen(found, lambda: {f"info:{key}": value for key, value in info()[1].items()})
    without = _chosen(found, dict)
    return meta, without, info()[0] if meta != without else ""


def _chosen(found: dict[str, str], info: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The first value of each key of :data:`_SOURCES` in ``found`` or ``info()`` (read when reached)."""
    meta = {}
    for key, names in _SOURCES.items():
        values = (info().get(name, "") if name.startswith("info:") else found.get(name, "") for name in names)
        value = next((v for v in values if v and (key != "url" or _URL.match(v))), "")
        if value:
            meta[key] = value
    return meta


def article_meta(page: tuple[dict[str, str], dict[str, str], str], text: str) -> dict[str, str]:
    """The metadata of :func:`page_meta` (``page``) of a page whose body text is ``text``: without its info line when
    the text holds it — the line, white space aside, or a line of the text that is an info line giving one of its
    values (:func:`sucai.clean.info_line`) —, as :mod:`sucai.clean` reads it there as a source line, where it may
    be members text (past the free preview: attack 30), which metadata found outside the text would show anyone."""
    meta, without, line = page
    if not line:
        return meta
    taken = {"".join(value.split()) for value in info_line(line).values()}
    held = "".join(line.split()) in "".join(text.split()) or any(
        "".join(value.split()) in taken for part in text.splitlines() for value in info_line(part).values())
    return without if held else meta
