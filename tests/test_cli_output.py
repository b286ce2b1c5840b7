"""Issue 11 #10: terminal escape sequences in file names and HTML titles never reach the terminal.

A hostile file name or page title can carry ESC/CSI/OSC sequences (clear the screen, set the
window title, recolour, hide text) or bidi overrides. They are stripped when a document is stored,
and every CLI line built from stored or user-given text replaces them on output.
"""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from sqlalchemy import text

from sucai.cli import app as cli_app
from sucai.library import Library

HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202e"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli_app, list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def test_escape_sequences_from_file_names_and_titles_never_reach_the_terminal(home, tmp_path):
    folder = tmp_path / "下载"
    folder.mkdir()
    (folder / f"{HOSTILE}关于做好防汛工作的通知.txt").write_text(
        "各单位：请立即组织力量排查隐患，确保安全度汛，防汛值班不得脱岗。\n", encoding="utf-8")
    (folder / "页面.html").write_text(
        f"<html><head><title>{HOSTILE}关于开展安全生产检查的通知</title></head><body>"
        f"<h1>{HOSTILE}关于开展安全生产检查的通知</h1><p>各单位要认真开展安全生产大检查，"
        "全面排查整治各类风险隐患，切实落实安全生产责任制。</p></body></html>", encoding="utf-8")
    outputs = [run("ingest", str(folder), "--home", str(home)), run("list", "--home", str(home)),
               run("stats", "--home", str(home)),
               run("search", "通知", "--home", str(home)), run("search", "安全", "--mode", "precise", "--home", str(home))]
    library = Library.open(home)
    rows = library.catalogue.summaries()
    assert len(rows) == 2
    for row in rows:
        doc = library.get(row["id"])
        for value in (doc.title, doc.source_path, doc.genre, doc.source or "", doc.text):
            assert not UNSAFE.search(value), value
        outputs.append(run("show", str(row["id"]), "--home", str(home)))
    titles = sorted(row["title"] for row in rows)
    assert any("防汛" in t for t in titles) and any("安全生产" in t for t in titles)
    for output in outputs:
        assert not UNSAFE.search(output), output
    assert json.loads(run("list", "--json", "--home", str(home)))[0]["title"] == rows[0]["title"]


def test_output_replaces_what_an_older_library_stored(home):
    """A library written before the fix may hold control characters in a title: the CLI still shows none."""
    library = Library.open(home)
    from sucai.model import Document
    from sucai.dedupe import text_hash

    doc = Document(title="旧标题", text="旧库中的一篇文档，标题里藏着控制字符。")
    status, doc_id = library.catalogue.add(doc, text_hash(doc), "/old/file.txt", "x")
    with library.catalogue.transaction() as db:        # what an older version may have stored
        db.execute(text("UPDATE documents SET title = :title WHERE id = :id"), {"title": f"旧{HOSTILE}标题", "id": doc_id})
    for output in (run("list", "--home", str(home)), run("show", str(doc_id), "--home", str(home))):
        assert not UNSAFE.search(output) and "旧" in output and "标题" in output


def test_every_log_line_an_operator_sees_is_chinese():
    """``sucai watch`` and ``sucai serve`` show sucai's log from INFO up on standard error (watch.log_to_stderr):
    each such message sucai writes holds Chinese (review 16a: 「skipped …: No /Root object!」, 「failed to store …」);
    the reading libraries' own words go to DEBUG only."""
    import ast
    from pathlib import Path

    import sucai

    english = []
    for path in Path(sucai.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("info", "warning", "error", "exception", "critical")
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "log"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and not re.search("[\u4e00-\u9fff]", node.args[0].value)):
                english.append(f"{path.name}:{node.lineno} {node.args[0].value}")
    assert english == []


# Every class of code point a terminal may act on, or that rewrites a line: C1 controls (U+009B is a CSI), DEL,
# bidi embeddings, overrides and isolates, other format characters (a soft hyphen, zero-width ones, a BOM, a tag
# character beyond the BMP), the line and paragraph separators, and a lone surrogate (a file name not in UTF-8)
ACTIVE = "\x7f\x85\x9b\u202a\u202e\u2066\u2069\u200b\u200f\u00ad\u061c\ufeff\U000e0001\u2028\u2029\udcff"


def _active_in(output: str) -> list[str]:
    """The code points of ``output`` a terminal could act on (by Unicode's categories: the oracle), but JSON's own
    line breaks."""
    import unicodedata

    return [f"U+{ord(c):04X}" for c in output if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


def test_json_output_escapes_what_a_terminal_would_act_on_and_keeps_the_data(capsys):
    """``--json`` wrote a file name's U+009B (CSI) and U+202E raw (json19): each such code point is now written as
    a ``\\uXXXX`` escape (a pair beyond the BMP), Chinese as it is, and the JSON read back is the data, exactly."""
    from sucai.cli.common import print_json

    data = {"title": f"关于{ACTIVE}的通知", ACTIVE: [ACTIVE, "\x1b[2J", 1, None], "字数": "一二三"}
    print_json(data)
    output = capsys.readouterr().out
    assert _active_in(output) == []
    assert json.loads(output) == data
    assert '"字数": "一二三"' in output and "\\u009b" in output and "\\u202e" in output and "\\udb40\\udc01" in output


def test_ingest_json_escapes_a_hostile_file_name(home, tmp_path):
    folder = tmp_path / "下载"
    folder.mkdir()
    name = "\x9b31m\u202e坏fdp.pdf"
    (folder / name).write_bytes(b"not a pdf")
    output = CliRunner().invoke(cli_app, ["ingest", str(folder), "--json", "--home", str(home)]).stdout
    assert _active_in(output) == []
    (entry,) = json.loads(output)["files"]
    assert entry["path"] == str(folder / name) and entry["status"] == "skipped"
