"""Benchmark 查重 and near-duplicate lookup on a synthetic library, against brute-force baselines.

Run from the project root: ``python bench/check.py [--chars 90000000] [--drafts 20] [--home DIR [--reuse]]``.
The library is built as ``bench/search.py`` builds it (corpus sentences recombined into
documents of 2,000–20,000 characters, straight into the catalogue, one index sync), then
every document is signed and placed in clusters (``Clusters.catch_up``).

- **查重**: drafts of 10,000 characters made by ``tests/plagiarism.py`` (passages of
  10–300 characters copied from library documents and lightly reworded, mixed with
  original text) go through ``check_text``. Baseline: aligning the draft with every
  document, no index (timed on a sample of documents and scaled to the library). Also
  timed: finding candidates with the search index's bigrams instead of the fingerprints
  (BM25 over the draft's distinct bigrams), the alternative to our fingerprint field.
  Target: p50 ≤ 1 s. Counted too: the ids of documents holding a fingerprint read from the index
  per check (``retrieve.holding``'s batches, for the set phrases and ``local_candidates``), against
  what reading every holder of each fingerprint the set phrases judge would read (its ``doc_freq``,
  as ``SetPhrases`` did before it stopped at ``least`` texts): bounded by the threshold, not the library.
- **Near-duplicate lookup** per ingested document: new documents (half of them library
  documents with 2 % of their characters changed, half fresh) are looked up
  (``Clusters.nearest``: LSH query and exact check of the candidates; target ≤ 5 ms) and
  placed (``Clusters.place``: also the MinHash signature and the catalogue writes).
  Baseline: the exact Jaccard similarity with every document.
- **Memory of the MinHash index** (datasketch LSH and the signatures kept with it),
  measured with tracemalloc while it is built from the catalogue, per million characters.

Timings on a shared machine are noisy: the CPU time of this process is printed beside wall time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc

from _common import REPO, Timer, corpus_dir, dir_bytes, peak_rss_mb, percentile, scratch_home, table
from search import corpus_sentences, synthetic_documents

sys.path.insert(0, str(REPO / "tests"))
from plagiarism import make_draft  # noqa: E402

from tantivy import Occur, Query  # noqa: E402

from sucai import analysis  # noqa: E402
from sucai.check import check_text, retrieve  # noqa: E402
from sucai.check.align import DraftSeeds, align, seed_hashes  # noqa: E402
from sucai.dedupe import Clusters, jaccard, shingles, signature  # noqa: E402
from sucai.fingerprint import skeleton  # noqa: E402
from sucai.index import SCHEMA  # noqa: E402
from sucai.ingest import text_hash  # noqa: E402
from sucai.library import Library  # noqa: E402
from sucai.model import Document  # noqa: E402

TARGET_CHECK_S, TARGET_LOOKUP_MS = 1.0, 5.0
DRAFT_CHARS = 10_000


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def drafts(rng: random.Random, docs, count: int) -> list[str]:
    han = "".join(sorted({c for d in docs[:200] for c in d.text if "\u4e00" <= c <= "\u9fff"}))
    out = []
    while len(out) < count:
        draft = make_draft(rng, docs, 60, han).text
        if len(draft) >= DRAFT_CHARS:
            out.append(draft[:DRAFT_CHARS])
    return out


def count_holders() -> dict[str, int]:
    """Counters, from now on, of the holders' ids 查重 reads (``read``) and of those reading every holder of each
    fingerprint ``SetPhrases`` judges would have read (``every``: its ``doc_freq``, at least ``least`` of them)."""
    counts = {"read": 0, "every": 0, "least": 0}
    holding, common = retrieve.holding, retrieve.SetPhrases._common

    def counted_holding(*args):
        for ids in holding(*args):
            counts["read"] += len(ids)
            yield ids

    def counted_common(phrases, token):
        counts["least"] = phrases.least
        if token not in phrases.common and (most := phrases.sources.doc_freq(phrases.searcher, token)) >= phrases.least:
            counts["every"] += most
        return common(phrases, token)

    retrieve.holding, retrieve.SetPhrases._common = counted_holding, counted_common
    return counts


def bigram_candidates(library: Library, draft: str, limit: int = 30) -> list:
    """The alternative retrieval: BM25 over the draft's distinct bigrams in the body field."""
    grams = sorted({t for t in analysis.bigrams(analysis.normalize(draft)).split() if len(t) == 2})
    query = Query.boolean_query([(Occur.Should, Query.term_query(SCHEMA, "body_bi", g)) for g in grams])
    return library.index.searcher().search(query, limit=limit).hits


def brute_force_check(docs, draft: str, sample: int, rng: random.Random) -> float:
    """Seconds to align ``draft`` with every document, from a timed sample of ``sample`` of them."""
    seeds = DraftSeeds(seed_hashes(skeleton(draft)))
    chosen = rng.sample(docs, min(sample, len(docs)))
    started = time.perf_counter()
    for doc in chosen:
        align(seeds, skeleton(doc.text), doc.id, 13)
    return (time.perf_counter() - started) * len(docs) / len(chosen)


def build(library: Library, chars: int, rng: random.Random) -> list[Document]:
    """Generate documents as bench/search.py does, store, index and cluster them, printing the times."""
    with Timer() as gen:
        docs = list(synthetic_documents(corpus_sentences(corpus_dir()), chars, rng))
    text_chars = sum(d.chars for d in docs)
    print(f"generated {len(docs):,} documents, {text_chars / 1e6:.1f} M characters in {gen.seconds:.0f} s")
    with Timer() as store:
        for n, doc in enumerate(docs):
            doc.id = library.catalogue.add(doc, text_hash(doc), f"bench://synthetic/{n}", text_hash(doc))[1]
    with Timer() as sync:
        library.index.sync()
    with Timer() as sign:
        library.clusters.catch_up()
    table(["step", "seconds", "M chars/s"],
          [["Catalogue.add", store.seconds, text_chars / store.seconds / 1e6],
           ["index.sync() (with 查重 fingerprints)", sync.seconds, text_chars / sync.seconds / 1e6],
           ["Clusters.catch_up() (sign and place all)", sign.seconds, text_chars / sign.seconds / 1e6]],
          title="Build")
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=90_000_000, help="characters of text to generate")
    parser.add_argument("--drafts", type=int, default=20, help="10,000-character drafts to check")
    parser.add_argument("--placements", type=int, default=200, help="new documents to place in clusters")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--home", help="library home (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="use the library an earlier run left in --home")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with scratch_home(args.home) as home:
        library = Library.open(home)
        library.index
        if args.reuse:
            library.clusters.catch_up()
            docs = list(library.catalogue.documents(outline=False))
            print(f"reusing {len(docs):,} documents in {home}")
        else:
            docs = build(library, args.chars, rng)
        text_chars = sum(d.chars for d in docs)
        print(f"index size {dir_bytes(library.settings.index_dir) / 1e6:.0f} MB for "
              f"{sum(len(d.text.encode()) for d in docs) / 1e6:.0f} MB of UTF-8 text")

        # -- memory of the MinHash index -------------------------------------------------------
        tracemalloc.start()
        fresh = Clusters(library.catalogue)
        before = tracemalloc.get_traced_memory()[0]
        fresh.load()
        lsh_bytes = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        per_million = lsh_bytes / (text_chars / 1e6)
        print(f"\nMinHash index (datasketch LSH + signatures) for {len(docs):,} documents: {lsh_bytes / 1e6:.1f} MB = "
              f"{per_million / 1e6:.2f} MB per million characters ({lsh_bytes / len(docs) / 1e3:.1f} KB per document)")

        # -- near-duplicate lookup ----------------------------------------------------------------
        clusters = library.clusters
        lookups, placements = [], []
        for n in range(args.placements):
            base = rng.choice(docs)
            text = "".join("某" if "\u4e00" <= c <= "\u9fff" and rng.random() < 0.02 else c for c in base.text) \
                if n % 2 == 0 else "".join(rng.choice(docs).text[:3000] for _ in range(2))
            new = Document(title=f"新文档{n}", text=text, genre=base.genre)
            new.id = library.catalogue.add(new, f"new-{n}", f"bench://new/{n}", f"new-{n}")[1]
            stored = library.catalogue.get(new.id)
            own = shingles(text)
            minhash = signature(own)
            _, wall, _ = timed(clusters.nearest, stored, own, minhash)
            lookups.append(wall * 1000)
            _, wall, _ = timed(clusters.place, stored)
            placements.append(wall * 1000)
        sample = rng.sample(docs, min(2000, len(docs)))
        probe = shingles(docs[0].text)
        started = time.perf_counter()
        for doc in sample:
            jaccard(probe, shingles(doc.text))
        brute_ms = (time.perf_counter() - started) * 1000 * len(docs) / len(sample)
        table(["step", "p50 ms", "p99 ms", "target", "verdict"],
              [["lookup: LSH query + exact check of candidates", percentile(lookups, 50), percentile(lookups, 99),
                f"≤ {TARGET_LOOKUP_MS} ms", "ok" if percentile(lookups, 50) <= TARGET_LOOKUP_MS else "missed"],
               ["place(): sign + lookup + store", percentile(placements, 50), percentile(placements, 99), "", ""],
               ["brute force: exact Jaccard with every document", brute_ms, brute_ms, "", ""]],
              title=f"Near-duplicate lookup per ingested document ({args.placements} documents, half near-duplicates)")

        # -- 查重 --------------------------------------------------------------------------------
        texts = drafts(rng, docs, args.drafts)
        check_text(library, texts[0], True)  # warm up: caches, page cache
        walls, cpus, bigram_ms, read, every = [], [], [], [], []
        counts = count_holders()
        for draft in texts:
            counts.update(read=0, every=0)
            _, wall, cpu = timed(check_text, library, draft, True)
            walls.append(wall)
            cpus.append(cpu)
            read.append(counts["read"])
            every.append(counts["every"])
            _, wall, _ = timed(bigram_candidates, library, draft)
            bigram_ms.append(wall * 1000)
        brute = brute_force_check(docs, texts[0], 300, rng)
        p50 = percentile(walls, 50)
        table(["step", "p50 s", "p99 s", "CPU p50 s", "target", "verdict"],
              [["check_text, 10,000 characters", p50, percentile(walls, 99), percentile(cpus, 50),
                f"≤ {TARGET_CHECK_S} s", "ok" if p50 <= TARGET_CHECK_S else "missed"],
               ["candidates from the bigram index instead (retrieval only)", percentile(bigram_ms, 50) / 1000,
                percentile(bigram_ms, 99) / 1000, "", "", ""],
               ["brute force: align with every document (from a sample of 300)", brute, brute, "", "", ""]],
              title=f"查重 over {len(texts)} drafts, {len(docs):,} documents, {text_chars / 1e6:.1f} M characters")
        me, _ = peak_rss_mb()
        print(f"brute force / check_text p50: {brute / p50:.0f}×; peak memory {me:,.0f} MB")
        print(f"holders' ids read per check: p50 {percentile(read, 50):,.0f}, max {max(read):,} (set phrases stop at "
              f"{counts['least']:,} texts; every holder of the fingerprints they judge, as before: p50 "
              f"{percentile(every, 50):,.0f}, max {max(every):,})")
        library.close()


if __name__ == "__main__":
    main()
