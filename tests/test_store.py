"""The catalogue's storage of structure: elements and outline round trips, and the migration of a
catalogue made before the data-access layer (schema 2 → 9 in place: the elements column, paid_until,
ocr_confidence, signatures and clusters, the metadata evidence with the 文种 renamed, drafts, the index of
ingested_at; then the change log of the data-access layer)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
import sqlite3

import pytest

from sucai.clean import clean
from sucai.outline import analyse
from sucai.db.migrate import head
from sucai.store import Catalogue, FileRecord

NOTICE = ("某市人民政府关于做好防汛工作的通知\n某政发〔2023〕5号\n各区县人民政府，市政府各部门：\n"
          "第一条 为了做好防汛工作，制定本通知。\n某市人民政府\n2023年5月6日\n（此件公开发布）\n")

# The documents table as schema 2 created it (before the elements column).
_SCHEMA_2 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, genre TEXT NOT NULL, declared_chars INTEGER,
    chars INTEGER NOT NULL, paid_from INTEGER, doc_number TEXT, date TEXT, source TEXT, text TEXT NOT NULL,
    outline TEXT NOT NULL, removed TEXT NOT NULL, source_path TEXT, format TEXT, encoding TEXT,
    text_hash TEXT NOT NULL UNIQUE, ingested_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,
    indexed_version INTEGER NOT NULL DEFAULT 0, hidden INTEGER NOT NULL DEFAULT 0
);
INSERT INTO meta VALUES ('schema_version', '2');
"""


def test_elements_and_outline_summaries_round_trip(tmp_path):
    doc = analyse(clean(NOTICE))
    assert [e.kind for e in doc.elements] == ["doc_number", "addressee", "issuer_signature", "date", "note"]
    assert doc.outline[0].summary == "为了做好防汛工作"
    catalogue = Catalogue(tmp_path / "catalogue.db")
    _, doc_id = catalogue.add(doc, "hash", "a.txt", "content-hash")
    stored = catalogue.get(doc_id)
    assert stored.elements == doc.elements and stored.outline == doc.outline
    light = next(catalogue.documents(outline=False))
    assert light.elements == [] and light.outline == []
    assert doc.evidence and light.evidence == doc.evidence   # what a visitor may see is decided on it


def test_a_schema_2_catalogue_is_migrated_in_place(tmp_path):
    path = tmp_path / "catalogue.db"
    with sqlite3.connect(path) as db:
        db.executescript(_SCHEMA_2)
        old_outline = [{"level": 1, "label": "第一条", "heading": "为了做好防汛工作", "start": 0, "end": 9,
                        "kind": "heading", "children": []}]
        db.execute("INSERT INTO documents (title, genre, chars, text, outline, removed, text_hash, ingested_at)"
                   " VALUES ('旧文档', '通知', 9, '第一条 为了做好。', ?, '[]', 'h', '2024-01-01')",
                   (json.dumps(old_outline, ensure_ascii=False),))
    catalogue = Catalogue(path)
    old = catalogue.get(1)
    assert (old.title, old.elements, old.outline[0].heading, old.outline[0].summary) == ("旧文档", [], "为了做好防汛工作", "")
    assert (old.paid_from, old.paid_until) == (None, None)   # schema 4: the members part as a span
    assert old.ocr_confidence is None  # schema 5: the confidence of OCR'd documents
    catalogue.update(1, paid_from=2, paid_until=4)
    assert catalogue.get(1).members_span == (2, 4)
    _, new_id = catalogue.add(analyse(clean(NOTICE)), "hash", "a.txt", "content-hash")
    assert len(catalogue.get(new_id).elements) == 5
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM catalogue_version").fetchall() == [(head("catalogue"),)]
        columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
        assert {"version", "indexed_version"}.isdisjoint(columns)
        assert {"elements", "paid_until", "ocr_confidence", "evidence"} <= columns
        # the old document is in the change log as added, then the boundary edit, then the new document
        assert db.execute("SELECT doc_id, kind FROM changes ORDER BY seq").fetchall() == [
            (1, "add"), (1, "update"), (new_id, "add")]
        assert db.execute("SELECT count(*) FROM drafts").fetchone() == (0,)   # schema 8: the 写作台's drafts
        # schema 9: documents found by when they were added
        assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_ingested'").fetchone() == (1,)
    catalogue.put_signature(new_id, b"\x00" * 8)  # schema 6: near-duplicate signatures and clusters
    assert [(seq, doc_id) for seq, doc_id, _ in catalogue.signatures_since(0)] == [(1, new_id)]
    assert catalogue.cluster_rows() == [] and catalogue.unsigned_ids() == [1]
    assert [i for i, _ in catalogue.added_since("2024-01-01")] == [new_id, 1]
    assert [i for i, _ in catalogue.added_since("2024-01-02")] == [new_id]
    catalogue.set_hidden(new_id, True)
    assert catalogue.added_since("2024-01-02") == []
    Catalogue(path)  # idempotent: opening again changes nothing
    assert catalogue.change_count() == 4 and catalogue.signatures_since(0)[0][0] == 1


def test_old_genre_names_are_renamed_and_evidence_starts_empty(tmp_path):
    """Schema 7 (metadata evidence): the 文种 names of sucai 0.1 take the taxonomy's names, in place."""
    path = tmp_path / "catalogue.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA_2)
    for n, genre in enumerate(["讲话", "工作方案", "先进事迹", "规划", "通知"], 1):
        db.execute("INSERT INTO documents (title, genre, chars, text, outline, removed, text_hash, ingested_at, version,"
                   " indexed_version) VALUES (?, ?, 2, '正文', '[]', '[]', ?, 'now', 1, 1)", (f"文档{n}", genre, str(n)))
    db.commit()
    db.close()
    catalogue = Catalogue(path)
    docs = list(catalogue.documents())
    assert [d.genre for d in docs] == ["讲话稿", "实施方案", "事迹材料", "工作计划", "通知"]
    assert all(d.evidence == [] for d in docs)
    # every document is in the change log, so every search index (re)builds it with its new 文种
    assert catalogue.changes_since(0) == [(n, n, "add") for n in range(1, 6)]
    Catalogue(path)   # idempotent
    assert [d.genre for d in Catalogue(path).documents()][0] == "讲话稿"


def test_a_signature_given_to_add_is_stored_with_the_document_as_put_signature_stores_it(home):
    from sucai.library import Library
    from sucai.model import Document

    catalogue = Library.open(home).catalogue
    catalogue.put_signature(99, b"\x01" * 8)   # another document's, signed first: seq 1
    added = catalogue.add(Document("甲", "甲的正文。"), "h1", "/a", "c1", b"\x02" * 8)
    status, doc_id = added
    assert status == "ingested" and added.signature_seq == 2
    assert catalogue.signatures_since(0) == [(1, 99, b"\x01" * 8), (2, doc_id, b"\x02" * 8)]
    assert catalogue.unsigned_ids() == []
    # a duplicate or a file stored again stores no signature
    duplicate = catalogue.add(Document("甲", "甲的正文。"), "h1", "/b", "c2", b"\x03" * 8)
    assert duplicate == ("duplicate", doc_id) and duplicate.signature_seq is None and duplicate.copy == "/b"
    assert catalogue.add(Document("甲", "甲的正文。"), "h1", "/a", "c1", b"\x04" * 8) == ("unchanged", doc_id)
    assert catalogue.signatures_since(1) == [(2, doc_id, b"\x02" * 8)]
    assert catalogue.meta("signature_seq") == "2"
    # the records of several files in one read, none for a file never ingested; a copy's once weighed
    assert catalogue.file_records(["/b"]) == {}
    catalogue.record_files([("/b", "c2", "duplicate", doc_id)])
    records = catalogue.file_records(["/a", "/b", "/missing"])
    assert records == {"/a": FileRecord("/a", "c1", "ingested", doc_id, None),
                       "/b": FileRecord("/b", "c2", "duplicate", doc_id, None)}


def test_joining_the_cluster_a_document_is_in_keeps_the_cluster(home):
    """Ops 23: a document placed again (an ingest killed before it recorded the placing: the next one's catch-up)
    joined the cluster it was in by leaving it first — a cluster of two dissolved, and it came back alone."""
    from sucai.library import Library
    from sucai.model import Document

    catalogue = Library.open(home).catalogue
    first, second, third = (catalogue.add(Document(t, f"{t}的正文。"), t, f"/{t}", t, None)[1] for t in "甲乙丙")
    for free in (False, True):
        cluster = catalogue.join_cluster(second, first, 0.9, free=free)
        for doc_id, other_id in ((second, first), (first, second)):
            assert catalogue.join_cluster(doc_id, other_id, 0.9, free=free) == cluster
            assert {row.doc_id for row in catalogue.cluster_rows(cluster, free=free)} == {first, second}
        catalogue.join_cluster(third, first, 0.8, free=free)   # another document joins it as before
        assert {row.doc_id for row in catalogue.cluster_rows(cluster, free=free)} == {first, second, third}


def test_add_all_stores_several_documents_in_one_transaction_as_add_stores_each(home, monkeypatch):
    """An ingest stores the documents its workers have ready in one transaction (Catalogue.add_all): the same rows
    as add() of each in turn — ids, file records, signatures under consecutive numbers, one change each, in order;
    an exact copy of a document of the same batch is its duplicate (its record left to the ingest, written once the
    copy is weighed: Added.copy), the same file again unchanged — and the
    documents as get() reads them back; a failure inside the batch stores none of it."""
    from sqlalchemy import select

    from sucai.db.schema import changes
    from sucai.library import Library
    from sucai.model import Document
    from sucai.store import Addition, Catalogue

    catalogue = Library.open(home).catalogue
    catalogue.put_signature(99, b"\x01" * 8)   # another document's, signed first: seq 1
    a, b = Document("甲\x07", "甲的正文。"), Document("乙", "乙的正文。", paid_from=2)
    added = catalogue.add_all([Addition(a, "h1", "/a", "c1", b"\x02" * 8), Addition(b, "h2", "/b", "c2", b"\x03" * 8),
                               Addition(Document("甲", "甲的正文。"), "h1", "/c", "c3", b"\x04" * 8),
                               Addition(a, "h1", "/a", "c1", b"\x05" * 8)])
    first, second = added[0][1], added[1][1]
    assert added == [("ingested", first), ("ingested", second), ("duplicate", first), ("unchanged", first)]
    assert [x.signature_seq for x in added] == [2, 3, None, None] and second == first + 1
    assert catalogue.signatures_since(1) == [(2, first, b"\x02" * 8), (3, second, b"\x03" * 8)]
    assert catalogue.meta("signature_seq") == "3"
    with catalogue.db.read() as conn:
        assert [tuple(r) for r in conn.execute(select(changes.c.doc_id, changes.c.kind).order_by(changes.c.seq))] == [
            (first, "add"), (second, "add")]
    records = catalogue.file_records(["/a", "/b", "/c"])   # (a copy's, /c's, the ingest's to write once weighed)
    assert {p: (r.status, r.doc_id) for p, r in records.items()} == {"/a": ("ingested", first), "/b": ("ingested", second)}
    assert [x.copy for x in added] == [None, None, "/c", None]
    for one in added[:2]:   # as get() gives it back (but its ingest time): plain title, id, members part, free metadata
        got = catalogue.get(one[1])
        fields = [f.name for f in dataclasses.fields(Document) if f.name != "ingested_at"] + ["counted_chars"]
        assert {f: getattr(one.stored, f) for f in fields} == {f: getattr(got, f) for f in fields}
    assert added[0].stored.title == "甲" and added[1].stored.members_span == (2, 5)
    assert added[2].stored is None and added[3].stored is None
    assert catalogue.put_signature(second, b"\x06" * 8) == 4   # the counter goes on; a signature replaces the last
    assert catalogue.signatures_since(1) == [(2, first, b"\x02" * 8), (4, second, b"\x06" * 8)]

    count = catalogue.change_count()
    add = Catalogue._add
    monkeypatch.setattr(Catalogue, "_add", lambda self, conn, addition, *rest: (
        add(self, conn, addition, *rest) if addition.path != "/bad" else 1 / 0))
    try:
        catalogue.add_all([Addition(Document("丙", "丙的正文。"), "h3", "/d", "c4", b"\x07" * 8),
                           Addition(Document("丁", "丁的正文。"), "h4", "/bad", "c5", b"\x08" * 8)])
    except ZeroDivisionError:
        pass
    else:
        raise AssertionError("the failure was not raised")
    assert catalogue.change_count() == count and catalogue.file_records(["/d", "/bad"]) == {}
    assert catalogue.meta("signature_seq") == "4"


def test_add_all_marks_an_earlier_batch_placed_in_its_own_transaction(home, monkeypatch):
    """Issue 16: an ingest marks the documents of a batch placed among near-duplicates in the next batch's
    transaction (``add_all(…, placed)``), not in one of their own; a failure of that transaction leaves them
    unplaced as it leaves its own documents unstored (the next ingest's catch-up places them)."""
    from sucai.library import Library
    from sucai.model import Document
    from sucai.store import Addition, Catalogue

    catalogue = Library.open(home).catalogue
    first = catalogue.add_all([Addition(Document("甲", "甲的正文。"), "h1", "/a", "c1", b"\x02" * 8),
                               Addition(Document("乙", "乙的正文。"), "h2", "/b", "c2", b"\x03" * 8)])
    assert [one[1] for one in first] == [1, 2] and catalogue.unplaced_ids() == [1, 2]
    catalogue.add_all([Addition(Document("丙", "丙的正文。"), "h3", "/c", "c3", b"\x04" * 8)], [1, 2])
    assert catalogue.unplaced_ids() == [3]
    add = Catalogue._add
    monkeypatch.setattr(Catalogue, "_add", lambda self, conn, addition, *rest: (
        add(self, conn, addition, *rest) if addition.path != "/bad" else 1 / 0))
    with pytest.raises(ZeroDivisionError):
        catalogue.add_all([Addition(Document("丁", "丁的正文。"), "h4", "/bad", "c4", b"\x05" * 8)], [3])
    assert catalogue.unplaced_ids() == [3]
    catalogue.placed([3])
    assert catalogue.unplaced_ids() == []


def test_a_stored_outline_is_read_as_its_entries_and_made_into_nodes_when_first_read(home):
    """A document the catalogue reads keeps its outline as the stored JSON: ``outline_entries`` gives the entries
    ``OutlineNode.to_dict`` wrote, without making nodes, and ``outline`` the nodes that were stored (made once);
    the document equals the one analysed, pickled or not, and is cut into the same sections — seeded 公文 with
    headings at three levels, items and articles."""
    import pickle
    import random

    from sucai.library import Library
    from sucai.search import sections

    catalogue = Library.open(home).catalogue
    rng = random.Random(26)
    lines = ["一、存在的主要问题", "（一）理论学习方面", "1.学习不够深入。", "一是主动作为不够；二是不敢碰硬。",
             "二、整改措施", "第一条 为了做好防汛工作，制定本通知。", "我们认真查摆问题。", ""]
    for n in range(20):
        doc = analyse(clean("对照检查材料\n" + "\n".join(rng.choice(lines) for _ in range(rng.randint(1, 20)))))
        _, doc_id = catalogue.add(doc, f"h{n}", f"/{n}", f"c{n}")
        stored = catalogue.get(doc_id)
        assert stored.outline_entries() == [node.to_dict() for node in doc.outline]
        assert isinstance(stored.__dict__["outline"], str)   # … without making the nodes
        assert [(p.start, p.end, p.path, p.bare) for p in sections(stored)] == \
            [(p.start, p.end, p.path, p.bare) for p in sections(doc)]
        assert stored.outline == doc.outline and stored.outline is stored.outline
        assert stored == pickle.loads(pickle.dumps(stored)) == replace(doc, id=doc_id, ingested_at=stored.ingested_at)


def test_a_search_hits_evidence_and_free_metadata_are_made_when_first_read(home):
    """A document a search reads for its hits (``documents(ids, outline=False)``, whole or its free part) keeps its
    evidence and its free metadata as the stored JSON until they are read, then gives the document's own: the
    evidence ``describe`` found, and what ``access.keeping`` makes of the document again; a copy ``replace`` makes
    has no free metadata, as a document not read from the catalogue."""
    from sucai import access
    from sucai.library import Library

    catalogue = Library.open(home).catalogue
    doc = analyse(clean(NOTICE.replace("本通知。", "本通知。##paidbegin##会员可见的整改措施。##paidend##")))
    _, doc_id = catalogue.add(doc, "hash", "a.txt", "content-hash")
    for free in (False, True):
        hit = next(catalogue.documents([doc_id], outline=False, free=free))
        assert isinstance(hit.__dict__["evidence"], str) and isinstance(hit.__dict__["free_metadata"], str)
        assert hit.evidence == doc.evidence and len(hit.evidence) > 1
        assert hit.free_metadata == access.keeping(catalogue.get(doc_id)) and hit.free_metadata["title"]
        assert replace(hit).free_metadata is None and replace(hit).evidence == doc.evidence


def test_a_better_copy_keeps_what_an_admin_set(tmp_path):
    """A better copy of a stored text (dedupe's keep_better_copy) overwrote an admin's 标题 and member boundary — a
    members part drawn by hand became free (reread23's note). The copy takes the document's place with the edits
    kept; a copy of another layout, where the boundary's offsets would mean other characters, does not."""
    catalogue = Catalogue(tmp_path / "catalogue.db")
    doc = analyse(clean(NOTICE))
    _, doc_id = catalogue.add(doc, "hash", "a.txt", "content-hash")
    catalogue.update(doc_id, title="管理员改过的标题", paid_from=10, paid_until=20)
    copy = replace(analyse(clean(NOTICE)), source="某市档案馆", encoding="utf-8")
    assert catalogue.replace_copy(doc_id, copy, "b.txt")
    kept = catalogue.get(doc_id, preview=False)
    assert (kept.title, kept.members_span, kept.source) == ("管理员改过的标题", (10, 20), "某市档案馆")
    assert [e.value for e in kept.evidence if e.field == "title"][0] == "管理员改过的标题"
    spaced = analyse(clean(NOTICE.replace("\n", "\n\n")))
    assert spaced.text != kept.text and not catalogue.replace_copy(doc_id, spaced, "c.txt")
    assert catalogue.get(doc_id, preview=False) == kept


def test_a_removed_documents_id_is_never_given_again(database_url, tmp_path):
    """Favourites, history, drafts' sources and links name a document by id: the id of one removed — the highest
    given too — must never name another (SQLite gave ``max(id) + 1``; ops28)."""
    catalogue = Catalogue(database_url or tmp_path / "catalogue.sqlite3")

    def add(k: int) -> int:
        return catalogue.add(analyse(clean(f"第{k}份通知\n第一条 内容{k}。\n")), f"h{k}", f"{k}.txt", f"c{k}")[1]

    ids = [add(k) for k in range(4)]
    catalogue.remove(ids[-1])
    catalogue.remove(ids[-2])
    given = add(4)
    assert given not in ids and given > max(ids)
    catalogue.remove(given)
    assert add(5) == given + 1
