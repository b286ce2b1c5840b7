"""Benchmark 今日更新 over a month of additions: ``/api/updates?since=31`` as a visitor and as a member (attack 22).

Run from the project root: ``python bench/updates.py [--home DIR] [--runs N] [--preview CHARS]``. Without ``--home`` the
laws of ../shared/corpus/laws_lawrefbook_national (1,564 files: about 90 s) are ingested into a scratch home, every
one added within the window; ``--home`` takes a library built before (e.g. by a first run with ``--home``). Laws
have no members part: ``--preview`` (default 1000) makes each one longer than that members-only after it, as a paid
library's are, so that a visitor's listing is of free views.

Each request's CPU (this process, time.process_time) two ways, alternating:

- ``each request lists the window``: the documents of the window read whole and described for the viewer, as
  every request did before (:func:`sucai.updates._listed`) — the baseline;
- ``updates``: :func:`sucai.updates.updates` as it runs, its listing of the window kept until the catalogue
  changes (the first request's listing is made before timing).

Target: a request < 20 ms of CPU whatever the window holds (it was 0.3 s for 1,559 laws).
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import corpus_dir, scratch_home, table

from sucai import updates
from sucai.config import load_settings
from sucai.library import Library

TARGET_MS = 20


def cpu_ms(action) -> float:
    start = time.process_time()
    action()
    return (time.process_time() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="the library (built here first when empty)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--preview", type=int, default=1000, help="free_preview_chars")
    args = parser.parse_args()
    with scratch_home(args.home) as home:
        settings = load_settings(home, free_preview_chars=args.preview)
        library = Library(settings)
        if not library.catalogue.summaries(limit=1):
            library.ingest([corpus_dir("laws_lawrefbook_national")])
        start = updates.window_start(settings.zone)
        listed = len(updates.added_since(library, start))
        rows = []
        for member in (False, True):
            updates.updates(library, member=member, since="31")   # the listing of the window, made once
            before, after = [], []
            for _ in range(args.runs):
                before.append(cpu_ms(lambda: updates._listed(library, member, start)))
                after.append(cpu_ms(lambda: updates.updates(library, member=member, since="31", limit=100)))
            was, now = statistics.median(before), statistics.median(after)
            rows.append(("member" if member else "visitor", listed, f"{was:.1f}", f"{now:.1f}", f"{was / now:.0f}×",
                         f"< {TARGET_MS}", "ok" if now < TARGET_MS else "OVER TARGET"))
        library.close()
    table(("viewer", "documents in the window", "each request lists the window (ms CPU)", "updates (ms CPU)",
           "gain", "target (ms)", ""), rows, title="/api/updates?since=31, median CPU per request")


if __name__ == "__main__":
    main()
