"""Benchmark ingest: ../shared/corpus into an empty library, against reading and decoding the same files.

Run from the project root: ``python bench/ingest.py [--corpus DIR] [--workers N] [--home DIR]``.
Prints documents/s and characters/s (characters = sum of the stored ``chars``), the
wall time split into parse+store and index sync (the sync inside ``Library.ingest``
is timed by wrapping ``library.index.sync``; a separate ``reindex()`` is timed too),
peak memory, the CPU seconds of this process and of the parse workers (with the rate they
imply on idle cores: wall time on a shared machine says more about the neighbours) and the
outcome counts. Baseline: read every file's bytes and decode
them (UTF-8, else GB18030) — the floor any ingest pays. Target: ≥ 2M chars/s end to end.

Then cleaning alone (``clean.clean``, markdown rules on): MB/s on 1 MB of the corpus's own
text next to 1 MB of each adversarial input (unclosed ``<!--``, runs of ``[``, ``**x ``,
trailing spaces, glued URLs…) that made the old rules quadratic. Target: every adversarial
input at least a quarter of the ordinary rate (linear rules; quadratic ones ran at < 0.01 MB/s).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from _common import Timer, corpus_dir, cpu_seconds, peak_rss_mb, scratch_home, table

from sucai.clean import clean
from sucai.ingest import discover
from sucai.library import Library

TARGET_CHARS_PER_S = 2_000_000
MEGABYTE = 1 << 20
ADVERSARIAL = ["<!--", "[", "![", "[a](", "**x ", "__x ", " ", "\n\n x", "http://a", "\x1b[", "# \n", "字 "]


def read_and_decode(files: list[Path], sample: list[str] | None = None) -> int:
    """The baseline: bytes of every file, decoded; returns the characters decoded (and keeps the
    first megabyte of text in ``sample``)."""
    chars = 0
    for path in files:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        chars += len(text)
        if sample is not None and sum(map(len, sample)) < MEGABYTE:
            sample.append(text)
    return chars


def clean_rates(ordinary: str) -> None:
    """Cleaning MB/s (characters) on 1 MB of ordinary text and on 1 MB of each adversarial input."""
    def rate(text: str) -> float:
        with Timer() as t:
            clean(text, markdown=True)
        return len(text) / t.seconds / 1e6

    base = rate((ordinary * (MEGABYTE // max(1, len(ordinary)) + 1))[:MEGABYTE])
    rows = [["ordinary text (corpus)", base, 1.0, ""]]
    for unit in ADVERSARIAL:
        got = rate((unit * (MEGABYTE // len(unit) + 1))[:MEGABYTE] + " !x")
        rows.append([f"adversarial {unit!r}", got, got / base, "ok" if got >= base / 4 else "BELOW"])
    table(["1 MB of", "M chars/s", "× ordinary", "target ≥ 0.25×"], rows, title="Cleaning (clean.clean)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="folder to ingest (default ../shared/corpus)")
    parser.add_argument("--workers", type=int, default=None, help="parser processes (default: all cores)")
    parser.add_argument("--home", help="library home (default: a temporary directory)")
    args = parser.parse_args()
    corpus = Path(args.corpus) if args.corpus else corpus_dir()
    files, _ = discover([corpus])
    print(f"corpus {corpus} — {len(files):,} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB; "
          f"{os.cpu_count()} cores, workers={args.workers or os.cpu_count()}")

    sample: list[str] = []
    with Timer() as base:
        base_chars = read_and_decode(files, sample)

    with scratch_home(args.home) as home:
        library = Library.open(home)
        sync = library.index.sync  # opening the index is not part of the ingest we time
        synced = Timer()

        def timed_sync(*a, **kw):
            with synced:
                return sync(*a, **kw)

        library.index.sync = timed_sync
        cpu_before = cpu_seconds()
        with Timer() as total:
            summary = library.ingest([corpus], workers=args.workers)
        cpu = [after - before for after, before in zip(cpu_seconds(), cpu_before)]
        library.index.sync = sync  # rebuild() calls sync too; time it on its own
        with Timer() as rebuild:
            reindexed = library.reindex()
        stats = library.catalogue.stats()
        library.close()

    chars, docs = stats["chars"], stats["documents"]
    parse_store = total.seconds - synced.seconds
    rate = chars / total.seconds
    base_rate = base_chars / base.seconds
    table(
        ["step", "seconds", "docs/s", "M chars/s"],
        [
            ["ingest end to end", total.seconds, docs / total.seconds, rate / 1e6],
            ["  parse + store", parse_store, docs / parse_store, chars / parse_store / 1e6],
            ["  index sync (in ingest)", synced.seconds, docs / synced.seconds, chars / synced.seconds / 1e6],
            ["reindex() alone", rebuild.seconds, reindexed / rebuild.seconds, chars / rebuild.seconds / 1e6],
            ["baseline: read + decode", base.seconds, len(files) / base.seconds, base_rate / 1e6],
        ],
        title=f"Ingest: {docs:,} documents, {chars / 1e6:.2f} M stored characters "
              f"(baseline decoded {base_chars / 1e6:.2f} M characters of {len(files):,} files)",
    )
    cores = os.cpu_count() or 1
    idle = chars / max(sum(cpu) / cores, cpu[0])  # the rate if the work had the cores to itself
    print(f"\nCPU of the ingest: this process {cpu[0]:,.1f} s, parse workers {cpu[1]:,.1f} s "
          f"({chars / 1e6 / sum(cpu):.2f} M chars per CPU second); on {cores} idle cores that is "
          f"≈ {idle / 1e6:.2f} M chars/s (load average now {os.getloadavg()[0]:.1f})")
    me, kids = peak_rss_mb()
    print(f"\npeak memory (maxrss): this process {me:,.0f} MB, largest child {kids:,.0f} MB")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in summary.counts.items()))
    verdict = "meets" if rate >= TARGET_CHARS_PER_S else "BELOW"
    print(f"end to end {rate / 1e6:.2f} M chars/s vs target {TARGET_CHARS_PER_S / 1e6:.0f} M chars/s: {verdict} "
          f"({rate / TARGET_CHARS_PER_S:.2f}× target); baseline/ingest ratio {base_rate / rate:,.1f}× "
          f"(ingest runs at {rate / base_rate:.2%} of the read+decode floor)")
    print()
    clean_rates("\n".join(sample))


if __name__ == "__main__":
    main()
