"""Ingest end to end: files → catalogue → index → search, through the CLI where users go.

Covers the sample's expected values (issue 2), cases B12, B16, B18, B19 through the
whole pipeline, duplicates, re-runs, bad files, and a kill in the middle of an ingest.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tantivy
from click.testing import CliRunner
from sqlalchemy import text as sql

import sucai.ingest
from sucai.counting import count_chars
from sucai import analysis, dedupe
from sucai.cli import ExitCode, app
from sucai.config import load_settings
from sucai.index import SCHEMA
from sucai.ingest import path_text
from sucai.library import Library
from sucai.model import Document
from sucai.search import SearchRequest
from sucai.store import Catalogue

from fixtures import add_numbering, docx_bytes, image_bytes, make_cjk_pdf, new_document, number_paragraph, render_page
from test_formats import SCAN_LINES, needs_font, needs_tesseract

runner = CliRunner()


def cli(*args: str, status: int = ExitCode.OK) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == status, result.output
    return result.stdout


def precise(library: Library, q: str) -> list[int]:
    return sorted(h.id for h in library.search(SearchRequest(q=q, mode="precise", limit=100), member=True).hits)


def test_sample_through_the_cli(home, sample_path):
    summary = json.loads(cli("ingest", str(sample_path), "--json"))
    assert summary["counts"]["ingested"] == 1
    [row] = json.loads(cli("list", "--json"))
    doc = json.loads(cli("show", str(row["id"]), "--json"))
    assert doc["title"] == "某市财政局纪委党支部2023年专题组织生活会对照检查材料"
    assert doc["declared_chars"] == 5350
    assert doc["genre"] == "对照检查材料"
    assert doc["chars"] == len(re.sub(r"\s", "", doc["text"])) < len(doc["text"])   # 字数: no white space
    assert [n["heading"] for n in doc["outline"]] == ["主要问题", "问题根源", "下步打算"]
    assert [n["heading"] for n in doc["outline"][0]["children"]] == [
        "理论学习方面", "政治素质方面", "能力本领方面", "担当作为方面", "工作作风方面", "廉洁自律方面"]
    assert doc["text"][doc["paid_from"]:].startswith("（四）担当作为方面")   # its label goes with it (text17)
    assert doc["text"].rstrip().endswith("切实推动第一责任人责任、“一岗双责”和党员干部责任落到实处。")
    assert "形成求真务实的工作作风。\n" in doc["text"]
    for trace in ("墨林", "公众号", "客服", "paidbegin", "paidend", "##"):
        assert trace not in doc["text"]
    assert {r["rule"] for r in doc["removed"]}
    for node in doc["outline"]:
        assert doc["text"][node["start"]:].startswith(node["label"])


def test_sample_free_view_hides_the_members_part(home, sample_path):
    cli("ingest", str(sample_path))
    library = Library.open(home)
    full = next(library.catalogue.documents())
    secret = full.text[full.paid_from:]
    free = json.loads(cli("show", str(full.id), "--json", "--free"))
    assert free["text"] == full.text[: full.paid_from]
    assert free["notice"] == f"会员可见全文（剩余 {count_chars(secret)} 字）"
    shown = cli("search", "担当作为", "--free", "--scope", "section") + cli("show", str(full.id), "--free")
    shown = shown.replace("\n", "")  # the terminal table wraps lines
    visible = full.title + full.text[: full.paid_from]
    windows = {secret[i : i + 6] for i in range(len(secret) - 5)} - {visible[i : i + 6] for i in range(len(visible))}
    assert len(windows) > 1000
    assert not [w for w in windows if w in shown]


def test_bom_text_b12(home, tmp_path):
    path = tmp_path / "考核.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "关于做好年度考核工作的通知\n正文……".encode())
    cli("ingest", str(path))
    library = Library.open(home)
    [hit] = library.search(SearchRequest(q="年度考核", mode="precise"), member=True).hits
    assert hit.title == "关于做好年度考核工作的通知" and "\ufeff" not in hit.title
    assert [hit.title[a:b] for a, b in hit.title_highlights] == ["年度考核"]


def test_pdf_with_split_han_b16(home, tmp_path):
    path = tmp_path / "标准.pdf"
    path.write_bytes(make_cjk_pdf([[(72, 720, "农业用水定额标准"), (72, 700, "农业用"), (114, 700, "水定额 DB41/T 958—2020")]]))
    cli("ingest", str(path))
    library = Library.open(home)
    [doc] = library.catalogue.documents()
    assert "农业用水定额DB41/T 958—2020" in doc.text  # the space in DB41/T 958 is kept (B16), the Han/Latin gap goes (B31)
    assert precise(library, "用水定额") == [doc.id]


def test_docx_numbering_b18(home, tmp_path):
    document = new_document()
    add_numbering(document, 70, [("chineseCounting", "%1、"), ("chineseCounting", "（%2）")], 71)
    document.add_paragraph("关于加强作风建设的实施方案")
    for text, level in (("总体要求", 0), ("工作目标", 1), ("主要任务", 0)):
        number_paragraph(document.add_paragraph(text), 71, level)
        document.add_paragraph("围绕中心工作，压实各方责任。")
    path = tmp_path / "方案.docx"
    path.write_bytes(docx_bytes(document))
    cli("ingest", str(path))
    library = Library.open(home)
    [doc] = library.catalogue.documents()
    assert "一、总体要求" in doc.text and "（一）工作目标" in doc.text and "二、主要任务" in doc.text
    assert [(n.label, n.heading, n.level) for n in doc.outline] == [("一、", "总体要求", 1), ("二、", "主要任务", 1)]
    assert [(n.label, n.level) for n in doc.outline[0].children] == [("（一）", 2)]
    assert precise(library, "（一）工作目标") == [doc.id]


def test_gbk_utf16_and_gb2312_html_b19(home, tmp_path):
    text = "关于印发会议纪要的通知\n各单位：现将会议纪要印发给你们，请认真贯彻落实。"
    (tmp_path / "a.txt").write_bytes(text.encode("gbk"))
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe" + text.replace("各单位", "各部门").encode("utf-16-le"))
    html = ("<html><head><meta charset=gb2312><title>会议纪要</title></head><body><article>"
            "<p>关于印发会议纪要的通知</p><p>各科室：这次会议很囧，但会议纪要要认真落实。</p></article></body></html>")
    (tmp_path / "c.html").write_bytes(html.encode("gb18030"))
    summary = json.loads(cli("ingest", str(tmp_path), "--json"))
    assert summary["counts"]["ingested"] == 3, summary
    library = Library.open(home)
    docs = list(library.catalogue.documents())
    assert all("\ufffd" not in d.text for d in docs)
    # a.txt and b.txt differ in one word: near-duplicates, one result with the other as its version
    hits = library.search(SearchRequest(q="会议纪要", mode="precise", limit=100), member=True).hits
    assert sorted([h.id for h in hits] + [v for h in hits for v in h.other_versions]) == [1, 2, 3]
    assert len(hits) == 2
    assert len(precise(library, "囧")) == 1


def test_file_names_in_gbk_as_a_windows_zip_unpacks_them(home, tmp_path):
    """Unzipped on Linux, a zip made on Chinese Windows gives file and folder names in GBK bytes, which Python
    spells with lone surrogates: they were a crash of the whole ingest (exit 1, nothing stored). Each name is read
    as GB18030 for what is stored — the path, the title and 来源 from the name and folder —, and a --source
    with an undecodable byte keeps U+FFFD in its place."""
    inbox = os.fsencode(tmp_path / "inbox")
    folder = os.path.join(inbox, "某县水利局".encode("gbk"))
    try:
        os.makedirs(folder)
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    with open(os.path.join(folder, "关于做好防汛工作的通知.txt".encode("gbk")), "wb") as handle:
        handle.write("各单位要认真做好今年的防汛工作，确保安全度汛。\n".encode("utf-8"))
    with open(os.path.join(inbox, "说明.txt".encode("gbk")), "wb") as handle:
        handle.write("请各单位按时报送有关材料，不得迟报漏报。\n".encode("utf-8"))
    library = Library.open(home)
    summary = library.ingest([Path(os.fsdecode(inbox))], workers=1, source="来源\udcff")
    assert [o.status for o in summary.outcomes] == ["ingested", "ingested"], summary.outcomes
    docs = {d.title: d for d in library.catalogue.documents()}
    notice = docs["关于做好防汛工作的通知"]
    assert notice.source == "某县水利局"
    assert notice.source_path == str(tmp_path / "inbox" / "某县水利局" / "关于做好防汛工作的通知.txt")
    assert docs["说明"].source == "来源\ufffd"
    again = library.ingest([Path(os.fsdecode(inbox))], workers=1)
    assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"]
    with open(os.path.join(folder, "坏的.docx".encode("gbk")), "wb") as handle:   # the end table names it
        handle.write(b"not a zip")
    said = subprocess.run([sys.executable, "-m", "sucai", "ingest", os.fsdecode(inbox)], capture_output=True,
                          env={**os.environ, "SUCAI_HOME": str(home), "COLUMNS": "200"})
    shown = said.stdout.decode() + said.stderr.decode()
    assert said.returncode == ExitCode.PARTIAL and "某县水利局/坏的.docx" in shown, shown
    as_json = subprocess.run([sys.executable, "-m", "sucai", "ingest", "--json", os.fsdecode(inbox)],
                             capture_output=True, env={**os.environ, "SUCAI_HOME": str(home)})
    [refused] = [f for f in json.loads(as_json.stdout.decode("utf-8"))["files"] if f["status"] != "unchanged"]
    assert refused["path"] == str(tmp_path / "inbox" / "某县水利局" / "坏的.docx")
    assert "当前：某县水利局/坏的.docx" in shown and "\\udc" not in shown, shown   # the progress line


def test_files_whose_names_read_alike_keep_records_of_their_own(home, tmp_path):
    """Two files of a folder whose names read as the same text — 你好.txt in GBK bytes beside 你好.txt in UTF-8, two
    names whose bytes no codec reads (U+FFFD each) — are two files: each has its own record, so a second run finds
    all four unchanged. They shared one record (the path as text): the second stored took the first's, and every run
    after read both again and called each 重复 of the other, the records flipping between them (attack 20)."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    texts = {"你好.txt".encode("gbk"): "关于甲事项的通知\n各单位：现就甲事项通知如下，请认真贯彻落实。\n",
             "你好.txt".encode(): "关于乙工作的报告\n一、基本情况\n乙工作进展顺利，成效明显，群众满意。\n",
             b"\xff\xfe.txt": "关于丙安排的函\n丙安排如下，请研究后函复。\n",
             b"\xff\xfd.txt": "关于丁会议的纪要\n丁会议研究了有关事项，议定如下。\n"}
    try:
        for name, text in texts.items():
            with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
                handle.write(text.encode())
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    library = Library.open(home)
    first = library.ingest([folder], workers=1)
    assert sorted(o.status for o in first.outcomes) == ["ingested"] * 4, first.outcomes
    again = library.ingest([folder], workers=1)
    assert [o.status for o in again.outcomes] == ["unchanged"] * 4, again.outcomes
    titles = {doc.id: doc.title for doc in library.catalogue.documents()}
    assert sorted(titles[o.doc_id] for o in again.outcomes) == sorted(t.split("\n")[0] for t in texts.values())


def test_a_gbk_name_recorded_by_its_text_alone_is_unchanged(home, tmp_path):
    """A library whose ingest recorded a name not in UTF-8 under its text alone (before file_key told names that
    read alike apart) finds the file unchanged, not 重复 of its own document, as long as its bytes are."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    name = os.path.join(os.fsencode(folder), "防汛通知.txt".encode("gbk"))   # no UTF-8: 通知.txt in GBK is
    try:
        with open(name, "wb") as handle:
            handle.write("关于做好防汛工作的通知\n各单位要认真做好防汛工作。\n".encode())
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    library = Library.open(home)
    [first] = library.ingest([folder], workers=1).outcomes
    with library.catalogue.db.transaction() as conn:   # as the older ingest recorded it
        conn.execute(sql("UPDATE files SET path = :text"), {"text": str(folder / "防汛通知.txt")})
    [again] = library.ingest([folder], workers=1).outcomes
    assert (first.status, again.status, again.doc_id) == ("ingested", "unchanged", first.doc_id)
    with open(name, "ab") as handle:
        handle.write("请按时报送。\n".encode())
    [changed] = library.ingest([folder], workers=1).outcomes
    assert changed.status == "ingested" and changed.doc_id != first.doc_id


def test_files_deep_in_long_folder_names_are_recorded(home, tmp_path):
    """A file whose path is long — twelve folders of 80 Chinese characters, 2,900 bytes — is stored and recorded as
    any other, and found unchanged the next time; two such paths that differ only at their end too. PostgreSQL
    indexes no key past 2,704 bytes: recording the skipped file beside them stopped the whole ingest (内部错误:
    index row size exceeds btree version 4 maximum 2704 for index "files_pkey"), and the document failed (attack 20)."""
    deep = tmp_path / "inbox"
    for level in range(12):   # distinct characters: PostgreSQL compresses a repetitive key to fit
        deep /= f"{level:02d}" + "".join(chr(0x4E00 + (level * 977 + k * 7919) % 20000) for k in range(80))
    deep.mkdir(parents=True)
    (deep / "甲.txt").write_text("关于深层文件的通知\n各单位要认真做好有关工作。\n", encoding="utf-8")
    (deep / "乙.txt").write_text("关于另一深层文件的通知\n各单位要按时报送材料。\n", encoding="utf-8")
    (deep / "丙.jsonl").write_text("{}\n", encoding="utf-8")
    library = Library.open(home)
    first = library.ingest([tmp_path / "inbox"], workers=1)
    assert first.counts["ingested"] == 2 and first.counts["skipped"] == 1, first.outcomes
    again = library.ingest([tmp_path / "inbox"], workers=1)
    assert again.counts["unchanged"] == 2 and again.counts["not_retried"] == 1, again.outcomes


def test_a_file_named_twice_is_read_once(home, tmp_path):
    """A file named again — on the command line after its folder, or by a link beside it in the folder — is one
    file: read, stored and counted once, under its first name. Each name was an outcome of its own, so a first ingest
    of two files said 已入库 2 and 未变化 2 (the second name found the record the first had just made) (attack 20)."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("关于戊工作的通知\n戊工作要抓紧推进，按时完成。\n", encoding="utf-8")
    (folder / "c.txt").write_text("关于己工作的通知\n己工作要按时完成，确保质量。\n", encoding="utf-8")
    (folder / "b.txt").symlink_to("a.txt")
    summary = Library.open(home).ingest([folder, folder / "a.txt", folder / "c.txt"], workers=1)
    assert summary.counts == {"ingested": 2, "duplicate": 0, "unchanged": 0, "skipped": 0, "failed": 0,
                              "updated": 0, "kept": 0, "not_retried": 0}
    assert [(Path(o.path).name, o.status) for o in summary.outcomes] == [("a.txt", "ingested"), ("c.txt", "ingested")]


def test_duplicates_rerun_and_bad_files(home, tmp_path):
    text = "关于开展安全生产检查的通知\n各单位：请于本月底前完成自查。"
    (tmp_path / "原件.txt").write_text(text, encoding="utf-8")
    (tmp_path / "转存.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "坏的.docx").write_bytes(b"this is not a zip file at all")
    (tmp_path / "空的.txt").write_bytes(b"")
    (tmp_path / "图片.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    first = json.loads(cli("ingest", str(tmp_path), "--json", status=ExitCode.PARTIAL))  # some files skipped
    assert first["counts"] == {"ingested": 1, "duplicate": 1, "unchanged": 0, "skipped": 3, "failed": 0,
                               "updated": 0, "kept": 0, "not_retried": 0}
    assert all(f["reason"] for f in first["files"] if f["status"] in ("skipped", "duplicate"))
    second = json.loads(cli("ingest", str(tmp_path), "--json"))  # the bad files, unchanged, are not read again
    assert second["counts"] == {"ingested": 0, "duplicate": 0, "unchanged": 2, "skipped": 0, "failed": 0,
                                "updated": 0, "kept": 0, "not_retried": 3}
    assert len(json.loads(cli("list", "--json"))) == 1


def test_a_bad_file_unchanged_is_not_read_again_until_it_changes_or_retry_failed(home, tmp_path, monkeypatch):
    """A file that could not be read made every later ingest exit 5 and read it again (issue 17): unchanged, it
    is 未再尝试 with its earlier reason (exit 0, as 未变化) and one line of the end report; changed, or with
    --retry-failed, it is read again. The record is in the catalogue, so it outlives the process."""
    (tmp_path / "好的.txt").write_text("关于开展安全生产检查的通知\n各单位：请于本月底前完成自查。", encoding="utf-8")
    bad = tmp_path / "坏的.docx"
    bad.write_bytes(b"this is not a zip file at all")
    first = json.loads(cli("ingest", str(tmp_path), "--json", status=ExitCode.PARTIAL))
    [reason] = [f["reason"] for f in first["files"] if f["status"] == "skipped"]
    again = json.loads(cli("ingest", str(tmp_path), "--json"))
    assert [(Path(f["path"]).name, f["status"], f["reason"]) for f in again["files"]] == [
        ("坏的.docx", "not_retried", reason), ("好的.txt", "unchanged", None)]
    assert "上次已无法读取，未再尝试：1 个文件" in cli("ingest", str(tmp_path))
    retried = json.loads(cli("ingest", str(tmp_path), "--json", "--retry-failed", status=ExitCode.PARTIAL))
    assert retried["counts"]["skipped"] == 1 and retried["counts"]["not_retried"] == 0
    bad.write_bytes(b"still not a zip file, but other bytes")
    changed = json.loads(cli("ingest", str(tmp_path), "--json", status=ExitCode.PARTIAL))
    assert changed["counts"]["skipped"] == 1 and changed["counts"]["unchanged"] == 1
    alone = json.loads(cli("ingest", str(bad), "--json"))   # 未再尝试 alone is not "nothing went in" either
    assert alone["counts"]["not_retried"] == 1
    monkeypatch.setenv("SUCAI_PARSE_TIMEOUT_SECONDS", "77")  # what the outcome depended on changed: read again
    assert json.loads(cli("ingest", str(bad), "--json", status=ExitCode.NOTHING))["counts"]["skipped"] == 1


def test_a_file_that_is_only_a_title_is_skipped_with_the_reason(home, tmp_path):
    """A file that held a title and nothing else was stored with 0 字: a search hit, a page and a 字数 of nothing
    (review 14). Nothing of it can be read, searched or quoted in a draft: it is 跳过 with the reason, as an empty
    file is; a title with one line of text is stored."""
    (tmp_path / "只有标题.txt").write_text("关于加强基层减负工作的通知\n", encoding="utf-8")
    (tmp_path / "标题.md").write_text("# 乡村振兴工作总结\n\n", encoding="utf-8")
    (tmp_path / "链接.txt").write_text("https://www.example.com/a/b\n", encoding="utf-8")
    (tmp_path / "一句.txt").write_text("关于加强基层减负工作的通知\n各单位：请精简会议。\n", encoding="utf-8")
    summary = json.loads(cli("ingest", str(tmp_path), "--json", status=ExitCode.PARTIAL))
    assert sorted((Path(f["path"]).name, f["status"], f["reason"]) for f in summary["files"]) == [
        ("一句.txt", "ingested", None),
        ("只有标题.txt", "skipped", "只有标题“关于加强基层减负工作的通知”，没有正文"),
        ("标题.md", "skipped", "只有标题“乡村振兴工作总结”，没有正文"),
        ("链接.txt", "skipped", "没有正文（文件中只有清理时去掉的链接、广告等内容）"),
    ]
    [row] = json.loads(cli("list", "--json"))
    assert (row["title"], row["chars"]) == ("关于加强基层减负工作的通知", len("各单位：请精简会议。"))


def test_errors_are_one_line_not_a_traceback(home):
    Library.open(home)   # a library, empty: no document 12345 in it
    result = subprocess.run([sys.executable, "-m", "sucai", "show", "12345"], capture_output=True, text=True,
                            env={**os.environ, "SUCAI_HOME": str(home)})
    assert result.returncode == ExitCode.NOT_FOUND
    assert "Traceback" not in result.stderr and "12345" in result.stderr


def _stored(home: Path) -> int:
    return Catalogue(load_settings(home).database("catalogue")).stats()["documents"]


def test_killed_ingest_resumes(home, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    count = 600
    for n in range(count):
        (folder / f"{n:03d}.txt").write_text(f"第{n}号工作简报\n本期编号{n:03d}。" + "各项工作有序推进。" * 300, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "sucai", "ingest", str(folder)],
                            env={**os.environ, "SUCAI_HOME": str(home)}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _stored(home) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < _stored(home) < count, "the kill did not land in the middle of the ingest"
    summary = json.loads(cli("ingest", str(folder), "--json"))
    assert summary["counts"]["failed"] == 0
    assert summary["counts"]["ingested"] + summary["counts"]["unchanged"] == count
    library = Library.open(home)
    assert library.catalogue.stats()["documents"] == count
    assert library.index.searcher().num_docs == count
    assert len(precise(library, "本期编号123")) == 1
    # the briefs differ only in their numbers: near-duplicates, each found once or as a version of a hit
    hits = library.search(SearchRequest(q="工作简报", mode="precise", limit=100), member=True).hits
    assert sum(1 + len(h.other_versions) for h in hits) == count


_KILLED_BEFORE_GROUPING = """
import os, signal, sys
from sucai import dedupe
from sucai.library import Library

real = dedupe.Clusters.after_store

def after_store(self, added, *rest, **options):   # the second document stored, signed, not yet placed: killed
    if added.stored is not None and added.stored.id == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, added, *rest, **options)

dedupe.Clusters.after_store = after_store
Library.open(sys.argv[1]).ingest([sys.argv[2]], workers=1)
"""


def test_an_ingest_killed_between_storing_and_grouping_groups_at_the_next(home, tmp_path):
    """Ops 23: the documents a batch stores are signed in the same transaction (``Catalogue.add_all``) and placed
    among near-duplicates after it; an ingest killed in between left a signed document that no later ingest placed
    (its catch-up placed the unsigned ones only): a near-duplicate never shown as a version of the other."""
    folder = tmp_path / "in"
    folder.mkdir()
    body = "".join(f"关于做好第{n}批防汛工作的通知\n各单位要按照第{n}批工作安排，认真抓好防汛各项任务落实。\n" for n in range(30))
    (folder / "a.txt").write_text(body, encoding="utf-8")
    (folder / "b.txt").write_text(body + "附：补充说明。\n", encoding="utf-8")   # a near-duplicate of a.txt
    killed = subprocess.run([sys.executable, "-c", _KILLED_BEFORE_GROUPING, str(home), str(folder)])
    assert killed.returncode == -signal.SIGKILL
    library = Library.open(home)
    assert library.catalogue.stats()["documents"] == 2 and library.clusters.versions(1) == []   # what the kill left
    (folder / "c.txt").write_text("关于开展秋季森林防火检查的通知\n请各乡镇认真排查隐患。\n", encoding="utf-8")
    assert [o.status for o in library.ingest([folder]).outcomes] == ["unchanged", "unchanged", "ingested"]
    assert sorted(v.id for v in library.clusters.versions(1)) == [1, 2]   # as an ingest not killed groups them
    assert library.catalogue.unplaced_ids() == []   # none left to place again at every ingest
    library.close()


_KILLED_BEFORE_WEIGHING = """
import os, signal, sys
from sucai import dedupe
from sucai.library import Library

real = dedupe.Clusters.after_store

def after_store(self, added, *rest, **options):   # a copy of the stored text, stored, not weighed yet: killed
    if added.copy:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, added, *rest, **options)

dedupe.Clusters.after_store = after_store
Library.open(sys.argv[1]).ingest([sys.argv[2]], workers=1)
"""


def _copies_and_oracle(make_home, tmp_path: Path) -> tuple[Path, Document]:
    """A folder of a GBK notice (a.txt) and, after it, its UTF-8 copy (b.txt), the better one; and the document an
    ingest of it into an empty library stores (the oracle of the tests below)."""
    from test_dedupe import sample

    notice = sample("09_通知.txt")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(notice.encode("gbk"))
    (folder / "b.txt").write_text(notice, encoding="utf-8")
    fresh = Library.open(make_home(tmp_path / "fresh"))
    fresh.ingest([folder], workers=1)
    [expected] = fresh.catalogue.documents()
    return folder, expected


def _ends_as_the_oracle(library: Library, folder: Path, doc_id: int, expected: Document) -> None:
    """The next ingest of ``folder`` finds a.txt unchanged, weighs b.txt as its copy, and the document is then what
    an ingest into an empty library stores."""
    assert [(o.status, o.doc_id) for o in library.ingest([folder], workers=1).outcomes] == [
        ("unchanged", doc_id), ("duplicate", doc_id)]
    stored = library.catalogue.get(doc_id)
    assert (_parse_fields(stored), stored.encoding, stored.source_path) == (
        _parse_fields(expected), expected.encoding, expected.source_path)


def test_an_ingest_killed_before_weighing_a_copy_keeps_the_better_one_at_the_next(make_home, tmp_path):
    """A GBK file and, after it, its UTF-8 copy, the better copy (:func:`sucai.dedupe.quality`), which the document
    takes once the clusters weigh it, after the transaction that stored both files. An ingest killed in between left
    the weaker text stored and the copy recorded 重复: the next ingest found it 未变化 and never weighed it. It is read
    again, and the library ends as an ingest not killed leaves it (the oracle); then nothing is read again."""
    folder, expected = _copies_and_oracle(make_home, tmp_path)
    assert expected.encoding == "utf-8"
    home = make_home(tmp_path / "home")
    killed = subprocess.run([sys.executable, "-c", _KILLED_BEFORE_WEIGHING, str(home), str(folder)])
    assert killed.returncode == -signal.SIGKILL
    library = Library.open(home)
    [(doc_id, encoding)] = [(doc.id, doc.encoding) for doc in library.catalogue.documents()]   # what the kill left
    assert encoding != "utf-8"
    _ends_as_the_oracle(library, folder, doc_id, expected)
    keys = [sucai.ingest.file_key(folder / name) for name in ("a.txt", "b.txt")]
    records = library.catalogue.file_records(keys)
    assert [(records[key].status, records[key].doc_id) for key in keys] == [("ingested", doc_id), ("duplicate", doc_id)]
    changes = library.catalogue.change_count()
    assert [o.status for o in library.ingest([folder], workers=1).outcomes] == ["unchanged", "unchanged"]
    assert library.catalogue.change_count() == changes


def test_a_copy_not_weighed_for_an_error_is_weighed_by_the_next_ingest(make_home, tmp_path, monkeypatch):
    """ops27: a failure to weigh a copy of a stored text (``Clusters.after_store`` logs it, the batch goes on) still
    recorded the copy 重复, so the next ingest found it 未变化 and never weighed it — the weaker GBK text stayed the
    document, as after the kill of the test above. A copy not weighed is not recorded: the next ingest reads and
    weighs it, and the library ends as an ingest without the failure leaves it (the oracle)."""
    folder, expected = _copies_and_oracle(make_home, tmp_path)
    library = Library.open(make_home(tmp_path / "home"))
    keys = [sucai.ingest.file_key(folder / name) for name in ("a.txt", "b.txt")]
    with monkeypatch.context() as patched:
        patched.setattr(dedupe.Clusters, "keep_better_copy", lambda *_, **__: (_ for _ in ()).throw(OSError("磁盘已满")))
        [(_, doc_id), _] = [(o.status, o.doc_id) for o in library.ingest([folder], workers=1).outcomes]
    assert library.clusters.failures == 1 and list(library.catalogue.file_records(keys)) == keys[:1]
    _ends_as_the_oracle(library, folder, doc_id, expected)
    records = library.catalogue.file_records(keys)
    assert [(records[key].status, records[key].doc_id) for key in keys] == [("ingested", doc_id), ("duplicate", doc_id)]


def test_an_ingest_marks_a_batch_placed_in_the_transaction_of_the_next(home, tmp_path, monkeypatch):
    """Issue 16: each batch of parses is stored in one transaction, which also marks the documents of the batch
    before it placed among near-duplicates (``Catalogue.add_all``'s ``placed``) — one transaction a batch, not two;
    the last batch's are marked once the ingest stored all, and none is left to place again."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_text(f"第{n}号情况通报\n" + f"工作扎实推进{n}。" * 50, encoding="utf-8")
    monkeypatch.setattr(sucai.ingest, "_STORE_FILES", 1)   # each parse stored as it is done, a batch of its own
    batches, marked = [], []
    add_all, placed = Catalogue.add_all, Catalogue.placed

    def recorded_add_all(self, additions, earlier=()):
        batches.append(list(earlier))
        return add_all(self, additions, earlier)

    def recorded_placed(self, doc_ids):
        marked.append(list(doc_ids))
        return placed(self, doc_ids)

    monkeypatch.setattr(Catalogue, "add_all", recorded_add_all)
    monkeypatch.setattr(Catalogue, "placed", recorded_placed)
    library = Library.open(home)
    assert [o.status for o in library.ingest([folder], workers=1).outcomes] == ["ingested"] * 3
    assert batches == [[], [1], [2]] and marked == [[3]]
    assert library.catalogue.unplaced_ids() == []
    library.close()


def test_a_document_not_placed_for_an_error_is_placed_by_the_next_ingest(home, tmp_path, monkeypatch):
    """A failure to place a stored document among near-duplicates never stops the batch (it is logged); its batch stays
    remembered as not placed (``Catalogue.unplaced_ids``), so the next ingest's catch-up places it — it was marked placed
    with the rest and never grouped (the kill of the test above, by an exception)."""
    folder = tmp_path / "in"
    folder.mkdir()
    body = "".join(f"关于做好第{n}批防汛工作的通知\n各单位要按照第{n}批工作安排，认真抓好防汛各项任务落实。\n" for n in range(30))
    (folder / "a.txt").write_text(body, encoding="utf-8")
    (folder / "b.txt").write_text(body + "附：补充说明。\n", encoding="utf-8")   # a near-duplicate of a.txt
    real = dedupe.Clusters.place

    def place(self, doc, *rest, **options):
        if doc.id == 2:
            raise OSError("磁盘已满")
        return real(self, doc, *rest, **options)

    monkeypatch.setattr(dedupe.Clusters, "place", place)
    library = Library.open(home)
    assert [o.status for o in library.ingest([folder], workers=1).outcomes] == ["ingested", "ingested"]
    assert library.clusters.versions(1) == [] and 2 in library.catalogue.unplaced_ids()
    library.close()
    monkeypatch.setattr(dedupe.Clusters, "place", real)
    library = Library.open(home)
    (folder / "c.txt").write_text("关于开展秋季森林防火检查的通知\n请各乡镇认真排查隐患。\n", encoding="utf-8")
    assert [o.status for o in library.ingest([folder]).outcomes] == ["unchanged", "unchanged", "ingested"]
    assert sorted(v.id for v in library.clusters.versions(1)) == [1, 2] and library.catalogue.unplaced_ids() == []
    library.close()


def test_ctrl_c_as_an_ingest_starts_says_one_line_and_keeps_what_was_stored(home, tmp_path):
    """Ctrl+C from a terminal (SIGINT to the process group: the command, its fork server, its parse workers) at a
    few moments of an ingest's first seconds — loading, opening the library, starting the workers, parsing. Each
    run ends with the Chinese line and 130 (or 0, when it was done first), nothing else on standard error, and an
    ingest after them takes every file, none 失败."""
    folder = tmp_path / "in"
    folder.mkdir()
    count = 60
    for n in range(count):
        (folder / f"{n:02d}.txt").write_text(f"第{n}号情况通报\n编号{n:02d}。" + "工作扎实推进。" * 200, encoding="utf-8")
    for delay in (0.5, 1.0, 2.0, 3.0):
        proc = subprocess.Popen([sys.executable, "-m", "sucai", "ingest", str(folder)], start_new_session=True,
                                env={**os.environ, "SUCAI_HOME": str(home), "PYTHONFAULTHANDLER": "1"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):   # done already
            os.killpg(proc.pid, signal.SIGINT)
        try:
            _, errors = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:   # seen once in CI: where it waits (faulthandler's stacks, on SIGABRT)
            os.kill(proc.pid, signal.SIGABRT)
            pytest.fail(f"{delay} 秒时中断的入库 120 秒未结束：\n{proc.communicate(timeout=60)[1][-6000:]}")
        assert proc.returncode in (ExitCode.INTERRUPTED, ExitCode.OK), (delay, proc.returncode, errors)
        assert not re.search("Traceback|Exception ignored|Error", errors), (delay, errors)
        if proc.returncode:   # interrupted as the command line loaded, or after
            assert errors.strip().splitlines()[-1] in ("已中断。", "已中断；已完成的部分都已保存，再次运行即可继续。"), errors
    summary = json.loads(cli("ingest", str(folder), "--json"))
    assert summary["counts"]["failed"] == summary["counts"]["skipped"] == 0
    assert summary["counts"]["ingested"] + summary["counts"]["unchanged"] == count
    assert _stored(home) == count


@pytest.mark.parametrize("command", [["list"], ["stats"], ["list", "--json"], ["stats", "--json"]])
def test_reading_commands_on_an_empty_library(home, command):
    Library.open(home)   # an empty library: an empty folder holds none, refused (test_cli, fix23)
    output = cli(*command)
    if "--json" in command:
        json.loads(output)


def test_bundled_samples_ingest_as_documented(home):
    samples = Path(__file__).resolve().parents[1] / "sucai" / "samples" / "library"
    summary = json.loads(cli("ingest", str(samples), "--json", status=ExitCode.PARTIAL))  # the damaged sample
    by_name = {Path(f["path"]).name: f for f in summary["files"]}
    assert summary["counts"]["failed"] == 0
    assert by_name["损坏的文件.docx"]["status"] == "skipped"
    assert "已损坏或不完整" in by_name["损坏的文件.docx"]["reason"]   # as sucai/samples/README.md says: a download cut short
    assert summary["counts"]["duplicate"] == 1
    assert summary["counts"]["ingested"] == len(by_name) - 2


def test_the_parse_workers_segment_with_the_operators_dictionary(home, tmp_path):
    """A term of SUCAI_HOME/userdict.txt is one word in the index entry a parse worker made (a process
    of its own, forked from a server that never saw the library), as it is in every query."""
    (home / "userdict.txt").write_text("三务公开\n", encoding="utf-8")
    (tmp_path / "村务.txt").write_text("关于村务工作的报告\n我村坚持三务公开制度，每季度公开一次。\n", encoding="utf-8")
    library = Library.open(home)
    summary = library.ingest([tmp_path / "村务.txt"], workers=1)
    assert "三务公开" in analysis.words("我村坚持三务公开制度")   # the oracle: the ingest's process has the dictionary
    [doc_id] = [o.doc_id for o in summary.outcomes if o.status == "ingested"]
    searcher = library.index.index.searcher()
    for field in ("free_w", "free_uni"):   # the word, and (a control) its characters
        term = "三务公开" if field == "free_w" else "务"
        hits = searcher.search(tantivy.Query.term_query(SCHEMA, field, term), 10).hits
        assert [searcher.doc(address)["id"][0] for _, address in hits] == [doc_id]
    library.close()


def test_html_navigation_before_the_heading_is_not_the_title(home, tmp_path):
    page = ("<html><head><meta charset='utf-8'><title>关于开展调研的通知_某某网</title></head><body>"
            "<nav><a href='/'>首页</a> <a href='/login'>登录</a></nav><h1>关于开展调研的通知</h1>"
            "<div><p>各科室：</p><p>为深入了解基层工作情况，决定开展专题调研。现将有关事项通知如下。</p>"
            "<p>一、调研内容</p><p>重点了解基层减负落实情况。</p></div><footer>版权所有 某某网</footer></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    cli("ingest", str(tmp_path / "page.html"))
    [doc] = Library.open(home).catalogue.documents()
    assert (doc.title, doc.genre) == ("关于开展调研的通知", "通知")
    assert doc.text.startswith("各科室：") and "首页" not in doc.text
    assert ("before_title", "首页\n登录") in [(r.rule, r.text) for r in doc.removed]


# -- B35: layout-only variants are one document ------------------------------------------------

NOTICE_LINES = ["关于做好春季森林防火工作的通知", "各村（社区）：",
                "为切实做好春季森林防火工作，现将有关事项通知如下。",
                "一、提高思想认识", "各单位要高度重视，落实防火责任。", "二、加强值班值守", "严格执行24小时值班制度。"]


def layout_variants() -> dict[str, str]:
    """The same notice as written (a), with 　　 before each paragraph (b), with doubled blank lines and
    trailing spaces (c), and with half-width punctuation and spaces between characters (d; issue 12)."""
    title, *body = NOTICE_LINES
    return {
        "a.txt": "\n".join(NOTICE_LINES) + "\n",
        "b.txt": title + "\n" + "".join(f"　　{line}\n" for line in body),
        "c.txt": title + "\n\n\n" + "".join(f"{line}  \n\n\n" for line in body),
        "d.txt": title + "\n" + "\n".join(body).replace("，", ",").replace("：", ":").replace("（", "(")
                 .replace("）", ")").replace("各单位要", "各单位 要") + "\n",
    }


def test_layout_only_variants_are_duplicates_b35(home, tmp_path):
    for name, text in layout_variants().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    summary = json.loads(cli("ingest", str(tmp_path), "--json"))
    statuses = {Path(f["path"]).name: (f["status"], f["doc_id"]) for f in summary["files"]}
    assert statuses == {"a.txt": ("ingested", 1), "b.txt": ("duplicate", 1), "c.txt": ("duplicate", 1),
                        "d.txt": ("duplicate", 1)}
    library = Library.open(home)
    assert precise(library, "春季森林防火") == [1]
    assert library.search(SearchRequest(q="值班值守"), member=False).total == 1
    # a different word is a different document
    (tmp_path / "e.txt").write_text(layout_variants()["a.txt"].replace("24小时", "12小时"), encoding="utf-8")
    assert json.loads(cli("ingest", str(tmp_path / "e.txt"), "--json"))["counts"]["ingested"] == 1


def test_layout_free_form():
    from sucai.analysis import layout_free

    assert layout_free("　　各村（社区）：\n\n  现将  通知如下。 \r\n") == "各村(社区):现将通知如下。"
    assert layout_free("ＧＢ／Ｔ　９７０４，Hello World") == "GB/T9704,HelloWorld"
    assert layout_free("開通政務") == "開通政務"                      # traditional characters stay: not layout
    assert layout_free("") == ""


def test_an_old_library_is_rehashed_so_its_files_stay_unchanged_and_duplicate(home, tmp_path):
    """A library stored under the old key (SHA-256 of the stripped text): opening it re-hashes the stored
    documents once, so old files stay 未变化, their copies 重复, and layout variants 重复 too; layout twins
    stored apart under the old key are both kept."""
    import hashlib

    from sucai.dedupe import TEXT_HASH_VERSION

    variants = layout_variants()
    (tmp_path / "a.txt").write_text(variants["a.txt"], encoding="utf-8")
    cli("ingest", str(tmp_path / "a.txt"))
    library = Library.open(home)
    twin = Document("旧库里的孪生", "第一段。\n　　第二段。")           # a layout twin of the next one
    library.catalogue.add(Document("旧库里的原件", "第一段。\n第二段。"), "x", "/old/1", "c1")
    library.catalogue.add(twin, "y", "/old/2", "c2")
    with library.catalogue.transaction() as db:                   # make it an old library
        for doc_id, text in db.execute(sql("SELECT id, text FROM documents")).fetchall():
            old = hashlib.sha256(text.strip().encode()).hexdigest()
            db.execute(sql("UPDATE documents SET text_hash = :h WHERE id = :id"), {"h": old, "id": doc_id})
        db.execute(sql("DELETE FROM meta WHERE key = 'text_hash_version'"))
    library.close()

    reopened = Library.open(home)                                 # re-hashes here
    assert reopened.catalogue.meta("text_hash_version") == str(TEXT_HASH_VERSION)
    with reopened.catalogue.db.read() as db:
        keys = dict(db.execute(sql("SELECT id, text_hash FROM documents")).fetchall())
    assert keys[3] == keys[2] + ":3" and len(set(keys.values())) == 3   # both twins kept, keys unique
    reopened.close()
    (tmp_path / "copy.txt").write_text(variants["a.txt"], encoding="utf-8")
    (tmp_path / "b.txt").write_text(variants["b.txt"], encoding="utf-8")
    (tmp_path / "twin.txt").write_text("旧库里的原件\n　　第一段。\n\n第二段。\n", encoding="utf-8")
    summary = json.loads(cli("ingest", str(tmp_path), "--json"))
    statuses = {Path(f["path"]).name: (f["status"], f["doc_id"]) for f in summary["files"]}
    assert statuses == {"a.txt": ("unchanged", 1), "copy.txt": ("duplicate", 1), "b.txt": ("duplicate", 1),
                        "twin.txt": ("duplicate", 2)}


def test_what_the_workers_derive_equals_what_is_derived_from_the_catalogue(home, sample_path, tmp_path, monkeypatch):
    """The ingest's worker makes a document's text hash, near-duplicate sketch and index tokens; the
    index entry, signature and hash must be those made from the stored document, members part or not.
    The ingest's process makes the entry of a fed document without normalising or segmenting a word
    of it (titles and headings included: the worker made their tokens too)."""
    import numpy as np

    from sucai import analysis, dedupe, index
    from sucai.access import free_view
    from sucai.ingest import Parsed, parse_file, text_hash
    from sucai.model import walk_outline

    plain = tmp_path / "plain.txt"
    plain.write_text("关于开展2024年度基层减负工作的通知\n\n各单位：\n　　现将有关事项通知如下。Hello World 2024 ２０２５\n"
                     "一、总体要求\n　　突出重点。\n",
                     encoding="utf-8")
    for path in (sample_path, plain):
        parsed = Parsed.of(parse_file(path))
        library = Library.open(home)
        added = library.catalogue.add(parsed.doc, parsed.text_hash, str(path), "x")
        status, doc_id = added
        stored = library.catalogue.get(doc_id)
        assert (stored.members_span is not None) == (path == sample_path)
        assert parsed.text_hash == text_hash(stored)
        whole = dedupe.shingles(stored.text)
        assert np.array_equal(parsed.sketch.shingles, whole)
        assert parsed.sketch.signature == dedupe.signature(whole).hashvalues.astype(np.uint32).tobytes()
        assert index.index_fields(stored, parsed.tokens) == index.index_fields(stored)
        fed = added.stored  # what the ingest's index feed indexes
        expected = index.index_fields(stored)
        with monkeypatch.context() as patched:
            for name in ("normalize", "word_text", "bigrams", "unigrams"):
                patched.setattr(analysis, name, lambda *_: pytest.fail("tokens made in the ingest's process"))
            assert index.index_fields(fed, parsed.tokens) == expected
        free = free_view(stored)
        assert set(parsed.tokens.texts) == {stored.text, free.text, stored.title, free.title}
        headings = {" ".join(n.heading for n in walk_outline(view.outline) if n.kind == "heading")
                    for view in (stored, free)}
        assert set(parsed.tokens.headings) == headings and (any(headings) or path != plain)
        library.close()


def test_the_worker_counts_the_字数_and_the_ingests_process_counts_it_no_more(home, sample_path, tmp_path, monkeypatch):
    """A document's 字数 is counted in its parse worker and travels with it (pickled as a worker sends it): the
    catalogue stores it and the index feed's entry holds it without counting the text again."""
    import pickle

    from sucai import index, model
    from sucai.ingest import Parsed, parse_file

    spaced = tmp_path / "spaced.txt"
    spaced.write_text("关于开展基层减负工作的通知\n\n各单位：\n　　现将 有关事项\t通知如下。\u200b\n", encoding="utf-8")
    library = Library.open(home)
    for path in (sample_path, spaced):
        parsed = pickle.loads(pickle.dumps(Parsed.of(parse_file(path))))
        expected = count_chars(parsed.doc.text)   # the rule's own function, not the document's property
        with monkeypatch.context() as patched:
            patched.setattr(model, "count_chars", lambda *_: pytest.fail("字数 counted in the ingest's process"))
            added = library.catalogue.add(parsed.doc, parsed.text_hash, str(path), "x")
            fed = index.index_fields(added.stored, parsed.tokens)
        doc_id = added[1]
        assert fed["counted_chars"] == library.catalogue.get(doc_id).counted_chars == expected < parsed.doc.chars
    library.close()


def test_a_document_the_catalogue_cannot_store_fails_alone_among_those_stored_together(home, tmp_path, monkeypatch):
    """The parses ready at once are stored in one transaction (_store_all); when it fails, each is stored in its own,
    so that only the file whose document cannot be stored is 失败 — the others of its batch are stored, and a
    refusal among them is recorded as ever."""
    from sucai.ingest import Parsed, content_hash, _store_all, parse_file
    from sucai.store import Catalogue

    paths = []
    for name, text in (("甲.txt", "甲通知\n\n甲的正文。\n"), ("坏.txt", "坏通知\n\n坏的正文。\n"),
                       ("乙.txt", "乙通知\n\n乙的正文。\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    library = Library.open(home)
    ready = [((path, str(path), content_hash(path)), Parsed.of(parse_file(path))) for path in paths]
    ready.insert(2, ((tmp_path / "空.txt", str(tmp_path / "空.txt"), "c"), ("skipped", "没有正文")))
    add = Catalogue._add
    monkeypatch.setattr(Catalogue, "_add", lambda self, conn, addition, *rest: (
        1 / 0 if addition.path.endswith("坏.txt") else add(self, conn, addition, *rest)))
    unmarked = [7]   # placed since an earlier batch: marked placed by the next transaction that stores a batch
    stored = _store_all(library.catalogue, ready, None, {}, unmarked)
    assert [o.status for o, _ in stored] == ["ingested", "failed", "skipped", "ingested"] and unmarked == [7]
    assert stored[1][0].reason.startswith("内部错误（ZeroDivisionError") and stored[2][0].reason == "没有正文"
    assert [added and added.stored.title for _, added in stored] == ["甲通知", None, None, "乙通知"]
    ids = [o.doc_id for o, _ in stored]   # (PostgreSQL gives ids the failed transaction took to none again)
    assert ids[1] is ids[2] is None and [library.get(n).title for n in (ids[0], ids[3])] == ["甲通知", "乙通知"]
    assert library.catalogue.document_ids() == [ids[0], ids[3]]
    records = library.catalogue.file_records([str(p) for p in paths] + [str(tmp_path / "空.txt")])
    assert sorted((Path(k).name, r.status) for k, r in records.items()) == [("乙.txt", "ingested"),
                                                                           ("甲.txt", "ingested"), ("空.txt", "skipped")]


def test_a_database_errors_statement_and_parameters_stay_out_of_the_files_reason(home, tmp_path, monkeypatch):
    """ops29: a document the catalogue could not store was 失败 with the whole exception as its reason — for a
    database error, the statement and its parameters on the lines after the first: the document's text (members
    part included) in the file's record, the end table, the watcher's log. The reason names the error by its first
    line, as the command line's own last line of defence does."""
    from sqlalchemy.exc import IntegrityError

    from sucai.store import Catalogue

    (tmp_path / "坏.txt").write_text("坏通知\n\n会员才能读的正文。\n", encoding="utf-8")
    monkeypatch.setattr(Catalogue, "_add", lambda *args: (_ for _ in ()).throw(IntegrityError(
        "INSERT INTO documents (text) VALUES (?)", ("会员才能读的正文。",), Exception("UNIQUE constraint failed"))))
    [outcome] = Library.open(home).ingest([tmp_path / "坏.txt"]).outcomes
    assert outcome.status == "failed" and outcome.reason == (
        "内部错误（IntegrityError: (builtins.Exception) UNIQUE constraint failed），请把此文件和这条信息反馈给维护者")


def test_the_index_feed_ends_as_a_sync_would_with_changes_of_other_processes_meanwhile(home):
    """An ingest feeds its documents to the index writer as it stores them (index.Feed); whatever another
    process changed meanwhile — an edit of a fed document, a document of its own, a fed document whose
    addition another process's sync applied before the batch began — the commit leaves every document
    indexed once, as the catalogue holds it."""
    from sucai.dedupe import text_hash

    ours, theirs = Library.open(home), Library.open(home)

    def add(library: Library, title: str) -> tuple[Document, int]:
        doc = Document(title=title, text=f"{title}的正文，关于推进基层治理的意见。")
        added = library.catalogue.add(doc, text_hash(doc), f"/x/{title}", "x")
        assert added[0] == "ingested"
        return added.stored, added[1]

    early, early_id = add(ours, "甲文件")
    theirs.index.sync()                          # another process indexes it before our batch begins
    feed = ours.index.feed()
    feed.add(early)
    edited, edited_id = add(ours, "乙文件")
    feed.add(edited)
    theirs.catalogue.update(edited_id, title="丙文件")  # edited by the other process while the batch is open
    _, their_id = add(theirs, "丁文件")            # and a document of its own, not fed
    plain, plain_id = add(ours, "戊文件")
    feed.add(plain)
    feed.commit()

    assert sorted(ours.index.indexed_ids()) == sorted([early_id, edited_id, their_id, plain_id])
    assert ours.index.applied == ours.catalogue.change_count()
    assert precise(ours, "丙文件") == [edited_id] and precise(ours, "乙文件") == [edited_id]  # the body still says 乙
    titles = {h.id: h.title for h in ours.search(SearchRequest(q="基层治理", mode="precise", limit=10), member=True).hits}
    assert titles == {early_id: "甲文件", edited_id: "丙文件", their_id: "丁文件", plain_id: "戊文件"}
    assert ours.check_integrity(repair=False)["ok"]


def test_an_abandoned_feed_is_indexed_by_the_next_sync(home):
    from sucai.dedupe import text_hash

    library = Library.open(home)
    library.index.sync()                           # the index exists before the document does
    doc = Document(title="己文件", text="己文件的正文。")
    added = library.catalogue.add(doc, text_hash(doc), "/x/己", "x")
    doc_id = added[1]
    feed = library.index.feed()
    feed.add(added.stored)
    feed.abandon()                                 # an ingest stopped by an error: nothing committed, lock released
    assert library.index.indexed_ids() == []
    library.index.sync()
    assert library.index.indexed_ids() == [doc_id] and precise(library, "己文件") == [doc_id]


def test_an_edit_waits_for_an_ingests_batch_only_until_its_next_file(home, tmp_path, monkeypatch):
    """An ingest holds the node's index lock while it feeds a batch (index.Feed), committing by size or time;
    an edit that waits for the lock (Library.update) asks it to commit at once, so it is applied and searchable
    while the ingest goes on, not once the batch is large or old."""
    import threading

    from sucai import ingest

    monkeypatch.setattr(ingest, "_FEED_SECONDS", 3600)    # no batch ends by time during this test
    (tmp_path / "早.txt").write_text("关于春耕的通知\n各村：做好春耕准备。\n", encoding="utf-8")
    library, editor = Library.open(home), Library.open(home)
    [early] = [o.doc_id for o in library.ingest([tmp_path / "早.txt"], workers=1).outcomes]
    folder = tmp_path / "many"
    folder.mkdir()
    count = 300
    for n in range(count):
        (folder / f"{n:03d}.txt").write_text(f"第{n}号工作简报\n本期编号{n:03d}。" + "各项工作有序推进。" * 300,
                                             encoding="utf-8")
    running = threading.Thread(target=library.ingest, args=([folder],), kwargs={"workers": 1})
    running.start()
    try:
        deadline = time.monotonic() + 60
        while _stored(home) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        editor.update(early, title="关于秋收的通知")
        assert _stored(home) < 1 + count, "the edit waited for the whole ingest"
        assert precise(editor, "秋收") == [early]
    finally:
        running.join()
    assert library.index.searcher().num_docs == 1 + count and library.check_integrity(repair=False)["ok"]


def test_the_ingests_process_does_not_import_the_format_readers_its_workers_use():
    """The ingest's own process stores, the parse workers read: it holds neither python-docx nor
    trafilatura, pdfplumber, pypdfium2 or Pillow (≈ 60 MB), which the workers' fork server imports ahead."""
    heavy = ["docx", "trafilatura", "pdfplumber", "pypdfium2", "PIL"]
    check = f"import sys, {{}}; print([m for m in {heavy!r} if m in sys.modules])"
    run = lambda module: subprocess.run([sys.executable, "-c", check.format(module)], capture_output=True,  # noqa: E731
                                        text=True, check=True, env={**os.environ, "PYTHONSAFEPATH": "1"}).stdout.strip()
    assert run("sucai.library, sucai.ingest") == "[]"
    assert run("sucai.preload") == repr(heavy)


_SEGMENTER_PROBE = """
import sys
from pathlib import Path
from sucai import analysis, dedupe
from sucai.library import Library

def main():
    library = Library.open()
    counts = library.ingest([Path(sys.argv[1])], workers=1).counts
    print(counts["ingested"], counts["duplicate"], "rjieba" in sys.modules)   # the workers segmented, this process not
    print(" ".join(analysis.words("我村坚持三务公开制度")))   # loaded now, with the operator's terms given before

if __name__ == "__main__":
    main()
"""


def test_the_ingests_process_loads_no_segmenter_and_the_workers_fork_server_no_database_layer(home, tmp_path):
    """The parse workers segment every word an ingest indexes — also of a better copy that replaces a stored
    document's texts (indexed again with its worker's tokens) —, so its own process never loads jieba's
    dictionary (34 MB), until something in it segments, and then with the operator's terms, given when
    the library opened. The workers' fork server (each worker shares its pages) imports no SQLAlchemy."""
    (home / "userdict.txt").write_text("三务公开\n", encoding="utf-8")
    report = "各位代表：\n现在，我代表村委会报告工作，请予审议。\n一、过去一年工作回顾\n我村坚持三务公开制度，每季度公开一次。\n"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("2017.txt", "2017_村务工作报告.txt"):   # the same text: the second, better named, replaces the first
        (inbox / name).write_text(report, encoding="utf-8")
    probe = tmp_path / "probe.py"
    probe.write_text(_SEGMENTER_PROBE, encoding="utf-8")
    env = {**os.environ, "PYTHONSAFEPATH": "1"}
    said = subprocess.run([sys.executable, str(probe), str(inbox)], capture_output=True, text=True,
                          check=True, env=env, timeout=120).stdout.splitlines()
    assert said[0] == "1 1 False"
    assert "三务公开" in said[1].split()
    bare = subprocess.run([sys.executable, "-c", "from sucai import analysis; "
                           "print(' '.join(analysis.words('我村坚持三务公开制度')))"],
                          capture_output=True, text=True, check=True, env=env).stdout.split()
    assert "三务公开" not in bare   # the control: without the operator's dictionary jieba cuts it
    library = Library.open(home)
    [doc] = library.catalogue.documents()
    assert doc.title == "村务工作报告"   # the better copy's
    searcher = library.index.index.searcher()
    for field, term in (("free_title_w", "村务"), ("free_w", "三务公开")):   # its entry, as a sync would make it
        hits = searcher.search(tantivy.Query.term_query(SCHEMA, field, term), 10).hits
        assert [searcher.doc(address)["id"][0] for _, address in hits] == [doc.id]
    library.close()
    workers = subprocess.run([sys.executable, "-c", "import sys, sucai.preload; "
                              "print(sorted(m for m in ('sqlalchemy', 'sucai.store', 'sucai.db') if m in sys.modules))"],
                             capture_output=True, text=True, check=True, env=env).stdout.strip()
    assert workers == "[]"


_CLUSTER_PROBE = """
import sys
from pathlib import Path
from sucai.library import Library

def main():
    library = Library.open()
    for folder in sys.argv[1:]:   # each folder an ingest of its own
        counts = library.ingest([Path(folder)], workers=1).counts
        print(counts["ingested"], "rjieba" in sys.modules)

if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize("preview", [None, 200])
def test_an_ingest_that_groups_documents_fed_before_segments_nothing_in_its_process(home, tmp_path, preview):
    """A document fed to the index and then joined by a near-duplicate — one committed by an earlier ingest, one
    fed earlier in the same batch — has its entry made again with other cluster flags: with tokens its parse
    workers make, so the ingest's process still loads no segmenter, and the entries are those a rebuild makes.
    With a free preview (``free_preview_chars``) the workers make the tokens of the free view as the catalogue
    reads it back (review 16b: the ingest's process segmented every document longer than the preview)."""
    from test_dedupe import edited, index_flags, roles, sample

    if preview is not None:
        with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
            toml.write(f"free_preview_chars = {preview}\n")

    notice = sample("09_通知.txt")
    folders = []
    for name, files in (("first", {"a.txt": notice}), ("second", {"b.txt": edited(notice, 0.02)}),
                        ("third", {"c.txt": sample("07_实施方案.txt"),
                                   "d.txt": edited(sample("07_实施方案.txt"), 0.02, seed=5)})):
        folder = tmp_path / name
        folder.mkdir()
        for file, text in files.items():
            (folder / file).write_text(text, encoding="utf-8")
        folders.append(str(folder))
    probe = tmp_path / "probe.py"
    probe.write_text(_CLUSTER_PROBE, encoding="utf-8")
    said = subprocess.run([sys.executable, str(probe), *folders], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONSAFEPATH": "1"}, timeout=180).stdout.splitlines()
    assert said == ["1 False", "1 False", "2 False"]
    library = Library.open(home)
    flags = index_flags(library)
    assert flags == roles(library)
    if preview is None:   # two clusters (a visitor's grouping of 200-character previews holds none)
        assert sum(clustered for clustered, _ in flags.values()) == 4
    searcher = library.index.index.searcher()
    fed = {term: _term_ids(searcher, field, term) for field, term in _PROBE_TERMS}
    library.reindex()
    searcher = library.index.index.searcher()
    assert fed == {term: _term_ids(searcher, field, term) for field, term in _PROBE_TERMS} and all(fed.values())
    library.close()


_PROBE_TERMS = (("free_w", "农业"), ("free_bi", "通知"), ("free_title_w", "通知"), ("free_uni", "县"))


def _term_ids(searcher: tantivy.Searcher, field: str, term: str) -> list[int]:
    hits = searcher.search(tantivy.Query.term_query(SCHEMA, field, term), 50).hits
    return sorted(searcher.doc(address)["id"][0] for _, address in hits)


def test_the_feed_reads_the_cluster_rows_of_its_documents_a_few_dozen_at_a_time(home, tmp_path, monkeypatch):
    """An ingest's index feed reads the clusters of the documents it indexes at once for a few dozen of them (it read
    them once per document: 0.3 ms each), of each grouping (the free one and the one members see, whose flags the
    entries carry), and every document is indexed all the same."""
    import random

    from sucai.store import Catalogue as Stored

    reads: list[tuple[bool, list[int] | None]] = []
    cluster_rows = Stored.cluster_rows

    def counted(self, *args, **kwargs):
        reads.append((kwargs.get("free", False), kwargs.get("doc_ids")))
        return cluster_rows(self, *args, **kwargs)

    monkeypatch.setattr(Stored, "cluster_rows", counted)
    for n in range(40):   # unrelated texts: no near-duplicates
        rng = random.Random(n)
        (tmp_path / f"{n}.txt").write_text(f"第{n}号简报\n" + "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(300)),
                                           encoding="utf-8")
    library = Library.open(home)
    summary = library.ingest([tmp_path], workers=1)
    assert summary.counts["ingested"] == 40, summary.outcomes
    for free in (True, False):
        assert sorted(len(ids) for grouping, ids in reads if grouping == free and ids is not None) == [8, 32]
    assert len(library.index.indexed_ids()) == 40 and precise(library, "第17号简报") == [
        row["id"] for row in library.catalogue.summaries() if row["title"] == "第17号简报"]
    library.close()


def test_the_parse_workers_are_gone_before_the_last_commit(home, tmp_path, monkeypatch):
    """The last index commit (and the merge it may start, the ingest's largest moment) runs after the worker pool
    ended: the parse generator is run to its end, not left suspended with its workers alive until collected. The
    worker that makes the tokens of the documents the commit indexes again (fed, then joined by a near-duplicate)
    ends within it, before the writer commits."""
    from sucai.index import Feed

    events: list[str] = []
    commit = Feed.commit

    def tracked(run):
        def run_tracked(function, *args, **kwargs):
            yield from run(function, *args, **kwargs)
            events.append(f"{function.__name__} ended")
        return run_tracked

    def committed(self, *before_commit):
        events.append("commit")
        commit(self, *before_commit)
        events.append("committed")

    for name in ("run_budgeted", "run_budgeted_as_done"):   # the tokens' worker, the parse workers
        monkeypatch.setattr(sucai.ingest, name, tracked(getattr(sucai.ingest, name)))
    monkeypatch.setattr(Feed, "commit", committed)
    for n in range(3):   # near-duplicates: the second and third join the first, fed before them
        (tmp_path / f"{n}.txt").write_text(f"第{n}号简报\n本期编号{n}。" + "各项工作有序推进。" * 20, encoding="utf-8")
    summary = Library.open(home).ingest([tmp_path], workers=2)
    assert summary.counts["ingested"] == 3, summary.outcomes
    assert events[-4:] == ["_parse_job ended", "commit", "_tokens_job ended", "committed"]


def test_discover_follows_linked_folders_once(tmp_path):
    """A folder linked into the ingested one is walked (its files were passed over in silence), a link back
    to a folder above is not walked again, and hidden entries stay out. (The linked folder lies in the one
    ingested, here a hidden one that the walk itself passes over: a link out of it is not followed, see below.)"""
    from sucai.ingest import discover

    top = tmp_path / "top"
    elsewhere = top / ".elsewhere"
    (top / "own").mkdir(parents=True)
    (elsewhere / "sub").mkdir(parents=True)
    (top / "own" / "a.txt").write_text("甲", encoding="utf-8")
    (elsewhere / "sub" / "b.txt").write_text("乙", encoding="utf-8")
    (elsewhere / ".c.txt").write_text("丙", encoding="utf-8")
    (top / "linked").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "sub" / "loop").symlink_to(top, target_is_directory=True)

    files, missing = discover([top])

    assert files == [top / "own" / "a.txt", top / "linked" / "sub" / "b.txt"]   # the shallower first
    assert missing == []


def test_of_a_batchs_exact_duplicates_the_copy_kept_is_not_named_as_a_copy_else_the_shallower(home, tmp_path):
    """verify31: a folder holding 人民城市.txt and sub/人民城市(1).txt (the same text) stored the copy and called the
    original 重复, as "sub/" sorts before Chinese names. The kept one is the file whose name is not a copy's
    (「(1)」「（2）」「 - 副本」「副本」「copy」), else the shallower, else the first by path."""
    city, plan = "人民城市人民建，人民城市为人民。\n城市建设要坚持以人民为中心。\n", "规划的正文。\n"
    notice, report = "通知的正文。\n", "报告的正文。\n"
    files = {"人民城市.txt": city, "sub/人民城市(1).txt": city, "人民城市 - 副本.txt": city, "b/人民城市 copy.txt": city,
             "规划(1).txt": plan, "sub/规划.txt": plan,   # a name not a copy's over a shallower path
             "a/b/通知.txt": notice, "z/通知.txt": notice, "报告（2）.txt": report, "报告 (3).txt": report}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")

    summary = json.loads(cli("ingest", str(tmp_path), "--json"))

    kept = {Path(o["path"]).relative_to(tmp_path).as_posix() for o in summary["files"] if o["status"] == "ingested"}
    assert kept == {"人民城市.txt", "sub/规划.txt", "z/通知.txt", "报告 (3).txt"}
    assert summary["counts"]["duplicate"] == 6



@pytest.mark.parametrize("copy", ["通知 副本 2", "Copy of 通知", "copy (2) of 通知"])
def test_a_copys_name_of_finder_windows_xp_or_drive_is_not_kept_over_the_original(tmp_path, copy):
    """verify32: 「Copy of 通知.txt」 (Windows XP, Google Drive) and 「通知 副本 2.txt」 (macOS Finder in Chinese) were
    not copies' names: of the same text the copy, shallower than sub/通知.txt, was kept and the original called 重复."""
    from sucai.ingest import discover
    for name in (f"{copy}.txt", "sub/通知.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("通知的正文。\n", encoding="utf-8")
    files, _ = discover([tmp_path])
    assert [file.relative_to(tmp_path).as_posix() for file in files] == ["sub/通知.txt", f"{copy}.txt"]

def test_a_link_out_of_the_ingested_folder_is_skipped_unread(tmp_path):
    """Attack 19b: a folder from outside (an unpacked archive, a scraper's output) may hold symbolic links; a link
    ``通知.txt → /proc/self/environ`` or ``→ ~/.ssh/id_rsa`` was followed and its target's text stored as a document
    that visitors could read (the ingest's environment, with its secrets). A link inside a walked folder — to a file
    or a folder — is followed only to what lies in the folder named; any other is 跳过 with its target, unread. The
    folder named itself may be a link (the operator chose it)."""
    from sucai.ingest import discover

    secret, top = tmp_path / "secret", tmp_path / "top"
    (secret / "keys").mkdir(parents=True)
    (secret / "id_rsa").write_text("私钥", encoding="utf-8")
    (secret / "keys" / "token.txt").write_text("令牌", encoding="utf-8")
    (top / "sub").mkdir(parents=True)
    (top / "sub" / "ok.txt").write_text("甲", encoding="utf-8")
    (top / "通知.txt").symlink_to(secret / "id_rsa")
    (top / "sub" / "用户.txt").symlink_to("/etc/passwd")
    (top / "sub" / "钥匙").symlink_to(secret / "keys", target_is_directory=True)
    (top / "sub" / "旁边.txt").symlink_to(top / "sub" / "ok.txt")   # inside: followed
    (tmp_path / "named").symlink_to(top, target_is_directory=True)

    files, passed = discover([tmp_path / "named"])

    named = tmp_path / "named"
    assert files == [named / "sub" / "ok.txt", named / "sub" / "旁边.txt"]
    assert [(Path(o.path).relative_to(named).as_posix(), o.status, o.reason) for o in passed] == [
        ("sub/用户.txt", "skipped", "链接指向所选文件夹之外（/etc/passwd），未读取；如需入库，请直接指定该路径"),
        ("sub/钥匙", "skipped", f"链接指向所选文件夹之外（{secret / 'keys'}），未读取；如需入库，请直接指定该路径"),
        ("通知.txt", "skipped", f"链接指向所选文件夹之外（{secret / 'id_rsa'}），未读取；如需入库，请直接指定该路径"),
    ]


def test_entries_a_folder_walk_passes_over_are_reported_and_a_pipe_is_never_opened(tmp_path, cli, monkeypatch):
    """Attack 12: a dangling link (a file on a share not mounted), a named pipe and an unreadable folder in an
    ingested folder were passed over in silence, exit 0 ("every file 已入库"). Each is now 跳过 with why, and the
    exit says some files were not ingested (5: the others were)."""
    from sucai.ingest import discover

    top = tmp_path / "in"
    (top / "locked").mkdir(parents=True)
    (top / "ok.txt").write_text("关于做好基层减负工作的通知\n各单位：为切实减轻基层负担，现就有关事项通知如下。\n", encoding="utf-8")
    (top / "locked" / "a.txt").write_text("甲", encoding="utf-8")
    (top / "dangling.docx").symlink_to("/nonexistent-nas/年度工作总结.docx")
    (top / "loop.txt").symlink_to(top / "loop.txt")
    os.mkfifo(top / "pipe.txt")   # opening it for reading would wait for a writer: the test would hang
    (top / ".hidden-pipe").symlink_to("/nonexistent")   # hidden entries stay out, silently, as before
    scandir = os.scandir

    def denied(path="."):   # the tests run as root, whom no permission stops
        if isinstance(path, (str, Path)) and Path(path) == top / "locked":   # (shutil gives file descriptors)
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    files, passed = discover([top])
    assert files == [top / "ok.txt"]
    assert [(Path(o.path).name, o.status, o.reason) for o in passed] == [
        ("dangling.docx", "skipped", "链接指向的位置不存在（/nonexistent-nas/年度工作总结.docx），可能是共享盘未连接或文件已移走"),
        ("locked", "skipped", "无法读取此文件夹（没有权限），其中的文件未入库"),
        ("loop.txt", "skipped", "无法访问（符号链接循环）"),
        ("pipe.txt", "skipped", "不是普通文件（命名管道），未读取"),
    ]
    status, printed, _ = cli("ingest", str(top))
    assert status == 5 and "不是普通文件（命名管道）" in printed and "链接指向的位置不存在" in printed
    named = [line.split("│")[1].strip() for line in printed.splitlines() if line.count("│") == 4]
    assert sorted(named) == ["dangling.docx", "locked", "loop.txt", "pipe.txt"]   # by where they lie, as the others
    status, printed, _ = cli("ingest", str(top / "pipe.txt"))     # given itself: nothing ingested
    assert status == 6 and "不是普通文件（命名管道）" in printed


def _as_done_reversed(monkeypatch) -> None:
    """The parses of a batch done in the reverse of input order (as when the first files are slow scans)."""
    real = sucai.ingest.run_budgeted_as_done

    def reversed_order(*args, **kwargs):
        return reversed(list(real(*args, **kwargs)))

    monkeypatch.setattr(sucai.ingest, "run_budgeted_as_done", reversed_order)


@pytest.mark.parametrize("done_reversed", [False, True])
def test_exact_copies_end_as_in_input_order_whatever_order_their_parses_end_in(make_home, tmp_path, monkeypatch,
                                                                              done_reversed):
    """Each file is stored as its parse is done (issue 17), so copies of one text may be stored in any order; the
    outcome must not depend on it: the first copy in input order is 已入库, the later ones 重复 of it, and the
    document is the best copy (a Unicode file over a GB18030 one), of equal copies the first in input order.
    Hand-checked: 甲/乙 are equal copies (甲 kept); 丙 (GB18030) is worse than 丁 (UTF-8): 丙 已入库, 丁's copy kept."""
    if done_reversed:
        _as_done_reversed(monkeypatch)
    folder = tmp_path / "in"
    folder.mkdir()
    same = "关于开展安全生产检查的通知\n各单位：请于本月底前完成自查。"
    other = "关于做好防汛工作的通知\n各单位：请于汛期前完成隐患排查。"
    (folder / "1甲.txt").write_text(same, encoding="utf-8")
    (folder / "2乙.txt").write_text(same, encoding="utf-8")
    (folder / "3丙.txt").write_bytes(other.encode("gb18030"))
    (folder / "4丁.txt").write_text(other, encoding="utf-8")
    library = Library.open(make_home(tmp_path / "home"))
    summary = library.ingest([folder], workers=1)
    assert [(Path(o.path).name, o.status) for o in summary.outcomes] == [
        ("1甲.txt", "ingested"), ("2乙.txt", "duplicate"), ("3丙.txt", "ingested"), ("4丁.txt", "duplicate")]
    ids = {Path(o.path).name: o.doc_id for o in summary.outcomes}
    assert ids["1甲.txt"] == ids["2乙.txt"] != ids["3丙.txt"] == ids["4丁.txt"]
    assert summary.outcomes[1].reason == f"与文档 {ids['1甲.txt']} 内容相同"
    stored = {doc.id: Path(doc.source_path).name for doc in library.catalogue.documents()}
    assert stored == {ids["1甲.txt"]: "1甲.txt", ids["3丙.txt"]: "4丁.txt"}
    records = library.catalogue.file_records([path_text((folder / name).resolve()) for name in ids])
    assert sorted((Path(r.path).name, r.status, r.doc_id) for r in records.values()) == [
        ("1甲.txt", "ingested", ids["1甲.txt"]), ("2乙.txt", "duplicate", ids["1甲.txt"]),
        ("3丙.txt", "ingested", ids["3丙.txt"]), ("4丁.txt", "duplicate", ids["3丙.txt"])]


@needs_tesseract
@needs_font
def test_a_slow_scan_holds_none_of_the_files_behind_it(home, tmp_path):
    """One scan's OCR (seconds a page) held the files parsed after it unstored, and the bar still (issue 17): each
    file is stored as its parse is done — the text files behind the scan are stored, and counted done, while the
    scan is read by the other worker (those whose parses were ready together stored at once: each is stored when
    it is told); the end report is in input order."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "0扫描.pdf").write_bytes(image_bytes(render_page(SCAN_LINES), "PDF"))
    for n in range(1, 5):
        (folder / f"{n}通知.txt").write_text(f"第{n}号通知\n各单位：请做好第{n}项工作。", encoding="utf-8")
    library = Library.open(home)
    decided = []   # (file whose outcome was just told, documents stored then, files done then)

    def progress(event) -> None:
        if event.path is not None:
            decided.append((Path(event.path).name, library.catalogue.stats()["documents"], event.done))

    summary = library.ingest([folder], progress, workers=2)
    assert [name for name, _, _ in decided] == [f"{n}通知.txt" for n in range(1, 5)] + ["0扫描.pdf"]
    assert [done for _, _, done in decided[:4]] == [1, 2, 3, 4]
    assert all(done <= stored <= 4 for _, stored, done in decided[:4]), decided
    assert [(Path(o.path).name, o.status) for o in summary.outcomes] == [
        ("0扫描.pdf", "ingested")] + [(f"{n}通知.txt", "ingested") for n in range(1, 5)]


def test_a_scan_skipped_for_want_of_the_chinese_model_is_read_again_once_it_is_installed(monkeypatch, tmp_path):
    """Review 17: what a skipped file's outcome depended on named Tesseract installed or not, so a scan skipped
    for want of chi_sim stayed 未再尝试 after the operator installed it, as the reason told them to."""
    from sucai.budget import Budget
    from sucai.ingest import attempt
    from sucai.readers import ocr
    if ocr.missing() is not None:
        pytest.skip(f"needs Tesseract with chi_sim: {ocr.missing()}")
    budget = Budget(seconds=60, memory_mb=1024, max_pages=10)
    installed = attempt(budget)
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))   # a folder with no language model
    assert "chi_sim" in ocr.missing() and attempt(budget) != installed


def test_the_ingests_process_looks_whether_it_grew_after_each_document_it_stores(home, tmp_path, monkeypatch):
    """A process behind its workers never waits for them: after each stored document it gives freed memory back
    when it grew (``memory.give_back_if_grown``), not only while it waits."""
    looked = []
    monkeypatch.setattr(sucai.ingest, "give_back_if_grown", lambda: looked.append(len(looked)))
    for number in range(3):
        (tmp_path / f"通知{number}.txt").write_text(f"关于第{number}项工作的通知\n\n现将有关事项通知如下：第{number}项。\n",
                                                  encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([tmp_path]).counts["ingested"] == 3
    library.close()
    assert len(looked) >= 3


def _parse_fields(doc) -> dict:
    """What a parse gives a stored document (all but its id, ingest time and hidden flag)."""
    return {"title": doc.title, "genre": doc.genre, "doc_number": doc.doc_number, "date": doc.date,
            "source": doc.source, "text": doc.text, "paid_from": doc.paid_from, "counted_chars": doc.counted_chars,
            "outline": [n.to_dict() for n in doc.outline], "elements": [e.to_dict() for e in doc.elements],
            "evidence": [e.to_dict() for e in doc.evidence], "free_metadata": doc.free_metadata}


def test_reread_gives_an_older_parse_what_a_fresh_ingest_gives_ids_kept(make_home, tmp_path):
    """A library an older sucai made keeps its parse: ``ingest`` finds its files 未变化. ``ingest --reread`` reads
    them again as changed files: each stored parse that differs from today's is replaced (已更新, its id kept —
    and so what members keep of it), the same one is 未变化 and not written, and the library ends with the fields
    a fresh ingest of the same files into another library gives (the oracle)."""
    from test_dedupe import sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    names = ["04_述职报告.txt", "07_实施方案.txt", "09_通知.txt"]
    for name in names:
        (folder / name).write_text(sample(name), encoding="utf-8")
    fresh = Library.open(make_home(tmp_path / "fresh"))
    fresh.ingest([folder], workers=1)
    expected = {Path(d.source_path).name: _parse_fields(d) for d in fresh.catalogue.documents()}
    home = make_home(tmp_path / "old")
    library = Library.open(home)
    ids = {Path(o.path).name: o.doc_id for o in library.ingest([folder], workers=1).outcomes}
    with library.catalogue.db.transaction() as conn:   # as an older parse stored two of them
        conn.execute(sql("UPDATE documents SET genre = '其他', date = NULL, source = NULL, outline = '[]', "
                         "free_metadata = NULL WHERE id IN (:a, :b)"), {"a": ids[names[0]], "b": ids[names[2]]})
    library.catalogue.update(ids[names[0]], title="述职报告（修订）")        # what an admin set stays:
    library.catalogue.update(ids[names[1]], paid_from=20)                 # a title, a members part
    library.index.sync()
    assert {o.status for o in library.ingest([folder], workers=1).outcomes} == {"unchanged"}   # no reread: kept
    changes = library.catalogue.change_count()
    summary = json.loads(cli("ingest", str(folder), "--reread", "--json", "--home", str(home)))
    statuses = {Path(f["path"]).name: (f["status"], f["doc_id"]) for f in summary["files"]}
    assert statuses == {names[0]: ("updated", ids[names[0]]), names[1]: ("unchanged", ids[names[1]]),
                        names[2]: ("updated", ids[names[2]])}
    assert summary["counts"]["updated"] == 2 and summary["counts"]["unchanged"] == 1
    assert library.catalogue.change_count() == changes + 2   # the unchanged one not written
    got = {Path(d.source_path).name: _parse_fields(d) for d in library.catalogue.documents()}
    admin = {names[0]: {"title": "述职报告（修订）"}, names[1]: {"paid_from": 20}}
    for name, fields in admin.items():
        assert {field: got[name].pop(field) for field in fields} == fields
        assert {field: expected[name].pop(field) for field in fields} != fields
        for view in (got, expected):   # what the edit changes besides
            view[name].pop("free_metadata"), view[name].pop("evidence")
    assert got == expected
    assert expected[names[2]]["genre"] == "通知" and expected[names[2]]["outline"]   # the patch undone, not kept
    reread = Library.open(home)
    assert precise(reread, "通知") and sorted(reread.index.indexed_ids()) == sorted(ids.values())
    again = json.loads(cli("ingest", str(folder), "--reread", "--json", "--home", str(home)))
    assert again["counts"]["unchanged"] == 3 and again["counts"]["updated"] == 0


def _stale(home: Path) -> int:
    with Catalogue(load_settings(home).database("catalogue")).db.read() as conn:
        return conn.execute(sql("SELECT count(*) FROM documents WHERE source = '旧的来源'")).scalar_one()


def test_a_killed_reread_resumes(home, tmp_path):
    """``ingest --reread`` killed (SIGKILL) midway leaves a consistent library — each document its old parse or the
    new one, ``check-integrity`` clean — and run again it finishes: every stale parse replaced, nothing added."""
    folder = tmp_path / "many"
    folder.mkdir()
    count = 160
    for n in range(count):
        (folder / f"{n:03d}.txt").write_text(f"第{n}号工作简报\n本期编号{n:03d}。" + "各项工作有序推进。" * 100, encoding="utf-8")
    cli("ingest", str(folder), "--json")
    with Catalogue(load_settings(home).database("catalogue")).db.transaction() as conn:   # an older parse's 来源
        conn.execute(sql("UPDATE documents SET source = '旧的来源'"))
    proc = subprocess.Popen([sys.executable, "-m", "sucai", "ingest", str(folder), "--reread"],
                            env={**os.environ, "SUCAI_HOME": str(home)}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _stale(home) > count - 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stale = _stale(home)
    assert 0 < stale < count, "the kill did not land in the middle of the reread"
    cli("check-integrity")
    summary = json.loads(cli("ingest", str(folder), "--reread", "--json"))
    assert (summary["counts"]["updated"], summary["counts"]["unchanged"]) == (stale, count - stale)
    assert _stale(home) == 0 and _stored(home) == count
    cli("check-integrity")
    library = Library.open(home)
    assert library.index.searcher().num_docs == count and len(precise(library, "本期编号123")) == 1


def test_a_document_read_again_takes_its_place_among_its_versions_again(home, tmp_path):
    """Of two near-duplicates, the representative is the better copy (more metadata: :func:`sucai.dedupe.quality`).
    An older parse that left the first without 文种, 日期, 来源 made the second the representative; read again
    with today's parse, the first is the representative again — as a fresh ingest of the two makes it."""
    from test_dedupe import edited, sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    notice = sample("09_通知.txt")
    (folder / "a.txt").write_text(notice, encoding="utf-8")
    (folder / "b.txt").write_text(edited(notice, 0.02), encoding="utf-8")
    library = Library.open(home)
    first, second = (o.doc_id for o in library.ingest([folder], workers=1).outcomes)
    assert [v.id for v in library.clusters.versions(first)] == [first, second]   # the fresh ingest's order
    with library.catalogue.db.transaction() as conn:   # as an older parse stored the first
        conn.execute(sql("UPDATE documents SET genre = '其他', date = NULL, doc_number = NULL, source = NULL "
                         "WHERE id = :id"), {"id": first})
    library.clusters.changed(first)
    assert [v.id for v in library.clusters.versions(first)] == [second, first]
    assert library.ingest([folder / "a.txt"], workers=1, reread=True).counts["updated"] == 1
    assert [v.id for v in library.clusters.versions(first)] == [first, second]



def _one_sample_ingested(home, tmp_path, name, sample_name):
    """(folder, path, text, library, outcome): the bundled sample ``sample_name`` written as ``inbox/name`` and
    ingested alone, the library left open."""
    from test_dedupe import sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    path = folder / name
    text = sample(sample_name)
    path.write_text(text, encoding="utf-8")
    library = Library.open(home)
    [first] = library.ingest([folder], workers=1).outcomes
    return folder, path, text, library, first


@pytest.mark.parametrize("reread", [False, True])
def test_a_file_edited_on_disk_is_a_new_version_of_its_document_in_place(home, tmp_path, reread):
    """A source file edited on disk (the same path, 5 % of its characters changed) is a new version of the document
    its earlier text made: that document takes the new text in its place — its id, and so favourites and links,
    and its hidden flag kept —, 已更新, the old text no longer found; a plain ingest and ``--reread`` agree. A
    file written over with another document entirely (a similarity far below the clusters' 0.5) is a new document,
    the old one kept."""
    from test_dedupe import edited, sample

    folder, path, notice, library, first = _one_sample_ingested(home, tmp_path, "通知.txt", "09_通知.txt")
    library.catalogue.set_hidden(first.doc_id, True)
    new = edited(notice, 0.05)
    assert dedupe.JACCARD <= dedupe.jaccard(dedupe.shingles(notice), dedupe.shingles(new)) < 1
    path.write_text(new, encoding="utf-8")
    flag = ["--reread"] if reread else []
    summary = json.loads(cli("ingest", str(folder), "--json", *flag))
    assert [(f["status"], f["doc_id"]) for f in summary["files"]] == [("updated", first.doc_id)]
    library = Library.open(home)
    doc = library.catalogue.get(first.doc_id)
    assert doc.hidden and len(library.catalogue.summaries(include_hidden=True)) == 1
    assert dedupe.text_hash(doc) == dedupe.text_hash(sucai.ingest.parse_file(path))   # the new text, whole
    library.catalogue.set_hidden(first.doc_id, False)
    library.index.sync()
    changed = next(n for n in range(0, len(new) - 12) if new[n:n + 12] != notice[n:n + 12] and "\n" not in new[n:n + 12])
    assert precise(library, new[changed:changed + 12]) == [first.doc_id] and not precise(library, notice[changed:changed + 12])
    cli("check-integrity")
    assert json.loads(cli("ingest", str(folder), "--json"))["counts"]["unchanged"] == 1   # nothing changed since
    (tmp_path / "copy.txt").write_text(new, encoding="utf-8")   # the new text is the document's now: a copy is 重复
    [copy] = json.loads(cli("ingest", str(tmp_path / "copy.txt"), "--json"))["files"]
    assert (copy["status"], copy["doc_id"]) == ("duplicate", first.doc_id)
    # another document written over it: stored beside the old one, which stays
    path.write_text(sample("04_述职报告.txt"), encoding="utf-8")
    [other] = json.loads(cli("ingest", str(folder), "--json", *flag))["files"]
    assert other["status"] == "ingested" and other["doc_id"] != first.doc_id
    assert Library.open(home).catalogue.get(first.doc_id).text == doc.text


def test_a_file_read_again_without_source_keeps_the_source_the_operator_gave(home, tmp_path):
    """The 来源 an operator gave with ``--source`` to a file that names none stays the document's when the file is
    read again without it — ``--reread`` after an upgrade (the same parse: 未变化, nothing written), an edit on disk
    (已更新) —: it fell to 未注明, and a ``--reread`` of an unchanged folder was 已更新 throughout (user25). A 来源
    given again replaces it."""
    from test_dedupe import edited, sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    speech = sample("06_讲话稿.txt")
    (folder / "讲话.txt").write_text(speech, encoding="utf-8")
    library = Library.open(home)
    [first] = library.ingest([folder], workers=1, source="某网站").outcomes
    assert sucai.ingest.parse_file(folder / "讲话.txt").source is None   # the file names none itself

    def read_again(**options) -> tuple[str, str | None]:
        [outcome] = library.ingest([folder], workers=1, **options).outcomes
        assert outcome.doc_id == first.doc_id
        return outcome.status, library.catalogue.get(first.doc_id).source

    assert read_again(reread=True) == ("unchanged", "某网站")
    (folder / "讲话.txt").write_text(edited(speech, 0.03), encoding="utf-8")
    assert read_again() == ("updated", "某网站")
    assert read_again(reread=True, source="另一网站") == ("updated", "另一网站")
    assert read_again(reread=True) == ("unchanged", "另一网站")


def test_a_new_version_is_not_taken_over_another_file_of_the_old_text_nor_over_an_admins_boundary(home, tmp_path):
    """Nothing is lost: a file edited on disk whose old text another file still holds (a copy, 重复 of it) is a new
    document, the old one kept for that copy. A new version that would lose a member boundary an admin drew
    (offsets over text of another layout) is not taken: 保留原有 with the reason, the document as it was, the
    file's record not written — the next run tells it again —; the CLI counts it, lists it, and exits 0."""
    from test_dedupe import edited, sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    notice, plan = sample("09_通知.txt"), sample("07_实施方案.txt")
    (folder / "a.txt").write_text(notice, encoding="utf-8")
    (folder / "b.txt").write_text(notice, encoding="utf-8")
    (folder / "c.txt").write_text(plan, encoding="utf-8")
    library = Library.open(home)
    a, b, c = library.ingest([folder], workers=1).outcomes
    assert (a.status, b.status, b.doc_id) == ("ingested", "duplicate", a.doc_id)
    (folder / "a.txt").write_text(edited(notice, 0.05), encoding="utf-8")
    library.catalogue.update(c.doc_id, paid_from=30)
    before = _parse_fields(library.catalogue.get(c.doc_id, preview=False))
    (folder / "c.txt").write_text(edited(plan, 0.05), encoding="utf-8")
    summary = json.loads(cli("ingest", str(folder), "--json"))
    files = {Path(f["path"]).name: f for f in summary["files"]}
    assert files["a.txt"]["status"] == "ingested" and files["a.txt"]["doc_id"] not in (a.doc_id, c.doc_id)
    old_text = dedupe.text_hash(sucai.ingest.parse_file(folder / "b.txt"))
    assert dedupe.text_hash(Library.open(home).catalogue.get(a.doc_id)) == old_text   # kept for b.txt
    for _ in range(2):   # told again: the file's record was not written
        assert (files["c.txt"]["status"], files["c.txt"]["doc_id"], summary["counts"]["kept"]) == ("kept", c.doc_id, 1)
        assert f"文档 {c.doc_id} " in files["c.txt"]["reason"] and "保留原有文档" in files["c.txt"]["reason"]
        assert _parse_fields(Library.open(home).catalogue.get(c.doc_id, preview=False)) == before
        summary = json.loads(cli("ingest", str(folder), "--json"))
        files = {Path(f["path"]).name: f for f in summary["files"]}
    table = cli("ingest", str(folder / "c.txt"))   # 保留原有 alone: exit 0
    assert "保留原有" in table and "c.txt" in table


@pytest.mark.parametrize("reread", [False, True])
def test_a_new_version_takes_the_members_part_where_its_files_tags_now_stand(home, tmp_path, reread):
    """A file whose members part its own tags mark ($$paidbegin$$, no admin's boundary), edited on disk before that
    part (words added: the part now starts later), is its document's new version, 已更新, the part where the tags
    stand in the new text — it was 保留原有 on every edit that moved the tags, as if an admin had drawn the boundary
    (one drawn around other members text still keeps the document as it was, 保留原有)."""
    folder, path, report, library, first = _one_sample_ingested(home, tmp_path, "述职.txt", "04_述职报告.txt")
    old = library.catalogue.get(first.doc_id, preview=False)
    assert old.paid_from is not None and report.count("基层") >= 2 and report.index("基层") < report.index("$$paidbegin")
    tag = report.index("$$paidbegin")
    path.write_text(report[:tag].replace("基层", "基层一线") + report[tag:], encoding="utf-8")
    summary = json.loads(cli("ingest", str(folder), "--json", *(["--reread"] if reread else [])))
    assert [(f["status"], f["doc_id"]) for f in summary["files"]] == [("updated", first.doc_id)]
    doc = Library.open(home).catalogue.get(first.doc_id, preview=False)
    added = old.text[:old.paid_from].count("基层") * len("一线")
    assert (doc.paid_from, doc.text[doc.paid_from:]) == (old.paid_from + added, old.text[old.paid_from:])
    assert doc.text[:doc.paid_from] == old.text[:old.paid_from].replace("基层", "基层一线")
    Library.open(home).catalogue.update(first.doc_id, paid_from=doc.paid_from + 10)   # an admin's: 10 more free
    path.write_text(report[:tag].replace("基层", "基层一线线") + report[tag:], encoding="utf-8")
    summary = json.loads(cli("ingest", str(folder), "--json", *(["--reread"] if reread else [])))
    assert [(f["status"], f["doc_id"]) for f in summary["files"]] == [("kept", first.doc_id)]


def test_a_reread_lists_the_source_files_gone_and_removes_nothing(home, tmp_path):
    """``ingest --reread DIR`` reports the files recorded under DIR (made or matched a document) that are gone from
    the disk — 消失的源文件 N 份, each with its document's id, in ``--json`` too — and removes nothing; a file of
    another folder, a file that is still there (a GBK name too, recorded under a key that is not its path) and a
    plain ingest report none."""
    folder, elsewhere = tmp_path / "材料", tmp_path / "材料二"
    (folder / "子").mkdir(parents=True)
    elsewhere.mkdir()
    texts = {folder / "a.txt": "关于甲项工作的通知\n现将甲项工作安排通知如下，请认真贯彻执行。\n",
             folder / "子" / "b.txt": "关于乙项工作的报告\n乙项工作已经全面完成，现将有关情况报告如下。\n",
             elsewhere / "c.txt": "关于丙项工作的意见\n丙项工作要坚持问题导向，抓好落实。\n"}
    texts[folder / "copy.txt"] = texts[folder / "a.txt"]
    texts[folder / os.fsdecode("你好.txt".encode("gbk"))] = "关于丁项工作的函\n丁项工作请贵单位予以支持配合。\n"   # a key not its path
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    ids = {Path(f["path"]).name: f["doc_id"] for f in json.loads(cli("ingest", str(folder), str(elsewhere), "--json"))["files"]}
    for name in ("a.txt", "子/b.txt"):
        (folder / name).unlink()
    (elsewhere / "c.txt").unlink()
    summary = json.loads(cli("ingest", str(folder), "--reread", "--json"))
    assert summary["gone"] == [{"path": str((folder / name).resolve()), "doc_id": ids[Path(name).name]}
                               for name in ("a.txt", "子/b.txt")]
    assert json.loads(cli("ingest", str(folder), "--json"))["gone"] == []
    report = cli("ingest", str(folder), "--reread")
    assert "消失的源文件 2 份" in report and f"a.txt（文档 {ids['a.txt']}）" in report
    assert f"子/b.txt（文档 {ids['b.txt']}）" in report
    library = Library.open(home)
    assert len(library.catalogue.summaries(include_hidden=True)) == 4   # nothing removed


def test_a_file_renamed_keeps_its_record_and_a_copy_is_a_duplicate(home, tmp_path):
    """A file renamed or moved (its old path gone) is 未变化, the old path named, its record moved — a ``--reread``
    lists no source file gone and reads it as its document's own file (its 文件 now the new path), and edited later
    it is its document's new version —; a copy beside a file that is still there is 重复 of it, as before."""
    from test_dedupe import edited, sample

    folder = tmp_path / "inbox"
    (folder / "归档").mkdir(parents=True)
    notice = sample("09_通知.txt")
    (folder / "草稿.txt").write_text(notice, encoding="utf-8")
    (folder / "方案.txt").write_text(sample("07_实施方案.txt"), encoding="utf-8")
    ids = {Path(f["path"]).name: f["doc_id"] for f in json.loads(cli("ingest", str(folder), "--json"))["files"]}
    (folder / "草稿.txt").rename(folder / "归档" / "定稿.txt")
    (folder / "归档" / "方案副本.txt").write_bytes((folder / "方案.txt").read_bytes())
    summary = json.loads(cli("ingest", str(folder), "--json"))
    files = {Path(f["path"]).name: f for f in summary["files"]}
    old = (folder / "草稿.txt").resolve()
    assert (files["定稿.txt"]["status"], files["定稿.txt"]["doc_id"], files["定稿.txt"]["reason"]) == (
        "unchanged", ids["草稿.txt"], f"由 {old} 改名或移来")
    assert (files["方案副本.txt"]["status"], files["方案副本.txt"]["doc_id"]) == ("duplicate", ids["方案.txt"])
    reread = json.loads(cli("ingest", str(folder), "--json", "--reread"))
    statuses = {Path(f["path"]).name: (f["status"], f["doc_id"]) for f in reread["files"]}
    assert reread["gone"] == [] and statuses["定稿.txt"] == ("updated", ids["草稿.txt"])   # its own file, read again:
    assert Path(Library.open(home).catalogue.get(ids["草稿.txt"]).source_path).name == "定稿.txt"   # where it is now
    (folder / "方案.txt").rename(folder / "归档" / "方案二.txt")   # renamed, then read again at once: the same
    reread = json.loads(cli("ingest", str(folder), "--json", "--reread"))
    statuses = {Path(f["path"]).name: f["status"] for f in reread["files"]}
    assert statuses["方案二.txt"] == "updated"
    assert Path(Library.open(home).catalogue.get(ids["方案.txt"]).source_path).name == "方案二.txt"
    (folder / "归档" / "定稿.txt").write_text(edited(notice, 0.05), encoding="utf-8")
    [again] = json.loads(cli("ingest", str(folder / "归档" / "定稿.txt"), "--json"))["files"]
    assert (again["status"], again["doc_id"]) == ("updated", ids["草稿.txt"])


def _reread(folder: Path) -> tuple[dict[str, tuple[str, int]], dict]:
    summary = json.loads(cli("ingest", str(folder), "--reread", "--json"))
    return {Path(f["path"]).name: (f["status"], f["doc_id"]) for f in summary["files"]}, summary["counts"]


def test_a_reread_of_two_copies_in_two_encodings_writes_nothing_run_after_run(home, tmp_path):
    """One text in a GBK file and a UTF-8 one (the corpus's raw_gbk/ beside utf8/): the GBK file, first, is 已入库 and
    the UTF-8 one 重复, the document their better copy, the UTF-8 one (:func:`sucai.dedupe.quality`). Read again, and
    again, the GBK file is 未变化 and the copy 重复, nothing written — the GBK file's parse put back over the better copy
    each time, which the copy then put back, was two writes per file per run —; both files' records stay, and a
    plain ingest agrees — also of the GBK file saved again, its layout changed (the watch folder takes it so). A
    parse of the copy that differs from the stored one (an older sucai's) is read again as the document's: 已更新,
    then 重复 again."""
    from test_dedupe import sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    notice = sample("09_通知.txt")
    (folder / "a.txt").write_bytes(notice.encode("gbk"))
    (folder / "b.txt").write_text(notice, encoding="utf-8")
    first = json.loads(cli("ingest", str(folder), "--json"))["files"]
    first = {Path(f["path"]).name: (f["status"], f["doc_id"]) for f in first}
    doc_id = first["a.txt"][1]
    assert first == {"a.txt": ("ingested", doc_id), "b.txt": ("duplicate", doc_id)}
    library = Library.open(home)
    expected = library.catalogue.get(doc_id)
    assert (expected.encoding, Path(expected.source_path).name) == ("utf-8", "b.txt")
    changes = library.catalogue.change_count()
    keys = [str((folder / name).resolve()) for name in ("a.txt", "b.txt")]
    for _ in range(2):
        statuses, counts = _reread(folder)
        assert statuses == {"a.txt": ("unchanged", doc_id), "b.txt": ("duplicate", doc_id)} and counts["updated"] == 0
        assert library.catalogue.change_count() == changes
        assert _parse_fields(library.catalogue.get(doc_id)) == _parse_fields(expected)
        assert library.catalogue.get(doc_id).source_path == expected.source_path
        records = library.catalogue.file_records(keys)
        assert [(records[key].status, records[key].doc_id) for key in keys] == [("ingested", doc_id),
                                                                                ("duplicate", doc_id)]
    assert json.loads(cli("ingest", str(folder), "--json"))["counts"]["unchanged"] == 2
    (folder / "a.txt").write_bytes((notice + "\n\n").encode("gbk"))   # saved again (the watch folder): its layout only
    [again] = [f for f in json.loads(cli("ingest", str(folder), "--json"))["files"] if f["path"].endswith("a.txt")]
    assert (again["status"], again["doc_id"], library.catalogue.change_count()) == ("unchanged", doc_id, changes)
    assert library.catalogue.get(doc_id).encoding == "utf-8"
    with library.catalogue.db.transaction() as conn:   # as an older parse stored the copy, before the record key (c0008)
        conn.execute(sql("UPDATE documents SET source = '旧的来源', source_key = NULL WHERE id = :id"), {"id": doc_id})
    assert _reread(folder)[0] == {"a.txt": ("unchanged", doc_id), "b.txt": ("updated", doc_id)}
    assert _parse_fields(library.catalogue.get(doc_id)) == _parse_fields(expected)
    assert _reread(folder)[0] == {"a.txt": ("unchanged", doc_id), "b.txt": ("duplicate", doc_id)}


@pytest.mark.parametrize("case", ["name_not_utf8", "names_alike", "deep_path", "link_named", "relative_path"])
def test_a_reread_tells_a_copy_from_its_documents_own_file_by_the_record_key(case, home, tmp_path, monkeypatch):
    """One text in a GBK file and a UTF-8 copy, its better copy (:func:`sucai.dedupe.quality`): the first in input
    order is 已入库, the other 重复, the document's content the UTF-8 file's — whose path as stored (``source_path``)
    is not its record's key (:func:`sucai.ingest.file_key`): a name in GBK bytes (after a.txt, the GBK file; or
    before a UTF-8 name that reads alike, the GBK file's), a path deeper than ``KEY_BYTES``, a link named on the
    command line (the key is its target's), a relative path given to :meth:`Library.ingest`. Read again, run after
    run, the first is 未变化 and the other 重复, nothing written — the GBK file's parse was taken for the stored one
    read again and put over the better copy (which was then put back): a write or two and a wrong 已更新 a run."""
    from test_dedupe import sample

    notice = sample("09_通知.txt")
    folder = tmp_path / "inbox"
    folder.mkdir()
    weaker, paths = folder / "a.txt", [folder]
    gbk_name = Path(os.fsdecode(os.path.join(os.fsencode(folder), "通知副本.txt".encode("gbk"))))
    if case == "name_not_utf8":
        better = gbk_name
    elif case == "names_alike":
        better, weaker = gbk_name, folder / "通知副本.txt"
        paths = [better, weaker]
    elif case == "deep_path":
        better = folder.joinpath(*[f"z{level}" + "层" * 60 for level in range(12)], "b.txt")
    elif case == "link_named":
        better = tmp_path / "elsewhere" / "b.txt"
        paths = [weaker, tmp_path / "link.txt"]
        paths[1].symlink_to(better)
    else:
        better, paths = folder / "b.txt", [Path("inbox")]
        monkeypatch.chdir(tmp_path)
    weaker.write_bytes(notice.encode("gbk"))
    better.parent.mkdir(parents=True, exist_ok=True)
    better.write_text(notice, encoding="utf-8")

    def ingest(*flags: str) -> list[tuple[str, int]]:
        if case == "relative_path":
            summary = Library.open(home).ingest(paths, workers=1, reread="--reread" in flags).to_dict()
        else:
            summary = json.loads(cli("ingest", *map(str, paths), "--workers", "1", "--json", *flags))
        return [(f["status"], f["doc_id"]) for f in summary["files"]]

    [(_, doc_id), _] = first = ingest()
    assert first == [("ingested", doc_id), ("duplicate", doc_id)]
    library = Library.open(home)
    expected = library.catalogue.get(doc_id)
    assert expected.encoding == "utf-8" and expected.source_path != sucai.ingest.file_key(better)   # not its key
    changes = library.catalogue.change_count()
    for _ in range(2):
        assert ingest("--reread") == [("unchanged", doc_id), ("duplicate", doc_id)]
        assert library.catalogue.change_count() == changes
        stored = library.catalogue.get(doc_id)
        assert (_parse_fields(stored), stored.source_path) == (_parse_fields(expected), expected.source_path)


def test_a_reread_keeps_its_own_files_copy_when_better_or_as_good(make_home, tmp_path):
    """A document holding the copy of a file recorded 重复 of it (an older sucai's choice) whose own file (已入库 as
    it) gives a better copy now (UTF-8 over GBK), or one as good (the same bytes: the first in input order wins a
    tie), takes that file's copy on a reread — 已更新 — and ends as a fresh ingest of the files stores it (the
    oracle); the next reread writes nothing."""
    from test_dedupe import sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    notice, plan = sample("09_通知.txt"), sample("07_实施方案.txt")
    (folder / "a.txt").write_text(notice, encoding="utf-8")
    (folder / "b.txt").write_bytes(notice.encode("gbk"))
    (folder / "c.txt").write_text(plan, encoding="utf-8")
    (folder / "d.txt").write_text(plan, encoding="utf-8")
    fresh = Library.open(make_home(tmp_path / "fresh"))
    fresh.ingest([folder], workers=1)
    expected = {Path(d.source_path).name: (_parse_fields(d), d.encoding) for d in fresh.catalogue.documents()}
    assert sorted(expected) == ["a.txt", "c.txt"]
    home = make_home(tmp_path / "old")
    library = Library.open(home)
    ids = {Path(o.path).name: o.doc_id for o in library.ingest([folder], workers=1).outcomes}
    for own, copy in (("a.txt", "b.txt"), ("c.txt", "d.txt")):   # as an older sucai kept the other file's copy
        assert library.catalogue.replace_copy(ids[own], sucai.ingest.parse_file(folder / copy),
                                              sucai.ingest.file_key(folder / copy))
    assert {Path(d.source_path).name for d in library.catalogue.documents()} == {"b.txt", "d.txt"}
    changes = library.catalogue.change_count()
    summary = json.loads(cli("ingest", str(folder), "--reread", "--json", "--home", str(home)))
    statuses = {Path(f["path"]).name: (f["status"], f["doc_id"]) for f in summary["files"]}
    assert statuses == {"a.txt": ("updated", ids["a.txt"]), "b.txt": ("duplicate", ids["a.txt"]),
                        "c.txt": ("updated", ids["c.txt"]), "d.txt": ("duplicate", ids["c.txt"])}
    assert summary["counts"]["updated"] == 2 and library.catalogue.change_count() == changes + 2
    assert {Path(d.source_path).name: (_parse_fields(d), d.encoding) for d in library.catalogue.documents()} == expected
    again = json.loads(cli("ingest", str(folder), "--reread", "--json", "--home", str(home)))
    assert (again["counts"]["unchanged"], again["counts"]["duplicate"], again["counts"]["updated"]) == (2, 2, 0)
    assert library.catalogue.change_count() == changes + 2


def test_a_reread_reads_a_renamed_file_as_its_documents_own_even_when_its_parse_is_worse(home, tmp_path):
    """The stored content names the file's old path, which no record holds any more (its record moved with it): it
    is that file's earlier parse, replaced by today's on a reread (已更新) even when today's is the weaker copy by
    :func:`sucai.dedupe.quality` — an older parse's wrong 发文字号 is not kept as "more metadata" —; then 未变化."""
    from test_dedupe import sample

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "草稿.txt").write_text(sample("07_实施方案.txt"), encoding="utf-8")
    [first] = json.loads(cli("ingest", str(folder), "--json"))["files"]
    library = Library.open(home)
    assert library.catalogue.get(first["doc_id"]).doc_number is None
    with library.catalogue.db.transaction() as conn:   # as an older parse stored it
        conn.execute(sql("UPDATE documents SET doc_number = '某发〔2020〕1号' WHERE id = :id"), {"id": first["doc_id"]})
    (folder / "草稿.txt").rename(folder / "定稿.txt")
    assert _reread(folder)[0] == {"定稿.txt": ("updated", first["doc_id"])}
    doc = library.catalogue.get(first["doc_id"])
    assert (doc.doc_number, Path(doc.source_path).name) == (None, "定稿.txt")
    assert _reread(folder)[0] == {"定稿.txt": ("unchanged", first["doc_id"])}
