"""What every request needs: the library and the viewer.

The viewer is resolved once per request by :func:`current_viewer`; today every
web viewer is a visitor without the member tier. Accounts (next issue) only have
to replace that one function (or override it with ``app.dependency_overrides``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ..library import Library
from ..suggest import TitleIndex


@dataclass(frozen=True)
class Viewer:
    """Who is looking: ``member`` decides what of a document they may see (see :mod:`sucai.access`)."""

    member: bool = False
    name: str | None = None


VISITOR = Viewer(member=False)


def current_viewer(request: Request) -> Viewer:
    """The viewer of ``request``. For now always a visitor without the member tier."""
    return VISITOR


async def get_library(request: Request) -> Library:
    """The app's one :class:`Library` (its catalogue keeps one connection per thread)."""
    return request.app.state.library


async def get_titles(request: Request) -> TitleIndex:
    """The app's in-memory title list for type-ahead."""
    return request.app.state.titles
