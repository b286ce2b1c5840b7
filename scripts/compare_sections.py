"""Compare the section searches (scope 段落) of two versions of sucai over one library: this checkout against a git ref's.

Run from the project root: ``python scripts/compare_sections.py --home LIBRARY [--base REF] [--queries N]``.
Each version opens the library (read only: nothing is ingested or re-indexed when both read its index version)
in a process of its own and runs the same seeded queries — ``N`` (default 100) drawn from the library's texts
(one or two pieces of 2–6 characters) and its headings, plus the writers' own ("担当作为方面 存在问题"…) — in
精准 and 智能 mode, for a member and a visitor, without and with a heading filter (one of the library's headings,
or 存在问题), pages 1 and 2, with facets; and writes every field of each result but its time (total, hits with
their snippets, highlights, section paths and offsets, 相同段落 counts, facets, warnings) as a digest. The base
version is ``git archive``'d into a temporary folder (:mod:`compare_parse`). Prints what differs and exits 1 when
anything does, 0 when every result is the same.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_parse  # noqa: E402  (the runs in a fresh process and the export of a git ref's package)

WRITERS = ["担当作为方面 存在问题", "存在问题", "整改措施", "主要问题 原因", "落实责任", "第一条"]
_SEED = 20241203


def digests(home: Path, count: int) -> dict[str, str]:
    """Request → SHA-256 of its result's JSON form (all but ``took_ms``), by the ``sucai`` imported here."""
    from sucai.library import Library
    from sucai.search import SearchRequest

    library = Library.open(home, search_cache_entries=0)
    queries, headings = _queries(library, count)
    out: dict[str, str] = {}
    for n, q in enumerate(queries):
        for heading in (None, headings[n % len(headings)]):
            for mode in ("precise", "ranked"):
                for member in (True, False):
                    for page in (1, 2):
                        request = SearchRequest(q=q, mode=mode, scope="section", heading=heading, page=page,
                                                limit=10, facets=True)
                        result = library.search(request, member=member).to_dict()
                        del result["took_ms"]
                        out[repr((q, heading, mode, member, page))] = compare_parse.digest(result)
    library.close()
    return out


def _queries(library, count: int) -> tuple[list[str], list[str]]:
    """``count`` seeded queries drawn from the library's texts, then :data:`WRITERS`; headings to filter by."""
    from sucai.search import sections

    rng = random.Random(_SEED)
    ids = [summary["id"] for summary in library.catalogue.summaries()]
    queries, headings = [], ["存在问题"]
    while len(queries) < count:
        doc = library.get(rng.choice(ids))
        pieces = []
        for _ in range(rng.choice((1, 1, 2))):
            size = rng.randint(2, 6)
            start = rng.randrange(max(1, len(doc.text) - size))
            pieces.append("".join(doc.text[start : start + size].split()))
        if all(pieces):
            queries.append(" ".join(pieces))
        paths = [part.path[-1] for part in sections(doc) if part.path]
        if paths:
            headings.append(rng.choice(paths))
    return queries + WRITERS, headings


def main() -> None:
    compare_parse.compare_library("compare_sections", "section searches")


if __name__ == "__main__":
    main()
