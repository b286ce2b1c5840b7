"""Compare what two versions of sucai derive from the same files: the parse of this checkout against a git ref's.

Run from the project root: ``python scripts/compare_parse.py [--base REF] [--every N] [--corpus DIR]``
(``--base``: where this branch left main unless given).
Each version parses every ``N``-th file of the corpus (default: every file of ../shared/corpus) in a
process of its own, exactly as an ingest's parse worker does (:func:`sucai.ingest._parse_job`: read,
clean, outline, elements, metadata, then the text hash, the near-duplicate sketch and the index
tokens), and writes one digest per derived field and file: the document's text, title, 文种, dates,
文号, 来源, members span, outline, elements, removals and evidence, the text hash, the shingles and
MinHash signature, the index entry made with the worker's tokens (查重 fingerprints included) — or
the outcome of a file that is not parsed. The base version is ``git archive``'d into a temporary folder and imported
from there with this checkout's virtual environment. Prints the files and fields that differ and
exits 1 when any does, 0 when every field of every file is the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def digests(corpus: Path, every: int) -> dict[str, dict[str, str]]:
    """File (relative to ``corpus``) → derived field → SHA-256 of its JSON form, by the ``sucai`` imported here."""
    import sucai
    from sucai.ingest import ParseJob, Parsed, _parse_job, discover, warm_up

    warm_up()
    files, _ = discover([corpus])
    out, started = {}, time.process_time()
    for path in files[::every]:
        result = _parse_job(ParseJob(path))
        fields = _fields(result) if isinstance(result, Parsed) else {"outcome": list(result)}
        out[str(path.relative_to(corpus))] = {name: digest(value) for name, value in fields.items()}
    print(f"{sucai.__file__}: {len(out)} files, {time.process_time() - started:.1f} CPU s", file=sys.stderr)
    return out


def _fields(parsed) -> dict:
    """Every field of a parsed document and of what its worker derived from it, as JSON-ready values."""
    doc = parsed.doc
    fields = {name: value for name, value in vars(doc).items() if name not in ("outline", "elements", "removed", "evidence")}
    fields.update(
        outline=[node.to_dict() for node in doc.outline],
        elements=[element.to_dict() for element in doc.elements],
        removed=[[removal.rule, removal.text] for removal in doc.removed],
        evidence=[e.to_dict() for e in doc.evidence],
        text_hash=parsed.text_hash,
        shingles=parsed.sketch.shingles.tobytes().hex(),
        signature=parsed.sketch.signature.hex(),
        entry=_index_entry(parsed),
    )
    return fields


def _index_entry(parsed) -> dict:
    """The index entry made with the worker's tokens (:func:`sucai.index.index_fields`), whatever the shape of
    ``parsed.tokens`` in the version compared (a dict of texts, or ``index.Prepared`` with titles and headings)."""
    from dataclasses import replace

    from sucai import index

    return index.index_fields(replace(parsed.doc, id=0), parsed.tokens)


def digest(value) -> str:
    """SHA-256 of ``value``'s JSON form (bytes as hex)."""
    if isinstance(value, (bytes, memoryview)):
        value = bytes(value).hex()
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def export(ref: str, folder: Path) -> Path:
    """The ``sucai`` package of git ``ref``, extracted under ``folder``."""
    archive = folder / "base.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), ref, "sucai"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "base", filter="data")
    return folder / "base"


def run_digests(module: str, source: Path, corpus: Path, every: int) -> dict:
    """``module.digests(corpus, every)`` (``module``: a script of this folder) computed in a new process that
    imports ``sucai`` from ``source``; exits when that process fails."""
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONSAFEPATH": "1"}
    code = (f"import sys, json, pathlib; sys.path.insert(0, {str(REPO / 'scripts')!r}); import {module}; "
            f"json.dump({module}.digests(pathlib.Path({str(corpus)!r}), {every}), sys.stdout)")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    sys.stderr.write(done.stderr[-4000:])
    if done.returncode:
        sys.exit(f"{module}: the run with {source} failed (exit {done.returncode})")
    return json.loads(done.stdout)


def add_base(parser: argparse.ArgumentParser) -> None:
    """``--base REF``, defaulting to where this checkout's branch left main (``git merge-base HEAD main``): a branch
    is compared with what it started from, not with what main has gained since (main itself: with HEAD)."""
    fork = subprocess.run(["git", "-C", str(REPO), "merge-base", "HEAD", "main"],
                          capture_output=True, text=True, check=False).stdout.strip() or "main"
    parser.add_argument("--base", default=fork, help=f"git ref to compare with (default {fork[:12]}, "
                        "where this branch left main)")


def base_and_new(module: str, default_every: int) -> tuple[str, dict, dict]:
    """Parse the command line of ``module`` (``--base``, ``--every``, ``--corpus``) and compute its digests with
    the base ref's package and with this checkout's: (base ref, base digests, new digests)."""
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__.splitlines()[0])
    add_base(parser)
    parser.add_argument("--every", type=int, default=default_every,
                        help=f"take every N-th file (default {default_every})")
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"), help="folder of files")
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        sys.exit(f"{module}: {corpus} not found (the shared corpus beside the project)")
    with tempfile.TemporaryDirectory(prefix="sucai-compare-") as tmp:
        base = run_digests(module, export(args.base, Path(tmp)), corpus, args.every)
    return args.base, base, run_digests(module, REPO, corpus, args.every)


def compare_library(module: str, what: str) -> None:
    """The command line of ``module``, a script comparing a library's searches (``--home``, ``--base``,
    ``--queries``): ``module.digests(home, queries)`` computed with the base ref's package and with this checkout's,
    each key that differs printed (the first 50) and counted as ``what``; exits 1 when any differs, else 0."""
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="the library's data directory")
    add_base(parser)
    parser.add_argument("--queries", type=int, default=100, help="queries drawn from the library (default 100)")
    args = parser.parse_args()
    home = Path(args.home).resolve()
    with tempfile.TemporaryDirectory(prefix="sucai-compare-") as tmp:
        base = run_digests(module, export(args.base, Path(tmp)), home, args.queries)
    new = run_digests(module, REPO, home, args.queries)
    differ = sorted(key for key in base.keys() | new.keys() if base.get(key) != new.get(key))
    for key in differ[:50]:
        print(f"DIFFERS {key}")
    print(f"{len(new)} {what} compared with {args.base}: {len(differ)} differ")
    sys.exit(1 if differ else 0)


def main() -> None:
    ref, base, new = base_and_new("compare_parse", 1)
    differ = 0
    for name in sorted(base.keys() | new.keys()):
        fields = base.get(name, {}), new.get(name, {})
        changed = sorted(f for f in fields[0].keys() | fields[1].keys() if fields[0].get(f) != fields[1].get(f))
        if changed:
            differ += 1
            print(f"DIFFERS {name}: {', '.join(changed)}")
    field_count = sum(len(v) for v in new.values())
    print(f"{len(new)} files, {field_count} fields compared with {ref}: {differ} files differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
