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
a served search costs a fifth less CPU than on h11 and asyncio's own loop.
"""

from __future__ import annotations

import gc
import socket
from pathlib import Path

from fastapi import FastAPI
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from .app import create_app


class NoDelayProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol, with ``TCP_NODELAY`` set on each TCP connection as it is accepted."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def served_app(home: str | Path | None = None) -> FastAPI:
    """The app over the library in ``home`` (default: ``$SUCAI_HOME``) for a server process (uvicorn's
    factory with ``--workers``): :func:`~sucai.web.create_app`, then the objects it made frozen
    (``gc.freeze``: they are never garbage; the collector then only walks what requests make)."""
    app = create_app(home)
    gc.collect()   # what is garbage already is not frozen
    gc.freeze()
    return app


def uvicorn_options(host: str, port: int) -> dict:
    """Keyword arguments of ``uvicorn.run`` for serving on ``host:port``.

    ``X-Forwarded-For`` is believed only from the ``trusted_proxies`` setting (the app
    applies it), never by uvicorn itself, which by default believes any local peer — a
    bypass of the per-IP login lockout. No access log: it would be filtered out at the
    ``warning`` level anyway, after being formatted for every request.
    """
    return {"host": host, "port": port, "log_level": "warning", "proxy_headers": False, "access_log": False,
            "http": NoDelayProtocol}
