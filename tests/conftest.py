"""Shared test fixtures: the real corpus under ../shared, skipped with a clear message when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
SAMPLE = SHARED / "samples" / "sample_scraped_dui_zhao_jian_cha.txt"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"needs {path} (the shared test data beside the project); it is absent here")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return _need(CORPUS)


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return _need(SAMPLE)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty SUCAI_HOME for one test."""
    path = tmp_path / "home"
    monkeypatch.setenv("SUCAI_HOME", str(path))
    return path


SUBSET = ("state_council_policies_govcn", "gov_work_reports_hailaer_district", "mao_selected_works",
          "dangjian_site_articles", "cpc_20th_congress_report", "gov_work_reports_national_2024_2026",
          "laws_lawrefbook_national/经济法", "laws_lawrefbook_national/行政法")


@pytest.fixture(scope="session")
def subset_library(corpus_dir, tmp_path_factory):
    """A library of part of the corpus (about 3.5 M characters, with the doubled State Council notices and
    the two copies of the 海拉尔区 reports), ingested once per session: ``(library, summary)``."""
    from sucai.library import Library

    library = Library.open(tmp_path_factory.mktemp("subset-home"))
    summary = library.ingest([corpus_dir / part for part in SUBSET])
    yield library, summary
    library.close()


@pytest.fixture
def cli(capsys, home):
    """Run ``sucai args`` in this process through the real entry (:func:`sucai.cli.run`), with ``home`` as
    SUCAI_HOME; returns (exit status, stdout, stderr)."""
    from sucai.cli import run

    def invoke(*args: str) -> tuple[int, str, str]:
        status = run(list(args))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return invoke
