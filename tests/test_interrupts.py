"""Ctrl+C and SIGTERM taken where the work can stop (:mod:`sucai.interrupts`), and an ingest that takes them so."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sucai import ingest as ingest_module, interrupts
from sucai.library import Library
from sucai.store import Catalogue


@contextmanager
def handled(handler) -> Iterator[None]:
    """``handler`` set for SIGINT and SIGTERM while the block runs."""
    before = {stop: signal.signal(stop, handler) for stop in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for stop, earlier in before.items():
            signal.signal(stop, earlier)


def test_held_signals_are_delivered_to_their_own_handler_as_the_block_ends():
    """Ctrl+C and SIGTERM inside the block reach the handler that was set, once, as the block ends (the first that
    came: either stops); the handlers are put back."""
    got = []
    handler = lambda signum, _: got.append(signum)  # noqa: E731
    with handled(handler):
        with interrupts.held():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)
            inside = list(got)
        assert inside == [] and got == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGINT) is handler and signal.getsignal(signal.SIGTERM) is handler


def test_take_delivers_where_the_block_can_stop_and_holds_again_after():
    got = []
    with handled(lambda signum, _: got.append(signum)):
        with interrupts.held() as take:
            take()                                   # nothing came: nothing delivered
            os.kill(os.getpid(), signal.SIGINT)
            held = list(got)
            take()
            taken = list(got)
            os.kill(os.getpid(), signal.SIGINT)      # held again: the handler returned
            again = list(got)
        assert (held, taken, again) == ([], [signal.SIGINT], [signal.SIGINT])
        assert got == [signal.SIGINT, signal.SIGINT]   # the second, as the block ended


def test_take_raises_keyboard_interrupt_there_and_the_handlers_are_put_back():
    with handled(signal.default_int_handler):
        steps = []
        with pytest.raises(KeyboardInterrupt):
            with interrupts.held() as take:
                os.kill(os.getpid(), signal.SIGINT)
                steps.append("after the signal")
                take()
                steps.append("after take")
        assert steps == ["after the signal"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_nested_block_delivers_to_the_outer_one():
    got = []
    with handled(lambda signum, _: got.append(signum)):
        with interrupts.held() as take:
            with interrupts.held():
                os.kill(os.getpid(), signal.SIGINT)
            after_inner = list(got)
            take()
        assert after_inner == [] and got == [signal.SIGINT]


def test_outside_the_main_thread_the_block_runs_as_it_is():
    seen = []

    def run():
        with interrupts.held() as take:
            seen.append(signal.getsignal(signal.SIGINT))
            take()

    with handled(signal.default_int_handler):
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    assert seen == [signal.default_int_handler]


def test_a_ctrl_c_while_a_document_is_stored_is_taken_once_it_is(home, tmp_path, monkeypatch):
    """Ctrl+C inside a database statement of an ingest (on PostgreSQL, psycopg cancelled the statement and SQLAlchemy
    raised its own error in place of the KeyboardInterrupt: an 内部错误, or a file 失败 and the Ctrl+C lost, seen in
    CI) is taken after the store, before the next file: the ingest ends with KeyboardInterrupt, the documents whose
    store it came in (those the workers had ready, stored in one transaction, ``Catalogue.add_all``) stored, no
    other."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        (folder / f"{n}.txt").write_text(f"第{n}号情况通报\n" + f"工作扎实推进{n}。" * 50, encoding="utf-8")
    batches = []
    add_all = Catalogue.add_all   # the documents the workers have ready, stored in one transaction

    def interrupted_add_all(self, additions, *placed):
        os.kill(os.getpid(), signal.SIGINT)   # Python would raise it at its next bytecode: here, before the store
        batches.append(add_all(self, additions, *placed))
        return batches[-1]

    monkeypatch.setattr(Catalogue, "add_all", interrupted_add_all)
    library = Library.open(home)
    with handled(signal.default_int_handler), pytest.raises(KeyboardInterrupt):
        library.ingest([folder], workers=1)
    monkeypatch.setattr(Catalogue, "add_all", add_all)
    assert len(batches) == 1 and batches[0]
    assert [d["id"] for d in Library.open(home).summaries()] == sorted(doc_id for _, doc_id in batches[0])


def test_the_last_progress_of_an_interrupted_ingest_counts_every_stored_document(home, tmp_path, monkeypatch):
    """New-user try 20: Ctrl+C during an ingest said 「已中断：处理了 21/229 个文件（已入库 21…）」 and `sucai stats`
    then counted 22 documents: the documents stored together were counted one by one, and the Ctrl+C was taken
    before each was told. The last progress an interrupted ingest tells (what the command line reports) counts every
    document it stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        (folder / f"{n}.txt").write_text(f"第{n}号情况通报\n" + f"工作扎实推进{n}。" * 50, encoding="utf-8")
    add_all = Catalogue.add_all

    def interrupted_add_all(self, additions, *placed):
        os.kill(os.getpid(), signal.SIGINT)   # taken at the first place the ingest may stop after this store
        return add_all(self, additions, *placed)

    monkeypatch.setattr(Catalogue, "add_all", interrupted_add_all)
    parse_all = ingest_module._parse_all   # never idle: the four parses stored together, in one add_all, at the end
    monkeypatch.setattr(ingest_module, "_parse_all", lambda paths, batch, workers, idle, given: parse_all(paths, batch, workers, given=given))
    told = []
    library = Library.open(home)
    with handled(signal.default_int_handler), pytest.raises(KeyboardInterrupt):
        library.ingest([folder], told.append, workers=1)
    monkeypatch.setattr(Catalogue, "add_all", add_all)
    stored = len(Library.open(home).summaries())
    assert told[-1].counts["ingested"] == stored == told[-1].done == 4
