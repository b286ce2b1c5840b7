"""The JSON API and the server-rendered pages, through FastAPI's test client.

A library is built in a temporary SUCAI_HOME from the bundled samples plus one
file whose title and text hold ``<script>``. Every expectation is compared with
what the library itself returns for the same request, or is a hand-checked value.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
import zipfile
from dataclasses import asdict
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from click.testing import CliRunner

from sucai import access
from sucai.cli import app as cli_app, run
from sucai.library import Library
from sucai.search import SearchRequest
from sucai.web import create_app
from sucai.accounts import Accounts, Viewer
from sucai.web.api import SearchParams
from sucai.web import pages
from sucai.web.deps import current_viewer
from sucai.web.responses import JSONResponse

from chinese import english_words

SAMPLES = Path(str(resources.files("sucai").joinpath("samples/library")))
XSS_TITLE = '测试<script>alert("x")</script>标题'
XSS_TEXT = f"{XSS_TITLE}\n一、总体要求\n正文里有 <script>alert(1)</script> 和 & 符号，还有基层减负。\n二、主要任务\n第二部分内容。\n"


def solid(text: str) -> int:
    """The 字数 by hand: characters but white space."""
    return len(re.sub(r"\s", "", text))


def build_library(home: Path, extra: Path) -> Library:
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "xss.txt").write_text(XSS_TEXT, encoding="utf-8")
    library = Library.open(home)
    summary = library.ingest([SAMPLES, extra], workers=1)
    assert summary.counts["failed"] == 0
    return library


@pytest.fixture(scope="module")
def library(tmp_path_factory, make_home) -> Library:
    root = tmp_path_factory.mktemp("web-api")
    library = build_library(make_home(root / "home"), root / "extra")
    yield library
    library.close()


def xss_id(library: Library) -> int:
    return next(r["id"] for r in library.catalogue.summaries() if r["title"] == XSS_TITLE)


def member_doc(library: Library):
    doc = library.get(1)
    assert doc.paid_from and doc.title.startswith("某市财政局第三党支部")
    assert doc.chars - doc.paid_from > 1000  # the members part of sample 01 (about 1,138 characters)
    return doc


def members_only_windows(doc, allowed: str, width: int = 6) -> list[str]:
    """Every ``width``-character window of the members part that does not also occur in ``allowed`` text."""
    paid = doc.text[doc.paid_from:]
    windows = {paid[i : i + width] for i in range(len(paid) - width + 1)}
    return sorted(w for w in windows if w.strip() and w not in allowed)


def assert_no_members_text(doc, *bodies: str, others: list | None = None) -> None:
    """No window of ``doc``'s members part shows in ``bodies``, except windows that a visitor may
    legitimately see elsewhere: in ``doc``'s free part or title, or in another document's free view."""
    allowed = "\n".join([doc.title, doc.text[: doc.paid_from]] + [f"{d.title}\n{d.text}" for d in others or []])
    windows = members_only_windows(doc, allowed)
    assert len(windows) > 900
    for body in bodies:
        leaked = [w for w in windows if w in body]
        assert not leaked, leaked[:5]


def strings_of(data) -> str:
    """All string values of decoded JSON, joined (so escapes like \\n do not hide a leak)."""
    if isinstance(data, str):
        return data + "\x00"
    if isinstance(data, dict):
        return "".join(strings_of(v) for v in data.values())
    if isinstance(data, list):
        return "".join(strings_of(v) for v in data)
    return ""


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


# -- search -------------------------------------------------------------------------

SEARCHES = [
    {"q": "基层减负"},
    {"q": "基层减负", "mode": "precise"},
    {"q": "担当作为 存在问题", "scope": "section"},
    {"q": "问题", "scope": "section", "heading": "担当作为", "limit": 3},
    {"q": "基层", "genre": "讲话"},
    {"q": "工作", "year": 2024},
    {"q": "基层", "source": "某县融媒体中心"},
    {"q": "", "has_member_part": True},
    {"q": "农业", "sort": "date"},
    {"q": "农业", "sort": "length", "limit": 3, "page": 2},
    {"q": '"全面从严治党" -形式主义 OR 官僚主义'},
    {"q": "工作", "limit": 2, "page": 3, "facets": False},
]


@pytest.mark.parametrize("params", SEARCHES, ids=[json.dumps(p, ensure_ascii=False) for p in SEARCHES])
def test_api_search_is_library_search(library_web, library, params):
    response = library_web.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    expected = json.loads(json.dumps(asdict(library.search(SearchRequest(**params), member=False)), ensure_ascii=False))
    got = response.json()
    assert set(got) == set(expected)  # the same fields as `sucai search --json`
    assert without_time(got) == without_time(expected)
    assert got["total"] == expected["total"] and len(got["hits"]) == len(expected["hits"])


def test_api_search_real_values(library_web, library):
    data = library_web.get("/api/search", params={"q": "基层减负", "mode": "precise"}).json()
    visible = [access.view(d, False)[0] for d in library.catalogue.documents()]
    expected = sorted(d.id for d in visible if "基层减负" in d.title + d.text)  # brute force, free part only
    assert data["total"] == len(expected) == 7 and data["mode"] == "precise"
    assert sorted(h["id"] for h in data["hits"]) == expected
    genres = {b["value"]: b["count"] for b in data["facets"]["genre"]}
    assert genres["讲话稿"] == 1 and sum(genres.values()) == 7
    for hit in data["hits"]:
        assert all(hit["snippet"][a:b] == "基层减负" for a, b in hit["highlights"])
    sections = library_web.get("/api/search", params={"q": "担当作为", "scope": "section"}).json()
    assert sections["hits"] and any(h["section_path"] for h in sections["hits"])


def test_api_answers_are_the_bytes_json_gives(library_web):
    """The API's bodies (encoded by orjson) are what ``json.dumps`` writes: UTF-8 Chinese, no spaces. A key
    that is not text becomes text; a NaN (a bug elsewhere) becomes null instead of an internal error."""
    for url, params in (("/api/search", {"q": "基层减负"}), ("/api/stats", {}), ("/api/search", {"q": "x", "limit": 0})):
        response = library_web.get(url, params=params)
        assert response.content == json.dumps(response.json(), ensure_ascii=False, separators=(",", ":")).encode()
        assert response.headers["content-type"] == "application/json"
    assert JSONResponse({2024: float("nan"), "标题": [1.5, None]}).body == '{"2024":null,"标题":[1.5,null]}'.encode()


def test_a_visitor_is_settled_without_the_accounts_database(library_web, library_web_app, monkeypatch):
    """No token and no login in the session: a visitor, known on the event loop without a worker thread or a
    read of the accounts database (which every request made before); a visitor's answers are the same."""
    expected = library_web.get("/api/search", params={"q": "基层减负"}).json()
    database = library_web_app.state.accounts.db
    for use in ("read", "transaction"):
        monkeypatch.setattr(database, use, lambda: pytest.fail("the accounts database was read"))
    response = library_web.get("/api/search", params={"q": "基层减负"})
    assert response.status_code == 200 and without_time(response.json()) == without_time(expected)


def test_lenient_query_gives_a_warning_not_an_error(library_web):
    data = library_web.get("/api/search", params={"q": '"未闭合 基层'}).json()
    assert data["warnings"] == ["引号没有闭合，已把引号后的内容当作一个词"]


def test_punctuation_between_terms_separates_them_in_the_api(library_web, library):
    data = library_web.get("/api/search", params={"q": "基层减负，形式主义", "mode": "precise"}).json()
    visible = [access.view(d, False)[0] for d in library.catalogue.documents()]
    expected = sorted(d.id for d in visible if all(t in d.title + d.text for t in ("基层减负", "形式主义")))
    assert expected and sorted(h["id"] for h in data["hits"]) == expected   # brute force, free part only
    assert data["warnings"] == ["已把“，”当作空格，分开检索前后的词（要连同标点检索，请加引号）"]


# -- documents and the member boundary -------------------------------------------------


def test_api_document_free_view_has_no_members_text(library_web, library):
    doc = member_doc(library)
    response = library_web.get("/api/documents/1")
    assert response.status_code == 200
    data = response.json()
    assert data["text"] == doc.text[: doc.paid_from]
    assert data["notice"] == f"会员可见全文（剩余 {solid(doc.text[doc.paid_from:])} 字）"
    assert data["chars"] == solid(doc.text) and data["visible_chars"] == doc.paid_from and data["declared_chars"] == 1860
    assert [n["label"] + n["heading"] for n in data["outline"]] == ["一、存在的主要问题"]
    assert "source_path" not in data and "removed" not in data
    assert_no_members_text(doc, response.text, strings_of(data))


def test_no_members_text_anywhere_a_visitor_looks(library_web, library):
    doc = member_doc(library)
    members_only = doc.text[doc.paid_from : doc.paid_from + 30]
    found = library_web.get("/api/search", params={"q": "攻坚克难的劲头不足", "mode": "precise"}).json()
    assert found["total"] == 0 and members_only[:6] in doc.text  # present for members, absent for visitors
    bodies = [library_web.get("/documents/1").text, library_web.get("/api/documents/1/similar").text]
    for q in ("担当作为", "整改措施", "财政", "问题"):
        for scope in ("doc", "section"):
            bodies.append(library_web.get("/api/search", params={"q": q, "scope": scope, "limit": 50}).text)
            bodies.append(library_web.get("/search", params={"q": q, "scope": scope, "limit": 50}).text)
    for fmt in ("md", "txt"):
        bodies.append(library_web.get("/api/documents/1/download", params={"format": fmt}).content.decode("utf-8"))
    docx = library_web.get("/api/documents/1/download", params={"format": "docx"}).content
    bodies.append(re.sub(r"<[^>]+>", "", zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode("utf-8")))
    zipped = library_web.get("/api/download", params={"ids": "1,4,5", "format": "md"}).content
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    bodies += [archive.read(name).decode("utf-8-sig") for name in archive.namelist()]
    others = [access.view(d, False)[0] for d in library.catalogue.documents() if d.id != doc.id]
    assert_no_members_text(doc, *bodies, others=others)
    page = library_web.get("/documents/1").text
    assert f"会员可见全文（剩余 {solid(doc.text[doc.paid_from:])} 字）" in page


def test_viewer_is_one_dependency(library_web, library_web_app, library):
    """What a viewer sees is decided by one dependency, current_viewer: a member gets the whole text."""
    doc = member_doc(library)
    member = Viewer(1, "测试会员", "member", "2999-12-31", date(2026, 12, 2))
    library_web_app.dependency_overrides[current_viewer] = lambda: member
    data = library_web.get("/api/documents/1").json()
    assert data["text"] == doc.text and data["notice"] is None
    found = library_web.get("/api/search", params={"q": "攻坚克难的劲头不足", "mode": "precise"}).json()
    assert [h["id"] for h in found["hits"]] == [1]
    page = library_web.get("/documents/1").text
    assert "以下为会员内容" in page and "攻坚克难的劲头不足" in page


def test_document_page_structure(library_web, library):
    doc = library.get(9)
    page = library_web.get("/documents/9").text
    assert f"<h1 id=\"doc-title\">{doc.title}</h1>" in page
    assert "某农发〔2024〕12号" in page and "2024-03-05" in page and "609 字" in page   # 633 characters, 24 white space
    headings = [n for n in doc.outline if n.kind == "heading"]
    assert headings
    for node in headings:
        assert f'href="#o{node.start}"' in page and f'id="o{node.start}"' in page
    assert page.count("复制本段") >= len(doc.text.strip().splitlines())
    for fmt in ("docx", "md", "txt"):
        assert f"/api/documents/9/download?format={fmt}" in page
    assert "相似素材" in page


def test_similar_documents(library_web, library):
    data = library_web.get("/api/documents/2/similar", params={"limit": 3}).json()
    ids = [h["id"] for h in data["hits"]]
    assert len(ids) == 3 and 2 not in ids


# -- escaping ---------------------------------------------------------------------------


def test_script_in_a_document_is_text(library_web, library):
    doc_id = xss_id(library)
    page = library_web.get(f"/documents/{doc_id}").text
    assert "<script>alert" not in page
    assert "测试&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;标题" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    results = library_web.get("/search", params={"q": "script"}).text
    assert "<script>alert" not in results and "&lt;<mark>script</mark>&gt;" in results
    home = library_web.get("/").text
    assert "<script>alert" not in home
    data = library_web.get(f"/api/documents/{doc_id}").json()
    assert data["title"] == XSS_TITLE  # JSON carries the data as it is; pages escape it


def test_query_is_escaped(library_web):
    q = '<img src=x onerror=alert(1)>"'
    page = library_web.get("/search", params={"q": q}).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    policy = library_web.get("/search", params={"q": q}).headers["content-security-policy"]
    assert policy.startswith("default-src 'self'")


def test_mark_filter_escapes_every_piece():
    from sucai.web.render import mark

    assert str(mark("a<b>c&d", [(1, 4), (2, 5), (50, 60)])) == "a<mark>&lt;b&gt;c</mark>&amp;d"
    assert str(mark(None, None)) == ""


# -- errors -----------------------------------------------------------------------------


def assert_envelope(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    data = response.json()
    assert set(data) == {"ok", "error", "code", "status"}
    assert data["ok"] is False and data["status"] == status and data["error"]
    if code:
        assert data["code"] == code
    assert "Traceback" not in response.text
    return data


def test_the_newest_documents_come_in_pages_as_search_results_do(library_web, library):
    """Review 23: ``/api/documents`` took ``limit`` only — ``page`` was ignored and every page was the first. Its
    pages, as ``/api/search``'s (``page`` from 1, ``total``), are the visible documents newest first, each once."""
    newest = [row.id for row in library.catalogue.records(newest_first=True)]   # not hidden
    assert len(newest) > 5
    pages = [library_web.get("/api/documents", params={"limit": 2, "page": page}).json()
             for page in range(1, len(newest) // 2 + 3)]
    assert [d["id"] for data in pages for d in data["documents"]] == newest
    assert [(data["total"], data["page"], data["limit"]) for data in pages] == [
        (len(newest), page, 2) for page in range(1, len(pages) + 1)]
    assert pages[-1]["documents"] == []   # past the last page: none
    default = library_web.get("/api/documents").json()
    assert ([d["id"] for d in default["documents"]], default["page"], default["limit"]) == (newest[:20], 1, 20)


def test_404_envelope(library_web):
    assert_envelope(library_web.get("/api/documents/999999"), 404, "document_not_found")
    assert_envelope(library_web.get("/api/documents/999999/download"), 404, "document_not_found")
    assert_envelope(library_web.get("/api/download", params={"ids": "1,999999"}), 404, "document_not_found")
    assert_envelope(library_web.get("/api/no-such-route"), 404, "not_found")
    page = library_web.get("/documents/999999", headers={"accept": "text/html"})
    assert page.status_code == 404 and "没有编号为 999999 的文档" in page.text


@pytest.mark.parametrize("wanted", ["bytes=5-1", "items=0-1", "bytes=x", "bytes=999999-", "bytes=0-1"])
def test_a_static_file_is_sent_whole_whatever_range_is_asked(library_web, wanted):
    """Starlette answered a malformed ``Range`` for a static file with English plain text (400 「Range header: start
    must be less than end」, 「Only support bytes range」) and one past its end with an empty 416: the files, a few kB,
    are sent whole (RFC 9110 §14.2 lets a server ignore a range), and no range is offered."""
    answer = library_web.get("/static/app.css", headers={"range": wanted})
    assert (answer.status_code, answer.headers["accept-ranges"]) == (200, "none")
    assert answer.content == (Path(pages.__file__).parent / "static" / "app.css").read_bytes()


@pytest.mark.parametrize("name", ["app.css", "app.js", "drafting.css", "drafting.js"])
def test_a_static_file_goes_gzipped_to_a_browser_that_takes_it(library_web, name):
    """ops27: the CSS and scripts (60 KB) were sent uncompressed. To a client that accepts gzip, each goes gzipped
    (its bytes as sent decompress to the file, at most half its size), said to vary by Accept-Encoding; a HEAD says
    the compressed length a GET sends; a client that takes no gzip gets the file as it is."""
    import gzip

    content = (Path(pages.__file__).parent / "static" / name).read_bytes()
    with library_web.stream("GET", f"/static/{name}", headers={"accept-encoding": "gzip"}) as answer:
        sent = b"".join(answer.iter_raw())
    assert answer.headers["content-encoding"] == "gzip" and answer.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(sent) == content and int(answer.headers["content-length"]) == len(sent) <= len(content) / 2
    head = library_web.head(f"/static/{name}", headers={"accept-encoding": "gzip"})
    assert head.content == b"" and head.headers["content-length"] == answer.headers["content-length"]
    plain = library_web.get(f"/static/{name}", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == content


@pytest.mark.parametrize("name", ["app.css", "drafting.js"])
def test_a_gzipped_static_file_has_an_etag_of_its_own(library_web, name):
    """sec28: a static file gzipped and as it is had one strong ETag, which RFC 9110 §8.8.3 gives one representation
    only (a cache may hand the gzipped bytes to a client that did not ask for them). The gzipped one's is the file's
    with ``-gzip``; ``If-None-Match`` is 304 for the tag of the representation the client would get (weakly compared,
    among others: §13.1.3), with that tag and ``Vary``, and the other's tag gets the file."""
    content = (Path(pages.__file__).parent / "static" / name).read_bytes()
    gzipped = library_web.get(f"/static/{name}", headers={"accept-encoding": "gzip"})
    plain = library_web.get(f"/static/{name}", headers={"accept-encoding": "identity"})
    assert gzipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert gzipped.headers["etag"] == plain.headers["etag"].removesuffix('"') + '-gzip"'
    for accepts, own, other in (("gzip", gzipped, plain), ("identity", plain, gzipped)):
        tag = own.headers["etag"]
        for held, status in ((tag, 304), (f"W/{tag}", 304), (f'"other", {tag}', 304), (other.headers["etag"], 200)):
            answer = library_web.get(f"/static/{name}", headers={"accept-encoding": accepts, "if-none-match": held})
            assert (answer.status_code, answer.headers["etag"], answer.headers["vary"]) == (
                status, tag, "Accept-Encoding"), (accepts, held)
            assert answer.content == (b"" if status == 304 else content)


@pytest.mark.parametrize("accepts, gzipped", [
    ("gzip;q=0", False), ("GZIP ; Q=0.000", False), ("x-gzip;q=0, identity", False), ("*;q=0", False),
    ("br, gzip;q=0, *", False), ("gzip;q=x", False), ("gzip;q=0.5", True), ("X-GZIP", True), ("*", True),
    ("br;q=1, gzip;q=0.001", True),
])
def test_a_static_file_goes_gzipped_only_where_gzip_is_not_refused(library_web, accepts, gzipped):
    """sec29: Starlette's ``GZipMiddleware`` gzips for an ``Accept-Encoding`` holding the letters 「gzip」, so
    ``gzip;q=0`` — gzip refused (RFC 9110 §12.5.3) — got the gzipped file and its ETag. Now the weight decides
    (``x-gzip`` is gzip, ``*`` any coding not named): the middleware's answer is the file's representation for the
    weights, and the conditional one weighs ``If-None-Match`` against that one — the other's tag gets it (200)."""
    content = (Path(pages.__file__).parent / "static" / "app.css").read_bytes()
    plain = library_web.get("/static/app.css", headers={"accept-encoding": "identity"}).headers["etag"]
    tags = {False: plain, True: plain.removesuffix('"') + '-gzip"'}
    with library_web.stream("GET", "/static/app.css", headers={"accept-encoding": accepts}) as answer:
        sent = b"".join(answer.iter_raw())
    assert (answer.headers.get("content-encoding"), answer.headers["etag"]) == ("gzip" if gzipped else None,
                                                                                 tags[gzipped])
    assert (sent != content) == gzipped and answer.headers["vary"] == "Accept-Encoding"
    for held, status in ((tags[gzipped], 304), (tags[not gzipped], 200)):
        again = library_web.get("/static/app.css", headers={"accept-encoding": accepts, "if-none-match": held})
        assert (again.status_code, again.headers["etag"]) == (status, tags[gzipped]), held


def test_an_http_error_of_starlettes_own_is_said_in_chinese(library_web, monkeypatch):
    """A static file the server may not read is Starlette's 401, whose English phrase (「Unauthorized」) was shown as
    the message of any status the envelope has no words of its own for."""
    def unreadable(self, path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("starlette.staticfiles.StaticFiles.lookup_path", unreadable)
    data = assert_envelope(library_web.get("/static/app.css"), 401, "unauthorized")
    assert data["error"] == "服务器没有权限读取这个文件"


@pytest.mark.parametrize("url, params", [
    ("/api/search", {"limit": 0}),
    ("/api/search", {"limit": 101}),
    ("/api/search", {"page": 0}),
    ("/api/search", {"mode": "fuzzy"}),
    ("/api/search", {"scope": "page"}),
    ("/api/search", {"sort": "random"}),
    ("/api/search", {"year": "twenty"}),
    ("/api/search", {"q": "字" * 1001}),
    ("/api/documents/1/download", {"format": "pdf"}),
    ("/api/download", {"ids": "1,x"}),
    ("/api/download", {"ids": ",".join(str(i) for i in range(1, 102))}),
    ("/api/download", {}),
    ("/api/suggest", {"q": "字" * 101}),
    ("/api/documents", {"page": 0}),
    ("/api/documents", {"page": 1001}),
    ("/api/documents", {"limit": 101}),
])
def test_422_envelope(library_web, url, params):
    data = assert_envelope(library_web.get(url, params=params), 422)
    assert data["code"] in ("invalid_input", "too_many")
    names = {p["name"] for route in library_web.get("/openapi.json").json()["paths"].values()
             for operation in route.values() for p in operation.get("parameters", [])}
    assert english_words(data["error"], typed=(*params, *names)) == [], data["error"]


@pytest.mark.parametrize("params, message", [
    ({"limit": 0}, "参数“limit”应不小于 1"),
    ({"page": 0}, "参数“page”应不小于 1"),
    ({"year": "twenty"}, "参数“year”应为年份（如 2024 或 2024年）"),   # 2024年 is taken (verify32: 应为整数 misled)
    ({"year": 0}, "参数“year”应不小于 1"),   # 0 was let through, to a search that ignored it
    ({"year": 20244}, "参数“year”应不大于 9999"),
    ({"mode": "fuzzy"}, "参数“mode”应为 ranked、precise、智能、精准 之一"),
    ({"q": "字" * 1001}, "参数“q”最多 1000 个字符"),
    ({"facets": "maybe"}, "参数“facets”应为 true 或 false"),
    ({"year": "9" * 5000}, "参数“year”数值太大"),   # past the digits Python reads as a number: was 不合要求
])
def test_validation_messages_are_chinese(library_web, params, message):
    assert library_web.get("/api/search", params=params).json()["error"] == message
    if "page" in params:   # the search page leads to a page there is instead (test_a_page_that_is_not_there…)
        return
    page = library_web.get("/search", params=params, headers={"accept": "text/html"})
    assert page.status_code == 422 and message in page.text



def test_a_searchs_genre_is_one_of_the_table_and_a_links_words_are_never_shown(library_web, library):
    """fix23: 「/search?genre=请加微信…」 printed the link's words on the page (its warning 「文种“请加微信…”不在文种表中」
    and the filter's chip). A search's 文种 is read as 今日更新's is (:func:`sucai.metadata.genres.listed_genre`): a
    shorthand as the name it stands for, any other refused in the site's own words, by the API and the page."""
    said = "没有这个文种，请从文种表中选择（文种表见 sucai genres）"
    spam = "请加微信qs123领取会员"
    bad = library_web.get("/api/search", params={"q": "基层", "genre": spam})
    assert (bad.status_code, bad.json()["code"], bad.json()["error"]) == (422, "bad_genre", said)
    page = library_web.get("/search", params={"q": "基层", "genre": spam}, headers={"accept": "text/html"})
    shown = re.sub(r'href="[^"]*"', "", page.text)   # the login link's next= keeps the address, encoded
    assert page.status_code == 422 and said in shown and "qs123" not in shown and "微信" not in shown
    speeches = sorted(d.id for d in library.catalogue.documents() if access.free_view(d).genre == "讲话稿")
    found = library_web.get("/api/search", params={"q": "", "genre": "讲话", "limit": 100}).json()
    assert speeches and sorted(h["id"] for h in found["hits"]) == speeches and found["warnings"] == []
    page = library_web.get("/search", params={"q": "", "genre": "讲话"}, headers={"accept": "text/html"}).text
    assert 'data-filter="genre">文种：讲话稿 ×' in page

def test_search_parameters_in_the_docs_and_mistakes_of_both_kinds(library_web):
    """/api/search checks its parameters in one pydantic call, not declared to FastAPI: /docs lists them all the
    same, with their Chinese descriptions; /api/download, which has parameters of its own, names every mistake."""
    paths = library_web.get("/openapi.json").json()["paths"]
    for path in ("/api/search", "/api/download"):
        params = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert set(SearchParams.model_fields) <= set(params), path
        assert params["mode"]["description"] == "智能（ranked）/ 精准（precise）" and params["mode"]["in"] == "query"
    for url in ("/api/search", "/api/download"):
        assert library_web.get(url, params={"limit": 0, "page": "x"}).json()["error"] == "参数“limit”应不小于 1；参数“page”应为整数"
    both = library_web.get("/api/download", params={"limit": 0, "max_docs": 0}).json()
    assert both["error"] == "参数“limit”应不小于 1；参数“max_docs”应不小于 1"


def test_modes_and_scopes_by_their_chinese_names(library_web, library):
    data = library_web.get("/api/search", params={"q": "担当作为", "mode": "精准", "scope": "段落", "sort": "字数"}).json()
    assert (data["mode"], data["scope"], data["warnings"]) == ("precise", "section", [])
    expected = library.search(SearchRequest(q="担当作为", mode="precise", scope="section", sort="length"), member=False)
    assert [h["id"] for h in data["hits"]] == [h.id for h in expected.hits]
    page = library_web.get("/search", params={"q": "担当作为", "mode": "精准"}).text
    assert 'class="on" data-mode="precise"' in page


def test_405_envelope(library_web):
    assert_envelope(library_web.post("/api/search"), 405, "method_not_allowed")


def test_500_envelope_has_no_traceback(library_web, monkeypatch):
    def broken(self, request, *, member=False):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(Library, "search", broken)
    response = library_web.get("/api/search", params={"q": "基层"})
    data = assert_envelope(response, 500, "internal_error")
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert data["error"] == "服务器内部错误，请稍后再试"
    page = library_web.get("/search", params={"q": "基层"}, headers={"accept": "text/html"})
    assert page.status_code == 500 and "服务器内部错误" in page.text and "secret" not in page.text


def test_a_client_gone_while_sending_its_body_is_no_server_error(library_web, caplog):
    """user24: a writer who closed the 写作台 while it asked for paragraphs left the server's log an 「错误 处理请求 POST
    /api/drafts/paragraphs 时出现内部错误」 and Starlette's English traceback of ClientDisconnect, which every route
    reading its own body (查重, the 写作台's) raised: no error of the server's, and no one left to answer. A body
    cut short is passed over: nothing logged, nothing sent."""
    import asyncio

    messages = iter([{"type": "http.request", "body": b'{"text": "', "more_body": True}, {"type": "http.disconnect"}])
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": "/api/check", "raw_path": b"/api/check",
             "root_path": "", "scheme": "http", "query_string": b"", "server": ("testserver", 80),
             "client": ("192.0.2.7", 50000), "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")]}
    with caplog.at_level(logging.WARNING, logger="sucai.web"):
        asyncio.run(library_web.app(scope, receive, send))
    assert sent == [] and caplog.records == []
    assert library_web.post("/api/check", json={"text": "我们结合本单位实际，认真梳理了今年以来的主要做法。"}).status_code == 200


# -- downloads ----------------------------------------------------------------------------


def test_download_one_with_chinese_file_name(library_web, library):
    doc = library.get(2)
    response = library_web.get("/api/documents/2/download", params={"format": "docx"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["content-disposition"]
    assert disposition == f"attachment; filename=\"document-2.docx\"; filename*=UTF-8''{quote(doc.title + '.docx', safe='')}"
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    text = library_web.get("/api/documents/2/download", params={"format": "txt"}).content.decode("utf-8")
    assert doc.text.strip().splitlines()[0] in text


def test_batch_download_by_ids_and_by_search(library_web, library):
    zipped = library_web.get("/api/download", params={"ids": "2,3", "format": "txt"}).content
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    assert sorted(archive.namelist()) == sorted(["索引.csv", library.get(2).title + ".txt", library.get(3).title + ".txt"])
    by_ids = library_web.get("/api/download", params={"ids": "2,3", "format": "txt"})
    assert by_ids.headers["content-disposition"].endswith("filename*=UTF-8''" + quote("素材打包.zip"))
    response = library_web.get("/api/download", params={"q": "基层减负", "mode": "precise", "format": "md"})
    assert response.headers["content-disposition"].endswith("filename*=UTF-8''" + quote("基层减负.zip"))   # its query
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 1 + library.search(SearchRequest(q="基层减负", mode="precise"), member=False).total


def test_a_batch_download_by_a_search_that_finds_nothing_is_refused(library_web):
    """Attack 21: ``/api/download?q=…`` of a search that found nothing answered 200 with a zip holding only 索引.csv;
    it says so, in the words of ``sucai export --query`` (404 ``no_results``). A q of no term — a zero-width space, a
    lone minus, empty quotes — is no condition, as a blank one is not (422): it packed the first 100 documents."""
    for params in ({"q": "库中绝无此词语"}, {"q": "通知", "year": 1900}):
        response = library_web.get("/api/download", params={**params, "mode": "precise", "format": "md"})
        assert response.status_code == 404 and response.json()["code"] == "no_results", params
        assert response.json()["error"] == "没有符合条件的文档，未生成压缩包"
    for q in (" ", "\u200b", "-", '""'):
        response = library_web.get("/api/download", params={"q": q, "format": "md"})
        assert response.status_code == 422 and response.json()["code"] == "invalid_input", q


def test_the_search_pages_batch_download_packs_the_documents_it_lists(library_web, library):
    """New-user try 17: 「打包下载本次检索」 under a 智能 list zipped every hit down the long tail (26 documents for
    基层减负, 26 of a member's daily downloads). The link packs the page's documents — each once, in a section
    search too — and says how many."""
    for scope in ("doc", "section"):
        request = SearchRequest(q="基层减负", mode="ranked", scope=scope, limit=5)
        listed = list(dict.fromkeys(hit.id for hit in library.search(request, member=False).hits))
        page = library_web.get("/search", params={"q": "基层减负", "mode": "ranked", "scope": scope, "limit": 5}).text
        batch = page[page.index('id="batch-download"'):].split("</span>", 1)[0]
        assert f"打包下载本页的 {len(listed)} 篇" in batch, batch
        link = html.unescape(re.search(r'href="([^"]+format=md)"', batch).group(1))
        archive = zipfile.ZipFile(io.BytesIO(library_web.get(link).content))
        index = list(csv.reader(io.StringIO(archive.read("索引.csv").decode("utf-8-sig"))))
        titles = {library.get(i).title for i in listed}
        assert len(archive.namelist()) == 1 + len(listed) and {row[1] for row in index[1:]} == titles, (scope, index)


# -- suggest, stats, genres, docs -------------------------------------------------------------


def test_suggest_titles(library_web):
    data = library_web.get("/api/suggest", params={"q": "政府"}).json()
    assert data["suggestions"][0]["title"] == "政府工作报告"
    assert data["suggestions"][0]["highlights"] == [[0, 2]]
    traditional = library_web.get("/api/suggest", params={"q": "農業農村局"}).json()["suggestions"]
    assert len(traditional) == 4 and all("农业农村局" in s["title"] for s in traditional)
    assert library_web.get("/api/suggest", params={"q": "  "}).json()["suggestions"] == []
    two = library_web.get("/api/suggest", params={"q": "农业 2024"}).json()["suggestions"]
    assert {s["id"] for s in two} == {5, 9}


def test_stats_and_genres(library_web, library):
    stats = library.catalogue.stats()
    assert library_web.get("/api/stats").json() == stats
    genres = library_web.get("/api/genres").json()["genres"]
    assert {g["genre"]: g["count"] for g in genres} == stats["by_genre"]
    home = library_web.get("/").text
    assert f'<strong id="total-docs">{stats["documents"]}</strong>' in home
    assert f'{stats["chars"]:,}' in home
    for genre, count in stats["by_genre"].items():
        assert f'/search?genre={quote(genre)}' in home
    newest = library.catalogue.summaries(1, newest_first=True)[0]
    assert f'/documents/{newest["id"]}' in home


def test_openapi_docs(library_web):
    assert library_web.get("/docs").status_code == 200
    paths = library_web.get("/openapi.json").json()["paths"]
    for path in ("/api/search", "/api/documents/{doc_id}", "/api/suggest", "/api/stats", "/api/genres",
                 "/api/documents/{doc_id}/download", "/api/download"):
        assert path in paths
    params = {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    assert {"q", "mode", "scope", "heading", "genre", "year", "source", "sort", "limit", "page"} <= params


def test_docs_describe_answers_in_chinese_and_a_422_as_the_envelope_it_is(library_web):
    """Review 23: /docs said "Successful Response" and "Validation Error", and documented a 422 as FastAPI's
    ``{"detail": [...]}`` — which no client gets. Its answers are described in Chinese and a 422 is the envelope."""
    spec = library_web.get("/openapi.json").json()
    written = json.dumps(spec, ensure_ascii=False)
    assert [w for w in ("Successful Response", "Validation Error", "HTTPValidationError", '"detail"') if w in written] == []
    answers = spec["paths"]["/api/documents"]["get"]["responses"]
    assert answers["200"]["description"] == "成功"
    refused = answers["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    documented = spec["components"]["schemas"][refused]
    got = library_web.get("/api/documents", params={"page": 0}).json()
    assert sorted(documented["required"]) == sorted(documented["properties"]) == sorted(got)
    assert {name: type(value).__name__ for name, value in got.items()} == {
        name: {"boolean": "bool", "string": "str", "integer": "int"}[field["type"]]
        for name, field in documented["properties"].items()}


# -- search page --------------------------------------------------------------------------------


def test_search_page(library_web, library):
    result = library.search(SearchRequest(q="基层减负"), member=False)
    page = library_web.get("/search", params={"q": "基层减负"}).text
    assert f'<strong id="total">{result.total}</strong>' in page
    assert page.count('class="hit"') == len(result.hits)
    for bucket in result.facets["genre"]:
        assert f"genre={quote(bucket['value'])}" in page
    assert "用时" in page and "毫秒" in page
    narrowed = library_web.get("/search", params={"q": "基层减负", "genre": "讲话稿"}).text
    assert '<strong id="total">1</strong>' in narrowed and "文种：讲话稿 ×" in narrowed


def test_a_year_is_taken_as_a_writer_types_it_as_the_command_line_takes_it(library_web, library, member_session):
    """verify31: 「/api/search?year=2024年」 was refused (422, 参数“year”应为整数) while 「sucai search --year 2024年」 ran.
    The web reads a year as the command line does (:func:`sucai.config.year_digits`): 2024年 and ２０２４年 are 2024 — the
    API's hits, the page's and a saved search's year (hand-checked: the sample library has 2024 documents) —, 2024年度
    is still refused."""
    expected = library.search(SearchRequest(q="工作", year=2024), member=False)
    assert expected.total > 0
    for written in ("2024年", "２０２４年", " 2024 年"):
        got = library_web.get("/api/search", params={"q": "工作", "year": written}).json()
        assert ([h["id"] for h in got["hits"]], got["total"]) == ([h.id for h in expected.hits], expected.total), written
    page = library_web.get("/search", params={"q": "工作", "year": "2024年"}, headers={"accept": "text/html"})
    assert page.status_code == 200 and f'<strong id="total">{expected.total}</strong>' in page.text
    refused = library_web.get("/api/search", params={"q": "工作", "year": "2024年度"})
    assert (refused.status_code, refused.json()["error"]) == (422, "参数“year”应为年份（如 2024 或 2024年）")
    client, collections, viewer, _, _ = member_session
    saved = client.post("/saved", data={"name": "按年", "q": "工作", "year": "2024年", "csrf_token":
                                        _CSRF_FIELD.search(client.get("/saved").text).group(1)}, follow_redirects=False)
    saved_id = int(saved.headers["location"].rsplit("=", 1)[1])
    assert collections.saved_search(viewer, saved_id).params["year"] == 2024
    collections.delete_search(viewer, saved_id)


LIMITER_PASSWORD = "limiter-password"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def member_session(library_web_app):
    """A member of ``app``'s accounts logged in through the login form (its session's CSRF token sent in the
    X-CSRF-Token header), who saved a search for 基层减负 and made its Atom feed: (client, Collections, viewer,
    saved search id, feed token)."""
    from sucai.collections import Collections

    accounts = library_web_app.state.accounts
    accounts.add_user("限流会员", LIMITER_PASSWORD, "member", "2999-12-31")
    viewer = accounts.viewer_for_token(accounts.create_token("限流会员", "test"))
    collections = Collections(accounts)
    saved = collections.save_search(viewer, "基层减负", {"q": "基层减负", "mode": "ranked", "scope": "doc"})
    feed = collections.new_feed_token(viewer, saved.id)
    client = TestClient(library_web_app, raise_server_exceptions=False)
    token = _CSRF_FIELD.search(client.get("/login", headers={"accept": "text/html"}).text).group(1)
    assert client.post("/login", data={"username": "限流会员", "password": LIMITER_PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    client.headers["x-csrf-token"] = _CSRF_FIELD.search(client.get("/saved").text).group(1)
    return client, collections, viewer, saved.id, feed


# Every route that searches the library (Library.search / matching_ids, and through them 相似素材, saved searches and
# their feeds, downloads by a search, the 写作台's outlines and paragraphs): (method, path, JSON body, as the member)
SEARCHING_ROUTES = [
    ("GET", "/api/search?q=基层减负", None, False),
    ("GET", "/search?q=基层减负", None, False),
    ("GET", "/api/documents/1/similar", None, False),
    ("GET", "/documents/1", None, False),
    ("GET", "/api/download?q=基层减负&format=txt", None, False),
    ("GET", "/feeds/saved/{feed}.atom", None, False),
    ("GET", "/saved", None, True),
    ("GET", "/saved/{saved}", None, True),
    ("POST", "/saved/{saved}/feed", None, True),
    ("POST", "/api/drafts/outline", {"genre": "对照检查材料", "topic": "理论学习"}, True),
    ("POST", "/api/drafts/paragraphs", {"genre": "", "headings": ["理论学习方面", "存在问题"]}, True),
]


@pytest.mark.parametrize("method, path, body, as_member", SEARCHING_ROUTES)
def test_searches_of_the_api_and_the_search_page_run_through_the_one_limiter(
        library_web_app, library_web, member_session, monkeypatch, method, path, body, as_member):
    """Every search of a server process waits for the app's ``searches`` limiter (``deps.searching``: one at a
    time): the search page too, which ran on the general thread pool, beside the API's searches — and every other
    route that searches (they all ran on the general thread pool: 相似素材, saved searches, feeds, downloads by a
    search, the 写作台)."""
    session, collections, viewer, saved_id, feed = member_session
    collections.mark_seen(viewer, saved_id, at="2000-01-01T00:00:00+00:00")   # every document is new to it
    limiter, seen = library_web_app.state.searches, []

    def watched(name: str):
        searched = getattr(library_web_app.state.library, name)

        def search(*args, **kwargs):   # on the worker thread, while the search holds its token
            seen.append(limiter.borrowed_tokens)
            return searched(*args, **kwargs)
        monkeypatch.setattr(library_web_app.state.library, name, search)

    watched("search")
    watched("matching_ids")
    client = session if as_member else library_web
    response = client.request(method, path.format(saved=saved_id, feed=feed), json=body)
    assert response.status_code == 200, response.text
    assert seen and set(seen) == {1} and limiter.borrowed_tokens == 0, seen


@pytest.mark.parametrize("query", ["\u200b", "\ufeff", "\u2060\u3000\u200d"])
def test_a_query_of_invisible_characters_alone_is_no_query(library_web, query):
    """A zero-width space alone (pasted, or typed by an input method) finds what no query finds — every document —
    and is said as no query is: 全部材料, not an invisible title; no search to save."""
    blank = library_web.get("/api/search", params={"q": ""}).json()
    invisible = library_web.get("/api/search", params={"q": query}).json()
    assert invisible["query"] == "" and invisible["total"] == blank["total"] > 0
    page = library_web.get("/search", params={"q": query}, headers={"accept": "text/html"}).text
    assert "<title>全部材料 - 搜索" in page and query not in page


def test_empty_state_suggests_the_other_mode(library_web):
    page = library_web.get("/search", params={"q": "量子纠缠超导体", "mode": "precise"}).text
    assert 'id="empty"' in page and "改用智能检索" in page
    warned = library_web.get("/search", params={"q": '"量子纠缠超导体', "mode": "precise"}).text
    assert "提示：引号没有闭合" in warned


def test_pagination_links(library_web, library):
    total = library.search(SearchRequest(q="工作", limit=2), member=False).total
    page = library_web.get("/search", params={"q": "工作", "limit": 2, "page": 2}).text
    assert total > 4 and 'rel="prev"' in page and 'rel="next"' in page


def test_page_past_the_last_goes_to_the_last(library_web, library):
    total = library.search(SearchRequest(q="工作", limit=2), member=False).total
    last = -(-total // 2)
    response = library_web.get("/search", params={"q": "工作", "limit": 2, "page": 200}, follow_redirects=False)
    assert response.status_code == 303
    assert f"page={last}" in response.headers["location"] and "past=200" in response.headers["location"]
    page = library_web.get("/search", params={"q": "工作", "limit": 2, "page": 200}).text
    assert f"第 {last}/{last} 页" in page and "没有找到" not in page
    assert f"没有第 200 页（共 {last} 页），下面是第 {last} 页。" in page
    assert page.count('class="hit"') == total - 2 * (last - 1)


def test_page_past_the_deepest_is_refused_in_chinese_by_the_api(library_web):
    """Past the deepest page served (1,000) the API refuses a request, in Chinese, in the envelope."""
    api = library_web.get("/api/search", params={"q": "工作", "page": 9999}).json()
    assert (api["status"], api["error"]) == (422, "参数“page”应不大于 1000")


@pytest.mark.parametrize("asked, note", [
    ("9999", "没有第 9999 页（共 {last} 页），下面是第 {last} 页。"),
    (str(10**30), "没有第 1000000000000000000000000000000 页（共 {last} 页），下面是第 {last} 页。"),
    ("9" * 5000, "页码应为 1 到 {last} 之间的整数，下面是第 {last} 页。"),
    ("0", "没有第 0 页（共 {last} 页），下面是第 1 页。"),
    ("-1", "页码应为 1 到 {last} 之间的整数，下面是第 1 页。"),
    ("abc", "页码应为 1 到 {last} 之间的整数，下面是第 1 页。"),
    ("1.5", "页码应为 1 到 {last} 之间的整数，下面是第 1 页。"),
    ("２", "页码应为 1 到 {last} 之间的整数，下面是第 1 页。"),   # a full-width digit
    ("1\x00", "页码应为 1 到 {last} 之间的整数，下面是第 1 页。"),
])
def test_a_page_that_is_not_there_leads_to_one_that_is(library_web, library, asked, note):
    """``/search?page=99999`` was a 422 error page (the API's refusal), and so were 0, -1 and abc: the search page
    now shows the nearest page there is — the last past it, else the first — with a note in Chinese."""
    total = library.search(SearchRequest(q="工作", limit=2), member=False).total
    last = -(-total // 2)
    assert last > 1
    sent = library_web.get("/search", params={"q": "工作", "limit": 2, "page": asked}, follow_redirects=False)
    assert sent.status_code == 303
    shown = library_web.get(sent.headers["location"], headers={"accept": "text/html"})
    assert shown.status_code == 200
    expected = note.format(last=last)
    assert re.search(r'id="past-last">([^<]*)<', shown.text).group(1) == expected
    page = last if "第 {last} 页。" in note else 1
    assert f"第 {page}/{last} 页" in shown.text
    assert shown.text.count('class="hit"') == (total - 2 * (last - 1) if page == last else 2)


def test_the_search_page_reads_its_page_number_once(library_web, monkeypatch):
    """The page asked for is read once a request (``pages.page_asked``), for the search and for the redirect to a
    page there is: it was read twice, the two reads free to drift apart."""
    read, page_asked = [], pages.page_asked
    monkeypatch.setattr(pages, "page_asked", lambda asked: read.append(asked) or page_asked(asked))
    sent = library_web.get("/search", params={"q": "工作", "limit": 2, "page": "abc"}, follow_redirects=False)
    assert sent.status_code == 303 and read == ["abc"]


def test_repeated_and_empty_page_parameters_are_read_as_the_api_reads_them(library_web):
    """``page=`` is the first page; of a repeated ``page`` the last counts, as for every parameter."""
    first = library_web.get("/search?q=%E5%B7%A5%E4%BD%9C&limit=2&page=&past=").text
    assert first.count("第 1/") == 1 and 'id="past-last"' not in first
    twice = library_web.get("/search?q=%E5%B7%A5%E4%BD%9C&limit=2&page=1&page=2", follow_redirects=False)
    assert twice.status_code == 200 and "第 2/" in twice.text


@pytest.mark.parametrize("doc_id", [2**62 + 1, 99999999999999999999])
def test_an_id_past_what_can_be_stored_is_too_large_without_naming_the_limit(library_web, doc_id):
    refused = library_web.get(f"/api/documents/{doc_id}").json()
    assert (refused["status"], refused["code"], refused["error"]) == (422, "invalid_input", "参数“doc_id”数值太大")


def test_heading_filter_field_and_chip(library_web, library):
    page = library_web.get("/search", params={"q": "存在问题", "scope": "section", "heading": "理论学习"}).text
    expected = library.search(SearchRequest(q="存在问题", scope="section", heading="理论学习"), member=False)
    assert f'<strong id="total">{expected.total}</strong>' in page and expected.total > 0
    assert '标题含：理论学习 ×' in page and 'data-filter="heading"' in page
    form = page[page.index('id="heading-filter"'):]
    form = form[: form.index("</form>")]
    assert 'name="heading" value="理论学习"' in form and 'name="scope" value="section"' in form
    assert 'name="q" value="存在问题"' in form
    unfiltered = library_web.get("/search", params={"q": "存在问题"}).text
    assert 'id="heading-filter"' in unfiltered and 'data-filter="heading"' not in unfiltered


def test_one_mode_switch_on_the_results_page(library_web):
    page = library_web.get("/search", params={"q": "基层减负"}).text
    assert page.count('data-mode="') == 2 and 'type="radio" name="mode"' not in page
    assert '<input type="hidden" name="mode" value="ranked">' in page
    home = library_web.get("/").text
    assert home.count('type="radio" name="mode"') == 2 and 'data-mode="' not in home


# -- CLI ----------------------------------------------------------------------------------------


def test_cli_demo_no_serve_and_serve_help(tmp_path):
    from sucai.cli.server import sucai_command

    runner = CliRunner()
    result = runner.invoke(cli_app, ["demo", "--no-serve", "--home", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "基层减负" in result.output and "沿用" not in result.output
    # how to log in to the 写作台 and the members part (new-user try 21: the demo made no account and said nothing)
    said = re.search(rf"先建一个会员账号，如 {re.escape(sucai_command())} (user add 写作者 --role 会员 --until \S+)（", result.output)
    added = runner.invoke(cli_app, [*said[1].split(), "--password", "demo-password-21", "--home", str(tmp_path / "demo")])
    assert added.exit_code == 0 and "暂不享有会员权益" not in added.output, added.output
    accounts = Accounts.open(tmp_path / "demo")
    assert accounts.authenticate("写作者", "demo-password-21").member   # the command said makes a member who drafts
    accounts.close()
    again = runner.invoke(cli_app, ["demo", "--no-serve", "--home", str(tmp_path / "demo")])
    assert again.exit_code == 0 and "沿用该文件夹中已有的素材库" in again.output   # not a silent 重复 11 (new-user try 14)
    assert "先建一个会员账号" not in again.output   # there is one now
    help_text = runner.invoke(cli_app, ["serve", "--help"]).output
    assert "--port" in help_text and "--host" in help_text


def test_the_demo_library_is_the_users_own(tmp_path, monkeypatch):
    """Without --home or SUCAI_HOME the demo builds its library in this user's cache folder (platformdirs:
    $XDG_CACHE_HOME/sucai/demo), never in a folder every user of the machine shares (/tmp/sucai-demo)."""
    monkeypatch.delenv("SUCAI_HOME", raising=False)
    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli_app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    own = tmp_path / "cache" / "sucai" / "demo"
    assert f"演示库：{own}" in result.output and (own / "catalogue.sqlite3").is_file()


def test_the_demo_keeps_out_of_a_real_library(tmp_path, monkeypatch, capsys):
    """`SUCAI_HOME` left pointing at a real library: `sucai demo` added its samples to it (a 9-document library became
    19, verify30). It refuses, exit 1, saying where a demo can go, and the library keeps its one document."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    own = tmp_path / "library"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("关于开展节约用水宣传周活动的通知\n各科室：\n请做好宣传。\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli_app, ["ingest", str(tmp_path / "in"), "--home", str(own)]).exit_code == 0
    assert run(["demo", "--no-serve", "--home", str(own)]) == 1
    assert " ".join(capsys.readouterr().err.split()) == (
        f"错误：{own} 中的素材库已有示例素材以外的文档（如编号 1「关于开展节约用水宣传周活动的通知」），演示不往其中添加"
        f"示例素材：请用 --home 指定另一个文件夹，或不设 SUCAI_HOME、不用 --home，演示库即在 {tmp_path / 'cache' / 'sucai' / 'demo'}")
    library = Library.open(own)
    assert [summary.id for summary in library.catalogue.records(include_hidden=True)] == [1]
    library.close()


def test_title_index_follows_the_catalogue(home, tmp_path):
    from sucai.suggest import TitleIndex

    library = Library.open(home)
    titles = TitleIndex(library.catalogue)
    assert titles.suggest("政府") == []
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("政府信息公开工作年度报告\n一、总体情况\n正文。\n", encoding="utf-8")
    library.ingest([source], workers=1)
    # the very next lookup has it (new-user try 16: a worker's list was seconds behind, 「[]」 then hits)
    assert [s.title for s in titles.suggest("政府信息")] == ["政府信息公开工作年度报告"]
    library.update(1, title="政府信息公开工作情况报告")
    assert [s.title for s in titles.suggest("政府信息")] == ["政府信息公开工作情况报告"]
    library.set_hidden(1, True)
    assert titles.suggest("政府信息") == []
    library.close()


def test_equal_titles_are_told_apart_in_lists_and_genres_are_grouped(tmp_path, home):
    """Issue 9 "Titles": the same title from two issuers/years is followed by 发文机关 and year in the search
    results and on the home page; the home page groups 文种 by the taxonomy; /api/genres gives the taxonomy."""
    folder = tmp_path / "in"
    folder.mkdir()
    for year, county in ((2023, "甲县"), (2024, "乙县")):
        (folder / f"{county}.txt").write_text(
            f"政府工作报告\n——{year}年2月1日在{county}人民代表大会上\n{county}人民政府县长　张某\n各位代表：\n"
            f"现在，我代表{county}人民政府向大会作工作报告，推进基层减负。\n", encoding="utf-8")
    (folder / "通知.txt").write_text("关于推进基层减负的通知\n国办发〔2019〕16号\n各省人民政府：\n请认真落实。\n", encoding="utf-8")
    library = Library.open(home)
    library.ingest([folder], workers=1)
    client = TestClient(create_app(library.settings.home))
    page = untag(client.get("/search", params={"q": "基层减负"}).text)
    assert "政府工作报告（甲县人民政府 · 2023）" in page and "政府工作报告（乙县人民政府 · 2024）" in page
    assert "关于推进基层减负的通知（" not in page
    home = untag(client.get("/").text)
    assert "政府工作报告（甲县人民政府 · 2023）" in home
    assert home.index("法定公文") < home.index("事务文书") < home.index("政府工作报告 ·") and "新闻与著作" not in home
    genres = client.get("/api/genres").json()
    basis = "《党政机关公文处理工作条例》第八条"
    assert genres["taxonomy"] == [{"group": "法定公文", "genres": [{"name": "通知", "basis": basis, "count": 1}]},
                                  {"group": "事务文书", "genres": [{"name": "政府工作报告", "basis": "", "count": 2}]}]
    library.close()


def untag(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_stats_are_kept_per_tier_until_the_catalogue_changes(tmp_path, home):
    """The home page's stats (the free view of every row: 0.2–0.4 s on the corpus) are made once per tier and
    made again after any change; each equals what a library without the kept copy computes, tier by tier."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "会员.txt").write_text("学习心得\n##paidbegin##\n来源：某市审计局\n" + "审计整改工作扎实推进。" * 40
                                   + "\n##paidend##\n", encoding="utf-8")   # its 来源 is in the members part
    library = Library.open(home)
    library.ingest([SAMPLES, inbox], workers=1)

    def fresh(member: bool) -> dict:
        other = Library.open(home)
        try:
            return other.stats(member=member)
        finally:
            other.close()

    for member in (False, True):
        assert library.stats(member=member) == fresh(member)
    assert library.stats(member=False) != library.stats(member=True)   # the tiers are never mixed up
    read = library.catalogue.records
    library.catalogue.records = lambda *a, **k: pytest.fail("the rows were read again without a change")
    assert library.stats(member=False) == fresh(False)
    library.catalogue.records = read
    (inbox / "新.txt").write_text(XSS_TEXT.replace("测试", "新增"), encoding="utf-8")
    library.ingest([inbox / "新.txt"], workers=1)
    first = library.catalogue.summaries(1)[0]["id"]
    library.set_hidden(first, True)
    for member in (False, True):
        assert library.stats(member=member) == fresh(member)
    library.close()


@pytest.mark.parametrize("spelling", ["1_0", "+1", "1.0", "%201", "abc", "1%20"])
def test_a_document_has_one_address(library_web, spelling):
    """``/api/documents/1_0``, ``+1``, ``1.0`` and ``%201`` all served document 1 (pydantic's int parsing): only
    the digits of its 编号 address a document; any other spelling is 404 in Chinese, on the page too."""
    assert library_web.get("/api/documents/1").status_code == 200
    data = assert_envelope(library_web.get(f"/api/documents/{spelling}"), 404, "not_found")
    assert data["error"] == "找不到这个页面或资源"
    assert library_web.get(f"/api/documents/{spelling}/similar").status_code == 404
    page = library_web.get(f"/documents/{spelling}", headers={"accept": "text/html"})
    assert page.status_code == 404 and "找不到这个页面或资源" in page.text
