"""Backups (issue 15): a snapshot taken while 4 writers ingest and 20 clients search, restored into a
fresh data directory, holds every document, account and audit record committed before it began —
unchanged, and nothing half-written —; search on it gives what the source gives on the same
documents; a backup of the quiet library restores to identical search results. On both backends.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conftest import new_database, setup_home
from sucai import access, backup
from sucai.accounts import Accounts
from sucai.cli import ExitCode
from sucai.cli.common import library_settings
from sucai.config import load_settings
from sucai.db.schema import audit, search_stats, users
from sucai.errors import InvalidInput
from sucai.index import SearchIndex
from sucai.library import Library
from sucai.model import Document
from sucai.search import SearchRequest

SAMPLES = Path(__file__).resolve().parents[1] / "sucai" / "samples" / "library"
QUERIES = ["工作", "基层减负", "担当作为 问题", "写作批次", "通知"]
PASSWORD = "测试密码123456"


def write_batch(folder: Path, writer: int, count: int) -> None:
    """``count`` short 通知 of writer ``writer``, each with a body of its own (seeded random Han characters), so
    that none is a near-duplicate of another: every one is its own search result, not one of a cluster."""
    folder.mkdir(parents=True)
    for n in range(count):
        own = "".join(random.Random(writer * 1000 + n).choices(_HAN, k=60))
        (folder / f"{n}.txt").write_text(f"写作批次{writer}的第{n}份通知\n一、工作要求\n写作批次{writer}号第{n}段，"
                                         f"请各单位按照要求做好第{n}项工作：{own}。\n", encoding="utf-8")


_HAN = "".join(map(chr, range(0x4E00, 0x4E00 + 3000)))


def committed(library: Library, accounts: Accounts) -> dict:
    """Every document (its text), account and audit record the library holds now."""
    with accounts.db.read() as conn:
        names = set(conn.execute(select(users.c.username)).scalars())
        entries = {tuple(row) for row in conn.execute(select(audit.c.id, audit.c.event, audit.c.detail))}
    return {"documents": {d.id: (d.title, d.text) for d in library.catalogue.documents(outline=False)},
            "users": names, "audit": entries}


def precise(library: Library, query: str) -> set[int]:
    return set(library.matching_ids(SearchRequest(q=query, mode="precise"), member=True, limit=10_000)[1])


def ranked(library: Library, query: str) -> list[tuple[int, str]]:
    result = library.search(SearchRequest(q=query, limit=20), member=True)
    return [(hit.id, hit.snippet) for hit in result.hits]


def restored_home(tmp_path: Path, name: str, backend, request) -> Path:
    """A fresh data directory on a database of its own (also in the environment of child processes)."""
    url = new_database(backend, request)
    request.getfixturevalue("monkeypatch").setenv("SUCAI_DATABASE_URL", url)   # undone after the test
    return setup_home(tmp_path / name, url)


def test_a_backup_under_load_restores_everything_committed_before_it(home, tmp_path, backend, request):
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    accounts = Accounts.open(home)
    accounts.add_user("管理员", PASSWORD, "admin")
    for n in range(4):
        write_batch(tmp_path / f"batch{n}", n, 25)

    def writer(n: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "sucai", "ingest", str(tmp_path / f"batch{n}"), "--workers", "1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())

    writers = [writer(0), writer(1)]   # two write before the snapshot of what is committed, two start after it
    stop, failures, searches = threading.Event(), [], [0]

    def client(n: int) -> None:
        while not stop.is_set():
            try:
                library.search(SearchRequest(q=QUERIES[n % len(QUERIES)]), member=n % 2 == 0)
                searches[0] += 1
            except Exception as error:  # noqa: BLE001 - collected, asserted below
                failures.append(error)

    def auditor() -> None:
        n = 0
        while not stop.is_set():
            accounts.audit("download", accounts.viewer("管理员"), f"下载 {n}")
            if n % 10 == 0:
                accounts.add_user(f"用户{n}", PASSWORD)
            n += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)] + [threading.Thread(target=auditor)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 600
        while library.catalogue.stats()["documents"] < 20:     # the first writers are under way
            assert time.monotonic() < deadline, [w.poll() for w in writers]   # not a hang when they failed
        before = committed(library, accounts)
        writers += [writer(2), writer(3)]   # so the backup runs under writes, and some come after ``before``
        manifest = backup.backup(library.settings, tmp_path / "under-load")
    finally:
        for writer in writers:
            assert writer.wait(timeout=600) == 0, writer.stderr.read().decode()
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures and searches[0] > 0
    after = committed(library, accounts)
    assert len(after["documents"]) == 10 + 100 and len(before["documents"]) < len(after["documents"])

    target = restored_home(tmp_path, "restored", backend, request)
    backup.restore(load_settings(target), tmp_path / "under-load")
    copy = Library.open(target)
    copy.reindex()
    got = committed(copy, Accounts.open(target))
    for kind in ("users", "audit"):
        assert before[kind] <= got[kind] <= after[kind]
    assert before["documents"].items() <= got["documents"].items() <= after["documents"].items()
    assert manifest["documents"] == len(got["documents"])
    for query in QUERIES:   # an exact oracle: precise matches are the source's among the restored documents
        assert precise(copy, query) == precise(library, query) & set(got["documents"])


def test_a_quiet_backup_restores_to_the_same_search_results(home, tmp_path, backend, request):
    (home / "userdict.txt").write_text("写作批次\n", encoding="utf-8")   # the analysis is the process's: one for both
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    library.set_hidden(2, True)
    accounts = Accounts.open(home)
    accounts.add_user("会员", PASSWORD, "member", "2099-12-31")
    accounts.count_download(accounts.viewer("会员"), "文档 1")
    backup.backup(library.settings, tmp_path / "quiet")

    target = restored_home(tmp_path, "restored", backend, request)
    backup.restore(load_settings(target), tmp_path / "quiet")
    copy = Library.open(target)
    copy.reindex()
    assert (target / "userdict.txt").read_text(encoding="utf-8") == "写作批次\n"
    assert Accounts.open(target).used_today(Accounts.open(target).viewer("会员"), "download") == 1
    library.reindex()   # term statistics of an index count deleted entries until merged: compare fresh with fresh
    for query in QUERIES:
        assert ranked(copy, query) == ranked(library, query)
        assert precise(copy, query) == precise(library, query)
    assert copy.check_integrity()["ok"]


def test_a_restored_library_is_indexed_once_with_its_progress_reported(home, tmp_path, backend, request,
                                                                          monkeypatch):
    """Opening a restored catalogue's index rebuilds it (it follows another catalogue), and so does the rebuild a
    restore asks for: the two are one, each document indexed once and its progress reported, as `sucai restore`
    shows it, not the second half of twice the work."""
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    backup.backup(library.settings, tmp_path / "b")
    target = restored_home(tmp_path, "restored", backend, request)
    backup.restore(load_settings(target), tmp_path / "b")
    indexed, reported, reindex = [], [], SearchIndex._reindex

    def counted(index, writer, ids, progress, **options):
        indexed.extend(ids)
        return reindex(index, writer, ids, progress, **options)

    monkeypatch.setattr(SearchIndex, "_reindex", counted)
    copy = Library.open(target)
    assert copy.reindex(lambda done, total: reported.append((done, total))) == 10
    assert sorted(indexed) == sorted(library.catalogue.document_ids())
    assert reported == [(done, 10) for done in range(1, 11)]
    assert ranked(copy, "基层减负") and copy.check_integrity()["ok"]


def test_a_backups_databases_only_their_owner_may_read(home, tmp_path):
    """A backup holds the members' text, password hashes and sessions: the SQLite copies were made 0600, and
    PostgreSQL's pg_dump file was left as the umask made it (0644: any user of the machine read it)."""
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    Accounts.open(home).add_user("会员", PASSWORD, "member", "2099-12-31")
    manifest = backup.backup(library.settings, tmp_path / "b")
    databases = [name for name in manifest["files"] if name.endswith((".sqlite3", ".dump"))]
    assert databases and all((tmp_path / "b" / name).stat().st_mode & 0o777 == 0o600 for name in databases), databases


@pytest.mark.parametrize("command", ["restore", "reindex"])
def test_a_backup_of_an_older_version_is_indexed_once_as_it_is_restored(home, tmp_path, backend, request, monkeypatch,
                                                                        cli, command):
    """A backup made by an older version (other rules of a visitor's metadata: access.FREE_METADATA_VERSION) had its
    index built twice by `sucai restore`: opening the restored library described its documents again and opened its
    index to take them — a rebuild, the index following another catalogue —, then the rebuild the restore asks for
    did it all again. Each document is indexed once (as `sucai reindex` after an upgrade), the description said."""
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    backup.backup(library.settings, tmp_path / "b")
    target = restored_home(tmp_path, "restored", backend, request)
    if command == "reindex":
        backup.restore(load_settings(target), tmp_path / "b")
    indexed, reindex = [], SearchIndex._reindex

    def counted(index, writer, ids, progress, **options):
        indexed.extend(ids)
        return reindex(index, writer, ids, progress, **options)

    monkeypatch.setattr(SearchIndex, "_reindex", counted)
    monkeypatch.setattr(access, "FREE_METADATA_VERSION", "newer")
    status, output, said = cli(*([command, str(tmp_path / "b")] if command == "restore" else [command]),
                               "--home", str(target))
    assert status == ExitCode.OK and "已重建" in output, said
    assert sorted(indexed) == sorted(library.catalogue.document_ids())
    assert "程序升级后免费预览规则有变，正在重新生成 " in said
    copy = Library.open(target)
    assert ranked(copy, "基层减负") and copy.check_integrity()["ok"]


def test_a_changed_backup_file_is_refused_and_nothing_is_restored(home, tmp_path, backend, request):
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    manifest = backup.backup(library.settings, tmp_path / "b")
    assert "database_url" not in (tmp_path / "b" / "sucai.toml").read_text() if (tmp_path / "b" / "sucai.toml").exists() else True
    name = next(iter(manifest["files"]))
    with (tmp_path / "b" / name).open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage")
    target = restored_home(tmp_path, "restored", backend, request)
    with pytest.raises(InvalidInput) as refused:
        backup.restore(load_settings(target), tmp_path / "b")
    assert refused.value.code == "bad_backup" and name in refused.value.message
    assert Library.open(target).catalogue.stats()["documents"] == 0
    good = backup.backup(library.settings, tmp_path / "good")
    with pytest.raises(InvalidInput) as not_empty:           # a library that holds documents is not overwritten
        backup.restore(library.settings, tmp_path / "good")
    assert not_empty.value.code == "restore_not_empty" and good["documents"] == 10


def test_backup_and_restore_from_the_command_line(home, tmp_path, backend, request):
    def cli(*args, home_dir=home):
        return subprocess.run([sys.executable, "-m", "sucai", *args, "--home", str(home_dir)], capture_output=True,
                              text=True, env={**os.environ, "SUCAI_HOME": str(home_dir)})

    assert cli("ingest", str(SAMPLES)).returncode == ExitCode.PARTIAL   # the samples' damaged .docx is skipped
    made = cli("backup", str(tmp_path / "b"), "--json")
    assert made.returncode == 0 and json.loads(made.stdout)["documents"] == 10
    assert "不是空的" in cli("backup", str(tmp_path / "b")).stderr
    refused = cli("restore", str(tmp_path / "b"))   # into a library that holds documents: exit 1, as README says
    assert refused.returncode == ExitCode.ERROR and "已有文档或账号" in refused.stderr and "--force" in refused.stderr
    target = restored_home(tmp_path, "restored", backend, request)
    restored = cli("restore", str(tmp_path / "b"), home_dir=target)
    assert restored.returncode == 0 and "已重建" in restored.stdout, restored.stderr
    assert {"正在核对备份并恢复数据库…", "正在重建检索索引…"} <= set(restored.stderr.splitlines())   # piped: steps said
    made_at = datetime.fromisoformat(json.loads(made.stdout)["created_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"（备份于 {made_at:%Y-%m-%d %H:%M:%S}）" in restored.stdout, restored.stdout   # the site's local time
    report = json.loads(cli("check-integrity", "--json", home_dir=target).stdout)
    assert report["ok"] and report["documents"] == 10


def test_an_embedded_library_moves_to_postgresql_by_backup_and_restore(tmp_path, postgres, request):
    source = setup_home(tmp_path / "embedded", "")
    library = Library(load_settings(source, database_url=""))
    library.ingest([SAMPLES], workers=1)
    library.remove(3)
    highest = max(library.catalogue.document_ids())
    library.remove(highest)   # its id is not given again after the move either
    accounts = Accounts(load_settings(source, database_url="").accounts_path)
    accounts.add_user("管理员", PASSWORD, "admin")
    with sqlite3.connect(load_settings(source, database_url="").accounts_path) as old:  # counted before NULs were
        old.execute("INSERT INTO search_stats (day, query, searches, empty) VALUES (?, ?, 2, 0)", ("2026-11-30", "基层\x00减负"))  # out of keys
    backup.backup(library.settings, tmp_path / "b")
    target = setup_home(tmp_path / "server", new_database(postgres, request))   # database_url in its sucai.toml
    settings = load_settings(target)
    backup.restore(settings, tmp_path / "b")
    moved = Library(settings)
    moved.reindex()
    library.reindex()   # term statistics of an index count deleted entries until merged: compare fresh with fresh
    for query in QUERIES:
        assert ranked(moved, query) == ranked(library, query)
    mover = Accounts.from_settings(settings)
    assert mover.authenticate("管理员", PASSWORD).username == "管理员"
    with mover.db.read() as conn:
        assert conn.execute(select(search_stats.c.query, search_stats.c.searches)).all() == [("基层\ufffd减负", 2)]
    mover.add_user("新用户", PASSWORD)                       # ids go on after the copied ones
    _, new_id = moved.catalogue.add(Document("新文档", "新文档的正文。"), "new", "/new", "x")
    assert new_id == highest + 1
    assert moved.catalogue.change_count() > library.catalogue.change_count()


def test_an_embedded_backup_is_two_files_that_restore_as_often_as_needed(tmp_path):
    """The copies of an embedded library are complete database files (no -wal or -shm beside them), and
    reading them — counting for the manifest, restoring — changes none of their bytes, so the backup still
    verifies after a restore (before, the copies were in WAL mode: opening one rewrote its -shm, listed in
    the manifest, and every restore after the first was refused as a damaged backup)."""
    source = setup_home(tmp_path / "embedded", "")
    library = Library(load_settings(source, database_url=""))
    library.ingest([SAMPLES], workers=1)
    Accounts(load_settings(source, database_url="").accounts_path).add_user("管理员", PASSWORD, "admin")
    manifest = backup.backup(library.settings, tmp_path / "b")
    assert set(manifest["files"]) == {"catalogue.sqlite3", "accounts.sqlite3"}
    written = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    for name in ("first", "second"):
        settings = load_settings(setup_home(tmp_path / name, ""), database_url="")
        backup.restore(settings, tmp_path / "b")
        assert Library(settings).catalogue.stats()["documents"] == manifest["documents"] == 10
        assert Accounts(settings.accounts_path).authenticate("管理员", PASSWORD).username == "管理员"
        assert {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()} == written


# --- attack 12: backup onto a file, restore of files the manifest does not list, the password in ps -------------

def _embedded_backup(tmp_path: Path) -> tuple[Library, dict, Path]:
    source = setup_home(tmp_path / "embedded", "")
    library = Library(load_settings(source, database_url=""))
    library.ingest([SAMPLES], workers=1)
    return library, backup.backup(library.settings, tmp_path / "b"), tmp_path / "b"


def test_a_backup_onto_an_existing_file_says_so(tmp_path, cli):
    """It ended in 内部错误：NotADirectoryError (exit 1)."""
    assert cli("user", "add", "管理员", "--role", "管理员", "--password", "一个足够长的密码")[0] == 0   # a library
    taken = tmp_path / "备份.tar"
    taken.write_bytes(b"an archive")
    status, printed, said = cli("backup", str(taken))
    assert status == ExitCode.ERROR and printed == ""
    assert said.startswith(f"错误：备份位置 {taken} 是一个已有的文件") and "内部错误" not in said
    assert taken.read_bytes() == b"an archive"


def test_a_backup_of_a_library_that_does_not_exist_is_refused(tmp_path, cli, monkeypatch):
    """``sucai backup /srv/backups/… --home /srv/sucia`` (a typo) made an empty library there and backed it up:
    「已备份到 …：文档 0 篇，账号 0 个」, exit 0 — a nightly job's every backup empty, unnoticed (ops21). Refused,
    exit 1, nothing written or made; a library of accounts only (no document yet) is still backed up."""
    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)   # an embedded library: PostgreSQL's is the server's
    mistyped, target = tmp_path / "打错的目录", tmp_path / "备份"
    status, printed, said = cli("backup", str(target), "--home", str(mistyped))
    assert (status, printed) == (ExitCode.ERROR, "") and not target.exists()
    assert said == (f"错误：数据目录 {mistyped} 中没有素材库（没有 catalogue.sqlite3 或 accounts.sqlite3），未备份："
                    "请检查 --home 或环境变量 SUCAI_HOME；新建素材库请用 sucai ingest 文件夹（或用 sucai demo 试用示例库）\n")
    assert not mistyped.exists()   # as check-integrity and reindex make nothing (verify22: an empty folder was left)
    assert cli("user", "add", "管理员", "--role", "管理员", "--password", "一个足够长的密码", "--home", str(mistyped))[0] == 0
    status, printed, _ = cli("backup", str(target), "--home", str(mistyped), "--json")
    assert status == ExitCode.OK and (json.loads(printed)["documents"], json.loads(printed)["users"]) == (0, 1)


@pytest.mark.parametrize(("command", "outcome"), [("check-integrity", "未核对"), ("reindex", "未重建索引")])
def test_a_check_or_rebuild_of_a_library_that_does_not_exist_is_refused(tmp_path, cli, monkeypatch, command, outcome):
    """``sucai check-integrity --home /srv/sucia`` (a typo) made an empty library there and said 「目录库与索引一致：
    0 篇文档都已编入索引」, exit 0 — a cron health check all clear (ops21); ``reindex`` 「已重建索引：0 篇文档」. Refused as
    ``backup`` refuses, exit 1, nothing made — a missing folder or one that holds no library; a library of accounts
    only is one."""
    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)   # an embedded library: PostgreSQL's is the server's
    missing, empty = tmp_path / "打错的目录", tmp_path / "空目录"
    empty.mkdir()
    for mistyped in (missing, empty):
        status, printed, said = cli(command, "--home", str(mistyped))
        assert (status, printed) == (ExitCode.ERROR, "")
        assert said == (f"错误：数据目录 {mistyped} 中没有素材库（没有 catalogue.sqlite3 或 accounts.sqlite3），{outcome}："
                        "请检查 --home 或环境变量 SUCAI_HOME；新建素材库请用 sucai ingest 文件夹（或用 sucai demo 试用示例库）\n")
    assert not missing.exists() and list(empty.iterdir()) == []
    assert cli("user", "add", "管理员", "--role", "管理员", "--password", "一个足够长的密码", "--home", str(empty))[0] == 0
    assert cli(command, "--home", str(empty))[0] == ExitCode.OK


def test_a_postgresql_library_is_one_whatever_its_nodes_data_directory(tmp_path, monkeypatch):
    """A node's data directory holds only its index when the library is PostgreSQL's: a new node's, missing, is no
    mistyped --home (verify22: check-integrity, reindex and backup refused it)."""
    url = "postgresql://sucai@db.example/sucai"
    monkeypatch.setenv("SUCAI_DATABASE_URL", url)
    assert library_settings(tmp_path / "新节点", "未核对").database_url == url
    monkeypatch.delenv("SUCAI_DATABASE_URL")
    with pytest.raises(InvalidInput) as refused:
        library_settings(tmp_path / "另一个节点", "未核对")
    assert refused.value.code == "no_library" and not (tmp_path / "另一个节点").exists()


def test_a_file_the_manifest_does_not_list_is_refused_and_nothing_is_restored(tmp_path):
    """A sucai.toml added to a backup afterwards (free_preview_chars = -1: every document free to visitors) was
    restored with the rest."""
    library, manifest, folder = _embedded_backup(tmp_path)
    added = next(name for name in ("sucai.toml", "userdict.txt") if name not in manifest["files"])
    (folder / added).write_text("free_preview_chars = -1\n", encoding="utf-8")
    target = load_settings(setup_home(tmp_path / "target", ""), database_url="")
    with pytest.raises(InvalidInput) as refused:
        backup.restore(target, folder)
    assert refused.value.code == "bad_backup" and added in refused.value.message
    assert not (target.home / added).exists() and not target.catalogue_path.exists()


@pytest.mark.parametrize("damage", [
    lambda m: [m], lambda m: "x", lambda m: {**m, "files": ["catalogue.sqlite3"]}, lambda m: {**m, "files": None},
    lambda m: {k: v for k, v in m.items() if k != "files"}, lambda m: {**m, "backend": "mysql"},
    lambda m: {**m, "backend": "postgresql"},   # its dump is not there
    lambda m: {**m, "files": {**m["files"], "../embedded/sucai.toml": {"bytes": 0, "sha256": ""}}},
    lambda m: {**m, "files": {k: v for k, v in m["files"].items() if k != "accounts.sqlite3"}},
    lambda m: {k: v for k, v in m.items() if k != "documents"}, lambda m: {**m, "created_at": 5},
])
def test_a_malformed_manifest_is_refused_in_chinese(tmp_path, damage, cli):
    """Each gave 内部错误：AttributeError / KeyError / TypeError, or restored what the manifest does not vouch for."""
    _, manifest, folder = _embedded_backup(tmp_path)
    (folder / backup.MANIFEST).write_text(json.dumps(damage(manifest)), encoding="utf-8")
    target = load_settings(setup_home(tmp_path / "target", ""), database_url="")
    with pytest.raises(InvalidInput) as refused:
        backup.restore(target, folder)
    assert refused.value.code == "bad_backup" and not target.catalogue_path.exists()


def test_a_manifest_nested_too_deep_is_refused_in_chinese(tmp_path):
    """Attack 19: JSON nested deeper than Python's reader goes ended in 内部错误：RecursionError."""
    _, _, folder = _embedded_backup(tmp_path)
    (folder / backup.MANIFEST).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    target = load_settings(setup_home(tmp_path / "target", ""), database_url="")
    with pytest.raises(InvalidInput) as refused:
        backup.restore(target, folder)
    assert refused.value.code == "bad_backup" and not target.catalogue_path.exists()


def test_a_manifest_that_is_no_regular_file_is_refused_unread(tmp_path):
    """Attack 19b: the manifest was read whole, whatever it was — a named pipe in its place (a backup copied from
    a share) held sucai restore for ever, waiting for a writer. It is read as every file is (a regular file only,
    :func:`sucai.readers.file_bytes`): refused unread, without waiting, and nothing restored."""
    _, _, folder = _embedded_backup(tmp_path)
    (folder / backup.MANIFEST).unlink()
    os.mkfifo(folder / backup.MANIFEST)
    target = load_settings(setup_home(tmp_path / "target", ""), database_url="")
    caught: list[BaseException] = []

    def restore() -> None:
        try:
            backup.restore(target, folder)
        except InvalidInput as error:
            caught.append(error)

    worker = threading.Thread(target=restore, daemon=True)
    worker.start()
    worker.join(60)   # a bound that only ends a hang
    assert not worker.is_alive(), "the restore waits on the pipe"
    assert caught[0].code == "bad_backup" and not target.catalogue_path.exists()
    assert caught[0].message == f"{folder} 不是 sucai 备份（缺少或无法读取 {backup.MANIFEST}）"


def test_the_database_password_is_never_on_a_command_line(tmp_path, postgres, request, monkeypatch):
    """pg_dump and pg_restore were given the password inside their connection string: every user of the machine
    reads it with ps. A role that must give its password (SCRAM, the server's others are trusted) proves they get
    it another way: the backup and the restore work, and no command line holds it."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    secret = "p@ss:w\\rd 密码/?#"
    hba = postgres.data / "pg_hba.conf"
    trusted = hba.read_text()
    hba.write_text("host all sucai_pw 127.0.0.1/32 scram-sha-256\n" + trusted)
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
        conn.execute(sql.SQL("CREATE ROLE sucai_pw LOGIN SUPERUSER PASSWORD {}").format(sql.Literal(secret)))

    def undo():
        hba.write_text(trusted)
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute("DROP ROLE IF EXISTS sucai_pw")
    request.addfinalizer(undo)

    def as_pw(url: str) -> str:
        return make_url(url).set(username="sucai_pw", password=secret).render_as_string(hide_password=False)

    source = setup_home(tmp_path / "source", as_pw(new_database(postgres, request)))
    library = Library.open(source)
    library.ingest([SAMPLES], workers=1)
    seen, run = [], subprocess.run

    def spied(command, *args, **kwargs):
        seen.append(command)
        return run(command, *args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", spied)
    manifest = backup.backup(library.settings, tmp_path / "b")
    target = load_settings(setup_home(tmp_path / "target", as_pw(new_database(postgres, request))))
    backup.restore(target, tmp_path / "b")
    seen = [command[command.index("--") + 1:] if command[0] == "setpriv" else command for command in seen]   # the tool
    assert [Path(command[0]).name for command in seen] == ["pg_dump", "pg_restore"]
    parts = [part for command in seen for part in command]
    assert not any(secret in part for part in parts)
    assert [make_url(part).password for part in parts if part.startswith("postgresql://")] == [None, None]
    assert Library(target).catalogue.stats()["documents"] == manifest["documents"] == 10
    without = run([seen[0][0], "--schema-only", "--no-password", seen[0][-1]], capture_output=True, text=True,
                  env={k: v for k, v in os.environ.items() if not k.startswith("PGPASS")})
    assert without.returncode != 0 and "password" in without.stderr   # the role cannot get in without it


# --- attack 14: the password under another TOML spelling of its key, a settings file without a final newline -----

_SECRET = "S3cretPassw0rd"
_URL = f"postgresql://sucai:{_SECRET}@db.example:5432/sucai"


@pytest.mark.parametrize("secret", [
    f'"database_url" = "{_URL}"  # 服务器\n',                      # a quoted key
    f"'database_url'='{_URL}'\n",                                  # a literal-string key, no spaces
    f'"database\\u005Furl" = "{_URL}"\n',                         # an escape in a quoted key
    f'"database_url".password = "{_SECRET}"\n',                    # a dotted key
    f'  database_url\t=  "{_URL}"\n',                              # indented (the old filter's one case)
], ids=["quoted", "literal", "escaped", "dotted", "indented"])
def test_the_database_url_is_left_out_of_a_backup_however_its_key_is_written(tmp_path, secret):
    """The backup dropped lines that began with ``database_url``: ``"database_url" = "postgresql://…:password@…"``
    (valid TOML, read by sucai as the same setting) was copied into the backup with the password. The operator's
    comments and other settings are kept as written."""
    head = "# 运维：王五 2026-12-01\nfree_preview_chars = 5  # 试读字数\n"
    tail = "# 以下为检索设置\nsnippet_chars = 80\n"
    home = setup_home(tmp_path / "embedded", "")
    (home / "sucai.toml").write_text(head + secret + tail, encoding="utf-8")
    library = Library(load_settings(home, database_url=""))   # the embedded files (a flag's database_url wins)
    library.ingest([SAMPLES], workers=1)
    backup.backup(library.settings, tmp_path / "b")
    assert not any(_SECRET.encode() in p.read_bytes() for p in (tmp_path / "b").iterdir())
    assert (tmp_path / "b" / "sucai.toml").read_text(encoding="utf-8") == head + tail


# --- review 14: a commented-out database_url, the 润笔 key ---------------------------------------------------------

def test_no_secret_setting_nor_a_comment_that_holds_one_is_in_a_backup(tmp_path):
    """A commented-out ``# database_url = "postgresql://…:password@…"`` line was copied into the backup's settings,
    and so was ``llm_api_key`` (the 润笔 endpoint's key). Comments that hold none (by a secret setting's name, a
    URL with a password, a key in use) and the other settings are kept as written; a restore gives the target its
    own key, or none."""
    kept = '# 运维：王五 2026-12-01\nfree_preview_chars = 5  # 试读字数\nllm_base_url = "https://llm.example/v1"\n'
    home = setup_home(tmp_path / "embedded", "")
    (home / "sucai.toml").write_text(
        f'# 运维：王五 2026-12-01\n# database_url = "postgresql://sucai:Old{_SECRET}@db.example/sucai"\n'
        f'free_preview_chars = 5  # 试读字数\nllm_base_url = "https://llm.example/v1"\nllm_api_key = "sk-{_SECRET}"\n'
        f'  #LLM_API_KEY = "sk-Older{_SECRET}"\nsnippet_chars = 80  # 旧库 postgresql://sucai:Was{_SECRET}@old.example/db\n'
        f'# 润笔密钥 sk-{_SECRET} 由王五保管\n', encoding="utf-8")
    library = Library(load_settings(home, database_url=""))
    library.ingest([SAMPLES / "09_春季农业生产通知.txt"], workers=1)
    backup.backup(library.settings, tmp_path / "b")
    assert not any(_SECRET.encode() in p.read_bytes() for p in (tmp_path / "b").iterdir())
    assert (tmp_path / "b" / "sucai.toml").read_text(encoding="utf-8") == kept + "snippet_chars = 80\n"
    for name, own in (("keyed", 'llm_api_key = "sk-target"\n'), ("bare", None)):
        target = setup_home(tmp_path / name, "")
        if own:
            (target / "sucai.toml").write_text(own, encoding="utf-8")
        backup.restore(load_settings(target, database_url=""), tmp_path / "b")
        restored = load_settings(target)
        assert (restored.llm_api_key, restored.free_preview_chars, restored.snippet_chars) == \
               ("sk-target" if own else "", 5, 80)


def test_a_password_in_any_setting_or_comment_is_not_in_a_backup(tmp_path):
    """Review 15b: a password in another setting's URL (``llm_base_url``) and the percent-encoded form of the
    database's in a comment were copied; a ``database_url`` whose port is no number made ``sucai backup`` fail
    with an English ValueError. The setting that holds a password goes, the others and other comments stay."""
    home = setup_home(tmp_path / "embedded", "")
    (home / "sucai.toml").write_text(
        f'database_url = "postgresql://sucai:p%40{_SECRET}@db.example:port/sucai"\n# 旧密码 p%40{_SECRET}\n'
        f'llm_base_url = "https://user:{_SECRET}@llm.example/v1"\nsnippet_chars = 80\n# {"a" * 20_000}:\n',
        encoding="utf-8")
    backup.backup(Library(load_settings(home, database_url="")).settings, tmp_path / "b")
    assert not any(_SECRET.encode() in p.read_bytes() for p in (tmp_path / "b").iterdir())
    assert (tmp_path / "b" / "sucai.toml").read_text(encoding="utf-8") == f'snippet_chars = 80\n# {"a" * 20_000}:\n'


def test_settings_without_a_final_newline_restore_into_postgresql_and_the_library_opens(tmp_path, postgres, request):
    """The target's database_url was appended to the backup's last line (``free_preview_chars = 5database_url =
    …``): restore failed after overwriting the database, and every later command failed on sucai.toml."""
    source = setup_home(tmp_path / "embedded", "")
    (source / "sucai.toml").write_text("# 试读字数（运维：王五）\nfree_preview_chars = 5", encoding="utf-8")
    library = Library(load_settings(source, database_url=""))
    library.ingest([SAMPLES], workers=1)
    backup.backup(library.settings, tmp_path / "b")
    url = new_database(postgres, request)
    target = setup_home(tmp_path / "server", url)
    backup.restore(load_settings(target), tmp_path / "b")
    restored = load_settings(target)
    assert (restored.database_url, restored.free_preview_chars) == (url, 5)
    assert "# 试读字数（运维：王五）\n" in (target / "sucai.toml").read_text(encoding="utf-8")
    assert Library(restored).catalogue.stats()["documents"] == 10


def test_settings_that_would_not_open_are_refused_before_anything_is_restored(tmp_path):
    """A backup whose sucai.toml names a setting this version does not know (made by a newer one) was restored —
    databases first — and left a library that no longer opened."""
    library, manifest, folder = _embedded_backup(tmp_path)
    written = "# 新版本的设置\nfree_preview_chars = 5\nnew_setting = 1\n"
    (folder / "sucai.toml").write_text(written, encoding="utf-8")
    manifest["files"]["sucai.toml"] = {"bytes": len(written.encode()),
                                       "sha256": hashlib.sha256(written.encode()).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    target = setup_home(tmp_path / "target", "")
    (target / "sucai.toml").write_text("snippet_chars = 80\n", encoding="utf-8")
    settings = load_settings(target, database_url="")
    with pytest.raises(InvalidInput) as refused:
        backup.restore(settings, folder)
    assert refused.value.code == "bad_backup" and "new_setting" in refused.value.message
    assert str(folder / "sucai.toml") in refused.value.message and "sucai-settings-" not in refused.value.message
    assert (target / "sucai.toml").read_text(encoding="utf-8") == "snippet_chars = 80\n"
    assert Library(load_settings(target, database_url="")).catalogue.stats()["documents"] == 0 < manifest["documents"]


def test_a_missing_backup_folder_is_said_to_be_missing(tmp_path):
    """``sucai restore`` of a path that does not exist said 「… 不是 sucai 备份（缺少或无法读取 manifest.json）」, as of a
    folder that holds something else (new-user try 19: a mistyped date in the path)."""
    with pytest.raises(InvalidInput) as missing:
        backup.verify(tmp_path / "2025-06-01")
    assert missing.value.message == f"找不到备份目录 {tmp_path / '2025-06-01'}（路径不存在）"
    (tmp_path / "其他").mkdir()
    with pytest.raises(InvalidInput) as foreign:
        backup.verify(tmp_path / "其他")
    assert foreign.value.message == f"{tmp_path / '其他'} 不是 sucai 备份（缺少或无法读取 manifest.json）"


_TOOL_OF_A_KILLED_BACKUP = """
import sys, types
from sqlalchemy.engine import make_url
from sucai import access, backup

backup._run_tool(types.SimpleNamespace(url=make_url("postgresql+psycopg://sucai@127.0.0.1/sucai")), "pg_dump", "-l")
"""


@pytest.mark.skipif(not shutil.which("setpriv"), reason="无 setpriv（util-linux）：客户端程序无法随进程结束")
def test_pg_dump_ends_when_the_backup_that_started_it_is_killed(tmp_path):
    """Ops 23: ``sucai backup`` killed (SIGKILL, the OOM killer) left its pg_dump (or a restore's pg_restore) running on,
    orphaned — a restore finished with nobody watching. A stand-in pg_dump first on the PATH tells its pid and waits;
    the process running it is killed: the stand-in ends too."""
    bin_dir, told = tmp_path / "bin", tmp_path / "pid"
    bin_dir.mkdir()
    (bin_dir / "pg_dump").write_text(f"#!/bin/sh\necho $$ > {told}\nexec sleep 60\n", encoding="utf-8")
    (bin_dir / "pg_dump").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    running = subprocess.Popen([sys.executable, "-c", _TOOL_OF_A_KILLED_BACKUP], env=env)
    try:
        deadline = time.monotonic() + 30
        while not (told.exists() and told.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        tool = int(told.read_text())
        running.kill()
        running.wait()
        deadline = time.monotonic() + 10
        while _runs(tool) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _runs(tool), "pg_dump ran on after the backup was killed"
    finally:
        running.kill()
        if told.exists() and told.read_text().strip() and _runs(int(told.read_text())):
            os.kill(int(told.read_text()), 9)


def _runs(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended and not yet waited for by its parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
