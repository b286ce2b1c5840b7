"""The JSON answers of the API: Starlette's ``JSONResponse`` with the body encoded by orjson; :func:`unmade`, the
answer to a HEAD of a file that takes seconds to make.

The same bytes as ``json.dumps(content, ensure_ascii=False, separators=(",", ":"))``
(UTF-8, no spaces) for the data the API returns, about eight times faster (a search's
answer: 0.19 → 0.02 ms, a sixth of a served search's CPU). Keys that are not text
(years, ids) become text, as ``json`` makes them; a NaN or infinity becomes ``null``
instead of an error.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as _StarletteJSON
from starlette.responses import Response

__all__ = ["JSONResponse", "unmade"]


class JSONResponse(_StarletteJSON):
    """``JSONResponse(content, status_code=200, headers=None)``; ``content`` is plain data (dicts, lists,
    strings, numbers, dataclasses)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def unmade(media_type: str, headers: dict[str, str]) -> Response:
    """The answer to a HEAD of what a GET makes in seconds (a zip, a 查重 report; :func:`~.deps.spends` tells a HEAD):
    the GET's type and ``headers`` (its file name) without the file, so without its ``Content-Length`` — RFC 9110
    §9.3.2 lets a HEAD leave out what only making the content would tell. A HEAD made it, as often as asked, spending
    nothing (attack 22: 0.7–3.5 s of CPU a 查重 of a draft, 1.8 s a zip of 100 .docx)."""
    response = Response(media_type=media_type, headers=headers)
    del response.headers["content-length"]
    return response
