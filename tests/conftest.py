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
