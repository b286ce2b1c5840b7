"""Benchmark ingest: ../shared/corpus into an empty library, against reading and decoding the same files.

Run from the project root: ``python bench/ingest.py [--corpus DIR] [--workers N] [--home DIR] [--whole-only |
--no-converter]``.
Prints documents/s and characters/s (characters = sum of the stored ``chars``), the wall time
split into parse+store and the index's commits and syncs inside ``Library.ingest`` (timed by
wrapping ``SearchIndex.sync`` and ``Feed.commit``, summed), a separate ``reindex()``, the CPU seconds
of this process and of the parse workers with their fork server (with the rate they imply on idle cores: wall time
on a shared machine says more about the neighbours), the peak memory of this process, of the largest
worker and of the whole process tree (sampled from /proc) — with each process's share at the tree's
peak and whether it fell in an index commit, and each phase's peak of this process, where the index writer's
heap is; and the tree's peak of anonymous memory alone, without the mapped files — a merge of the index reads its
segment files through a memory map, up to 170 MB of page cache counted in this process's PSS until it ends, so the
PSS peak depends on when tantivy merges (every eighth segment: a commit every 300 s on a loaded machine makes more;
the ingest stops the parse workers' fork server before its last commit, as ``sucai ingest`` does) —,
the index's segments after the ingest (a smaller writer heap makes more, and more merges) and the outcome counts;
and this process's CPU by thread — its main thread (storing, near-duplicates, index entries), tantivy's indexing
thread and its other threads (merges), the worker pool's threads (results received and unpickled) — sampled from
/proc. Last (``--parse-every N``, 0 to leave it out), a parse worker's CPU by stage — reading, cleaning, structure
and metadata, the near-duplicate sketch, the index tokens (jieba, bigrams, 查重 fingerprints), pickling its result —
over every N-th file parsed in this process as a worker parses it.
Baseline: read every file's bytes and decode them (UTF-8, else GB18030) — the floor any ingest pays. Targets:
≥ 2M chars/s end to end, ≤ 400 MB.

Where the memory was (issue 16, files that need no converter, 376–404 MB PSS at the tree's peak): this process
240–260 MB — ~225 MB anonymous while parsing, or ~125 anonymous and ~135 MB of segment files a merge maps —, of
which Python's own objects are few (tracemalloc over a quarter of the corpus: 39 MB at most; the rest is the index
writer's heap, tantivy's, SQLite's and glibc's); the fork server's ~92 MB, shared with the workers (imports 45 MB,
the segmenter's dictionary 38), and each worker's 9–19 MB of its own (Private_Dirty). Tried: a worker replaced
after 100 files instead of 25 — 9 % less of the workers' CPU, the memory the same (kept, :mod:`sucai.budget`).

Where the CPU was (issue 16, the same files, 20.9 M characters, 2 workers, load 4–13): the tree 74–85 s, 3.5–4.1
CPU s per M characters — this process 43–52 s (tantivy's indexing thread 19, its merges 7, the main thread 13–14:
SQLAlchemy and SQLite per transaction, datasketch's LSH, the index entries; the pool's threads 3.5, the results
unpickled), the parse workers and fork server 31–33 s. A parse by stage (``--parse-every 4``, 5.5 M characters, the
readers loaded first as the fork server has them; three runs a side alternated, load 9–12, ingest30): 7.0 s — read 13 %,
clean 13 %, metadata 12 %, outline 10 %, the 公文 elements 3 %, the near-duplicate sketch 10 % (its MinHash's matrix most:
numpy, chunks of 512–2,048 shingles alike), jieba 18 %, the rest of the index tokens 7 %, pickling 4 % (136 MB, most of
its time the document's outline). Metadata 1.04 (0.99–1.12) → 0.86 (0.83–0.86) s, the parse 7.43 (6.93–7.67) → 7.01
(7.01–7.11) s: searches spared where no match can be — a pattern opening with a line start (re tries it at every
character: a news dateline, a 发布时间 or 日期 line) only in a window holding a word its every match holds (消息/日电/讯, 日期/时间:
:func:`sucai.metadata.lines.holds`), a 文号 only on a line with 号, the paid tags only in a text with ``paid`` (0.023 →
0.005 s) —, and ``title_genre`` cached (each title part's tail tried against every 文种's words at each of its 16
characters; 1,866 titles in 4,742 calls). The ingest (``--no-converter --parse-every 0``, three runs a side alternated,
load 6–8): the parse workers 32.4/35.4/33.7 → 33.8/34.0/30.9 CPU s, the tree 3.44/3.79/3.52 → 3.67/3.66/3.25 CPU s per M
characters — the ~1.6 s the split saves over these files is within the runs' spread. Looked at and left: the other clean
rules (one pass each, 0.02–0.12 s; the words they need are common: ``<`` or ``&`` in 748 of 848 texts), the elements'
lines squeezed at once (0.13 → 0.12 s), the 注释 line's search (0.03 s), the body cues of ``genres`` (0.2 s; a guard needs
a word per cue in that table), the outline's labels (one pass; 0.3 s of Python per label). Sending the normalised text
instead of the bigrams and unigrams would save ~0.03 s, and the k-gram hashes the sketch and the 查重 fingerprints both
make of the skeleton ~0.05: neither tried. The largest stage is tantivy's, half of it the 查重 fingerprints: that
quarter's entries indexed alone (one writer thread, as the ingest's), every field 5.3/5.8 s of CPU, without ``fp`` and
``free_fp`` 2.5/2.8, without ``free_fp`` alone 3.8/4.3 — which holds the same tokens as ``fp`` in every document without
a members part (847 of the 848). So index version 14 indexes them once (fp29): ``free_fp`` for every document, ``fp``
only for those with a members part; a member's 查重 reads ``fp`` and ``free_fp`` of the others
(:class:`sucai.check.retrieve.Sources`), a non-member's ``free_fp`` as before. The files that need no converter, three
runs a side alternated (``--no-converter --parse-every 0``, load 12–18): the tree 91.5/88.8/94.6 → 80.5/85.3/78.4 CPU s,
4.37/4.24/4.52 → 3.85/4.08/3.75 CPU s per M characters (median −12 %); this process 55.5/54.7/58.9 → 45.4/47.7/44.6 s,
tantivy's indexing thread 25.2/24.2/26.3 → 19.3/20.3/19.1 s (45/44/45 % of this process → 42/43/43 %), its merges
10.1/11.0/12.2 → 6.2/6.1/6.0 s; tree PSS peak 403/405/412 → 387/362/372 MB. Tried and taken back: the parses ready
stored at a wait for a worker only once they are 8 or the first waited a second (they were 3.6 a transaction; the
corpus's files that need no converter, three runs a side alternated: the main thread 14.0/14.1/13.1 → 9.5/9.2/9.7 s, the
tree 85.1/83.5/79.9 → 79.5/75.2/79.2 s, 4.07/3.99/3.82 → 3.80/3.59/3.78 CPU s per M characters; tree PSS peak
399/399/391 → 400/404/398 MB) — the files parsed while a scan's OCR runs were then stored only once it ended, when it
ended within the second, where each file is stored as its parse is done (issue 17: tests/test_ingest.py's slow scan,
tests/test_formats.py's scan the ingest tells it waits for, both red in a fresh-clone CI on a quiet machine). A batch
bounded by time needs those tests to allow its second. Kept instead (each parse still stored as it is done): the
documents of a batch marked placed among near-duplicates in the next batch's transaction (``Catalogue.add_all``'s
``placed``), not in one of their own — one transaction a batch, not two. Where the main thread's CPU went before (one
run, ``thread_time`` by stage, load 12: 2,595 transactions for 3,394 documents, 1.3 a transaction on a loaded machine):
``Catalogue.add_all`` 5.8 s (a document's insert and file record 2.1, its JSON columns 1.5, the signatures 0.4, the
change log 0.4, BEGIN IMMEDIATE and the commit ≈ 1.4), ``Catalogue.placed`` 1.8 (its own transaction, now gone),
``Clusters.after_store`` 1.9 (the LSH), the index feed 1.3, ``malloc_trim`` at each wait for a worker 1.3
(:func:`sucai.memory.give_back`; not tried). The same files, runs alternated with the parent commit (dffb291) under load
13–22, ``Library.ingest(workers=2, stop_parsers=True)``: the main thread 15.4/15.8/14.7 → 14.6/14.0/13.3 s (median −9.5
%), the tree 93.6/95.3/88.3 → 91.7/89.2/85.8 s (median −4.7 %), 4.47/4.55/4.22 → 4.38/4.26/4.10 CPU s per M characters
(each run lower than the base run before it; both sides fell as the load did).

The whole corpus is the issue's figure. Some of its files need an external converter — Tesseract's OCR
for scans, LibreOffice for .doc/.wps/.rtf/.odt — which is not our code and may take as long as the rest
of the corpus, so two more runs split it: the files that need no converter (text, markdown, html, docx,
PDF with a text layer), and the converted files alone (each a mirror with the same
names). A closing table gives the three figures side by side, each with its target. ``--no-converter`` runs the
files that need no converter alone, found before the ingest (:func:`needs_converter`: the format by content, a PDF's
text layer by PDFium), so the Python pipeline's own throughput is measured without waiting for the whole corpus.

Then cleaning alone (``clean.clean``, markdown rules on): MB/s on 1 MB of the corpus's own
text next to 1 MB of each adversarial input (unclosed ``<!--``, runs of ``[``, ``**x ``,
trailing spaces, glued URLs…) that made the old rules quadratic. Target: every adversarial
input at least a quarter of the ordinary rate (linear rules; quadratic ones ran at < 0.01 MB/s).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import tempfile
import time
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

from _common import Stages, Timer, TreeMemory, corpus_dir, cpu_seconds, scratch_home, table

from sucai import analysis, dedupe, index, ingest, metadata, outline, readers
from sucai import clean as cleaning
from sucai.clean import clean
from sucai.errors import ReadError
from sucai.index import Feed
from sucai.ingest import ParseJob, discover
from sucai.library import Library
from sucai.readers import OFFICE_FORMATS, READER_MODULES, detect_format, file_bytes

TARGET_CHARS_PER_S = 2_000_000
TARGET_RSS_MB = 400
MEGABYTE = 1 << 20
# What a parse worker does with a file (ingest._parse_job), stage by stage: (module, function) → (row, the row of the
# stage it runs inside, or None). Timed inclusively; each row's "rest" is its own time less its stages'.
STRUCTURE, TOKENS = "structure and metadata (outline.analyse)", "index tokens (index.prepare)"
PAIRS, FINGERPRINTS = "bigrams and unigrams (analysis)", "查重 fingerprints (fingerprint)"
PARSE_STAGES = {
    (readers, "read"): ("read and decode (readers.read)", None),
    (cleaning, "clean"): ("clean (clean.clean)", None),
    (outline, "analyse"): (STRUCTURE, None),
    (metadata, "describe"): ("metadata: title, 文种, 文号, dates, 来源 (metadata.describe)", STRUCTURE),
    (outline, "find_elements"): ("公文 elements (elements.find_elements)", STRUCTURE),
    (outline, "parse_outline"): ("outline (outline.parse_outline)", STRUCTURE),
    (ingest, "text_hash"): ("text hash (dedupe.text_hash)", None),
    (dedupe, "sketch_of"): ("near-duplicate sketch: shingles, MinHash (dedupe.sketch_of)", None),
    (index, "prepare"): (TOKENS, None),
    (analysis, "word_text"): ("jieba words (analysis.word_text)", TOKENS),
    (analysis, "bigrams"): (PAIRS, TOKENS),
    (analysis, "unigrams"): (PAIRS, TOKENS),
    (index, "skeleton_tokens"): (FINGERPRINTS, TOKENS),
    (index, "check_tokens"): (FINGERPRINTS, TOKENS),
}
PARSE_TOTAL = "a worker's parse (ingest._parse_job)"
# this process's threads by what they do, told apart by the names the kernel has for them (tantivy names its own)
MAIN_THREAD = "main thread: storing, near-duplicates, index entries (Python)"
TANTIVY_INDEXING = "tantivy's indexing thread: tokens → postings, segments"
TANTIVY_OTHER = "tantivy's other threads: merges, segment updates"
POOL_THREADS = "the worker pool's threads: jobs sent, results received and unpickled"
ADVERSARIAL = ["<!--", "[", "![", "[a](", "**x ", "__x ", " ", "\n\n x", "http://a", "\x1b[", "# \n", "字 "]


def read_and_decode(files: list[Path], sample: list[str] | None = None) -> int:
    """The baseline: bytes of every file, decoded; returns the characters decoded (and keeps the
    first megabyte of text in ``sample``). A file that cannot be read is told in a line and left out."""
    chars = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as error:
            print(f"bench: 无法读取 {path}（{error.strerror or error}），基线未计入此文件")
            continue
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


def ingest_once(corpus: Path, workers: int | None, home: str | None) -> dict:
    """Ingest ``corpus`` into an empty library; the timings, CPU seconds, peak memory and counts of the run."""
    with scratch_home(home) as folder:
        library = Library.open(folder)
        index_seconds = [0.0]
        memory = TreeMemory()

        def timed(function):
            def run(*a, **kw):
                memory.phase = "index commit or sync"
                try:
                    with Timer() as t:
                        result = function(*a, **kw)
                finally:
                    memory.phase = "parse + store"
                index_seconds[0] += t.seconds
                return result
            return run

        sync, commit = library.index.sync, Feed.commit  # opening the index is not part of the ingest we time
        library.index.sync, Feed.commit = timed(sync), timed(commit)
        cpu_before = cpu_seconds()
        try:
            with memory, Timer() as total:
                summary = library.ingest([corpus], workers=workers, stop_parsers=True)   # as ``sucai ingest``
            cpu = [after - before for after, before in zip(cpu_seconds(), cpu_before)]
            cpu[0] -= memory.cpu  # the sampling thread's own
            segments = library.index.searcher().num_segments  # before reindex() merges them into one
        finally:
            library.index.sync, Feed.commit = sync, commit
        with Timer() as rebuild:
            reindexed = library.reindex()
        stats = library.catalogue.stats()
        converted = [doc.source_path for doc in library.catalogue.documents(outline=False)
                     if doc.ocr_confidence is not None or doc.format in OFFICE_FORMATS]
        library.close()
    return {"seconds": total.seconds, "index": index_seconds[0], "cpu": cpu, "memory": memory,
            "rebuild": rebuild.seconds, "reindexed": reindexed, "segments": segments, "chars": stats["chars"], "docs": stats["documents"],
            "counts": summary.counts, "converted": converted}


def thread_split(threads: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds of this process's threads (:attr:`TreeMemory.threads`) by role."""
    split = dict.fromkeys((MAIN_THREAD, TANTIVY_INDEXING, TANTIVY_OTHER, POOL_THREADS), 0.0)
    for tid, (name, seconds) in threads.items():
        if tid == os.getpid():
            split[MAIN_THREAD] += seconds
        elif name.startswith("thrd-tantivy-in"):
            split[TANTIVY_INDEXING] += seconds
        elif "tantivy" in name or name.startswith(("merge_thread", "segment_update", "docstore")):
            split[TANTIVY_OTHER] += seconds
        else:
            split[POOL_THREADS] += seconds
    return split


def parse_split(files: list[Path], every: int) -> None:
    """The parse workers' CPU by stage: every ``every``-th of ``files`` that needs no external converter parsed in
    this process as a worker parses it (``ingest._parse_job``), its result pickled as the pool sends it to the
    ingest's process and unpickled as that process receives it; each stage's CPU seconds (``time.process_time``)
    and characters (stored ``chars``) per CPU second. What a worker does besides (its start, its folder, the pipe)
    is the difference between the workers' CPU in the ingest and this total. What the workers' fork server loads
    before it forks them (every reader's modules, the warmed tables: :mod:`sucai.preload`) is loaded first, untimed —
    the first PDF read here took 0.3 s of importing pdfplumber, which no worker pays."""
    for module in READER_MODULES:
        importlib.import_module(module)
    ingest.warm_up()
    modules = {module for module, _ in PARSE_STAGES}
    timers = {module: Stages(module, [name for m, name in PARSE_STAGES if m is module], time.process_time)
              for module in modules}
    total = pickling = unpickling = 0.0
    chars = 0
    for path in [path for path in files[::every] if not needs_converter(path)]:
        started = time.process_time()
        result = ingest._parse_job(ParseJob(path))
        parsed = time.process_time()
        sent = ForkingPickler.dumps(result)
        pickled = time.process_time()
        ForkingPickler.loads(sent)
        total, pickling, unpickling = (total + parsed - started, pickling + pickled - parsed,
                                       unpickling + time.process_time() - pickled)
        chars += result.doc.chars if isinstance(result, ingest.Parsed) else 0
    rows: dict[str, list] = {PARSE_TOTAL: [total, None]}
    for (module, name), (row, parent) in PARSE_STAGES.items():
        rows.setdefault(row, [0.0, parent or PARSE_TOTAL])[0] += timers[module].spent[name]
    for row, (seconds, parent) in list(rows.items()):
        if parent is not None:
            rows.setdefault(f"rest of {parent}", [rows[parent][0], parent])[0] -= seconds
    def row(label: str, seconds: float) -> list:
        return [label, seconds, f"{seconds / total:.0%}", chars / 1e6 / seconds if seconds > 0 else ""]

    table(["stage", "CPU s", "share", "M chars per CPU s"],
          [row("  " * depth + label, seconds) for depth, label, seconds in _nested(rows)]
          + [row("pickling the result (in the worker)", pickling),
             row("unpickling it (in the ingest's process)", unpickling)],
          title=f"A parse worker's CPU by stage: one file in {every} of the corpus, but those that need a converter, "
                f"parsed in this process ({chars / 1e6:.2f} M characters; shares of the parse)")


def _nested(rows: dict[str, list], parent: str | None = None, depth: int = 0) -> list[tuple[int, str, float]]:
    """``rows`` (row → [seconds, parent]) as a tree, depth first: (depth, row, seconds), each row before the rows
    inside it."""
    return [item for label, (seconds, above) in rows.items() if above == parent
            for item in [(depth, label, seconds), *_nested(rows, label, depth + 1)]]


def needs_converter(path: Path) -> bool:
    """Whether reading ``path`` takes an external converter: LibreOffice (.doc/.wps/.rtf/.odt by content), Tesseract
    (an image, or a PDF without a text layer: no character on any page, as PDFium reads it). A file the readers
    refuse needs none (the ingest skips it). A PDF that PDFium cannot open is told in a line and counted as
    needing one (the ingest would try OCR on it)."""
    try:
        fmt = detect_format(file_bytes(path), path.name)
    except ReadError:
        return False
    if fmt != "pdf":
        return fmt == "image" or fmt in OFFICE_FORMATS
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
        try:
            return not any(page.get_textpage().count_chars() for page in pdf)
        finally:
            pdf.close()
    except pypdfium2.PdfiumError as error:
        print(f"bench: PDFium 无法读取 {path}（{error}），当作需要 OCR 的文件，不计入")
        return True


def mirror(corpus: Path, paths: list[str], folder: Path, *, keep: bool) -> Path:
    """A mirror of ``corpus`` in ``folder`` (same folder and file names, hard links — copies on another file
    system: an ingest follows no symbolic link out of the folder it walks) with only the files of ``paths``
    (``keep``) or without them."""
    target_root = folder / corpus.name
    chosen = {str(Path(p).resolve()) for p in paths}
    for path in discover([corpus])[0]:
        if (str(path.resolve()) in chosen) == keep:
            target = target_root / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path.resolve(), target)
            except OSError:
                shutil.copy2(path, target)
    return target_root


def report(run: dict, label: str, base_chars: int, base_seconds: float) -> None:
    chars, docs, total = run["chars"], run["docs"], run["seconds"]
    parse_store = total - run["index"]
    table(
        ["step", "seconds", "docs/s", "M chars/s"],
        [
            ["ingest end to end", total, docs / total, chars / total / 1e6],
            ["  parse + store (waits for the workers)", parse_store, docs / parse_store, chars / parse_store / 1e6],
            ["  index commits and syncs (in ingest)", run["index"], docs / max(run["index"], 1e-9),
             chars / max(run["index"], 1e-9) / 1e6],
            ["reindex() alone", run["rebuild"], run["reindexed"] / run["rebuild"], chars / run["rebuild"] / 1e6],
            ["baseline: read + decode", base_seconds, 0.0, base_chars / base_seconds / 1e6],
        ],
        title=f"Ingest, {label}: {docs:,} documents, {chars / 1e6:.2f} M stored characters",
    )
    cpu, cores = run["cpu"], os.cpu_count() or 1
    threads = thread_split(run["memory"].threads)
    table(["thread of this process", "CPU s", "share", "M chars per CPU s"],
          [[role, seconds, f"{seconds / cpu[0]:.0%}", chars / 1e6 / seconds if seconds > 0 else ""]
           for role, seconds in [*threads.items(), ("ended between samples", cpu[0] - sum(threads.values()))]],
          title=f"CPU of this process by thread ({cpu[0]:,.1f} s; sampled from /proc every {run['memory'].interval} s)")
    idle = chars / max(sum(cpu) / cores, cpu[0])  # the rate if the work had the cores to itself
    print(f"CPU of the ingest: this process {cpu[0]:,.1f} s, parse workers and fork server {cpu[1]:,.1f} s "
          f"({chars / 1e6 / sum(cpu):.2f} M chars per CPU second); on {cores} idle cores that is "
          f"≈ {idle / 1e6:.2f} M chars/s (load average now {os.getloadavg()[0]:.1f})")
    memory = run["memory"]
    print(f"peak memory (sampled every {memory.interval} s): this process {memory.parent:,.0f} MB RSS, largest "
          f"worker {memory.worker:,.0f} MB RSS; the whole process tree {memory.tree_pss:,.0f} MB PSS "
          f"({memory.tree_rss:,.0f} MB summing RSS, which counts pages shared with the fork server in every "
          f"worker) vs target {TARGET_RSS_MB} MB")
    print("tree PSS peak by phase: " + ", ".join(f"{phase or 'start'} {pss:,.0f} MB"
                                                 for phase, pss in memory.phase_peaks.items())
          + "; this process's: " + ", ".join(f"{phase or 'start'} {pss:,.0f} MB" for phase, pss in memory.own_peaks.items())
          + f"; the index has {run['segments']} segments after the ingest")
    print(f"at the tree's peak ({memory.peak_phase or 'start'}), PSS MB (anonymous + file pages) by process: "
          + "; ".join(f"{role} {pss:,.0f} ({anon:,.0f} + {file:,.0f})" for role, pss, anon, file in memory.at_peak)
          + f"; the tree's anonymous memory alone peaked at {memory.tree_anon:,.0f} MB PSS")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in run["counts"].items()))
    rate = chars / total
    verdict = "meets" if rate >= TARGET_CHARS_PER_S else "BELOW"
    print(f"end to end {rate / 1e6:.2f} M chars/s vs target {TARGET_CHARS_PER_S / 1e6:.0f} M chars/s: {verdict} "
          f"({rate / TARGET_CHARS_PER_S:.2f}× target)")


def no_converter(corpus: Path, files: list[Path], args: argparse.Namespace) -> None:
    """``--no-converter``: the ingest of ``corpus``'s files that need no external converter, alone."""
    converted = [str(path) for path in files if needs_converter(path)]
    print(f"left out, read by an external converter (OCR, LibreOffice): {len(converted):,} files"
          + "".join(f"\n  {path}" for path in converted))
    with tempfile.TemporaryDirectory(prefix="sucai-bench-corpus-") as folder:
        part = mirror(corpus, converted, Path(folder), keep=False)
        kept = discover([part])[0]
        with Timer() as base:
            base_chars = read_and_decode(kept)
        print(f"baseline: read and decode {base_chars / 1e6:.2f} M characters of {len(kept):,} files")
        run = ingest_once(part, args.workers, args.home)
        report(run, "files that need no converter", base_chars, base.seconds)
    summarise([("files that need no converter", len(kept), run)])


def summarise(runs: list[tuple[str, int, dict]]) -> None:
    """The closing table: end-to-end rate of each run and the first run's peak memory, next to the targets (a
    later run's memory includes what the earlier ones left in this process, so it is not a figure of its own)."""
    table(["files", "count", "M chars", "seconds", "M chars/s", "target", "tree PSS MB", "target MB"],
          [[label, count, run["chars"] / 1e6, run["seconds"], run["chars"] / run["seconds"] / 1e6,
            f"≥ {TARGET_CHARS_PER_S / 1e6:.0f}", run["memory"].tree_pss if first else "(after run 1)", f"≤ {TARGET_RSS_MB}"]
           for first, (label, count, run) in zip([True] + [False] * len(runs), runs)],
          title=f"Ingest end to end by kind of file (load average now {os.getloadavg()[0]:.1f})")


def whole_corpus(corpus: Path, files: list[Path], args: argparse.Namespace) -> None:
    """The whole corpus, then (unless ``--whole-only``) the files with and without a converter apart, the closing
    table and the cleaning rates."""
    sample: list[str] = []
    with Timer() as base:
        base_chars = read_and_decode(files, sample)
    print(f"baseline: read and decode {base_chars / 1e6:.2f} M characters of {len(files):,} files")
    whole = ingest_once(corpus, args.workers, args.home)
    report(whole, "whole corpus (the issue's figure)", base_chars, base.seconds)
    runs = [("whole corpus", len(files), whole)]
    if whole["converted"] and not args.whole_only:
        # OCR and LibreOffice (not our code) may take a core for as long as the rest of the corpus takes:
        # the files without them show what our own pipeline does, the converted files what the converters do.
        print(f"\nread by an external converter (OCR, LibreOffice): {len(whole['converted']):,} files — "
              + ", ".join(Path(p).name for p in whole["converted"][:5]) + (" …" if len(whole["converted"]) > 5 else ""))
        for keep, label in ((False, "files that need no converter"), (True, "converted files (LibreOffice, Tesseract)")):
            with tempfile.TemporaryDirectory(prefix="sucai-bench-corpus-") as folder:
                part = mirror(corpus, whole["converted"], Path(folder), keep=keep)
                run = ingest_once(part, args.workers, None)
                report(run, label, base_chars, base.seconds)
                runs.append((label, len(discover([part])[0]), run))
        print("(this process's peak memory in the later runs includes what the earlier runs and their reindex() "
              "left allocated in it: the first run's is the one to read)")
    summarise(runs)
    print()
    clean_rates("\n".join(sample))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="folder to ingest (default ../shared/corpus)")
    parser.add_argument("--workers", type=int, default=None, help="parser processes (default: all cores)")
    parser.add_argument("--home", help="library home of the whole-corpus run, or of the --no-converter run (default: a temporary directory)")
    runs = parser.add_mutually_exclusive_group()
    runs.add_argument("--whole-only", action="store_true",
                      help="skip the runs of the files with and without an external converter")
    runs.add_argument("--no-converter", action="store_true",
                      help="only the files that need no LibreOffice or OCR (our own pipeline's throughput)")
    parser.add_argument("--parse-every", type=int, default=4, metavar="N",
                        help="a parse worker's CPU by stage, over every N-th file parsed here (default 4; 0: none)")
    args = parser.parse_args()
    corpus = Path(args.corpus) if args.corpus else corpus_dir()
    files, _ = discover([corpus])
    print(f"corpus {corpus} — {len(files):,} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB; "
          f"{os.cpu_count()} cores, workers={args.workers or os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    if args.no_converter:
        no_converter(corpus, files, args)
    else:
        whole_corpus(corpus, files, args)
    if args.parse_every:
        parse_split(files, args.parse_every)


if __name__ == "__main__":
    main()
