"""Watch folder under load: a burst of 1,000 files dropped into a watched folder while the server serves searches.

Run from the project root: ``python bench/watch.py [--home DIR] [--files 1000] [--clients 10]``.
The served library is built (when ``--home`` is empty) from part of ../shared/corpus
(State Council policies, 党建 articles, 毛选); the burst is the first ``--files``
transcripts of 新闻联播 (../shared/corpus/xinwenlianbo_cctv_transcripts), copied into
the watched folder as fast as the disk allows. ``sucai watch`` runs in its own process
(as ``sucai serve --watch`` runs it) next to the web server (uvicorn, one process), and
``--clients`` loopback clients search /api/search throughout (bench/serve.py's clients
and queries).

Printed: the search latency (p50, p90, p99) before the burst (the baseline, same
process, same clients) and during it; the watcher's throughput (documents/s and
characters/s, from the first file copied to the last document stored) and how many
ingest runs it made. Targets beside each figure. On a shared, loaded machine the
numbers are noisy: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import SHARED, Timer, percentile, table
from serve import free_port, free_texts, make_queries, run_clients, start_server

from sucai.library import Library

BASE = ("state_council_policies_govcn", "dangjian_site_articles", "mao_selected_works")
BURST = "xinwenlianbo_cctv_transcripts"
TARGET_DOCS_PER_S = 10.0
TARGET_P99_MS = 500.0
RUN_LINE = re.compile(r" 入库 (\d+) 个文件：")


def build(home: Path) -> Library:
    library = Library.open(home)
    if library.catalogue.stats()["documents"] == 0:
        parts = [SHARED / "corpus" / p for p in BASE]
        missing = [p for p in parts + [SHARED / "corpus" / BURST] if not p.is_dir()]
        if missing:
            sys.exit(f"bench: {missing[0]} not found — this benchmark needs ../shared/corpus next to the repo")
        print(f"building the served library in {home} …", flush=True)
        with Timer() as t:
            summary = library.ingest(parts)
        print(f"  {summary.counts['ingested']:,} documents in {t.seconds:.0f} s", flush=True)
    return library


def stored(home: Path) -> int:
    library = Library.open(home)
    try:
        return library.catalogue.stats()["documents"]
    finally:
        library.close()


def handled(log: list[str]) -> int:
    """Files the watcher has given an outcome, from its log lines ("入库 N 个文件：…")."""
    return sum(int(m.group(1)) for line in list(log) if (m := RUN_LINE.search(line)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "sucai-bench-watch"))
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the baseline run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    home = Path(args.home).expanduser()
    inbox = home.parent / f"{home.name}-inbox"
    library = build(home)
    texts = free_texts(library)
    queries = make_queries(texts, 300, random.Random(args.seed))
    library.close()
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    burst = sorted((SHARED / "corpus" / BURST).glob("*.md"))[: args.files]
    burst_chars = sum(len(p.read_text(encoding="utf-8")) for p in burst)
    before = stored(home)
    print(f"library {home}: {before:,} documents; burst of {len(burst)} files ({burst_chars:,} characters); "
          f"{args.clients} clients; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          "(a shared machine: the figures are noisy)", flush=True)

    port = free_port()
    server = start_server(home, port, 1)
    env = {**os.environ, "SUCAI_HOME": str(home)}
    watcher = subprocess.Popen([str(Path(sys.executable).with_name("sucai")), "watch", str(inbox)], env=env,
                               stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(watcher.stderr), daemon=True)
    reader.start()
    try:
        run_clients(port, queries[:20], 2, 1.0, args.seed)   # warm up
        base, base_errors = run_clients(port, queries, args.clients, args.seconds, args.seed)
        during: list[float] = []
        errors = [0]
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                latencies, failed = run_clients(port, queries, args.clients, 2.0, args.seed)
                during.extend(latencies)
                errors[0] += failed

        clients = threading.Thread(target=load, daemon=True)   # an interrupted run does not wait for it
        clients.start()
        started = time.perf_counter()
        for path in burst:
            shutil.copy(path, inbox / path.name)
        copied = time.perf_counter() - started
        deadline = time.monotonic() + 3600
        while handled(log) < len(burst) and time.monotonic() < deadline:   # every file has an outcome
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        stop.set()
        clients.join()
    finally:
        watcher.terminate()
        server.terminate()
        watcher.wait(30)
        server.wait(30)
        reader.join(10)
    added = stored(home) - before
    runs = [line for line in log if " 入库 " in line and "个文件" in line]
    base_ms, during_ms = [x * 1000 for x in base], [x * 1000 for x in during]
    rows = [["before the burst", len(base_ms), percentile(base_ms, 50), percentile(base_ms, 90),
             percentile(base_ms, 99), base_errors, "baseline"],
            ["during the burst", len(during_ms), percentile(during_ms, 50), percentile(during_ms, 90),
             percentile(during_ms, 99), errors[0],
             "ok" if percentile(during_ms, 99) <= TARGET_P99_MS else "OVER"]]
    table(["searches", "requests", "p50 ms", "p90 ms", "p99 ms", "errors", f"p99≤{TARGET_P99_MS:.0f}"], rows,
          title=f"GET /api/search, {args.clients} loopback clients")
    rate = added / seconds
    table(["files", "stored", "copy s", "total s", "docs/s", "chars/s", "ingest runs", f"≥{TARGET_DOCS_PER_S:.0f} docs/s"],
          [[len(burst), added, copied, seconds, rate, burst_chars * added / max(1, len(burst)) / seconds, len(runs),
            "ok" if rate >= TARGET_DOCS_PER_S else "UNDER"]],
          title="sucai watch: the burst, from the first file copied to the last document stored")
    for line in runs[:5]:
        print("  " + line.rstrip())


if __name__ == "__main__":
    main()
