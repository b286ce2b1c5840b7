"""Benchmark the 写作台's outline suggestion: heading recall on held-out documents, and time to a first outline.

Run from the project root: ``python bench/drafting.py [--home DIR] [--docs 10]``.

Two libraries: the bundled samples (built in a scratch directory) and the shared corpus (all of
``../shared/corpus``, ingested into ``--home`` — reused when it already holds a library, so a second
run starts at once). From each, held-out documents are drawn (seeded): documents with at least three
headings, spread over the 文种 (samples: every sample with headings). Each is left out of the
library (``exclude``), with its copies (documents of the same title whose headings are at least
80 % the same: the corpus holds some State Council notices twice), and an outline is asked for with
its 文种 and its title as the topic, as a member. **Heading recall** is the share of the document's own headings (depth ≤ 3, labels and
another unit's facts dropped: :func:`sucai.headings.heading_key`) that some suggested
heading covers — exactly (the same key) or nearly (similarity ≥ the clustering threshold);
**precision** the share of suggested headings that cover one of its headings.

Baseline, in the same process: the outline of the single most similar document of that 文种 (the
first hit of the same ranked search), copied as it is. Time to a first outline: the first call after
opening the library (cold), then p50/p99 over all held-out documents (warm). Target ≤ 1 s.
Timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from importlib import resources
from pathlib import Path

from _common import Timer, corpus_dir, percentile, scratch_home, table

from sucai.headings import THRESHOLD, Similarity, heading_key
from sucai.drafting.outline import MAX_DEPTH, similar_documents, suggest_outline
from sucai.library import Library
from sucai.model import Document, OutlineNode

TARGET_SECONDS = 1.0
SAMPLES = Path(str(resources.files("sucai").joinpath("samples/library")))


def real_headings(doc: Document) -> list[str]:
    """Keys of the document's headings down to MAX_DEPTH (articles named by their label alone left out)."""
    out = []

    def visit(nodes: list[OutlineNode], depth: int) -> None:
        for node in nodes:
            if node.kind == "heading" and depth <= MAX_DEPTH:
                key = heading_key(node.heading)
                if key:
                    out.append(key)
                visit(node.children, depth + 1)

    visit(doc.outline, 1)
    return list(dict.fromkeys(out))


def held_out(library: Library, count: int, seed: int) -> list[Document]:
    """Up to ``count`` documents with ≥ 3 headings, round-robin over the 文种 (seeded)."""
    by_genre: dict[str, list[Document]] = defaultdict(list)
    for doc in library.catalogue.documents():
        if not doc.hidden and len(real_headings(doc)) >= 3:
            by_genre[doc.genre].append(Document(doc.title, "", doc.genre, id=doc.id, outline=doc.outline))
    rng = random.Random(seed)
    pools = [rng.sample(docs, len(docs)) for _, docs in sorted(by_genre.items(), key=lambda kv: -len(kv[1]))]
    chosen: list[Document] = []
    while len(chosen) < count and any(pools):
        for pool in pools:
            if pool and len(chosen) < count:
                chosen.append(pool.pop())
    return chosen


def copies(library: Library, doc: Document) -> tuple[int, ...]:
    """``doc`` and the documents that are copies of it (same title, ≥ 80 % of the headings shared)."""
    mine = set(real_headings(doc))
    out = [doc.id]
    for other in library.catalogue.documents():
        if other.id != doc.id and other.title.strip() == doc.title.strip():
            theirs = set(real_headings(other))
            if mine and len(mine & theirs) / len(mine | theirs) >= 0.8:
                out.append(other.id)
    return tuple(out)


def scores(real: list[str], suggested: list[str]) -> dict[str, float]:
    similarity = Similarity(real + suggested)
    near = [r for r in real if any(similarity(r, s) >= THRESHOLD for s in suggested)]
    exact = [r for r in real if r in set(suggested)]
    useful = [s for s in suggested if any(similarity(r, s) >= THRESHOLD for r in real)]
    return {"exact": len(exact) / len(real), "near": len(near) / len(real),
            "precision": len(useful) / len(suggested) if suggested else 0.0}


def suggested_keys(nodes) -> list[str]:
    return [heading_key(n.heading) for root in nodes for n in root.walk()]


def evaluate(name: str, library: Library, docs: list[Document]) -> list[list]:
    rows, seconds = [], []
    totals = defaultdict(float)
    for doc in docs:
        real = real_headings(doc)
        left_out = copies(library, doc)
        started = time.perf_counter()
        outline = suggest_outline(library, doc.genre, doc.title, member=True, exclude=left_out)
        seconds.append(time.perf_counter() - started)
        mine = scores(real, suggested_keys(outline.outline))
        nearest = similar_documents(library, doc.genre, doc.title, member=True, count=1, exclude=left_out)
        base = scores(real, real_headings(nearest[0]) if nearest else [])
        for key, value in mine.items():
            totals[key] += value
        for key, value in base.items():
            totals["base " + key] += value
        rows.append([name, doc.id, doc.genre, doc.title[:20], len(left_out) - 1, len(real), len(suggested_keys(outline.outline)),
                     mine["exact"], mine["near"], mine["precision"], base["near"], seconds[-1]])
    n = max(len(docs), 1)
    rows.append([name, "mean", "", "", "", "", "", totals["exact"] / n, totals["near"] / n, totals["precision"] / n,
                 totals["base near"] / n, percentile(seconds, 50)])
    return rows, seconds


def corpus_library(home: Path) -> Library:
    library = Library.open(home)
    if library.catalogue.stats()["documents"] == 0:
        with Timer() as t:
            library.ingest([corpus_dir()])
        print(f"corpus ingested in {t.seconds:.0f} s")
    return library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="corpus library home (default: a temporary directory; reused when not empty)")
    parser.add_argument("--docs", type=int, default=10, help="held-out corpus documents")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    rows, timings = [], {}
    with scratch_home(None) as sample_home:
        samples = Library.open(sample_home)
        samples.ingest([SAMPLES], workers=1)
        found, seconds = evaluate("samples", samples, held_out(samples, 10, args.seed))
        rows += found
        timings["samples"] = seconds
        samples.close()
    with scratch_home(args.home) as home:
        library = corpus_library(home)
        docs = held_out(library, args.docs, args.seed)
        reopened = Library.open(home)       # a fresh process state: the first outline is a cold one
        with Timer() as cold:
            suggest_outline(reopened, docs[0].genre, docs[0].title, member=True, exclude=(docs[0].id,))
        reopened.close()
        found, seconds = evaluate("corpus", library, docs)
        rows += found
        timings["corpus"] = seconds
        library.close()

    table(["library", "id", "文种", "title", "copies", "headings", "suggested", "recall exact", "recall near", "precision",
           "baseline near", "seconds"], rows,
          title="Heading recall on held-out documents (suggestion vs the nearest document's outline)")
    print(f"\nTime to a first outline on the corpus: cold {cold.seconds:.3f} s; warm p50 "
          f"{percentile(timings['corpus'], 50):.3f} s, p99 {percentile(timings['corpus'], 99):.3f} s "
          f"(target ≤ {TARGET_SECONDS:.0f} s; noisy on a shared machine)")
    print(f"Samples: p50 {percentile(timings['samples'], 50):.3f} s. Each sample is the only one of its 文种, so its "
          "outline comes from all 文种 (a warning says so) and recall there is low by construction.")


if __name__ == "__main__":
    main()
