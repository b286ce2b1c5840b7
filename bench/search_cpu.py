"""Where a document search's CPU goes, stage by stage, on the synthetic library of bench/search.py (issue 16).

Run from the project root, after ``python bench/search.py --chars N --home DIR`` built the library:
``python bench/search_cpu.py --chars N --home DIR [--queries 300] [--mode precise] [--profile]``.
The queries are bench/search.py's (the same seed: the first ``--queries`` of them), run through
:meth:`Library.search` (no result cache, limit 10, no facets) for a member and for a visitor, every hit read (no
cache of hits' documents: the bench's queries seldom share one). Each search's CPU is this thread's
(time.thread_time), split by the stage functions of :mod:`sucai.search` it calls — the query parsed
(``parse_query``), the index asked for a page of ids (``_ordered``: tantivy, and in ranked mode the query's
segmentation and clauses), the page's documents read from the catalogue (``_hit_documents``), the hits made of
them (``_document_hit``: snippets, title highlights) — and what is left (the snapshot, the request's checks, the
result). Two parts of those stages are shown beside them (counted in their stage, not again in what is left): the
index's own search (``tantivy``: ``_ranked_ids`` and ``_sorted_ids``, the part of ``_ordered`` that grows with the
library; the rest of it, the query's words and clauses, does not) and the hits' snippets (``snippet_for``, the part
of ``_document_hit`` that searches each hit's whole text; the rest, title highlights and the hit). Timing a part
adds two clock reads (~1 µs) to its stage. Two ways, one pass over the queries each (so that what a search keeps
per set of needles — compiled patterns, segmented words — is as cold in both: the queries in between push it out
of those caches):

- ``search``: :meth:`Library.search` as it runs;
- ``hits in memory``: the same with every hit's document served from memory (read once, before timing) — what a
  search would cost if it read no text of its hits: the share of the catalogue read, the text decoded included.

Each stage at the median (p50) and at p99, a table each. Beside them, the p50 CPU of bench/search.py's brute-force
scan of the same queries (a sample of 50), and the ratios issue 16 sets targets for (precise ≥ 100×, ranked ≥ 50×
the scan). ``--profile``: cProfile's heaviest functions over a further pass of the searches (by own time), for what
the stages do not split.

What is left of a ranked search at 20 M characters (issue 16, lane search27; ``--mode ranked``, a member's p50: parse
0.04 ms, _ordered 0.71 of which tantivy 0.53, _hit_documents 0.64, _document_hit 0.69 of which snippet_for 0.55, rest
0.17, whole 2.32; p99 whole 4.07, tantivy 1.49, snippet_for 1.44) — no stage is most of it, and each is mostly a pass
in C that the results need. Per hit (warm, best of three passes over the pages of the 300 queries): the text decoded
from UTF-8 ~26 µs (its row read without the text ~5), each needle form sought in the whole text ~8.7 µs (~1.9 forms a
hit: the others are found from a form they hold), the window placed 9 µs, its highlights 10 (``is_plain`` of the
window 6), the cut 3.5; per search the query built 65 µs, parsed 12. The window's rule needs every form's first
occurrences anywhere in the text, so the decode and the searches stay whole. Tried and left (same results each):

- each form found from its rarest character (``str.find`` of one character takes 1.8 µs where two take 11): 7.0 µs
  against 8.7 even with the rarest character known beforehand — a Python step per occurrence of that character;
- the text searched as UTF-8 bytes: ``bytes.find`` 1.4× the str searches, before any character offset is counted;
- the text stored as UTF-16: decoded in 16 µs instead of 27 (~0.1 ms a search, for a new storage of every text);
- the index in one segment instead of the five that bench/search.py's sync leaves (rebuilt with a writer heap of
  1.5 GB): tantivy's part p50, member 0.56/0.49 → 0.35/0.36 ms, visitor 0.47/0.50 → 0.28/0.26 (two runs each,
  alternated, load 9–10 on 2 CPUs), the whole search 3–13 % less, every result page the same (ids, order, scores,
  snippets and highlights of pages 1–2 of the 300 queries, for a member and a visitor); the rebuild took 41 s of
  CPU instead of 51 and peaked at 998 MB instead of 761. tantivy-py merges only by its own policy (eight segments of
  a size) and cannot be asked to merge, so the writer's heap (sucai/index.py's ``_WRITER_HEAP``) is the one lever.

So the floor of today's design is ~0.95 ms (tantivy ~0.5 in five segments, decode ~0.27, searches ~0.17) of the
≤ 1 ms target, and the ~1.3 ms of Python around it (query, SQLite rows, windows, highlights, hits) is spread over a
dozen functions of a few µs a hit: the window's steps, the largest, halved would be ~5 % of a search, under the
15 % worth their code. The next step down needs what a hit's text cannot give cheaply — where the needles are: per-block
needle filters (+36 % storage) or positions from the index (tantivy-py gives none).

Re-measured at 20 M characters (issue 16, lane rank29; ``--mode ranked``, three runs alternated with main's, a load of
10–18 on 2 CPUs, p50 ms, median (range)): a member's whole 2.59 (2.44–2.76), tantivy 0.61, _hit_documents 0.72
(0.71–0.79), snippet_for 0.61, the query built ~0.15, parsed 0.05; a visitor's 2.41 (2.12–2.53); facets, when asked,
~0.4 more (tantivy's aggregation ~0.15 of it, warm). Of _hit_documents, 0.37 is the read in C (SQLite's rows, the texts
decoded) and ~0.13 SQLAlchemy's pool — a connection checked out and in again for the one read: 12 µs in a loop, ten
times that among a search's other work, its caches cold. Tried and **not taken**: the hits read on SQLite connections
kept apart from the pool (a pool of our own beside SQLAlchemy's, ~70 lines): _hit_documents member 0.72 → 0.61
(0.57–0.63), p99 1.32 → 1.01; the whole member 2.59 → 2.54 (2.33–2.64), visitor 2.41 → 2.22 — within the load's noise,
≈ 4 % of a search, results identical (scripts/compare_search.py, 2,016 searches); not worth a second connection pool.

Lane rank30 (issue 16): a hit's evidence and free metadata are parsed when first read (sucai/store.py ``_Stored``), so a
member's hits parse neither — ~12 µs of the ~15 a hit's document took on a library of the corpus (~8 evidence entries
each); this synthetic library stores none, so its figures do not move (three runs a side alternated with main at a load
of 8–10: member p50 2.19 (2.16–2.67) ms on main, 2.45 (2.35–2.56) here, tantivy's own part 0.51 against 0.56: the
load's noise). On 335 corpus files (dangjian, mao, state council, work reports; ``free_preview_chars = 1500``), 306
ranked queries of scripts/compare_sections.py, best of three each, three runs a side alternated: member p50 2.40
(2.24–2.66) → 1.93 (1.88–1.94) ms, p99 4.83 → 4.02, _hit_documents 0.67 → 0.45; visitor p50 1.32 (1.29–1.44) → 1.31
(1.22–1.32), _hit_documents 0.44 → 0.31 (a visitor's free view reads the free metadata of a document with a members part,
the evidence of one without). Measured and left (per hit, warm, over the 5,970 hits of the 300 queries): the window's
sliding count with lists and ``bisect`` instead of a dict, 5.97 µs against 5.44; ``is_plain`` of a window by one
pattern compiled per set of needles (guard characters and gaps), 5.01 µs against 4.77 with its compiling (~22 µs per
query) counted; the 123 hits no needle occurs in verbatim (text normalised whole) cost ~167 µs each, 1.5 % of the mean.
The query is built once per search (parse ~16 µs, its tantivy clauses ~40–55, no term segmented twice), and a document
search's facet counts are kept per request, tier and index state in the result cache already.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from pathlib import Path

from _common import Stages, corpus_dir, percentile, table
from search import TARGET_RATIO, brute_force, corpus_sentences, make_queries, synthetic_documents

from sucai import analysis, index
from sucai import search as engine   # bench/search.py is `search` here
from sucai.library import Library
from sucai.search import SearchRequest
from sucai.store import Catalogue

STAGES = ("parse_query", "_ordered", "_hit_documents", "_document_hit")
PARTS_SHOWN = {"tantivy": ("_ranked_ids", "_sorted_ids"),   # inside _ordered
               "snippet_for": ("snippet_for",)}             # inside _document_hit
COLUMNS = ("parse_query", "_ordered", "tantivy", "_hit_documents", "_document_hit", "snippet_for")


class InMemory:
    """Catalogue reads of the given ids served from memory once read (``on``), as :meth:`Catalogue.documents`
    gives them."""

    def __init__(self):
        self.on = False
        self.kept: dict[tuple[int, bool], object] = {}
        read = Catalogue.documents

        def documents(catalogue, ids=None, outline=True, free=False):
            if not self.on or ids is None:
                return read(catalogue, ids, outline, free)
            missing = [i for i in ids if (i, free) not in self.kept]
            self.kept.update(((doc.id, free), doc) for doc in read(catalogue, missing, outline, free))
            return iter([self.kept[(i, free)] for i in ids if (i, free) in self.kept])

        Catalogue.documents = documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000_000, help="as given to bench/search.py")
    parser.add_argument("--home", required=True, help="the library bench/search.py built with these --chars")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--mode", choices=("precise", "ranked"), default="precise")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's heaviest functions")
    args = parser.parse_args()
    rng = random.Random(args.seed)   # as bench/search.py draws it: the documents, then the queries
    docs = list(synthetic_documents(corpus_sentences(corpus_dir()), args.chars, rng))
    norms = [(analysis.normalize(d.title), analysis.normalize(d.text)) for d in docs]
    queries = make_queries(norms, 1000, rng, 0.15)[: args.queries]
    index.HIT_DOCUMENT_CHARS = 0   # every search reads its hits (the bench's queries seldom share one)
    library = Library.open(Path(args.home), search_cache_entries=0)
    held = library.catalogue.stats()
    if (held["documents"], held["chars"]) != (len(docs), sum(d.counted_chars for d in docs)):
        sys.exit(f"bench: {args.home} does not hold the library of bench/search.py --chars {args.chars}")
    stages = Stages(engine, STAGES + tuple(name for names in PARTS_SHOWN.values() for name in names))
    memory = InMemory()
    scan = []
    for q in queries[:50]:
        started = time.thread_time()
        brute_force(norms, q)
        scan.append((time.thread_time() - started) * 1000)
    scan_p50 = percentile(scan, 50)
    print(f"brute-force scan of {len(docs):,} documents, {sum(d.chars for d in docs) / 1e6:.1f} M characters: "
          f"CPU p50 {scan_p50:.1f} ms")

    rows = []
    for member in (True, False):
        requests = [SearchRequest(q=q, mode=args.mode, limit=10, facets=False) for q in queries]
        memory.on = True
        for request in requests:   # untimed: the documents kept for "hits in memory"
            library.search(request, member=member)
        for way, on in (("search", False), ("hits in memory", True)):
            memory.on = on
            spent: dict[str, list[float]] = {}
            for request in requests:
                stages.clear()
                started = time.thread_time()
                library.search(request, member=member)
                whole = time.thread_time() - started
                found = {name: stages.spent[name] for name in STAGES}
                rest = whole - sum(found.values())   # the parts are inside their stages: not taken off again
                found.update({part: sum(stages.spent[name] for name in names) for part, names in PARTS_SHOWN.items()},
                             rest=rest, whole=whole)
                for name, seconds in found.items():
                    spent.setdefault(name, []).append(seconds * 1000)
            rows.append((f"{'member' if member else 'visitor'}: {way}", spent))
    for rank in (50, 99):
        table(["search", *COLUMNS, "rest", "whole", "scan / whole", "target"],
              [[label, *(percentile(spent[name], rank) for name in (*COLUMNS, "rest", "whole")),
                scan_p50 / percentile(spent["whole"], rank), TARGET_RATIO[args.mode]] for label, spent in rows],
              title=f"{args.mode}: CPU p{rank} ms of each stage over {len(queries)} queries (a stage's p{rank}: the "
                    f"parts need not add up to the whole; tantivy is part of _ordered, snippet_for of _document_hit)")
    if args.profile:   # a pass of its own: the profiler's cost stays out of the table
        memory.on = False
        profile = cProfile.Profile()
        for member in (True, False):
            for q in queries:
                profile.runcall(library.search, SearchRequest(q=q, mode=args.mode, limit=10, facets=False),
                                member=member)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    library.close()


if __name__ == "__main__":
    main()
