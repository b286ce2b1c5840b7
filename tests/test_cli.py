"""The command line on bad input: one clear line, never a traceback; settings validated."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sucai.config import load_settings
from sucai.errors import InvalidInput
from sucai.library import Library
from sucai.search import SearchRequest


def sucai(home, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sucai", *args], capture_output=True, text=True,
                          env={**os.environ, "SUCAI_HOME": str(home), **(env or {})})


@pytest.fixture
def sample_home(home, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("关于加强作风建设的通知\n一、总体要求\n坚持问题导向，担当作为。\n", encoding="utf-8")
    assert sucai(home, "ingest", str(source)).returncode == 0
    return home


@pytest.mark.parametrize("args, message", [
    (["search", "担当", "--page", "99999999999999999999"], "page"),
    (["search", "担当", "--year", "-1"], "年份"),
    (["search", "担当", "--limit", "0"], "limit"),
    (["search", "担当", "--heading", "总体"], "段落"),
])
def test_out_of_range_search_options_are_read_leniently(sample_home, args, message):
    result = sucai(sample_home, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and message in result.stderr


@pytest.mark.parametrize("args, message", [
    (["export", "1", "-o", "/nonexistent/dir/x.docx"], "无法写入"),
    (["export", "--query", "不存在的词语组合", "--mode", "precise", "--zip", "-o", "z.zip"], "没有符合条件的文档"),
    (["show", "99"], "没有编号为 99 的文档"),
])
def test_failures_are_one_line(sample_home, args, message):
    result = sucai(sample_home, *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and message in result.stderr


def test_export_into_a_folder(sample_home, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    assert sucai(sample_home, "export", "1", "--format", "md", "-o", str(folder)).returncode == 0
    assert [p.name for p in folder.iterdir()] == ["关于加强作风建设的通知.md"]


def test_home_that_is_a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    result = sucai(path, "list")
    assert result.returncode == 1 and "数据目录" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("toml, env", [
    ('snippet_chars = "abc"\n', {}),
    ("", {"SUCAI_SNIPPET_CHARS": "-5"}),
    ("", {"SUCAI_MAX_PAGE_SIZE": "0"}),
    ("no_such_setting = 1\n", {}),
])
def test_bad_settings_are_refused(tmp_path, monkeypatch, toml, env):
    (tmp_path / "sucai.toml").write_text(toml, encoding="utf-8")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path)
    assert caught.value.code == "bad_settings"


def test_search_request_sanitised_with_warnings(sample_home):
    library = Library.open(sample_home)
    result = library.search(SearchRequest(q="担当", limit=10_000, page=0, year=-3), member=True)
    assert (result.limit, result.page, result.total) == (100, 1, 1)
    assert len(result.warnings) == 3


def test_ingest_source_list_notes_genres_and_show(home, tmp_path):
    """`--source` fills the 来源 of files that name none; equal titles in `list` carry issuer and year;
    `genres` lists the taxonomy; `show` says where the date came from."""
    source = tmp_path / "in"
    source.mkdir()
    for year in (2023, 2024):
        (source / f"{year}.txt").write_text(f"政府工作报告\n——{year}年2月1日在某县人民代表大会上\n各位代表：\n现在，我代表县政府作报告。\n",
                                            encoding="utf-8")
    (source / "c.txt").write_text("关于某事的通知\n国办发〔2018〕127号\n各省人民政府：\n请认真落实。\n", encoding="utf-8")
    assert sucai(home, "ingest", str(source), "--source", "某县融媒体中心").returncode == 0
    listed = sucai(home, "list", env={"COLUMNS": "300"}).stdout
    assert "政府工作报告（某县融媒体中心 · 2023）" in listed and "政府工作报告（某县融媒体中心 · 2024）" in listed
    assert "国务院办公厅" in listed
    genres = sucai(home, "genres", env={"COLUMNS": "300"}).stdout
    assert "法定公文" in genres and "通知" in genres and "事务文书" not in genres
    assert "事务文书" in sucai(home, "genres", "--all", env={"COLUMNS": "300"}).stdout
    shown = sucai(home, "show", "1", env={"COLUMNS": "300"}).stdout
    assert "2023-02-01（据题注）" in shown and "某县融媒体中心（据入库指定）" in shown
