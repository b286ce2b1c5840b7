"""The leak battery: nothing of a members part reaches a viewer without the member tier.

A test library holds documents whose members parts carry unique marker text (random
Han characters that occur nowhere else, also after normalisation) next to realistic
text: three with a ``##paidbegin##`` tag, one whose members part ends at a
``##paidend##`` followed by free text (with a marker of its own, which non-members
must see), three whose metadata lies only in the members part (a 文号, a 落款 with its
issuer and date, a "来源：" line, a title after the tag), the bundled samples, whose long texts get a boundary from the operator's
``free_preview_chars`` setting, and one hidden document (none of whose text may show). Every route of the app — enumerated from the router, so
a route added later is covered automatically — is called as a visitor, a free user and
an expired member (both logged in through the real login form), with path parameters
filled with real and missing ids and query parameters with probes (substrings of the
members parts, ordinary words). No response body (as sent, with tags stripped, as
decoded JSON, unpacked zip and docx) and no header may contain a 6-character window of
a members part, except windows that the viewer may see anyway (in some free part,
title or metadata) or that the request itself contained. The CLI's ``--free`` output
is held to the same rule. A member must see the markers, so the test can fail.

The 写作台 is open to every logged-in account in this site (``drafting_tier = "user"``), so that free
users and expired members get answers from its routes; a member's saved draft quotes a members part.
Its JSON routes (POST, PUT, DELETE) are probed by :func:`drafting_requests`.

What users keep (issue 14) is probed with real data: each viewer, and a member, has a
saved search for every marker (each counting every document as new) with its feed, and
a folder holding every document, so 订阅 (新 N), 收藏, 记录 and every feed URL are
called; a viewer's own saved queries may come back to that viewer.
"""

from __future__ import annotations

import html
import inspect
import io
import json
import random
import re
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import is_dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import get_type_hints
from urllib.parse import unquote

import feedparser
import pytest
from anyio.from_thread import start_blocking_portal
from fastapi.testclient import TestClient
from click.testing import CliRunner

from conftest import site_day
from sucai import access, analysis, clean, dedupe, outline
from sucai.accounts import Accounts
from sucai.check import check_text
from sucai.collections import Collections
from sucai.config import load_settings
from sucai.db.schema import documents, free_clusters, meta
from sucai.cli import app as cli_app
from sucai.library import Library
from sucai.model import Document
from sucai.search import SearchRequest
from sucai.web import create_app
from sucai.web.api import SearchParams

SAMPLES = Path(str(resources.files("sucai").joinpath("samples")))
WIDTH = 6
PASSWORD = "leak-test-password"
PREVIEW = 150
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(?:p|div|li|ol|ul|td|th|tr|table|h[1-6]|dd|dt|dl|section|aside|header|footer|nav|form|label"
                    r"|option|select|button|title|br|w:p|w:tc|w:tr|w:br)\b[^>]*>")


@lru_cache(maxsize=256)   # the parts every .docx repeats (styles, theme, settings) are read again and again
def untagged(markup: str) -> str:
    """Text of HTML/XML: block elements end a run of text (\\x00), inline ones (<mark>, runs) join it."""
    return html.unescape(_TAG.sub("", _BLOCK.sub("\x00", markup)))


FREE_AFTER = 15  # markers[15] is in the free text after a ##paidend##: everyone may see it


def secret_markers(site) -> list[str]:
    """The markers in members parts or the hidden document (all but the free one)."""
    return [m for n, m in enumerate(site["markers"]) if n != FREE_AFTER]


def make_markers(count: int, length: int, avoid: str) -> list[str]:
    """``count`` strings of rare Han characters, none of which (nor its normalised form) occurs in ``avoid``."""
    rng = random.Random(20240605)
    used = set(avoid) | set(analysis.normalize(avoid))
    pool = [c for c in map(chr, range(0x9A00, 0x9FA5))
            if c not in used and analysis.normalize(c) not in used and analysis.normalize(c) == c]
    rng.shuffle(pool)
    assert len(pool) >= count * length
    return ["".join(pool[i * length:(i + 1) * length]) for i in range(count)]


def texts(markers: list[str]) -> dict[str, str]:
    m = markers
    return {
        "01_预算通知.txt": (
            "关于做好年度预算编制工作的通知\n"
            "一、总体要求\n坚持稳中求进工作总基调，统筹推进预算编制各项工作，确保各项任务落到实处。\n"
            "##paidbegin##\n二、内部测算口径 红杉甲方案\n"
            f"按照{m[0]}口径测算，全年支出控制在核定范围内，{m[1]}作为备选。\n"
            "三、保障措施\n各单位要加强组织领导，压实工作责任。\n"),
        "02_调研报告.txt": (
            "关于基层治理情况的调研报告\n"
            "一、基本情况\n今年以来，我们围绕基层治理开展专题调研，走访了多个社区和村组。\n"
            "##paidbegin##\n"
            f"二、{m[2]}存在的问题\n一是统筹不够，{m[3]}的情况时有发生。\n"
            "二是保障不足，部分社区工作力量薄弱，台账资料繁多。\n"
            "三、对策建议\n建议建立常态化联系机制，切实减轻基层负担。\n"),
        "03_讲话稿.md": (
            "# 在全市作风建设大会上的讲话\n\n同志们：\n\n今天召开这次会议，主要任务是动员部署作风建设工作。\n\n"
            "$$paidbegin$$\n\n## 一、深刻认识作风建设的重要性\n\n"
            f"作风建设永远在路上，{m[4]}必须常抓不懈、久久为功。{m[5]}是我们的基本遵循。\n\n"
            "## 二、聚焦重点抓整改\n\n要紧盯形式主义官僚主义突出问题，坚决纠治。\n"),
        "04_隐藏文档.txt": (
            f"内部隐藏的文档{m[6]}标题\n一、说明\n这篇文档已被管理员隐藏，{m[7]}不应对任何人显示。\n"),
        # 公文 elements (署名, 成文日期, 附注) and an article's summary in the members part
        "05_防汛通知.txt": (
            "关于做好防汛工作的通知\n某政发〔2023〕5号\n各区县人民政府，市政府各部门：\n现将有关事项通知如下。\n"
            f"##paidbegin##\n第一条 {m[8]}为了做好防汛工作，制定本通知。\n{m[9]}人民政府\n2023年5月6日\n（联系人：{m[10]}）\n"),
        # free_preview_chars (150) cuts this article's opening words (its summary) after "为了"
        "06_防汛办法.txt": (
            "某市防汛管理办法\n第一章 总则\n" + ("为规范防汛管理工作，保障人民群众生命财产安全，制定本办法。" * 6)[:135] + "。\n"
            f"第一条 为了{m[11]}{m[12]}，由市人民政府负责。\n第二条 其他事项另行规定。\n"),
        "07_接待通知.txt": (
            "关于规范公务接待工作的通知\n"
            "一、总体要求\n严格执行公务接待标准，厉行勤俭节约，杜绝铺张浪费。\n"
            "##paidbegin##\n二、内部掌握尺度\n"
            f"接待{m[13]}标准按内部口径执行，{m[14]}不对外公开。\n"
            "##paidend##\n请各单位对照本通知逐项抓好落实，切实把厉行节约的各项要求落到实处。\n"
            f"三、监督检查\n各单位要加强日常监督，{m[FREE_AFTER]}定期通报检查结果。\n"),
        MEMBERS_METADATA: (
            "关于做好档案整理工作的通知\n各有关单位：\n为做好年度档案整理工作，现将有关事项通知如下。\n"
            f"##paidbegin##\n{m[17]}局发〔2031〕88号\n一、整理范围\n{m[19]}范围内的文书档案全部纳入整理。\n"
            f"二、工作要求\n各单位要按时完成。\n{m[17]}局\n2031年7月9日\n"),
        MEMBERS_SOURCE: (
            "关于基层治理的几点思考\n基层治理是国家治理的基石，要坚持和发展新时代“枫桥经验”。\n"
            f"##paidbegin##\n（来源：{m[18]}日报）\n一、治理主体\n要发挥村民自治作用，{m[19]}持续推进。\n"),
        MEMBERS_TITLE: (
            f"##paidbegin##{m[IN_TITLE]}工作情况的报告\n一、基本情况\n今年以来，我们围绕重点任务扎实推进各项工作。\n"),
    }


MEMBERS_METADATA = "08_会员部分的元数据.txt"   # its 文号, 落款 (issuer, 2031年7月9日) lie in the members part
MEMBERS_SOURCE = "09_来源在会员部分.txt"       # its "来源：" line stands in the members part
MEMBERS_TITLE = "10_会员标题.txt"              # the members tag stands before its title
MEMBERS_YEAR = 2031
IN_TITLE = 16    # markers[16] is in a title that stands after the members tag; see test_members_title_does_not_match


@pytest.fixture(scope="module")
def portal():
    """One event loop for the test clients of the site, as a server has: a TestClient without one starts a loop, a
    thread for it and new worker threads (each opening the app's accounts anew) for every request."""
    with start_blocking_portal() as loop:
        yield loop


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_home, portal):
    root = tmp_path_factory.mktemp("leaks")
    home, extra = make_home(root / "home"), root / "extra"
    extra.mkdir()
    seen = "".join(p.read_text(encoding="utf-8") for p in (SAMPLES / "src").glob("*.txt")) + "".join(texts(["甲"] * 20).values())
    markers = make_markers(20, 8, seen)
    for name, text in texts(markers).items():
        (extra / name).write_text(text, encoding="utf-8")
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write(f"free_preview_chars = {PREVIEW}\ndrafting_tier = \"user\"\nfree_checks_per_hour = 0\n"
                    "free_batch_downloads_per_hour = 0\n")
    library = Library.open(home)
    summary = library.ingest([SAMPLES / "library", extra], workers=1)
    assert summary.counts["failed"] == 0
    hidden = next(r["id"] for r in library.catalogue.summaries() if r["title"].startswith("内部隐藏的文档"))
    library.set_hidden(hidden, True)
    accounts = Accounts.open(home)
    accounts.add_user("免费用户", PASSWORD, "user")
    accounts.add_user("过期会员", PASSWORD, "member", site_day(-1).isoformat())
    member = accounts.add_user("会员", PASSWORD, "member", site_day(30).isoformat())
    member_token = accounts.create_token("会员", "leak test")
    typed, feeds = keepings(accounts, library, markers, hidden)
    accounts.close()
    members_draft = members_draft_of(library, member)
    app = create_app(home)
    yield {"home": home, "library": library, "app": app, "markers": markers, "hidden": hidden,
           "member_token": member_token, "draft": members_draft, "typed": typed, "feeds": feeds, "portal": portal}
    library.close()


SAVED_BY = {"free user": "免费用户", "expired member": "过期会员", "member": "会员"}


def keepings(accounts, library, markers, hidden) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What each viewer keeps (issue 14): saved searches for every marker and two free words, all counting
    every document as new (seen long ago), each with a feed; every document (the hidden one too) in a
    folder with a note. Returns what each typed (their own words may come back to them) and the feed tokens."""
    store = Collections(accounts)
    typed, feeds = {}, {}
    for who, name in SAVED_BY.items():
        viewer = accounts.viewer(name)
        queries = [*markers, "总体要求", "基层减负"]
        for n, q in enumerate(queries):
            saved = store.save_search(viewer, f"检索{n}", {"q": q, "mode": ("precise", "ranked")[n % 2]})
            store.mark_seen(viewer, saved.id, "2000-01-01T00:00:00+00:00")
            feeds.setdefault(who, []).append(store.new_feed_token(viewer, saved.id))
        for row in library.catalogue.summaries(include_hidden=True):
            store.add_favourite(viewer, row["id"], "全部", f"备注{row['id']}")
        typed[who] = queries
    return typed, feeds


_SPACE = re.compile(r"\s+")


def metadata_of(doc) -> list[str]:
    """The derived fields of a document (or of a viewer's view of it)."""
    return [doc.title, doc.genre or "", doc.source or "", doc.doc_number or "", doc.date or ""]


def squash(text: str) -> str:
    """Without white space: line breaks and indents added by a layout neither hide nor fake a leak."""
    return _SPACE.sub("", text)


def windows(text: str, width: int = WIDTH) -> set[str]:
    text = squash(text)
    return {text[i:i + width] for i in range(len(text) - width + 1)}


@pytest.fixture(scope="module")
def secrets_(site) -> Forbidden:
    """6-character windows a non-member must never see: members parts and the hidden document, minus what is
    free elsewhere (any visible document's free text, title or metadata)."""
    library: Library = site["library"]
    forbidden, allowed = set(), set()
    for doc in library.catalogue.documents():
        if doc.hidden:
            forbidden |= windows(doc.title) | windows(doc.text)
            continue
        view, _ = access.view(doc, False)
        if doc.members_span is not None:
            start, end = doc.members_span
            forbidden |= windows(doc.text[start:end])
        for part in metadata_of(doc):   # derived from the members part: in the full document, not in the free view
            if part not in metadata_of(view):
                forbidden |= windows(part)
        for part in [view.text, *metadata_of(view)]:
            allowed |= windows(part)
    forbidden -= allowed
    assert len(forbidden) > 5000
    markers = site["markers"]
    assert all(any(m[:WIDTH] == w for w in forbidden) for m in secret_markers(site))
    assert not {w for w in forbidden if w in markers[FREE_AFTER]}   # the text after the members part is free
    return Forbidden(forbidden)


def readable(response) -> list[str]:
    """Every way a body can be read: as sent, tags stripped and unescaped, decoded JSON strings,
    unpacked zip members and docx text; plus the headers."""
    out = [" ".join(f"{k}: {unquote(v)}" for k, v in response.headers.items())]
    data = response.content
    if data[:2] == b"PK":
        out += unpacked(data)
        return out
    text = data.decode("utf-8", errors="replace")
    out += [text, untagged(text)]
    if data and response.headers.get("content-type", "").startswith("application/json"):
        out.append(strings_of(response.json()))
    return out


def unpacked(data: bytes) -> list[str]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            member = archive.read(name)
            if member[:2] == b"PK":
                out += unpacked(member)
            else:
                text = member.decode("utf-8-sig", errors="replace")
                out += [text, untagged(text)]
    return out


def strings_of(data) -> str:
    if isinstance(data, str):
        return data + "\x00"
    if isinstance(data, dict):
        return "".join(strings_of(k) + strings_of(v) for k, v in data.items())
    if isinstance(data, list):
        return "".join(strings_of(v) for v in data)
    return ""


_WIDE = re.compile(r"[^\x00-\x7f]+")


class Forbidden(frozenset):
    """Windows a viewer must not see. ``found_in(body)``: those in a body, remembered for the last bodies read (the
    parts every .docx repeats, a page asked again); a window with a character beyond ASCII overlaps a run of them,
    so only such windows of a body are read — markup, JSON keys and XML, most of a body, are passed over —, and the
    few forbidden windows all of ASCII are looked for as substrings."""

    def __init__(self, forbidden=()):
        super().__init__()
        self.narrow = [w for w in self if not _WIDE.search(w)]
        self.found_in = lru_cache(maxsize=256)(self._found_in)

    def _found_in(self, body: str) -> frozenset[str]:
        body = squash(body)
        seen = {w for w in self.narrow if w in body}
        last = len(body) - WIDTH
        for run in _WIDE.finditer(body):
            seen.update(body[i:i + WIDTH] for i in range(max(0, run.start() - WIDTH + 1), min(run.end(), last + 1)))
        return frozenset(seen & self)


def leaks(bodies: list[str], forbidden: Forbidden, asked: str = "") -> list[str]:
    """Forbidden windows found in ``bodies`` (windows of what the request itself sent are not leaks)."""
    return sorted(frozenset().union(*map(forbidden.found_in, bodies)) - windows(asked))


# -- the routes of the app -----------------------------------------------------------------------


def app_routes(app):
    """(path, methods, endpoint) of every route, also inside included routers; static mounts as GET. The path
    without its convertors (``{doc_id}``, not ``{doc_id:int}``), as ``fills`` takes it."""
    out = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for ctx in contexts():
                out.append((ctx.path_format, set(getattr(ctx.original_route, "methods", None) or ()), ctx.endpoint))
        elif getattr(route, "methods", None):
            out.append((route.path_format, set(route.methods), getattr(route, "endpoint", None)))
        elif hasattr(route, "routes") or hasattr(route, "app"):
            out.append((route.path + "/{file}", {"GET"}, None))
    assert len(out) > 25
    return out


def query_names(endpoint) -> set[str]:
    """Parameter names an endpoint (and its dependencies, one level of Depends) reads; a dependency that makes a
    SearchRequest, or a dataclass holding one (the search page's PageSearch), reads the search parameters
    (SearchParams, checked in one call over the query string)."""
    if endpoint is None:
        return set()
    names = set()
    for param in inspect.signature(endpoint, eval_str=True).parameters.values():
        names.add(param.name)
        for meta in getattr(param.annotation, "__metadata__", ()):
            dep = getattr(meta, "dependency", None)
            if dep is not None:
                signature = inspect.signature(dep, eval_str=True)
                names |= set(signature.parameters)
                if _makes_a_search(signature.return_annotation):
                    names |= set(SearchParams.model_fields)
    return names


def _makes_a_search(made) -> bool:
    return made is SearchRequest or is_dataclass(made) and SearchRequest in get_type_hints(made).values()


def probes(site) -> list[str]:
    markers = site["markers"]
    out = ["总体要求", "基层减负", "工作", "", "红杉甲方案", "内部测算口径", "存在的问题", "深刻认识作风建设"]
    for m in markers:
        out += [m, m[:6], m[2:5], m[3:5]]
    return out


def fills(path: str, site) -> list[str]:
    """The path with its parameters filled: every document id (hidden one included), missing and bad ids;
    the member's draft, a missing and a bad draft id."""
    if "{draft_id}" in path:
        return [path.replace("{draft_id}", str(i)) for i in (site["draft"], 999999, "abc")]
    if "{doc_id}" in path:
        ids = [r["id"] for r in site["library"].catalogue.summaries(include_hidden=True)]
        filled = [path.replace("{doc_id}", str(i)) for i in ids + [999999]] + [path.replace("{doc_id}", "abc")]
        return [re.sub(r"\{[^}]+\}", "1", url) for url in filled]   # a folder too: the first viewer's
    if path.startswith("/static"):
        return ["/static/app.js", "/static/app.css", "/static/../templates/document.html"]
    if "{token}" in path:   # every viewer's saved-search feeds (a feed URL works for whoever holds it)
        return [path.replace("{token}", t) for ts in site["feeds"].values() for t in ts] + [path.replace("{token}", "sf_x")]
    if "{search_id}" in path or "{folder_id}" in path:   # each viewer's own and the others'
        return [re.sub(r"\{[^}]+\}", str(n), path) for n in (1, 2, 3, 19, 20, 39)]
    return [re.sub(r"\{[^}]+\}", "1", path)]


def query_sets(names: set[str], site) -> list[dict]:
    if "q" not in names:
        sets = [{}]
        if "since" in names or "genre" in names:
            genres = {d.genre for d in site["library"].catalogue.documents(outline=False)}
            sets += [{"since": "30"}] + [{"since": "30", "genre": g} for g in sorted(genres)]
        if "format" in names:
            sets = [{"format": f} for f in ("docx", "md", "txt")]
        if "limit" in names:
            sets = [{**s, "limit": 20} for s in sets]
        if "next" in names:
            sets.append({"next": "/documents/1"})
        return sets
    ids = ",".join(str(r["id"]) for r in site["library"].catalogue.summaries())
    out = []
    for n, probe in enumerate(probes(site)):
        params = {"q": probe, "limit": 20, "ids": ids if n % 3 == 0 else None, "format": ("md", "docx", "txt")[n % 3]}
        if n % 2:
            params.update(mode="precise", scope="section", heading=probe[:4] or None)
        out.append({k: v for k, v in params.items() if v is not None})
    return out


def on_loop(client: TestClient, portal) -> TestClient:
    """``client`` sending its requests through the event loop ``portal`` (None: a loop of its own for each)."""
    client.portal = portal
    return client


def login(app, username: str, portal=None) -> TestClient:
    client = on_loop(TestClient(app, raise_server_exceptions=False), portal)
    token = _CSRF.search(client.get("/login", headers={"accept": "text/html"}).text).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def csrf_header(client: TestClient) -> dict[str, str]:
    """The X-CSRF-Token header of the client's session (a signed-in browser's 查重 must carry it)."""
    page = client.get("/check", headers={"accept": "text/html"}).text
    return {"x-csrf-token": _CSRF.search(page).group(1)}


def viewers(site):
    app, portal = site["app"], site["portal"]
    return {"visitor": on_loop(TestClient(app, raise_server_exceptions=False), portal),
            "free user": login(app, "免费用户", portal),
            "expired member": login(app, "过期会员", portal)}


def test_every_route_as_every_non_member(site, secrets_):
    app = site["app"]
    routes = app_routes(app)
    found: dict[str, list[str]] = {}
    calls, probed = 0, set()
    for who, client in viewers(site).items():
        assert client.get("/api/me").json()["member"] is False
        for accept in ("application/json", "text/html"):
            for path, methods, endpoint in routes:
                if "GET" not in methods:
                    continue
                names = query_names(endpoint)
                for url in fills(path, site):
                    head = client.head(url, headers={"accept": accept})   # GET's headers, no body (RFC 9110)
                    calls += 1
                    if leaked := leaks(readable(head), secrets_, asked=url):
                        found[f"{who} HEAD {url}"] = leaked[:5]
                    for params in query_sets(names, site) if accept == "application/json" or "q" not in names else query_sets(names, site)[::4]:
                        response = client.get(url, params=params, headers={"accept": accept})
                        calls += 1
                        probed.update([path] if params.get("q") else [])
                        typed = "\x00".join(site["typed"].get(who, []))   # their own saved queries come back
                        leaked = leaks(readable(response), secrets_,
                                       asked=url + json.dumps(params, ensure_ascii=False) + typed)
                        if leaked:
                            found[f"{who} GET {url} {params}"] = leaked[:5]
        # forms: a probe in every field; the routes refuse or fail, and must not leak while doing so
        token = _CSRF.search(client.get("/login", headers={"accept": "text/html"}).text).group(1)
        for path, methods, _ in routes:
            if "POST" not in methods or path == "/logout" or path == "/login" and who != "visitor":
                continue
            for url in fills(path, site)[:3]:
                # a wrong old password counts as a failed login of this account: one try only, or it locks
                for probe in probes(site)[::5] if path != "/account/password" else probes(site)[-1:]:
                    data = {"csrf_token": token, "username": probe or "x", "password": probe + "xxxxxxxx",
                            "password2": "mismatch-xxxxxxxx", "q": probe, "title": probe, "name": probe,
                            "text": probe}
                    poster = client
                    if path == "/login":  # failed logins lock the address out: fail from another one
                        poster = on_loop(TestClient(app, raise_server_exceptions=False, client=("198.51.100.9", 1)),
                                         site["portal"])
                        poster.cookies = client.cookies
                    responses = [poster.post(url, data=data, headers={"accept": "text/html"}, follow_redirects=False)]
                    if path.startswith("/api/"):  # the API also takes JSON
                        responses.append(poster.post(url, json={"text": probe, "q": probe}))
                    calls += len(responses)
                    # what this session typed in earlier forms (a token name) may come back: that is its own input
                    leaked = leaks([b for r in responses for b in readable(r)], secrets_, asked="\x00".join(probes(site)))
                    if leaked:
                        found[f"{who} POST {url} {probe}"] = leaked[:5]
    assert calls > 1000
    assert {"/api/search", "/search", "/api/download", "/api/suggest"} <= probed   # every search route got the probes
    assert not found, dict(list(found.items())[:10])


def drafts(site) -> list[str]:
    """Drafts that copy members parts: exactly, with one character in twelve changed, together with the
    free text before the boundary, and the hidden document; plus free text alone, before the boundary and after a
    members part that free text follows (a 重合片段 of it must not be placed under the members part's heading, as
    the whole text's outline has it: 「二、内部掌握尺度」). Each once: the copy across the boundary of a short
    document whose members part starts at its first character is its members part again."""
    library: Library = site["library"]
    out = []
    for doc in library.catalogue.documents():
        if doc.hidden:
            out.append(doc.title + "\n" + doc.text)
            continue
        if doc.paid_from is None:
            continue
        members = doc.text[doc.paid_from:doc.paid_from + 400]
        edited = "".join("某" if n % 12 == 5 and c.isalnum() else c for n, c in enumerate(members))
        out += [members, edited, doc.text[max(0, doc.paid_from - 120):doc.paid_from + 200],
                "这是我自己写的开头。\n" + doc.text[:doc.paid_from][-150:]]
        if doc.paid_until is not None and doc.paid_until < len(doc.text):
            out.append("这是我自己写的开头。\n" + doc.text[doc.paid_until:][10:160])   # past the free view's offset of it
    return list(dict.fromkeys(out))


def test_check_never_shows_members_text(site, secrets_, tmp_path):
    """查重 of drafts copied from members parts: no response shows their text (JSON, the page, both downloads,
    as JSON, form or file; a saved draft's 查重 in every format), nor anything of the hidden document."""
    found, calls = {}, 0
    for who, client in viewers(site).items():
        sent = csrf_header(client)
        for n, draft in enumerate(drafts(site)):
            responses = [client.post("/api/check", json={"text": draft}, headers=sent),
                         client.post("/check", data={"text": draft}, headers={"accept": "text/html", **sent}),
                         client.post("/api/check", params={"format": "html"}, data={"text": draft}, headers=sent),
                         client.post("/api/check", params={"format": "docx"}, headers=sent,
                                     files={"file": ("草稿.txt", draft.encode("gb18030"))})]
            if who != "visitor":   # the viewer's own draft of it (drafting_tier = user), checked as saved
                saved = client.post("/api/drafts", json={"title": "草稿", "sections": [{"heading": "正文",
                                                         "paragraphs": [draft]}]}, headers=sent)
                assert saved.status_code == 201, saved.text
                responses += [client.get(f"/api/drafts/{saved.json()['id']}/check", params={"format": fmt})
                              for fmt in ("json", "html", "docx")]
            calls += len(responses)
            assert all(r.status_code == 200 for r in responses), [r.text[:200] for r in responses]
            leaked = leaks([b for r in responses for b in readable(r)], secrets_, asked=draft)
            if leaked:
                found[f"{who} draft {n}"] = leaked[:5]
            report = responses[0].json()
            hidden = site["hidden"]
            assert all(m["doc_id"] != hidden for m in report["matches"])
    assert calls > 100
    assert not found, found


def test_check_of_members_text_finds_it_for_a_member_only(site, secrets_):
    """The control: a member's 查重 of a members part finds it and shows the sources' text, so the test above
    can fail; a visitor's is compared with free views only (attack 12: the ratios and spans of members parts
    told a visitor whether a guess was right), so every match it has lies in a source's free view."""
    library: Library = site["library"]
    member = TestClient(site["app"], headers={"authorization": f"Bearer {site['member_token']}"})
    visitor = viewers(site)["visitor"]
    members_only = drafts(site)[0]
    as_member = member.post("/api/check", json={"text": members_only}).json()
    assert as_member["copy_ratio"] > 0.9
    as_visitor = visitor.post("/api/check", json={"text": members_only}).json()
    assert as_visitor["copy_ratio"] < 0.5
    for m in as_visitor["matches"]:
        free = access.free_view(library.get(m["doc_id"])).text
        assert 0 <= m["source_start"] < m["source_end"] <= len(free)
    page = member.post("/check", data={"text": drafts(site)[1]}, headers={"accept": "text/html"})
    assert leaks(readable(page), secrets_, asked=drafts(site)[1])   # the edited copy: the page shows the source


def test_cli_check_free_has_no_members_text(site, secrets_, tmp_path):
    runner = CliRunner(env={"COLUMNS": "100000"})
    found = {}
    for n, draft in enumerate(drafts(site)):
        path = tmp_path / f"draft{n}.txt"
        path.write_text(draft, encoding="utf-8")
        bodies = []
        for extra in ([], ["--json"], ["-o", str(tmp_path / f"r{n}.html")], ["-o", str(tmp_path / f"r{n}.docx")]):
            result = runner.invoke(cli_app, ["check", str(path), "--free", "--home", str(site["home"]), *extra])
            assert result.exit_code == 0, result.output
            bodies.append(result.output)
        bodies.append((tmp_path / f"r{n}.html").read_text(encoding="utf-8"))
        bodies += unpacked((tmp_path / f"r{n}.docx").read_bytes())
        leaked = leaks(bodies, secrets_, asked=draft)
        if leaked:
            found[n] = leaked[:5]
    assert not found, found


IN_HEADING = 2   # markers[2] is in a heading of a members part ("二、<marker>存在的问题"); see the test below


def body_markers(site) -> list[str]:
    apart = {site["markers"][IN_HEADING], site["markers"][IN_TITLE]}
    return [m for m in secret_markers(site) if m not in apart]


@pytest.mark.parametrize("who", ["visitor", "free user", "expired member"])
def test_searches_for_members_text_find_nothing(site, who):
    client = viewers(site)[who]
    for marker in body_markers(site):
        for probe in (marker, marker[:6], marker[2:5], marker[3:5], marker[4]):
            for mode in ("precise", "ranked"):
                for scope in ("doc", "section"):
                    data = client.get("/api/search", params={"q": probe, "mode": mode, "scope": scope}).json()
                    assert data["total"] == 0 and data["hits"] == [], (probe, mode, scope)
                    assert all(b["count"] == 0 for f in data["facets"].values() for b in f) if data["facets"] else True
            assert client.get("/api/suggest", params={"q": probe}).json()["suggestions"] == []
    precise = client.get("/api/search", params={"q": "红杉甲方案", "mode": "precise"}).json()
    assert precise["total"] == 0


@pytest.mark.parametrize("mode", ["precise", "ranked"])
def test_members_only_headings_do_not_match_for_non_members(site, mode):
    """A word that occurs only in a heading of the members part must not find the document for a non-member:
    the hit alone tells that the hidden part holds that heading (ranked mode boosts heading words, and the
    heading field has to be limited to the free part's headings for such a viewer)."""
    marker = site["markers"][IN_HEADING]
    for who, client in viewers(site).items():
        data = client.get("/api/search", params={"q": marker, "mode": mode}).json()
        assert (data["total"], [h["id"] for h in data["hits"]]) == (0, []), who
    member = TestClient(site["app"], headers={"authorization": f"Bearer {site['member_token']}"})
    assert member.get("/api/search", params={"q": marker, "mode": mode}).json()["total"] == 1


@pytest.mark.parametrize("who", ["visitor", "free user", "expired member"])
def test_free_text_after_a_members_part_is_shown_to_non_members(site, who):
    """The other side of the span: text after ``##paidend##`` is free — found, shown and downloaded after
    the notice that stands where the members part was — while the span itself stays hidden."""
    client = viewers(site)[who]
    free, secret = site["markers"][FREE_AFTER], site["markers"][13]
    doc = next(d for d in site["library"].catalogue.documents() if d.title == "关于规范公务接待工作的通知")
    assert doc.members_span is not None and doc.paid_until is not None and free in doc.text[doc.paid_until:]
    notice = access.notice(doc)
    for mode in ("precise", "ranked"):
        for scope in ("doc", "section"):
            data = client.get("/api/search", params={"q": free, "mode": mode, "scope": scope}).json()
            assert [h["id"] for h in data["hits"]] == [doc.id], (mode, scope)
            assert free in squash(data["hits"][0]["snippet"]) and secret[:WIDTH] not in data["hits"][0]["snippet"]
    data = client.get(f"/api/documents/{doc.id}").json()
    assert free in data["text"] and secret[:3] not in data["text"] and data["notice"] == notice
    page = client.get(f"/documents/{doc.id}", headers={"accept": "text/html"}).text
    body = page[page.index('id="body"'):]
    assert body.index("厉行勤俭节约") < body.index(notice) < body.index(free) and secret[:3] not in page
    text = client.get(f"/api/documents/{doc.id}/download", params={"format": "txt"}).content.decode("utf-8")
    assert text.index("厉行勤俭节约") < text.index(notice) < text.index(free) and secret[:3] not in text


def _doc_id(site, name: str) -> int:
    return next(d.id for d in site["library"].catalogue.documents() if d.source_path.endswith(name))


def test_metadata_from_the_members_part_reaches_no_non_member(site):
    """Attack (issue 10 "metadata taken from the members-only part", issue 11 #1): a 文号, the 落款's issuer and
    date (2031年7月9日), a "来源：" line and a title after the tag lie only in members parts. No non-member gets
    them — document, list, search hit, facets, the year filter, stats, suggest, downloads — while a member does."""
    markers, library = site["markers"], site["library"]
    dated, titled = _doc_id(site, MEMBERS_METADATA), _doc_id(site, MEMBERS_TITLE)
    sourced = _doc_id(site, MEMBERS_SOURCE)
    member = TestClient(site["app"], headers={"authorization": f"Bearer {site['member_token']}"})
    full = member.get(f"/api/documents/{dated}").json()
    assert (full["doc_number"], full["date"], full["source"]) == (f"{markers[17]}局发〔2031〕88号", "2031-07-09",
                                                                 f"{markers[17]}局")
    assert member.get(f"/api/documents/{sourced}").json()["source"] == f"{markers[18]}日报"
    assert member.get(f"/api/documents/{titled}").json()["title"] == f"{markers[IN_TITLE]}工作情况的报告"
    assert member.get("/api/search", params={"year": MEMBERS_YEAR}).json()["total"] == 1
    for who, client in viewers(site).items():
        doc = client.get(f"/api/documents/{dated}").json()
        assert (doc["doc_number"], doc["date"], doc["source"], doc["genre"]) == (None, None, None, "通知"), who
        assert all(e["start"] is None or e["end"] <= library.get(dated).paid_from for e in doc["evidence"])
        assert client.get(f"/api/documents/{sourced}").json()["source"] is None
        assert client.get(f"/api/documents/{titled}").json()["title"] == "会员标题"   # the file's name, not the text
        found = client.get("/api/search", params={"year": MEMBERS_YEAR}).json()
        assert (found["total"], found["hits"]) == (0, []), who
        everything = client.get("/api/search", params={"q": "", "limit": 50}).json()
        assert MEMBERS_YEAR not in [b["value"] for b in everything["facets"]["year"]]
        hits = {h["id"]: h for h in everything["hits"]}
        assert (hits[dated]["date"], hits[dated]["source"]) == (None, None)
        by_date = client.get("/api/search", params={"q": "", "sort": "date", "limit": 1}).json()["hits"]
        assert by_date[0]["id"] != dated   # sorting by date does not place it by its members-only date
        listed = {d["id"]: d for d in client.get("/api/documents", params={"limit": 100}).json()["documents"]}
        assert (listed[dated]["date"], listed[dated]["source"], listed[titled]["title"]) == (None, None, "会员标题")
        assert client.get("/api/suggest", params={"q": markers[IN_TITLE][:4]}).json()["suggestions"] == []
        for route in ("/", "/api/stats", "/api/genres", f"/documents/{dated}", f"/api/documents/{dated}/download?format=md",
                      f"/api/download?ids={dated},{titled}&format=md", f"/api/documents/{titled}/download?format=docx"):
            body = "\x00".join(readable(client.get(route)))
            assert "2031-07-09" not in body and markers[17] not in body and markers[18] not in body, (who, route)
            assert markers[IN_TITLE] not in body, (who, route)


def test_members_title_does_not_match(site):
    """A word of a title that stands after the members tag finds nothing for a non-member."""
    for who, client in viewers(site).items():
        for mode in ("precise", "ranked"):
            data = client.get("/api/search", params={"q": site["markers"][IN_TITLE], "mode": mode}).json()
            assert data["total"] == 0, (who, mode)


def test_a_member_sees_the_markers(site, secrets_):
    """The battery can fail: the same requests by a member do show members text."""
    client = TestClient(site["app"], headers={"authorization": f"Bearer {site['member_token']}"})
    library = site["library"]
    markers = site["markers"]
    for marker in markers[:6]:
        data = client.get("/api/search", params={"q": marker, "mode": "precise"}).json()
        assert data["total"] == 1, marker
        assert leaks(readable(client.get(f"/documents/{data['hits'][0]['id']}")), secrets_)
    doc_id = next(r["id"] for r in library.catalogue.summaries() if r["title"].startswith("关于做好年度预算"))
    response = client.get(f"/api/documents/{doc_id}/download", params={"format": "docx"})
    assert markers[0][:WIDTH] in leaks(readable(response), secrets_)
    assert client.get(f"/api/documents/{site['hidden']}").status_code == 404   # hidden for members too


def test_b20_excerpt_never_comes_from_the_members_part(tmp_path, home):
    """Case B20: free part "一、总体要求……" (60 characters), members part "二、内部测算口径 红杉甲方案", excerpts of 200."""
    free = "一、总体要求\n" + "坚持稳中求进，统筹推进预算编制工作，确保各项任务落到实处。各单位要按时报送材料。"
    free = free + "……" * ((60 - len(free)) // 2)
    free = (free + "。" * 60)[:60]
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("snippet_chars = 200\n")
    (tmp_path / "doc.txt").write_text(f"预算编制的通知\n{free}\n##paidbegin##\n二、内部测算口径 红杉甲方案\n", encoding="utf-8")
    library = Library.open(home)
    library.ingest([tmp_path / "doc.txt"], workers=1)
    doc = library.get(1)
    members = doc.text[doc.paid_from:]
    assert "红杉甲方案" in members and len(doc.text[:doc.paid_from].strip()) >= 60
    accounts = Accounts.open(home)
    accounts.add_user("免费用户", PASSWORD)
    accounts.close()
    client = login(create_app(home), "免费用户")
    for mode in ("precise", "ranked"):
        for scope in ("doc", "section"):
            data = client.get("/api/search", params={"q": "红杉甲方案", "mode": mode, "scope": scope}).json()
            assert data["total"] == 0 and data["hits"] == []
            found = client.get("/api/search", params={"q": "总体要求", "mode": mode, "scope": scope}).json()
            assert found["total"] == 1
            hit = found["hits"][0]
            assert squash(hit["snippet"]).strip("…") in squash(doc.text[:doc.paid_from])   # the free part only
            assert all(hit["snippet"][a:b] == "总体要求" for a, b in hit["highlights"])
            page = client.get("/search", params={"q": "总体要求", "mode": mode, "scope": scope}).text
            assert "红杉" not in page and "测算口径" not in page
    assert library.search(SearchRequest(q="红杉甲方案"), member=True).total == 1   # members do find it
    library.close()


_SAVED_ROW = re.compile(r'<tr data-id="\d+">\s*<td><a href="/saved/\d+" class="saved-open">检索(\d+)</a></td>.*?<td>(.*?)</td>', re.S)


def new_counts(client) -> dict[int, int]:
    """The 新 N of each saved search on the viewer's 订阅 page, by its number (the marker it searches for)."""
    page = client.get("/saved", headers={"accept": "text/html"}).text
    return {int(n): int(m.group(1)) if (m := re.search(r"新 (\d+)", cell)) else 0 for n, cell in _SAVED_ROW.findall(page)}


def test_saved_searches_and_feeds_for_members_text_find_nothing_for_non_members(site):
    """新 N and the saved-search feeds are side channels too: a search for words of a members part counts no
    new document for a non-member, and no feed (not even a member's: feeds are read without a login) lists one."""
    markers = site["markers"]
    member = TestClient(site["app"], headers={"authorization": f"Bearer {site['member_token']}"})
    # what a member's search finds: the stored titles and texts that hold the marker, but the hidden document's
    # (a marker only in a "来源：" line is metadata: that line is cleaned out of the text)
    stored = [f"{d.title}\n{d.text}" for d in site["library"].catalogue.documents() if d.id != site["hidden"]]
    in_text = [sum(marker in text for text in stored) for marker in markers]
    for who, client in {**viewers(site), "member": None}.items():
        if who == "visitor":
            continue
        counts = new_counts(client or login(site["app"], "会员"))
        assert len(counts) >= len(markers) - 1, who   # the route battery may have deleted a few (its POSTs)
        for n, marker in enumerate(markers):
            expected = in_text[n] if who == "member" or n == FREE_AFTER else 0
            assert counts.get(n, expected) == expected, (who, n, marker)
        assert counts[len(markers)] >= 3   # 总体要求: free words
        for n, token in enumerate(site["feeds"][who]):
            response = member.get(f"/feeds/saved/{token}.atom")
            if response.status_code == 404:   # made again or revoked by the route battery's POSTs
                continue
            feed = feedparser.parse(response.content)
            assert not feed.bozo
            if n < len(markers):
                assert len(feed.entries) == (n == FREE_AFTER), (who, n)
            else:
                assert feed.entries, (who, n)


# -- side channels: scores, the member a cluster shows, an index that lags behind the catalogue --------


SCORE_PROBES = ["数字政府", "政务服务效能", "数字政府 建设", "政务", "基层治理 数字政府", "提升"]


def _score_library(home: Path, members_hold_probes: bool) -> Path:
    """A library whose free parts are always the same; the members parts hold the probe words or
    (``members_hold_probes=False``) other words of the same length."""
    secret = "数字政府建设滞后，政务服务效能不高，数字政府平台分散。" if members_hold_probes else \
             "社区工作力量薄弱，台账资料繁多，基层负担依然较重。"
    docs = {
        "01.txt": "关于推进数字政府建设的通知\n一、总体要求\n加快推进数字政府建设，提升政务服务效能。\n",
        "02.txt": "关于基层治理的调研报告\n一、基本情况\n围绕基层治理开展专题调研，提升治理水平。\n"
                  f"##paidbegin##\n二、存在问题\n{secret}\n",
        "03.txt": "关于政务公开的实施方案\n一、工作目标\n推进数字政府建设与政务公开。\n"
                  f"##paidbegin##\n二、主要任务\n{secret}{secret}\n",
        "04.txt": "年度工作总结\n一、主要成绩\n全年完成各项目标任务，提升群众满意度。\n",
        "05.txt": f"内部测算方案\n##paidbegin##\n一、测算口径\n{secret}\n",
    }
    source = home.parent / f"{home.name}-src"
    source.mkdir()
    for name, text in docs.items():
        (source / name).write_text(text, encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([source], workers=1).counts["ingested"] == len(docs)
    library.close()
    return home


def _ranking(client: TestClient, probe: str, mode: str, scope: str) -> tuple:
    data = client.get("/api/search", params={"q": probe, "mode": mode, "scope": scope, "limit": 20}).json()
    return data["total"], [(h["id"], h["score"], h.get("section_start")) for h in data["hits"]]


def test_scores_do_not_reveal_members_text(tmp_path, make_home):
    """Issue 11 #2: a non-member's scores and order are the same whether or not members parts hold the probe
    words (term statistics included); a member's do differ, so the test can fail."""
    with_probes = create_app(_score_library(make_home(tmp_path / "with"), True))
    without = create_app(_score_library(make_home(tmp_path / "without"), False))
    visitors = TestClient(with_probes), TestClient(without)
    compared = 0
    for probe in SCORE_PROBES:
        for mode in ("ranked", "precise"):
            for scope in ("doc", "section"):
                one, two = (_ranking(client, probe, mode, scope) for client in visitors)
                assert one == two, (probe, mode, scope)
                compared += bool(one[1])
    assert compared >= 10
    member_views = []
    for app in (with_probes, without):
        Accounts.open(app.state.settings.home).add_user("会员", PASSWORD, "member",
                                                          site_day(30).isoformat())
        member_views.append(_ranking(login(app, "会员"), "数字政府", "ranked", "doc"))
    assert member_views[0] != member_views[1]


def cluster_texts(secret: bool) -> dict[str, str]:
    """Five pairs of near-duplicates (each pair one cluster); ``secret`` changes members-only text or metadata
    only — a title after the tag, a 发文字号 (and its year), a broken character, letters where there was
    punctuation, a 发文字号 beyond the free preview — never a free part, a title or 字数 a visitor sees."""
    farm = ("一、总体要求\n坚持稳中求进工作总基调，统筹推进春季农业生产各项工作，确保粮食生产稳定发展。\n"
            "二、重点任务\n各地要抓好春耕备耕，做好农资供应和技术指导，落实好各项惠农政策。\n"
            "三、保障措施\n各单位要加强组织领导，压实工作责任，按时报送工作进展情况。\n")
    flood = ("一、压实防汛责任\n各乡镇要落实以行政首长负责制为核心的防汛责任制，层层压实责任。\n"
             "二、排查整治隐患\n对水库、堤防、山塘等重点部位开展拉网式排查，建立问题清单。\n"
             "三、做好应急准备\n完善防汛应急预案，备足防汛物资，加强值班值守和信息报送。\n")
    school = ("一、工作目标\n全面落实校园安全主体责任，健全校园安全风险防控体系，保障师生生命安全。\n"
              "二、主要措施\n开展校舍安全隐患排查，加强食品安全和交通安全管理，组织应急疏散演练。\n"
              "三、工作要求\n各学校要建立安全工作台账，及时报告突发事件，确保各项措施落实到位。\n")
    waste = ("一、目标任务\n到年底城区生活垃圾分类覆盖率达到百分之九十以上，农村垃圾治理水平明显提升。\n"
             "二、重点工作\n完善分类投放设施，规范分类收运体系，推进厨余垃圾资源化利用。\n"
             "三、保障措施\n加强宣传引导，强化督查考核，将垃圾分类纳入文明创建重要内容。\n")
    forest = ("为切实做好今冬明春森林防火工作，有效预防和扑救森林火灾，保护森林资源和人民群众生命财产安全，"
              "根据有关法律法规，结合本地实际，现就有关事项通知如下。\n"
              "一、加强火源管控\n严格野外用火审批，严禁上坟烧纸、燃放鞭炮等野外用火行为。\n"
              "二、强化巡护值守\n护林员要每日巡山，重点时段加密巡查频次，发现火情及时报告。\n")
    flood_head = "关于做好防汛准备工作的通知\n为做好今年防汛工作，现将有关事项通知如下。\n##paidbegin##\n"
    school_head = "关于加强校园安全工作的实施方案\n为保障师生安全，制定本方案。\n##paidbegin##\n"
    waste_head = "关于推进生活垃圾分类工作的通知\n现将有关事项通知如下。\n##paidbegin##\n"
    return {
        # the title stands after the tag: a real title, or the file's name (a visitor sees the file's name)
        "春季农业生产.txt": "##paidbegin##" + ("关于做好春季农业生产工作的通知" if secret else "春季农业生产") + "\n" + farm,
        "春季农业生产通知.txt": "关于做好春季农业生产工作的通知\n" + farm.replace("按时报送", "及时报送"),
        # a 发文字号 (and the year it gives) in the members part, or a line of as many characters
        "防汛准备甲.txt": flood_head + ("某水发〔2024〕7号" if secret else "统筹抓好防汛准备工作。") + "\n" + flood,
        "防汛准备乙.txt": flood_head + "统筹抓好防汛准备。\n" + flood.replace("信息报送。", "信息报送，确保安全度汛。"),
        # a broken character (private use) in the members part, or a Han character
        "校园安全甲.txt": school_head + school.replace("演练", "演\ue5e5" if secret else "演练"),
        "校园安全乙.txt": school_head + school.replace("及时报告突发事件，", ""),
        # letters and Han characters in the members part, or as many characters of punctuation
        "垃圾分类甲.txt": waste_head + waste + ("请各单位认真贯彻落实。" if secret else "—" * 11) + "\n",
        "垃圾分类乙.txt": waste_head + waste.replace("明显提升", "明显提升，群众满意"),
        # no tag: free_preview_chars makes the rest members-only; a 发文字号 beyond the preview, or a plain line
        "森林防火甲.txt": "关于做好森林防火工作的通知\n" + forest + ("林防发〔2024〕3号\n" if secret else "严防死守，坚决不松懈。\n"),
        "森林防火乙.txt": "关于做好森林防火工作的通知\n" + forest.replace("及时报告。", "及时报告，做到早发现早处置。")
                        + "严防死守，坚决不松懈。\n",
    }


def _cluster_library(home: Path, secret: bool, texts=None) -> Library:
    """A library of :func:`cluster_texts` (or of ``texts``, a function like it) with ``free_preview_chars`` =
    :data:`PREVIEW`, ingested in name order."""
    texts = (texts or cluster_texts)(secret)
    source = home.parent / f"{home.name}-src"
    source.mkdir()
    for name, text in texts.items():
        (source / name).write_text(text, encoding="utf-8")
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write(f"free_preview_chars = {PREVIEW}\n")
    library = Library.open(home)
    assert library.ingest([source], workers=1).counts["ingested"] == len(texts)
    return library


def _named(library: Library) -> dict[str, int]:
    return {Path(doc.source_path).name: doc.id for doc in library.catalogue.documents(outline=False)}


def _clusters_of(library: Library) -> dict[int, list[Document]]:
    docs = {doc.id: doc for doc in library.catalogue.documents(outline=False)}
    found: dict[int, list[Document]] = {}
    for row in library.catalogue.cluster_rows():
        found.setdefault(row.cluster_id, []).append(docs[row.doc_id])
    return found


CLUSTER_PROBES = ["", "通知", "关于做好", "各乡镇人民政府", "校园安全", "垃圾分类", "森林防火", "春耕备耕", "压实防汛责任"]


def _visitor_sees(client: TestClient, ids: list[int], probes: list[str] = CLUSTER_PROBES) -> dict:
    """Everything a visitor (or the viewer of ``client``) is told about the documents: searches for ``probes`` (all,
    free and members-only words, both modes and scopes, with facets), the list, each document (but when it was
    added), its versions and similar documents (``took_ms`` aside)."""
    seen = {}
    for probe in probes:
        for mode in ("ranked", "precise"):
            for scope in ("doc", "section"):
                data = client.get("/api/search", params={"q": probe, "mode": mode, "scope": scope, "limit": 50}).json()
                data.pop("took_ms")
                seen[f"search {probe} {mode} {scope}"] = data
    seen["list"] = client.get("/api/documents", params={"limit": 100}).json()
    seen["list page 2"] = client.get("/api/documents", params={"limit": 2, "page": 2}).json()
    for doc_id in ids:
        seen[f"document {doc_id}"] = {k: v for k, v in client.get(f"/api/documents/{doc_id}").json().items()
                                      if k not in ("ingested_at", "id")}
        seen[f"versions {doc_id}"] = client.get(f"/api/documents/{doc_id}/versions").json()
        seen[f"similar {doc_id}"] = client.get(f"/api/documents/{doc_id}/similar").json()
    return seen


def test_the_member_a_cluster_shows_tells_nothing_of_members_parts(tmp_path, make_home):
    """Leak 8: search shows a cluster of near-duplicates through its representative. Two libraries that differ
    only in members-only text and metadata (:func:`cluster_texts`) show a visitor the same members, the same
    results, versions and similar documents; chosen over the whole documents (as before), the representative
    of every one of the five clusters differs between the two, so the test can fail."""
    one, two = (_cluster_library(make_home(tmp_path / name), secret)
                for name, secret in (("with", True), ("without", False)))
    assert _named(one) == _named(two)
    clusters = [_clusters_of(library) for library in (one, two)]
    assert [[d.id for d in members] for members in clusters[0].values()] == \
        [[d.id for d in members] for members in clusters[1].values()] and len(clusters[0]) == 5
    whole = [{cluster: max(members, key=dedupe.quality).id for cluster, members in found.items()} for found in clusters]
    assert all(whole[0][cluster] != whole[1][cluster] for cluster in whole[0])
    shown = [{row.cluster_id: row.doc_id for row in library.catalogue.cluster_rows() if row.representative}
             for library in (one, two)]
    assert shown[0] == shown[1]
    ids = sorted(_named(one).values())
    seen = [_visitor_sees(TestClient(create_app(library.settings.home)), ids) for library in (one, two)]
    assert seen[0].keys() == seen[1].keys()
    assert {key for key in seen[0] if seen[0][key] != seen[1][key]} == set()
    # leak 10: every one of them has a members part, so a visitor sees each apart (see
    # test_how_documents_are_grouped_tells_a_visitor_nothing_of_members_parts); members see the representatives
    assert {h["id"] for h in seen[0]["search  ranked doc"]["hits"]} == set(ids)
    assert {h.id for h in one.search(SearchRequest(q=""), member=True).hits} == set(shown[0].values())
    for library in (one, two):
        library.close()


def test_an_existing_library_chooses_its_representatives_again(tmp_path, make_home):
    """A library whose representatives were chosen over the whole documents (the rules before leak 8, and no
    record of the rules in its catalogue) chooses them again when opened — but the one an admin pinned —, and
    its members' searches show the new ones; so it does when the free preview's setting changes (what is free moves).
    Expected, by hand: 垃圾分类甲 and 校园安全甲 (the same free text, a longer members part: 字数 is public),
    春季农业生产通知 (a visitor sees the other's file name as its title), 森林防火乙 (its twin's 发文字号 lies
    beyond the free preview: it is the longer one), and 防汛准备甲, pinned (by the rules 乙, for the same reason);
    without a free preview 森林防火甲 (its 发文字号 is free)."""
    home = make_home(tmp_path / "old")
    library = _cluster_library(home, True)
    named = _named(library)
    pinned = named["防汛准备甲.txt"]
    for cluster, members in _clusters_of(library).items():   # as the rules before chose them
        library.catalogue.mark_representative(cluster, max(members, key=dedupe.quality).id, False)
    library.clusters.set_representative(pinned)
    with library.catalogue.transaction() as conn:
        conn.execute(meta.delete().where(meta.c.key == "representative_version"))
    before = {row.doc_id for row in library.catalogue.cluster_rows() if row.representative}
    assert before == {named[n] for n in ("垃圾分类甲.txt", "春季农业生产.txt", "校园安全乙.txt", "森林防火甲.txt",
                                          "防汛准备甲.txt")}
    library.index.sync()
    library.close()

    def shown(expected: list[str]) -> None:
        reopened = Library.open(home)   # chooses again here
        rows = reopened.catalogue.cluster_rows()
        assert {r.doc_id for r in rows if r.representative} == {named[n] for n in expected}
        assert [r.doc_id for r in rows if r.pinned] == [pinned]
        assert {h.id for h in reopened.search(SearchRequest(q=""), member=True).hits} == {named[n] for n in expected}
        reopened.close()

    shown(["垃圾分类甲.txt", "春季农业生产通知.txt", "校园安全甲.txt", "森林防火乙.txt", "防汛准备甲.txt"])
    settings = home / "sucai.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(f"free_preview_chars = {PREVIEW}",
                                                                     "free_preview_chars = -1"), encoding="utf-8")
    shown(["垃圾分类甲.txt", "春季农业生产通知.txt", "校园安全甲.txt", "森林防火甲.txt", "防汛准备甲.txt"])


def _hold_index_lock(home: Path) -> subprocess.Popen:
    """Another process that holds the index lock (a long ingest or reindex) until its stdin closes."""
    code = ("import sys; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
            "print('locked', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(home / "index.lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_lagging_index_never_serves_hidden_or_rebounded_text(tmp_path, home):
    """Issue 11 #3: an admin hides one document and makes another members-only while another process holds
    the index lock. Until the index catches up, visitors must find neither by the text they can no longer see:
    search (document and section scope, both modes), the zip of a search, similar documents, suggestions."""
    source = tmp_path / "src"
    source.mkdir()
    texts_ = {
        "隐藏.txt": "关于红杉乙计划的专项通知\n一、总体要求\n红杉乙计划由专班负责推进，按季度调度。\n",
        "改界.txt": "关于青松丙工程的实施方案\n一、工作目标\n推进青松丙工程建设。\n二、保障措施\n青松丙工程资金由市财政统筹。\n",
        "其他.txt": "关于青松丙工程和红杉乙计划的综述\n一、概况\n本文概述相关工作安排。\n",
        "总结.txt": "青松丙工程和红杉乙计划工作总结\n一、主要工作\n完成年度任务。\n",
    }
    for name, text in texts_.items():
        (source / name).write_text(text, encoding="utf-8")
    library = Library.open(home)
    library.ingest([source], workers=1)
    rows = library.catalogue.summaries()
    hidden = next(r["id"] for r in rows if r["title"].startswith("关于红杉乙计划的专项"))
    rebounded = next(r["id"] for r in rows if r["title"].startswith("关于青松丙工程的实施"))
    other = next(r["id"] for r in rows if r["title"].startswith("关于青松丙工程和"))
    app = create_app(home)
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/api/search", params={"q": "红杉乙计划由专班", "mode": "precise"}).json()["total"] == 1
    boundary = library.get(rebounded).text.index("二、保障措施")
    holder = _hold_index_lock(home)
    try:
        admins = [threading.Thread(target=library.set_hidden, args=(hidden, True)),
                  threading.Thread(target=library.update, args=(rebounded,), kwargs={"paid_from": boundary})]
        for admin in admins:
            admin.start()   # the catalogue changes at once; the index sync waits for the lock
        deadline = time.monotonic() + 30
        while (not library.get(hidden, include_hidden=True).hidden or library.get(rebounded).paid_from is None) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert library.catalogue.change_count() > library.index.applied   # the index lags
        now_hidden = library.get(hidden, include_hidden=True)
        forbidden = windows(now_hidden.title) | windows(now_hidden.text)
        members = library.get(rebounded)
        forbidden |= windows(members.text[members.paid_from:])
        for doc in library.catalogue.documents():
            if not doc.hidden:
                forbidden -= windows(doc.title) | windows(access.free_view(doc).text)
        assert forbidden
        forbidden = Forbidden(forbidden)
        probes_ = ["红杉乙计划由专班", "专项通知", "按季度调度", "资金由市财政统筹", "保障措施", "青松丙工程资金"]
        found = {}
        for probe in probes_:
            for mode in ("precise", "ranked"):
                for scope in ("doc", "section"):
                    response = client.get("/api/search", params={"q": probe, "mode": mode, "scope": scope})
                    data = response.json()
                    assert not {hidden, rebounded} & {h["id"] for h in data["hits"]}, (probe, mode, scope)
                    if mode == "precise":   # ranked mode may find the third document by some of the words
                        assert data["total"] == 0, (probe, mode, scope, data["hits"])
                    found[(probe, mode, scope)] = leaks(readable(response), forbidden, asked=probe)
            zipped = client.get("/api/download", params={"q": probe, "format": "txt"})
            found[(probe, "zip")] = leaks(readable(zipped), forbidden, asked=probe)
            suggested = client.get("/api/suggest", params={"q": probe[:4]}).json()["suggestions"]
            assert hidden not in [s["id"] for s in suggested]
        similar_ = client.get(f"/api/documents/{other}/similar").json()
        assert similar_["hits"] and hidden not in [h["id"] for h in similar_["hits"]]
        found["similar"] = leaks(readable(client.get(f"/api/documents/{other}/similar")), forbidden)
        assert client.get("/api/suggest", params={"q": "红杉乙计划的专项"}).json()["suggestions"] == []
        assert not {k: v for k, v in found.items() if v}
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        for admin in admins:
            admin.join(timeout=60)
    assert library.index.applied == library.catalogue.change_count()   # the sync went through once the lock was free
    assert client.get("/api/search", params={"q": "青松丙工程资金", "mode": "precise"}).json()["total"] == 0
    assert client.get("/api/search", params={"q": "青松丙工程建设", "mode": "precise"}).json()["total"] == 1
    library.close()


# -- the command line -----------------------------------------------------------------------------


def test_cli_free_output_has_no_members_text(site, secrets_, tmp_path):
    runner = CliRunner(env={"COLUMNS": "100000"})
    home = str(site["home"])
    library = site["library"]
    ids = [r["id"] for r in library.catalogue.summaries()]
    outputs: list[tuple[str, list[str]]] = []

    def run(*args: str) -> str:
        result = runner.invoke(cli_app, [*args, "--home", home])
        assert result.exit_code == 0, (args, result.output)
        return result.output

    for doc_id in ids:
        outputs.append((f"show {doc_id}", [run("show", str(doc_id), "--free"), run("show", str(doc_id), "--free", "--json")]))
        for fmt in ("md", "txt", "docx"):
            target = tmp_path / f"{doc_id}.{fmt}"
            run("export", str(doc_id), "--free", "--format", fmt, "-o", str(target))
            outputs.append((f"export {doc_id} {fmt}", unpacked(target.read_bytes()) if fmt == "docx"
                            else [target.read_text(encoding="utf-8-sig")]))
    for probe in probes(site)[::2]:
        if not probe:
            continue
        bodies = [run("search", probe, "--free"), run("search", probe, "--free", "--json", "--limit", "50"),
                  run("search", probe, "--free", "--scope", "section", "--json"),
                  run("search", probe, "--free", "--mode", "precise", "--json")]
        outputs.append((f"search {probe}", bodies))
        target = tmp_path / "pack.zip"
        packed = runner.invoke(cli_app, ["export", "--query", probe, "--free", "--zip", "--format", "md",
                                         "-o", str(target), "--home", home])
        if packed.exit_code == 0:
            outputs.append((f"export --query {probe}", unpacked(target.read_bytes())))
        else:  # nothing visible matched: a clear refusal, which must not leak either
            assert "没有符合条件的文档" in str(packed.exception)
            outputs.append((f"export --query {probe}", [str(packed.exception)]))
        for body in bodies[1:]:
            data = json.loads(body)
            if probe in "".join(body_markers(site)):
                assert data["total"] == 0, probe
    outputs.append(("list", [run("list", "--free"), run("list", "--free", "--json"), run("stats", "--free", "--json"),
                             run("genres", "--free", "--json")]))
    found = {name: leaks(bodies, secrets_, asked=name) for name, bodies in outputs}
    assert not {k: v[:5] for k, v in found.items() if v}
    # and without --free the members text is there (the check can fail)
    doc_id = next(r["id"] for r in library.catalogue.summaries() if r["title"].startswith("关于做好年度预算"))
    assert site["markers"][0] in run("show", str(doc_id))


# -- the 写作台's JSON routes -----------------------------------------------------------------------


def members_draft_of(library: Library, member) -> int:
    """A draft of the member that quotes the members part of the 预算通知 (the one with markers 0 and 1)."""
    from sucai.drafting import DraftBody, DraftStore, Owner, build_draft

    doc = next(d for d in library.catalogue.documents() if d.title.startswith("关于做好年度预算"))
    start = doc.text.index("按照")
    end = doc.text.index("\n", start)
    draft = build_draft(library, DraftBody.model_validate({"title": "会员的草稿", "genre": doc.genre, "sections": [
        {"heading": "内部测算口径", "paragraphs": [{"text": doc.text[start:end],
                                                   "source": {"doc_id": doc.id, "start": start, "end": end}}]}]}),
                        member=True)
    assert draft.sections[0].paragraphs[0].members
    return DraftStore(library.catalogue).create(Owner(member.user_id, member.username), draft)


def heading_paths(doc: Document) -> list[list[str]]:
    """Heading paths (1–3 levels) asked of the 写作台 that name ``doc``'s members-only headings: each alone, under
    and over each free heading, under the member heading before it, and 存在的问题 under it (none when the members
    part has no headings)."""
    free = [node.heading for node in doc.outline for node in node.walk() if node.heading and node.start < doc.paid_from]
    members = [node.heading for node in doc.outline for node in node.walk() if node.heading and node.start >= doc.paid_from]
    paths = [[heading] for heading in members] + [[a, b] for a, b in zip(members, members[1:])]
    paths += [[up, heading] for up in free for heading in members] + [[heading, up] for up in free for heading in members]
    return paths + [[*free[:1], heading, "存在的问题"] for heading in members]


def drafting_requests(site) -> list[tuple[str, str, dict | None]]:
    """(method, url, JSON body) probing every 写作台 route that is not a GET: probes as topics and headings,
    each 文种, drafts that cite members parts by their offsets in the full text, the member's draft."""
    library: Library = site["library"]
    genres = [""] + sorted({r["genre"] for r in library.catalogue.summaries()})
    out: list[tuple[str, str, dict | None]] = []
    for n, probe in enumerate(probes(site)[::3]):
        genre = genres[n % len(genres)]
        # no 文种 is refused (422 no_genre), and a name of none (bad_genre); one the library lacks searches every 文种
        out.append(("POST", "/api/drafts/outline", {"genre": genre or "请示", "topic": probe}))
        out.append(("POST", "/api/drafts/paragraphs", {"genre": genre, "headings": [probe or "工作", "存在的问题", "总体要求", ""],
                                                       "topic": probe, "limit": 20}))   # "": the openings
        out.append(("POST", "/api/drafts/paragraphs", {"genre": genre, "headings": [
            ["存在的问题", probe or "工作"], [probe or "工作", "存在的问题", "总体要求"]], "limit": 20}))
        out.append(("POST", "/api/drafts/paragraphs", {"genre": genre, "headings": [""], "topic": probe, "limit": 20,
                                                       "closing": True}))   # the closings
    for doc in library.catalogue.documents():
        if doc.paid_from is None:
            continue
        if heading_paths(doc):
            out.append(("POST", "/api/drafts/paragraphs", {"genre": doc.genre, "headings": heading_paths(doc)[:30],
                                                           "limit": 20}))
        source = {"doc_id": doc.id, "start": doc.paid_from, "end": min(doc.chars, doc.paid_from + 40)}
        body = {"title": "草稿", "genre": doc.genre, "sections": [{"heading": "一", "paragraphs": [
            {"text": "自己写的一段", "source": source}]}]}
        out += [("POST", "/api/drafts", body), ("PUT", f"/api/drafts/{site['draft']}", body)]
    out += [("POST", "/api/drafts/rewrite", {"text": "按照口径测算", "mode": "polish"}),
            ("DELETE", f"/api/drafts/{site['draft']}", None)]
    return out


def test_drafting_routes_as_every_non_member(site, secrets_):
    found = {}
    calls = 0
    for who, client in viewers(site).items():
        token = _CSRF.search(client.get("/login", headers={"accept": "text/html"}).text).group(1)
        for method, url, body in drafting_requests(site):
            response = client.request(method, url, json=body, headers={"x-csrf-token": token})
            calls += 1
            leaked = leaks(readable(response), secrets_, asked=url + json.dumps(body, ensure_ascii=False))
            if leaked:
                found[f"{who} {method} {url} {body}"] = leaked[:5]
            if who != "visitor" and url.startswith("/api/drafts/outline"):
                assert response.status_code == 200, response.text   # they do draft, from free parts
        for url in (f"/api/drafts/{site['draft']}", f"/api/drafts/{site['draft']}/download",
                    f"/api/drafts/{site['draft']}/check"):
            expected = (401,) if who == "visitor" else (403, 404)   # not signed in; someone else's draft does not exist
            assert client.get(url).status_code in expected, (who, url)
    assert calls > 100
    assert not found, dict(list(found.items())[:10])
    member = TestClient(site["app"], headers={"authorization": f"Bearer {site['member_token']}"})
    assert site["markers"][0] in member.get(f"/api/drafts/{site['draft']}").text   # the draft does hold them



# ---------------------------------------------------------------- leak 9: what a free line is, from the free text alone

# Free texts (the title line, then the free text before the members part) whose lines are 公文 elements or
# headings — or not — by the lines around them: a 主送机关 under no 版头, a 成文日期 under a finished sentence,
# the entries of a list, 一是… items, an article, a 附件说明's list
PAIR_FREE = {
    "主送": "关于做好秋季防火工作的通知\n各乡镇人民政府：\n",
    "提纲": "关于做好秋季防火工作的通知\n为做好防火工作，现通知如下。\n一、总体要求\n做好防火。\n二、主要任务\n",
    "列表": "关于做好秋季防火工作的通知\n为做好防火工作，现通知如下。\n（一）雷达设备\n",
    "小标题": "关于做好秋季防火工作的通知\n为做好防火工作，现通知如下。\n组织领导\n",
    "一是": "关于做好秋季防火工作的通知\n工作要求如下：一是加强领导；\n",
    "日期": "关于做好秋季防火工作的通知\n请认真贯彻执行。\n2019年1月24日\n",
    "附件": "关于做好秋季防火工作的通知\n请认真贯彻执行。\n附件：1. 防火方案\n",
    "条文": "某县防火条例\n第一章 总则\n第一条 为了规范管理，制定本条例。\n（一）管理\n",
}
# What the members part opens with: a 发文字号, the list going on, a 落款, a sentence closing the text…
PAIR_MEMBERS = ["国发〔2019〕4号\n", "2. 救援方案\n请执行。\n", "三、保障措施\n做好保障。\n", "（二）通信设备\n（三）电源\n",
                "二是强化责任。\n", "2019年1月24日\n", "某某县人民政府\n2019年1月24日\n", "请认真贯彻执行。\n",
                "第二条 本条例适用于全县。\n", "关于印发某某方案的通知\n", "签发人：张三\n", "各科室：\n", "附件\n",
                "抄送：县委办\n", "第二章 附则\n"]


def pair_texts(secret: bool) -> dict[str, str]:
    """Every free text of :data:`PAIR_FREE` with every members part of :data:`PAIR_MEMBERS` (``secret``), or
    with as many characters of "文" in its place, its white space kept (as long, with as many 字); a paragraph of random characters of its own in
    the members part (no two documents near-duplicates), and every second one free text after a ##paidend##."""
    rng = random.Random(9)
    rare = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(60)) for _ in range(len(PAIR_FREE) * len(PAIR_MEMBERS))]
    found = {}
    for i, (name, free) in enumerate(PAIR_FREE.items()):
        for k, members in enumerate(PAIR_MEMBERS):
            part = members if secret else re.sub(r"\S", "文", members)
            after = "##paidend##\n以上事项，请遵照执行。\n" if k % 2 else ""
            found[f"{name}{k:02d}.txt"] = f"{free}##paidbegin##\n{part}{rare[i * len(PAIR_MEMBERS) + k]}。\n{after}"
    return found


def _pair_library(home: Path, secret: bool, make=pair_texts) -> Library:
    source = home.parent / f"{home.name}-src"
    source.mkdir()
    for name, text in make(secret).items():
        (source / name).write_text(text, encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([source], workers=1).counts["ingested"] == len(make(secret))
    return library


def _docx_body(data: bytes) -> bytes:
    """The body of a .docx download (word/document.xml: its text, 版头 and layout), without the parts that carry the
    time it was made."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml")


def _visitor_reads(client: TestClient, ids: list[int]) -> dict:
    """What a visitor gets of each document — the API's document (but when it was added), its page, its .md, .txt
    and .docx downloads (the .docx's 版头 is made of the metadata: a 发文字号 and a 发文机关 a 落款 names), its 提纲 in
    section searches — and the hits of searches for free words."""
    seen = {}
    for doc_id in ids:
        seen[f"document {doc_id}"] = {k: v for k, v in client.get(f"/api/documents/{doc_id}").json().items()
                                      if k != "ingested_at"}
        seen[f"page {doc_id}"] = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", "",
                                        untagged(client.get(f"/documents/{doc_id}").text))
        for fmt in ("md", "txt", "docx"):
            data = client.get(f"/api/documents/{doc_id}/download", params={"format": fmt}).content
            seen[f"{fmt} {doc_id}"] = _docx_body(data) if fmt == "docx" else data
    for probe in ["通知", "各乡镇人民政府", "总体要求", "主要任务", "雷达设备", "组织领导", "加强领导", "防火方案",
                  "2019年1月24日", "总则", "规范管理"]:
        for mode in ("ranked", "precise"):
            for scope in ("doc", "section"):
                for page in (1, 2):
                    data = client.get("/api/search", params={"q": probe, "mode": mode, "scope": scope, "limit": 100,
                                                             "page": page}).json()
                    assert "hits" in data, data
                    data.pop("took_ms", None)
                    seen[f"search {probe} {mode} {scope} {page}"] = data
    return seen


def test_what_a_free_line_is_depends_on_no_members_text(tmp_path, make_home, portal):
    """Leak 9: whether a free line is a 公文 element (a 主送机关, a 成文日期, an 附件说明…) or a heading (an entry
    of a list, an item, a section's title) was decided over the whole text, so by the members part next to it.
    Two libraries that differ only in members-only text (:func:`pair_texts`) give a visitor the same documents,
    pages, downloads and search results; a member's elements and outlines do differ, so the test can fail."""
    one, two = (_pair_library(make_home(tmp_path / name), secret)
                for name, secret in (("with", True), ("without", False)))
    assert _named(one) == _named(two)
    ids = sorted(_named(one).values())
    seen = [_visitor_reads(on_loop(TestClient(create_app(library.settings.home)), portal), ids)
            for library in (one, two)]
    assert seen[0].keys() == seen[1].keys()
    assert sorted(key for key in seen[0] if seen[0][key] != seen[1][key]) == []
    assert all(seen[0][f"document {doc_id}"]["notice"] for doc_id in ids)
    whole = [{doc.id: (doc.elements, doc.outline) for doc in library.catalogue.documents(ids)} for library in (one, two)]
    assert sum(whole[0][doc_id] != whole[1][doc_id] for doc_id in ids) >= len(ids) // 4
    for library in (one, two):
        library.close()


def _tagged(free: str, members: str, after: str = "") -> str:
    """``free`` followed by a members part: ``members`` and 「会员正文。」 to the end, or ``members`` alone and its end
    tag before the free text ``after``, when given."""
    return f"{free}##paidbegin##\n{members}" + (f"##paidend##\n{after}" if after else "会员正文。\n")


def _free_view_of(free: str, members: str, markdown: bool = False, after: str = "") -> dict:
    """The free view (as the API shows it) of :func:`_tagged` through the parse."""
    doc = outline.analyse(clean.clean(_tagged(free, members, after), markdown=markdown), markdown=markdown)
    view = access.free_view(replace(doc, format="md" if markdown else "txt")).to_dict()
    return {k: v for k, v in view.items() if k != "evidence"}


@pytest.mark.parametrize("free, members, twin, markdown", [
    # the 来源 "某某县人民政府" is a 落款's issuer only because a 成文日期 follows it in the members part
    ("关于做好秋季防火工作的通知\n请认真贯彻执行。\n某某县人民政府\n", "2019年1月24日\n", "文文文文文文文文文文\n", False),
    # a title line in the members part takes the title: the visitor loses the free 版头 line "某某县人民政府文件"
    ("某某县人民政府文件\n", "关于印发某某方案的通知\n", "文文文文文文文文文文文\n", False),
    # a markdown document's outline is the whole text's, clipped: the list goes on in the members part
    ("# 标题\n\n为做好工作，现通知如下。\n\n（一）雷达设备\n\n", "（二）通信设备\n\n（三）电源\n\n", "文文文文文文文\n\n文文文文文\n\n", True),
    ("# 标题\n\n工作要求如下：一是加强领导；\n\n", "二是强化责任。\n\n", "文文文文文文文\n\n", True),
    # blank lines opening a members part whose tag ends a line stay in the free text (clean)
    ("关于做好秋季防火工作的通知\n工作要求如下：加强领导。", "\n\n", "", False),
])
def test_derived_fields_left_to_the_whole_text(free, members, twin, markdown):
    """Pairs of members parts (``members`` and ``twin``) after one free text that still give visitors different views."""
    assert _free_view_of(free, members, markdown) == _free_view_of(free, twin, markdown)


# ---------------------------------------------------------------- attack 12: 查重 as an oracle on members text

CHECK_PAIR_DOCS = 30


def check_pair_texts(secret: bool) -> dict[str, str]:
    """Documents of a free part (a title and 80 random Han characters) and a members part: 80 random
    characters of their own, then the free words of the next document (so that whole-text fingerprints
    rank the documents differently); ``secret`` False: other random characters of the same lengths in
    the members part — the free parts, titles and lines are the same."""
    rng = random.Random(12)
    rare = lambda n: "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))  # noqa: E731
    free = [rare(80) for _ in range(CHECK_PAIR_DOCS)]
    members = [rare(80) + "，" + free[(i + 1) % CHECK_PAIR_DOCS][:40] for i in range(CHECK_PAIR_DOCS)]
    others = [rare(len(m)) for m in members]
    return {f"{i:02d}.txt": f"关于第{i + 1}项工作的通知\n{free[i]}。\n##paidbegin##\n{(members if secret else others)[i]}。\n"
            for i in range(CHECK_PAIR_DOCS)}


def check_pair_drafts() -> list[str]:
    """Drafts that include the members texts of :func:`check_pair_texts` (exactly, edited, mixed with free
    text, all at once), the free texts, and the attack's "known text + candidate character" lines."""
    texts = list(check_pair_texts(True).values())
    free = [t.split("\n")[1] for t in texts]
    members = [t.split("\n")[3] for t in texts]
    out = []
    for i in range(0, CHECK_PAIR_DOCS, 4):
        out += [members[i], "".join("某" if n % 9 == 4 else c for n, c in enumerate(members[i])),
                free[i] + "\n" + members[i], free[i][40:] + members[i][:40], free[i]]
        stem = free[i][-16:]
        out.append("\n".join(stem + "。" + c for c in members[i][:1] + "的一是在了不和有大这"))
    out.append("\n".join(members))
    out.append("\n".join(free[::2] + members[1::2]))
    return out


def test_a_visitors_check_depends_on_no_members_text(tmp_path, make_home, portal):
    """Attack 12: a visitor's 查重 aligned the draft with the sources' members parts, hiding only their text,
    so its ratios and spans told whether a guess was members text (a character per check). Two libraries
    that differ only in members-only text give a visitor the same report of every draft — those that
    include the members text too —: the report itself (sources' texts, how many were checked) and the
    API's JSON, HTML report and .docx, and (stop 30) every response of the 写作台 and 查重 a visitor can have
    (:func:`_visitor_drafting_and_check`: the visitor 写作台 page, the /check page and its form, 相似版本) and every
    /api/drafts route as a free user who may draft (:func:`_free_user_drafting`, ``drafting_tier = "user"``: a
    visitor only ever had 403 of them); a member's reports differ, so the test can fail. Every client sends its
    requests through the module's event loop (``portal``), as a server would: thousands of requests, each on a new
    loop and worker thread, opened the app's accounts (and checked their schema) anew for every one."""
    one, two = (_pair_library(make_home(tmp_path / name), secret, check_pair_texts)
                for name, secret in (("with", True), ("without", False)))
    assert _named(one) == _named(two)
    texts = {doc.id: doc.text for doc in one.catalogue.documents()}
    seen = []
    for library in (one, two):
        app = create_app(library.settings.home)
        reports = {}
        for n, draft in enumerate(check_pair_drafts()):
            # an address of its own: within a visitor's 查重 per hour
            client = on_loop(TestClient(app, client=(f"198.51.100.{n + 1}", 1)), portal)
            report = check_text(library, draft, viewer_member=False)
            reports[f"report {n}"] = (report, report.sources_checked)
            reports[f"json {n}"] = client.post("/api/check", json={"text": draft}).json()
            page = client.post("/api/check", params={"format": "html"}, data={"text": draft}).text
            reports[f"html {n}"] = re.sub(r"生成时间：[^<]*", "", page)
            docx = client.post("/api/check", params={"format": "docx"}, json={"text": draft}).content
            xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
            reports[f"docx {n}"] = re.sub("生成时间：[^<]*".encode(), b"", xml)
        reports.update(_visitor_drafting_and_check(lambda n: on_loop(
            TestClient(app, raise_server_exceptions=False, client=(f"198.51.100.{n + 101}", 1)), portal), library))
        Accounts.open(library.settings.home).add_user("免费用户", PASSWORD, "user")
        writer = login(create_app(settings=load_settings(library.settings.home, drafting_tier="user",
                                                          free_checks_per_hour=0)), "免费用户", portal)
        writer.headers.update(csrf_header(writer))
        reports.update({f"free {key}": kept for key, kept in _free_user_drafting(writer, library, texts).items()})
        seen.append(reports)
    assert sorted(key for key in seen[0] if seen[0][key] != seen[1][key]) == []
    assert seen[0]["/drafts"][0] == 200 and 'id="drafting-intro"' in seen[0]["/drafts"][2]
    assert sum("总文字复制比" in seen[0][key][2] for key in seen[0] if key.startswith("/check ")) == len(check_pair_drafts())
    drafting = {key: kept[0] for key, kept in seen[0].items() if key.startswith("free ")}
    assert {status for key, status in drafting.items() if key.startswith("free save")} == {201}
    assert {status for key, status in drafting.items() if not key.startswith("free save")} == {200}
    assert sum(key.startswith("free check") for key in drafting) == 2 * 9 * CHECK_PAIR_DOCS
    assert sum(data["copy_ratio"] > 0 for key, data in seen[0].items() if key.startswith("json")) >= 10
    member = [[check_text(library, draft, viewer_member=True).to_dict() for draft in check_pair_drafts()]
              for library in (one, two)]
    assert sum(a != b for a, b in zip(*member)) >= 10
    for library in (one, two):
        library.close()


_TOKENS = re.compile(r'(name="csrf_token" value="|<meta name="csrf-token" content=")[^"]+')
_STAMPS = re.compile(r'"(created_at|updated_at|saved)":"[^"]*"|生成时间：[^<\n]*')


def _free_user_drafting(client: TestClient, library: Library, texts: dict[int, str]) -> dict:
    """Every /api/drafts route as a logged-in free user (``client``: a session sending its CSRF token) who may draft
    (``drafting_tier = "user"``) — the non-member who reaches them —, asked with bodies that cite each members part
    by its offsets (the part, the whole text, across its start) with the writer's own text, the cited text (of
    ``texts``, each document's whole text in the library with the secret: the same bodies asked of both) and a
    :func:`check_pair_drafts` draft, and probe it as a topic and a heading; each saved draft opened, checked (JSON
    and HTML report) and downloaded (.md, .txt), then the list — as (status, bytes, times of saving and of a report
    aside). Drafts are numbered as they are saved, the same in two libraries asked alike."""
    seen = {}

    def keep(key: str, response) -> None:
        seen[key] = (response.status_code, _STAMPS.sub("", response.text))

    members = [doc for doc in library.catalogue.documents() if doc.paid_from is not None]
    for doc in members:
        probe = texts[doc.id][doc.paid_from:][:12]
        keep(f"outline {doc.id}", client.post("/api/drafts/outline", json={"genre": doc.genre, "topic": probe}))
        keep(f"paragraphs {doc.id}", client.post("/api/drafts/paragraphs", json={"genre": doc.genre, "headings": [probe, ""],
                                                                                 "topic": probe}))
        keep(f"closings {doc.id}", client.post("/api/drafts/paragraphs", json={"genre": doc.genre, "headings": [""],
                                                                               "topic": probe, "closing": True}))
        keep(f"paths {doc.id}", client.post("/api/drafts/paragraphs", json={"genre": doc.genre, "headings": [
            ["存在的问题", probe], [probe, "存在的问题"], [doc.title, probe, "工作"]]}))
        for start, end in ((doc.paid_from, min(doc.chars, doc.paid_from + 40)), (0, doc.chars),
                           (doc.paid_from - 10, doc.paid_from + 10)):
            for n, text in enumerate(("自己写的一段", texts[doc.id][start:end], check_pair_drafts()[0])):
                body = {"title": "草稿", "genre": doc.genre, "sections": [{"heading": probe, "paragraphs": [
                    {"text": text, "source": {"doc_id": doc.id, "start": start, "end": end}}]}]}
                saved = client.post("/api/drafts", json=body)
                key = f"{doc.id} {start}-{end} {n}"
                keep(f"save {key}", saved)
                draft = saved.json()["id"]
                keep(f"put {key}", client.put(f"/api/drafts/{draft}", json=body))
                keep(f"get {key}", client.get(f"/api/drafts/{draft}"))
                for fmt in ("json", "html"):
                    keep(f"check {fmt} {key}", client.get(f"/api/drafts/{draft}/check", params={"format": fmt}))
                for fmt in ("md", "txt"):
                    keep(f"{fmt} {key}", client.get(f"/api/drafts/{draft}/download", params={"format": fmt}))
    keep("list", client.get("/api/drafts"))
    return seen


def _visitor_drafting_and_check(client_of, library: Library) -> dict:
    """Every response a visitor can have of the 写作台 and of 查重 — the pages /drafts and /check (their forms'
    CSRF tokens aside), a 查重 by the page's form of every :func:`check_pair_drafts` draft (the time of the report
    aside) and each document's 相似版本 — as (status, content type, bytes); ``client_of(n)`` a visitor's client
    from an address of their own (within a visitor's 查重 per hour)."""
    client = client_of(0)
    seen = {}

    def keep(key: str, response) -> None:
        body = _TOKENS.sub(r"\1", response.text) if response.headers["content-type"].startswith("text/html") else response.text
        seen[key] = (response.status_code, response.headers["content-type"], re.sub(r"生成时间：[^<]*", "", body))

    for url in ("/drafts", "/check", "/login?next=/drafts", "/register?next=/drafts"):
        keep(url, client.get(url, headers={"accept": "text/html"}))
    for n, draft in enumerate(check_pair_drafts()):
        keep(f"/check {n}", client_of(n + 1).post("/check", data={"text": draft}, headers={"accept": "text/html"}))
    docs = list(library.catalogue.documents())
    for doc in docs:
        keep(f"versions {doc.id}", client.get(f"/api/documents/{doc.id}/versions"))
    return seen


def grouping_texts(secret: bool) -> dict[str, str]:
    """Documents whose grouping into clusters of near-duplicates depended on members-only text (leak 10), the
    members parts of one library (``secret``) and of another differing only there (the same lengths), under a
    free preview of :data:`PREVIEW` characters. Segments are random Han characters (seeded), so that which texts
    are near-duplicates is known: a shared segment of 60 characters is 56 of the 5-character shingles.

    - 孪生: the same free part; the members parts alike (one 3 % edited), or unlike.
    - 链: 甲 (S1 S2) and 丙 (S2 S3) have no members part and are not near-duplicates of each other (Jaccard about
      0.3); 乙 has S1 free and S2 S3 as its members part (near-duplicate of both: one cluster of three), or
      other text (near-duplicate of none).
    - 文号: a 发文字号 in the members part, other than its twin's (numbered apart), or a line as long.
    - 预览: no members tag: all beyond the free preview is members-only; alike or unlike.
    - 公开: two near-duplicates without a members part (short: within the preview), alike in both libraries.
    """
    rng = random.Random(10)

    def segment(n: int) -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))

    def edit(text: str) -> str:   # about 3 % of the characters changed (seeded)
        return "".join("某" if k % 33 == 16 else c for k, c in enumerate(text))

    s1, s2, s3, t1, t2, u1, u2, g = (segment(n) for n in (60, 60, 60, 40, 200, 160, 300, 110))
    other = {n: segment(n) for n in (300, 120, 200)}
    twin = segment(300)
    number, plain_line = "某水发〔2024〕7号", "统筹抓好防汛准备工作"
    assert len(number) == len(plain_line) + 1
    plain_line += "。"
    head = "关于加强安全生产工作的通知\n请认真贯彻落实。\n##paidbegin##\n"
    flood = "关于开展防汛检查的通知\n"
    return {
        "孪生1.txt": head + twin + "\n",
        "孪生2.txt": head + (edit(twin) if secret else other[300]) + "\n",
        "链1甲.txt": f"关于甲项工作的通知\n{s1}{s2}\n",
        "链2乙.txt": f"关于乙项工作的通知\n{s1}\n##paidbegin##\n" + (s2 + s3 if secret else other[120]) + "\n",
        "链3丙.txt": f"关于丙项工作的通知\n{s2}{s3}\n",
        "文号1.txt": f"{flood}{t1}\n##paidbegin##\n" + (number if secret else plain_line) + f"\n{t2}\n",
        "文号2.txt": f"{flood}某水发〔2024〕8号\n{t1}\n{edit(t2)}\n",
        "预览1.txt": f"关于做好森林防火工作的通知\n{u1}{u2}\n",
        "预览2.txt": f"关于做好森林防火工作的通知\n{u1}" + (edit(u2) if secret else other[300]) + "\n",
        "公开1.txt": f"关于公开事项的通知\n{g}\n",
        "公开2.txt": f"关于公开事项的通知\n{edit(g)}\n",
    }


def _grouping_probes() -> list[str]:
    """Words of every document of :func:`grouping_texts`: the first of its second line, the last of its text."""
    texts = grouping_texts(True).values()
    return ["", "通知", "关于", "防汛", *sorted({text.split("\n")[1][:4] for text in texts}),
            *sorted({text.rstrip("\n").rsplit("\n", 1)[-1][-6:] for text in texts})]


def test_how_documents_are_grouped_tells_a_visitor_nothing_of_members_parts(tmp_path, make_home, portal):
    """Leak 10: clusters of near-duplicates were made over whole texts, members-only text and 文号 included, and a
    visitor saw them: a search's total and hits (one per cluster), 另有 N 个相似版本, the versions, similar
    documents, facet counts. Two libraries that differ only in members-only text (:func:`grouping_texts`, the
    same lengths) give a visitor the same answers; grouped over whole texts, the members' clusters differ
    between the two (and so the members' answers do), so the test can fail. A visitor sees the two documents
    without a members part that are near-duplicates as one (公开), and 甲 and 丙 apart."""
    one, two = (_cluster_library(make_home(tmp_path / name), secret, grouping_texts)
                for name, secret in (("with", True), ("without", False)))
    named = _named(one)
    assert named == _named(two)
    assert {n: len(t) for n, t in grouping_texts(True).items()} == {n: len(t) for n, t in grouping_texts(False).items()}
    clusters = [sorted(sorted(d.id for d in members) for members in _clusters_of(library).values())
                for library in (one, two)]
    assert sorted(named[n] for n in ("链1甲.txt", "链2乙.txt", "链3丙.txt")) in clusters[0]
    assert [named["文号1.txt"], named["文号2.txt"]] in clusters[1]
    for pair in ("孪生", "预览"):
        assert [named[f"{pair}1.txt"], named[f"{pair}2.txt"]] in clusters[0]
        assert [named[f"{pair}1.txt"], named[f"{pair}2.txt"]] not in clusters[1]
    ids = sorted(named.values())
    seen, members = [], []
    for library in (one, two):
        app = create_app(library.settings.home)
        seen.append(_visitor_sees(on_loop(TestClient(app), portal), ids, _grouping_probes()))
        Accounts.open(library.settings.home).add_user("会员", PASSWORD, "member",
                                                      site_day(30).isoformat())
        members.append(_visitor_sees(login(app, "会员", portal), ids, _grouping_probes()))
    assert seen[0].keys() == seen[1].keys()
    assert sorted(key for key in seen[0] if seen[0][key] != seen[1][key]) == []
    assert members[0]["search  ranked doc"]["total"] != members[1]["search  ranked doc"]["total"]
    shown = {h["id"]: h["other_versions"] for h in seen[0]["search  ranked doc"]["hits"]}
    public = [named["公开1.txt"], named["公开2.txt"]]
    assert len(shown) == len(ids) - 1 and shown[public[0]] == [public[1]]
    assert [v["id"] for v in seen[0][f"versions {public[1]}"]["versions"]] == public
    for library in (one, two):
        library.close()


def test_the_free_grouping_follows_the_free_preview_and_the_members_boundary(tmp_path, make_home):
    """Which documents have a members part moves with the free preview's setting (documents without a members
    tag) and an admin's boundary: a library opened after the setting changed groups its documents again for
    visitors (so does one from before the free grouping, which has none), and an edited boundary takes a
    document out of the free grouping or into it. The members' clusters stay as they are."""
    home = make_home(tmp_path / "lib")
    library = _cluster_library(home, True, grouping_texts)
    named = _named(library)
    preview, public = [named["预览1.txt"], named["预览2.txt"]], [named["公开1.txt"], named["公开2.txt"]]
    members = library.catalogue.cluster_rows()
    library.close()

    def grouped(expected: list[list[int]]) -> Library:
        reopened = Library.open(home)
        assert reopened.catalogue.cluster_rows() == members
        found = {}
        for row in reopened.catalogue.cluster_rows(free=True):
            found.setdefault(row.cluster_id, []).append(row.doc_id)
        assert sorted(found.values()) == expected
        hits = TestClient(create_app(home)).get("/api/search", params={"q": "通知", "limit": 50}).json()["hits"]
        assert sum(h["id"] in preview for h in hits) == (1 if preview in expected else 2)
        return reopened

    grouped([public]).close()
    settings = home / "sucai.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(f"free_preview_chars = {PREVIEW}",
                                                                     "free_preview_chars = -1"), encoding="utf-8")
    grouped(sorted([preview, public])).close()
    with library.catalogue.transaction() as conn:   # a library from before the free grouping
        conn.execute(meta.delete().where(meta.c.key == "free_grouping"))
        conn.execute(free_clusters.delete())
    reopened = grouped(sorted([preview, public]))
    reopened.update(public[0], paid_from=20)
    assert reopened.clusters.versions(public[1], member=False) == []
    assert {v.id for v in reopened.clusters.versions(public[1], member=True)} == set(public)
    reopened.update(public[0], paid_from=None)
    assert {v.id for v in reopened.clusters.versions(public[1], member=False)} == set(public)
    reopened.close()


# leak 11: each metadata field a visitor sees, from free text whose meaning the members part could change
@pytest.mark.parametrize("free, members", [
    # 成文日期: a date line under a 署名 in the free text, the members part opening with another 落款 line or not
    ("关于做好秋季防火工作的通知\n请认真贯彻执行。\n某某县人民政府\n2019年1月24日\n", "抄送：县委办\n"),
    # 发文字号 and 来源: a 文号 line under the 版头; the members part opens with the title that follows it
    ("某某县人民政府文件\n某政发〔2019〕4号\n", "关于印发某某方案的通知\n"),
    # 文种: a title broken over two lines, the second in the members part
    ("某某县人民政府关于做好秋季防火\n", "工作的通知\n"),
    # 主送机关 and 来源: a salutation line, the members part opening with a 落款
    ("关于做好秋季防火工作的通知\n各乡镇人民政府：\n", "某某县人民政府\n2019年1月24日\n"),
    # title: a free title line, the members part opening with a line that continues a title
    ("关于做好秋季防火\n", "工作的通知\n"),
    # 来源 (try 16): a page's info line in the members part, its 来源 read and removed by the cleaning
    ("关于做好秋季防火工作的通知\n", "发布时间：2025-11-05 来源：某区财政局 作者：张三\n"),
    # 来源 (try 16): the unit a title opens with, the title's year and 文种 in the members part
    ("某县农业农村局\n", "2023年乡村振兴工作总结\n"),
    # 发文字号 (attack 28): a 版头 and 文号 above a title whose second line is the members part's, or not
    ("某某市人民政府文件\n某政发〔2024〕3号\n关于加强安全生产\n", "工作的通知\n"),
    # free text, title and 文号 (sec29): a free 主席令 标志 over a members 令号 made a 令 that kept the 标志 in the
    # body, where over 「文文文文文」 it was the title line — a law promulgated, or an appointment announced
    ("中华人民共和国主席令\n", "第三十一号\n《中华人民共和国某某法》已由中华人民共和国第十四届全国人民代表大会常务委员会"
     "第五次会议于2023年9月1日通过，现予公布，自2024年1月1日起施行。\n中华人民共和国主席　习近平\n2023年9月1日\n"),
    ("中华人民共和国主席令\n", "第五号\n根据中华人民共和国第十四届全国人民代表大会常务委员会第四次会议的决定：任命王某为某某部部长。\n"),
])
def test_visitor_metadata_is_a_function_of_the_free_text(free, members):
    """Leak 11: title, 文种, 文号, date and 来源 of a free view — for one free text, a members part that
    could be read as going on with it and one of as many "文" give the visitor the same view."""
    _assert_twins_seen_alike(free, members)


def _assert_twins_seen_alike(free: str, members: str, after: str = "") -> None:
    """The free views of ``free``, ``members`` (or as many "文") and ``after`` are the same; the whole documents not."""
    twin = re.sub(r"\S", "文", members)
    assert _free_view_of(free, members, after=after) == _free_view_of(free, twin, after=after)
    whole = [outline.analyse(clean.clean(_tagged(free, m, after))) for m in (members, twin)]
    assert any(getattr(whole[0], name) != getattr(whole[1], name) for name in ("title", "genre", "doc_number", "date",
                                                                             "source", "text"))


_NOTICE_BODY = "关于做好秋季防火工作的通知\n各乡镇人民政府：\n为做好秋季防火工作，现通知如下。\n某某县人民政府\n2019年1月24日\n"
_JOINT_DECREE = "现公布《某某条例》，自2005年8月1日起施行。\n国务院总理　温家宝\n中央军委主席　胡锦涛\n2005年6月29日\n"


@pytest.mark.parametrize("free, members, after", [
    # sec29: a 令 whose 令号 is members text names the free rule title under it — the free view took that line for
    # the title, where over 「文文文」 the 标志 was the title line
    ("中华人民共和国交通运输部令\n", "2023年第5号\n", "某某运输管理规定\n第一条　为了规范管理，制定本规定。\n"),
    ("中华人民共和国主席令\n", "第三十一号\n", "《中华人民共和国某某法》已由中华人民共和国第十四届全国人民代表大会常务委员会第五次"
     "会议于2023年9月1日通过，现予公布，自2024年1月1日起施行。\n中华人民共和国主席　习近平\n2023年9月1日\n"),
    # sec30: where the free text starts was chosen over the members lines at the head — a members 版头 made the free
    # 文号 and title lines the head (over 「文文文」 they are the body's), a members 文号 had a free 版头 read (the
    # free title the line under it, not the 版头), a members 标志 closed the title (over 「文文文」 the free 令号 and
    # rule title joined it), a joint 令's 「令」 line sent the free 标志 lines to the head
    ("", "某某县人民政府文件\n", f"某政发〔2019〕4号\n{_NOTICE_BODY}"),
    ("", "某某县人民政府文件\n某政发〔2019〕4号\n", _NOTICE_BODY),
    ("某某县人民政府文件\n", "某政发〔2019〕4号\n", _NOTICE_BODY),
    ("", "中华人民共和国交通运输部令\n", "2023年第5号\n某某运输管理规定\n第一条　为了规范管理，制定本规定。\n"),
    ("", "中华人民共和国交通运输部令\n2023年第5号\n", "某某运输管理规定\n第一条　为了规范管理，制定本规定。\n"),
    ("中华人民共和国国务院\n中华人民共和国中央军事委员会\n", "令\n", f"第438号\n{_JOINT_DECREE}"),
    ("中华人民共和国国务院\n中华人民共和国中央军事委员会\n", "令\n第438号\n", _JOINT_DECREE),
])
def test_a_free_view_with_free_text_after_the_members_part_is_a_function_of_the_free_text(free, members, after):
    """Leak 11 with free text after the members part's end tag."""
    _assert_twins_seen_alike(free, members, after)


def test_a_members_part_above_the_title_is_in_no_free_output(tmp_path, make_home):
    """sec29: a members part wholly above a document's title (a 版头 for members, closed by its end tag) is recorded
    with the lines above the title (a ``before_title`` removal); the body has no members part, so its free view was
    the document itself, cleaning audit and all: ``sucai show --free --json`` printed the members 版头."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "版头.txt").write_text("##paidbegin##\n红杉甲县人民政府文件\n##paidend##\n某政发〔2019〕4号\n"
                                     "关于做好秋季防火工作的通知\n各乡镇人民政府：\n请认真贯彻执行。\n", encoding="utf-8")
    home = make_home(tmp_path / "lib")
    library = Library.open(home)
    assert library.ingest([source], workers=1).counts["ingested"] == 1
    library.close()
    shown = {free: CliRunner().invoke(cli_app, ["show", "1", "--json", "--home", str(home), *free])
             for free in ((), ("--free",))}
    assert all(result.exit_code == 0 and "关于做好秋季防火工作的通知" in result.output for result in shown.values())
    assert "红杉甲" in shown[()].output and "红杉甲" not in shown[("--free",)].output


# Free texts (the title line, then the free text before the members part) and members parts (with a twin of the
# same shape) that made a visitor's metadata, outline or free text differ: a 落款 date, a title line, a title's
# second line, a 落款 after a salutation, blank lines, a markdown list going on (:func:`_metadata_pair_texts`)
METADATA_PAIRS = {
    "落款.txt": ("关于做好秋季防火工作的通知\n请认真贯彻执行。\n某某县人民政府\n", "2019年1月24日\n", None),
    "版头.txt": ("某某县人民政府文件\n", "关于印发某某方案的通知\n", None),
    "文号.txt": ("某某县人民政府文件\n某政发〔2019〕4号\n", "关于印发某某方案的通知\n", None),
    "断题.txt": ("某某县人民政府关于做好秋季防火\n", "工作的通知\n", None),
    "主送.txt": ("关于做好秋季防火工作的通知\n各乡镇人民政府：\n", "某某县人民政府\n2019年1月24日\n", None),
    "空行.txt": ("关于做好秋季防火工作的通知\n工作要求如下：加强领导。", "\n\n文文文\n", "文文文\n\n\n"),
    "列表.md": ("# 通知\n\n为做好工作，现通知如下。\n\n（一）雷达设备\n\n", "（二）通信设备\n\n（三）电源\n\n", None),
    # a member's .docx has a 版头 of a 发文机关 and a 发文字号 one of which only the members part gives: 「青山区科学技术局
    # 文件」 (a free 文号, the 落款 in the members part), 「国务院办公厅文件」 (the issuer in the title, the 文号 not)
    "文号落款.txt": ("关于做好秋季防火工作的通知\n青科发〔2024〕12号\n各乡镇人民政府：\n请认真贯彻执行。\n",
                   "青山区科学技术局\n2024年3月5日\n", None),
    "代字.txt": ("国务院办公厅关于做好秋季防火工作的通知\n", "国办发〔2019〕4号\n各省人民政府：\n", None),
    # a free 主席令 标志 over a members 令号 (sec29): the 标志 the body's first line, or the title line over the twin
    "主席令.txt": ("中华人民共和国主席令\n", "第五号\n根据中华人民共和国第十四届全国人民代表大会常务委员会第四次会议的决定："
                 "任命王某为某某部部长。\n", None),
}
"""File → (free text, members part, its twin: as many "文" on the same lines, white space kept, when None — the whole
text as long, with as many 字)."""


def _metadata_pair_texts(secret: bool) -> dict[str, str]:
    """Each of :data:`METADATA_PAIRS` with its members part (``secret``) or its twin, and a paragraph of random
    characters of its own in the members part (no two documents near-duplicates)."""
    rng = random.Random(11)
    found = {}
    for name, (free, members, twin) in METADATA_PAIRS.items():
        rare = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(60))
        twin = re.sub(r"\S", "文", members) if twin is None else twin
        found[name] = f"{free}##paidbegin##\n{members if secret else twin}{rare}。\n"
    return found


def _visitor_lists(client: TestClient) -> dict:
    """What a visitor gets of the catalogue besides each document: the newest list, the statistics, 文种 counts,
    title suggestions, and searches with every filter a free value gives, with their facets."""
    seen = {"documents": client.get("/api/documents", params={"limit": 100}).json(),
            **{f"documents page {page}": client.get("/api/documents", params={"limit": 3, "page": page}).json()
               for page in (1, 2, 3)},
            "stats": client.get("/api/stats").json(), "genres": client.get("/api/genres").json(),
            "suggest": client.get("/api/suggest", params={"q": "某某县"}).json()}
    for params in ({"genre": "通知"}, {"genre": "其他"}, {"source": "某某县人民政府"}, {"source": "未注明"}, {"year": 2019},
                   {"q": "防火", "sort": "date"}, {"q": "某某县人民政府文件"}, {"q": "某政发"}):
        data = client.get("/api/search", params={**params, "limit": 100}).json()
        data.pop("took_ms", None)
        seen[f"search {params}"] = data
    return seen


def _uncounted(seen):
    """``seen`` without character counts — the document's 字数 (``chars``) and the notice's count of what was
    left out: how long the members part is a visitor is told (as long for a twin, but for a line a title took)."""
    if isinstance(seen, dict):
        return {key: _uncounted(value) for key, value in seen.items() if key != "chars"}
    if isinstance(seen, list):
        return [_uncounted(value) for value in seen]
    if isinstance(seen, bytes):
        seen = seen.decode()
    return re.sub(r"\d+ 字", "N 字", seen) if isinstance(seen, str) else seen


def test_a_visitors_metadata_depends_on_no_members_text(tmp_path, make_home):
    """Leak 11: a visitor's title, 文种, 文号, date and 来源 — of the document, its page and downloads, search hits,
    lists, statistics, facets and filters — and the outline and free text were found over the whole text (a 落款
    because a date followed it in the members part, a title line in the members part…). Two libraries that differ
    only in members-only text give a visitor the same; a member's metadata does differ, so the test can fail."""
    libraries = []
    for name, secret in (("with", True), ("without", False)):
        home = make_home(tmp_path / name)
        source = tmp_path / f"{name}-src"
        source.mkdir()
        for file, text in _metadata_pair_texts(secret).items():
            (source / file).write_text(text, encoding="utf-8")
        library = Library.open(home)
        assert library.ingest([source], workers=1).counts["ingested"] == len(METADATA_PAIRS)
        libraries.append(library)
    assert _named(libraries[0]) == _named(libraries[1])
    ids = sorted(_named(libraries[0]).values())
    seen = []
    for library in libraries:
        client = TestClient(create_app(library.settings.home))
        seen.append(_uncounted({**_visitor_reads(client, ids), **_visitor_lists(client)}))
    assert seen[0].keys() == seen[1].keys()
    assert sorted(key for key in seen[0] if seen[0][key] != seen[1][key]) == []
    whole = [{doc.id: (doc.title, doc.genre, doc.doc_number, doc.date, doc.source) for doc in library.catalogue.documents(ids)}
             for library in libraries]
    assert sum(whole[0][doc_id] != whole[1][doc_id] for doc_id in ids) >= 3
    for library in libraries:
        library.close()


# ---------------------------------------------------------------- attack 13

def _old_library_texts(secret: bool) -> dict[str, str]:
    """Documents whose members part opens with a title line (``secret``) or with a line as long that is none."""
    body = "一、总体要求\n坚持稳中求进工作总基调，统筹推进春季农业生产各项工作。\n二、重点任务\n各地要抓好春耕备耕。\n"
    head = "关于做好春季农业生产工作的通知" if secret else "春季农业生产工作会议材料汇编文"
    return {"春季农业生产.txt": f"免费导语。\n##paidbegin##{head}\n{body}",
            "秋季防火.txt": f"##paidbegin##{head.replace('春季农业生产', '秋季防火')}\n{body}"}


def test_a_document_stored_before_evidence_was_kept_shows_a_visitor_no_whole_text_title(tmp_path, make_home):
    """Attack 13, find 1: a document stored before evidence was kept (evidence ``[]``, what migration 6→7 leaves)
    kept the title and 文种 found over its whole text — a title line in the members part — for a visitor too (the
    document, lists, hits, 文种 facet, type-ahead). Two such libraries that differ only in members-only text give a
    visitor the same metadata; a member's titles do differ."""
    seen, whole = [], []
    for name, secret in (("with", True), ("without", False)):
        home = make_home(tmp_path / name)
        library = _pair_library(home, secret, _old_library_texts)
        with library.catalogue.transaction() as conn:
            conn.execute(documents.update().values(evidence="[]", free_metadata=None))   # as a library from then
            conn.execute(meta.delete().where(meta.c.key == "free_metadata_version"))     # is, when next opened
        library.close()
        library = Library(library.settings)
        ids = sorted(_named(library).values())
        docs = list(library.catalogue.documents(ids))
        assert all(doc.evidence == [] for doc in docs)
        whole.append([(doc.title, doc.genre) for doc in docs])
        seen.append(([{k: v for k, v in access.free_view(doc).to_dict().items()
                      if k not in ("ingested_at", "source_path")} for doc in docs],
                     library.summaries(member=False), library.stats(member=False)))
        library.close()
    assert seen[0] == seen[1]
    assert "关于做好" not in json.dumps(seen[0], ensure_ascii=False, default=str)
    assert whole[0] != whole[1]


def _source_line_texts(secret: bool) -> dict[str, str]:
    """A free 来源 line after a ##paidend##; the members part holds another 来源 line (``secret``) or an advert line
    as long, which cleaning removes too (the same stored text)."""
    line = "（来源：新华网）\n" if secret else "扫码关注本公众号\n"
    return {"秋季防火.txt": f"关于做好秋季防火工作的通知\n请认真贯彻执行。\n##paidbegin##\n{line}会员正文内容若干。\n"
                         "##paidend##\n请认真执行。\n（来源：人民网）\n以上事项，请遵照执行。\n"}


def test_a_source_line_in_the_members_part_leaves_the_free_source_line(tmp_path, make_home):
    """Attack 13, find 2: cleaning kept where the first 来源 line of the whole text stood only, and a visitor got
    a 来源 line only when that one was free — a 来源 line in the members part took the free one after the
    ##paidend## from a visitor (document, hits, 来源 facet and filter, statistics). A visitor's 来源 is the first
    free 来源 line's whatever the members part holds; a member's is the first of the whole text."""
    seen, whole = [], []
    for name, secret in (("with", True), ("without", False)):
        library = _pair_library(make_home(tmp_path / name), secret, _source_line_texts)
        client = TestClient(create_app(library.settings.home))
        ids = sorted(_named(library).values())
        whole.append([doc.source for doc in library.catalogue.documents(ids)])
        found = {f"document {i}": {k: v for k, v in client.get(f"/api/documents/{i}").json().items()
                                   if k not in ("ingested_at", "evidence")} for i in ids}
        for params in ({"q": "防火"}, {"q": "", "source": "人民网"}):
            data = client.get("/api/search", params=params).json()
            data.pop("took_ms", None)
            found[f"search {params}"] = data
        found["stats"] = client.get("/api/stats").json()
        seen.append(found)
        library.close()
    assert seen[0] == seen[1]
    assert seen[0]["search {'q': '', 'source': '人民网'}"]["total"] == 1
    assert whole == [["新华网"], ["人民网"]]


def test_a_free_markdown_headings_depth_is_its_own():
    """Attack 13, find 3: the depth of a free ``#`` heading after the members part was its nesting in the whole
    outline — under a members-only heading or not — in the visitor's outline, .md download and section paths
    (now depth 1: the documents keep no ``#`` count)."""
    free, after = "免费导语。\n\n### 第一部分\n\n免费正文甲。\n\n", "##paidend##\n\n### 第二部分\n\n免费正文乙。\n\n"
    seen = [_free_view_of(free, members + after, markdown=True) for members in ("# 会员标题\n\n", "文文文文\n\n")]
    assert seen[0] == seen[1]


def test_type_ahead_shows_a_visitor_no_metadata_of_a_part_made_members_only_since(home, tmp_path):
    """A server worker that answered 快速查找 keeps its title list: after another worker (or node) made a
    document's body members-only, its suggestions still carried the date and 来源 found in that part — for the
    first lookup after the edit even hours later, since that lookup started the refresh and was answered from
    the old list (attack 14, find 1). A suggestion is read again before it is returned."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "甲.txt").write_text("关于加强甲项工作的通知\n各区人民政府：\n免费正文第一段，说明工作背景。\n国办发〔2023〕5号\n"
                                  "具体要求如下。\n国务院办公厅\n2023年5月1日\n", encoding="utf-8")
    Library.open(home).ingest([source], workers=1)
    client = TestClient(create_app(home))
    [before] = client.get("/api/suggest", params={"q": "关于"}).json()["suggestions"]
    assert (before["date"], before["source"]) == ("2023-05-01", "国务院办公厅")   # free text: shown
    other = Library.open(home)            # another worker's edit
    text = other.catalogue.get(before["id"], preview=False).text
    other.update(before["id"], paid_from=text.index("免费正文") + len("免费正文第一段，说明工作背景。\n"))
    document = client.get(f"/api/documents/{before['id']}").json()
    [after] = client.get("/api/suggest", params={"q": "关于"}).json()["suggestions"]
    assert (after["date"], after["source"]) == (document["date"], document["source"]) == (None, None)


# ---------------------------------------------------------------- attack 23

def test_the_operators_file_names_and_folders_reach_no_one_but_an_admin(tmp_path, make_home):
    """Attack 23: a document's evidence in ``/api/documents/{id}`` listed every candidate of its fields, those the
    file's name and folders gave among them (``内部_张三批示``, a folder's 来源): the operator's source path, which may
    hold private words, for any visitor. A viewer who is no admin is shown a candidate of the file's name, folders or
    metadata only when it is the value they are shown (how that was found); an admin is shown them all."""
    home = make_home(tmp_path / "home")
    folder = tmp_path / "src" / "客户王五机密项目" / "某某县人民政府" / "通知"
    folder.mkdir(parents=True)
    (folder / "内部_张三批示.txt").write_text(
        "某市人民政府关于做好秋季防火工作的通知\n各县区：\n请认真贯彻执行。\n##paidbegin##\n会员正文内容若干。\n", encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([tmp_path / "src"], workers=1).counts["ingested"] == 1
    doc = library.get(1)
    private = ("张三批示", "客户王五", "某某县")
    assert {e.origin for e in doc.evidence if any(word in e.value for word in private)} == {"file_name", "folder"}
    accounts = Accounts.open(home)
    for name, role in (("管理员", "admin"), ("会员", "member"), ("免费用户", "user")):
        accounts.add_user(name, PASSWORD, role, "2099-12-31" if role == "member" else None)
    tokens = {name: accounts.create_token(name, "t") for name in ("管理员", "会员", "免费用户")}
    accounts.close()
    app = create_app(home)
    clients = {"visitor": TestClient(app), **{name: TestClient(app, headers={"authorization": f"Bearer {token}"})
                                              for name, token in tokens.items()}}
    for who, client in clients.items():
        shown = client.get("/api/documents/1").json()
        page = client.get("/documents/1", headers={"accept": "text/html"}).text
        told = [word for word in private if word in json.dumps(shown, ensure_ascii=False) + page]
        assert told == (["张三批示", "某某县"] if who == "管理员" else []), who
        assert shown["title"] == "某市人民政府关于做好秋季防火工作的通知" and shown["genre"] == "通知", who
    library.close()


# ---------------------------------------------------------------- attack 27: a closing (结尾段) by the members part

CLOSING_TOPICS = ["安全生产", "防汛", "春耕", "秸秆禁烧", "森林防火", "环境整治", "招商引资", "乡村振兴", "基层治理",
                  "作风建设", "文明创建", "信访维稳", "河长制", "人居环境", "食品安全", "禁毒"]
# what a members part ends with, before its ##paidend##: a heading, a 落款, an exhortation, a paragraph
CLOSING_MEMBERS = ["\n三、抓好落实\n", "\n某某镇人民政府\n2023年5月6日\n",
                   "\n同志们，让我们团结一心、真抓实干，奋力开创全镇工作新局面！\n", "\n"]


def closing_tails(topic: str) -> list[str]:
    """The free texts after a members part of :func:`closing_pair_texts`: one paragraph, two, an exhortation, a 落款
    alone — whose closings are their last paragraphs, the 落款's none."""
    measure = f"各单位要把{topic}工作摆上重要议事日程，明确责任分工，确保各项任务落到实处。\n"
    return [measure, measure + f"以上是对今年{topic}工作的几点意见，请结合实际认真抓好贯彻落实。\n",
            f"同志们，{topic}工作任务艰巨、使命光荣。让我们以更加务实的作风，扎实做好各项工作！\n",
            f"某某镇{topic}工作领导小组\n2023年5月6日\n"]


def closing_pair_texts(secret: bool) -> dict[str, str]:
    """Speeches of a free opening and heading of two paragraphs, a members part — random characters of its own (no
    two documents near-duplicates) then each ending of :data:`CLOSING_MEMBERS` (``secret``), or as many characters of
    "文" in its place, its white space kept —, and free text after a ##paidend##, each with each
    (:func:`closing_tails`)."""
    rng = random.Random(27)
    found = {}
    for n, topic in enumerate(CLOSING_TOPICS):
        members = CLOSING_MEMBERS[n % 4]
        members = members if secret else re.sub(r"\S", "文", members)
        rare = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(60))
        found[f"{n:02d}.txt"] = (f"在全镇{topic}工作会议上的讲话\n同志们：今天召开全镇{topic}工作会议，主要任务是部署今年的"
                                 f"{topic}工作。\n一、提高认识\n{topic}工作事关全局，各村各单位要高度重视。\n"
                                 f"各村各单位要切实把{topic}各项任务抓紧抓实，确保取得实效。\n"
                                 f"##paidbegin##\n二、压实责任\n{rare}。{members}"
                                 f"##paidend##\n{closing_tails(topic)[n // 4]}")
    return found


def test_a_visitors_closings_depend_on_no_members_text(tmp_path, make_home, portal):
    """Attack 27: a closing (结尾段) was found in the whole document, then given to a non-member only when it stood in
    free text — so whether a speech's free text after its members part gave one told whether the members part held
    a 落款 or an exhortation (either made it none). Two libraries that differ only in members-only text
    (:func:`closing_pair_texts`) give a free user who may draft the same openings and closings: the last paragraph
    of each free text after a members part (hand-checked), none of a 落款 alone (not the free text's before the
    members part either); a member's closings differ (the exhortations of the members parts), so the test can fail."""
    seen = []
    for name, secret in (("with", True), ("without", False)):
        library = _pair_library(make_home(tmp_path / name), secret, closing_pair_texts)
        home = library.settings.home
        accounts = Accounts.open(home)
        accounts.add_user("免费用户", PASSWORD, "user")
        accounts.add_user("会员", PASSWORD, "member", site_day(30).isoformat())
        accounts.close()
        app = create_app(settings=load_settings(home, drafting_tier="user"))
        answers = {}
        for who in ("免费用户", "会员"):
            client = login(app, who, portal)
            client.headers.update(csrf_header(client))
            for closing in (False, True):
                response = client.post("/api/drafts/paragraphs", json={"genre": "讲话稿", "headings": [""], "limit": 20,
                                                                      "topic": "全镇 工作会议", "closing": closing})
                assert response.status_code == 200, response.text
                answers[who, closing] = response.json()["candidates"]
        seen.append(answers)
        library.close()
    assert seen[0]["免费用户", True] == seen[1]["免费用户", True]
    assert seen[0]["免费用户", False] == seen[1]["免费用户", False]
    expected = {closing_tails(topic)[n // 4].splitlines()[-1] for n, topic in enumerate(CLOSING_TOPICS) if n < 12}
    assert {c["text"] for c in seen[0]["免费用户", True]} == expected
    assert {c["place"] for c in seen[0]["免费用户", True]} == {"结尾"}
    assert seen[0]["会员", True] != seen[1]["会员", True]


def _info_line_pages(secret: bool) -> dict[str, str]:
    """A scraped page whose article ends, past the free preview (:data:`PREVIEW`), with its info line: the members
    part's 来源 and date (``secret``), or other ones of as many characters — cleaning removes either line."""
    info = "发布时间：2023-05-06　来源：红杉甲秘密办公室" if secret else "发布时间：2021-02-03　来源：某某县人民政府办"
    article = "".join(f"<p>第{n}条。为做好年度考核工作，高度重视，认真组织，确保考核工作顺利开展，按时完成各项任务。</p>"
                      for n in range(1, 7))
    return {"考核.html": f"<html><head><title>关于开展年度考核工作的通知</title></head><body><div class='article'>"
                        f"<h1>关于开展年度考核工作的通知</h1>{article}<p>{info}</p></div></body></html>"}


def test_an_info_line_past_the_free_preview_is_no_page_metadata(tmp_path, make_home):
    """Attack 30: a page's info line was read as page metadata wherever it stood, also in the article past the free
    preview, so a visitor got the 来源 and date of members text (document, hits, facets, statistics). Two libraries
    that differ only in that line's values show a visitor the same; a member gets the line's 来源 and date."""
    seen, whole = [], []
    for name, secret in (("with", True), ("without", False)):
        library = _cluster_library(make_home(tmp_path / name), secret, _info_line_pages)
        client = TestClient(create_app(library.settings.home))
        [doc] = library.catalogue.documents()
        whole.append((doc.source, doc.date))
        found = {"document": {k: v for k, v in client.get(f"/api/documents/{doc.id}").json().items()
                              if k != "ingested_at"}, "stats": client.get("/api/stats").json()}
        for params in ({"q": "年度考核"}, {"q": "", "year": 2023}, {"q": "", "year": 2021}):
            data = client.get("/api/search", params=params).json()
            data.pop("took_ms", None)
            found[f"search {params}"] = data
        seen.append(found)
        library.close()
    assert seen[0] == seen[1]
    assert (seen[0]["document"]["source"], seen[0]["document"]["date"]) == (None, None)
    assert whole == [("红杉甲秘密办公室", "2023-05-06"), ("某某县人民政府办", "2021-02-03")]
