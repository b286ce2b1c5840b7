"""Issue 11, written as attacks on the web app: each test replays what an attacker (or a careless
admin) did to sucai 0.1, and asserts the attack no longer works.

#4 sessions that outlive logout, password and role changes; #7 API tokens managing tokens and
accounts; #8 cross-site downloads spending a member's quota; #9 X-Forwarded-For believed from
anyone; #10 huge integers → 500, look-alike names and unlimited sign-ups, responses cached
for signed-in users, stale type-ahead titles in other workers.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import anyio
import feedparser
import httpx
import pytest
from fastapi.testclient import TestClient
from click.testing import CliRunner

from sucai.analytics import Analytics
from sucai.cli import app as cli_app
from sucai.collections import Collections
from sucai.config import load_settings
from sucai.library import Library
from sucai.suggest import TitleIndex
from sucai.web import api, create_app, drafting
from sucai.web.deps import verify_csrf_or_token
from test_web_accounts import (NEXT_YEAR, PASSWORD, accounts, app, client, csrf_of, fill, free_text,  # noqa: F401
                               home, library, logged_in, login, make_app, routes_of)

HUGE = "99999999999999999999"


def member_client(app, accounts, name: str) -> TestClient:
    if name not in [u.username for u in accounts.users()]:
        accounts.add_user(name, PASSWORD, "member", NEXT_YEAR)
    return logged_in(app, name)


def post_form(client: TestClient, path: str, data: dict, page: str = "/account", **kw):
    return client.post(path, data={**data, "csrf_token": csrf_of(client, page)}, **kw)


# -- #4 sessions ------------------------------------------------------------------------------------


def test_replaying_the_cookie_after_logout_reads_nothing(app, library, accounts):
    client = member_client(app, accounts, "重放会员")
    assert client.get("/api/documents/1").json()["text"] == library.get(1).text
    stolen = client.cookies.get("sucai_session")
    assert post_form(client, "/logout", {}, "/", follow_redirects=False).status_code == 303
    replay = TestClient(app, raise_server_exceptions=False)
    replay.cookies.set("sucai_session", stolen)
    assert replay.get("/api/me").json()["role"] == "visitor"
    assert replay.get("/api/documents/1").json()["text"] == free_text(library)
    assert "会员可见全文" in replay.get("/api/documents/1/download", params={"format": "txt"}).text


def test_a_password_change_ends_the_other_sessions(app, accounts, home):
    here = member_client(app, accounts, "改密会员")
    elsewhere = logged_in(app, "改密会员")          # e.g. a stolen or forgotten login on another machine
    changed = post_form(here, "/account/password", {"old_password": PASSWORD, "new_password": "new-password-22",
                                                    "new_password2": "new-password-22"})
    assert changed.status_code == 200 and "密码已修改" in changed.text
    assert here.get("/api/me").json()["username"] == "改密会员"      # this browser goes on, with a new session
    assert elsewhere.get("/api/me").json()["role"] == "visitor"
    result = CliRunner().invoke(cli_app, ["user", "passwd", "改密会员", "--password", PASSWORD, "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert here.get("/api/me").json()["role"] == "visitor"          # sucai user passwd ends them all


def test_role_change_and_removal_end_sessions(app, accounts):
    admin = member_client(app, accounts, "二号管理员")
    accounts.set_role("二号管理员", "admin")
    admin = logged_in(app, "二号管理员")
    assert admin.get("/admin").status_code == 200
    accounts.set_role("二号管理员", "user")
    assert admin.get("/api/me").json()["role"] == "visitor" and admin.get("/admin").status_code == 401   # no longer signed in
    user = logged_in(app, "二号管理员")
    accounts.remove_user("二号管理员")
    accounts.add_user("二号管理员", PASSWORD, "admin")                   # the same name, a new account
    assert user.get("/api/me").json()["role"] == "visitor"


def test_sessions_expire_on_the_server_whatever_the_cookie_says(home):
    clock = {"now": datetime.now(timezone.utc)}
    settings = load_settings(home, session_idle_hours=1, session_max_age_days=1)
    app = create_app(settings=settings, now=lambda: clock["now"])
    accounts = app.state.accounts
    if "钟表会员" not in [u.username for u in accounts.users()]:
        accounts.add_user("钟表会员", PASSWORD, "member", NEXT_YEAR)
    with TestClient(app, raise_server_exceptions=False) as idle:
        busy = logged_in(app, "钟表会员")
        assert login(idle, "钟表会员").status_code == 303
        for _ in range(24):                                          # used every 59 minutes: 23.6 hours
            clock["now"] += timedelta(minutes=59)
            assert busy.get("/api/me").json()["username"] == "钟表会员"
        assert idle.get("/api/me").json()["role"] == "visitor"       # the cookie is still valid: the session is not
        clock["now"] += timedelta(minutes=59)                        # 24.6 hours after the login
        assert busy.get("/api/me").json()["role"] == "visitor"


# -- #7 API tokens --------------------------------------------------------------------------------------


def test_a_token_cannot_manage_tokens_accounts_or_anything_admin(app, accounts):
    if "令牌管理员" not in [u.username for u in accounts.users()]:
        accounts.add_user("令牌管理员", PASSWORD, "admin")
    secret = accounts.create_token("令牌管理员", "泄露的令牌")
    script = TestClient(app, raise_server_exceptions=False, headers={"authorization": f"Bearer {secret}"})
    assert script.get("/api/me").json()["admin"] is True             # it still reads the API
    users, tokens = len(accounts.users()), len(accounts.tokens("令牌管理员"))
    # POST routes that only read (their question is a JSON body) answer a token; each is listed here on purpose
    reading = {path for path, _, dependant in _endpoints(app)
               if any(sub.call is verify_csrf_or_token for sub in dependant.dependencies)}
    assert reading == {"/api/drafts/outline", "/api/drafts/paragraphs"}
    for path, methods in routes_of(app):
        if path in ("/check", "/api/check"):   # 查重 answers a token (a script's check spends its own quota)
            assert script.post(path, json={"text": "推进基层减负。"}).status_code == 200, path
            continue
        if "POST" in methods and path in reading:
            assert script.post(path, json={"genre": "通知", "headings": ["总体要求"]}).status_code == 200, path
            continue
        if "POST" in methods:
            response = script.post(fill(path), data={"name": "新令牌", "username": "入侵者", "password": PASSWORD,
                                                     "role": "admin", "old_password": PASSWORD,
                                                     "new_password": "x" * 12, "new_password2": "x" * 12},
                                   files={"files": ("a.txt", "标题\n正文".encode(), "text/plain")}
                                   if path == "/admin/upload" else None)
        elif path.startswith("/admin"):
            response = script.get(fill(path))
        else:
            continue
        assert response.status_code == 403, (path, response.status_code)
        assert response.json()["code"] == "token_not_allowed", (path, response.json())
    assert len(accounts.users()) == users and len(accounts.tokens("令牌管理员")) == tokens
    accounts.revoke_token(secret.split("_")[1])
    assert script.get("/api/me").status_code == 401   # the revoked token is no credential


# -- #8 cross-site downloads ----------------------------------------------------------------------------


CROSS_SITE = [{"sec-fetch-site": "cross-site", "sec-fetch-dest": "image"},
              {"sec-fetch-site": "same-site"},
              {"origin": "https://evil.example"},
              {"referer": "https://evil.example/page.html"}]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_another_site_cannot_spend_a_members_quota(app, accounts, headers):
    member = member_client(app, accounts, "配额会员")
    viewer = accounts.viewer("配额会员")
    before = accounts.used_today(viewer, "download")
    one = member.get("/api/documents/1/download", params={"format": "txt"}, headers=headers)
    many = member.get("/api/download", params={"ids": "1,2,3"}, headers=headers)
    for refused in (one, many):
        assert refused.status_code == 403 and refused.json()["code"] == "cross_site"
    assert accounts.used_today(viewer, "download") == before


def test_our_own_pages_scripts_and_visitors_still_download(app, accounts, library):
    member = member_client(app, accounts, "本站会员")
    viewer = accounts.viewer("本站会员")
    before = accounts.used_today(viewer, "download")
    page = member.get("/documents/1", headers={"accept": "text/html"}).text
    link = re.search(r'href="(/api/documents/1/download\?format=txt)"', page).group(1)
    own = member.get(link, headers={"sec-fetch-site": "same-origin", "sec-fetch-dest": "document",
                                    "referer": "http://testserver/documents/1"})
    typed = member.get(link, headers={"sec-fetch-site": "none"})    # typed into the address bar
    assert own.status_code == typed.status_code == 200 and library.get(1).text.strip()[-20:] in own.text
    assert accounts.used_today(viewer, "download") == before + 2
    secret = accounts.create_token("本站会员", "脚本")
    script = TestClient(app, headers={"authorization": f"Bearer {secret}", "sec-fetch-site": "cross-site"})
    assert script.get(link).status_code == 200
    visitor = TestClient(app)
    assert visitor.get(link, headers={"sec-fetch-site": "cross-site"}).status_code == 200   # free part, no quota


# -- #9 X-Forwarded-For ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _failed_logins(base: str, forwarded: list[str]) -> list[int]:
    """Wrong-password logins from this machine, each claiming another X-Forwarded-For; the status of each."""
    statuses = []
    for n, claimed in enumerate(forwarded):
        with httpx.Client(base_url=base, timeout=30) as browser:
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)
            response = browser.post("/login", headers={"x-forwarded-for": claimed},
                                    data={"username": f"不存在的人{n}", "password": "wrong-password", "csrf_token": token})
            statuses.append(response.status_code)
    return statuses


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_ip_lockout(home):
    """``sucai serve`` (uvicorn) on loopback: a client rotating X-Forwarded-For is still one address."""
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("login_ip_max_failures = 3\n")   # five unknown names from one address: a spray
    port = _free_port()
    env = {**os.environ, "SUCAI_HOME": str(home)}
    server = subprocess.Popen([sys.executable, "-m", "sucai", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.2)
        statuses = _failed_logins(base, [f"203.0.113.{n}" for n in range(1, 6)])
    finally:
        server.terminate()
        server.wait(30)
    assert statuses == [401, 401, 401, 429, 429]
    from sucai.accounts import Accounts
    failures = Accounts.open(home).audit_log(10, event="login_failed")
    assert {e["source_ip"] for e in failures} == {"127.0.0.1"}


def test_trusted_proxies_are_believed_and_only_they(home):
    app = make_app(home, trusted_proxies="127.0.0.1, 10.0.0.0/8")
    for peer, expected in (("10.1.2.3", "198.51.100.7"), ("127.0.0.1", "198.51.100.7"), ("192.0.2.50", "192.0.2.50")):
        with TestClient(app, raise_server_exceptions=False, client=(peer, 40000)) as client:
            token = csrf_of(client)
            client.post("/login", headers={"x-forwarded-for": "198.51.100.7"},
                        data={"username": f"无此人{peer}", "password": "wrong-password", "csrf_token": token})
        assert app.state.accounts.audit_log(1, event="login_failed")[0]["source_ip"] == expected, peer


def test_a_trusted_proxys_https_is_https_whatever_its_case(home):
    """fix24: behind a trusted proxy, ``X-Forwarded-Proto: HTTPS`` left the request plain HTTP (uvicorn takes only
    lower case): the session cookie came without ``Secure``. The scheme is case-insensitive (RFC 3986 §3.1); an
    untrusted peer's header is believed in no case. fix25: a chain of proxies sends a list, each adding its own
    after those it got (``https, http``: the client came over HTTPS to the first), or the list on several lines
    (RFC 9110 §5.3): the first entry is the client's; uvicorn read a list as no scheme at all."""
    app = make_app(home, trusted_proxies="10.0.0.0/8")
    for peer, protos, secure in (
            ("10.1.2.3", ["HTTPS"], True), ("10.1.2.3", ["Https"], True), ("10.1.2.3", ["https"], True),
            ("10.1.2.3", ["HTTP"], False), ("192.0.2.50", ["HTTPS"], False),
            ("10.1.2.3", ["https, http"], True), ("10.1.2.3", ["HTTPS,http,http"], True),
            ("10.1.2.3", ["http, https"], False), ("10.1.2.3", ["https", "http"], True),
            ("10.1.2.3", ["http", "https"], False), ("192.0.2.50", ["https, http"], False)):
        forwarded = httpx.Headers([("x-forwarded-proto", proto) for proto in protos])
        with TestClient(app, client=(peer, 40000), headers=forwarded) as client:
            cookie = client.get("/account", headers={"accept": "text/html"}).headers["set-cookie"].lower()
            feed = client.get("/feeds/updates.atom").text
        assert ("; secure" in cookie, "<id>https://testserver/" in feed) == (secure, secure), (peer, protos)


@pytest.mark.parametrize("site_url, site", [("", "http://elsewhere.example"),
                                            ("https://sucai.example.cn/", "https://sucai.example.cn")])
def test_report_and_feed_links_start_with_site_url_else_the_requests_address(home, library, site_url, site):
    """Fix 30: the links of a 查重 report file, of the feeds and of a saved search's feed address were built from the
    request's ``Host`` header alone — a site behind a proxy that rewrites it, or a request naming another host, handed
    out links to that host. With ``site_url`` set they start with it whatever the ``Host``; unset, with the address
    the request came to, as before."""
    app = make_app(home, site_url=site_url)
    host = {"host": "elsewhere.example"}
    checker = TestClient(app, client=("192.0.2.30", 40000))   # an address of its own: the hour of 查重 is per address
    report = checker.post("/api/check", params={"format": "html"}, json={"text": free_text(library)[:400]}, headers=host)
    links = re.findall(r'<a href="([^"]+)"', report.text)
    assert report.status_code == 200 and links and all(re.fullmatch(f"{site}/documents/\\d+", l) for l in links), links
    feed = feedparser.parse(TestClient(app).get("/feeds/updates.atom", params={"genre": "通知"}, headers=host).content)
    assert {(link.rel, link.href) for link in feed.feed.links} == {
        ("self", f"{site}/feeds/updates.atom?genre=%E9%80%9A%E7%9F%A5"), ("alternate", f"{site}/")}
    entries = [entry.link for entry in feed.entries]
    assert entries and all(re.fullmatch(f"{site}/documents/\\d+", link) for link in entries), entries
    member = logged_in(app, "会员甲")
    saved = Collections(app.state.accounts).save_search(app.state.accounts.viewer("会员甲"), f"链接{len(site)}",
                                                        {"q": "通知"})
    page = post_form(member, f"/saved/{saved.id}/feed", {}, page="/saved", headers=host).text
    [address] = re.findall(r'https?://[^"<\s]*/feeds/saved/[^"<\s]+\.atom', page)
    assert address.startswith(f"{site}/feeds/saved/sf_"), address
    own = feedparser.parse(TestClient(app).get(address.removeprefix(site), headers=host).content)
    assert {(link.rel, link.href) for link in own.feed.links} == {("self", address), ("alternate", f"{site}/")}


@pytest.mark.parametrize("off, own", [("/static", "/static/app.css"), ("/static/app.css/", "/static/app.css"),
                                       ("/search/", "/search"),
                                       ("/documents/1/", "/documents/1"), ("/api/me/", "/api/me"), ("/docs/", "/docs")])
def test_a_path_one_slash_off_sends_nobody_to_the_host_the_request_names(app, off, own):
    """sec28: Starlette answered a path one slash off a route's (``/static``, ``/search/``) with 307 to ``http://`` and
    the request's ``Host`` header: a header the client chooses picked where a visitor was sent (a cache or proxy
    keeping that answer sent every visitor there), and over http behind an HTTPS proxy. It is the 404 of any unknown
    address, in Chinese; the route's own address answers as before."""
    visitor = TestClient(app, raise_server_exceptions=False)
    answer = visitor.get(off, headers={"host": "elsewhere.example"}, follow_redirects=False)
    assert (answer.status_code, answer.headers.get("location"), answer.json()["code"]) == (404, None, "not_found")
    assert visitor.get(own, follow_redirects=False).status_code == 200


def test_trusted_proxies_setting_is_checked(home):
    from sucai.config import load_settings
    from sucai.errors import InvalidInput

    assert load_settings(home).trusted_proxies == ""               # nobody is trusted by default
    with pytest.raises(InvalidInput) as refused:
        load_settings(home, trusted_proxies="127.0.0.1， localhost")   # the entry named, not ipaddress's English
    assert refused.value.code == "bad_settings"
    assert refused.value.message == ("设置 trusted_proxies 应为逗号分隔的 IP 地址或网段（如 127.0.0.1, 10.0.0.0/8），"
                                     "而不是 'localhost'")


# -- #10 integers, look-alikes, sign-up limits, caching, stale titles ------------------------------------


def _endpoints(app):
    """(path, methods, dependant) of every route, also inside included routers (FastAPI ≥ 0.16x); the path
    without its convertors (``{doc_id}``, not ``{doc_id:int}``)."""
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for ctx in contexts() if contexts else [route]:
            if getattr(ctx, "dependant", None) is not None:
                yield ctx.path_format, set(ctx.methods or ()), ctx.dependant


def _int_params(dependant, kind: str) -> list[str]:
    """The names of the integer parameters of ``kind`` ("path_params" / "query_params"), dependencies included."""
    found = [p.name for p in getattr(dependant, kind) if p.field_info.annotation in (int, int | None)]
    return found + [name for sub in dependant.dependencies for name in _int_params(sub, kind)]


def test_huge_and_negative_integers_never_reach_the_database(app, accounts):
    admin = logged_in(app, "管理员")
    token = csrf_of(admin, "/admin")
    checked = 0
    for path, methods, dependant in _endpoints(app):
        if path.startswith(("/docs", "/redoc")):
            continue
        targets = [fill(path.replace(f"{{{name}}}", value))
                   for name in _int_params(dependant, "path_params") for value in (HUGE, "-1")]
        targets += [f"{fill(path)}?{name}={value}" for name in _int_params(dependant, "query_params")
                    for value in (HUGE, "-1")]
        for target in targets:
            if "GET" in methods:
                response = admin.get(target)
            else:   # POST, and the 写作台's PUT and DELETE
                response = admin.request(sorted(methods)[0], target, data={"csrf_token": token, "title": "改",
                                                                           "genre": "改", "role": "user", "until": ""})
            assert response.status_code in (404, 422), (target, response.status_code)
            body = response.json()
            assert body["ok"] is False and body["status"] == response.status_code and body["code"], target
            checked += 1
    for ids in (HUGE, f"1,{HUGE}", "-5", "1," + "9" * 5000):
        response = admin.get("/api/download", params={"ids": ids})
        assert response.status_code == 422 and response.json()["code"] == "invalid_input", ids
    assert checked >= 20


@pytest.mark.parametrize("look_alike", ["аdmin", "ADMİN", "admiń", "ａｄｍｉｎ"])
def test_look_alike_names_cannot_register(app, accounts, look_alike):
    if "admin" not in [u.username for u in accounts.users()]:
        accounts.add_user("admin", PASSWORD, "admin")
    client = TestClient(app, raise_server_exceptions=False, client=(f"198.51.100.{len(look_alike) * 7}", 1))
    response = post_form(client, "/register", {"username": look_alike, "password": PASSWORD, "password2": PASSWORD},
                         "/register")
    assert response.status_code == 422 and "过于相似" in response.text
    assert look_alike not in [u.username for u in accounts.users()]


def test_sign_ups_from_one_address_are_limited(home):
    app = make_app(home, registration_max_per_hour=2)
    with TestClient(app, raise_server_exceptions=False, client=("198.51.100.200", 1)) as client:
        for n in range(2):
            response = post_form(client, "/register", {"username": f"批量注册{n}", "password": PASSWORD,
                                                       "password2": PASSWORD}, "/register", follow_redirects=False)
            assert response.status_code == 303
            client.cookies.clear()
        third = post_form(client, "/register", {"username": "批量注册2", "password": PASSWORD,
                                                "password2": PASSWORD}, "/register")
        assert third.status_code == 429 and "注册过于频繁" in third.text and int(third.headers["retry-after"]) > 0
    with TestClient(app, raise_server_exceptions=False, client=("198.51.100.201", 1)) as other:
        assert post_form(other, "/register", {"username": "批量注册3", "password": PASSWORD, "password2": PASSWORD},
                         "/register", follow_redirects=False).status_code == 303


def test_accounts_made_one_after_another_share_their_addresss_hour(home, library):
    """Attack 23: sign-up is free, and a free user's 查重 and 打包下载 of the hour were counted per account only: a
    visitor who had spent the address's hour registered and had the hour again, as often as sign-ups allow. A free
    user's are counted by account and by address: the new account is refused on the spent address (429 in Chinese,
    Retry-After), and has its own hour elsewhere: once, then refused on a third address by its account's count."""
    app = make_app(home, free_checks_per_hour=1, free_batch_downloads_per_hour=1)
    draft = {"text": free_text(library)}
    signup = {"username": "循环注册", "password": PASSWORD, "password2": PASSWORD}
    with TestClient(app, raise_server_exceptions=False, client=("198.51.100.210", 1)) as here:
        assert here.post("/api/check", json=draft).status_code == here.get("/api/download?ids=1").status_code == 200
        assert post_form(here, "/register", signup, "/register", follow_redirects=False).status_code == 303
        csrf = {"x-csrf-token": csrf_of(here, "/account")}
        check, zipped = here.post("/api/check", json=draft, headers=csrf), here.get("/api/download?ids=1")
        assert (check.json()["code"], zipped.json()["code"]) == ("too_many_checks", "too_many_downloads")
        assert "查重过于频繁" in check.json()["error"] and int(check.headers["retry-after"]) > 0
        assert "打包下载过于频繁" in zipped.json()["error"] and int(zipped.headers["retry-after"]) > 0
        cookies = dict(here.cookies)
    elsewhere = [TestClient(app, raise_server_exceptions=False, client=(f"198.51.100.{n}", 1), cookies=cookies)
                 for n in (211, 212)]
    csrf = {"x-csrf-token": csrf_of(elsewhere[0], "/account")}
    drafts = ({"text": draft["text"] + "（一稿）"}, {"text": draft["text"] + "（二稿）"})   # a repeat is not charged (fix26)
    assert [there.post("/api/check", json=text, headers=csrf).status_code
            for there, text in zip(elsewhere, drafts)] == [200, 429]
    assert [there.get("/api/download?ids=1").status_code for there in elsewhere] == [200, 429]
    app.state.recorder.close()   # its download of document 1 written now, not into a later test's counts (a client
    # outside `with` never ends the app: its writer wrote it up to a second later, during the HEAD test's on PostgreSQL)


def test_api_and_download_answers_are_not_cached(app, accounts):
    member = member_client(app, accounts, "缓存会员")
    for path in ("/api/documents/1", "/api/me", "/api/search?q=基层", "/api/documents/1/download?format=md",
                 "/api/download?ids=1", "/api/documents/99999"):
        response = member.get(path)
        assert response.headers.get("cache-control") == "no-store", path


def test_static_files_are_kept_at_their_versions_address_and_asked_again_at_any_other(app, accounts):
    """user26: the pages' CSS and scripts were sent without Cache-Control: a browser guesses how long such a file stays
    fresh (a tenth of its age: days for one installed weeks ago), so after an upgrade it kept the old drafting.js
    against the new API, and just after one asked again at every page — a second round trip per page, 2 s each on a
    slow phone connection. The pages name each file with its content's version (the first 12 hex digits of its
    SHA-256); there it is kept a year without asking (immutable), at any other address it is asked again."""
    import hashlib
    from importlib import resources

    member = member_client(app, accounts, "缓存读者")
    visitor = TestClient(app, raise_server_exceptions=False)
    named = re.findall(r'(?:href|src)="/static/([^"?]+)\?v=([0-9a-f]+)"', visitor.get("/").text + member.get("/drafts").text)
    assert {name for name, _ in named} == {"favicon.svg", "app.css", "app.js", "drafting.css", "drafting.js"}
    for name, version in named:
        content = resources.files("sucai.web").joinpath("static", name).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12], name
        kept = visitor.get(f"/static/{name}?v={version}")
        assert kept.status_code == 200 and kept.content == content, name
        assert kept.headers["cache-control"] == "public, max-age=31536000, immutable", name
        unchanged = visitor.get(f"/static/{name}?v={version}", headers={"if-none-match": kept.headers["etag"]})
        assert unchanged.status_code == 304 and unchanged.headers["cache-control"] == kept.headers["cache-control"]
        for elsewhere in (f"/static/{name}", f"/static/{name}?v={'0' * 12}", f"/static/{name}?v={version}&v=x"):
            assert visitor.get(elsewhere).headers["cache-control"] == "no-cache", elsewhere


def test_head_is_answered_as_get_without_a_body(app, accounts):
    """RFC 9110 §9.3.2: HEAD gets GET's status and headers (the length of GET's body too), and no body."""
    member = member_client(app, accounts, "探测会员")
    visitor = TestClient(app, raise_server_exceptions=False)
    for client, path in ((member, "/"), (member, "/search?q=基层"), (member, "/api/search?q=基层"),
                         (member, "/api/documents/1/download?format=docx"), (member, "/static/app.css"),
                         (visitor, "/documents/1"), (visitor, "/api/documents/99999"), (visitor, "/account")):
        got, head = client.get(path, follow_redirects=False), client.head(path, follow_redirects=False)
        assert head.status_code == got.status_code != 405, path
        assert head.content == b"" and (got.content or got.status_code == 303), path
        for name in ("content-type", "content-disposition", "cache-control", "location", "content-encoding", "vary"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
        if path.startswith(("/static/", "/api/documents/99999")):   # a page's CSRF token and search time vary
            assert int(head.headers["content-length"]) == got.num_bytes_downloaded, path   # as sent: gzipped
    assert visitor.head("/logout").status_code == visitor.get("/logout").status_code == 405   # POST only: neither
    # the app sends no body itself (a test client, like uvicorn, would drop one unasked)
    sent, asked = [], []

    async def receive():   # the request's (empty) body, then nothing: the client waits for the answer
        asked.append(1)
        if len(asked) > 1:
            await anyio.sleep_forever()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "HEAD", "scheme": "http",
             "path": "/static/app.css", "raw_path": b"/static/app.css", "query_string": b"", "headers": [],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80), "root_path": ""}
    anyio.run(app, scope, receive, send)
    assert sent[0]["status"] == 200 and len(sent) > 1
    assert [m.get("body", b"") for m in sent[1:]] == [b""] * (len(sent) - 1)


def test_a_head_spends_nothing_and_is_recorded_nowhere(app, accounts, library):
    """Attack 21: a HEAD is answered as its GET (RFC 9110 §9.3.2), but it is a safe method (§9.2.1) — a download manager
    asks for a file's name and size before it downloads it, a link checker asks of every link —, and it spent a member's
    download (one for each document of a zip) and a 查重 of a draft, was audited, counted as read, downloaded or
    searched for, put in the member's 浏览/下载记录 and marked a saved search's new matches seen. It is refused as its
    GET would be, and changes nothing."""
    member = member_client(app, accounts, "探头会员")
    viewer = accounts.viewer("探头会员")
    draft = member.post("/api/drafts", json={"title": "草稿", "sections": [{"heading": "正文", "paragraphs": [
        free_text(library)]}]}, headers={"x-csrf-token": csrf_of(member)})
    assert draft.status_code == 201, draft.text
    saved = post_form(member, "/saved", {"name": "通知", "q": "通知"}, "/saved", follow_redirects=False)
    saved_id = int(saved.headers["location"].rsplit("=", 1)[1])
    store, analytics = Collections(accounts), Analytics(accounts, library.settings.zone)

    def state():
        app.state.recorder.flush()
        return (accounts.audit_log(1000, user_id=viewer.user_id), store.history(viewer), analytics.report(1),
                store.saved_search(viewer, saved_id).seen_at, accounts.quota_left(viewer, "check"),
                accounts.downloads_left(viewer))

    before = state()
    asked = ["/api/documents/1/download?format=md", "/api/download?ids=1,2", f"/api/drafts/{draft.json()['id']}/check",
             f"/api/drafts/{draft.json()['id']}/check?format=docx", "/documents/2", "/api/search?q=基层减负",
             "/search?q=作风建设", f"/saved/{saved_id}"]
    for path in asked:
        assert member.head(path).status_code == 200, path
    assert state() == before
    for _ in range(before[-1]):   # today's downloads spent by GET: a HEAD is refused as its GET is
        assert member.get(asked[0]).status_code == 200
    for path in asked[:2]:
        assert member.head(path).status_code == member.get(path).status_code == 429, path


def test_a_free_users_head_of_a_drafts_check_counts_none_of_the_hours(home, accounts, library):
    """Attack 21: a free user who may draft (``drafting_tier = "user"``) and HEADs a saved draft's 查重 had one of the
    hour's free 查重 counted; refused as the GET is once they are spent, it counts none."""
    app = make_app(home, drafting_tier="user", free_checks_per_hour=1)
    accounts.add_user("探头用户", PASSWORD, "user")
    writer = logged_in(app, "探头用户")
    draft = writer.post("/api/drafts", json={"title": "草稿", "sections": [{"heading": "正文", "paragraphs": [
        free_text(library)]}]}, headers={"x-csrf-token": csrf_of(writer)})
    other = writer.post("/api/drafts", json={"title": "二稿", "sections": [{"heading": "正文", "paragraphs": [
        free_text(library) + "（二稿）"]}]}, headers={"x-csrf-token": csrf_of(writer)})
    checked, second = (f"/api/drafts/{made.json()['id']}/check" for made in (draft, other))
    assert writer.head(checked).status_code == 200
    assert writer.get(checked).status_code == 200   # the hour's one 查重: the HEAD took none
    assert writer.head(second).status_code == writer.get(second).status_code == 429   # (the first's again is free)


def test_a_visitors_and_a_free_users_zips_are_limited_by_the_hour(home, accounts):
    """Attack 22: a visitor's 打包下载 had no limit, and 100 documents as .docx cost the server 1.2 s CPU: one request
    after another kept a core busy. A visitor may make ``free_batch_downloads_per_hour`` an hour from one address and
    a free user as many per account, by a search, a list of ids or a folder of 收藏; then 429 ``too_many_downloads`` in Chinese, with Retry-After. A HEAD, which makes no zip, is refused
    as its GET would be but not counted. Members spend their daily quota only."""
    app = make_app(home, free_batch_downloads_per_hour=2)
    here, there = (TestClient(app, raise_server_exceptions=False, client=(ip, 1)) for ip in ("203.0.113.1", "203.0.113.2"))
    assert here.get("/api/download?ids=1,2&format=docx").status_code == 200
    assert here.head("/api/download?q=通知").status_code == 200
    assert here.get("/api/download?q=通知").status_code == 200
    refused = here.get("/api/download?ids=1")
    assert here.head("/api/download?ids=1").status_code == refused.status_code == 429
    assert refused.json()["code"] == "too_many_downloads"
    assert "每小时最多 2 次" in refused.json()["error"] and int(refused.headers["retry-after"]) > 0
    assert there.get("/api/download?ids=1").status_code == 200      # another address
    accounts.add_user("打包用户", PASSWORD, "user")
    user = logged_in(app, "打包用户")
    token = csrf_of(user, "/favourites")
    folder = user.post("/favourites", data={"csrf_token": token, "doc_id": 1}, follow_redirects=False)
    folder_zip = folder.headers["location"] + "/download"
    assert user.get("/api/download?ids=1").status_code == user.post(folder_zip, data={"csrf_token": token}).status_code == 200
    refused = user.post(folder_zip, data={"csrf_token": token}, headers={"accept": "application/json"})
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_downloads"
    member = member_client(app, accounts, "打包会员")   # make_app: 3 downloads a day
    assert [member.get("/api/download?ids=1").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_head_of_a_zip_or_of_a_drafts_check_makes_neither(app, accounts, library, monkeypatch):
    """Attack 22: a HEAD is answered as its GET and spends nothing (attack 21), but it made the file: a member's HEAD of
    a draft's 查重 ran it (0.7 s of CPU for a draft of 19,000 characters; 3.5 s at ``check_max_chars``), as often as
    asked and recorded nowhere; a visitor's HEAD of a zip made it (1.8 s for 100 .docx). A HEAD gets its GET's status,
    type and file name, without the file and so without its length (RFC 9110 §9.3.2 allows that)."""
    made = []
    for module, name in ((drafting, "check_draft"), (api, "export_zip")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args, real=real, **kw: made.append(real) or real(*args, **kw))
    member = member_client(app, accounts, "无头会员")
    draft = member.post("/api/drafts", json={"title": "草稿", "sections": [{"heading": "正文", "paragraphs": [
        free_text(library)]}]}, headers={"x-csrf-token": csrf_of(member)}).json()["id"]
    visitor = TestClient(app, raise_server_exceptions=False)
    for client, path in ((member, f"/api/drafts/{draft}/check?format=docx"), (member, f"/api/drafts/{draft}/check"),
                         (visitor, "/api/download?q=基层&format=docx"), (member, "/api/download?ids=2,3")):
        head = client.head(path)
        assert head.status_code == 200 and head.content == b"" and made == [], path
        assert "content-length" not in head.headers, path
        got = client.get(path)
        assert got.status_code == 200 and len(made) == 1, path
        for name in ("content-type", "content-disposition", "cache-control"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
        made.clear()


def test_a_title_edit_reaches_the_type_ahead_of_every_worker(home):
    """Two workers (processes) each keep their own title list; an edit in one must reach the other."""
    worker_a, worker_b = Library.open(home), Library.open(home)
    titles_b = TitleIndex(worker_b.catalogue)
    titles_b.refresh()
    original = worker_a.get(4).title
    try:
        worker_a.update(4, title="跨进程改名的标题")
        assert [s.id for s in titles_b.suggest("跨进程改名")] == [4]
        assert 4 not in [s.id for s in titles_b.suggest(original)]
    finally:
        worker_a.update(4, title=original)
        worker_a.close()
        worker_b.close()


def test_a_huge_body_is_refused_before_it_is_read(app, accounts):
    """Attack 19: a visitor's multipart body to a form route (/login, /register, /logout, /saved…) was parsed whole
    before its CSRF token was checked, its file parts written to the temporary folder — 4 GB in 20 s from one
    connection, without end: a few filled the disk the catalogue and the index write to. A body past 2 MB is refused
    now (413 too_large, in Chinese), counted as it comes (a chunked one too), but by the routes that take files and
    refuse past the settings' limits themselves (查重)."""
    client = TestClient(app, raise_server_exceptions=False)
    token, big = csrf_of(client), b"x" * (3 * 2**20)
    for path in ("/login", "/register", "/logout", "/saved", "/favourites", "/account/redeem", "/account/password"):
        response = client.post(path, data={"csrf_token": token}, files={"file": ("a.bin", big)})
        assert response.status_code == 413 and response.json()["code"] == "too_large", (path, response.text[:200])
        assert re.search(r"[\u4e00-\u9fff]", response.json()["error"]), response.text
    chunked = client.post("/login", content=iter([b"csrf_token=x&username=", big]),
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413 and chunked.json()["code"] == "too_large"
    page = client.post("/login", data={"csrf_token": token}, files={"file": ("a.bin", big)},
                       headers={"accept": "text/html"})
    assert page.status_code == 413 and "<html" in page.text and "过大" in page.text
    roomy = create_app(settings=load_settings(app.state.settings.home, upload_max_mb=8))   # files of 8 MB
    client = TestClient(roomy, raise_server_exceptions=False)
    draft = "一份草稿的正文".encode() + b"\n" * (3 * 2**20)   # 3 MB, 7 字: the routes taking files take it
    checked = client.post("/api/check", files={"file": ("草稿.txt", draft)})
    assert checked.status_code == 200 and checked.json()["chars"] == 7, checked.text[:300]
    page = client.post("/check", files={"file": ("草稿.txt", draft)}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "总文字复制比" in page.text
    if "上传管理员" not in [u.username for u in accounts.users()]:
        accounts.add_user("上传管理员", PASSWORD, "admin")
    admin = logged_in(roomy, "上传管理员")
    uploaded = admin.post("/admin/upload", data={"csrf_token": csrf_of(admin, "/admin/upload")},
                          files=[("files", ("大文件.txt", "关于大文件上传的通知\n正文一行。".encode() + b"\n" * (3 * 2**20)))])
    assert uploaded.status_code == 200 and 'data-status="ingested"' in uploaded.text, uploaded.text[-500:]


def test_a_link_cannot_put_its_own_words_in_a_page(app, accounts):
    """Attack 19: /saved?message=… and /admin/documents?message=… showed whatever the link said in the site's own
    message box — 「您的账号存在异常，请立即登录 http://… 重新验证」 sent to a member or an admin. A page says only what
    happened (a saved search by its name, a document removed by its number)."""
    bait = "账号存在异常，请立即访问钓鱼网站重新验证"
    for name in ("钓鱼用户", "钓鱼管理员"):
        if name not in [u.username for u in accounts.users()]:
            accounts.add_user(name, PASSWORD, "admin" if name == "钓鱼管理员" else "user")
    user, admin = logged_in(app, "钓鱼用户"), logged_in(app, "钓鱼管理员")
    for client, path in ((user, "/saved"), (admin, "/admin/documents")):
        page = client.get(path, params={"message": bait}, headers={"accept": "text/html"})
        assert page.status_code == 200 and bait not in page.text
    saved = post_form(user, "/saved", {"name": "我的检索", "q": "通知"}, "/saved")
    assert saved.status_code == 200 and "已保存检索“我的检索”" in saved.text
    other = post_form(admin, "/saved", {"name": "别人的检索", "q": "通知"}, "/saved", follow_redirects=False)
    stranger = user.get(other.headers["location"], headers={"accept": "text/html"})   # another's id: no name shown
    assert stranger.status_code == 200 and "别人的检索" not in stranger.text
    doc_id = app.state.library.catalogue.summaries()[-1]["id"]
    removed = post_form(admin, f"/admin/documents/{doc_id}/delete", {}, f"/admin/documents/{doc_id}")
    assert removed.status_code == 200 and f"已删除文档 {doc_id}" in removed.text


def test_a_form_that_cannot_be_parsed_is_told_as_a_form(app):
    """Attack 22: a multipart form whose text field passes Starlette's 1 MB for a part (1.2 MB typed into a form) was
    told 「不是有效的 JSON」 — no JSON was sent; /check's own reading said only 「一次只能上传一个文件」."""
    client = TestClient(app, raise_server_exceptions=False)
    for path in ("/login", "/register", "/saved"):
        refused = client.post(path, data={"username": "字" * 400_000}, files={"file": ("空.txt", b"")})
        assert (refused.status_code, refused.json()["code"]) == (400, "bad_body"), (path, refused.text[:200])
        assert refused.json()["error"] == "表单无法解析：格式不对，或其中一项（文件以外）超过 1 MB"
    roomy = create_app(settings=load_settings(app.state.settings.home, upload_max_mb=8))   # files of 8 MB
    refused = TestClient(roomy).post("/api/check", data={"text": "字" * 400_000}, files={"file": ("空.txt", b"")})
    assert (refused.status_code, refused.json()["code"]) == (422, "bad_form")
    assert "文本框的内容超过 1 MB" in refused.json()["error"]
