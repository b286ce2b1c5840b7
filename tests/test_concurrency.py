"""Case B24: concurrent writers and a writer killed mid-commit.

Four processes add 50 documents each at the same time while a fifth is killed
with SIGKILL while it writes. Nobody may see a lock error; afterwards the index
opens, holds exactly the documents of the catalogue, and search works.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sucai.library import Library
from sucai.search import SearchRequest

WRITER = """
import sys
from sucai.ingest import text_hash
from sucai.library import Library
from sucai.model import Document
library = Library.open(sys.argv[1])
worker, count = sys.argv[2], int(sys.argv[3])
for n in range(count):
    doc = Document(title=f"进程{worker}文档{n}", text=f"并发写入测试 第{worker}组 第{n}篇 " + "正文内容" * 200)
    library.catalogue.add(doc, text_hash(doc), f"/w/{worker}/{n}", "x")
    if n % 5 == 4:
        library.index.sync()
library.index.sync()
print("done", flush=True)
"""


def _writer(home, worker: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(home), worker, str(count)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_b24_concurrent_writers_and_a_killed_one(home):
    Library.open(home).index  # create the index before the race
    writers = [_writer(home, str(w), 50) for w in range(4)]
    victim = _writer(home, "killed", 10_000)
    time.sleep(3)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    for proc in writers:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        assert "done" in stdout
        assert "Lock" not in stderr

    library = Library.open(home)
    library.index.sync()  # finishes whatever the killed writer left uncommitted
    stored = library.catalogue.stats()["documents"]
    assert stored >= 200
    searcher = library.index.searcher()
    assert searcher.num_docs == stored
    result = library.search(SearchRequest(q="并发写入测试", mode="precise", limit=1), member=True)
    assert result.total == stored
    assert library.search(SearchRequest(q="第3组", mode="precise", limit=1), member=True).total == 50
