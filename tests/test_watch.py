"""The watch folder (sucai.watch): files dropped into a watched folder are ingested, once, when written.

Each test runs a real :class:`Watcher` (watchfiles, inotify) in a thread over a
fresh library, and looks at the result through a second :class:`Library` on the
same home — as the web server does. Waiting is done with deadlines and polling
(no assertion on speed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import age, store
from postgres import free_port
from sucai.config import DEFAULT_TIMEZONE
from sucai.ingest import OUTCOME_NAMES, discover
from sucai.library import Library
from sucai.retention import PRUNED_ON
from sucai.search import SearchRequest
import sucai.watch
from sucai.watch import Batch, Watcher, watchable

DIGITS = "零一二三四五六七八九"


def chinese(number: int) -> str:
    return "".join(DIGITS[int(d)] for d in str(number))


def text(number: int, topic: str = "防汛") -> str:
    """A short notice whose text differs for every ``number`` (so no two are duplicates)."""
    n = chinese(number)
    return (f"关于做好第{n}批{topic}工作的通知\n一、总体要求\n各单位要按照第{n}批工作安排，认真抓好{topic}各项任务落实。\n"
            f"二、工作措施\n编号{n}的任务清单已经印发，请结合实际抓好贯彻。\n")


class Running:
    """A watcher over ``folder`` in a background thread, with the batches it ran."""

    def __init__(self, home: Path, folder: Path, settle: float = 1.0, workers: int | None = 2,
                 source: str | None = None):
        self.library = Library.open(home)
        self.batches: list[Batch] = []
        self.watcher = Watcher(self.library, [folder], settle_seconds=settle, workers=workers, source=source,
                               on_batch=self.batches.append)
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        assert self.watcher.ready.wait(120), "the watcher did not start"
        return self

    def __exit__(self, *exc) -> None:
        self.watcher.stop()
        self.thread.join(30)
        self.library.close()

    def outcomes(self, path: Path) -> list:
        """What the runs did with ``path``, "unchanged" left out (a late event for a file already done
        makes a run that finds it unchanged: nothing happens, and a loaded machine may do that)."""
        return [o for b in list(self.batches) for o in b.summary.outcomes
                if Path(o.path) == path and o.status != "unchanged"]


def wait_for(condition, seconds: float, message: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"not within {seconds} s: {message}")


@pytest.fixture
def folders(tmp_path, home):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return home, inbox


def found(library: Library, query: str) -> list[int]:
    result = library.search(SearchRequest(q=query, mode="precise", facets=False), member=True)
    return [hit.id for hit in result.hits]


def test_a_dropped_file_is_found_by_another_process_without_a_restart(folders):
    """How soon is bench/watch.py's figure; here only that it is found at all (a deadline of 60 s only ends
    the wait on a loaded machine: no timing is asserted)."""
    home, inbox = folders
    with Running(home, inbox):
        reader = Library.open(home)   # another process's view, like the web server's
        (inbox / "通知.txt").write_text(text(7, "秋冬季森林防火"), encoding="utf-8")
        ids = wait_for(lambda: found(reader, "秋冬季森林防火"), 60, "the dropped file is found by a search")
        assert reader.get(ids[0]).title == "关于做好第七批秋冬季森林防火工作的通知"
        reader.close()


def test_files_there_before_the_watcher_started_are_ingested(folders):
    home, inbox = folders
    (inbox / "旧文件.txt").write_text(text(3), encoding="utf-8")
    os.utime(inbox / "旧文件.txt", (time.time() - 60, time.time() - 60))   # dropped a minute ago: settled
    with Running(home, inbox) as running:
        assert found(running.library, "第三批防汛") != []
        assert [o.status for o in running.outcomes(inbox / "旧文件.txt")] == ["ingested"]


def test_files_dropped_into_a_watched_site_folder_get_its_source(folders):
    """``sucai watch --source 某网站``: a file naming no 来源 of its own is given the site's, as ``sucai ingest
    --source`` gives it — it had none (未注明)."""
    home, inbox = folders
    with Running(home, inbox, source="某网站") as running:
        (inbox / "通知.txt").write_text(text(8, "安全生产"), encoding="utf-8")
        [outcome] = wait_for(lambda: running.outcomes(inbox / "通知.txt"), 60, "the file is ingested")
        assert running.library.get(outcome.doc_id).source == "某网站"


def test_sucai_watch_passes_its_source_on_as_ingest_takes_it(cli, folders, monkeypatch):
    """``--source`` of ``sucai watch`` is ``sucai ingest``'s option: trimmed, only spaces being none."""
    home, inbox = folders
    given: list = []
    monkeypatch.setattr(sucai.watch, "watch_forever", lambda *args: given.append(args[-1]))
    for source, taken in (("  某网站 ", "某网站"), ("  ", None)):
        assert cli("watch", str(inbox), "--source", source)[0] == 130
        assert given.pop() == taken
    cli("watch", str(inbox))
    assert given == [None]


def file_record(library: Library, path: Path):
    """The catalogue's record of the file at ``path``."""
    key = str(path.resolve())
    return library.catalogue.file_records([key])[key]


def test_a_watchers_start_says_when_it_makes_the_free_previews_again(folders, caplog, monkeypatch):
    """fix34 noticed: after an upgrade (or a changed free preview), ``sucai watch`` and ``serve --watch``'s watcher
    paused seconds at start without a line while every document's free view was made again. Its log says why and of
    how many documents (those the preview gives a members part: 1 of the 2, hand-counted), once, before it watches."""
    home, inbox = folders
    for name, body in (("短.txt", "短文。"), ("长.txt", "第一条意见，要认真抓好落实，确保取得实效，按时报送情况。")):
        (inbox / name).write_text(f"{name[0]}的材料\n{body}\n", encoding="utf-8")
    library = Library.open(home)
    library.ingest([inbox], workers=1)
    library.close()
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("free_preview_chars = 20\n")
    monkeypatch.setattr(sucai.watch.Watcher, "run", lambda self: None)
    with caplog.at_level("INFO", logger="sucai.watch"):
        sucai.watch.watch_forever(home, [inbox])
    said = [r.getMessage() for r in caplog.records if "免费预览" in r.getMessage()]
    assert said == ["免费预览字数设置（free_preview_chars）已改，正在重新生成 1 篇文档的免费预览…"]


@pytest.mark.parametrize("every", [0, 3600])
def test_a_run_that_lasts_logs_how_far_it_is_every_progress_seconds(folders, caplog, every):
    """A run of 1,176 files was 94 s without a line in the service's log: one lasting ``progress_seconds`` logs
    how far it is, again each time that passes (0: at every step, so that this test needs no slow run) — the
    files done of the run's, by outcome as its closing line counts them —, and a run shorter than that stays its
    one line."""
    home, inbox = folders
    library = Library.open(home, progress_seconds=every)
    batches: list[Batch] = []
    watcher = Watcher(library, [inbox], workers=1, on_batch=batches.append)
    thread = threading.Thread(target=watcher.run, daemon=True)
    with caplog.at_level("INFO", logger="sucai.watch"):
        thread.start()
        try:
            assert watcher.ready.wait(120), "the watcher did not start"
            for number in range(3):
                (inbox / f"通知{number}.txt").write_text(text(number + 20), encoding="utf-8")
            wait_for(lambda: sum(len(b.summary.outcomes) for b in batches) == 3, 120, "the three files' runs")
        finally:
            watcher.stop()
            thread.join(30)
            library.close()
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("入库中")]
    if every:
        assert said == []
        return
    for batch in [b for b in batches if all(o.status == "ingested" for o in b.summary.outcomes)]:
        files = len(batch.summary.outcomes)
        steps = [re.fullmatch(rf"入库中 (\d+)/{files} 个文件：(.*)（已用 \d+ 秒）", line) for line in said]
        done = [int(step[1]) for step in steps if step]
        assert set(range(1, files + 1)) <= set(done), said   # each file's outcome told as it came
        assert f"已入库 {files}" in [step[2] for step in steps if step and int(step[1]) == files], said


def test_a_watchers_run_prunes_what_is_kept_for_a_time_once_a_day(folders):
    """A library fed by `sucai watch` alone and never served is pruned as one fed by `sucai ingest` from cron: the
    watcher's first run of a day deletes the changes past change_log_days (sucai.retention)."""
    home, inbox = folders
    library = Library.open(home)
    store(library.catalogue, "旧文档", "很久以前的正文。")
    age(library.catalogue)
    library.catalogue.set_meta(PRUNED_ON, "2000-01-01")   # the day of the last pruning: long ago
    aged = library.catalogue.change_count()
    batches: list[Batch] = []
    watcher = Watcher(library, [inbox], workers=1, on_batch=batches.append)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        assert watcher.ready.wait(120), "the watcher did not start"
        (inbox / "通知.txt").write_text(text(7), encoding="utf-8")
        wait_for(lambda: batches, 120, "the file's run")
    finally:
        watcher.stop()
        thread.join(30)
        library.close()
    assert library.catalogue.pruned_through() == aged


def test_a_thousand_files_at_once_are_all_ingested_exactly_once(folders):
    home, inbox = folders
    count = 1000
    with Running(home, inbox) as running:
        paths = []
        for number in range(count):
            path = inbox / f"材料{number:04d}.txt"
            path.write_text(text(number + 100), encoding="utf-8")
            paths.append(path)
        library = running.library
        wait_for(lambda: library.catalogue.stats()["documents"] == count, 600, "1,000 documents stored")
        wait_for(lambda: not running.watcher._pending, 30, "nothing left pending")
        # a batch is told once its run returns, after its documents are stored: wait for the reports, not a time
        wait_for(lambda: sum(o.status == "ingested" for b in list(running.batches) for o in b.summary.outcomes) >= count,
                 120, "every run reported")
        time.sleep(2)   # a late duplicate run would show here
        outcomes = [o for b in list(running.batches) for o in b.summary.outcomes]
        ingested = [o for o in outcomes if o.status == "ingested"]
        assert sorted(Path(o.path) for o in ingested) == sorted(paths)           # each file once
        assert len({o.doc_id for o in ingested}) == count                        # each its own document
        assert not [o for o in outcomes if o.status not in ("ingested", "unchanged")]
        runs = [b for b in running.batches if any(o.status == "ingested" for o in b.summary.outcomes)]
        assert len(runs) <= count // 10, f"{len(runs)} ingest runs for {count} files: not batched"
        assert library.catalogue.stats()["documents"] == count
        records = {file_record(library, p).doc_id for p in paths}
        assert len(records) == count
        assert found(library, f"第{chinese(100 + 537)}批") != []


def test_a_renamed_file_stays_one_document(folders, caplog):
    """A file renamed or moved is its document's file still: its record moves with it (未变化, the old path named;
    the run logged, not also a deletion), and edited later it is its document's new version, as an edit in place (已更新, the id kept)."""
    home, inbox = folders
    with caplog.at_level("INFO", logger="sucai.watch"), Running(home, inbox) as running:
        old = inbox / "草稿.txt"
        old.write_text(text(11), encoding="utf-8")
        first = wait_for(lambda: running.outcomes(old), 30, "the file is ingested")[0]
        assert first.status == "ingested"
        (inbox / "归档").mkdir()
        new = inbox / "归档" / "定稿.txt"
        old.rename(new)
        renamed = wait_for(lambda: [o for b in running.batches for o in b.summary.outcomes if Path(o.path) == new],
                           30, "the renamed file is seen")[0]
        assert (renamed.status, renamed.doc_id, renamed.reason) == ("unchanged", first.doc_id, f"由 {old} 改名或移来")
        assert running.library.catalogue.stats()["documents"] == 1
        record = file_record(running.library, new)
        assert (record.status, record.doc_id) == ("ingested", first.doc_id)
        assert running.library.catalogue.file_records([str(old)]) == {}
        wait_for(lambda: any(f"改名或移动：定稿.txt：由 {old} 改名或移来" in r.getMessage() for r in caplog.records), 30,
                 "the move is logged")
        # fix27: the rename was first logged as a deletion (源文件已删除) — the same changes brought its bytes back
        assert not [r for r in caplog.records if r.getMessage().startswith("源文件已删除")]
        new.write_text(text(12), encoding="utf-8")   # a new version of its text (第一一批 → 第一二批)
        edited = wait_for(lambda: running.outcomes(new), 30, "the edit is seen")[0]
        assert (edited.status, edited.doc_id) == ("updated", first.doc_id)
        assert running.library.get(first.doc_id).title == "关于做好第一二批防汛工作的通知"


def test_a_file_not_stored_is_named_once_in_the_log(folders, caplog):
    """A skipped file was named twice: the ingest's 「文件 … 跳过：…」, then the run's line (「未入库：…」). It has one
    line of its own (its path and reason, as the watcher's other 跳过 lines), and the run's line counts it — whether
    the parse refused it (a damaged PDF) or the ingest passed over it (a type it does not read)."""
    home, inbox = folders
    with caplog.at_level("INFO", logger="sucai"), Running(home, inbox) as running:
        (inbox / "坏.pdf").write_bytes(b"%PDF-1.4\n" + bytes(200))
        (inbox / "说明.xyz").write_text("一段说明文字。\n", encoding="utf-8")
        tried = lambda: [o for name in ("坏.pdf", "说明.xyz") for o in running.outcomes(inbox / name)]  # noqa: E731
        done = wait_for(lambda: len(tried()) == 2 and tried(), 60, "both files are tried")
        wait_for(lambda: [r for r in caplog.records if r.getMessage().startswith("入库 ")], 30, "the run is logged")
    assert {o.status for o in done} == {"skipped"}
    for outcome in done:
        said = [r.getMessage() for r in caplog.records if Path(outcome.path).name in r.getMessage()]
        assert said == [f"跳过 {outcome.path}：{outcome.reason}"]
    runs = [r.getMessage() for r in caplog.records if r.getMessage().startswith("入库 ")]
    assert sum(int(n) for line in runs for n in re.findall(r"跳过 (\d+)", line)) == 2


def test_a_file_moved_slowly_is_logged_as_the_move_alone(folders, caplog):
    """A move across filesystems, slow: the deletion seen in one batch of changes, the same bytes appearing under
    another name in a later one (half a second later) — logged as the move alone, as a rename is; the deletion was
    told first (源文件已删除), nothing being pending with its bytes yet."""
    home, inbox = folders
    with caplog.at_level("INFO", logger="sucai.watch"), Running(home, inbox) as running:
        old = inbox / "草稿.txt"
        old.write_text(text(13), encoding="utf-8")
        first = wait_for(lambda: running.outcomes(old), 30, "the file is ingested")[0]
        data = old.read_bytes()
        old.unlink()
        time.sleep(0.5)   # a batch of changes ends after 0.1 s without one (watchfiles' step)
        new = inbox / "定稿.txt"
        new.write_bytes(data)
        wait_for(lambda: any(f"改名或移动：定稿.txt：由 {old} 改名或移来" in r.getMessage() for r in caplog.records), 30,
                 "the move is logged")
        assert file_record(running.library, new).doc_id == first.doc_id   # (the old record moved: never told after)
        assert not [r for r in caplog.records if r.getMessage().startswith("源文件已删除")]


def test_a_file_rewritten_in_place_is_its_documents_new_version_and_a_deletion_is_told(folders, caplog):
    """A file rewritten in place with a new version of its text (near-duplicates: 第二一批 → 第二二批, a Jaccard
    similarity of 0.64) is its document's new text, 已更新, its id kept — as a plain ingest takes it —; another
    document written over it is a new document beside the old; a rewrite of its layout alone is still its document;
    deleting it removes nothing, and the log names the document that stays."""
    home, inbox = folders
    with caplog.at_level("INFO", logger="sucai.watch"), Running(home, inbox) as running:
        path = inbox / "方案.txt"
        path.write_text(text(21, "抗旱"), encoding="utf-8")
        first = wait_for(lambda: running.outcomes(path), 30, "the file is ingested")[0]
        path.write_text(text(22, "抗旱"), encoding="utf-8")
        second = wait_for(lambda: running.outcomes(path)[1:], 30, "the rewrite is seen")[0]
        assert (second.status, second.doc_id) == ("updated", first.doc_id)
        library = running.library
        assert library.get(first.doc_id).title == "关于做好第二二批抗旱工作的通知"
        assert library.catalogue.stats()["documents"] == 1
        other = "2024年度述职报告\n一年来，本人认真履行岗位职责，带领团队完成了年度各项目标任务。\n"
        path.write_text(other, encoding="utf-8")
        third = wait_for(lambda: running.outcomes(path)[2:], 30, "the other document is seen")[0]
        assert third.status == "ingested" and third.doc_id != first.doc_id
        assert library.get(first.doc_id).title == "关于做好第二二批抗旱工作的通知"   # the old one stays
        assert file_record(library, path).doc_id == third.doc_id
        # a rewrite that changes only the layout is still the same document (未变化: nothing new stored)
        path.write_text(other.replace("\n", "\n\n"), encoding="utf-8")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        record = wait_for(lambda: (r := file_record(library, path)).content_hash == digest and r,
                          30, "the layout-only rewrite is seen")
        assert record.doc_id == third.doc_id and library.catalogue.stats()["documents"] == 2
        path.unlink()
        said = f"源文件已删除：{path}（文档 {third.doc_id} 仍在库中，未删除）"
        wait_for(lambda: any(r.getMessage() == said for r in caplog.records), 30, "the deletion is told")
        assert library.catalogue.stats()["documents"] == 2


def test_a_file_still_being_written_is_waited_for(folders):
    home, inbox = folders
    whole = text(31, "安全生产") + "三、其他事项\n" + "".join(f"第{chinese(n)}项内容按有关规定执行。\n" for n in range(1, 40))
    with Running(home, inbox, settle=2.0) as running:
        path = inbox / "长文件.txt"
        with path.open("w", encoding="utf-8") as handle:
            for start in range(0, len(whole), 40):   # about 4 s of writing, a piece every 0.2 s
                handle.write(whole[start:start + 40])
                handle.flush()
                time.sleep(0.2)
        outcome = wait_for(lambda: running.outcomes(path), 30, "the file is ingested")
        assert [o.status for o in outcome] == ["ingested"]   # once, whole
        assert running.library.catalogue.stats()["documents"] == 1
        assert "第三九项内容" in running.library.get(outcome[0].doc_id).text


def test_a_file_being_written_as_the_watcher_starts_is_ingested_once_whole(folders):
    """Ops 23: the files already there were ingested at the start as they were, so a file being copied then went in
    twice — cut short at the start, then whole once it settled (a rewrite in place: a new document beside the first)."""
    home, inbox = folders
    whole = text(32, "河湖清理") + "三、其他事项\n" + "".join(f"第{chinese(n)}项内容按有关规定执行。\n" for n in range(1, 40))
    path = inbox / "正在复制.txt"
    begun = threading.Event()

    def copy_slowly() -> None:
        with path.open("w", encoding="utf-8") as handle:
            for start in range(0, len(whole), 40):   # about 4 s of writing, a piece every 0.2 s
                handle.write(whole[start:start + 40])
                handle.flush()
                begun.set()
                time.sleep(0.2)

    writer = threading.Thread(target=copy_slowly)
    writer.start()
    assert begun.wait(30)
    with Running(home, inbox, settle=2.0) as running:
        writer.join()
        outcome = wait_for(lambda: running.outcomes(path), 30, "the file is ingested")
        time.sleep(3)   # longer than the settle time: a second run for the file would show here
        assert [o.status for o in running.outcomes(path)] == ["ingested"]   # once, whole
        assert running.library.catalogue.stats()["documents"] == 1
        assert running.library.get(outcome[0].doc_id).text.rstrip().endswith("第三九项内容按有关规定执行。")


def test_a_bad_file_never_stops_the_watcher(folders):
    home, inbox = folders
    with Running(home, inbox) as running:
        (inbox / "坏文件.pdf").write_bytes(b"%PDF-1.4\n\x00\x01garbage" * 10)
        (inbox / "空文件.txt").write_bytes(b"")
        bad = wait_for(lambda: running.outcomes(inbox / "坏文件.pdf"), 30, "the bad file gets an outcome")[0]
        assert bad.status in ("skipped", "failed") and bad.reason
        (inbox / "好文件.txt").write_text(text(41, "冬季供暖"), encoding="utf-8")
        wait_for(lambda: found(running.library, "冬季供暖"), 30, "a good file after the bad one is ingested")
        assert running.thread.is_alive()
        batch = next(b for b in running.batches if any(o.status != "ingested" for o in b.summary.outcomes))
        assert batch.line().startswith("入库 ") and "\n" not in batch.line()
        assert f"{OUTCOME_NAMES[bad.status]} {bad.path}：{bad.reason}" in batch.not_stored()   # its own line


def test_a_link_out_of_the_watched_folder_is_never_read(folders, tmp_path, caplog):
    """Attack 19b: a link dropped into the watched folder (``通知.txt → ~/.ssh/id_rsa``, a folder linked to
    ``/etc``) was followed and its target stored as a document; it is now logged as 跳过 and never read, and the
    watcher goes on."""
    home, inbox = folders
    secret = tmp_path / "secret"
    (secret / "keys").mkdir(parents=True)
    (secret / "id_rsa").write_text(text(17, "私钥泄露"), encoding="utf-8")
    (secret / "keys" / "token.txt").write_text(text(18, "令牌泄露"), encoding="utf-8")
    with caplog.at_level("WARNING", logger="sucai.watch"), Running(home, inbox) as running:
        (inbox / "通知.txt").symlink_to(secret / "id_rsa")
        (inbox / "钥匙").symlink_to(secret / "keys", target_is_directory=True)
        (inbox / "好文件.txt").write_text(text(42, "冬季供暖"), encoding="utf-8")
        wait_for(lambda: found(running.library, "冬季供暖"), 60, "the good file is ingested")
        wait_for(lambda: len([r for r in caplog.records if "链接指向所选文件夹之外" in r.getMessage()]) == 2, 30,
                 "both links are logged as skipped")
        assert found(running.library, "私钥泄露") == found(running.library, "令牌泄露") == []
        assert running.outcomes(inbox / "通知.txt") == []
    said = sorted(r.getMessage() for r in caplog.records if "链接" in r.getMessage())
    assert said == [f"跳过 {inbox / '通知.txt'}：链接指向所选文件夹之外（{secret / 'id_rsa'}），未读取；如需入库，请直接指定该路径",
                    f"跳过 {inbox / '钥匙'}：链接指向所选文件夹之外（{secret / 'keys'}），未读取；如需入库，请直接指定该路径"]


@pytest.mark.parametrize("name, kept", [("通知.docx", True), (".隐藏.txt", False), ("下载中.pdf.crdownload", False),
                                        ("文件.part", False), ("备份.txt~", False), ("~$临时.docx", False)])
def test_partial_and_hidden_files_are_passed_over(name, kept):
    assert watchable(name) is kept


def test_a_folder_walk_passes_partial_downloads_over_as_the_watcher_does(tmp_path):
    """``sucai ingest DIR`` walks folders with the same :func:`discover`: no 跳过 (exit 5) for a download in progress."""
    for name in ("通知.docx", "下载中.pdf.crdownload", "文件.part", "备份.txt~", "~$临时.docx", "缓存.tmp", ".隐藏.txt"):
        (tmp_path / name).write_bytes(b"x")
    files, passed = discover([tmp_path])
    assert [f.name for f in files] == ["通知.docx"] and passed == []


def test_partial_downloads_in_a_folder_are_passed_over_silently_then_taken_once_renamed(folders):
    """README: partial downloads and hidden files are passed over — in the files already there when the watcher
    starts and in a folder moved in, not only in changed paths; the finished download, renamed, is taken."""
    home, inbox = folders
    (inbox / "下载中.txt.crdownload").write_text(text(51, "秸秆禁烧"), encoding="utf-8")
    (inbox / "~$草稿.docx").write_bytes(b"owner file of Word")
    (inbox / "已有.txt").write_text(text(52), encoding="utf-8")
    moved = inbox.parent / "moved"
    moved.mkdir()
    (moved / "半截.pdf.part").write_bytes(b"%PDF-1.4 half")
    (moved / "完整.txt").write_text(text(53), encoding="utf-8")
    with Running(home, inbox) as running:
        wait_for(lambda: running.outcomes(inbox / "已有.txt"), 30, "the file already there is ingested")
        moved.rename(inbox / "moved")
        wait_for(lambda: running.outcomes(inbox / "moved" / "完整.txt"), 30, "the folder moved in is ingested")
        (inbox / "下载中.txt.crdownload").rename(inbox / "下载完.txt")
        done = wait_for(lambda: running.outcomes(inbox / "下载完.txt"), 30, "the renamed download is taken")
        assert done[0].status == "ingested" and found(running.library, "秸秆禁烧") == [done[0].doc_id]
        seen = {Path(o.path).name for b in running.batches for o in b.summary.outcomes}
    assert seen == {"已有.txt", "完整.txt", "下载完.txt"}


def test_serve_watch_runs_the_watcher_in_a_process_of_its_own(folders):
    """``sucai serve --watch … --source 某网站``: the same watcher in a child process beside the web server, a file
    naming no 来源 of its own given the site's (fix33: serve's watcher took no --source)."""
    from sucai.cli.watch import watcher_process

    home, inbox = folders
    reader = Library.open(home)
    with watcher_process(home, [inbox], "某网站"):
        (inbox / "进程.txt").write_text(text(51, "城乡环境整治"), encoding="utf-8")
        [doc_id] = wait_for(lambda: found(reader, "城乡环境整治"), 120, "the child process ingests the file")
    assert reader.get(doc_id).source == "某网站"
    reader.close()


def test_sucai_serve_passes_its_source_on_to_its_watcher_as_watch_takes_it(cli, folders, monkeypatch):
    """``--source`` of ``sucai serve`` is ``sucai watch``'s option, for the folders of ``--watch``: trimmed, only spaces
    being none; without ``--watch`` it is refused (exit 2, in Chinese), not ignored."""
    import sucai.cli.server

    home, inbox = folders
    given: list = []

    @contextlib.contextmanager
    def watcher(_home, folders, source=None):
        given.append((folders, source))
        yield

    def stopped(*_args):
        raise KeyboardInterrupt   # the server stopped as it starts: no port taken, no process left

    monkeypatch.setattr(sucai.cli.server, "watcher_process", watcher)
    monkeypatch.setattr(sucai.cli.server, "_serve", stopped)
    port = str(free_port())
    for source, taken in (("  某网站 ", "某网站"), ("  ", None)):
        assert cli("serve", "--port", port, "--watch", str(inbox), "--source", source)[0] == 130
        assert given.pop() == ((inbox,), taken)
    status, _, said = cli("serve", "--port", port, "--source", "某网站")
    assert status == 2 and "--source 是 --watch 所监视文件的来源，请与 --watch 同用" in said and not given
    # its help says so too (verify27: serve's --source read as ingest's), ingest's and watch's name their own files
    helps = {command: " ".join(cli(command, "--help")[1].split()) for command in ("serve", "ingest", "watch")}
    assert "--source 来源 --watch 文件夹里新入库文件的来源" in helps["serve"]
    assert all("--source 来源 入库文件的来源" in helps[command] for command in ("ingest", "watch"))


def test_watch_and_serve_watch_refuse_a_missing_folder_in_chinese(cli, tmp_path):
    for command in (["watch"], ["serve", "--port", "8765", "--watch"]):
        status, _, said = cli(*command, str(tmp_path / "没有"))
        assert status == 2 and f"文件夹 '{tmp_path / '没有'}' 不存在" in said, said   # bad usage, said in Chinese


def test_a_file_name_in_the_watch_log_cannot_act_on_the_terminal():
    """Attack 19b: the log of ``sucai watch`` (and of ``serve --watch``) named a dropped file as it was named — a
    scraped ``\x1b]0;…\x07\x1b[2J坏.pdf`` that failed set the operator's window title and cleared the screen;
    a name with ``\u202e`` (RLO) or a carriage return rewrote the line. Each line's message is now printed without
    control, zero-width or bidi characters, and stays one line."""
    script = ("import logging, zoneinfo; from sucai.watch import log_to_stderr;"
              "log_to_stderr(zoneinfo.ZoneInfo('Asia/Shanghai'));"
              "logging.getLogger('sucai.watch').info('入库 1 个文件：失败 1；未入库：%s：PDF 文件已损坏',"
              " '\\x1b]0;已被接管\\x07\\x1b[2J坏\\u202efdp.exe\\r覆盖\\n下一行.pdf')")
    said = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120).stderr
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 入库 1 个文件：失败 1；未入库："
                        r" \]0;已被接管 \[2J坏 fdp\.exe 覆盖 下一行\.pdf：PDF 文件已损坏\n", said), said


def test_sucai_watch_logs_each_run_and_a_stop_signal_ends_it_with_130(folders):
    """The command as systemd runs it: one Chinese log line per run on standard error, and SIGTERM
    (``systemctl stop``) ends it as an interruption (exit status 130), logged 停止监视."""
    home, inbox = folders
    watcher = subprocess.Popen([sys.executable, "-m", "sucai", "watch", str(inbox), "--home", str(home)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(watcher.stderr), daemon=True)
    reader.start()
    try:
        wait_for(lambda: any("开始监视" in line for line in lines), 120, "the watcher starts")
        (inbox / "值班.txt").write_text(text(71, "节日值班"), encoding="utf-8")
        wait_for(lambda: any("入库 1 个文件：已入库 1（" in line for line in lines), 60, "one run, logged")
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(60) == 130
    finally:
        watcher.kill()
    reader.join(10)
    assert any("停止监视" in line for line in lines), lines
    assert not [line for line in lines if "Traceback" in line or "changes detected" in line], lines
    # every line Chinese (no "Context impl SQLiteImpl." of the migrations a new SQLite library runs here),
    # stamped on the site's clock (Beijing by default), not the machine's (new-user try 16: UTC)
    # (but the empty line click writes when it is interrupted)
    assert all(re.search(r"[\u4e00-\u9fff]", line) for line in lines if line.strip()), lines
    [run] = [line for line in lines if "入库 1 个文件" in line]
    stamped = datetime.strptime(run[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    assert abs(datetime.now(timezone.utc) - stamped) < timedelta(minutes=5), run
    library = Library.open(home)
    assert found(library, "第七一批节日值班")
    library.close()


def test_a_stop_signal_to_the_whole_service_mid_run_loses_no_file(folders):
    """``systemctl stop`` signals every process of the service at once — the watcher and its parsing workers —
    wherever the run is (review 19: a watcher that went on with its run once its workers were gone recorded their
    files as 失败, never tried again, or hung). After it, the next start ingests every file, none 失败 or 未再尝试."""
    home, inbox = folders
    for number in range(1, 41):
        (inbox / f"通知{number}.txt").write_text(text(number, "安全生产"), encoding="utf-8")
    watcher = subprocess.Popen([sys.executable, "-m", "sucai", "watch", str(inbox), "--home", str(home)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(watcher.stderr), daemon=True)
    reader.start()
    try:
        wait_for(lambda: any("开始监视" in line for line in lines), 120, "the watcher starts its first run")
        time.sleep(1)   # into the run of the 40 files already there (or after it: the outcome must be the same)
        os.killpg(watcher.pid, signal.SIGTERM)
        assert watcher.wait(60) == 130
    finally:
        watcher.kill()
    reader.join(10)
    assert any("停止监视" in line for line in lines) and not any("Traceback" in line for line in lines), lines
    library = Library.open(home)
    summary = library.ingest([str(inbox)])
    assert not [o for o in summary.outcomes if o.status in ("failed", "not_retried", "skipped")], summary.outcomes
    assert library.catalogue.stats()["documents"] == 40
    library.close()


def _to_the_terminal(server: subprocess.Popen) -> None:
    """Ctrl+C in the terminal: SIGINT to the foreground process group."""
    os.killpg(server.pid, signal.SIGINT)


def _to_the_service(server: subprocess.Popen) -> None:
    """``systemctl stop``: SIGTERM to every process of the service (its cgroup), whatever its process group."""
    import psutil

    for process in [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGTERM)


@pytest.mark.parametrize("stop", [_to_the_terminal, _to_the_service])
def test_serve_watch_stopped_mid_run_ends_cleanly_with_130_and_loses_no_file(folders, stop):
    """``sucai serve --watch``, serving, stopped by Ctrl+C or by systemd while its watcher ingests: it ends within a bound
    with 130 (README: interrupted), the watcher logs 停止监视, standard error has no traceback and nothing
    English (the resource tracker's "leaked semaphore" warning of a watcher killed in its run, multiprocessing's
    traceback of a worker started as its pool stopped), and the next ingest takes every file, none 失败."""
    home, inbox = folders
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(free_port()), "--workers", "1",
                               "--watch", str(inbox)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: list[str] = []
    said: list[str] = []
    readers = [threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True),
               threading.Thread(target=lambda: said.extend(server.stdout), daemon=True)]
    for reader in readers:
        reader.start()
    try:
        wait_for(lambda: any("开始监视" in line for line in lines) and said, 120, "the watcher and the web serve")
        for number in range(1, 41):
            (inbox / f"通知{number}.txt").write_text(text(number, "安全生产"), encoding="utf-8")
        time.sleep(4)   # settled (1 s) and into their run (or after it: the outcome must be the same)
        stop(server)
        assert server.wait(60) == 130
    finally:
        server.kill()
    for reader in readers:
        reader.join(10)
    assert any("停止监视" in line for line in lines), lines
    assert not [line for line in lines if re.search("Traceback|Warning|resource_tracker|semaphore", line)], lines
    assert all(re.search(r"[\u4e00-\u9fff]", line) for line in lines if line.strip()), lines
    library = Library.open(home)
    summary = library.ingest([str(inbox)])
    assert not [o for o in summary.outcomes if o.status in ("failed", "not_retried", "skipped")], summary.outcomes
    assert library.catalogue.stats()["documents"] == 40
    library.close()


def test_a_failed_run_is_tried_again(folders, monkeypatch):
    """An error of a whole run (not of a file: say the disk) loses nothing: the files are tried again later."""
    import sucai.watch as watch_module

    home, inbox = folders
    monkeypatch.setattr(watch_module, "RETRY_SECONDS", 0.5)
    with Running(home, inbox) as running:
        real, calls = running.library.ingest, []

        def failing_once(paths, **options):
            calls.append(paths)
            if len(calls) == 1:
                raise OSError("磁盘已满")
            return real(paths, **options)

        running.library.ingest = failing_once
        (inbox / "重试.txt").write_text(text(61, "重试"), encoding="utf-8")
        wait_for(lambda: found(running.library, "第六一批重试"), 30, "the file is ingested after the failed run")
        assert len(calls) == 2 and calls[0] == calls[1]
