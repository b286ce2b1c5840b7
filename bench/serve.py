"""Load check of the web app: N concurrent clients run searches against /api/search on loopback.

Run from the project root: ``python bench/serve.py [--home DIR] [--clients 1,10,50] [--seconds 10]``,
or ``python bench/serve.py --nodes 2`` for the deployment comparison of issue 15 (below).
The library in ``--home`` is used as it is; when it is empty it is built from
../shared/corpus first (about a minute). The server is ``sucai serve`` with
``--workers`` processes (default: one per core, as ``sucai serve``) in a subprocess on
127.0.0.1. The load comes from wrk (``--client wrk``, the default when it is installed:
Debian's package ``wrk``), a C load generator whose threads cost the shared cores
little, or from one asyncio client in this process (``--client asyncio``, the
fallback): each of the N clients is a keep-alive connection (raw HTTP/1.1 over
asyncio streams, a few tens of microseconds of client CPU per request, on the same
cores as the servers) that runs the query list in a loop (its own seeded order) for a
fixed time. Every request is a visitor's search with the API defaults (ranked mode,
10 hits, facets, snippets).

Queries (seeded) are substrings of 2–6 Han characters of the documents' free text,
plus two-term queries; ``--broad``: common terms with thousands of matches (the
issue's "broad ranked queries"). Repeated queries are served from the servers'
result caches (setting ``search_cache_entries``); ``--no-cache`` turns them off, so
that every request is computed (the documents of its hits are still read once per state and
tier: ``sucai.index.Snapshot.hit_documents``). The baseline is a brute-force substring scan over
the same free texts (normalised, in memory) in this process, for the same queries:
the ratio says how much faster a served search is than a scan. The servers' CPU time
per request (user + system, psutil) is the cost of a request whatever else runs on the
machine; latencies on a shared machine depend on that too.
Target: p99 ≤ 100 ms at 50 concurrent clients on the corpus, no errors.

``--nodes N`` (N ≥ 2) compares, in one run, the embedded deployment — one node on
the SQLite files, ``--workers`` server processes — with N nodes on one PostgreSQL
server (Debian's, started in a temporary directory as the tests do; the
catalogue and accounts copied into it, each node with its own data directory and
a copy of the index), ``--workers``/N processes each, so both use the same number
of processes on the same cores. The load is 100 (``--clients``) concurrent
connections of the asyncio client spread over the nodes as a round-robin proxy would,
each running broad ranked queries.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil
from _common import Timer, corpus_dir, percentile, table

from sucai import access, analysis
from sucai.backup import copy_rows
from sucai.config import load_settings
from sucai.db import Database
from sucai.db.migrate import upgrade
from sucai.library import Library

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from postgres import TempPostgres  # noqa: E402 - the tests' throw-away PostgreSQL server

HAN_RUN = re.compile(r"[\u4e00-\u9fff]{6,}")
TARGET_P99_MS = 100.0
MAX_SECONDS = 120
MAX_CLIENTS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_library(home: Path) -> Library:
    library = Library.open(home)
    if library.catalogue.stats()["documents"] == 0:
        print(f"building the library in {home} from {corpus_dir()} …", flush=True)
        with Timer() as t:
            summary = library.ingest([corpus_dir()])
        print(f"  {summary.counts['ingested']:,} documents in {t.seconds:.0f} s")
    return library


def free_texts(library: Library) -> list[str]:
    """Normalised title + free text of every document: what a visitor's search sees."""
    out = []
    for doc in library.catalogue.documents():
        view = access.view(doc, False)[0]
        out.append(analysis.normalize(view.title) + "\n" + analysis.normalize(view.text))
    return out


def make_queries(texts: list[str], count: int, rng: random.Random) -> list[str]:
    runs = [m.group() for text in rng.sample(texts, min(len(texts), 400)) for m in HAN_RUN.finditer(text)]
    queries = []
    while len(queries) < count:
        run = rng.choice(runs)
        size = rng.randint(2, 6)
        start = rng.randrange(0, len(run) - size + 1)
        term = run[start : start + size]
        if rng.random() < 0.2:
            other = rng.choice(runs)
            term += " " + other[: rng.randint(2, 4)]
        queries.append(term)
    return queries


def brute_force(texts: list[str], queries: list[str]) -> list[float]:
    """Seconds per query of a substring scan (every term must occur) over all texts."""
    times = []
    for q in queries:
        terms = q.split()
        with Timer() as t:
            hits = [i for i, text in enumerate(texts) if all(term in text for term in terms)]
        times.append(t.seconds)
        assert hits is not None
    return times


def start_server(home: Path, port: int, workers: int, cache: bool = True) -> subprocess.Popen:
    """``sucai serve`` (the command users run, with its uvicorn options) on ``127.0.0.1:port``, once each of
    its ``workers`` processes listens and has answered.

    A worker still starting accepts nothing: a load that began when the first one answered kept all its
    keep-alive connections there (on a loaded machine all 50 wrk connections went to one of two workers,
    the other idle)."""
    env = {**os.environ, "SUCAI_HOME": str(home)}
    if not cache:
        env["SUCAI_SEARCH_CACHE_ENTRIES"] = "0"
    command = [sys.executable, "-m", "sucai", "serve", "--home", str(home), "--port", str(port),
               "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300   # a loaded machine takes minutes to import and open everything
    ready: set[int] = set()
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/me")
            if connection.getresponse().status == 200:
                ready.add(_accepted_by(server, port, connection.sock.getsockname()))
                connection.close()
                if ready >= set(_workers(server, port)) and len(_workers(server, port)) == workers:
                    return server
        except (OSError, psutil.Error):
            time.sleep(0.2)
        if server.poll() is not None:
            break
    stop_server(server)
    sys.exit("bench: the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    """Stop ``sucai serve`` and its worker processes: SIGTERM, SIGKILL to those left after 10 s (a supervisor
    killed alone left its uvicorn workers running, holding the port and a core)."""
    try:
        processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    for process in psutil.wait_procs(processes, timeout=10)[1]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    server.wait()


def _workers(server: subprocess.Popen, port: int) -> list[int]:
    """The processes of ``server`` that serve ``port``: uvicorn's workers (children that hold the listening
    socket), or the server itself when it has none."""
    children = [p for p in psutil.Process(server.pid).children(recursive=True)
                if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in p.net_connections("tcp"))]
    return [p.pid for p in children] or [server.pid]


def _accepted_by(server: subprocess.Popen, port: int, client: tuple[str, int]) -> int | None:
    """The process of ``server`` that accepted the open connection from ``client`` to ``port`` (None: none yet)."""
    for pid in _workers(server, port):
        if any(c.raddr and tuple(c.raddr) == client for c in psutil.Process(pid).net_connections("tcp")):
            return pid
    return None


BROAD = ["工作", "发展", "建设", "管理", "加强", "推进", "服务", "改革", "安全", "问题 整改", "加强 领导",
         "高质量发展", "基层", "群众", "制度 落实", "经济 增长", "党建", "创新", "政府", "责任"]


async def _client(port: int, queries: list[str], stop_at: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.perf_counter() < stop_at:
            path = "/api/search?" + urlencode({"q": queries[i % len(queries)]})
            i += 1
            began = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            errors[0] += not (status.split(b" ")[1:2] == [b"200"] and b'"hits"' in body)
    finally:
        writer.close()


def asyncio_load(ports: list[int], queries: list[str], clients: int, seconds: float, seed: int) -> dict:
    """:func:`summary` of ``clients`` keep-alive connections of this process, dealt round-robin over ``ports``."""
    latencies: list[float] = []
    errors = [0]

    async def run():
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(_client(ports[n % len(ports)], random.Random(seed + n).sample(queries, len(queries)),
                                       stop_at, latencies, errors) for n in range(clients)))

    asyncio.run(run())
    return summary([x * 1000 for x in latencies], errors[0])


def summary(ms: list[float], errors: int) -> dict:
    """Requests, latency percentiles (ms) and errors of a run."""
    return {"requests": len(ms), "p50": percentile(ms, 50), "p90": percentile(ms, 90), "p99": percentile(ms, 99),
            "max": max(ms, default=math.nan), "errors": errors}


# wrk runs this script in each of its threads; done() gets the latencies (µs) of all of them.
WRK_SCRIPT = """
local paths = {%s}
local counter, offset, i = 0, 0, 0
setup = function(thread) thread:set("offset", counter * 7919) counter = counter + 1 end
init = function(args) i = offset end
request = function() i = i + 1 return wrk.format("GET", paths[(i %% #paths) + 1]) end
done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format('\\n{"requests": %%d, "p50": %%f, "p90": %%f, "p99": %%f, "max": %%f, "errors": %%d}\\n',
    s.requests, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def wrk_load(port: int, queries: list[str], clients: int, seconds: float, seed: int) -> dict:
    """:func:`summary` of ``clients`` keep-alive connections of wrk (a C load generator, two threads), which
    cycle through the queries in a seeded order; an error is a failed connection or a status other than 2xx/3xx."""
    order = random.Random(seed).sample(queries, len(queries))
    paths = ", ".join(f'"/api/search?{urlencode({"q": q})}"' for q in order)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % paths)
    try:
        ran = subprocess.run(["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds:.0f}s",
                              "--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    return json.loads(ran.stdout.strip().splitlines()[-1])


def worker_cpu_seconds(server: subprocess.Popen, port: int) -> dict[int, float]:
    """User + system CPU seconds used so far by each process that serves ``port`` (pid → seconds)."""
    return {pid: sum(psutil.Process(pid).cpu_times()[:2]) for pid in _workers(server, port)}


def connections_per_worker(server: subprocess.Popen, port: int) -> list[int]:
    """How many client connections each process that serves ``port`` holds now (its accepted sockets)."""
    return [sum(1 for c in psutil.Process(pid).net_connections("tcp")
                if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
            for pid in _workers(server, port)]


def split(counts: list[float]) -> str:
    """``counts`` as shares of their sum, in percent, largest first: ``"52/48"``."""
    total = sum(counts) or 1
    return "/".join(f"{100 * c / total:.0f}" for c in sorted(counts, reverse=True))


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU seconds used so far by the server and its worker processes: what a request
    costs, whatever else runs on the machine (latencies on a shared machine depend on it)."""
    processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    return sum(sum(p.cpu_times()[:2]) for p in processes)


def postgres_nodes(home: Path, server: TempPostgres, nodes: int) -> list[Path]:
    """``nodes`` data directories on a new database of ``server`` holding a copy of the library in ``home``
    (same library id and change log, so a copy of its index is a valid replica)."""
    url = server.create_database("bench")
    source = load_settings(home, database_url="")
    for store in ("catalogue", "accounts"):
        target = Database(url, store, check=False)
        upgrade(target)
        copy_rows(Database(source.database(store), store), target)
    homes = []
    for n in range(nodes):
        node = Path(tempfile.mkdtemp(prefix=f"sucai-node{n}-"))
        (node / "sucai.toml").write_text(f'database_url = "{url}"\n', encoding="utf-8")
        shutil.copytree(source.index_dir, node / "index")
        homes.append(node)
    return homes


def measure(label: str, ports: list[int], servers: list[subprocess.Popen], processes: int, queries: list[str],
            clients: int, seconds: float, seed: int) -> list:
    asyncio_load(ports, queries[:5], min(4, clients), 1.0, seed)   # warm up
    cpu = sum(map(server_cpu_seconds, servers))
    run = asyncio_load(ports, queries, clients, seconds, seed)
    cpu = sum(map(server_cpu_seconds, servers)) - cpu
    return [label, len(ports), processes, clients, run["requests"], run["requests"] / seconds,
            cpu * 1000 / max(1, run["requests"]), run["p50"], run["p99"], run["errors"]]


def compare_nodes(home: Path, nodes: int, workers: int, clients: int, seconds: float, seed: int, cache: bool) -> None:
    """SQLite with one node against PostgreSQL with ``nodes`` nodes, the same load, in one run."""
    rows, servers = [], []
    pg = TempPostgres()
    try:
        port = free_port()
        servers.append(start_server(home, port, workers, cache))
        rows.append(measure("SQLite", [port], servers, workers, BROAD, clients, seconds, seed))
        stop_server(servers.pop())
        each = max(1, workers // nodes)
        ports = [free_port() for _ in range(nodes)]
        for node, node_port in zip(postgres_nodes(home, pg, nodes), ports):
            servers.append(start_server(node, node_port, each, cache))
        rows.append(measure("PostgreSQL", ports, servers, each * nodes, BROAD, clients, seconds, seed))
    finally:
        for server in servers:
            stop_server(server)
        pg.stop()
    table(["backend", "nodes", "processes", "clients", "requests", "req/s", "CPU ms/req", "p50 ms", "p99 ms",
           "errors"], rows,
          title=f"GET /api/search (broad ranked queries) on 127.0.0.1, {seconds:.0f} s each, asyncio client, "
                f"result cache {'on' if cache else 'off'}")
    print(json.dumps({"nodes": [dict(zip(("backend", "nodes", "processes", "clients", "requests", "rps", "cpu_ms",
                                          "p50_ms", "p99_ms", "errors"), r)) for r in rows]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "sucai-bench-serve"),
                        help="library to serve (built from ../shared/corpus when empty)")
    parser.add_argument("--clients", default="1,10,50", help="comma-separated concurrency levels")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each level runs")
    parser.add_argument("--queries", type=int, default=300, help="how many distinct queries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server processes (uvicorn --workers; default: one per core, as sucai serve)")
    parser.add_argument("--broad", action="store_true", help="broad ranked queries (common terms) instead of substrings")
    parser.add_argument("--no-cache", action="store_true", help="servers without result caches: every search computed")
    parser.add_argument("--client", choices=("wrk", "asyncio"), default="wrk" if shutil.which("wrk") else "asyncio",
                        help="load generator: wrk (C, when installed: the default) or this process's asyncio client")
    parser.add_argument("--nodes", type=int, default=1,
                        help="≥ 2: SQLite on one node against PostgreSQL on this many nodes (100 clients)")
    args = parser.parse_args()
    levels = [min(MAX_CLIENTS, max(1, int(c))) for c in args.clients.split(",")]
    seconds = min(MAX_SECONDS, max(1.0, args.seconds))

    home = Path(args.home).expanduser()
    library = ensure_library(home)
    if args.nodes >= 2:
        library.close()
        clients = 100 if args.clients == "1,10,50" else levels[0]
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work on the machine skews the "
              f"numbers)", flush=True)
        compare_nodes(home, args.nodes, max(args.workers, args.nodes), clients, seconds, args.seed, not args.no_cache)
        return
    stats = library.catalogue.stats()
    texts = free_texts(library)
    library.close()
    rng = random.Random(args.seed)
    queries = BROAD if args.broad else make_queries(texts, args.queries, rng)
    print(f"library {home}: {stats['documents']:,} documents, {stats['chars']:,} characters; "
          f"{len(queries)} queries, {os.cpu_count()} CPUs, {args.workers} server process(es), "
          f"result cache {'off' if args.no_cache else 'on'}, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews the numbers)")

    scan = brute_force(texts, queries)
    scan_p50 = percentile(scan, 50)

    port = free_port()
    server = start_server(home, port, max(1, min(8, args.workers)), cache=not args.no_cache)
    rows = []
    try:
        asyncio_load([port], queries[:20], 4, 1.0, args.seed)  # warm up (thread-local connections, searchers)
        for clients in levels:
            cpu, before = server_cpu_seconds(server), worker_cpu_seconds(server, port)
            # the connections each worker holds, counted halfway through the run (wrk's are kept alive)
            held: list[list[int]] = []
            sampler = threading.Timer(seconds / 2, lambda: held.append(connections_per_worker(server, port)))
            sampler.start()
            if args.client == "wrk":
                run = wrk_load(port, queries, clients, seconds, args.seed)
            else:
                run = asyncio_load([port], queries, clients, seconds, args.seed)
            sampler.join()
            cpu = server_cpu_seconds(server) - cpu
            worker_cpu = [seconds_now - before.get(pid, 0.0) for pid, seconds_now in worker_cpu_seconds(server, port).items()]
            p50, p99 = run["p50"], run["p99"]
            rows.append([clients, run["requests"], run["requests"] / seconds, cpu * 1000 / max(1, run["requests"]),
                         p50, run["p90"], p99, run["max"], run["errors"],
                         scan_p50 * 1000 / p50 if p50 else float("nan"),
                         "ok" if p99 <= TARGET_P99_MS else "OVER",
                         "/".join(map(str, sorted(held[0], reverse=True))) if held else "?",
                         split(worker_cpu)])
    finally:
        stop_server(server)
    table(["clients", "requests", "req/s", "CPU ms/req", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "scan/p50",
           f"p99≤{TARGET_P99_MS:.0f}", "connections", "CPU % per worker"], rows, title=f"GET /api/search on 127.0.0.1, {seconds:.0f} s per level, {args.client} client")
    print(f"\nbrute-force scan of the same queries in this process: p50 {scan_p50 * 1000:.2f} ms, "
          f"p99 {percentile(scan, 99) * 1000:.2f} ms per query")
    print(json.dumps({"levels": [dict(zip(("clients", "requests", "rps", "cpu_ms", "p50_ms", "p90_ms", "p99_ms"), r[:7]),
                                      connections=r[11], worker_cpu=r[12]) for r in rows]}))


if __name__ == "__main__":
    main()
