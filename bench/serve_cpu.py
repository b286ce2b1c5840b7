"""Where a served search's CPU goes: the search itself, and the web app around it (issue 16).

Run from the project root: ``python bench/serve_cpu.py [--home DIR] [--rounds 20]``. The library in
``--home`` is used as it is (built from ../shared/corpus when empty, as ``bench/serve.py`` does), with no result
cache (setting ``search_cache_entries`` 0, as ``bench/serve.py --no-cache``). One process, no network: each
request of the broad queries of ``bench/serve.py`` is sent to the app as the server's ASGI call would be, one at a
time, and its CPU time is the process's (every thread: the search's worker thread, the analytics recorder's) from
the call to the last message of its answer. Three ways, interleaved round by round so that the machine's other
load falls on all three alike:

- ``search``: the baseline — :meth:`Library.search`, the result's ``to_dict`` and orjson, on this thread, as
  the route computes them;
- ``route``: ``GET /api/search`` through the whole app (middlewares, session, routing, dependencies, the worker
  thread, 用户在找什么's recording, the JSON answer);
- ``app only``: the same route with the library's search answering from results computed before — what the app
  costs beside the search.

``--stages``: then where the search's own CPU goes, by stage of :func:`sucai.search.search` (:data:`STAGES`, each
function's process CPU summed per request, the median of the rounds' means; "other": the search less the stages —
its request checks, the plan, the result, ``to_dict`` and orjson). Stages nest in no other stage.

Server CPU per request = route + what uvicorn and httptools spend reading the request and writing the answer
(``bench/serve.py`` measures the whole). Target of issue 16: about 1.5 ms of server CPU per broad request, for
a p99 ≤ 100 ms at 50 clients on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

import orjson
import uvloop
from _common import Stages, percentile, table
from serve import BROAD, ensure_library

from sucai.library import Library
from sucai.search import SearchRequest
from sucai.web.serving import served_app

TARGET_MS = 1.5
# the stages of a document search (functions of sucai.search), in the order it runs them
STAGES = {"parse_query": "parsing", "_collapse_versions": "near-duplicate collapse", "_ordered": "ranked page",
          "_hit_documents": "hits' documents", "_document_hit": "hits (snippets)", "_facets": "facets"}


def answered(app):
    """A coroutine function sending ``GET /api/search?{query}`` (the query string's bytes) to ``app`` as uvicorn
    would; exits unless it answers 200."""
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def get(query: bytes) -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": "/api/search", "raw_path": b"/api/search", "query_string": query,
                 "root_path": "", "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 40000),
                 "server": ("127.0.0.1", 8000), "state": {}}
        status = []

        async def send(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        if status != [200]:
            raise SystemExit(f"bench: /api/search?{query.decode()} answered {status}")
    return get


def from_memory(library) -> None:
    """Make ``library.search`` answer each request from the result computed for it the first time."""
    search, kept = library.search, {}

    def remembered(request, *, member=False):
        key = (repr(request), member)
        if key not in kept:
            kept[key] = search(request, member=member)
        return kept[key]

    library.search = remembered


async def measure(args) -> None:
    home = Path(args.home)
    ensure_library(home).close()
    apps = {"route": served_app(home), "app only": served_app(home)}
    from_memory(apps["app only"].state.library)
    library = apps["route"].state.library
    requests = [SearchRequest(q=q) for q in BROAD]
    queries = [urlencode({"q": q}).encode() for q in BROAD]

    async def search_alone(index: int) -> None:
        orjson.dumps(library.search(requests[index]).to_dict())

    ways = {"search": search_alone}
    for name, app in apps.items():
        get = answered(app)
        ways[name] = lambda index, get=get: get(queries[index])
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    async with apps["route"].router.lifespan_context(apps["route"]), \
            apps["app only"].router.lifespan_context(apps["app only"]):
        for round_ in range(args.rounds + 1):   # the first round warms up: not counted
            for name, way in ways.items():
                for index in range(len(BROAD)):
                    began = time.process_time()
                    await way(index)
                    if round_:
                        cpu[name].append((time.process_time() - began) * 1000)
    rows = [[name, len(ms), statistics.median(ms), percentile(ms, 99), statistics.fmean(ms)] for name, ms in cpu.items()]
    table(["way", "requests", "CPU p50 ms", "CPU p99 ms", "CPU mean ms"], rows,
          title=f"broad visitor searches, no result cache, {home} (load average {os.getloadavg()[0]:.1f})")
    route, alone, app_only = (statistics.fmean(cpu[name]) for name in ("route", "search", "app only"))
    print(f"\nthe app beside the search: {route - alone:.3f} ms per request (route − search), "
          f"{app_only:.3f} ms with the search answered from memory; "
          f"route {route:.3f} ms against the target of about {TARGET_MS} ms of server CPU (uvicorn's part not counted)")


def stages(library, rounds: int) -> None:
    """Print the CPU per request of each of :data:`STAGES` in ``rounds`` rounds of the broad searches, alone."""
    from sucai import search as module

    timer = Stages(module, STAGES, time.process_time)
    per_round: dict[str, list[float]] = {name: [] for name in [*STAGES, "search"]}
    for round_ in range(rounds + 1):   # the first round warms up: not counted
        timer.clear()
        began = time.process_time()
        for q in BROAD:
            orjson.dumps(library.search(SearchRequest(q=q)).to_dict())
        if round_:
            per_round["search"].append((time.process_time() - began) * 1000 / len(BROAD))
            for name in STAGES:
                per_round[name].append(timer.spent[name] * 1000 / len(BROAD))
    ms = {name: statistics.median(values) for name, values in per_round.items()}
    rows = [[STAGES[name], name, ms[name], ms[name] / ms["search"]] for name in STAGES]
    other = ms["search"] - sum(ms[name] for name in STAGES)
    rows.append(["other", "", other, other / ms["search"]])
    rows.append(["search", "library.search + to_dict + orjson", ms["search"], 1.0])
    table(["stage", "function", "CPU ms/request (median of rounds)", "share"], rows,
          title=f"where a broad visitor search's CPU goes ({rounds} rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "sucai-bench-serve"),
                        help="the library (bench/serve.py's by default)")
    parser.add_argument("--rounds", type=int, default=20, help="rounds of the 20 broad queries, each way")
    parser.add_argument("--stages", action="store_true", help="then the search's CPU by stage")
    args = parser.parse_args()
    os.environ["SUCAI_SEARCH_CACHE_ENTRIES"] = "0"   # read as each app opens its library
    uvloop.run(measure(args))   # the server's event loop (sucai.web.serving)
    if args.stages:
        with contextlib.closing(Library.open(Path(args.home))) as library:
            stages(library, args.rounds)


if __name__ == "__main__":
    main()
