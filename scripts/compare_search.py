"""Compare the document searches of two versions of sucai over one library: this checkout against a git ref's.

Run from the project root: ``python scripts/compare_search.py --home LIBRARY [--base REF] [--queries N]``.
Each version opens the library (read only: nothing is ingested or re-indexed when both read its index version)
in a process of its own and runs the same seeded queries — ``N`` (default 100) drawn from the library's texts
(:func:`compare_sections._queries`: one or two pieces of 2–6 characters, and the writers' own) and a few broad
ones (common words with many matches) — in 精准 and 智能 mode, for a member and a visitor, sorted by relevance,
date and length, pages 1 and 2, with facets, and the first page again filtered by the 文种 of the library's most
common one; and writes every field of each result but its time (total, hits with their scores, snippets and
highlights, other versions, facets, warnings) as a digest. Section scope: ``scripts/compare_sections.py``.
Prints what differs and exits 1 when anything does, 0 when every result is the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_parse  # noqa: E402  (the runs in a fresh process and the export of a git ref's package)
import compare_sections  # noqa: E402  (the library's seeded queries)

BROAD = ["工作", "发展", "加强 领导", "高质量发展", "问题 整改", "制度 落实"]


def digests(home: Path, count: int) -> dict[str, str]:
    """Request → SHA-256 of its result's JSON form (all but ``took_ms``), by the ``sucai`` imported here."""
    from collections import Counter

    from sucai.library import Library
    from sucai.search import SearchRequest

    library = Library.open(home, search_cache_entries=0)
    queries = compare_sections._queries(library, count)[0] + BROAD
    genre = Counter(summary["genre"] for summary in library.catalogue.summaries()).most_common(1)[0][0]
    asked = [dict(sort=sort, page=page) for sort in ("relevance", "date", "chars") for page in (1, 2)]
    asked.append(dict(genre=genre))
    out: dict[str, str] = {}
    for q in queries:
        for mode in ("precise", "ranked"):
            for member in (True, False):
                for options in asked:
                    request = SearchRequest(q=q, mode=mode, limit=10, facets=True, **options)
                    result = library.search(request, member=member).to_dict()
                    del result["took_ms"]
                    out[repr((q, mode, member, sorted(options.items())))] = compare_parse.digest(result)
    library.close()
    return out


def main() -> None:
    compare_parse.compare_library("compare_search", "document searches")


if __name__ == "__main__":
    main()
