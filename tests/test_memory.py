"""Freed heap memory given back to the system (sucai.memory): a process holding memory freed by a large document
becomes smaller again; a call when nothing grew does not walk the heap."""

from __future__ import annotations

import os

import pytest

from sucai import memory

pytestmark = pytest.mark.skipif(memory._malloc_trim is None, reason="glibc's malloc_trim only")

MB = 1 << 20


def _resident_mb() -> float:
    return memory._resident() * os.sysconf("SC_PAGE_SIZE") / MB


def _fragmented_heap() -> bytes:
    """64 MB of 64 KB strings (below malloc's mmap threshold: on the heap), all freed but the last, which keeps
    the top of the heap in use so that free() alone gives nothing back; returns that last one."""
    chunks = [bytes(64 << 10) + bytes([n % 256]) for n in range(1024)]
    for chunk in chunks:  # touch every page, so that the memory is resident
        assert chunk[0] == 0
    last = chunks[-1]
    del chunks
    return last


def test_a_grown_process_gives_freed_memory_back(monkeypatch):
    calls = []
    trim = memory._malloc_trim
    monkeypatch.setattr(memory, "_malloc_trim", lambda pad: calls.append(pad) or trim(pad))
    memory.give_back_if_grown()          # the baseline
    kept = _fragmented_heap()
    before = _resident_mb()
    memory.give_back_if_grown()
    after = _resident_mb()
    assert len(calls) >= 1 and kept
    assert before - after >= 32, (before, after)
    calls.clear()
    memory.give_back_if_grown()          # nothing grew since: no walk of the heap
    assert calls == []


def test_giving_back_is_where_growth_is_measured_from(monkeypatch):
    """After a :func:`memory.give_back` (an index commit's), memory still in use is not growth: the next
    :func:`memory.give_back_if_grown` (the ingest's wait for its workers) does not walk the heap again for it."""
    memory.give_back()
    held = [bytes(64 << 10) + bytes([n % 256]) for n in range(512)]   # 32 MB in use, not freed
    assert all(chunk[0] == 0 for chunk in held)
    memory.give_back()
    calls = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda pad: calls.append(pad))
    memory.give_back_if_grown()
    assert calls == [] and len(held) == 512
