"""How ``sucai serve`` runs uvicorn (:mod:`sucai.web.serving`): a real server on a loopback socket."""

from __future__ import annotations

import gc
import http.client
import json
import logging
import logging.config
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager, suppress
from datetime import datetime, timezone

import pytest
import uvicorn
from fastapi.testclient import TestClient
from multiprocessing.reduction import ForkingPickler

from chinese import english_words
from sucai.config import DEFAULT_TIMEZONE
from sucai.library import Library
from sucai.web import create_app
from sucai.web.serverlog import ChineseFormatter, chinese
from sucai.web.serving import _OwnSocketsConfig, served_app, uvicorn_options


async def _hello(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": "你好".encode()})


@contextmanager
def _serving(loop: str = "auto", log_config: dict | None = None):
    """A uvicorn server of :func:`_hello` with :func:`uvicorn_options` (logging as ``log_config`` sets it, by default
    left as it is), on a socket bound as the multi-worker supervisor binds it (``Config.bind_socket``); yields
    ``(server, socket)``."""
    config = uvicorn.Config(_hello, **{**uvicorn_options("127.0.0.1", 0, DEFAULT_TIMEZONE), "log_config": log_config,
                                       "loop": loop})
    sock = config.bind_socket()   # what the multi-worker supervisor hands to each worker (uvicorn before 0.55
    # bound it with proto 0, and asyncio then left TCP_NODELAY off; 0.55 binds with IPPROTO_TCP: either way, on)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        yield server, sock
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_keep_alive_connections_have_nagle_off_even_on_a_socket_bound_for_several_workers(loop):
    """With ``--workers N`` uvicorn binds the socket itself (``Config.bind_socket``: ``proto`` 0), and asyncio's
    loop then leaves ``TCP_NODELAY`` off: each response's body waited for the client's delayed ACK (~40 ms per
    keep-alive request). The connections of ``sucai serve`` have it on, on either event loop (uvloop, the
    default where installed, sets it itself), and both requests are answered."""
    with _serving(loop) as (server, sock):
        client = http.client.HTTPConnection(*sock.getsockname()[:2], timeout=10)
        bodies = []
        for _ in range(2):   # one keep-alive connection
            client.request("GET", "/")
            bodies.append(client.getresponse().read().decode())
        assert bodies == ["你好", "你好"]
        (connection,) = server.server_state.connections
        accepted = connection.transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        client.close()


def _raw_request(sock: socket.socket, target: str) -> bytes:
    """What the server listening on ``sock`` answers a GET of ``target`` sent as typed (UTF-8), until it closes."""
    with socket.create_connection(sock.getsockname()[:2], timeout=10) as client:
        client.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


@pytest.fixture
def uvicorn_logging():
    """uvicorn's loggers put back as they were after a test that configures them."""
    logger = logging.getLogger("uvicorn")
    handlers, propagate, level = logger.handlers[:], logger.propagate, logger.level
    yield
    logger.handlers[:], logger.propagate, logger.level = handlers, propagate, level


def test_uvicorns_warnings_are_logged_in_chinese(capsys, uvicorn_logging):
    """uvicorn's warning of a request it could not parse was ``WARNING:  Invalid HTTP request received.``"""
    with _serving(log_config=uvicorn_options("127.0.0.1", 0, DEFAULT_TIMEZONE)["log_config"]) as (_, sock):
        assert _raw_request(sock, "/search?q=作风建设").startswith(b"HTTP/1.1 400 ")
    logged = capsys.readouterr().err.splitlines()
    assert len(logged) == 1, logged   # level warning: neither its start nor its stop
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 警告 收到无法解析的 HTTP 请求（网址中有未经百分号编码的字符等），"
                        r"已回复 400 及说明", logged[0]), logged


@pytest.mark.parametrize("zone, stamp", [("Asia/Shanghai", "2026-12-05 22:36:10"),
                                          ("America/New_York", "2026-12-05 09:36:10")])
def test_the_servers_log_lines_are_stamped_on_the_sites_clock(zone, stamp, uvicorn_logging, monkeypatch):
    """`sucai serve --watch` wrote its watcher's lines on the site's clock (22:31, Beijing) and uvicorn's and the
    app's on the machine's (14:36, UTC): one service log, two times 8 hours apart. uvicorn's lines and sucai.web's
    are stamped on the site's clock too (setting ``timezone``), as the watcher's are."""
    from sucai.web import errors

    logger = logging.getLogger("sucai.web")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setattr(logger, "level", logger.level)
    logging.config.dictConfig(uvicorn_options("127.0.0.1", 0, zone)["log_config"])
    errors._error_log(zone)
    [uvicorns], [apps] = logging.getLogger("uvicorn").handlers, logger.handlers
    record = logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, "Invalid HTTP request received.", None,
                               None)
    record.created = datetime(2026, 12, 5, 14, 36, 10, tzinfo=timezone.utc).timestamp()
    assert uvicorns.format(record).startswith(f"{stamp} 警告 收到无法解析的 HTTP 请求")
    assert apps.format(record).startswith(f"{stamp} 警告 ")


def test_a_malformed_form_leaves_no_english_line_in_the_log(home, caplog, uvicorn_logging):
    """A form whose multipart body does not start with its boundary is answered 400 in Chinese, and python-multipart
    logged ``Expected boundary character 45, got 123 at index 2`` as a warning: one English line on the console of
    ``sucai serve`` for each such request any visitor sends. Its warnings are not logged (its errors are)."""
    multipart = logging.getLogger("python_multipart")
    level = multipart.level
    logging.config.dictConfig(uvicorn_options("127.0.0.1", 0, DEFAULT_TIMEZONE)["log_config"])
    try:
        with TestClient(create_app(home), raise_server_exceptions=False) as client:
            answer = client.post("/login", content=b"{}", headers={"content-type": "multipart/form-data; boundary=xx"})
    finally:
        multipart.setLevel(level)
    assert answer.status_code == 400 and english_words(answer.json()["error"], typed=("MB",)) == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("python_multipart")] == []


@pytest.mark.parametrize("english, chinese_words", [
    ("Child process [4321] died", "服务进程 4321 意外退出，将重新启动一个"),
    ("New child process [12] was not ready in time; keeping worker [7] and aborting the restart.",
     "新的服务进程 12 未能按时就绪，保留原进程 7，放弃此次重启"),
    ("Cancel 3 running task(s), timeout graceful shutdown exceeded", "等待进行中的请求结束已超时，取消其余 3 个"),
    ("Exception in ASGI application\n", "处理请求时出现未捕获的异常"),
    ("Started server process [99]", "Started server process [99]"),   # not one it knows: as uvicorn wrote it
])
def test_uvicorns_messages_in_chinese(english, chinese_words):
    assert chinese(english) == chinese_words


def test_an_errors_traceback_is_kept_after_the_chinese_line():
    try:
        raise ValueError("坏值")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n",
                                   None, sys.exc_info())
    first, *rest = ChineseFormatter().format(record).splitlines()
    assert first.endswith(" 错误 处理请求时出现未捕获的异常")
    assert rest[0] == "Traceback (most recent call last):" and rest[-1] == "ValueError: 坏值"


@pytest.mark.parametrize("target", ["/search?q=作风建设", "/文件/通知.docx"])
def test_a_raw_utf8_address_is_answered_in_chinese(target):
    """Review 23: ``curl 'http://…/search?q=作风建设'`` (curl sends the UTF-8 bytes as typed; a browser encodes them)
    got uvicorn's ``Invalid HTTP request received.``: neither of its parsers takes bytes past ASCII in the
    address. The answer is the API's error envelope, in Chinese, saying how to send it; the connection is closed."""
    with _serving() as (_, sock):
        answer = _raw_request(sock, target)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    assert (fields["content-type"], int(fields["content-length"])) == ("application/json; charset=utf-8", len(body))
    data = json.loads(body)
    assert (data["ok"], data["code"], data["status"]) == (False, "bad_request", 400)
    assert "百分号编码" in data["error"] and "--data-urlencode" in data["error"]
    assert "/search" not in data["error"]   # the example names no path but the one typed could be any (/文件/…)
    assert english_words(data["error"], typed=("curl", "http", "data", "urlencode")) == []


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT") or not sys.platform.startswith("linux"), reason="Linux")
def test_each_worker_listens_on_a_socket_of_its_own_and_connections_are_spread_over_them():
    """``sucai serve --workers N`` (:func:`~sucai.web.serving.run_workers`): the socket uvicorn's supervisor
    passes to each worker (pickled, as ``Multiprocess`` does) arrives as a new socket bound to the same
    address, so the workers do not share one accept queue (on uvicorn's own shared socket the first to accept
    takes every connection); the system spreads connections over those that listen, and none goes to the
    supervisor's, which only holds the address."""
    config = _OwnSocketsConfig(_hello, **{**uvicorn_options("127.0.0.1", 0, DEFAULT_TIMEZONE), "log_config": None},
                               workers=2)
    held = config.bind_socket()
    workers = [pickle.loads(ForkingPickler.dumps(held)) for _ in range(2)]   # what each worker process gets
    try:
        assert {w.getsockname() for w in workers} == {held.getsockname()}
        for worker in workers:
            worker.listen(128)
            worker.setblocking(False)
        clients = [socket.create_connection(held.getsockname()[:2], timeout=10) for _ in range(64)]
        accepted = [0, 0]   # each worker takes what its own queue holds (on a shared one, the first takes all)
        for n, worker in enumerate(workers):
            while True:
                try:
                    worker.accept()[0].close()
                except BlockingIOError:
                    break
                accepted[n] += 1
        assert sum(accepted) == 64 and min(accepted) >= 12   # a fair coin: fewer than 12 of 64 has odds of 1e-7
        for client in clients:
            client.close()
    finally:
        for sock in (held, *workers):
            sock.close()


def test_a_served_app_keeps_what_it_made_at_start_out_of_the_collectors_rounds(home):
    """``served_app`` (uvicorn's factory in each server process): the objects made at start are frozen, so a
    full collection no longer walks them (it paused every request of the process for ~0.3 s on the corpus)."""
    gc.unfreeze()
    try:
        app = served_app(home)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000                                # the imports, the library's tables, the app
        assert not any(o is app for o in gc.get_objects(2))   # the app itself is out of the oldest generation
        with TestClient(app) as client:
            assert client.get("/api/search", params={"q": "通知"}).json()["hits"] == []   # an empty library, served
    finally:
        gc.unfreeze()


_FIRST_SEARCH_PROBE = """
import sys
from sucai.library import Library

def searched(self, *args, **kwargs):   # says whether jieba was loaded before this process's first search
    print("segmenter loaded before the search:", "rjieba" in sys.modules, flush=True)
    return searching(self, *args, **kwargs)

searching, Library.search = Library.search, searched
if sys.argv[1] == "web":
    from fastapi.testclient import TestClient
    from sucai.web.serving import served_app
    with TestClient(served_app()) as client:
        assert client.get("/api/search", params={"q": "工作"}).status_code == 200
elif sys.argv[1] == "cli":
    from sucai.cli import run
    assert run(["search", "工作"]) == 0
else:
    Library.open().search(__import__("sucai.search").search.SearchRequest(q="工作"))
"""


@pytest.mark.parametrize("process", ["web", "cli", "library"])
def test_a_searching_process_loads_the_segmenter_before_its_first_search(home, tmp_path, process):
    """jieba's dictionary (≈ 0.5 s) is loaded as the web app and ``sucai search`` start, not in the first
    search (whose 用时 showed 559 ms for a 10 ms search); a process that only opens the library (an ingest's)
    still loads it at its first word segmented."""
    Library.open(home)   # an empty library: ``sucai search`` refuses a data directory holding none (fix23)
    probe = tmp_path / "probe.py"
    probe.write_text(_FIRST_SEARCH_PROBE, encoding="utf-8")
    said = subprocess.run([sys.executable, str(probe), process], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONSAFEPATH": "1"})
    assert said.returncode == 0, said.stderr
    loaded = process != "library"
    assert said.stdout.splitlines()[0] == f"segmenter loaded before the search: {loaded}"


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT") or not sys.platform.startswith("linux"), reason="Linux")
def test_a_worker_slow_to_start_is_not_killed_by_the_supervisors_health_check():
    """uvicorn's supervisor pings each worker every half second and kills one that does not answer within its
    health check timeout (5 s by default), then starts another. A worker whose start holds the GIL longer (on a
    machine loaded twentyfold, importing and opening the library took minutes of wall time) was killed and restarted
    for ever: ``sucai serve --workers 2`` never served. With :func:`uvicorn_options` it comes up and serves."""
    port = _free_port()
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
            "from sucai.web.serving import run_workers, uvicorn_options; "
            f"run_workers('slow_start_app:app', 2, lambda: None, factory=True, **{{**uvicorn_options('127.0.0.1', {port}, 'Asia/Shanghai'), "
            "'log_level': 'info'})")
    server = subprocess.Popen([sys.executable, "-c", code], text=True, stderr=subprocess.PIPE)
    try:
        assert _first_status(port, "/") == 200
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=60)
    assert "died" not in errors


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _first_status(port: int, path: str) -> int | None:
    """The HTTP status of the first answer to ``GET path`` on the loopback ``port`` within 150 s (None: none came)."""
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        try:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            client.request("GET", path)
            return client.getresponse().status
        except OSError:
            time.sleep(0.5)
    return None


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_prints_its_address_once_it_answers(home, workers):
    """``sucai serve`` says 「正在启动网页服务…」 at once and its address only once the server answers: a request
    sent as the address comes is answered, at the first try. It printed the address before uvicorn listened (before
    its workers even started): on a loaded machine, 15 s before the first page came."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        starting = server.stdout.readline()
        banner = server.stdout.readline()
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        client.request("GET", "/api/documents")   # at once: no second try
        assert client.getresponse().status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=60)
    assert starting == "正在启动网页服务…\n"
    assert f"素材库网页：http://127.0.0.1:{port}/" in banner


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_says_so_when_it_describes_the_documents_again_at_start(home, tmp_path, workers):
    """fix33: ``sucai serve`` after ``free_preview_chars`` changed made every document's visitor metadata again
    without a word (the commands say so since d1c4d88): it says so on standard error, once — not once per worker —,
    naming how many documents, before its address."""
    (tmp_path / "in").mkdir()
    for number in range(3):
        (tmp_path / "in" / f"{number}.txt").write_text(f"第{number}号材料\n一、总体要求\n第{number}条意见。\n",
                                                       encoding="utf-8")
    library = Library.open(home)
    library.ingest([tmp_path / "in"], workers=1)
    library.close()
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("free_preview_chars = 5\n")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        said = server.stdout.readline() + server.stdout.readline()   # 正在启动…, then the address: it serves
        os.killpg(server.pid, signal.SIGTERM)
        _, errors = server.communicate(timeout=60)
    finally:
        server.kill()
    assert f"http://127.0.0.1:{port}/" in said
    assert [line for line in errors.splitlines() if line.strip()] == [
        "免费预览字数设置（free_preview_chars）已改，正在重新生成 3 篇文档的免费预览…", "网页服务已停止。"]


@pytest.mark.parametrize("workers, stop", [(1, signal.SIGINT), (2, signal.SIGTERM)])
def test_serve_stopped_says_so_in_chinese_and_exits_130(home, workers, stop):
    """``sucai serve`` stopped (Ctrl+C: SIGINT to the terminal's process group; ``systemctl stop``: SIGTERM) says
    on standard error that it stopped and exits 130 (README: interrupted) — it used to end without a word."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        said = server.stdout.readline() + server.stdout.readline()   # 正在启动…, then the address: it serves
        os.killpg(server.pid, stop)
        _, errors = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 130
    assert f"http://127.0.0.1:{port}/" in said
    assert [line for line in errors.splitlines() if line.strip()] == ["网页服务已停止。"]


@pytest.mark.parametrize("workers, stop", [(1, signal.SIGINT), (2, signal.SIGTERM)])
def test_serve_stopped_before_its_banner_says_the_server_stopped(home, tmp_path, workers, stop):
    """``sucai serve`` stopped while its web app is still loading — before its banner, held here by an audit hook
    (a ``sitecustomize``) at the import of ``sucai.web.serving`` until the test's stop comes — says the server
    stopped and exits 130, as a stop after the banner does; it said an ingest's "已中断；已完成的部分都已保存，
    再次运行即可继续", which a server has nothing of."""
    ready = tmp_path / "held"
    (tmp_path / "sitecustomize.py").write_text(
        "import sys, time\n"
        "def hold(event, args):\n"
        "    if event == 'import' and args[0] == 'sucai.web.serving':\n"
        f"        open({str(ready)!r}, 'w').close()\n"
        "        time.sleep(60)\n"
        "sys.addaudithook(hold)\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(_free_port()),
                               "--workers", str(workers)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), server.communicate()
        os.killpg(server.pid, stop)
        said, errors = server.communicate(timeout=50)   # before the hook's hold would have ended
    finally:
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode == 130
    assert said == "正在启动网页服务…\n" and [line for line in errors.splitlines() if line.strip()] == ["网页服务已停止。"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_stopped_while_its_workers_start_ends_at_once(home, tmp_path, stop):
    """A stop sent to ``sucai serve --workers 2`` while its workers are still starting (held here for 60 s by a
    ``sitecustomize`` run only in multiprocessing's children) ends it within seconds, saying so and nothing else.
    SIGTERM: the workers, with no handler yet, die of it, and the supervisor — then waiting up to 120 s for a
    health check's answer on a pipe whose worker end it held open itself — used to wait that out, and replace the
    dead worker. SIGINT (Ctrl+C): each worker printed a ``KeyboardInterrupt`` traceback from its start."""
    (tmp_path / "sitecustomize.py").write_text(
        "import sys, time\nif '--multiprocessing-fork' in sys.argv:\n    time.sleep(60)\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(_free_port()), "--workers", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                              env=env)
    try:
        deadline = time.monotonic() + 120
        while len(_workers_of(server.pid)) < 2 and time.monotonic() < deadline:   # the supervisor started them
            time.sleep(0.1)
        time.sleep(3)   # the supervisor's first health check has begun (0.5 s after the start), the workers sleep
        os.killpg(server.pid, stop)
        said, errors = server.communicate(timeout=50)   # before the workers would have woken
    finally:
        with suppress(ProcessLookupError):   # the group is gone when all of it ended
            os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode == 130
    assert [line for line in errors.splitlines() if line.strip()] == ["网页服务已停止。"]
    assert "素材库网页" not in said   # no worker ever answered


def _workers_of(pid: int) -> list:
    """The worker processes (multiprocessing's spawned children) of the supervisor ``pid``."""
    import psutil

    return [child for child in psutil.Process(pid).children() if "--multiprocessing-fork" in child.cmdline()]


def test_the_workers_and_the_watcher_of_a_killed_server_end_with_it(home, tmp_path):
    """``sucai serve --workers 2 --watch`` killed by SIGKILL (the OOM killer; a supervisor other than systemd, which
    stops only the process it started) left its workers answering on the port and its watcher ingesting, orphaned:
    a restart was refused, 「端口已被占用」, until someone found and killed them (ops21). They end with it."""
    import psutil

    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(port), "--workers", "2",
                               "--watch", str(inbox)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True)
    reader.start()
    family = []
    try:
        assert _first_status(port, "/api/documents") == 200
        deadline = time.monotonic() + 120
        while not any("开始监视" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.2)
        family = psutil.Process(server.pid).children(recursive=True)   # the workers, the watcher and its helpers
        assert len(family) >= 3, family
        server.kill()
        server.wait()
        _, alive = psutil.wait_procs(family, timeout=60)   # bounded only against a hang
        assert alive == []
        with socket.socket() as free:   # the port is free again: a restart can take it
            free.bind(("127.0.0.1", port))
    finally:
        server.kill()
        for process in family:
            with suppress(psutil.Error):
                process.kill()


HOSTILE_PATH = "/\x1b]0;已被接管\x07\x1b[2J\x9b31m\u202e坏\r假的一行"


def _active_in(line: str) -> list[str]:
    """What a terminal could act on in ``line`` (the oracle: Unicode's categories), but the traceback's line breaks."""
    import unicodedata

    return [f"U+{ord(c):04X}" for c in line if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


def test_a_log_line_never_acts_on_the_terminal(capsys, monkeypatch):
    """``sucai serve`` logged a request's path as it was sent (``处理请求 GET /\\x1b]0;…``, json19): the window's title
    set, the screen cleared, the line rewritten. Its log lines — sucai.web's (the handler errors.install puts there)
    and uvicorn's — show each such character no more: the message on one line, the traceback's lines kept."""
    from sucai.web import errors

    logger = logging.getLogger("sucai.web")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setattr(logger, "level", logger.level)
    errors._error_log(DEFAULT_TIMEZONE)
    try:
        raise ValueError(f"坏值{HOSTILE_PATH}")
    except ValueError as error:
        logger.error("处理请求 %s %s 时出现内部错误", "GET", HOSTILE_PATH, exc_info=error)
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "%s", (HOSTILE_PATH,), sys.exc_info())
    first, *traceback = capsys.readouterr().err.rstrip("\n").split("\n")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 错误 处理请求 GET / \]0;已被接管 \[2J 31m 坏 假的一行 时出现内部错误", first)
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[-1] == "ValueError: 坏值/\ufffd]0;已被接管\ufffd\ufffd[2J\ufffd31m\ufffd坏\ufffd假的一行"
    uvicorns = ChineseFormatter().format(record)
    assert uvicorns.split("\n")[0].endswith(" 错误 / ]0;已被接管 [2J 31m 坏 假的一行")
    assert uvicorns.split("\n")[-1] == traceback[-1]
    assert _active_in(first) == _active_in("\n".join(traceback)) == _active_in(uvicorns) == []


def test_a_stop_while_uvicorn_imports_its_event_loop_leaves_no_coroutine_unawaited(monkeypatch):
    """ops29: `sucai serve --watch` stopped as it started (test_watch's stop at 4 s, on a loaded machine) wrote
    「RuntimeWarning: coroutine 'Server.serve' was never awaited」 on stderr: uvicorn's Server.run makes its serve
    coroutine, then imports the event loop's module (uvloop) — a stop meanwhile drops the coroutine unawaited. The
    server imports it before (run_server: nothing made yet when the stop comes)."""
    from sucai.web.serving import run_server

    def stopped(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(uvicorn.Config, "get_loop_factory", stopped)
    gc.collect()   # other tests' garbage first: its warnings are not this one's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(KeyboardInterrupt):
            run_server(lambda scope, receive, send: None, lambda: None, host="127.0.0.1", port=0)
        gc.collect()
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == []
