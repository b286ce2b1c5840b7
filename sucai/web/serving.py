"""How the web app is served: the app of a server process and uvicorn's options, for ``sucai serve``.

:func:`served_app` is :func:`~sucai.web.create_app` with what it made at start kept
out of the garbage collector's rounds (``gc.freeze``): the library's tables, the
title list and the imports — some 250,000 objects that stay to the end — were
walked by every full collection, a pause of 0.25–0.3 s for every request waiting
on that process.

:func:`uvicorn_options` gives the keyword arguments of ``uvicorn.run``. Its HTTP
protocol is :class:`NoDelayProtocol`: uvicorn's own (httptools when installed,
else h11) with Nagle's algorithm turned off on every connection. uvicorn binds the
socket of several workers itself without naming the protocol (``proto`` 0), and
asyncio turns ``TCP_NODELAY`` on only for sockets that say ``IPPROTO_TCP``
(uvicorn issue #3149); a response then goes out as two segments (head, body), the
body waiting for the client's delayed ACK — about 40 ms added to every request
after the first on a keep-alive connection, which browsers and API clients use.
uvicorn takes httptools and uvloop (dependencies of sucai) when they are installed:
a served search costs a fifth less CPU than on h11 and asyncio's own loop. A request neither of its parsers
takes — a raw UTF-8 address typed by hand, ``curl 'http://…/search?q=作风建设'`` (browsers percent-encode it;
httptools' llhttp and h11 both refuse bytes past ASCII in the target, with no option to allow them) — gets
the API's error envelope in Chinese, saying how to send it (:data:`BAD_REQUEST`), not uvicorn's English line.

:func:`run_workers` runs several server processes under uvicorn's own supervisor (``Multiprocess``: health
checks, restarts, signals; :class:`_Supervisor` stops the workers at once, even while they start), each
listening on a socket of its own (``SO_REUSEPORT``, Linux): the kernel deals new connections out over them by
a hash of the addresses. On the one socket uvicorn shares between its workers, a connection went to whichever
process woke first: of 50 keep-alive connections opened at once, 32/18 or worse (all 50 on one worker has been
seen), so one core idled while the other's clients queued.

Both :func:`run_server` (one process) and :func:`run_workers` call ``on_ready()`` once the server answers — its
socket listening, a worker's app loaded —, for ``sucai serve`` to print its address then: printed before the workers
started, it showed 15 s before the first page came on a loaded machine.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.supervisors import Multiprocess

from ..analysis import load_segmenter
from ..interrupts import stop_self, when_parent_ends
from .app import create_app
from .errors import envelope
from .serverlog import log_config

BAD_REQUEST = envelope(400, "bad_request", "请求无法解析。网址中的中文等字符须先经百分号编码（浏览器会自动编码）；"
                                          "用 curl 时，参数请写成 curl -G 'http://地址:端口/路径' --data-urlencode '参数=值'，"
                                          "路径中的中文须自行编码")
_BAD_REQUEST_BODY = orjson.dumps(BAD_REQUEST)


class NoDelayProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol, with ``TCP_NODELAY`` set on each TCP connection as it is accepted, and its answer to
    a request it cannot parse in Chinese."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def send_400_response(self, msg: str) -> None:
        """Answer a request uvicorn's parser refused (``msg``: its English reason, which stays in its log) with
        400 and :data:`BAD_REQUEST` as JSON, then close the connection, as uvicorn does."""
        head = [b"HTTP/1.1 400 Bad Request"]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [b"content-type: application/json; charset=utf-8",
                 b"content-length: " + str(len(_BAD_REQUEST_BODY)).encode(), b"connection: close"]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + _BAD_REQUEST_BODY)
        self.transport.close()


def served_app(home: str | Path | None = None,
               describing: Callable[[tuple[str, ...], int, int], None] | None = None) -> FastAPI:
    """The app over the library in ``home`` (default: ``$SUCAI_HOME``) for a server process (uvicorn's
    factory with ``--workers``): :func:`~sucai.web.create_app` (``describing`` its) with the segmenter loaded (not in the first
    visitor's search: :func:`sucai.analysis.load_segmenter`), then the objects it made frozen (``gc.freeze``:
    they are never garbage; the collector then only walks what requests make). A worker of several stops, as
    ``systemctl stop`` stops it, when its supervisor has ended without stopping it (SIGKILL, the OOM killer): it
    served on, orphaned, on the port (:func:`sucai.interrupts.when_parent_ends`)."""
    when_parent_ends(stop_self)
    load_segmenter()
    app = create_app(home, describing=describing)
    gc.collect()   # what is garbage already is not frozen
    gc.freeze()
    return app


def uvicorn_options(host: str, port: int, zone: str) -> dict:
    """Keyword arguments of ``uvicorn.run`` for serving on ``host:port``, its log lines stamped on the site's clock
    ``zone`` (the ``timezone`` setting's name).

    ``X-Forwarded-For`` is believed only from the ``trusted_proxies`` setting (the app
    applies it), never by uvicorn itself, which by default believes any local peer — a
    bypass of the per-IP login lockout. No access log: it would be filtered out at the
    ``warning`` level anyway, after being formatted for every request. uvicorn's warnings and errors are written
    in Chinese (:mod:`sucai.web.serverlog`).

    With several workers, uvicorn's supervisor kills a worker that does not answer its health check (a ping
    answered by a thread of the worker) within ``timeout_worker_healthcheck`` seconds, 5 by default, and starts
    another. A worker's start holds the GIL for long stretches (imports, the segmenter, opening the library,
    ``gc.freeze``): on a machine loaded twentyfold it took minutes, each new worker was killed in turn and
    ``sucai serve --workers 2`` never served. :data:`WORKER_HEALTHCHECK_SECONDS` lets a slow start finish; a
    worker that is really hung is replaced that much later.
    """
    return {"host": host, "port": port, "log_level": "warning", "log_config": log_config(zone), "proxy_headers": False,
            "access_log": False, "http": NoDelayProtocol, "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS}


WORKER_HEALTHCHECK_SECONDS = 120


def run_server(app: FastAPI, on_ready: Callable[[], None], **options) -> None:
    """``uvicorn.run(app, **options)`` in this process, calling ``on_ready()`` once the server answers (its socket
    listening). Exits with uvicorn's ``STARTUP_FAILURE`` (3) if it never did, as ``uvicorn.run`` does."""
    server = _ReadyServer(uvicorn.Config(app, **options), on_ready)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class _ReadyServer(uvicorn.Server):
    """uvicorn's server, calling ``on_ready()`` at the end of its startup (the app's lifespan begun, the socket
    listening)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready
        # the event loop's module (uvloop) imported now: Server.run imports it after making its serve coroutine,
        # which a stop meanwhile (seconds on a loaded machine) dropped unawaited — Python's English RuntimeWarning
        config.get_loop_factory()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_ready()


def run_workers(app: str, workers: int, on_ready: Callable[[], None], **options) -> None:
    """``uvicorn.run(app, workers=workers, **options)`` (``app``: an import string), calling ``on_ready()`` once
    the first worker answers; each worker process on a listening socket of its own where the system balances
    connections over several (Linux), else on the one socket uvicorn shares between them."""
    own_sockets = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")
    config = (_OwnSocketsConfig if own_sockets else uvicorn.Config)(app, workers=workers, **options)
    try:
        _Supervisor(config, sockets=[config.bind_socket()], on_ready=on_ready).run()
    except KeyboardInterrupt:
        pass


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, which stops its workers as soon as it is asked to, even while they start.

    uvicorn's own handles a stop (Ctrl+C, SIGTERM) between rounds of health checks, and a round waits up to
    :data:`WORKER_HEALTHCHECK_SECONDS` for each worker's answer — which a worker still starting gives only once
    it has imported everything, and a dead one never gives (the supervisor held the worker's end of their pipe
    open itself, so the death did not show on the pipe). ``sucai serve --workers 2`` stopped during its start
    ended minutes later, after starting a new worker; a Ctrl+C, which reaches the whole process group, made each
    starting worker print a ``KeyboardInterrupt`` traceback. Here:

    - the workers start with SIGINT ignored (inherited through their ``exec``; uvicorn's server in a worker
      handles it again once it serves): the supervisor stops them;
    - a stop ends the supervisor's loop and sends each worker SIGTERM at once, from the signal handler, and only
      once (a second would cut a serving worker's graceful shutdown short): a starting worker dies of it, a
      serving one finishes its requests;
    - the supervisor closes its copy of each worker's pipe end once the worker holds it, so a dead worker's
      health check ends at once;
    - after a round of health checks, until a worker has said it serves (uvicorn's ``is_ready``), it asks them
      whether they do, and calls ``on_ready()`` once one does.
    """

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], on_ready: Callable[[], None]) -> None:
        super().__init__(config, sockets)
        self._told: set[int] = set()
        self._on_ready: Callable[[], None] | None = on_ready
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, self._stop)

    def _stop(self, signum: int, frame) -> None:
        self.should_exit.set()
        for process in self.processes:
            if process.pid is not None and process.exitcode is None and process.pid not in self._told:
                self._told.add(process.pid)
                os.kill(process.pid, signal.SIGTERM)

    def terminate_all(self) -> None:
        for process in self.processes:
            if process.pid not in self._told:
                process.terminate()

    def init_processes(self) -> None:
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            super().init_processes()
        finally:
            signal.signal(signal.SIGINT, handler)
        self._close_workers_ends()

    def keep_subprocess_alive(self) -> None:
        super().keep_subprocess_alive()
        self._close_workers_ends()
        self._say_when_ready()

    def _say_when_ready(self) -> None:
        if self._on_ready is None or self.should_exit.is_set():
            return
        if any(process.is_ready(self.config.timeout_worker_healthcheck) for process in self.processes):
            on_ready, self._on_ready = self._on_ready, None
            on_ready()

    def restart_all(self) -> None:
        super().restart_all()
        self._close_workers_ends()

    def _close_workers_ends(self) -> None:
        for process in self.processes:   # started: the worker holds its own copy (closing twice is harmless)
            process.child_conn.close()


class _OwnSocketsConfig(uvicorn.Config):
    """uvicorn's settings, whose socket is an :class:`_OwnSocket`."""

    def bind_socket(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        return _own_socket(family, (self.host, self.port))


class _OwnSocket(socket.socket):
    """A TCP socket bound with ``SO_REUSEPORT``; passed to a worker process (uvicorn's ``Multiprocess`` pickles
    its sockets into each), it is bound anew there, so that each worker listens on a socket of its own. The
    supervisor's own stays bound and never listens: it holds the address and gets no connection."""

    def __reduce__(self):
        return _own_socket, (self.family, self.getsockname()[:2])


def _own_socket(family: int, address: tuple[str, int]) -> _OwnSocket:
    sock = _OwnSocket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock
