"""Backups: a consistent snapshot of a library while it serves, and bringing one back.

A backup is a folder: the databases, the settings that change what is stored or
found (``sucai.toml`` without its secrets — ``database_url`` and ``llm_api_key``, however their keys are written,
and any comment that holds one —, and ``userdict.txt``), and ``manifest.json`` with the size and SHA-256 of
every file, checked before anything is restored: a file the manifest does not list (added afterwards: a
``sucai.toml`` that makes everything free) is refused as a changed one is.

- Embedded SQLite: each file is copied with SQLite's online backup API
  (``catalogue.sqlite3``, ``accounts.sqlite3``), a consistent copy of each while
  writers go on.
- PostgreSQL: ``pg_dump --format=custom`` of the whole database (catalogue and
  accounts in one snapshot), restored with ``pg_restore --clean``. The database password goes to them in a
  password file of their own (``PGPASSFILE``, readable by this user only, removed after), never on their command
  line, which every user of the machine can read (``ps``).

``sucai.toml`` is edited as TOML (tomlkit: the operator's comments and layout kept), never as lines; a restore
gives it the target's own secrets and checks that it opens before any database is touched.

The search index is not saved: :func:`restore` rebuilds it, and gives the
restored catalogue a new :meth:`~sucai.store.Catalogue.library_id`, so the index
of every node rebuilds itself too instead of following a log that no longer is
the one it applied.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tomlkit
from sqlalchemy import Integer, func, select, text
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table, Whitespace

from .config import SECRET_SETTINGS, Settings, load_settings, no_library, toml_reason
from .db import Database, dispose_engine
from .db.migrate import upgrade
from .db.schema import METADATA, audit, documents, meta, users
from .errors import InvalidInput, ReadError, os_reason
from .interrupts import dying_with_parent

FORMAT = 1
MANIFEST = "manifest.json"
STORES = ("catalogue", "accounts")
SETTINGS_FILES = ("sucai.toml", "userdict.txt")
DUMP = "database.dump"
MANIFEST_BYTES = 2**20   # a manifest lists a handful of files


def backup(settings: Settings, folder: Path) -> dict:
    """Save the library of ``settings`` into the new or empty ``folder``; returns the manifest.

    Raises InvalidInput (``backup_exists`` when ``folder`` holds files or is a file, ``no_library`` when
    ``settings`` name an embedded library that does not exist — a mistyped ``--home`` or ``SUCAI_HOME``: a new
    empty library was made there and backed up, exit status 0, which a nightly job took for the library's backup —,
    ``backup_failed`` when it cannot be made or
    written, or pg_dump fails or is missing).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"备份位置 {folder} 是一个已有的文件，不是目录；请给出一个新目录", code="backup_exists")
    if not settings.holds_library:
        raise no_library(settings.home, "未备份")
    try:
        if folder.exists() and any(folder.iterdir()):
            raise InvalidInput(f"备份目录 {folder} 不是空的，请换一个新目录", code="backup_exists")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"无法创建备份目录 {folder}：{os_reason(error)}", code="backup_failed") from error
    catalogue = Database(settings.database("catalogue"), "catalogue")
    if catalogue.postgres:
        counts = _pg_dump(catalogue, folder / DUMP)
    else:
        for store in STORES:
            _sqlite_copy(Path(Database(settings.database(store), store).path), folder / f"{store}.sqlite3")
        counts = _sqlite_counts(folder)
    _save_settings(settings, folder)
    manifest = {"format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "backend": "postgresql" if catalogue.postgres else "sqlite", **counts,
                "files": {p.name: _describe(p) for p in sorted(folder.iterdir()) if p.name != MANIFEST}}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def verify(folder: Path) -> dict:
    """The manifest of the backup in ``folder`` once every file's size and SHA-256 are checked.

    The manifest is ``{"format": 1, "created_at": ISO 8601, "backend": "sqlite" | "postgresql", "documents",
    "users", "audit_entries": counts, "files": {name: {"bytes", "sha256"}}}``; the folder holds exactly the files it lists (beside itself), and those its backend restores from.
    The manifest is read as a regular file of at most :data:`MANIFEST_BYTES` (:func:`sucai.readers.file_bytes`).
    Raises InvalidInput (``bad_backup``) naming the first file missing, changed or unknown, a manifest that
    cannot be read — or the folder, when there is none.
    """
    from .readers import file_bytes   # a regular file only, bounded: a named pipe in its place is not waited on

    folder = Path(folder)
    if not folder.exists():
        raise InvalidInput(f"找不到备份目录 {folder}（路径不存在）", code="bad_backup")
    try:
        manifest = json.loads(file_bytes(folder / MANIFEST, MANIFEST_BYTES))
    except (ReadError, ValueError, RecursionError) as error:   # RecursionError: nested too deep to read
        raise InvalidInput(f"{folder} 不是 sucai 备份（缺少或无法读取 {MANIFEST}）", code="bad_backup") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        shown = manifest.get("format") if isinstance(manifest, dict) else None
        raise InvalidInput(f"备份格式 {shown} 不受支持（{MANIFEST} 不是 sucai 备份清单）", code="bad_backup")
    files, backend = manifest.get("files"), manifest.get("backend")
    needed = {DUMP} if backend == "postgresql" else {f"{store}.sqlite3" for store in STORES}
    if not (isinstance(files, dict) and backend in ("sqlite", "postgresql") and needed <= files.keys()
            and all(type(manifest.get(count)) is int for count in _COUNTED) and _instant(manifest.get("created_at"))):
        raise InvalidInput(f"备份清单 {folder / MANIFEST} 已损坏（缺少数据库或文件列表），无法恢复", code="bad_backup")
    for name, expected in files.items():
        path = folder / name
        if name != path.name or name == MANIFEST or not path.is_file() or _describe(path) != expected:
            raise InvalidInput(f"备份文件 {name} 缺失或已损坏（校验和不符）", code="bad_backup")
    unknown = sorted(p.name for p in folder.iterdir() if p.name != MANIFEST and p.name not in files)
    if unknown:
        raise InvalidInput(f"备份目录中有清单未列出的文件 {unknown[0]}（备份之后加入的？），不予恢复", code="bad_backup")
    return manifest


def _instant(value: object) -> bool:
    """Whether ``value`` is an ISO 8601 instant (a manifest's ``created_at``)."""
    try:
        return isinstance(value, str) and datetime.fromisoformat(value) is not None
    except ValueError:
        return False


def restore(settings: Settings, folder: Path, *, force: bool = False) -> dict:
    """Bring the backup in ``folder`` into the library of ``settings``; returns the manifest.

    A backup of an embedded library may be restored into PostgreSQL (its rows are
    copied into the migrated target database: the way a library moves to a server
    of its own); a PostgreSQL backup only into PostgreSQL (``settings.database_url``
    names the target database, which ``sucai migrate`` need not have touched). A target that already holds
    documents or accounts is refused unless ``force``. The settings the backup brings (its ``sucai.toml`` with
    the target's own ``database_url`` and ``llm_api_key``) are checked before any database is touched. The caller rebuilds the
    index (:meth:`sucai.library.Library.reindex`). Raises InvalidInput (``bad_backup``, also for settings
    that would not open; ``restore_not_empty``, ``restore_backend``, ``backup_failed``, ``bad_settings``).
    """
    folder = Path(folder)
    manifest = verify(folder)
    postgres = bool(settings.database_url.strip())
    if manifest["backend"] == "postgresql" and not postgres:
        raise InvalidInput(f"这是 {manifest['backend']} 的备份，不能恢复到 {'PostgreSQL' if postgres else 'SQLite'} 库",
                           code="restore_backend")
    if not force and _holds_anything(settings):
        raise InvalidInput(f"{settings.home} 的库里已有文档或账号；恢复会覆盖它们，确认时请加 --force",
                           code="restore_not_empty")
    restored = _restored_settings(folder, settings.home)
    for store in STORES:
        dispose_engine(settings.database(store))
    if postgres and manifest["backend"] == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sucai-restore-") as scratch:
            for store in STORES:   # a copy, migrated to the newest schema: the backup stays as it was
                source = Path(scratch) / f"{store}.sqlite3"
                _sqlite_copy(folder / source.name, source)
                target = Database(settings.database(store), store, check=False)
                upgrade(target)
                copy_rows(Database(f"sqlite:///{source}", store), target)
                dispose_engine(f"sqlite:///{source}")
    elif postgres:
        target = Database(settings.database("catalogue"), "catalogue", check=False)
        _run_tool(target, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--dbname", _libpq(target), str(folder / DUMP))
        target.dispose()
    else:
        for store in STORES:
            path = settings.catalogue_path if store == "catalogue" else settings.accounts_path
            for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)
            _sqlite_copy(folder / f"{store}.sqlite3", path)
    for name, written in restored.items():
        (settings.home / name).write_text(written, encoding="utf-8")
    catalogue = Database(settings.database("catalogue"), "catalogue")   # migrates an older embedded backup
    with catalogue.transaction() as conn:   # a new name: every node's index rebuilds instead of following
        conn.execute(catalogue.insert(meta, update=("key",)).values(key="library_id", value=uuid.uuid4().hex))
    return manifest


_COUNTED = {"documents": documents, "users": users, "audit_entries": audit}


def copy_rows(source: Database, target: Database) -> None:
    """Copy every row of ``source``'s tables (both at the newest schema) into ``target``, replacing
    what the target's tables held, in one transaction; then set PostgreSQL's id sequences past the
    copied ids and past every id an SQLite source gave (``sqlite_sequence``: a removed document's id is
    never given again). A NUL in a text value, which SQLite holds and PostgreSQL refuses, becomes U+FFFD."""
    tables = METADATA[source.store].sorted_tables
    with source.read() as reading, target.transaction() as conn:
        given = {} if source.postgres else _sqlite_sequences(reading)
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables:
            rows = reading.execute(table.select()).mappings()
            while batch := rows.fetchmany(1000):
                conn.execute(table.insert(), [_storable(row) if target.postgres else dict(row) for row in batch])
            if target.postgres:
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (column.autoincrement == "auto" and
                                                        column.type._type_affinity is Integer):
                        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'),"
                                          f" greatest((SELECT max({column.name}) FROM {table.name}), :given) + 1,"
                                          " false)"), {"given": given.get(table.name, 0)})


def _sqlite_sequences(conn) -> dict[str, int]:
    """The highest id each AUTOINCREMENT table of an SQLite database ever gave (its ``sqlite_sequence``)."""
    if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").first() is None:
        return {}
    return dict(conn.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").fetchall())


def _storable(row) -> dict:
    """``row`` with each NUL of its text values as U+FFFD (PostgreSQL's text holds no NUL)."""
    return {k: v.replace("\x00", "\ufffd") if isinstance(v, str) and "\x00" in v else v for k, v in row.items()}


def _count(conn, name: str) -> int:
    return conn.execute(select(func.count()).select_from(_COUNTED[name])).scalar_one()


def _pg_dump(db: Database, target: Path) -> dict:
    """Dump the whole database with pg_dump, in the snapshot the returned counts were read in, into a file only its
    owner may read, as the SQLite copies are (:func:`_sqlite_copy`): made so before pg_dump writes into it."""
    target.touch(mode=0o600)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(select(func.pg_export_snapshot())).scalar_one()
            counts = {name: _count(conn, name) for name in _COUNTED}
            _run_tool(db, "pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file",
                      str(target), _libpq(db))
    return counts


def _sqlite_counts(folder: Path) -> dict:
    """What the copied files hold (read-only: the copies stay as they were written)."""
    counts = {}
    for store, names in (("catalogue", ("documents",)), ("accounts", ("users", "audit_entries"))):
        db = sqlite3.connect(f"file:{folder / f'{store}.sqlite3'}?mode=ro", uri=True)
        try:
            for name in names:
                counts[name] = db.execute(f"SELECT count(*) FROM {_COUNTED[name].name}").fetchone()[0]
        finally:
            db.close()
    return counts


def _holds_anything(settings: Settings) -> bool:
    """Whether the target library has documents or accounts (False for a database without tables yet)."""
    try:
        with Database(settings.database("catalogue"), "catalogue").read() as conn:
            docs = _count(conn, "documents")
        with Database(settings.database("accounts"), "accounts").read() as conn:
            people = _count(conn, "users")
    except Exception:  # noqa: BLE001 - no tables (a new database): nothing to lose
        return False
    return bool(docs or people)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of SQLite file ``source`` (writers may go on) into ``target``: one whole file in
    rollback-journal mode, which reading leaves as it is (a copy in the source's WAL mode would grow a
    -wal and -shm beside it at every opening)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=4096)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    target.chmod(0o600)


def _save_settings(settings: Settings, folder: Path) -> None:
    """Copy the settings files of ``settings.home`` into ``folder``: ``sucai.toml`` without its secrets
    (:data:`~sucai.config.SECRET_SETTINGS`, any TOML spelling of their keys: quoted, dotted, a table) and without
    the settings whose value and the comments that hold one (a URL with a password: ``llm_base_url =
    "https://user:key@…"``; see :func:`_holds_secret`), the operator's other settings, comments and layout kept.
    Raises InvalidInput (``bad_settings``) when ``sucai.toml`` is not TOML."""
    for name in SETTINGS_FILES:
        path = settings.home / name
        if path.is_file():
            if name == "sucai.toml":
                document = _settings_document(path)
                values = [value for key in SECRET_SETTINGS
                          for value in (document.unwrap().get(key), getattr(settings, key)) if isinstance(value, str)]
                secrets = _secrets(values)
                for key, value in document.unwrap().items():
                    if key in SECRET_SETTINGS or isinstance(value, str) and _holds_secret(value, secrets):
                        document.pop(key, None)
                _drop_secret_comments(document, secrets)
                text = tomlkit.dumps(document)
            else:
                text = path.read_text(encoding="utf-8")
            (folder / name).write_text(text, encoding="utf-8")


# A comment that names a secret setting (``# database_url = "postgresql://…"``, ``SUCAI_LLM_API_KEY``), or a
# comment or value that holds a URL with a password in it (``https://user:key@…``). A scheme starts where no
# scheme character stands before it, and the user and password parts stop at ``/``, ``@`` or white space, so
# a search takes time linear in the text.
_SECRET_SETTING = re.compile("|".join(SECRET_SETTINGS), re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://[^\s/@:]*:[^\s/@]*@", re.IGNORECASE)


def _secrets(values: list[str]) -> list[str]:
    """The secret settings' ``values`` (empty ones passed over) and the passwords in those that are URLs,
    as written (percent-encoded) and decoded."""
    return [part for value in values if value.strip()
            for part in (value.strip(), *_passwords(value.strip())) if part]


def _holds_secret(text: str, secrets: list[str]) -> bool:
    """Whether ``text`` (a comment or a setting's value) may hold a secret: a URL with a password, or one of
    ``secrets`` (:func:`_secrets`)."""
    return bool(_URL_PASSWORD.search(text)) or any(secret in text for secret in secrets)


def _drop_secret_comments(container, secrets: list[str]) -> None:
    """Remove from the TOML ``container`` (a document or table, its tables too) every comment that names a
    secret setting or may hold a secret (:func:`_holds_secret`). A whole-line comment goes with its line; a
    comment after a value leaves the value."""
    for key, item in container.body:
        if isinstance(item, Whitespace):
            continue
        comment = item.trivia.comment
        if comment and (_SECRET_SETTING.search(comment) or _holds_secret(comment, secrets)):
            item.trivia.comment = item.trivia.comment_ws = ""
            if key is None:   # a comment line
                item.trivia.indent = item.trivia.trail = ""
        if isinstance(item, Table):
            _drop_secret_comments(item.value, secrets)


def _passwords(url: str) -> tuple[str, ...]:
    """The password in the URL ``url`` as written and percent-decoded (one when they are the same); none when
    it has none or is not a URL (a port that is no number is not looked at)."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    return () if not password else tuple(dict.fromkeys((password, unquote(password))))


def _restored_settings(folder: Path, home: Path) -> dict[str, str]:
    """The text of each settings file the backup in ``folder`` brings into data directory ``home``, by file name:
    the backup's ``sucai.toml``, its comments and layout kept, with the secrets (``database_url``,
    ``llm_api_key``) of the target's own ``sucai.toml`` in place of any it holds (the target keeps its database
    and its keys). Checked before anything is restored: raises InvalidInput (``bad_backup``) when it would not
    open as the settings of a library (not TOML, an unknown setting, a value of the wrong type),
    ``bad_settings`` when the target's own ``sucai.toml`` is not TOML."""
    texts = {name: (folder / name).read_text(encoding="utf-8") for name in SETTINGS_FILES if (folder / name).is_file()}
    if "sucai.toml" not in texts:
        return texts
    own = _settings_document(home / "sucai.toml").unwrap() if (home / "sucai.toml").is_file() else {}
    with tempfile.TemporaryDirectory(prefix="sucai-settings-") as scratch:
        trial = Path(scratch) / "sucai.toml"
        try:
            settings = _settings_document(folder / "sucai.toml")
            for key in SECRET_SETTINGS:
                settings.pop(key, None)
                if own.get(key) is not None:
                    settings[key] = own[key]
            texts["sucai.toml"] = tomlkit.dumps(settings)
            trial.write_text(texts["sucai.toml"], encoding="utf-8")
            load_settings(scratch)
        except InvalidInput as error:   # said of the backup's file, not of the copy read in its place
            said = error.message.replace(str(trial), str(folder / "sucai.toml"))
            raise InvalidInput(f"备份中的设置无法使用，未恢复任何内容：{said}", code="bad_backup") from error
    return texts


def _settings_document(path: Path) -> tomlkit.TOMLDocument:
    """The settings file ``path`` as a TOML document that keeps its comments and layout. Raises InvalidInput
    (``bad_settings``) when it is not UTF-8 TOML."""
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (TOMLKitError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path} 格式错误：{toml_reason(error)}", code="bad_settings") from error


def _describe(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _libpq(db: Database) -> str:
    """The libpq connection string of a PostgreSQL database (for pg_dump and pg_restore), without its password
    (:func:`_run_tool` hands that over in a password file)."""
    return db.url._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run_tool(db: Database, program: str, *args: str) -> None:
    """Run a PostgreSQL client program (Debian: postgresql-client) on ``db``, its password (if any) in a password
    file of its own (``PGPASSFILE``: mode 0600 in a private temporary folder, removed after). Raises InvalidInput
    (``backup_failed``)."""
    found = shutil.which(program) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))), None)
    if not found:
        raise InvalidInput(f"找不到 {program}：请安装 PostgreSQL 客户端（Debian: apt-get install postgresql-client）",
                           code="backup_failed")
    with tempfile.TemporaryDirectory(prefix="sucai-pgpass-") as private:   # a folder only this user can enter
        env = dict(os.environ)
        if db.url.password:
            env.pop("PGPASSWORD", None)   # it would come before the file: the URL's password is the one meant
            passfile = Path(private) / "pgpass"
            passfile.touch(mode=0o600)
            escaped = db.url.password.replace("\\", "\\\\").replace(":", "\\:")   # libpq's .pgpass escapes
            passfile.write_text(f"*:*:*:*:{escaped}\n", encoding="utf-8")
            env["PGPASSFILE"] = str(passfile)
        result = subprocess.run(dying_with_parent([str(found), *args]), capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise InvalidInput(f"{program} 失败：{(result.stderr or '').strip()[:500]}", code="backup_failed")
