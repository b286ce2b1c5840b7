"""Accounts in the web app: login, sessions, CSRF, throttling, tokens, roles, downloads, admin pages, uploads.

A library from the bundled samples (document 1 has a members part) in a temporary
SUCAI_HOME, with accounts for every role made through :class:`sucai.accounts.Accounts`;
every login below goes through the real login form.
"""

from __future__ import annotations

import html
import re
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import site_day
from fixtures import docx_bytes, new_document, zip_bomb_docx
from sucai.accounts import Accounts, session_secret
from sucai.cli import app as cli_app
from sucai.config import load_settings
from sucai.library import Library
from sucai.web import create_app

SAMPLES = Path(str(resources.files("sucai").joinpath("samples/library")))
PASSWORD = "correct-horse-9"
YESTERDAY = site_day(-1).isoformat()
NEXT_YEAR = site_day(365).isoformat()
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def home(tmp_path_factory, make_home) -> Path:
    home = make_home(tmp_path_factory.mktemp("web-accounts"))
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    library.close()
    accounts = Accounts.open(home)
    accounts.add_user("管理员", PASSWORD, "admin")
    accounts.add_user("会员甲", PASSWORD, "member", NEXT_YEAR)
    accounts.add_user("过期会员", PASSWORD, "member", YESTERDAY)
    accounts.add_user("免费用户", PASSWORD, "user")
    accounts.close()
    return home


def make_app(home: Path, **overrides):
    settings = load_settings(home, login_max_failures=3, member_daily_downloads=3, upload_max_mb=1,
                             upload_max_files=5, **overrides)
    return create_app(settings=settings)


@pytest.fixture(scope="module")
def app(home):
    return make_app(home)


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def library(app) -> Library:
    return app.state.library


@pytest.fixture
def accounts(app) -> Accounts:
    return app.state.accounts


def csrf_of(client: TestClient, path: str = "/login") -> str:
    found = _CSRF.search(client.get(path, headers={"accept": "text/html"}).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):
    token = csrf_of(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def logged_in(app, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    response = login(client, username)
    assert response.status_code == 303, response.text
    return client


def free_text(library: Library, doc_id: int = 1) -> str:
    doc = library.get(doc_id)
    return doc.text[: doc.paid_from]


def routes_of(app):
    """(path, methods) of every route of the app, also inside included routers (FastAPI ≥ 0.16x)."""
    out = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for ctx in contexts():
                out.append((ctx.path_format, set(getattr(ctx.original_route, "methods", None) or ())))
        elif getattr(route, "methods", None):
            out.append((route.path_format, set(route.methods)))
    return out


def fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


# -- sessions ---------------------------------------------------------------------------------


def test_login_sets_a_signed_httponly_samesite_cookie(app, home):
    client = TestClient(app)
    response = login(client, "会员甲")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("sucai_session=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "path=/" in cookie and "secure" not in cookie   # plain-HTTP localhost by default
    assert client.get("/api/me").json()["username"] == "会员甲"
    assert not (home / "session.key").exists()      # the key is in the accounts database, for every node
    if (home / "accounts.sqlite3").exists():         # embedded: readable by its owner only
        assert stat.S_IMODE((home / "accounts.sqlite3").stat().st_mode) == 0o600
    # a tampered cookie is no session at all
    value = client.cookies.get("sucai_session")
    forged = TestClient(app)
    forged.cookies.set("sucai_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert forged.get("/api/me").json()["role"] == "visitor"


def test_https_only_setting_adds_secure(home):
    app = make_app(home, session_https_only=1)
    with TestClient(app, base_url="https://testserver") as client:
        cookie = login(client, "会员甲").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie


def test_a_cookie_set_over_https_is_secure_whatever_the_setting(home):
    """Attack 23: behind an HTTPS proxy (``trusted_proxies``, ``X-Forwarded-Proto: https``) the login cookie was
    sent without ``Secure`` while ``session_https_only`` was left at 0. A cookie set in the answer to a request that
    came over HTTPS is ``Secure``; over plain HTTP (localhost) it is not, or no one could log in there."""
    app = make_app(home)
    for base, secure in (("https://testserver", True), ("http://testserver", False)):
        with TestClient(app, base_url=base) as client:
            cookie = login(client, "会员甲").headers["set-cookie"].lower()
        assert ("; secure" in cookie, "httponly" in cookie, "samesite=lax" in cookie) == (secure, True, True), base


def test_session_secret_is_kept(home):
    assert session_secret(home) == session_secret(home)


def test_logout_ends_the_session(app, accounts):
    client = logged_in(app, "免费用户")
    assert client.get("/api/me").json()["role"] == "user"
    page = client.get("/", headers={"accept": "text/html"}).text
    assert "免费用户" in page and 'action="/logout"' in page and "注册用户" in page
    token = _CSRF.search(page).group(1)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").json()["role"] == "visitor"
    assert accounts.audit_log(1, event="logout")[0]["username"] == "免费用户"


def test_a_visitor_or_an_ended_session_is_not_authenticated(app):
    """401 ``login_required`` (who asks is not known), with the bearer challenge, for a visitor and an old cookie alike."""
    client = logged_in(app, "会员甲")
    assert client.get("/api/drafts").status_code == 200
    old_cookies = dict(client.cookies)
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    replayed = TestClient(app, cookies=old_cookies)
    for asker in (replayed, TestClient(app)):
        refused = asker.get("/api/drafts")
        assert (refused.status_code, refused.json()) == (401, {"ok": False, "error": "写作台需要登录后使用",
                                                               "code": "login_required", "status": 401})
        assert refused.headers["www-authenticate"] == 'Bearer realm="sucai"'


def test_wrong_password_is_throttled(app, accounts):
    client = TestClient(app, raise_server_exceptions=False, client=("192.0.2.7", 50000))  # its own IP address
    accounts.add_user("试错者", PASSWORD)
    for _ in range(3):
        response = login(client, "试错者", "wrong-password")   # not known: 401 and its challenge, the form again
        assert response.status_code == 401 and response.headers["www-authenticate"] == 'Bearer realm="sucai"'
        assert "用户名或密码错误" in response.text and 'id="login-form"' in response.text
    locked = login(client, "试错者", PASSWORD)   # the right password no longer helps
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    assert client.get("/api/me").json()["role"] == "visitor"
    failures = accounts.audit_log(4, event="login_failed")
    assert all(e["source_ip"] == "192.0.2.7" for e in failures)
    assert accounts.audit_log(1, event="login")[0]["username"] != "试错者"
    # the name is locked, not the address: a colleague behind the same NAT still logs in
    assert login(client, "会员甲").status_code == 303


def test_login_redirect_stays_on_this_site(app):
    for target, expected in (("/documents/1", "/documents/1"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/")):
        client = TestClient(app)
        token = csrf_of(client)
        response = client.post("/login", data={"username": "会员甲", "password": PASSWORD, "csrf_token": token,
                                               "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected


@pytest.mark.parametrize("page", ["/documents/1", "/search?q=担当作为 存在问题&scope=section&page=2", "/updates"])
def test_the_headers_login_and_register_links_come_back_to_the_page(app, page):
    """A visitor reading a page who logs in or registers from the header is brought back to that page, its query
    included (new-user try 21: the header's 登录 led to the home page); the login and register pages pass on the
    ``next`` they were given, and the home page asks for none."""
    client = TestClient(app)
    wanted = client.get(page).url   # the page as the browser asked for it: its query percent-encoded
    header = client.get(page, headers={"accept": "text/html"}).text
    login_link = html.unescape(re.search(r'<a href="([^"]+)" id="login-link">', header)[1])
    register_link = html.unescape(re.search(r'<a href="([^"]+)" id="register-link">', header)[1])
    assert urlsplit(login_link).path == "/login" and urlsplit(register_link).path == "/register"
    form = client.get(login_link, headers={"accept": "text/html"}).text
    back = html.unescape(re.search(r'name="next" value="([^"]*)"', form)[1])
    assert back == wanted.raw_path.decode("ascii")
    on_login = html.unescape(re.search(r'<a href="([^"]+)" id="register-link">', form)[1])
    assert on_login == register_link   # the login page's own header passes its next on
    response = client.post("/login", data={"username": "会员甲", "password": PASSWORD, "csrf_token": csrf_of(client),
                                           "next": back}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, back)
    assert client.get(response.headers["location"]).url == wanted
    home = TestClient(app).get("/", headers={"accept": "text/html"}).text
    assert '<a href="/login" id="login-link">' in home and '<a href="/register" id="register-link">' in home


# -- CSRF ---------------------------------------------------------------------------------------


CHECK_ROUTES = {"/check", "/api/check"}


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(app, accounts):
    admin = logged_in(app, "管理员")
    other = TestClient(app)
    stolen = csrf_of(other)                           # a valid token, but of another session
    posts = [path for path, methods in routes_of(app) if "POST" in methods]
    assert {"/login", "/logout", "/register", "/account/password", "/admin/upload", "/admin/users"} <= set(posts)
    assert CHECK_ROUTES <= set(posts)
    before = len(accounts.users())
    for path in posts:
        for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": stolen}):
            response = admin.post(fill(path), data={**data, "username": "新人", "password": PASSWORD,
                                                    "role": "admin", "title": "改", "genre": "改", "text": "草稿"})
            assert response.status_code == 403, (path, data, response.text[:200])
            if path != "/check":                      # the 查重 page shows the refusal on itself
                assert response.json()["code"] == "csrf_failed"
            else:
                assert "CSRF 校验失败" in response.text
        files = {"files": ("a.txt", "标题\n正文".encode(), "text/plain")}
        assert admin.post(fill(path), files=files).status_code == 403, path
    assert len(accounts.users()) == before
    assert admin.get("/api/me").json()["username"] == "管理员"   # the failed logout did nothing


def test_a_forged_check_spends_none_of_a_members_quota(app, accounts):
    member = logged_in(app, "会员甲")
    viewer = accounts.viewer("会员甲")
    used = accounts.used_today(viewer, "check")
    draft = {"text": "推进基层减负，坚决整治形式主义。"}
    assert member.post("/api/check", json=draft).status_code == 403                      # JSON without the header
    assert member.post("/api/check", data=draft).status_code == 403                      # a cross-site form
    assert member.post("/check", data={**draft, "csrf_token": "wrong"}).status_code == 403
    assert accounts.used_today(viewer, "check") == used
    token = csrf_of(member, "/check")
    assert member.post("/api/check", json=draft, headers={"x-csrf-token": token}).status_code == 200
    assert member.post("/check", data={"text": draft["text"] + "二稿", "csrf_token": token}).status_code == 200
    assert accounts.used_today(viewer, "check") == used + 2
    assert TestClient(app).post("/api/check", json=draft).status_code == 200            # a visitor spends nothing


def test_a_forged_upload_to_check_is_neither_read_nor_counted(app, accounts, monkeypatch):
    """A free user's hourly 查重 is counted before an uploaded file is read (attack 26); a cross-site form of
    their session, without its CSRF token, was counted and its file read before the token was looked at. Now
    it is refused (403) first: nothing read, nothing of the hour spent — the user's own upload still goes (from an
    address of its own: a free user's hour is its address's too, which the visitors of other tests spend)."""
    accounts.free_checks_per_hour = 1
    read = []
    monkeypatch.setattr("sucai.web.check.read_draft", lambda settings, path, data, name: read.append(name) or "推进基层减负。")
    user = TestClient(app, raise_server_exceptions=False, client=("198.51.100.90", 1))
    assert login(user, "免费用户").status_code == 303
    file = {"file": ("稿.txt", "推进基层减负。".encode())}
    forged = [user.post(path, files=file).status_code for path in ("/api/check", "/check", "/api/check")]
    assert forged == [403, 403, 403] and read == []
    token = csrf_of(user, "/check")
    assert user.post("/api/check", files=file, headers={"x-csrf-token": token}).status_code == 200
    assert user.post("/check", files=file, data={"csrf_token": token}).status_code == 429 and read == ["稿.txt"]


# -- what each role sees -------------------------------------------------------------------------


@pytest.mark.parametrize("username", [None, "免费用户", "过期会员"])
def test_non_member_gets_only_the_free_part_whatever_the_parameters(app, library, username):
    client = logged_in(app, username) if username else TestClient(app)
    doc = library.get(1)
    left_out = len(re.sub(r"\s", "", doc.text[doc.paid_from:]))   # 字数: no white space
    for params in ({}, {"member": "true"}, {"full": "1"}, {"include_hidden": "1"}, {"role": "admin"},
                   {"paid_from": "999999"}, {"format": "full"}, {"viewer": "member", "admin": "1"}):
        data = client.get("/api/documents/1", params=params).json()
        assert data["text"] == doc.text[: doc.paid_from], params
        assert data["notice"] == f"会员可见全文（剩余 {left_out} 字）"
    page = client.get("/documents/1", headers={"accept": "text/html"}).text
    assert "会员可见全文" in page


def test_member_and_admin_see_everything(app, library):
    doc = library.get(1)
    for username in ("会员甲", "管理员"):
        client = logged_in(app, username)
        data = client.get("/api/documents/1").json()
        assert data["text"] == doc.text and data["notice"] is None
        page = client.get("/documents/1", headers={"accept": "text/html"}).text
        assert "以下为会员内容" in page and "会员可见全文" not in page


def test_role_and_expiry_changes_take_effect_at_once(app, library, accounts):
    accounts.add_user("升级者", PASSWORD)
    client = logged_in(app, "升级者")
    doc = library.get(1)
    assert client.get("/api/documents/1").json()["text"] == free_text(library)
    accounts.set_role("升级者", "member")          # a role change ends the sessions begun under the old role
    assert client.get("/api/me").json()["role"] == "visitor"
    accounts.set_expiry("升级者", NEXT_YEAR)
    client = logged_in(app, "升级者")
    assert client.get("/api/documents/1").json()["text"] == doc.text
    accounts.set_expiry("升级者", YESTERDAY)
    assert client.get("/api/documents/1").json()["text"] == free_text(library)
    accounts.remove_user("升级者")
    assert client.get("/api/me").json()["role"] == "visitor"


def test_admin_only_routes_refuse_members_and_visitors(app):
    admin_paths = [(path, methods) for path, methods in routes_of(app) if path.startswith("/admin")]
    assert len(admin_paths) >= 10
    for username in ("会员甲", "免费用户", None):
        client = logged_in(app, username) if username else TestClient(app, raise_server_exceptions=False)
        token = csrf_of(client, "/login")
        for path, methods in admin_paths:
            if "GET" in methods:
                response = client.get(fill(path))
            else:
                response = client.post(fill(path), data={"csrf_token": token, "role": "admin", "username": "x1",
                                                         "password": PASSWORD})
            refused = (401, "login_required") if username is None else (403, "admin_only")   # not known / not allowed
            assert (response.status_code, response.json()["code"]) == refused, (username, path, response.text)
    page = TestClient(app).get("/admin/users", headers={"accept": "text/html"}, follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2Fadmin%2Fusers")   # a visitor logs in
    asked = TestClient(app).get("/admin/audit?q=" + "审" * 100, headers={"accept": "text/html"}, follow_redirects=False)
    assert asked.headers["location"] == "/login?next=%2Fadmin%2Faudit%3Fq%3D" + "%25E5%25AE%25A1" * 100   # comes back to it
    long = TestClient(app).get("/admin/audit?q=" + "审" * 1000, headers={"accept": "text/html"}, follow_redirects=False)
    assert long.headers["location"] == "/login?next=%2Fadmin%2Faudit"   # a proxy's header buffer holds it (no 502)
    admin = logged_in(app, "管理员")
    assert admin.get("/admin").status_code == 200


# -- API tokens -------------------------------------------------------------------------------------


def test_token_create_use_and_revoke_at_once(app, library, accounts):
    client = logged_in(app, "会员甲")
    page = client.post("/account/tokens", data={"name": "脚本", "csrf_token": csrf_of(client, "/account")})
    secret = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
    assert secret.startswith("sc_")
    script = TestClient(app, raise_server_exceptions=False)
    bearer = {"authorization": f"Bearer {secret}"}
    data = script.get("/api/documents/1", headers=bearer).json()
    assert data["text"] == library.get(1).text        # the token holds the member tier
    assert script.get("/api/me", headers=bearer).json()["username"] == "会员甲"
    token_id = secret.split("_")[1]
    assert client.get("/account").text.count(token_id) >= 1
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(client, "/account")})
    refused = script.get("/api/documents/1", headers=bearer)
    # not authenticated (401, RFC 9110 §15.5.2), not "authenticated but not allowed" (403); the envelope in Chinese
    assert (refused.status_code, refused.json()) == (401, {"ok": False, "error": "API 令牌无效或已吊销",
                                                           "code": "bad_token", "status": 401})
    assert refused.headers["www-authenticate"] == 'Bearer realm="sucai", error="invalid_token"'
    for header in ("Bearer sc_nope", "bearer  sc_nope ", "Bearer "):
        unknown = script.get("/api/search", params={"q": "基层"}, headers={"authorization": header})
        assert (unknown.status_code, unknown.json()["code"]) == (401, "bad_token"), header
        assert "invalid_token" in unknown.headers["www-authenticate"], header
    # someone else's token cannot be revoked from my account page
    other_secret = accounts.create_token("免费用户", "他的")
    other_id = other_secret.split("_")[1]
    response = client.post(f"/account/tokens/{other_id}/revoke", data={"csrf_token": csrf_of(client, "/account")})
    assert response.status_code == 404
    assert script.get("/api/me", headers={"authorization": f"Bearer {other_secret}"}).json()["username"] == "免费用户"


def test_a_reverse_proxys_basic_authorization_is_passed_over(app, library):
    """A site behind a proxy's password (nginx auth_basic passes ``Authorization: Basic …`` on) works as without it:
    a visitor is a visitor, a session keeps its tier — and still needs its CSRF token, as a token's request would not."""
    basic = {"authorization": "Basic dXNlcjpwYXNz"}
    visitor = TestClient(app, raise_server_exceptions=False, headers=basic)
    page = visitor.get("/api/documents/1")
    assert page.status_code == 200 and page.json()["text"] != library.get(1).text   # the free preview, not a 401
    member = logged_in(app, "会员甲")
    member.headers.update(basic)
    assert member.get("/api/documents/1").json()["text"] == library.get(1).text
    assert member.get("/api/me").json()["username"] == "会员甲"
    forged = member.post("/account/tokens", data={"name": "无令牌"})
    assert (forged.status_code, forged.json()["code"]) == (403, "csrf_failed")


# -- account pages -------------------------------------------------------------------------------------


def test_register_change_password(app, accounts):
    client = TestClient(app, raise_server_exceptions=False)
    token = csrf_of(client, "/register")
    bad = client.post("/register", data={"username": "新用户", "password": PASSWORD, "password2": "other-pass",
                                         "csrf_token": token})
    assert bad.status_code == 422 and "两次输入的密码不一致" in bad.text
    ok = client.post("/register", data={"username": "新用户", "password": PASSWORD, "password2": PASSWORD,
                                        "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    me = client.get("/api/me").json()
    assert me["username"] == "新用户" and me["role"] == "user" and me["member"] is False
    token = csrf_of(client, "/account")
    wrong = client.post("/account/password", data={"old_password": "not-it-at-all", "new_password": "new-password-1",
                                                   "new_password2": "new-password-1", "csrf_token": token})
    assert wrong.status_code == 403 and "原密码不正确" in wrong.text
    changed = client.post("/account/password", data={"old_password": PASSWORD, "new_password": "new-password-1",
                                                      "new_password2": "new-password-1", "csrf_token": token})
    assert changed.status_code == 200 and "密码已修改" in changed.text
    assert login(TestClient(app), "新用户", "new-password-1").status_code == 303
    assert login(TestClient(app), "新用户", PASSWORD).status_code == 401


def test_registration_can_be_closed(home):
    app = make_app(home, registration_open=0)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/register").status_code == 403
        assert client.get("/register").json()["code"] == "registration_closed"
        assert 'href="/register"' not in client.get("/login", headers={"accept": "text/html"}).text


# -- downloads ----------------------------------------------------------------------------------------


def test_downloads_are_audited_and_members_have_a_quota(app, library, accounts):
    accounts.add_user("下载会员", PASSWORD, "member", NEXT_YEAR)
    client = logged_in(app, "下载会员")
    for _ in range(3):
        response = client.get("/api/documents/1/download", params={"format": "txt"})
        assert response.status_code == 200 and library.get(1).text.strip()[-20:] in response.content.decode()
    over = client.get("/api/documents/1/download", params={"format": "txt"})
    assert over.status_code == 429 and over.json()["code"] == "quota_exceeded" and int(over.headers["retry-after"]) > 0
    assert client.get("/api/download", params={"ids": "1,2"}).status_code == 429
    mine = [e for e in accounts.audit_log(50, event="download") if e["username"] == "下载会员"]
    assert len(mine) == 3 and all(e["source_ip"] == "testclient" and "文档 1" in e["detail"] for e in mine)
    # a free user is not limited, only recorded, and gets the free part; a visitor is not recorded either (sec29: a
    # row a request, unlimited, kept audit_days), one zip or five downloads
    accounts.add_user("下载用户", PASSWORD)
    free = logged_in(app, "下载用户")
    for _ in range(5):
        assert "会员可见全文" in free.get("/api/documents/1/download", params={"format": "txt"}).content.decode()
    entries = [(e["username"], e["role"], e["detail"]) for e in accounts.audit_log(5, event="download")]
    assert entries == [("下载用户", "user", "文档 1（txt，免费部分）")] * 5
    audited = accounts.audit_log(100)
    visitor = TestClient(app)
    for _ in range(5):
        assert "会员可见全文" in visitor.get("/api/documents/1/download", params={"format": "txt"}).content.decode()
    assert visitor.get("/api/download", params={"ids": "1,2", "format": "txt"}).status_code == 200
    assert accounts.audit_log(100) == audited


def test_two_zips_at_once_spend_a_members_quota_all_or_none(app, accounts, monkeypatch):
    """Two zips of two documents asked for at once by a member with three downloads a day (make_app), both past
    every check before either is counted: one is made and spends two, the other is refused (429 ``quota_exceeded``,
    how many are left) and spends nothing. Each zip's documents were counted one at a time after a check of
    ``downloads_left``: the second zip spent the third download and was refused half-way."""
    accounts.add_user("并发会员", PASSWORD, "member", NEXT_YEAR)
    clients = [logged_in(app, "并发会员") for _ in range(2)]
    both_checked = threading.Barrier(2, timeout=30)
    limit_free_batch = accounts.limit_free_batch

    def after_both(*args, **kwargs):   # called by each zip before its documents are counted
        both_checked.wait()
        return limit_free_batch(*args, **kwargs)

    monkeypatch.setattr(accounts, "limit_free_batch", after_both)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda pair: pair[0].get("/api/download", params={"ids": pair[1], "format": "txt"}),
                                zip(clients, ["1,2", "3,4"])))
    assert sorted(a.status_code for a in answers) == [200, 429]
    made, refused = sorted(answers, key=lambda a: a.status_code)
    ids = "1,2" if made is answers[0] else "3,4"
    spent = [e["detail"] for e in accounts.audit_log(50, event="download") if e["username"] == "并发会员"]
    assert sorted(spent) == sorted(f"文档 {i}（txt，全文，打包）" for i in ids.split(","))
    assert refused.json()["code"] == "quota_exceeded"
    assert refused.json()["error"] == "今日还可下载 1 次，本次需 2 次；请减少篇数或明天再来"


# -- admin pages ----------------------------------------------------------------------------------------


def test_admin_edits_hides_and_deletes_documents(app, library):
    admin = logged_in(app, "管理员")
    visitor = TestClient(app, raise_server_exceptions=False)
    doc = library.get(3)
    token = csrf_of(admin, "/admin/documents/3")
    saved = admin.post("/admin/documents/3/edit", data={"title": "改过的标题", "genre": "心得体会", "paid_from": "50",
                                                        "csrf_token": token})
    assert saved.status_code == 200 and "已保存" in saved.text
    data = visitor.get("/api/documents/3").json()
    assert data["title"] == "改过的标题" and data["text"] == doc.text[:50] and data["notice"]
    assert visitor.get("/api/suggest", params={"q": "改过的"}).json()["suggestions"][0]["id"] == 3
    bad = admin.post("/admin/documents/3/edit", data={"title": "x", "genre": "y", "paid_from": "99999999",
                                                      "csrf_token": token})
    assert bad.status_code == 422
    admin.post("/admin/documents/3/edit", data={"title": doc.title, "genre": doc.genre, "paid_from": "",
                                                "csrf_token": token})
    assert visitor.get("/api/documents/3").json()["text"] == doc.text
    admin.post("/admin/documents/3/hide", data={"hidden": "1", "csrf_token": token})
    assert visitor.get("/api/documents/3").status_code == 404
    assert admin.get("/api/documents/3").status_code == 200        # admins still see it
    admin.post("/admin/documents/3/hide", data={"hidden": "0", "csrf_token": token})
    assert visitor.get("/api/documents/3").status_code == 200


def test_admin_edits_the_start_and_the_end_of_the_members_part(app, library):
    admin = logged_in(app, "管理员")
    visitor = TestClient(app, raise_server_exceptions=False)
    doc = next(d for d in library.catalogue.documents() if d.paid_from is None and not d.hidden and d.chars > 200)
    url = f"/admin/documents/{doc.id}"
    token = csrf_of(admin, url)
    form = {"title": doc.title, "genre": doc.genre, "csrf_token": token}
    page = admin.post(f"{url}/edit", data={**form, "paid_from": "40", "paid_until": "90"})
    assert page.status_code == 200 and "已保存" in page.text
    assert 'name="paid_until" min="0"' in page.text and 'value="90"' in page.text and "终点前后" in page.text
    joint = "\n" if doc.text[39] != "\n" and doc.text[90] != "\n" else ""   # see access.free_view
    data = visitor.get(f"/api/documents/{doc.id}").json()
    assert data["text"] == doc.text[:40] + joint + doc.text[90:]
    left_out = len(re.sub(r"\s", "", doc.text[40:90]))   # 字数 of the 50 characters left out: no white space
    assert data["notice"] == f"会员可见全文（此处略去会员内容 {left_out} 字）"
    for start, end, message in (("40", "30", "会员内容终点应大于起点"), ("", "30", "请先设置会员内容起点"),
                                ("40", "九十", "会员终点应为字数")):
        bad = admin.post(f"{url}/edit", data={**form, "paid_from": start, "paid_until": end})
        assert bad.status_code == 422 and message in bad.text
    admin.post(f"{url}/edit", data={**form, "paid_from": "", "paid_until": ""})
    assert visitor.get(f"/api/documents/{doc.id}").json()["text"] == doc.text
    assert library.get(doc.id).members_span is None


def test_admin_manages_users(app, accounts):
    admin = logged_in(app, "管理员")
    token = csrf_of(admin, "/admin/users")
    page = admin.post("/admin/users", data={"username": "<b>新会员</b>", "password": PASSWORD, "role": "member",
                                            "until": NEXT_YEAR, "csrf_token": token})
    assert "用户名应为" in page.text and "<b>新会员" not in page.text   # refused, and escaped
    admin.post("/admin/users", data={"username": "新会员", "password": PASSWORD, "role": "user", "csrf_token": token})
    user = accounts.viewer("新会员")
    admin.post(f"/admin/users/{user.user_id}/role", data={"role": "member", "csrf_token": token})
    admin.post(f"/admin/users/{user.user_id}/expiry", data={"until": NEXT_YEAR, "csrf_token": token})
    assert accounts.viewer("新会员").member
    last = admin.post(f"/admin/users/{accounts.viewer('管理员').user_id}/role", data={"role": "user", "csrf_token": token})
    assert "唯一的管理员" in last.text and accounts.viewer("管理员").admin
    admin.post(f"/admin/users/{user.user_id}/remove", data={"csrf_token": token})
    assert "新会员" not in [u.username for u in accounts.users()]
    changes = accounts.audit_log(4, event="user_changed")
    assert all(e["username"] == "管理员" for e in changes)
    assert "审计" in admin.get("/admin/audit").text


# -- uploads ---------------------------------------------------------------------------------------------


def upload(client: TestClient, files: list[tuple[str, bytes]]):
    token = csrf_of(client, "/admin/upload")
    return client.post("/admin/upload", data={"csrf_token": token},
                       files=[("files", (name, data, "application/octet-stream")) for name, data in files])


def outcomes(page: str) -> list[tuple[str, str]]:
    return re.findall(r'data-status="(\w+)"><td>([^<]*)</td>', page)


def test_an_empty_upload_is_skipped_in_the_ingests_words(app, library, accounts):
    """A file of no bytes said 「文件是空的，未入库」, one of white space 「文件为空（没有文字内容）」: one reason, the ingest's."""
    page = upload(logged_in(app, "管理员"), [("空.txt", b""), ("空白.txt", " \n\u3000\n".encode())]).text
    rows = re.findall(r'data-status="(\w+)"><td>([^<]*)</td><td>[^<]*</td>\s*<td>[^<]*</td><td>([^<]*)</td>', page)
    assert rows == [("skipped", "空.txt", "文件为空（没有文字内容）"), ("skipped", "空白.txt", "文件为空（没有文字内容）")]


def test_upload_several_files(app, library, accounts):
    admin = logged_in(app, "管理员")
    document = new_document()
    document.add_paragraph("上传测试的方案标题")
    document.add_paragraph("一、总体要求")
    document.add_paragraph("这是一份通过网页上传的 Word 文档，内容独一无二：青松翠柏测试句。")
    before = library.catalogue.stats()["documents"]
    page = upload(admin, [("方案.docx", docx_bytes(document)),
                          ("../../etc/<b>通知.txt", "正文只有一行，没有标题行。丹桂飘香测试句。\n".encode()),
                          ("方案副本.docx", docx_bytes(document))])
    assert page.status_code == 200
    found = outcomes(page.text)
    assert found == [("ingested", "方案.docx"), ("ingested", "&lt;b&gt;通知.txt"), ("duplicate", "方案副本.docx")]
    assert "<b>" not in page.text and "/tmp" not in page.text and "sucai-upload" not in page.text
    assert library.catalogue.stats()["documents"] == before + 2
    hits = admin.get("/api/search", params={"q": "青松翠柏测试句", "mode": "precise"}).json()
    assert hits["total"] == 1
    titles = [r["title"] for r in library.catalogue.summaries(2, newest_first=True)]
    assert "<b>通知" in titles or any("丹桂飘香" in t for t in titles)
    assert not any(Path("/etc").glob("*通知*"))


def test_an_uploaded_name_cannot_turn_itself_around(app, library, home):
    """Attack 19b: an upload's name kept U+202E (RLO) and zero-width characters — 「报告\u202etxt.exe」 showed on the
    upload page, and was kept under uploads/, as 「报告exe.txt」. Its name is now a one-line field as every other
    (:func:`sucai.clean.plain`): each run of such characters one space, the ends stripped."""
    admin = logged_in(app, "管理员")
    body = "关于开展冬季安全检查的通知\n各单位：请于十二月组织检查。腊梅水仙测试句。\n".encode()
    page = upload(admin, [("报告\u202etxt.exe\u200b.txt", body)])
    assert outcomes(page.text) == [("ingested", "报告 txt.exe .txt")]
    assert "\u202e" not in page.text and "\u200b" not in page.text
    doc_id = int(re.findall(r'href="/documents/(\d+)"', page.text)[0])
    assert Path(library.get(doc_id, include_hidden=True).source_path).name == "报告 txt.exe .txt"


def test_an_upload_is_kept_under_home_with_its_own_name(app, library, home):
    """F25: the catalogue names the uploaded file kept under <home>/uploads/<the site's day>/, not a removed
    temporary one; a second file of the same name does not overwrite it; a file not ingested is not kept."""
    admin = logged_in(app, "管理员")
    first = "关于开展春季植树活动的通知\n各单位：请于三月组织植树。银杏梧桐测试句。\n".encode()
    second = "关于开展秋季运动会的通知\n各单位：请于十月组织运动会。跳远接力测试句。\n".encode()
    page = upload(admin, [("植树通知.txt", first), ("植树通知.txt", second), ("空白.txt", b"   \n")])
    ingested, again, blank = outcomes(page.text)
    assert ingested == ("ingested", "植树通知.txt") and again == ("ingested", "植树通知.txt") and blank[0] != "ingested"
    day = datetime.now(ZoneInfo(library.settings.timezone)).date().isoformat()
    folder = home / "uploads" / day
    ids = [int(i) for i in re.findall(r'href="/documents/(\d+)"', page.text)]
    paths = sorted(Path(library.get(doc_id, include_hidden=True).source_path) for doc_id in ids)
    assert paths == [folder / "植树通知 (2).txt", folder / "植树通知.txt"]
    assert [library.get(doc_id, include_hidden=True).date for doc_id in ids] == [None, None]   # not the upload's day
    assert sorted(path.read_bytes() for path in paths) == sorted([first, second])
    assert not (folder / "空白.txt").exists()
    assert str(home) not in page.text


def test_an_upload_moved_from_another_says_where_under_uploads(app, library, home):
    """Fix 30: an exact copy of an upload whose file is gone is its file moved (``unchanged``), and said so — 「由
    /srv/…/uploads/2026-01-05/旧稿.txt 改名或移来」 named the server's folder of another day's upload, 「由 /甲.txt …」
    one of the same day's. Either is named under the uploads folder."""
    admin = logged_in(app, "管理员")
    old = home / "uploads" / "2026-01-05" / "旧稿.txt"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(body := "关于做好冬季防火工作的通知\n各单位：请加强巡查。紫藤凌霄测试句。\n".encode())
    assert library.ingest([old], workers=1).counts["ingested"] == 1
    old.unlink()
    page = upload(admin, [("新稿.txt", body)]).text
    assert _reasons(page) == [("unchanged", "新稿.txt", "由 2026-01-05/旧稿.txt 改名或移来")]
    same = "关于做好春季防汛工作的通知\n各单位：请检查堤坝。芍药牡丹测试句。\n".encode()
    assert _reasons(upload(admin, [("甲.txt", same)]).text) == [("ingested", "甲.txt", "")]
    day = datetime.now(ZoneInfo(library.settings.timezone)).date().isoformat()
    (home / "uploads" / day / "甲.txt").unlink()
    page = upload(admin, [("乙.txt", same)]).text
    assert _reasons(page) == [("unchanged", "乙.txt", f"由 {day}/甲.txt 改名或移来")] and str(home) not in page


def test_an_upload_a_gone_file_moved_to_is_kept(app, library, home):
    """An exact copy of a file whose file is gone is that file moved (``unchanged``): its record names the upload now,
    which is kept — it was removed as a file not ingested, the record naming a removed file, and the next copy said
    「由 …/防火通知.txt 改名或移来」 again. That copy is a 重复 of the document now, removed as one is."""
    admin = logged_in(app, "管理员")
    old = home / "inbox" / "旧稿.txt"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(body := "关于做好冬季防火工作的通知\n各单位：请加强巡查。金桂银桂测试句。\n".encode())
    assert library.ingest([old], workers=1).counts["ingested"] == 1
    old.unlink()
    page = upload(admin, [("防火通知.txt", body)]).text
    assert [row[:2] for row in _reasons(page)] == [("unchanged", "防火通知.txt")]
    day = datetime.now(ZoneInfo(library.settings.timezone)).date().isoformat()
    kept = home / "uploads" / day / "防火通知.txt"
    assert kept.read_bytes() == body
    [doc_id] = re.findall(r'href="/documents/(\d+)"', page)
    again = upload(admin, [("防火通知副本.txt", body)]).text
    assert _reasons(again) == [("duplicate", "防火通知副本.txt", f"与文档 {doc_id} 内容相同")]
    assert kept.exists() and not (home / "uploads" / day / "防火通知副本.txt").exists()


def test_an_upload_not_kept_leaves_no_record(app, library, home):
    """ops27: an upload 重复 of a stored document (or 跳过) had its file removed, but its record stayed in the
    catalogue, naming a file that is gone. Nothing of it is left; the uploads kept have their records."""
    admin = logged_in(app, "管理员")
    body = "关于开展冬季长跑活动的通知\n各单位：请于一月组织长跑。雪松冬青测试句。\n".encode()
    page = upload(admin, [("长跑通知.txt", body), ("长跑通知副本.txt", body), ("空白.txt", b"   \n")])
    assert [status for status, _ in outcomes(page.text)] == ["ingested", "duplicate", "skipped"]
    folder = home / "uploads" / datetime.now(ZoneInfo(library.settings.timezone)).date().isoformat()
    keys = [str((folder / name).resolve()) for name in ("长跑通知.txt", "长跑通知副本.txt", "空白.txt")]
    assert list(library.catalogue.file_records(keys)) == keys[:1] and [Path(k).exists() for k in keys] == [1, 0, 0]


def test_an_upload_is_audited_file_by_file_and_shown_by_sucai_audit(app, accounts, home):
    """verify30: an admin's upload left no audit row (``sucai audit`` listed downloads, not what went into the
    library through the web). Each file is a row of the event 上传: the admin, the address, the file's shown name, its
    outcome and document — a 重复 the document it matched, a 跳过 why —; ``sucai audit`` lists them."""
    admin = logged_in(app, "管理员")
    body = "关于开展春季植树活动的通知\n各单位：请于三月组织植树。白杨垂柳测试句。\n".encode()
    page = upload(admin, [("植树通知.txt", body), ("../植树通知副本.txt", body), ("空白.txt", b" \n")])
    (doc_id,) = {int(i) for i in re.findall(r'href="/documents/(\d+)"', page.text)}
    entries = accounts.audit_log(3, event="upload")
    assert [(e["username"], e["role"], e["source_ip"]) for e in entries] == [("管理员", "admin", "testclient")] * 3
    assert [e["detail"] for e in entries[::-1]] == [f"植树通知.txt：已入库，编号 {doc_id}",
                                                    f"植树通知副本.txt：重复，编号 {doc_id}（与文档 {doc_id} 内容相同）",
                                                    "空白.txt：跳过（文件为空（没有文字内容））"]
    table = CliRunner().invoke(cli_app, ["audit", "--limit", "3", "--home", str(home)]).output
    assert table.count("上传") == 3 and f"植树通知副本.txt：重复，编号 {doc_id}" in table


def test_an_upload_kept_as_the_better_copy_keeps_its_file(app, library, home):
    """A text uploaded in GBK, then in UTF-8: the second is 重复, but its document takes it as the better copy
    (:func:`sucai.dedupe.quality`) and names its file — which was removed as any 重复 upload was, leaving the
    document's source a file that is gone. That file and its record stay."""
    admin = logged_in(app, "管理员")
    notice = ("关于做好冬季供暖保障工作的通知\n各区人民政府，市政府各部门：\n为做好今冬明春供暖保障工作，确保群众温暖过冬，"
              "现就有关事项通知如下。\n一、压实工作责任\n各区要落实属地责任。暖气锅炉测试句。\n")
    assert outcomes(upload(admin, [("供暖通知.txt", notice.encode("gbk"))]).text) == [("ingested", "供暖通知.txt")]
    page = upload(admin, [("供暖通知 UTF-8.txt", notice.encode())]).text
    assert outcomes(page) == [("duplicate", "供暖通知 UTF-8.txt")]
    [doc_id] = re.findall(r'href="/documents/(\d+)"', page)
    kept = home / "uploads" / datetime.now(ZoneInfo(library.settings.timezone)).date().isoformat() / "供暖通知 UTF-8.txt"
    stored = library.get(int(doc_id), include_hidden=True)
    assert (stored.encoding, stored.source_path) == ("utf-8", str(kept)) and kept.read_text() == notice
    assert library.catalogue.file_records([str(kept)])[str(kept)].doc_id == int(doc_id)


def _reasons(page: str) -> list[tuple[str, str, str]]:
    """Each file's (status, name, reason) on the upload page."""
    return re.findall(r'data-status="(\w+)"><td>([^<]*)</td><td>[^<]*</td>\s*<td>(?:<a [^>]*>[^<]*</a>)?</td>'
                      r'<td>([^<]*)</td>', page)


@pytest.mark.parametrize("name, data, reason", [
    ("图片.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "PNG"),
    ("超大.txt", ("字" * 400_000).encode(), "文件过大"),
    ("炸弹.docx", None, "过大"),
    ("空.txt", b"", "空"),
])
def test_bad_uploads_get_a_clear_error_and_store_nothing(app, library, name, data, reason):
    if data is None:
        document = new_document()
        document.add_paragraph("正文")
        data = zip_bomb_docx(docx_bytes(document))
        assert len(data) < 2**20            # small on the wire, huge when unpacked
    admin = logged_in(app, "管理员")
    before = library.catalogue.stats()["documents"]
    page = upload(admin, [(name, data)])
    assert page.status_code == 200
    (status, shown), = outcomes(page.text)
    assert status == "skipped" and shown == name
    assert reason in page.text
    assert library.catalogue.stats()["documents"] == before


def test_upload_request_too_large_is_refused_before_reading(app, library):
    admin = logged_in(app, "管理员")
    before = library.catalogue.stats()["documents"]
    page = upload(admin, [(f"{i}.txt", b"x" * (2**20 - 10)) for i in range(7)])
    assert page.status_code == 413 and "上传内容过大" in page.text
    assert library.catalogue.stats()["documents"] == before


# -- what the pages say about accounts ----------------------------------------------------------


def _local(stamp: str, hours: int) -> str:
    """A stored UTC time shifted by ``hours`` (Asia/Shanghai is UTC+8 all year), as the pages show it."""
    return (datetime.fromisoformat(stamp) + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("zone, hours", [("Asia/Shanghai", 8), ("UTC", 0)])
def test_audit_log_in_local_time_with_chinese_roles(home, zone, hours):
    app = make_app(home, timezone=zone)
    admin = logged_in(app, "管理员")
    entry = app.state.accounts.audit_log(1, event="login")[0]
    page = admin.get("/admin/audit").text
    assert f"<tr><td>{_local(entry['at'], hours)}</td><td>登录</td><td>管理员</td><td>管理员</td>" in page
    for code in ("admin", "visitor", "member", "cli"):
        assert f"<td>{code}</td>" not in page
    if hours:
        assert entry["at"][:19].replace("T", " ") not in page
    runner = CliRunner()
    table = runner.invoke(cli_app, ["audit", "--limit", "500", "--home", str(home)], env={"SUCAI_TIMEZONE": zone}).output
    row = next(line for line in table.splitlines() if _local(entry["at"], hours) in line)
    assert "登录" in row and "管理员" in row and "admin" not in row


def test_nav_shows_the_name_and_the_role_apart(app):
    admin = logged_in(app, "管理员")
    nav = admin.get("/", headers={"accept": "text/html"}).text
    nav = nav[nav.index('id="user-nav"'): nav.index("</nav>", nav.index('id="user-nav"'))]
    assert '<a href="/account" id="who" title="我的账号">管理员</a>' in nav
    assert '身份：</span><span id="role">管理员</span>' in nav


@pytest.mark.parametrize("spelling", ["{}_0", "+{}", "{}.0", "%20{}", "{}%20"])
def test_a_user_has_one_address(app, accounts, spelling):
    """``/admin/users/3_0/role`` changed user 3's role (pydantic's int parsing read 3_0, +3, 3.0 and " 3" as 3):
    only the digits of a user's 编号 address them; any other spelling is 404 in Chinese and changes nothing,
    and a GET of the POST-only route is 405 with ``Allow: POST``."""
    admin = logged_in(app, "管理员")
    token = csrf_of(admin, "/admin/users")
    user = accounts.viewer("免费用户")
    for action, form in (("role", {"role": "admin"}), ("expiry", {"until": NEXT_YEAR}), ("remove", {})):
        refused = admin.post(f"/admin/users/{spelling.format(user.user_id)}/{action}", data={**form, "csrf_token": token})
        assert refused.status_code == 404 and "找不到这个页面或资源" in refused.text, (action, refused.text[:300])
    after = accounts.viewer("免费用户")
    assert (after.role, after.member_until) == (user.role, user.member_until) == ("user", None)
    wrong = admin.get(f"/admin/users/{user.user_id}/role")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST") and "不支持这种请求方式" in wrong.text
