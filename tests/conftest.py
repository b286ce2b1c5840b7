"""Shared test fixtures: the real corpus under ../shared, skipped with a clear message when absent; the
database backends every library of the tests is built on.

``backend`` is a parameter of every fixture that makes a library (``home``, ``make_home`` and the
libraries the test modules build with it): each such test runs once on the embedded SQLite files
and once on PostgreSQL (a real server from Debian's packages, started once for the session in a
temporary directory by :class:`postgres.TempPostgres`, each library in a database of its own,
copied from a migrated template). ``SUCAI_TEST_BACKENDS=sqlite`` (or ``postgresql``) runs one. Tests of
pure text (analysis, readers, outline, metadata rules) build no library and run once; so does the
whole-corpus library of ``test_corpus.py`` (on SQLite: its ingest is the suite's longest step, and backend-free).
Every test that builds a library is marked ``backend``. ``make test`` runs both backends in one pytest with a
worker process per core (pytest-xdist, ``--dist loadscope``: each module's tests of one backend in one worker,
see :func:`pytest_xdist_make_scheduler`).
"""

from __future__ import annotations

import itertools
import os
import signal
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from interrupted import pytest_configure, pytest_keyboard_interrupt  # noqa: F401 - Ctrl+C said in Chinese
from postgres import TempPostgres, binaries
from sucai.config import DEFAULT_TIMEZONE
from sucai.db import Database, dispose_engine
from sucai.db.migrate import upgrade

# Password hashes at argon2's lowest cost (the password_hash_profile setting) in every library the tests open, in
# this process and in the CLI and server processes they start: thousands of logins and sign-ups, each a second of
# CPU at the production default. Tests of that default remove the variable (tests/test_accounts.py).
os.environ["SUCAI_PASSWORD_HASH_PROFILE"] = "CHEAPEST"

# Ctrl+C reaches the commands the tests start and interrupt (SIGINT to them or their process group): a test run started
# in the background by a non-interactive shell (`make test &`, as CI may) has SIGINT ignored, and every process it
# starts would inherit that — Python then never raises KeyboardInterrupt, and those tests saw the command run on.
# A handled signal is reset to its default in a started program, which then handles Ctrl+C as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
SAMPLE = SHARED / "samples" / "sample_scraped_dui_zhao_jian_cha.txt"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"needs {path} (the shared test data beside the project); it is absent here")
    return path


def pytest_collection_modifyitems(items) -> None:
    """Mark every test that builds a library ``backend``."""
    for item in items:
        if "backend" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.backend)


# The modules whose groups take longest (minutes each, pytest --durations), longest first: handed out first, in
# this order, so that no worker starts one of them while the other has little left.
HEAVY = ("tests/test_corpus.py", "tests/test_leaks.py", "tests/test_watch.py")


@pytest.hookimpl(optionalhook=True)   # a hook of pytest-xdist: `pytest -p no:xdist` runs without it
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` (pytest-xdist, as ``make test`` runs it) with a group per module (or class) *and backend*:
    a module's SQLite and PostgreSQL tests share no module-scoped library, so two workers can take them at once. The
    groups of :data:`HEAVY` modules go out first (in its order), then the others in pytest-xdist's (most tests first)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByBackend(LoadScopeScheduling):
        heavy_first = False

        def _split_scope(self, nodeid: str) -> str:
            params = nodeid.partition("[")[2].rstrip("]").split("-")
            return super()._split_scope(nodeid) + "".join(f"[{p}]" for p in params if p in ("sqlite", "postgresql"))

        def _assign_work_unit(self, node) -> None:
            if not self.heavy_first:
                rank = {scope: [scope.startswith(module) for module in HEAVY].index(True)
                        for scope in self.workqueue if scope.startswith(HEAVY)}
                for scope in sorted(rank, key=rank.get)[::-1]:
                    self.workqueue.move_to_end(scope, last=False)
                self.heavy_first = True
            super()._assign_work_unit(node)

    return ByBackend(config, log)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return _need(CORPUS)


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return _need(SAMPLE)


@pytest.fixture
def database_url(backend, request) -> str:
    """A fresh database for one test ("" on SQLite: the files of its data directory)."""
    return new_database(backend, request)


@pytest.fixture
def home(tmp_path, monkeypatch, database_url) -> Path:
    """A fresh, empty SUCAI_HOME for one test, on the backend of this run (also for its child processes,
    through SUCAI_DATABASE_URL, whatever sucai.toml the test writes)."""
    path = setup_home(tmp_path / "home", database_url)
    monkeypatch.setenv("SUCAI_HOME", str(path))
    if database_url:
        monkeypatch.setenv("SUCAI_DATABASE_URL", database_url)
    return path


BACKENDS = [b.strip() for b in os.environ.get("SUCAI_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
_TEMPLATE = "sucai_template"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres():
    """The session's PostgreSQL server, with a migrated template database."""
    if binaries() is None:
        pytest.skip("needs PostgreSQL (Debian: apt-get install postgresql; scripts/system-packages.sh does it)")
    server = TempPostgres()
    url = server.create_database(_TEMPLATE)
    for store in ("catalogue", "accounts"):
        upgrade(Database(url, store, check=False))
    dispose_engine(url)
    yield server
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> TempPostgres | None:
    """None for the embedded SQLite files, else the PostgreSQL server."""
    return request.getfixturevalue("postgres") if request.param == "postgresql" else None


def new_database(server: TempPostgres | None, request) -> str:
    """A fresh, migrated database on ``server`` for one library ("" on SQLite), dropped after ``request``'s scope."""
    if server is None:
        return ""
    name = f"lib{os.getpid()}_{next(_numbers)}"
    url = server.create_database(name, template=_TEMPLATE)

    def drop():
        dispose_engine(url)
        server.drop_database(name)
    request.addfinalizer(drop)
    return url


def site_day(days: int = 0) -> date:
    """The site's date now (the default ``timezone``, Beijing: memberships, quotas, 今日更新 and ``--since`` count its
    days) ``days`` later — read at each call. Not ``date.today()``, the machine's: a day ahead of Beijing's in the
    hour after midnight in Tokyo, where "expired yesterday" is a member still; and not a module constant, a day
    behind once a run (pytest-xdist: collected first, run up to half an hour later) passes Beijing's midnight
    (16:00 UTC)."""
    return datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date() + timedelta(days=days)


def frozen_datetime(instant: datetime) -> type[datetime]:
    """A ``datetime`` class whose ``now(tz)`` is always ``instant`` (an aware datetime) on the clock of ``tz``, for a
    test to put in place of a module's ``datetime`` (``monkeypatch.setattr(module, "datetime", ...)``): what that
    module calls "today" then never turns into tomorrow halfway through a test, as the machine's clock does at the
    site's midnight (Beijing's: 16:00 UTC)."""
    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None) -> datetime:
            return instant.astimezone(tz) if tz is not None else instant.astimezone().replace(tzinfo=None)
    return Frozen


def store(catalogue, title: str, text: str, paid_from: int | None = None) -> int:
    """A document put into ``catalogue`` (a :class:`~sucai.store.Catalogue`; not yet indexed): its id."""
    from sucai.ingest import text_hash
    from sucai.model import Document

    doc = Document(title=title, text=text, paid_from=paid_from)
    status, doc_id = catalogue.add(doc, text_hash(doc), f"/test/{title}", "x")
    assert status == "ingested"
    return doc_id


def age(catalogue, through: int | None = None) -> None:
    """Date the changes of ``catalogue``'s log numbered up to ``through`` (None: all of them) long ago, before any
    retention (:mod:`sucai.retention`)."""
    from sucai.db.schema import changes

    with catalogue.db.transaction() as conn:
        aged = changes.update().values(at="2000-01-01T00:00:00.000000+00:00")
        conn.execute(aged if through is None else aged.where(changes.c.seq <= through))


@pytest.fixture
def library(home):
    """The :class:`~sucai.library.Library` of the test's fresh ``home``, closed after it (a module may define its own)."""
    from sucai.library import Library

    library = Library.open(home)
    yield library
    library.close()


def stored_text(db) -> str:
    """Every row of every sucai table of store ``db`` (a :class:`~sucai.db.Database`) as text: what a copy of
    the database would show, on either backend."""
    from sucai.db.schema import METADATA

    with db.read() as conn:
        return "\n".join(repr(tuple(row)) for table in METADATA[db.store].sorted_tables
                         for row in conn.execute(table.select()))


def setup_home(path: Path, database_url: str) -> Path:
    """Make ``path`` a library's data directory on ``database_url`` (written to its sucai.toml)."""
    path.mkdir(parents=True, exist_ok=True)
    if database_url:
        with (path / "sucai.toml").open("a", encoding="utf-8") as toml:
            toml.write(f'database_url = "{database_url}"\n')
    return path


@pytest.fixture(scope="module")
def make_home(backend, request):
    """``make_home(path)``: a new library's data directory on the backend of this run (module-scoped builds)."""
    return lambda path: setup_home(Path(path), new_database(backend, request))


@pytest.fixture(scope="module")
def library_web_app(library):
    """The web app (:func:`sucai.web.create_app`) of the module's ``library`` fixture, made once per module; a
    module using it defines ``library`` (a :class:`sucai.library.Library`)."""
    from sucai.web import create_app

    return create_app(library.settings.home)


@pytest.fixture
def library_web(library_web_app):
    """A :class:`fastapi.testclient.TestClient` of :func:`library_web_app` for one test: a server error comes back as
    a 500 response (not raised), and the app's ``dependency_overrides`` are cleared before and after the test."""
    from fastapi.testclient import TestClient

    library_web_app.dependency_overrides.clear()
    with TestClient(library_web_app, raise_server_exceptions=False) as client:
        yield client
    library_web_app.dependency_overrides.clear()


SUBSET = ("state_council_policies_govcn", "gov_work_reports_hailaer_district", "mao_selected_works",
          "dangjian_site_articles", "cpc_20th_congress_report", "gov_work_reports_national_2024_2026",
          "laws_lawrefbook_national/经济法", "laws_lawrefbook_national/行政法")


@pytest.fixture(scope="session")
def subset_library(corpus_dir, tmp_path_factory, backend, request):
    """A library of part of the corpus (about 3.5 M characters, with the doubled State Council notices and
    the two copies of the 海拉尔区 reports), ingested once per session: ``(library, summary)``."""
    from sucai.library import Library

    library = Library.open(setup_home(tmp_path_factory.mktemp("subset-home"), new_database(backend, request)))
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

