"""sucai's log lines as an operator's terminal shows them (``sucai watch``, ``sucai serve``): never acted on by it.

A message names what came from outside — a dropped file (``\x1b]0;…\x07\x1b[2J坏.pdf``), a request's path, a
title — and a terminal would act on its escape sequences (set the window's title, clear the screen), a U+202E or
a carriage return would rewrite the line. :class:`PlainFormatter` writes the message as :func:`sucai.clean.plain`
leaves a field (one line, without control, zero-width or bidi formatting characters) and the rest of the entry —
a traceback — as :func:`sucai.clean.plain_lines` leaves it (its lines kept).
"""

from __future__ import annotations

import logging

from .clean import plain, plain_lines

__all__ = ["PlainFormatter"]


class PlainFormatter(logging.Formatter):
    """A :class:`logging.Formatter` whose lines cannot act on a terminal (see the module)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(logging.makeLogRecord({**record.__dict__, "message": plain(record.message)}))

    def format(self, record: logging.LogRecord) -> str:
        return plain_lines(super().format(record))
