"""Freed heap memory given back to the system.

glibc's malloc keeps the memory a process freed for its next allocations: after a large document (its text and
tokens, megabytes of strings) or a commit of the index writer (its heap), a process stays that much larger,
although the memory is free. :func:`give_back` returns it (``malloc_trim``); on another C library it does
nothing. It walks the heap (milliseconds for hundreds of MB), so it is called where much may have been freed:
after an index commit, while an ingest waits for its parse workers, and — when the process grew by 16 MB since
it last gave back (:func:`give_back_if_grown`) — after each document an ingest stores and after a parse that grew
its worker. In a parse worker, large blocks (a scan's page image, 9 MB at 300 dpi; a large
document's text) are mapped apart and so returned when freed (:func:`map_large_blocks`): without it, the pages
of a scan left its worker 9 MB larger each, as glibc's moving threshold put them on the heap.
"""

from __future__ import annotations

import ctypes
import os

try:  # glibc's; absent from other C libraries
    _malloc_trim, _mallopt = ctypes.CDLL(None).malloc_trim, ctypes.CDLL(None).mallopt
except (OSError, AttributeError):
    _malloc_trim = _mallopt = None

_M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
_LARGE_BLOCK = 1 << 20  # bytes from which a block is mapped apart in a parse worker

_GROWTH_PAGES = (16 << 20) // os.sysconf("SC_PAGE_SIZE")  # resident growth after which a worker gives memory back
_resident_after = 0  # this process's resident pages after its last give_back_if_grown


def give_back() -> None:
    """Return the free memory of this process's heap to the system; the resident size after it is what
    :func:`give_back_if_grown` measures growth from next."""
    global _resident_after
    if _malloc_trim is not None:
        _malloc_trim(0)
        _resident_after = _resident()


def map_large_blocks() -> None:
    """From now on, allocations of 1 MB or more in this process are mapped apart and unmapped when freed (glibc's
    ``M_MMAP_THRESHOLD``, fixed: by default it rises to the size of the largest block freed, up to 32 MB, and such
    blocks then stay in the heap when freed)."""
    if _mallopt is not None:
        _mallopt(_M_MMAP_THRESHOLD, _LARGE_BLOCK)


def give_back_if_grown() -> None:
    """:func:`give_back` when this process's resident memory grew by 16 MB or more since it last gave memory back
    (a parse worker after each file: a large file leaves its worker that much larger, an ordinary one does not;
    an ingest's process after each document it stores: it may never wait for its workers when behind them), else
    only one read of ``/proc/self/statm``."""
    if _malloc_trim is not None and _resident() - _resident_after >= _GROWTH_PAGES:
        give_back()


def _resident() -> int:
    """Resident pages of this process (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
