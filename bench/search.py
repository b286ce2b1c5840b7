"""Benchmark search latency and index size on a synthetic library, against a brute-force substring scan.

Run from the project root: ``python bench/search.py [--chars 90000000] [--queries 1000] [--home DIR]``
(a ``--home`` that holds the library of an earlier run with the same arguments is searched again, not rebuilt).
The library is built from the real corpus scaled by recombining its sentences (seeded):
corpus .txt/.md texts are split into sentences at 。！？；and line ends; each synthetic
document samples sentences up to 2,000–20,000 characters, with a title made from
sampled phrases, a 文种, a date and a source so that facets work. Documents go
straight into the catalogue (``Catalogue.add``), then one ``index.sync()``.

Queries (seeded) are substrings of 2–8 characters of the normalised texts, plus some
two-term queries; each runs through ``Library.search`` (member=True, limit 10) in
precise and ranked mode, with and without facets. The baseline scans the same texts,
held in memory as normalised strings, for the same queries in the same run.
Section scope (``--section-queries``, default 200 of the same queries, precise and
ranked, no facets; 0: not timed) is timed too, with its cost as a multiple of the document-scope p50.
Every timed search is computed (the library's result cache is off); the last row times
the same ranked queries with facets asked again, as served from the result cache.
"CPU p50 ms" is the searching thread's own CPU time (time.thread_time), which other work on a
loaded machine does not inflate as it does the wall-clock figures the targets are about; "CPU scan / CPU p50" is
the ratio of those (on a loaded machine the scan's wall clock is inflated several times more than a search's —
at 90 M characters and a load of 10 on 2 CPUs, 269 ms against 58 ms of CPU, the searches' 1.9 against 1.6 — so the
wall-clock ratio overstates the speed-up there: read this one).
Targets: p50 ≤ 2 ms (ranked ≤ 1 ms), p99 ≤ 20 ms, ≥ 100× faster than the scan (ranked ≥ 50×),
index ≤ 1.5× the text;
section scope p50 ≤ 10× document scope.

Measured at 20 M characters (issue 16, stop 53, one run, ``--no-facets-only --section-queries 0``, a load of 16–20 on
2 CPUs, so the wall-clock figures are inflated several times): CPU p50 precise 1.42 ms, ranked 2.85, the scan 13.6 (CPU
scan / CPU p50: precise 9.5, ranked 4.8: the targets are for 90 M characters). The 90 M run was not made again: at that
load its build alone had taken 5 minutes of CPU in 20 of wall clock when it was stopped. bench/search_cpu.py splits the
ranked figure by stage.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from pathlib import Path

from _common import Timer, corpus_dir, dir_bytes, peak_rss_mb, percentile, scratch_home, table

from sucai import analysis
from sucai.ingest import text_hash
from sucai.library import Library
from sucai.model import Document
from sucai.metadata.genres import title_genre
from sucai.query import SEPARATORS
from sucai.search import SearchRequest

SENTENCE_END = re.compile(r"(?<=[。！？；\n])")
NOISE = re.compile(r"[<>\[\]#|*`]|http|\(更新时间戳")
HAN = re.compile(r"[\u4e00-\u9fff]")
GENRE_WORDS = ["的通知", "的实施意见", "实施方案", "工作总结", "调研报告", "心得体会", "述职报告", "讲话稿",
               "对照检查材料", "发言提纲", "党课讲稿", "管理办法", "的决定", "工作方案", "情况报告"]
SOURCES = ["国务院", "新闻联播", "法律法规", "党建网", "政府工作报告", "毛泽东选集"]
QUERY_SYNTAX = set('"“”＂|｜') | set(SEPARATORS)   # a piece holding 、 or ， is two terms, not one substring
TARGET_P99_MS, TARGET_SIZE = 20.0, 1.5
TARGET_P50_MS = {"precise": 2.0, "ranked": 1.0}    # issue 16: ranked p50 ≤ 1 ms
TARGET_RATIO = {"precise": 100.0, "ranked": 50.0}  # issue 16: scan p50 / p50
TARGET_SECTION_COST = 10.0  # section-scope p50 / document-scope p50


def corpus_sentences(corpus: Path) -> list[str]:
    """Clean-looking sentences of the corpus's .txt and .md files (markup, links and short bits dropped)."""
    sentences = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".txt", ".md") or "raw_gbk" in path.parts:
            continue
        for piece in SENTENCE_END.split(path.read_text(encoding="utf-8", errors="replace")):
            piece = piece.strip()
            if 6 <= len(piece) <= 300 and not NOISE.search(piece) and HAN.search(piece):
                sentences.append(piece)
    return sentences


def synthetic_documents(sentences: list[str], total_chars: int, rng: random.Random):
    """Documents of 2,000–20,000 characters until ``total_chars`` are reached."""
    made = 0
    while made < total_chars:
        target = min(rng.randint(2_000, 20_000), max(2_000, total_chars - made))
        paragraphs, size = [], 0
        while size < target:
            paragraph = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 8)))
            paragraphs.append(paragraph)
            size += len(paragraph) + 1
        text = "\n".join(paragraphs)[:target]
        title = "关于" + "".join(_phrase(rng.choice(sentences), rng) for _ in range(2)) + rng.choice(GENRE_WORDS)
        date = f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        made += len(text)
        yield Document(title=title, text=text, genre=title_genre(title) or "其他", date=date, source=rng.choice(SOURCES))


def _phrase(sentence: str, rng: random.Random) -> str:
    chunks = [c for c in re.split(r"[^\u4e00-\u9fff]+", sentence) if len(c) >= 2] or ["工作"]
    chunk = rng.choice(chunks)
    start = rng.randrange(max(1, len(chunk) - 3))
    return chunk[start : start + rng.randint(2, 6)]


def make_queries(norms: list[tuple[str, str]], count: int, rng: random.Random, two_term_share: float) -> list[str]:
    """Substrings of 2–8 characters of the normalised texts; ``two_term_share`` of them are two terms."""

    def substring(text: str, low: int, high: int) -> str:
        while True:
            length = rng.randint(low, high)
            start = rng.randrange(len(text) - length)
            piece = text[start : start + length]
            if not any(c.isspace() or c in QUERY_SYNTAX for c in piece) and piece[0] not in "-－":
                return piece

    queries = []
    for _ in range(count):
        _, text = rng.choice(norms)
        if rng.random() < two_term_share:
            queries.append(f"{substring(text, 2, 4)} {substring(text, 2, 4)}")
        else:
            queries.append(substring(text, 2, 8))
    return queries


def brute_force(norms: list[tuple[str, str]], query: str) -> list[int]:
    """Indexes of the documents whose title or text contains every term of ``query``."""
    terms = query.split()
    return [i for i, (title, text) in enumerate(norms) if all(t in title or t in text for t in terms)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000_000, help="characters of text to generate")
    parser.add_argument("--queries", type=int, default=1000, help="queries per mode")
    parser.add_argument("--two-term", type=float, default=0.15, help="share of two-term queries")
    parser.add_argument("--section-queries", type=int, default=200, help="queries timed in section scope per mode")
    parser.add_argument("--check", type=int, default=200, help="precise queries whose totals are checked")
    parser.add_argument("--no-facets-only", action="store_true", help="skip the facets=True runs")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--home", help="library home (default: a temporary directory)")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with Timer() as gen:
        sentences = corpus_sentences(corpus_dir())
        docs = list(synthetic_documents(sentences, args.chars, rng))
    text_chars = sum(d.chars for d in docs)
    text_bytes = sum(len(d.text.encode()) for d in docs)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work on the machine skews the figures)")
    print(f"generated {len(docs):,} documents, {text_chars / 1e6:.2f} M characters ({text_bytes / 1e6:.1f} MB UTF-8) "
          f"from {len(sentences):,} corpus sentences in {gen.seconds:.1f} s")

    with scratch_home(args.home) as home:
        library = Library.open(home, search_cache_entries=0)  # every timed search computed
        library.index  # open (create) the index before timing
        held = library.catalogue.stats()   # --home of an earlier run with the same arguments: its documents and 字数
        reused = (held["documents"], held["chars"]) == (len(docs), sum(d.counted_chars for d in docs))
        with Timer() as store:
            for n, doc in enumerate([] if reused else docs):
                doc.id = library.catalogue.add(doc, text_hash(doc), f"bench://synthetic/{n}", text_hash(doc))[1]
        with Timer() as sync:
            library.index.sync()
        index_bytes = dir_bytes(library.settings.index_dir)
        build = store.seconds + sync.seconds
        if reused:
            print(f"reusing the library of {home} (built by an earlier run with the same arguments): build not timed")
        else:
            table(
                ["step", "seconds", "M chars/s"],
                [["Catalogue.add", store.seconds, text_chars / store.seconds / 1e6],
                 ["index.sync()", sync.seconds, text_chars / sync.seconds / 1e6],
                 ["ingest + index", build, text_chars / build / 1e6]],
                title="Build",
            )
        size_ratio = index_bytes / text_bytes
        print(f"index size {index_bytes / 1e6:.1f} MB = {size_ratio:.2f}× text ({text_bytes / 1e6:.1f} MB UTF-8); "
              f"target ≤ {TARGET_SIZE}×: {'ok' if size_ratio <= TARGET_SIZE else 'OVER TARGET'}")

        norms = [(analysis.normalize(d.title), analysis.normalize(d.text)) for d in docs]
        queries = make_queries(norms, args.queries, rng, args.two_term)
        brute_ms, brute_cpu, brute_counts = [], [], []
        for q in queries:
            started, cpu_started = time.perf_counter(), time.thread_time()
            brute_counts.append(len(brute_force(norms, q)))
            brute_ms.append((time.perf_counter() - started) * 1000)
            brute_cpu.append((time.thread_time() - cpu_started) * 1000)
        brute_cpu_p50 = percentile(brute_cpu, 50)

        for q in queries[:20]:  # warm up: dictionary, searcher, page cache
            library.search(SearchRequest(q=q, mode="ranked"), member=True)
        rows, totals, doc_took = [], {}, {}
        for facets in ([False] if args.no_facets_only else [False, True]):
            for mode in ("precise", "ranked"):
                took, cpu = [], []
                for q in queries:
                    request = SearchRequest(q=q, mode=mode, limit=10, facets=facets)
                    started, cpu_started = time.perf_counter(), time.thread_time()
                    result = library.search(request, member=True)
                    took.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.thread_time() - cpu_started) * 1000)
                    totals.setdefault((mode, facets), []).append(result.total)
                if not facets:
                    doc_took[mode] = took
                p50, p99 = percentile(took, 50), percentile(took, 99)
                ratio = percentile(brute_ms, 50) / p50
                cpu_p50 = percentile(cpu, 50)
                missed = [name for name, ok in (("p50", p50 <= TARGET_P50_MS[mode]), ("p99", p99 <= TARGET_P99_MS),
                                                ("ratio", ratio >= TARGET_RATIO[mode])) if not ok]
                verdict = "missed: " + ", ".join(missed) if missed else "ok"
                rows.append([mode, str(facets), p50, cpu_p50, p99, sum(took) / len(took), ratio, brute_cpu_p50 / cpu_p50,
                             verdict])
        doc_p50 = {mode: percentile(took, 50) for mode, took in doc_took.items()}
        for mode in ("precise", "ranked") if args.section_queries > 0 else ():   # 0: section scope not timed
            took, cpu = [], []
            for q in queries[: args.section_queries]:
                request = SearchRequest(q=q, mode=mode, scope="section", limit=10, facets=False)
                started, cpu_started = time.perf_counter(), time.thread_time()
                library.search(request, member=True)
                took.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - cpu_started) * 1000)
            p50, cpu_p50 = percentile(took, 50), percentile(cpu, 50)
            cost = p50 / doc_p50[mode]
            verdict = "ok" if cost <= TARGET_SECTION_COST else f"missed: cost {cost:.0f}× > {TARGET_SECTION_COST:.0f}×"
            rows.append([f"{mode} section", "False", p50, cpu_p50, percentile(took, 99), sum(took) / len(took),
                         percentile(brute_ms, 50) / p50, brute_cpu_p50 / cpu_p50, f"{cost:.1f}× doc scope; {verdict}"])
        cached = Library.open(home)   # the same library with its result cache (the default)
        for q in queries:
            cached.search(SearchRequest(q=q, mode="ranked", limit=10), member=True)
        took, cpu = [], []
        for q in queries:
            started, cpu_started = time.perf_counter(), time.thread_time()
            cached.search(SearchRequest(q=q, mode="ranked", limit=10), member=True)
            took.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
        cached.close()
        rows.append(["ranked, repeated (result cache)", "True", percentile(took, 50), percentile(cpu, 50),
                     percentile(took, 99), sum(took) / len(took), percentile(brute_ms, 50) / percentile(took, 50),
                     brute_cpu_p50 / percentile(cpu, 50), ""])
        rows.append(["brute-force scan", "—", percentile(brute_ms, 50), brute_cpu_p50,
                     percentile(brute_ms, 99), sum(brute_ms) / len(brute_ms), 1.0, 1.0, ""])
        table(["mode", "facets", "p50 ms", "CPU p50 ms", "p99 ms", "mean ms", "scan p50 / p50", "CPU scan / CPU p50",
               "targets"], rows,
              title=f"Latency over {len(queries):,} queries ({sum(' ' in q for q in queries)} two-term), "
                    f"{len(docs):,} docs, {text_chars / 1e6:.1f} M chars")
        print(f"targets: p50 ≤ {TARGET_P50_MS['precise']} ms (ranked {TARGET_P50_MS['ranked']} ms), p99 ≤ "
              f"{TARGET_P99_MS} ms, ≥ {TARGET_RATIO['precise']:.0f}× the scan (ranked {TARGET_RATIO['ranked']:.0f}×); "
              f"section scope ≤ {TARGET_SECTION_COST:.0f}× document scope")

        checked = min(args.check, len(queries))
        got = totals[("precise", False)][:checked]
        mismatches = [(q, g, b) for q, g, b in zip(queries, got, brute_counts) if g != b]
        print(f"correctness: {len(mismatches)} mismatches in {checked} precise totals vs brute-force counts")
        for q, g, b in mismatches[:10]:
            print(f"  {q!r}: search total {g}, brute force {b}")
        me, _ = peak_rss_mb()
        print(f"peak memory {me:,.0f} MB; total run {time.perf_counter() - gen.start:.0f} s")
        library.close()


if __name__ == "__main__":
    main()
