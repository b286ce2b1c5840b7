"""The data-access layer (issue 15): the migrations make exactly the tables of ``sucai.db.schema`` on
both backends; a library made by sucai before the data-access layer (main at a7a459d, run from git)
opens and is migrated; PostgreSQL is never migrated behind the operator's back; the change log
numbers every change once, in order, even with writers racing on PostgreSQL; check-integrity finds and
repairs an index that lost, gained or doubled entries."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

import pytest
import tantivy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import UniqueConstraint, inspect, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from postgres import free_port
from sucai.accounts import Accounts
from sucai.cli import ExitCode
from sucai.cli import run as run_cli
from sucai.codes import Codes
from sucai.collections import Collections
from sucai.db import STORES, Database, SchemaOutdated, driver_rows, newest_revision
from sucai.db.migrate import VERSION_TABLE, head
from sucai.db.schema import METADATA
from sucai.drafting import DraftStore, Owner
from sucai.index import SCHEMA, _tantivy_document, index_fields
from sucai.library import Library
from sucai.model import Document
from sucai.search import SearchRequest
from sucai.store import Catalogue

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sucai" / "samples" / "library"
BEFORE = "a7a459d"   # main just before the data-access layer: catalogue schema 5, accounts schema 2
MAIN_AT_SCHEMA_9 = "2bc4886"   # main with 查重, metadata, 写作台 and operations: catalogue schema 9, accounts schema 3
MAIN_BEFORE_AUTOINCREMENT = "870d9ca"   # main at catalogue revision c0009: SQLite gave a removed document's id again
PASSWORD = "测试密码123456"


def differences(db: Database) -> list:
    """What Alembic's autogenerate would change to make ``db`` match ``schema.py`` (its own tables only)."""
    ours = set(METADATA[db.store].tables) | {VERSION_TABLE[db.store]}

    def include(_object, name, kind, _reflected, _compare_to):
        return kind != "table" or name in ours

    with db.read() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include})
        return [d for d in compare_metadata(context, METADATA[db.store])
                if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE[db.store])]


@pytest.mark.parametrize("store", ["catalogue", "accounts"])
def test_the_migrations_make_the_tables_of_schema_py(store, tmp_path, database_url):
    db = Database(database_url or f"sqlite:///{tmp_path / 'fresh.sqlite3'}", store)
    assert differences(db) == []


_OLD_LIBRARY = ("import sys; from sucai.library import Library; from sucai.accounts import Accounts, session_secret;"
                "session_secret(sys.argv[1]);"
                "lib = Library.open(sys.argv[1]); lib.ingest([sys.argv[2]], workers=1); lib.set_hidden(2, True);"
                "lib.remove(3); acc = Accounts.open(sys.argv[1]);"
                f"acc.add_user('管理员', '{PASSWORD}', 'admin'); print(acc.create_token('管理员', 'old'));")


def old_library(tmp_path: Path, commit: str, script: str) -> tuple[Path, list[str]]:
    """A library in ``tmp_path / "home"`` made by sucai at ``commit`` of main (run from ``git archive``) with
    ``script`` (``sys.argv[1]``: the data directory, ``sys.argv[2]``: the bundled samples); returns it and
    the lines the script printed."""
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "sucai"], capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"needs git and the history of main ({commit}): {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    home = tmp_path / "home"
    # -S: no site processing, so the editable install of this checkout cannot shadow the old code
    packages = os.pathsep.join([str(old), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    made = subprocess.run([sys.executable, "-S", "-c", script, str(home), str(SAMPLES)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": packages, "SUCAI_HOME": str(home)}, cwd=old, check=True)
    return home, made.stdout.strip().splitlines()


def assert_added_then_described(library: Library) -> None:
    """The change log of a migrated library: each document as added, then each with a members part once more,
    as its visitor metadata is kept for the first time (``Catalogue.describe_free``: the index takes it)."""
    logged = library.catalogue.changes_since(0)
    members = {d.id for d in library.catalogue.documents() if d.paid_from is not None}
    assert members and {kind for _, _, kind in logged} == {"add", "update"}
    assert {doc for _, doc, kind in logged if kind == "update"} == members


@pytest.mark.parametrize("store", STORES)
def test_the_newest_revision_by_file_name_is_alembics_head(store, tmp_path):
    """Every open compares the version table with :func:`sucai.db.newest_revision` (the revision files' names) and
    imports Alembic only when they differ: the names must say what Alembic's scripts say, and a database stamped
    with another revision is still checked by Alembic's rules (one newer than this sucai is refused)."""
    assert newest_revision(store) == head(store)
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    db = Database(url, store)
    assert db.stamped() == head(store)
    with db.transaction() as conn:
        conn.exec_driver_sql(f"UPDATE {VERSION_TABLE[store]} SET version_num = '{store[0]}9999'")
    with pytest.raises(SchemaOutdated) as refused:
        Database(url, store)
    assert refused.value.code == "schema_newer"


def test_a_library_made_before_the_data_access_layer_opens_and_is_migrated(tmp_path):
    home, printed = old_library(tmp_path, BEFORE, _OLD_LIBRARY)
    token = printed[-1]
    old_key = (home / "session.key").read_bytes()

    library = Library.open(home, database_url="")
    assert library.catalogue.stats()["documents"] == 8                 # 10 samples, one hidden, one removed
    assert library.search(SearchRequest(q="基层减负", mode="precise"), member=True).total > 0
    assert 2 not in library.catalogue.document_ids() and library.check_integrity()["ok"]
    # the change log: each document as added (and the pending state of the old index is not trusted)
    assert_added_then_described(library)
    accounts = Accounts(home / "accounts.sqlite3")
    assert accounts.authenticate("管理员", PASSWORD).admin
    assert accounts.viewer_for_token(token).username == "管理员"          # tokens made before still work
    assert accounts.session_secret() == old_key                          # and so do the cookies
    for store, path in (("catalogue", home / "catalogue.sqlite3"), ("accounts", home / "accounts.sqlite3")):
        assert [d for d in differences(Database(f"sqlite:///{path}", store)) if not spelling(d)] == []


def test_a_library_made_by_main_at_schema_9_opens_and_is_migrated(tmp_path):
    """A library of main at 2bc4886 (catalogue schema 9, accounts schema 3, the tables of 查重's clusters,
    drafts, codes, saved searches and favourites made in place) is adopted by the first revisions and
    migrated: everything it held is there, through the new code, and its tables equal schema.py."""
    script = _OLD_LIBRARY + (
        "from sucai.collections import Collections; from sucai.codes import Codes;"
        "from sucai.drafting import DraftStore, Owner; from sucai.drafting.drafts import build_draft;"
        f"member = acc.add_user('会员', '{PASSWORD}', 'member', '2099-12-31'); col = Collections(acc);"
        "col.save_search(member, '减负', {'q': '基层减负'}); col.add_favourite(member, 1, '常用', '备注');"
        "draft = build_draft(lib, {'title': '旧草稿', 'sections': [{'heading': '一、学习', 'paragraphs': ['自己写的。']}]},"
        " member=True); DraftStore(lib.catalogue).create(Owner(member.user_id, '会员'), draft);"
        "print(Codes(acc).create('member', 30, 1)[0]['code'])")
    home, printed = old_library(tmp_path, MAIN_AT_SCHEMA_9, script)
    token, code = printed[-2:]
    library = Library.open(home, database_url="")
    assert library.catalogue.stats()["documents"] == 8                 # 10 samples, one hidden, one removed
    assert library.search(SearchRequest(q="基层减负", mode="precise"), member=True).total > 0
    assert library.check_integrity()["ok"]
    assert_added_then_described(library)
    assert library.catalogue.unsigned_ids() == []                      # the near-duplicate signatures stay
    accounts = Accounts(home / "accounts.sqlite3")
    member = accounts.authenticate("会员", PASSWORD)
    assert member.member and accounts.viewer_for_token(token).username == "管理员"
    collections = Collections(accounts)
    assert [s.name for s in collections.saved_searches(member)] == ["减负"]
    (folder,) = collections.folders(member)
    assert folder.name == "常用" and [(f.doc_id, f.note) for f in collections.favourites(member, folder.id)] == [(1, "备注")]
    owner = Owner(member.user_id, "会员")
    (draft,) = DraftStore(library.catalogue).list(owner)
    assert draft["title"] == "旧草稿"
    assert DraftStore(library.catalogue).get(owner, draft["id"]).sections[0].paragraphs[0].text == "自己写的。"
    assert Codes(accounts).redeem(member, code).tier == "member"       # the code's hash is found
    for store, path in (("catalogue", home / "catalogue.sqlite3"), ("accounts", home / "accounts.sqlite3")):
        assert [d for d in differences(Database(f"sqlite:///{path}", store)) if not spelling(d)] == []
    with accounts.db.read() as conn:   # main's unnamed UNIQUE (user_id, name) of the folders
        assert {"column_names": ["user_id", "name"], "name": None} in inspect(conn).get_unique_constraints("folders")


_REMOVED_HIGHEST = (
    "import sys, json; from sucai.library import Library; lib = Library.open(sys.argv[1]);"
    "lib.ingest([sys.argv[2]], workers=1); ids = sorted(lib.catalogue.document_ids());"
    "lib.clusters.merge(ids[:2]);"
    "lib.clusters.split(ids[0]); lib.remove(ids[-1]); lib.remove(ids[-2]);"
    "print(json.dumps({'removed': ids[-2:], 'kept': {d.id: [d.title, d.text] for d in lib.catalogue.documents()},"
    " 'split': sorted(lib.catalogue.admin_grouping()[1])}, ensure_ascii=False))")


def test_a_library_made_before_c0010_keeps_its_ids_and_never_gives_a_removed_one_again(tmp_path):
    """A library of main at 870d9ca (``documents`` without AUTOINCREMENT: SQLite gave ``max(id) + 1``) whose two
    highest documents were removed is migrated: every document keeps its id and content, the split an admin made
    stays, the table equals schema.py, and the next document is given an id past every one given before (the
    highest removed is named by the change log). Each of its documents counts as read by an older reading (c0011:
    its version unknown), those with a members part apart."""
    home, printed = old_library(tmp_path, MAIN_BEFORE_AUTOINCREMENT, _REMOVED_HIGHEST)
    before = json.loads(printed[-1])
    library = Library.open(home, database_url="")
    members = sum(d.paid_from is not None for d in library.catalogue.documents())
    assert library.catalogue.older_readings() == (len(before["kept"]), members) and members > 0
    assert {str(d.id): [d.title, d.text] for d in library.catalogue.documents()} == before["kept"]
    assert sorted(library.catalogue.admin_grouping()[1]) == before["split"] != []
    assert [d for d in differences(library.catalogue.db) if not spelling(d)] == []
    _, given = library.catalogue.add(Document(title="新文档", text="新的正文。", genre="通知"), "new", "/x/new.txt", "n")
    assert given == max(before["removed"]) + 1
    library.remove(given)
    _, again = library.catalogue.add(Document(title="又一篇", text="又一篇正文。", genre="通知"), "again", "/x/a.txt", "a")
    assert again == given + 1


def spelling(difference) -> bool:
    """A difference only in how sucai before the data-access layer spelled the same table in SQLite: a primary key
    without NOT NULL (SQLite reports it nullable), REAL for Float, a foreign key reflected with ON UPDATE NO ACTION,
    a unique constraint without its name (its columns are checked apart)."""
    kind = difference[0][0] if isinstance(difference, list) else difference[0]
    if kind == "modify_nullable":   # (kind, schema, table, column, …)
        _, _, table, column = difference[0][:4]
        return any(table in tables and tables[table].c[column].primary_key
                   for tables in (m.tables for m in METADATA.values()))
    if kind == "modify_type":
        return str(difference[0][5]) == "REAL"
    if kind == "add_constraint":    # a UNIQUE (…) without a name: a name cannot be added in place on SQLite
        return isinstance(difference[1], UniqueConstraint) and difference[1].name is not None
    return kind in ("remove_fk", "add_fk")


def test_postgresql_is_refused_until_migrated(tmp_path, postgres, request):
    url = postgres.create_database("unmigrated")
    request.addfinalizer(lambda: postgres.drop_database("unmigrated"))
    home = tmp_path / "home"
    home.mkdir()
    (home / "sucai.toml").write_text(f'database_url = "{url}"\n', encoding="utf-8")
    with pytest.raises(SchemaOutdated) as refused:
        Library.open(home)
    assert "目录库还没有建表：请先运行 sucai migrate" in refused.value.message
    env = {**os.environ, "SUCAI_HOME": str(home)}
    env.pop("SUCAI_DATABASE_URL", None)
    serve = subprocess.run([sys.executable, "-m", "sucai", "serve", "--port", "1"], capture_output=True, text=True,
                           env=env, timeout=120)
    said = " ".join(serve.stderr.split())      # the terminal wraps long lines
    assert serve.returncode == 1 and "sucai migrate" in said and "Traceback" not in said
    migrated = subprocess.run([sys.executable, "-m", "sucai", "migrate"], capture_output=True, text=True, env=env)
    assert migrated.returncode == 0 and head("catalogue") in migrated.stdout and head("accounts") in migrated.stdout
    assert migrated.stdout.count("：已建表（结构 ") == 2 and "空" not in migrated.stdout
    assert Library.open(home).catalogue.stats()["documents"] == 0


def test_a_database_that_cannot_be_reached_is_named_with_the_reason_in_chinese(tmp_path, postgres):
    """libpq's reasons are English whatever the locale: the usual ones reach the operator in Chinese, and the
    command line says them in one line with exit status 1."""
    server = f"127.0.0.1:{postgres.port}"
    cases = {f"postgresql://sucai@127.0.0.1:{free_port()}/sucai": "没有 PostgreSQL 在运行（连接被拒绝）",
             f"postgresql://sucai@{server}/nosuchdb": "PostgreSQL 中没有数据库 nosuchdb（先用 createdb 建库）",
             f"postgresql://nobody:secret@{server}/postgres": "PostgreSQL 中没有用户 nobody"}
    for n, (url, reason) in enumerate(cases.items()):
        home = tmp_path / f"home{n}"
        home.mkdir()
        (home / "sucai.toml").write_text(f'database_url = "{url}"\n', encoding="utf-8")
        env = {**os.environ, "SUCAI_HOME": str(home)}
        env.pop("SUCAI_DATABASE_URL", None)
        said = subprocess.run([sys.executable, "-m", "sucai", "stats"], capture_output=True, text=True, env=env)
        assert said.returncode == ExitCode.ERROR and said.stdout == "", said
        message = " ".join(said.stderr.split())      # the terminal wraps long lines
        assert f"无法连接数据库 {url.replace(':secret@', ':***@')}：" in message and reason in message, message
        assert not re.search(r"[A-Za-z]{5,} [A-Za-z]{3,}", message.replace(url.replace(':secret@', ':***@'), "")), message


def test_driver_rows_are_the_rows_exec_driver_sql_gives_and_its_errors_sqlalchemys(database_url, tmp_path):
    """driver_rows (a search reading its hits on the DBAPI cursor) gives the values and order that
    exec_driver_sql gives, with the parameters in the driver's style, and a database error as SQLAlchemy's."""
    catalogue = Catalogue(database_url or tmp_path / "catalogue.sqlite3")
    ids = [catalogue.add(Document(f"文档{k}", f"第{k}篇的正文。" * (k + 1)), f"h{k}", f"/{k}", "x")[1] for k in range(3)]
    wanted = [ids[2], ids[0]]
    with catalogue.db.read() as conn:
        marks = ", ".join("?" if conn.dialect.positional else f"%(id{k})s" for k in range(2))
        sql = f"SELECT id, title, text, hidden FROM documents WHERE id IN ({marks}) ORDER BY id DESC"
        parameters = tuple(wanted) if conn.dialect.positional else {f"id{k}": i for k, i in enumerate(wanted)}
        rows = driver_rows(conn, sql, parameters)
        assert rows == [tuple(row) for row in conn.exec_driver_sql(sql, parameters).fetchall()]
    assert rows == [(ids[2], "文档2", "第2篇的正文。" * 3, False if database_url else 0),
                    (ids[0], "文档0", "第0篇的正文。", False if database_url else 0)]
    with catalogue.db.read() as conn, pytest.raises((OperationalError, ProgrammingError), match="no_such_column"):
        driver_rows(conn, "SELECT no_such_column FROM documents", ())


@pytest.mark.parametrize("batch", [1, 4, 10_000])
def test_a_deletion_in_batches_deletes_what_one_delete_does(database_url, tmp_path, monkeypatch, batch):
    """delete_in_batches (a first pruning of an old library's records) deletes, a transaction per batch of at most
    ``batch`` rows, the rows one DELETE would: an audit log (one key column, the dates not in its order) and the counts
    of searches (two key columns, a day of them on each side of the cut-off); the oracle: the rows kept, chosen here."""
    import sucai.db
    from sucai.db.schema import audit, search_stats

    db = Accounts(database_url or tmp_path / "accounts.sqlite3").db
    dates = [f"2026-0{1 + (k * 7) % 9}-01T00:00:00.000000+00:00" for k in range(25)]
    queries = [(f"2026-03-0{d}", f"检索{q}") for d in range(1, 4) for q in range(6)]
    with db.transaction() as conn:
        conn.execute(audit.insert(), [{"at": at, "event": "login", "detail": str(k)} for k, at in enumerate(dates)])
        conn.execute(search_stats.insert(), [{"day": d, "query": q, "searches": 1, "empty": 0} for d, q in queries])
    transactions = []
    deleted = sucai.db._deleted
    monkeypatch.setattr(sucai.db, "_deleted", lambda *args: transactions.append(went := deleted(*args)) or went)

    assert db.delete_in_batches(audit, audit.c.at < "2026-05-01", batch) == sum(at < "2026-05-01" for at in dates)
    assert db.delete_in_batches(search_stats, search_stats.c.day < "2026-03-03", batch) == 12
    with db.read() as conn:
        assert sorted(conn.execute(select(audit.c.detail)).scalars(), key=int) == [
            str(k) for k, at in enumerate(dates) if at >= "2026-05-01"]
        assert sorted(conn.execute(select(search_stats.c.day, search_stats.c.query)).all()) == queries[12:]
    wanted = [min(batch, left) for total in (11, 12) for left in range(total, -1, -batch)]
    assert transactions == wanted, transactions   # each batch in a transaction; the last short (or empty)


def test_the_change_log_numbers_racing_changes_once_and_in_order(database_url, tmp_path):
    """Writers on separate connections add and edit at once: every change is logged once, numbers only
    grow, and the log never shows a later number before an earlier one is committed."""
    catalogue = Catalogue(database_url or tmp_path / "catalogue.sqlite3")
    seen: list[list[int]] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            seen.append([seq for seq, _, _ in catalogue.changes_since(0)])

    def writer(n: int):
        for k in range(15):
            _, doc_id = catalogue.add(Document(f"文档{n}-{k}", f"写入者{n}的第{k}篇。"), f"{n}-{k}", f"/{n}/{k}", "x")
            catalogue.update(doc_id, title=f"改过的文档{n}-{k}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    log = catalogue.changes_since(0)
    assert len(log) == 4 * 15 * 2 and [seq for seq, _, _ in log] == sorted({seq for seq, _, _ in log})
    for snapshot in seen:   # every snapshot is a prefix of the final log: no gap was ever visible
        assert snapshot == [seq for seq, _, _ in log][: len(snapshot)]
    assert catalogue.change_count() == log[-1][0]


def test_title_only_documents_of_an_older_ingest_are_listed_and_hidden(home, tmp_path, capsys):
    """A file with only a title was stored with 0 字 before the ingest refused such files (stop 30); its ingest
    again says 未变化 (the same bytes), so it stayed for ever. ``check-integrity`` lists it (``--no-repair``: exit
    status 7, nothing changed) and hides it (kept: an admin may show it again), nothing else touched."""
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    shown_before = [row.id for row in library.catalogue.records()]
    folder = tmp_path / "旧"
    folder.mkdir()
    (folder / "标题.txt").write_text("关于召开年度工作会议的通知\n\n", encoding="utf-8")
    from sucai.ingest import content_hash   # what an older ingest recorded for the file
    _, old = library.catalogue.add(Document(title="关于召开年度工作会议的通知", text="\n", genre="通知"),
                                   "title-only", str(folder / "标题.txt"), content_hash(folder / "标题.txt"))
    library.index.sync()
    assert library.ingest([folder], workers=1).counts["unchanged"] == 1
    capsys.readouterr()
    assert run_cli(["check-integrity", "--no-repair", "--home", str(home)]) == ExitCode.DAMAGED
    said = capsys.readouterr().out
    assert "只有标题、没有正文（0 字）的文档 1 篇" in said and f"{old}  关于召开年度工作会议的通知" in said and "未处理" in said
    assert library.get(old).hidden is False
    assert run_cli(["check-integrity", "--home", str(home)]) == ExitCode.OK
    assert "已隐藏" in capsys.readouterr().out
    assert library.get(old, include_hidden=True).hidden is True and [row.id for row in library.catalogue.records()] == shown_before
    assert library.search(SearchRequest(q="年度工作会议", mode="precise"), member=True).total == 0
    report = library.check_integrity()
    assert report["ok"] and report["title_only"] == [] and report["documents"] == len(shown_before)
    library.set_hidden(old, False)          # an admin shows it again: no check lists it or hides it again
    assert library.check_integrity(repair=False)["ok"] and library.check_integrity()["title_only"] == []
    assert library.get(old).hidden is False
    assert run_cli(["check-integrity", "--no-repair", "--home", str(home)]) == ExitCode.OK


def test_title_only_means_blank_as_the_ingest_strips_it(home):
    """A text of any blanks ``str.strip`` strips (NBSP, U+2003, form feed, U+3000, …) is title-only; one with a
    zero-width space (not a blank to Python) is not."""
    library = Library.open(home)
    texts = ["\n", "\u00a0\n", "\u2003", "\x0c\n", "\u3000\r\n\t", "\u200b", "正文"]
    ids = [library.catalogue.add(Document(title=f"标题{k}", text=text, genre="通知"), f"t{k}", f"/x/{k}.txt",
                                 f"h{k}")[1] for k, text in enumerate(texts)]
    assert library.catalogue.title_only() == [(doc_id, f"标题{k}") for k, (doc_id, text) in enumerate(zip(ids, texts))
                                              if not text.strip()]
    library.close()


def test_check_integrity_finds_and_repairs_a_damaged_index(home):
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    assert library.check_integrity() == {"ok": True, "documents": 10, "applied": library.index.applied,
                                         "missing": [], "extra": [], "duplicated": [], "title_only": [],
                                         "repaired": False}
    writer = library.index.index.writer(heap_size=50_000_000, num_threads=1)   # damage it behind sucai's back
    writer.delete_documents_by_query(tantivy.Query.term_query(SCHEMA, "id", 4))
    writer.add_document(_tantivy_document(index_fields(library.get(5))))
    writer.add_document(_tantivy_document({**index_fields(library.get(6)), "id": 99}))
    writer.commit()
    writer.wait_merging_threads()     # and let go of the index's write lock
    library.index.index.reload()
    report = library.check_integrity(repair=False)
    assert (report["ok"], report["missing"], report["extra"], report["duplicated"]) == (False, [4], [99], [5])
    assert run_cli(["check-integrity", "--no-repair", "--home", str(home)]) == ExitCode.DAMAGED   # said, not hidden
    assert run_cli(["check-integrity", "--home", str(home)]) == ExitCode.OK                      # repaired
    assert library.check_integrity() == {**report, "ok": True, "missing": [], "extra": [], "duplicated": []}
    assert library.search(SearchRequest(q=library.get(4).title, mode="precise"), member=True).total >= 1
