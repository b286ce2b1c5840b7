"""Saved searches (新 N, their feeds), favourites in folders (notes, zip within the quota), history, and
what members look for (counts written off the request path, no query tied to a person)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from fastapi.testclient import TestClient

from sqlalchemy import inspect, select

from conftest import site_day, store, stored_text
from sucai.accounts import Accounts
from sucai.analytics import Analytics, query_key
from sucai.collections import Collections, new_matches
from sucai.config import load_settings
from sucai.db.schema import document_stats, favourites, history
from sucai.errors import InvalidInput, NotFound
from sucai.library import Library
from sucai.retention import prune
from sucai.search import SearchRequest
from sucai.web import create_app

SAMPLES = Path(str(resources.files("sucai").joinpath("samples/library")))
PASSWORD = "correct-horse-9"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def notice(number: str, topic: str) -> str:
    return f"关于做好{topic}工作的通知（{number}）\n一、总体要求\n各单位要认真做好第{number}批{topic}工作，确保各项任务落到实处。\n"


@pytest.fixture
def site(tmp_path, home):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    library = Library.open(home)
    library.ingest([SAMPLES], workers=1)
    accounts = Accounts.from_settings(load_settings(home, member_daily_downloads=3))
    accounts.add_user("张三", PASSWORD)
    accounts.add_user("会员", PASSWORD, "member", site_day(365).isoformat())
    accounts.add_user("管理员", PASSWORD, "admin")
    app = create_app(settings=load_settings(home, member_daily_downloads=3))
    yield {"home": home, "inbox": inbox, "library": library, "accounts": accounts, "app": app}
    accounts.close()
    library.close()


def eventually(fetch, seconds: float = 120):
    """``fetch()`` once it is truthy: the web app's index sees another writer's commit within moments (the bound
    only ends the wait on a machine loaded far beyond that)."""
    deadline = time.monotonic() + seconds
    while not (value := fetch()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def add(site, name: str, text: str) -> int:
    path = site["inbox"] / name
    path.write_text(text, encoding="utf-8")
    return site["library"].ingest([path], workers=1).outcomes[0].doc_id


def logged_in(app, name: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    token = _CSRF.search(client.get("/login", headers={"accept": "text/html"}).text).group(1)
    client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token})
    return client, _CSRF.search(client.get("/account", headers={"accept": "text/html"}).text).group(1)


def test_new_matches_count_what_arrived_since_the_last_visit(site):
    library, store = site["library"], Collections(site["accounts"])
    user = site["accounts"].viewer("张三")
    saved = store.save_search(user, "", {"q": "森林防火", "mode": "precise"})
    assert saved.name == "森林防火" and new_matches(library, saved, False) == []
    first = add(site, "a.txt", notice("一", "森林防火"))
    add(site, "b.txt", notice("二", "防汛抗旱"))           # does not match
    # texts of their own: near-duplicates would be one result (one cluster) and one new match
    second = add(site, "c.txt", "关于开展冬春森林防火隐患排查的通知\n各林场、各乡镇：入冬以来天干物燥，请于十二月底前完成林区隐患排查。\n")
    assert sorted(new_matches(library, store.saved_search(user, saved.id), False)) == [first, second]
    store.mark_seen(user, saved.id)
    assert new_matches(library, store.saved_search(user, saved.id), False) == []
    third = add(site, "d.txt", "森林防火宣传月活动方案\n一、活动时间\n三月一日至三十一日，在全县各村组开展防火宣传。\n")
    assert new_matches(library, store.saved_search(user, saved.id), False) == [third]
    other = site["accounts"].viewer("会员")
    with pytest.raises(NotFound):
        store.saved_search(other, saved.id)               # someone else's
    with pytest.raises(InvalidInput):
        store.save_search(user, "空", {"q": " "})


def test_a_saved_search_feed_uses_a_secret_token_stored_hashed_and_revocable(site):
    store, user = Collections(site["accounts"]), site["accounts"].viewer("张三")
    saved = store.save_search(user, "防火", {"q": "森林防火", "mode": "precise"})
    token = store.new_feed_token(user, saved.id)
    doc_id = add(site, "a.txt", notice("一", "森林防火"))
    client = TestClient(site["app"])
    feed = eventually(lambda: (f := feedparser.parse(client.get(f"/feeds/saved/{token}.atom").content)).entries and f)
    assert not feed.bozo and feed.version == "atom10"
    assert [e.link for e in feed.entries] == [f"http://testserver/documents/{doc_id}"]
    assert token not in feed.feed.id
    assert token not in stored_text(site["accounts"].db)
    newer = store.new_feed_token(user, saved.id)            # making it again revokes the old URL
    assert client.get(f"/feeds/saved/{token}.atom").status_code == 404
    assert client.get(f"/feeds/saved/{newer}.atom").status_code == 200
    store.revoke_feed(user, saved.id)
    assert client.get(f"/feeds/saved/{newer}.atom").status_code == 404
    assert client.get("/feeds/saved/sf_guess.atom").status_code == 404


def test_saving_a_search_and_seeing_new_1_on_the_web(site):
    client, token = logged_in(site["app"], "张三")
    page = client.get("/search", params={"q": "森林防火", "mode": "precise"}, headers={"accept": "text/html"}).text
    assert 'id="save-search-form"' in page
    saved = client.post("/saved", data={"csrf_token": token, "q": "森林防火", "mode": "precise", "name": "防火"})
    assert saved.status_code == 200 and "防火" in saved.text and "无新结果" in saved.text
    doc_id = add(site, "a.txt", notice("一", "森林防火"))
    listing = eventually(lambda: (t := client.get("/saved", headers={"accept": "text/html"}).text).count("新 1") and t)
    search_id = re.search(r'href="/saved/(\d+)" class="badge new-count">新 1<', listing).group(1)
    opened = client.get(f"/saved/{search_id}", headers={"accept": "text/html"}).text
    assert f'href="/documents/{doc_id}"' in opened and 'id="new-total">1<' in opened
    assert "新 1" not in client.get("/saved", headers={"accept": "text/html"}).text   # seen now
    made = client.post(f"/saved/{search_id}/feed", data={"csrf_token": token}).text
    url = re.search(r'id="feed-url"[^>]*>([^<]+)<', made).group(1)
    assert TestClient(site["app"]).get(url.replace("http://testserver", "")).status_code == 200
    assert TestClient(site["app"]).get("/saved", follow_redirects=False).status_code == 303   # visitors log in first


def test_names_and_notes_are_kept_without_control_characters(site):
    """A folder, a saved search and a note typed with NUL and a terminal escape (ESC[31m) are kept as
    ``clean.plain`` keeps a one-line field: PostgreSQL's text cannot hold a NUL (the save was a 500 there),
    and an ESC went to the page and to a terminal."""
    store, member = Collections(site["accounts"]), site["accounts"].viewer("会员")
    doc_id = site["library"].catalogue.summaries()[0]["id"]
    folder = store.add_favourite(member, doc_id, "述职\x00参考\x1b[31m", "备注\x00一\x1b[0m")
    assert folder.name == "述职 参考 [31m"
    assert [item.note for item in store.favourites(member, folder.id)] == ["备注 一 [0m"]
    store.set_note(member, folder.id, doc_id, "\x1b[31m改过\x00")
    assert [item.note for item in store.favourites(member, folder.id)] == ["[31m改过"]
    assert store.save_search(member, "\x00基层\x1b减负", {"q": "基层减负"}).name == "基层 减负"


def test_favourites_in_folders_with_notes_and_a_zip_within_the_quota(site):
    library = site["library"]
    ids = [r["id"] for r in library.catalogue.summaries()]
    # the site's clock stopped at noon: the quota's day does not end halfway through the test; tomorrow's, so that it
    # is after the accounts were made (a download before its account was made is no download of it: run after noon in
    # Beijing, today's noon lost the three)
    today = site_day() + timedelta(days=1)
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    app = create_app(settings=load_settings(site["home"], member_daily_downloads=3), now=lambda: noon)
    client, token = logged_in(app, "会员")
    for doc_id in ids[:4]:
        response = client.post("/favourites", data={"csrf_token": token, "doc_id": doc_id, "folder": "述职参考",
                                                   "note": f"备注{doc_id}"}, follow_redirects=False)
        assert response.status_code == 303
    folder = int(response.headers["location"].rsplit("/", 1)[1])
    client.post("/favourites", data={"csrf_token": token, "doc_id": ids[0], "folder": "另一个"})
    member = site["accounts"].viewer("会员")
    store = Collections(site["accounts"])
    assert [(f.name, f.count) for f in store.folders(member)] == [("述职参考", 4), ("另一个", 1)]
    assert [f.name for f in store.folders_holding(member, ids[0])] == ["述职参考", "另一个"]
    client.post(f"/favourites/{folder}/items/{ids[1]}/note", data={"csrf_token": token, "note": "改过的备注"})
    page = client.get(f"/favourites/{folder}", headers={"accept": "text/html"}).text
    assert "改过的备注" in page and library.get(ids[2]).title in page
    client.post(f"/favourites/{folder}/items/{ids[3]}/remove", data={"csrf_token": token})
    packed = client.post(f"/favourites/{folder}/download", data={"csrf_token": token, "format": "md"})
    assert packed.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(packed.content)).namelist()
    assert len(names) == 4 and "索引.csv" in names                  # three documents and the index
    assert app.state.accounts.downloads_left(member) == 0          # the quota of 3 is spent
    refused = client.post(f"/favourites/{folder}/download", data={"csrf_token": token, "format": "md"})
    assert refused.status_code == 429                              # full again at Beijing's next midnight
    assert refused.headers["retry-after"] == str(12 * 3600)        # from noon
    assert client.post(f"/favourites/{folder}/download", data={"format": "md"}).status_code == 403   # no CSRF
    stranger, stranger_token = logged_in(site["app"], "张三")
    assert stranger.get(f"/favourites/{folder}", headers={"accept": "text/html"}).status_code == 404
    assert stranger.post(f"/favourites/{folder}/download", data={"csrf_token": stranger_token}).status_code == 404


def test_history_and_what_members_look_for(site):
    library = site["library"]
    ids = [r["id"] for r in library.catalogue.summaries()]
    client, token = logged_in(site["app"], "会员")
    for query in ("基层减负", "基层减负", "鬯鬱鬲鬳"):
        client.get("/search", params={"q": query}, headers={"accept": "text/html"})
    client.get("/search", params={"q": "基层减负", "page": 2}, headers={"accept": "text/html"})   # paging is not a search
    for doc_id in (ids[0], ids[0], ids[1]):
        client.get(f"/documents/{doc_id}", headers={"accept": "text/html"})
    client.get(f"/api/documents/{ids[1]}/download", params={"format": "txt"})
    history = client.get("/history", headers={"accept": "text/html"}).text
    assert history.count("<td>阅读</td>") == 3 and history.count("<td>下载</td>") == 1
    admin, _ = logged_in(site["app"], "管理员")
    admin.get("/search", params={"q": "管理员查的耕地保护"}, headers={"accept": "text/html"})
    page = admin.get("/admin/insights", headers={"accept": "text/html"}).text
    top = page[page.index('id="top-queries"'):]
    assert re.search(r"基层减负</a></td><td>2</td><td>0</td>", top)
    empty = page[page.index('id="empty-queries"'):]
    assert re.search(f"{query_key('鬯鬱鬲鬳')}</a></td><td>1</td><td>1</td>", empty)   # counted normalised (鬱 → 郁)
    assert "管理员查的耕地保护" not in page
    most_read = page[page.index('id="most-read"'):page.index('id="most-downloaded"')]
    assert f'/documents/{ids[0]}">' in most_read and re.search(r"</a></td><td>2</td>", most_read)
    assert 'id="new-users"' in page
    assert client.get("/admin/insights").status_code == 403
    with site["accounts"].db.read() as conn:   # a query is stored with its day only
        assert [c["name"] for c in inspect(conn).get_columns("search_stats")] == ["day", "query", "searches", "empty",
                                                                                  "missing"]


def test_a_query_with_no_result_only_as_filtered_is_not_listed_as_missing_material(site):
    """F14: 没有结果的检索 (该补充的材料) listed a query whose search was filtered by 文种 to nothing, though the
    library holds it. A query is listed there only when a search of it alone finds nothing; one that found nothing only
    as it was made is listed apart with what a member's unfiltered search finds (the search page's count)."""
    html = {"accept": "text/html"}
    client, _ = logged_in(site["app"], "会员")
    found = client.get("/api/search", params={"q": "基层减负"}).json()["total"]
    narrowed = client.get("/api/search", params={"q": "基层减负", "genre": "命令"}).json()["total"]
    assert found > 0 and narrowed == 0
    client.get("/search", params={"q": "基层减负", "genre": "命令"}, headers=html)
    client.get("/search", params={"q": "鬯鬱鬲鬳"}, headers=html)
    admin, _ = logged_in(site["app"], "管理员")
    page = admin.get("/admin/insights", headers=html).text
    empty = page[page.index('id="empty-queries"'):page.index('id="narrowed-queries"')]
    assert f"{query_key('鬯鬱鬲鬳')}</a></td><td>1</td><td>1</td>" in empty and "基层减负" not in empty
    assert re.search("基层减负</a></td><td>3</td><td>2</td>", page[page.index('id="narrowed-queries"'):])


def test_a_query_is_listed_as_missing_material_by_what_its_search_found_as_made(site):
    """Review 18: the page searched again the query's counted key, not the query as searched — ``减负 -基层`` found
    nothing, but its key ``减负-基层`` finds 9 documents, so it was listed as found only as filtered; a 精准 search
    that found nothing was searched again 智能. Whether a member's search over the whole library found nothing is
    recorded with the search: those are 没有结果, whatever their key finds; a visitor's (the free part) are not."""
    html = {"accept": "text/html"}
    member, _ = logged_in(site["app"], "会员")
    library = site["library"]
    for params in ({"q": "减负 -基层"}, {"q": "减负基层", "mode": "precise"}):
        assert member.get("/api/search", params=params).json()["total"] == 0
        assert library.search(SearchRequest(q=query_key(params["q"])), member=True).total > 0
        member.get("/search", params=params, headers=html)
    TestClient(site["app"]).get("/search", params={"q": "鬯鬱鬲鬳"}, headers=html)
    admin, _ = logged_in(site["app"], "管理员")
    page = admin.get("/admin/insights", headers=html).text
    empty = page[page.index('id="empty-queries"'):page.index('id="narrowed-queries"')]
    for query in ("减负 -基层", "减负基层"):
        assert f"{query_key(query)}</a></td><td>2</td><td>2</td>" in empty
    assert query_key("鬯鬱鬲鬳") not in empty and query_key("鬯鬱鬲鬳") in page[page.index('id="narrowed-queries"'):]


def test_a_query_with_control_characters_is_counted_as_its_words(site):
    """"基层\\x00减负" is counted as 基层减负: PostgreSQL refuses a NUL in text, and the batch of counts
    (everyone's searches, reads and 记录 of that second) was lost with it; on SQLite it was a query of its own."""
    client, _ = logged_in(site["app"], "会员")
    doc_id = site["library"].catalogue.summaries()[0]["id"]
    for query in ("基层\x00减负", "基层减负", "基层\x07\u202e减负"):
        client.get("/search", params={"q": query}, headers={"accept": "text/html"})
    client.get(f"/documents/{doc_id}", headers={"accept": "text/html"})
    assert client.get("/history", headers={"accept": "text/html"}).text.count("<td>阅读</td>") == 1
    admin, _ = logged_in(site["app"], "管理员")
    page = admin.get("/admin/insights", headers={"accept": "text/html"}).text
    top = page[page.index('id="top-queries"'):]
    assert re.search(r"基层减负</a></td><td>3</td>", top) and "\x00" not in page and "\u202e" not in page


def test_searches_are_counted_after_the_app_was_started_again(site):
    """The app's lifespan ends (a test client closes, the server reloads) and begins again: the analytics
    writer starts again with it, so searches made afterwards are still counted."""
    app = site["app"]
    for query in ("秸秆综合利用", "防汛抗旱"):
        with TestClient(app) as client:   # each ``with`` is one lifespan of the app
            client.get("/search", params={"q": query}, headers={"accept": "text/html"})
    admin, _ = logged_in(app, "管理员")
    page = admin.get("/admin/insights", headers={"accept": "text/html"}).text
    top = page[page.index('id="top-queries"'):page.index('<h2>没有结果的检索')]
    assert f"{query_key('秸秆综合利用')}</a></td><td>1</td>" in top and f"{query_key('防汛抗旱')}</a></td><td>1</td>" in top


@pytest.mark.parametrize("spelling", ["{}_0", "+{}", "{}.0", "%20{}", "{}%20"])
def test_a_folder_and_a_saved_search_have_one_address(site, spelling):
    """``/favourites/1_0`` and ``/saved/+1`` served folder 1 and saved search 1 (pydantic's int parsing): only the
    digits of their 编号 address them; any other spelling is 404 in Chinese, and a form posted to one changes
    nothing."""
    client, token = logged_in(site["app"], "会员")
    doc_id = site["library"].catalogue.summaries()[0]["id"]
    folder = int(client.post("/favourites", data={"csrf_token": token, "doc_id": doc_id, "folder": "参考"},
                             follow_redirects=False).headers["location"].rsplit("/", 1)[1])
    client.post("/saved", data={"csrf_token": token, "q": "森林防火", "name": "防火"})
    saved = Collections(site["accounts"]).saved_searches(site["accounts"].viewer("会员"))[0].id
    assert client.get(f"/favourites/{folder}", headers={"accept": "text/html"}).status_code == 200
    assert client.get(f"/saved/{saved}", headers={"accept": "text/html"}).status_code == 200
    for path in (f"/favourites/{spelling.format(folder)}", f"/saved/{spelling.format(saved)}"):
        page = client.get(path, headers={"accept": "text/html"})
        assert page.status_code == 404 and "找不到这个页面或资源" in page.text, (path, re.sub(r"<[^>]+>", "", page.text)[-400:])
    for path in (f"/favourites/{spelling.format(folder)}/delete", f"/saved/{spelling.format(saved)}/delete",
                 f"/favourites/{spelling.format(folder)}/items/{doc_id}/remove"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    member = site["accounts"].viewer("会员")
    store = Collections(site["accounts"])
    assert [(f.id, f.count) for f in store.folders(member)] == [(folder, 1)]
    assert [s.id for s in store.saved_searches(member)] == [saved]
    wrong = client.get(f"/saved/{saved}/delete")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")


@pytest.mark.parametrize("query", ["\u200b", "\ufeff", "\u2060\u3000\u200d"])
def test_a_query_of_invisible_characters_alone_is_no_query_to_save(site, query):
    """Invisible characters alone are what a search reads as no query (it lists every document): saved, they made a
    search of everything — said with a name, or refused for a blank name it was made into — where a blank query is
    told to type one."""
    store, user = Collections(site["accounts"]), site["accounts"].viewer("张三")
    for name in ("", "全部"):
        with pytest.raises(InvalidInput) as refused:
            store.save_search(user, name, {"q": query})
        assert refused.value.code == "empty_search"
    saved = store.save_search(user, "", {"q": query, "genre": "通知"})   # a filter alone is a search
    assert (saved.name, saved.params["q"], saved.params["genre"]) == ("通知", None, "通知")


def _kept_of_two_documents(library: Library) -> tuple[list[int], Callable[[], dict]]:
    """Two documents, each a member's favourite, in her history (read, downloaded) and counted as read: their ids,
    and a reader of what the accounts keep of documents (each table's ids, a row each)."""
    ids = [store(library.catalogue, f"文档{n}", f"第{n}篇的正文。") for n in range(2)]
    library.index.sync()
    accounts = Accounts.from_settings(library.settings)
    member = accounts.add_user("会员甲", "correct-horse-9", "member", "2099-12-31")
    collections = Collections(accounts)
    for doc_id in ids:
        collections.add_favourite(member, doc_id, "常用")
        collections.record_history([(member.user_id, doc_id, kind, "2026-12-01T00:00:00.000000+00:00")
                                    for kind in ("read", "download")])
    Analytics(accounts, library.settings.zone).write(Counter(), Counter(), Counter(),
                                                     Counter({(site_day().isoformat(), d): 1 for d in ids}), Counter())

    def kept() -> dict[str, list[int]]:
        return {table.name: sorted(d for (d,) in accounts._read(select(table.c.doc_id)))
                for table in (favourites, history, document_stats)}

    return ids, kept


def test_a_removed_documents_favourites_history_and_counts_go_with_it(library):
    """ops29: `sucai rm` and the admin's delete (Library.remove) left the document's favourites, history entries and
    阅读统计 behind, naming a document no longer there; they now go with it, the other document's stay."""
    ids, kept = _kept_of_two_documents(library)
    library.remove(ids[0])
    assert kept() == {"favourites": [ids[1]], "history": [ids[1], ids[1]], "document_stats": [ids[1]]}


def test_what_a_removal_left_in_the_accounts_goes_at_the_daily_pruning(library):
    """The catalogue and the accounts are two databases: a process ended between the removal and the forgetting
    leaves the rows, which the day's pruning (sucai.retention) deletes — those of the removed document alone."""
    ids, kept = _kept_of_two_documents(library)
    library.catalogue.remove(ids[1])   # the catalogue's part of a removal, as a process ended after it leaves it
    assert prune(library)["removed"] == 4
    assert kept() == {"favourites": [ids[0]], "history": [ids[0], ids[0]], "document_stats": [ids[0]]}
