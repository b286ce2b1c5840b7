"""The library: one object that ties the settings, the catalogue and the search index together.

The CLI and the web app are thin layers over this class; every operation they
offer is a method here (or a function of a pipeline module it calls). The ingest (with the readers) and the
search (with the index) are imported by the methods that use them: ``sucai show``, ``list`` and ``stats``
read the catalogue and need neither (``tests/test_cli.py`` keeps them out).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import access
from .config import Settings, load_settings
from .dedupe import REPRESENTATIVE_VERSION, TEXT_HASH_VERSION, Clusters, representative, text_hash
from .errors import no_document
from .model import UNSTATED_SOURCE, Document
from .resultcache import ResultCache
from .store import Catalogue, Summary

if TYPE_CHECKING:
    from .index import SearchIndex
    from .ingest import IngestProgress, IngestSummary
    from .search import SearchRequest, SearchResult


log = logging.getLogger(__name__)


# Why the free previews are made again (:meth:`sucai.store.Catalogue.free_changed`), as a user is told it
_DESCRIBED_WHY = {"rules": "程序升级后免费预览规则有变", "preview": "免费预览字数设置（free_preview_chars）已改"}


def describing_message(changed: tuple[str, ...], total: int) -> str:
    """What is said while :class:`Library` makes the free previews again — by a command on stderr
    (:func:`sucai.cli.common.describing_said`), by a watcher in its log (:func:`sucai.watch.watch_forever`): why
    (``changed``, of :meth:`Catalogue.free_changed <sucai.store.Catalogue.free_changed>`) and of how many documents,
    「程序升级后免费预览规则有变，正在重新生成 12 篇文档的免费预览…」."""
    return f"{'，且'.join(_DESCRIBED_WHY[name] for name in changed)}，正在重新生成 {total} 篇文档的免费预览…"


def older_readings_message(documents: int, members: int) -> str | None:
    """What the operator is told of the documents an older reading stored (:meth:`Catalogue.older_readings
    <sucai.store.Catalogue.older_readings>`: ``documents``, ``members`` of them with a members part) — by ``sucai
    stats`` and at ``sucai serve``'s start, on stderr —: how many, why it matters, how to read them again; None when
    there is none."""
    if not documents:
        return None
    why = (f"（其中 {members} 篇含会员内容：免费部分从哪里开始仍按旧规则划分）" if members else "")
    return (f"有 {documents} 篇文档由旧版程序读取{why}；请对其源文件运行 sucai ingest 文件夹 --reread，"
            "以本版重新读取")


class Library:
    """A sucai library in ``settings.home`` (see :func:`sucai.config.load_settings`).

    Opening it first brings its derived columns up to date with the code and the settings; the longest of these,
    the visitors' metadata made again after the free preview's rules or setting changed (~1 ms per document with
    a members part, then their index entries), calls ``describing(changed, done, total)`` before each batch of
    documents (:meth:`Catalogue.describe_free <sucai.store.Catalogue.describe_free>`: ``changed`` says why, of
    ``("rules", "preview")``; ``done`` of the ``total`` documents made again), for a command to say what it does.
    The index then takes what was described, at once — but with ``reindexing``: the caller rebuilds it next
    (:meth:`reindex`; ``sucai restore``, ``sucai reindex``), which takes it too, and opening the index here would
    rebuild it a first time (a restored backup of an older version: its index follows another catalogue).
    """

    def __init__(self, settings: Settings, describing: Callable[[tuple[str, ...], int, int], None] | None = None, *,
                 reindexing: bool = False):
        self.settings = settings
        preview = settings.free_preview_chars if settings.free_preview_chars >= 0 else None
        self.catalogue = Catalogue(settings.database("catalogue"), preview)
        self.catalogue.rehash(text_hash, TEXT_HASH_VERSION)
        self.catalogue.recount()
        # before the groupings: a representative is chosen by its free view
        described = self.catalogue.describe_free(describing)
        self.clusters.group_free()
        self.catalogue.choose_representatives(representative, REPRESENTATIVE_VERSION)
        if described and not reindexing:   # a visitor's metadata changed: the index takes it before anyone searches
            self.index.sync()
        self._stats: dict[bool, tuple[int, dict]] = {}   # per tier: (the change count it was made at, the stats)

    @classmethod
    def open(cls, home: str | Path | None = None, **overrides) -> Library:
        return cls(load_settings(home, **overrides))

    @cached_property
    def index(self) -> SearchIndex:
        from .index import SearchIndex

        return SearchIndex(self.settings, self.catalogue)

    @cached_property
    def results(self) -> ResultCache:
        """Repeated searches of this process (setting ``search_cache_entries``), see :mod:`sucai.resultcache`."""
        return ResultCache(self.settings.search_cache_entries)

    @cached_property
    def clusters(self) -> Clusters:
        """The clusters of near-duplicates (相似版本), see :mod:`sucai.dedupe`."""
        return Clusters(self.catalogue)

    def ingest(self, paths: Iterable[str | Path], progress: Callable[[IngestProgress], None] | None = None,
               workers: int | None = None, source: str | None = None, *, retry_failed: bool = False,
               stop_parsers: bool = False, reread: bool = False) -> IngestSummary:
        """Ingest files and folders (see :func:`sucai.ingest.ingest`); ``source`` is the 来源 of
        the files of this batch that name none themselves; ``retry_failed``: read again the files skipped or
        failed before, unchanged since (else ``not_retried``); ``stop_parsers``: this process parses nothing
        after it (the parse workers' fork server is stopped before the index's last commit); ``reread``: read again
        the files stored before, unchanged since (after an upgrade: a better parse replaces the stored one)."""
        from .ingest import ingest

        return ingest(self, paths, progress, workers, source, retry_failed, stop_parsers, reread)

    def summaries(self, limit: int | None = None, *, newest_first: bool = False, member: bool = False,
                  offset: int = 0, added_since: str | None = None, hidden_only: bool = False) -> list[dict]:
        """The visible documents (the hidden ones instead with ``hidden_only``) without their text (id, title, 文种,
        字数, date, source, has_member_part, hidden), as a viewer with or without the member tier sees their metadata;
        at most ``limit`` of them after the first ``offset``; only those added at or after ``added_since`` (an ISO UTC
        timestamp, :func:`sucai.updates.utc_stamp`) when it is given."""
        return [row.to_dict() for row in self.records(limit, newest_first=newest_first, member=member, offset=offset,
                                                      added_since=added_since, hidden_only=hidden_only)]

    def records(self, limit: int | None = None, *, newest_first: bool = False, member: bool = False,
                ids: list[int] | None = None, offset: int = 0, added_since: str | None = None,
                hidden_only: bool = False) -> list[Summary]:
        """The visible catalogue rows (:class:`sucai.store.Summary`; the hidden ones instead with ``hidden_only``) as
        this viewer sees their metadata."""
        rows = self.catalogue.records(limit, newest_first, ids=ids, offset=offset, added_since=added_since,
                                      hidden_only=hidden_only)
        return rows if member else access.free_summaries(rows, self.catalogue)

    def stats(self, *, member: bool = False) -> dict:
        """Documents, 字数 (``chars``), and counts by 文种 and by 来源 ("未注明" when none) of the visible
        documents, as this viewer sees their metadata (the same shape as :meth:`Catalogue.stats`).

        Made once per viewer tier and kept until the catalogue's change log moves (any addition, edit,
        hiding or removal, by any process): the free view of every row took 0.2–0.4 s, on every visitor's
        home page. The dict is shared: treat it as read-only.
        """
        count = self.catalogue.change_count()   # before the rows are read: a change made meanwhile counts
        kept = self._stats.get(member)
        if kept is not None and kept[0] == count:
            return kept[1]
        if member:
            stats = self.catalogue.stats()
        else:
            rows = self.records()
            stats = {"documents": len(rows), "chars": sum(row.counted_chars for row in rows),
                     "by_genre": _ordered(Counter(row.genre for row in rows)),
                     "by_source": _ordered(Counter(row.source or UNSTATED_SOURCE for row in rows))}
        self._stats[member] = (count, stats)
        return stats

    def get(self, doc_id: int, include_hidden: bool = False, *, preview: bool = True) -> Document:
        """The document with this id. Raises NotFound (also for a hidden one, unless ``include_hidden``).

        ``preview=False``: the member boundary as stored, without the free preview
        setting's (see :meth:`Catalogue.get <sucai.store.Catalogue.get>`).
        """
        doc = self.catalogue.get(doc_id, preview=preview)
        if doc.hidden and not include_hidden:
            raise no_document(doc_id)
        return doc

    def update(self, doc_id: int, **changes) -> None:
        """Edit metadata (title, 文种, member boundary…) and re-index. See :meth:`Catalogue.update`."""
        self.catalogue.update(doc_id, **changes)
        self.clusters.changed(doc_id)
        self.index.sync(edit=True)

    def set_hidden(self, doc_id: int, hidden: bool) -> None:
        """Hide a document from search and reading (admins still see it), or show it again."""
        self.catalogue.set_hidden(doc_id, hidden)
        self.clusters.changed(doc_id)
        self.index.sync(edit=True)

    def remove(self, doc_id: int) -> None:
        """Delete a document from the catalogue and the index, then what the accounts keep of it — favourites,
        history, counts of reads and downloads (:meth:`Collections.forget <sucai.collections.Collections.forget>`;
        what a process ended in between leaves, :mod:`sucai.retention` deletes). Raises NotFound."""
        from .accounts import Accounts
        from .collections import Collections

        cluster, free = self.clusters.held(doc_id)
        self.catalogue.remove(doc_id)
        self.clusters.refresh(cluster)
        self.clusters.refresh(free, free=True)
        self.index.sync(edit=True)
        if (accounts := Accounts.existing(self.settings)) is not None:
            Collections(accounts).forget([doc_id])

    def search(self, request: SearchRequest, *, member: bool = False) -> SearchResult:
        from .search import search

        return search(self.index, request, member=member, cache=self.results)

    def matching_ids(self, request: SearchRequest, *, member: bool = False, limit: int = 1000) -> tuple[int, list[int]]:
        """Total and matching ids in result order (no snippets): for batch downloads."""
        from .search import matching_ids

        return matching_ids(self.index, request, member=member, limit=limit)

    def matching_documents(self, request: SearchRequest, *, member: bool = False,
                           limit: int = 1000) -> tuple[int, list[Document]]:
        """Total and the matching documents, best first, up to ``limit`` (as stored: the caller takes each viewer's
        view): ``sucai export --query`` and the web's 打包下载 by a search. A document hidden since the index read
        it is left out."""
        total, ids = self.matching_ids(request, member=member, limit=limit)
        found = {d.id: d for d in self.catalogue.documents(ids) if not d.hidden}
        return total, [found[i] for i in ids if i in found]

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the search index from the catalogue; returns the number of documents. An index this process
        has not opened yet is rebuilt as it opens, once: opening it rebuilds it anyway when it follows another
        catalogue (a restored one) or another index version, and a rebuild after that would do it all again."""
        if "index" in self.__dict__:
            return self.index.rebuild(progress)
        from .index import SearchIndex

        self.index = SearchIndex(self.settings, self.catalogue, rebuild=True, progress=progress)
        return self.index.rebuilt

    def check_integrity(self, repair: bool = True) -> dict:
        """Compare the catalogue with this node's index, after applying the change log, and find the documents
        the ingest no longer stores.

        Returns ``{"ok", "documents", "applied", "missing", "extra", "duplicated", "title_only", "repaired"}``:
        ids of documents that are not hidden but have no index entry, of entries with no such document, and of
        documents indexed twice; ``title_only``: ``[{"id", "title"}]`` of the documents that are not hidden and
        hold only a title (0 字: stored before such files were refused; an ingest of their file again says
        未变化). With ``repair`` the index entries are made again (or dropped) in one commit, and the title-only
        documents are hidden — kept, with all an admin did to them, and shown again by an admin, after which no
        check lists or hides them again (:meth:`Catalogue.hide_title_only <sucai.store.Catalogue.hide_title_only>`)
        — each logged with the reason.
        """
        title_only = [{"id": doc_id, "title": title} for doc_id, title in self.catalogue.title_only()]
        if repair and title_only:
            self.catalogue.hide_title_only([doc["id"] for doc in title_only])
            for doc in title_only:
                self.clusters.changed(doc["id"])
                log.warning("已隐藏文档 %s（%s）：只有标题、没有正文（0 字），现在入库时不再收录这样的文件",
                            doc["id"], doc["title"])
        self.index.sync(edit=True)
        expected, indexed = set(self.catalogue.document_ids()), Counter(self.index.indexed_ids())
        report = {"documents": len(expected), "applied": self.index.applied,
                  "missing": sorted(expected - set(indexed)), "extra": sorted(set(indexed) - expected),
                  "duplicated": sorted(i for i, n in indexed.items() if n > 1), "title_only": title_only}
        report["ok"] = not (report["missing"] or report["extra"] or report["duplicated"] or title_only)
        report["repaired"] = repair and not report["ok"]
        if report["repaired"]:
            self.index.repair(report["missing"] + report["extra"] + report["duplicated"])
        return report

    def close(self) -> None:
        self.catalogue.close()


def _ordered(counts: Counter) -> dict[str, int]:
    """Most frequent first, then by name (the order of :meth:`Catalogue.stats`)."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
