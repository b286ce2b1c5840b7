"""Benchmark ranking quality on CMRC2018 (BEIR layout) with corpus distractors, against plain BM25 (bm25s).

Run from the project root: ``python bench/relevance.py [--distractors 2000] [--home DIR]``.
The dev and trial passages (title, text) go into an empty library as documents,
together with passages of ≤ 1,000 characters cut from ``--distractors`` documents of
state_council / laws / xinwenlianbo (parsed with sucai's own reader and cleaner; never
relevant). Every query runs in ranked mode (limit 100, facets off, member) and, for
reference, in precise mode (questions rarely occur verbatim, so precise mostly misses).
Baselines in the same run: bm25s (Lucene BM25, k1=1.5, b=0.75) over the same passages
(title + text), tokenised into jieba words, and into character bigrams.
Metrics: nDCG@10, MRR@10, Recall@100 (binary qrels).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from _common import Timer, corpus_dir, scratch_home, table

from sucai import analysis
from sucai.ingest import parse_file, text_hash
from sucai.library import Library
from sucai.model import Document
from sucai.search import SearchRequest

DISTRACTOR_FOLDERS = ("state_council_policies_govcn/txt", "laws_lawrefbook_national", "xinwenlianbo_cctv_transcripts")
PASSAGE_CHARS = 1000
JUNK = re.compile(r"^[\W_]+$")


def load_beir(root: Path) -> tuple[dict[str, dict], dict[str, str], dict[str, set[str]]]:
    """Passages, queries and qrels of the dev and trial splits, merged."""
    passages, queries, qrels = {}, {}, {}
    for split in ("dev", "trial"):
        for line in (root / split / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            passages[row["_id"]] = row
        for line in (root / split / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            queries[row["_id"]] = row["text"]
        for line in (root / split / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            qid, pid, score = line.split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, set()).add(pid)
    return passages, {q: t for q, t in queries.items() if q in qrels}, qrels


def distractor_passages(count: int, seed: int) -> list[dict]:
    """Passages of ≤ PASSAGE_CHARS characters (cut at line ends) from ``count`` sampled corpus documents."""
    files = sorted(p for folder in DISTRACTOR_FOLDERS for p in corpus_dir(folder).rglob("*")
                   if p.is_file() and p.suffix in (".txt", ".md"))
    chosen = random.Random(seed).sample(files, min(count, len(files)))
    out = []
    with ProcessPoolExecutor() as pool:
        for path, doc in zip(chosen, pool.map(_parse, chosen, chunksize=8)):
            for n, text in enumerate(_cut(doc.text) if doc else []):
                out.append({"_id": f"X:{path.stem}:{n}", "title": doc.title, "text": text})
    return out


def _parse(path: Path) -> Document | None:
    try:
        return parse_file(path)
    except Exception:
        return None


def _cut(text: str) -> list[str]:
    pieces, current = [], ""
    for line in text.split("\n"):
        while len(line) > PASSAGE_CHARS:
            pieces.append(line[:PASSAGE_CHARS])
            line = line[PASSAGE_CHARS:]
        if current and len(current) + 1 + len(line) > PASSAGE_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [p for p in pieces + [current] if p.strip()]


def metrics(runs: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    """Mean nDCG@10, MRR@10 and Recall@100 of ranked passage ids per query (binary relevance)."""
    ndcg = mrr = recall = 0.0
    for qid, relevant in qrels.items():
        ranked = runs.get(qid, [])
        gains = [1 / math.log2(i + 2) for i, pid in enumerate(ranked[:10]) if pid in relevant]
        ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
        ndcg += sum(gains) / ideal
        first = next((i for i, pid in enumerate(ranked[:10]) if pid in relevant), None)
        mrr += 0 if first is None else 1 / (first + 1)
        recall += len(relevant & set(ranked[:100])) / len(relevant)
    n = len(qrels)
    return {"nDCG@10": ndcg / n, "MRR@10": mrr / n, "Recall@100": recall / n}


def run_sucai(library: Library, queries: dict[str, str], mode: str, back: dict[int, list[str]]) -> dict[str, list[str]]:
    runs = {}
    for qid, text in queries.items():
        result = library.search(SearchRequest(q=text, mode=mode, limit=100, facets=False), member=True)
        runs[qid] = [pid for hit in result.hits for pid in back[hit.id]]
    return runs


def jieba_tokens(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(analysis.normalize(text)) if not JUNK.match(w)]


def bigram_tokens(text: str) -> list[str]:
    norm = "".join(c for c in analysis.normalize(text) if not JUNK.match(c))
    return [norm[i : i + 2] for i in range(len(norm) - 1)] or ([norm] if norm else [])


def run_bm25(passages: list[dict], queries: dict[str, str], tokenize) -> dict[str, list[str]]:
    import bm25s

    vocab: dict[str, int] = {}
    corpus = [[vocab.setdefault(t, len(vocab)) for t in tokenize(f"{p['title']}\n{p['text']}")] for p in passages]
    retriever = bm25s.BM25(k1=1.5, b=0.75)
    retriever.index((corpus, vocab), show_progress=False)
    vocab.pop("", None)  # bm25s adds an empty token to our dict; it has no column in the index
    qids = [q for q in queries if any(t in vocab for t in tokenize(queries[q]))]  # the rest find nothing
    ids = [[vocab[t] for t in tokenize(queries[q]) if t in vocab] for q in qids]
    found, scores = retriever.retrieve(ids, k=min(100, len(passages)), show_progress=False, n_threads=1)
    return {q: [passages[i]["_id"] for i, s in zip(row, score) if s > 0]
            for q, row, score in zip(qids, found.tolist(), scores.tolist())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=2000, help="corpus documents cut into distractor passages")
    parser.add_argument("--queries", type=int, default=0, help="evaluate only this many queries (0: all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", help="library home (default: a temporary directory)")
    args = parser.parse_args()

    beir, queries, qrels = load_beir(corpus_dir("retrieval_cmrc2018"))
    if args.queries:
        keep = random.Random(args.seed).sample(sorted(queries), min(args.queries, len(queries)))
        queries = {q: queries[q] for q in sorted(keep)}
    qrels = {q: qrels[q] for q in queries}
    with Timer() as prep:
        passages = list(beir.values()) + distractor_passages(args.distractors, args.seed)
    print(f"{len(beir):,} CMRC2018 passages + {len(passages) - len(beir):,} distractor passages "
          f"from {args.distractors:,} corpus documents; {len(queries):,} queries ({prep.seconds:.0f} s to prepare)")

    results, timings = {}, {}
    with scratch_home(args.home) as home:
        library = Library.open(home)
        back: dict[int, list[str]] = {}
        with Timer() as build:
            for p in passages:
                doc = Document(title=p["title"], text=p["text"])
                doc_id = library.catalogue.add(doc, text_hash(doc), f"beir://{p['_id']}", text_hash(doc))[1]
                back.setdefault(doc_id, []).append(p["_id"])
            library.index.sync()
        print(f"sucai library built in {build.seconds:.0f} s ({len(back):,} distinct documents)")
        for mode in ("ranked", "precise"):
            with Timer() as t:
                results[f"sucai {mode}"] = metrics(run_sucai(library, queries, mode, back), qrels)
            timings[f"sucai {mode}"] = t.seconds
        library.close()
    for name, tokenize in (("bm25s jieba words", jieba_tokens), ("bm25s char bigrams", bigram_tokens)):
        with Timer() as t:
            results[name] = metrics(run_bm25(passages, queries, tokenize), qrels)
        timings[name] = t.seconds

    keys = ("nDCG@10", "MRR@10", "Recall@100")
    table(["system", *keys, "seconds"], [[name, *(m[k] for k in keys), timings[name]] for name, m in results.items()],
          title=f"Relevance on CMRC2018 dev+trial ({len(queries):,} queries, {len(passages):,} passages)")
    ranked = results["sucai ranked"]
    best = max(("bm25s jieba words", "bm25s char bigrams"), key=lambda n: results[n]["nDCG@10"])
    print()
    for base in ("bm25s jieba words", "bm25s char bigrams"):
        diffs = ", ".join(f"{k} {ranked[k] - results[base][k]:+.4f}" for k in keys)
        print(f"sucai ranked − {base}: {diffs}")
    worse = [k for k in keys if ranked[k] < results[best][k]]
    verdict = "beats" if ranked["nDCG@10"] > results[best]["nDCG@10"] else "does NOT beat"
    print(f"sucai ranked {verdict} the stronger baseline ({best}) on nDCG@10; "
          f"worse on: {', '.join(worse) or 'none'}")

if __name__ == "__main__":
    main()
