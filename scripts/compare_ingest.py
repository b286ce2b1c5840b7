"""Compare what two versions of sucai store when they ingest the same files: this checkout against a git ref's.

Run from the project root: ``python scripts/compare_ingest.py [--base REF] [--every N] [--corpus DIR]``.
Each version ingests every ``N``-th file of the corpus (default every 8th of ../shared/corpus; scans read by
OCR are left out: Tesseract is not ours and takes minutes) into a fresh library of its own, in a process of its
own, with one parse worker (so that documents get their ids in input order), and writes one digest per stored
field: every column of every document (text, title, 文种, 成文日期, 来源, 字数, members span, outline, elements,
removals, evidence, free metadata, hash…; not the ingest time), each file's record, each document's MinHash
signature, both cluster tables and the ids of a member's and a visitor's search for a few queries. The base version
is ``git archive``'d into a temporary folder and imported from there with this checkout's virtual environment.
Prints what differs and exits 1 when anything does, 0 when every field is the same.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_parse  # noqa: E402  (its command line, runs and export of a git ref's package)

REPO = Path(__file__).resolve().parents[1]
QUERIES = ["国务院", "通知", "人民法院 审判", "高质量发展", "安全生产责任制", "新闻联播", "毛泽东", "第一条", "乡村振兴",
           "财政预算 报告"]
_SKIPPED_COLUMNS = {"ingested_at", "seen_at"}


def digests(corpus: Path, every: int) -> dict[str, str]:
    """Stored field (table, row key, column) → SHA-256 of its JSON form, by the ``sucai`` imported here, ingesting
    into a fresh home of its own."""
    with tempfile.TemporaryDirectory(prefix="sucai-compare-home-") as home:
        return _ingested_digests(corpus, every, Path(home) / "library")


def _ingested_digests(corpus: Path, every: int, home: Path) -> dict[str, str]:
    from sqlalchemy import select

    from sucai.db import schema
    from sucai.ingest import discover
    from sucai.library import Library
    from sucai.search import SearchRequest

    files = [path for path in discover([corpus])[0][::every] if not _scanned(path)]
    library = Library.open(home)
    library.ingest(files, workers=1)
    out: dict[str, str] = {}
    with library.catalogue.db.read() as conn:
        for table in (schema.documents, schema.files, schema.signatures, *_cluster_tables(schema)):
            columns = [c for c in table.columns if c.name not in _SKIPPED_COLUMNS]
            for number, row in enumerate(conn.execute(select(*columns).order_by(*table.primary_key.columns))):
                for column, value in zip(columns, row):
                    out[f"{table.name}[{number}].{column.name}"] = compare_parse.digest(value)
    for query in QUERIES:
        for member in (True, False):
            result = library.search(SearchRequest(q=query, limit=20), member=member)
            found = [result.total, [hit.id for hit in result.hits], result.facets]
            out[f"search {query!r} member={member}"] = compare_parse.digest(found)
    library.close()
    return out


def _scanned(path: Path) -> bool:
    """Whether ``path`` is a PDF whose first page has no text layer (a scan, read by OCR)."""
    if path.suffix.lower() != ".pdf":
        return False
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return not document[0].get_textpage().get_text_range().strip()
    finally:
        document.close()


def _cluster_tables(schema) -> list:
    return [table for name, table in schema.catalogue.tables.items() if "cluster" in name]


def main() -> None:
    ref, base, new = compare_parse.base_and_new("compare_ingest", 8)
    differ = sorted(key for key in base.keys() | new.keys() if base.get(key) != new.get(key))
    for key in differ[:50]:
        print(f"DIFFERS {key}")
    documents = len({key.split(".")[0] for key in new if key.startswith("documents[")})
    print(f"{documents} documents, {len(new)} stored fields and searches compared with {ref}: {len(differ)} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
