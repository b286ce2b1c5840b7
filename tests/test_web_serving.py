"""How ``sucai serve`` runs uvicorn (:mod:`sucai.web.serving`): a real server on a loopback socket."""

from __future__ import annotations

import gc
import http.client
import socket
import threading
import time

import pytest
import uvicorn
from fastapi.testclient import TestClient

from sucai.web.serving import served_app, uvicorn_options


async def _hello(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": "你好".encode()})


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_keep_alive_connections_have_nagle_off_even_on_a_socket_bound_for_several_workers(loop):
    """With ``--workers N`` uvicorn binds the socket itself (``Config.bind_socket``: ``proto`` 0), and asyncio's
    loop then leaves ``TCP_NODELAY`` off: each response's body waited for the client's delayed ACK (~40 ms per
    keep-alive request). The connections of ``sucai serve`` have it on, on either event loop (uvloop, the
    default where installed, sets it itself), and both requests are answered."""
    config = uvicorn.Config(_hello, **{**uvicorn_options("127.0.0.1", 0), "log_config": None, "loop": loop})
    sock = config.bind_socket()   # what the multi-worker supervisor hands to each worker
    assert sock.proto == 0        # the cause: without our protocol, asyncio would not set TCP_NODELAY
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
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
    finally:
        server.should_exit = True
        thread.join(30)
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
