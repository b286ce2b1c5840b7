"""The benchmark scripts run to the end on small inputs (their figures are not checked here)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT


def table_rows(output: str) -> list[str]:
    """The first cell of each row of the latency table of ``bench/search.py``."""
    lines = output.split("Latency over", 1)[1].splitlines()[3:]   # past the title, header and rule
    end = next(n for n, line in enumerate(lines) if line.startswith("targets:"))
    return [line.split("  ")[0] for line in lines[:end]]


@pytest.mark.corpus
def test_search_bench_times_section_scope_only_when_asked(corpus_dir, tmp_path):
    """``--section-queries 0`` leaves the section rows out (it divided by zero); 2 times both modes."""
    # the script imports from its own folder (bench/_common.py): not under PYTHONSAFEPATH, which an ingest of an
    # earlier test sets in this process for its workers (sucai.budget)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONSAFEPATH"}
    rows = {}
    for sections in (0, 2):
        run = subprocess.run([sys.executable, "bench/search.py", "--chars", "30000", "--queries", "10", "--check", "10",
                              "--section-queries", str(sections), "--home", str(tmp_path / "home")],
                             cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
        assert run.returncode == 0, run.stderr
        assert "correctness: 0 mismatches in 10 precise totals" in run.stdout
        rows[sections] = table_rows(run.stdout)
    documents = ["precise", "ranked", "precise", "ranked", "ranked, repeated (result cache)", "brute-force scan"]
    assert rows[0] == documents
    assert rows[2] == documents[:4] + ["precise section", "ranked section"] + documents[4:]
