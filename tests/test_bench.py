"""The benchmark scripts run to the end on small inputs (their figures are not checked here)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from sucai.ingest import parse_file
from sucai.library import Library
from sucai.model import walk_outline


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



@pytest.mark.corpus
def test_search_cpu_bench_splits_both_ways_of_each_tier(corpus_dir, tmp_path):
    """bench/search_cpu.py times every stage of a search and the search with its hits in memory, for a member and a
    visitor, on the library bench/search.py built; a library of other arguments is refused, not measured — and
    bench/search.py does not search it as its own either (it took it for its own by the number of documents)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONSAFEPATH"}   # as above
    home = str(tmp_path / "home")
    build = subprocess.run([sys.executable, "bench/search.py", "--chars", "30000", "--queries", "4", "--check", "4",
                            "--section-queries", "0", "--no-facets-only", "--home", home],
                           cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert build.returncode == 0, build.stderr
    runs = {chars: subprocess.run([sys.executable, "bench/search_cpu.py", "--chars", chars, "--queries", "4",
                                   "--home", home], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
            for chars in ("30000", "40000")}
    assert runs["30000"].returncode == 0, runs["30000"].stderr
    lines = runs["30000"].stdout.split("CPU p50 ms of each stage over 4 queries", 1)[1].splitlines()[3:7]
    assert [line.split("  ")[0] for line in lines] == [f"{tier}: {way}" for tier in ("member", "visitor")
                                                      for way in ("search", "hits in memory")]
    assert runs["40000"].returncode != 0 and "does not hold the library" in runs["40000"].stderr
    again = subprocess.run([sys.executable, "bench/search.py", "--chars", "40000", "--queries", "4", "--check", "4",
                            "--section-queries", "0", "--no-facets-only", "--home", home],
                           cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    # as many documents as the library of 30,000 characters holds, not the same: not taken for it (it was, by the count)
    assert again.returncode == 0 and "reusing the library" not in again.stdout, again.stderr

def test_relevance_bench_stores_a_file_with_its_outline(home, tmp_path, monkeypatch, capsys):
    """``build`` of bench/relevance.py stores a file's document with the outline an ingest finds in it (phase 18
    stored title and text only: the heading clauses of ranked mode matched nothing), a passage with none when its
    text has no heading, and says how many have one."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    relevance = importlib.import_module("relevance")
    path = tmp_path / "关于减轻基层负担的通知.txt"
    path.write_text("关于减轻基层负担的通知\n\n一、总体要求\n坚持问题导向，务求实效。\n二、主要任务\n"
                    "（一）精简会议文件\n会议能合并的合并。\n（二）规范督查检查\n严控督查检查总量。\n", encoding="utf-8")
    doc = parse_file(path)
    docs = [{"_id": "通知.txt", "title": doc.title, "text": doc.text, "doc": doc},
            {"_id": "passage", "title": "失范", "text": "失范是社会学术语，指社会规范遭到削弱所导致的无序状态。"}]
    library = Library.open(home)
    back = relevance.build(library, docs)
    stored = {ids[0]: library.get(doc_id) for doc_id, ids in back.items()}
    library.close()
    assert [n.heading for n in walk_outline(stored["通知.txt"].outline)] == [
        "总体要求", "主要任务", "精简会议文件", "规范督查检查"]
    assert stored["passage"].outline == []
    assert "1 of 2 documents have an outline (提纲), 1 with headings" in capsys.readouterr().out


def test_hostile_bench_times_every_stage_of_every_input():
    """bench/hostile.py makes each hostile input at each size and times each stage of it: a row per input and stage,
    with a time per size; a .docx deflated past the zip-bomb ratio would have been refused unread (no row but read)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONSAFEPATH"}
    run = subprocess.run([sys.executable, "bench/hostile.py", "--sizes", "2,4", "--only", "md_brackets,docx_runs"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    rows = [line.split()[:2] for line in run.stdout.splitlines()[2:]]
    stages = ["read", "clean", "analyse", "parsed"]
    assert rows == [["md_brackets", stage] for stage in [*stages, "written", "check"]] + \
        [["docx_runs", stage] for stage in [*stages, "check"]]


def test_the_ingest_bench_without_converters_leaves_out_what_libreoffice_or_ocr_reads(tmp_path, monkeypatch, capsys):
    """``bench/ingest.py --no-converter`` leaves out an RTF (LibreOffice), an image and a PDF without a text layer
    (Tesseract), and a PDF that PDFium cannot open — told in one plain line, not a traceback —; a text file and a
    PDF with a text layer stay."""
    from PIL import Image

    from fixtures import image_bytes, make_cjk_pdf

    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    bench = importlib.import_module("ingest")
    files = {"通知.txt": "关于做好工作的通知\n现将有关事项通知如下。".encode(), "旧文件.rtf": b"{\\rtf1\\ansi x}",
             "图片.png": image_bytes(Image.new("L", (20, 20), 255)),
             "扫描件.pdf": image_bytes(Image.new("L", (200, 200), 255), "PDF"),
             "文字版.pdf": make_cjk_pdf([[(72, 700, "基层减负")]]), "损坏.pdf": b"%PDF-1.4\n" + bytes(200)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    needs = {name: bench.needs_converter(tmp_path / name) for name in files}
    assert needs == {"通知.txt": False, "旧文件.rtf": True, "图片.png": True, "扫描件.pdf": True, "文字版.pdf": False,
                     "损坏.pdf": True}
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(f"bench: PDFium 无法读取 {tmp_path / '损坏.pdf'}（") and "Traceback" not in out


_WAITING_BENCH = """import pathlib, sys, time
sys.path.insert(0, "bench")
import _common
pathlib.Path(sys.argv[1]).touch()
time.sleep(60)
"""


def test_a_benchmark_stopped_by_ctrl_c_says_so_in_one_chinese_line(tmp_path):
    """ops27: `make bench` stopped by Ctrl+C ended with Python's traceback of the benchmark running (「Traceback (most
    recent call last): … KeyboardInterrupt」). A benchmark (each imports bench/_common.py) says 「已中断。」 alone, and
    still dies by the SIGINT, which `make bench` takes for a run stopped."""
    import signal
    import time

    started = tmp_path / "started"
    env = {name: value for name, value in os.environ.items() if name != "PYTHONSAFEPATH"}   # as the tests above
    run = subprocess.Popen([sys.executable, "-c", _WAITING_BENCH, str(started)], cwd=ROOT, stderr=subprocess.PIPE,
                           text=True, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120   # ends a hang only
        while not started.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        run.send_signal(signal.SIGINT)
        _, said = run.communicate(timeout=60)
    finally:
        run.kill()
    assert (run.returncode, said) == (-signal.SIGINT, "\n已中断。\n")
