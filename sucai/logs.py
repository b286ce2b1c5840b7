"""sucai's log lines as an operator's terminal shows them (``sucai watch``, ``sucai serve``): never acted on by it.

A message names what came from outside — a dropped file (``\x1b]0;…\x07\x1b[2J坏.pdf``), a request's path, a
title — and a terminal would act on its escape sequences (set the window's title, clear the screen), a U+202E or
a carriage return would rewrite the line. :class:`PlainFormatter` writes the message as :func:`sucai.clean.plain`
leaves a field (one line, without control, zero-width or bidi formatting characters) and the rest of the entry —
a traceback — as :func:`sucai.clean.plain_lines` leaves it (its lines kept). Its times are on the site's clock
(setting ``timezone``), as every page and table shows a time: the lines of ``sucai serve`` and of its watcher, in one
service log, tell one time.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from .clean import plain, plain_lines
from .config import site_zone

__all__ = ["PlainFormatter"]


class PlainFormatter(logging.Formatter):
    """A :class:`logging.Formatter` whose lines cannot act on a terminal (see the module), stamped on the site's clock
    ``zone`` (a tzinfo, or the ``timezone`` setting's name; None: the machine's own). Raises InvalidInput for a name
    no zone has (:func:`sucai.config.site_zone`)."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, zone: tzinfo | str | None = None):
        super().__init__(fmt, datefmt)
        if zone is not None:
            clock = site_zone(zone) if isinstance(zone, str) else zone
            self.converter = lambda seconds: datetime.fromtimestamp(seconds, clock).timetuple()

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(logging.makeLogRecord({**record.__dict__, "message": plain(record.message)}))

    def format(self, record: logging.LogRecord) -> str:
        return plain_lines(super().format(record))
