"""sucai sync: new documents into a folder, incrementally, with the tier rules (free view by default,
an account's view and quota with --as)."""

from __future__ import annotations

import json
import os
import signal
import threading
from datetime import date
from pathlib import Path

import pytest

from conftest import site_day
from sucai.accounts import Accounts
from sucai.config import load_settings
from sucai.errors import InvalidInput
from sucai.library import Library
import sucai.sync
from sucai.export import export_document
from sucai.sync import MANIFEST, sync

SECRET = "鬯鬲鬳鬴鬵鬶"
PASSWORD = "correct-horse-9"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path, home):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "a.txt", "关于做好秋季防火工作的通知\n一、总体要求\n认真做好秋季防火工作。\n")
    write(inbox, "b.txt", f"关于加强值班值守的通知\n一、总体要求\n严格落实值班制度。\n##paidbegin##\n二、内部安排\n{SECRET}按内部口径执行。\n")
    home.mkdir(exist_ok=True)
    (home / "sucai.toml").write_text("member_daily_downloads = 2\n", encoding="utf-8")
    library = Library.open(home)
    day = site_day()   # read before the documents are added: a day the run may pass the end of, never the start
    library.ingest([inbox], workers=1)
    accounts = Accounts.from_settings(load_settings(home))
    yield {"home": home, "inbox": inbox, "library": library, "accounts": accounts, "out": tmp_path / "out", "day": day}
    accounts.close()
    library.close()


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}


def test_free_view_by_default_and_incremental(site):
    library, out = site["library"], site["out"]
    first = sync(library, out, since=site["day"])
    assert sorted(first.written) == ["关于做好秋季防火工作的通知.md", "关于加强值班值守的通知.md"]
    files = texts(out)
    assert "严格落实值班制度" in files["关于加强值班值守的通知.md"] and SECRET not in "".join(files.values())
    assert "会员可见全文" in files["关于加强值班值守的通知.md"]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert {e["file"] for e in manifest["documents"].values()} == set(files) and not any(
        e["full"] for e in manifest["documents"].values())
    again = sync(library, out, since=site["day"])
    assert (again.written, again.kept) == ([], 2)
    write(site["inbox"], "c.txt", "关于做好冬季供暖工作的通知\n一、总体要求\n保障群众温暖过冬。\n")
    library.ingest([site["inbox"]], workers=1)
    third = sync(library, out, since=site["day"])
    assert (third.written, third.kept) == (["关于做好冬季供暖工作的通知.md"], 2)
    assert sync(library, site["out"].with_name("later"), since=site_day(1)).written == []


def test_a_day_before_every_utc_moment_is_every_document(site, cli):
    """``--since 0001-01-01``: Beijing's midnight of that day is 0000-12-31 16:00 UTC, which Python cannot write —
    it was an 内部错误 (OverflowError, exit 1). It is a day before every document."""
    done = sync(site["library"], site["out"], since=date(1, 1, 1))
    assert sorted(done.written) == ["关于做好秋季防火工作的通知.md", "关于加强值班值守的通知.md"]
    status, printed, said = cli("sync", str(site["out"].with_name("cli")), "--since", "0001-01-01")
    assert status == 0 and "新写入 2 篇" in printed, said


def test_a_query_keeps_matching_documents_only(site):
    done = sync(site["library"], site["out"], since=site["day"], query="防火")
    assert done.written == ["关于做好秋季防火工作的通知.md"]


def test_as_a_member_whole_texts_within_the_daily_quota(site, cli):
    library, accounts, out = site["library"], site["accounts"], site["out"]
    sync(library, out, since=site["day"])                             # free copies first
    member = accounts.add_user("会员", PASSWORD, "member", site_day(30).isoformat())
    upgraded = sync(library, out, since=site["day"], viewer=member, accounts=accounts)
    assert sorted(upgraded.written) == ["关于做好秋季防火工作的通知.md", "关于加强值班值守的通知.md"]
    assert SECRET in texts(out)["关于加强值班值守的通知.md"]          # the free copy became the whole text
    assert accounts.downloads_left(member) == 0
    write(site["inbox"], "c.txt", "关于做好冬季供暖工作的通知\n一、总体要求\n保障群众温暖过冬。\n")
    library.ingest([site["inbox"]], workers=1)
    stopped = sync(library, out, since=site["day"], viewer=member, accounts=accounts)
    assert stopped.written == [] and "上限" in stopped.stopped
    assert len(accounts.audit_log(event="download", user_id=member.user_id)) == 2
    status, _, said = cli("sync", str(out), "--since", site["day"].isoformat(), "--as", "会员")
    assert status == 5 and "提前停止" in said                          # the quota: part done, run again tomorrow
    status, printed, _ = cli("sync", str(site["out"].with_name("cli")), "--since", site["day"].isoformat(), "--format", "docx")
    assert status == 0 and "新写入 3 篇" in printed and "免费部分" in printed
    assert cli("sync", str(out), "--since", "前天")[0] == 2                # not a date: bad usage
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    today = site["day"]
    for written in (f"{today.year}年{today.month}月{today.day}日", f" {today.isoformat().translate(wide)} "):
        # the forms --until and the admin page take: the same day as site["day"].isoformat() above, read again
        status, printed, _ = cli("sync", str(site["out"].with_name(f"cli{written}")), "--since", written,
                                 "--format", "docx")
        assert status == 0 and "新写入 3 篇" in printed, written
    assert cli("sync", str(out), "--since", site["day"].isoformat(), "--as", "没有这个人")[0] == 3
    assert len(list(site["out"].with_name("cli").glob("*.docx"))) == 3


# --- attack 12, find 3: the manifest lies in a folder others may write to; it is not trusted --------------------

def _tampered(out: Path, entries: dict) -> dict[str, bytes]:
    """Set ``entries`` into the manifest of ``out``; what every file under ``out``'s parent holds now."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["documents"].update(entries)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return {str(p): p.read_bytes() for p in out.parent.rglob("*") if p.is_file()}


@pytest.mark.parametrize("entry", [
    {"file": "../written-outside.md", "full": False, "title": "x"},    # above the folder
    {"file": "ABSOLUTE", "full": False, "title": "x"},                 # an absolute path (made below)
    {"file": "sub/inner.md", "full": False, "title": "x"},             # below it: still not a file of the folder
    {"file": MANIFEST, "full": False, "title": "x"},                   # the manifest itself
    "x", {"file": 5, "full": False}, {"full": False}, {"file": "a.md", "full": "yes"}, {"file": "a.md"},
])
def test_a_tampered_manifest_is_refused_and_nothing_is_written(site, cli, entry):
    """Each of these wrote outside the folder (the member's whole text, with --as) or ended in
    内部错误：TypeError / KeyError (exit 1)."""
    library, out = site["library"], site["out"]
    sync(library, out, since=site["day"])
    (out / "sub").mkdir()
    if isinstance(entry, dict) and entry.get("file") == "ABSOLUTE":
        entry = {**entry, "file": str(out.parent / "outside-absolute.md")}
    ids = sorted(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["documents"])
    before = _tampered(out, {ids[0]: entry})
    status, printed, said = cli("sync", str(out), "--since", site["day"].isoformat())
    assert status == 1 and printed == ""
    assert said.startswith("错误：同步清单") and f"中文档 {ids[0]} 的条目无效" in said and "内部错误" not in said
    assert {str(p): p.read_bytes() for p in out.parent.rglob("*") if p.is_file()} == before  # nothing written


def test_a_manifest_nested_too_deep_is_refused(site, cli):
    """Attack 19: JSON nested deeper than Python's reader goes ended in 内部错误：RecursionError."""
    out = site["out"]
    sync(site["library"], out, since=site["day"])
    (out / MANIFEST).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    status, printed, said = cli("sync", str(out), "--since", site["day"].isoformat())
    assert status == 1 and printed == "" and said.startswith("错误：同步清单") and "已损坏" in said, said


def test_two_entries_naming_one_file_are_refused(site, cli):
    library, out = site["library"], site["out"]
    sync(library, out, since=site["day"])
    ids = sorted(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["documents"])
    _tampered(out, {ids[1]: {"file": json.loads((out / MANIFEST).read_text(encoding="utf-8"))["documents"][ids[0]]
                             ["file"].upper(), "full": False}})
    status, _, said = cli("sync", str(out), "--since", site["day"].isoformat())
    assert status == 1 and f"中文档 {ids[1]} 的条目无效" in said


def test_a_link_planted_where_sync_writes_is_replaced_not_followed(site):
    """The temporary file was a fixed name (.NAME.part) written through: a link planted there wrote outside."""
    library, out = site["library"], site["out"]
    out.mkdir()
    victim = out.parent / "victim.txt"
    victim.write_text("原有内容", encoding="utf-8")
    for name in ("关于做好秋季防火工作的通知.md", "关于加强值班值守的通知.md"):
        (out / f".{name}.part").symlink_to(victim)
    (out / "关于做好秋季防火工作的通知.md").symlink_to(victim)
    sync(library, out, since=site["day"])
    assert victim.read_text(encoding="utf-8") == "原有内容"


def test_a_manifest_that_is_no_regular_file_is_refused_unread(site):
    """Attack 19b: the manifest was read whole, whatever it was — a named pipe planted as .sucai-sync.json (a
    shared folder) held the sync for ever, waiting for a writer; a link to /dev/zero filled the memory. It is
    read as every file is (:func:`sucai.readers.file_bytes`): a pipe or device refused unread, without waiting."""
    out = site["out"]
    out.mkdir()
    os.mkfifo(out / MANIFEST)
    caught: list[BaseException] = []
    worker = threading.Thread(target=lambda: _raised(caught, sync, site["library"], out, since=site["day"]),
                              daemon=True)
    worker.start()
    worker.join(60)   # a bound that only ends a hang
    assert not worker.is_alive(), "the sync waits on the pipe"
    assert isinstance(caught[0], InvalidInput) and caught[0].code == "bad_manifest"
    assert caught[0].message == (f"同步清单有误：无法读取 {out / MANIFEST}（不是普通文件，而是文件夹、设备或命名管道），"
                                 "请确认它是文件而不是文件夹，并且有读取权限；删除它会重新写入全部文档")


def _raised(caught: list[BaseException], function, *args, **kwargs) -> None:
    try:
        function(*args, **kwargs)
    except BaseException as error:   # noqa: BLE001 - handed to the test's thread
        caught.append(error)


def test_a_folder_that_cannot_be_made_is_refused_in_chinese(site, tmp_path):
    """The reason was the system's English ("Not a directory"): a path under a file is refused in Chinese."""
    (tmp_path / "文件").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        sync(site["library"], tmp_path / "文件" / "同步", since=site["day"])
    assert caught.value.code == "bad_folder" and caught.value.message.endswith("：路径中有一项不是文件夹")


def test_a_ctrl_c_while_a_document_is_written_is_taken_once_it_is_in_the_manifest(site, monkeypatch):
    """Ctrl+C as a document is made (or inside a database statement, where on PostgreSQL it became an 内部错误) is
    taken before the next document: the sync ends with KeyboardInterrupt, the document it came in written and in the
    manifest, and the next run writes the other one only."""
    made = []

    def interrupted(view, fmt, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)   # Python would raise it at its next bytecode: here, before the export
        made.append(view.title)
        return export_document(view, fmt, **kwargs)

    monkeypatch.setattr(sucai.sync, "export_document", interrupted)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            sync(site["library"], site["out"], since=site["day"])
    finally:
        signal.signal(signal.SIGINT, before)
    manifest = json.loads((site["out"] / MANIFEST).read_text(encoding="utf-8"))
    assert len(made) == 1 and [e["title"] for e in manifest["documents"].values()] == made
    monkeypatch.setattr(sucai.sync, "export_document", export_document)
    assert len(sync(site["library"], site["out"], since=site["day"]).written) == 1
