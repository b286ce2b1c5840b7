"""An ASGI app factory whose start holds the GIL for several seconds, as a server worker's does on a loaded
machine (imports, the segmenter's load, ``gc.freeze`` at a tenth of a core): for tests/test_web_serving.py."""

from __future__ import annotations

import math
import re
import time

HELD_SECONDS = 8.0   # longer than uvicorn's default worker health check (5 s)
_BACKTRACKING = re.compile(r"(a+)+$")   # one match call, never releasing the GIL, doubling with each "a"


async def _hello(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": "你好".encode()})


def app():
    """The app, after one regex call that holds the GIL for about :data:`HELD_SECONDS` of CPU (calibrated here)."""
    started = time.process_time()
    _BACKTRACKING.match("a" * 20 + "b")
    took = max(time.process_time() - started, 1e-4)
    _BACKTRACKING.match("a" * (20 + math.ceil(math.log2(HELD_SECONDS / took))) + "b")
    return _hello
