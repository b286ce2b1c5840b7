"""今日更新 and the Atom feeds: per day and per 文种, local days, the free view only in feeds.

Feeds are parsed with feedparser (a different library from the one that writes them,
feedgen) and must come out as well-formed Atom 1.0.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from fastapi.testclient import TestClient

import sucai.config
import sucai.updates
from conftest import frozen_datetime
from sucai import access
from sucai.config import load_settings, local_time
from sucai.counting import count_chars
from sucai.db import Database
from sucai.db.schema import documents
from sucai.library import Library
from sucai.updates import added_today, parse_since, updates
from sucai.web import create_app

SAMPLES = Path(str(resources.files("sucai").joinpath("samples/library")))
SECRET = "鬯鬱鬲鬳鬴鬵鬶鬷"   # in a members part only
NOW = datetime(2026, 12, 1, 16, 10, tzinfo=timezone.utc)   # the site's clock in these tests: 12-02 00:10 in Beijing
FREE_NOTICE = (
    "关于规范督查检查考核工作的通知\n一、总体要求\n统筹规范督查检查考核，切实减轻基层负担。\n"
    f"##paidbegin##\n二、内部口径\n按照{SECRET}口径掌握，不对外公开。\n")


def backdate(home: Path, doc_id: int, stamp: str) -> None:
    """Pretend a document was added at ``stamp`` (UTC ISO), as if ingested then."""
    with Database(load_settings(home).database("catalogue"), "catalogue").transaction() as conn:
        conn.execute(documents.update().where(documents.c.id == doc_id).values(ingested_at=stamp))


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_home):
    root = tmp_path_factory.mktemp("updates")
    home, extra = make_home(root / "home"), root / "extra"
    extra.mkdir()
    (extra / "督查通知.txt").write_text(FREE_NOTICE, encoding="utf-8")
    library = Library.open(home)
    library.ingest([SAMPLES, extra], workers=1)
    ids = [r["id"] for r in library.catalogue.summaries()]
    # the site's clock stopped at NOW, so that no test sees today become tomorrow as a run passes Beijing's midnight;
    # the documents added at today's midnight and the seconds after it, in the order of their ids (the newest last),
    # but three added on earlier local days (Asia/Shanghai): 2 days ago 23:30 local is 15:30 UTC
    midnight = NOW.astimezone(library.settings.zone).replace(hour=0, minute=0)
    for seconds, doc_id in enumerate(sorted(ids[3:])):
        backdate(home, doc_id, (midnight + timedelta(seconds=seconds)).astimezone(timezone.utc).isoformat())
    for doc_id, back in zip(ids[:3], (2, 2, 5)):
        local = midnight - timedelta(days=back) + timedelta(hours=23, minutes=30)
        backdate(home, doc_id, local.astimezone(timezone.utc).isoformat(timespec="seconds"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sucai.updates, "datetime", frozen_datetime(NOW))
        yield {"home": home, "library": library, "ids": ids, "today": midnight.date(), "app": create_app(home)}
    library.close()


def test_updates_per_day_and_genre(site):
    library, ids, today = site["library"], site["ids"], site["today"]
    found = updates(library, member=True, since="7")
    assert found.total == len(ids) and found.today_count == len(ids) - 3 == added_today(library)
    by_day = {d["date"]: d for d in found.days}
    two_ago, five_ago = (today - timedelta(days=2)).isoformat(), (today - timedelta(days=5)).isoformat()
    assert by_day[two_ago]["count"] == 2 and by_day[five_ago]["count"] == 1   # 23:30 local stays on its day
    assert [d["date"] for d in found.days] == sorted(by_day, reverse=True)
    genres = {}
    for doc_id in ids:
        genres[library.get(doc_id).genre] = genres.get(library.get(doc_id).genre, 0) + 1
    summed = {}
    for day in found.days:
        for genre, count in day["by_genre"].items():
            summed[genre] = summed.get(genre, 0) + count
    assert summed == genres
    only_today = updates(library, member=True)
    assert only_today.total == len(ids) - 3 and only_today.since == today.isoformat()
    assert [d.id for d in found.documents][:1] == [max(ids[3:])]   # newest first
    genre = library.get(ids[5]).genre
    assert {d.genre for d in updates(library, member=True, since="30", genre=genre).documents} == {genre}


def test_since_is_read_leniently_and_bounded(site):
    zone, today = site["library"].settings.zone, site["today"]
    assert parse_since("2024-03-05", zone, today).isoformat() == "2024-03-05T00:00:00+08:00"
    for written in ("2024年3月5日", "２０２４－０３－０５"):   # the forms --since and --until take
        assert parse_since(written, zone, today).isoformat() == "2024-03-05T00:00:00+08:00", written
    assert parse_since("2024-03-05T10:00:00Z", zone, today).astimezone(timezone.utc).hour == 10
    assert parse_since("3", zone, today).date() == today - timedelta(days=2)
    assert parse_since("昨天", zone, today).isoformat() == f"{today - timedelta(days=1)}T00:00:00+08:00"
    old = updates(site["library"], member=True, since="2000-01-01")
    assert old.since == (today - timedelta(days=30)).isoformat() and "31" in old.warnings[0]
    client = TestClient(site["app"])
    said = (f"since 应写作日期（如 {today.isoformat()}、{today.year}年{today.month}月{today.day}日、今天或昨天）、"
            f"最近的天数（如 7）或带时区的时间（如 {today.isoformat()}T08:00:00+08:00）")   # every form it takes (verify32)
    # what was typed is not said back: a link's words (请联系客服领取…) would be the site's
    for typed in ("昨儿", "\x1b[31m昨\x00天", "请拨打客服电话4001234567", "9" * 40):
        bad = client.get("/api/updates", params={"since": typed})
        assert (bad.status_code, bad.json()["code"], bad.json()["error"]) == (422, "bad_since", said), typed
        page = client.get("/updates", params={"since": typed}, headers={"accept": "text/html"})
        shown = re.sub(r'href="[^"]*"', "", page.text)   # the login link's next= keeps the address, encoded
        rest = shown.replace(said, "", 1)                   # the refusal's own 昨天 aside
        assert page.status_code == 422 and said in shown and not re.search(r"4001234567|昨|9{40}", rest), typed


def test_a_since_past_what_utc_can_write_lists_nothing(site):
    """``since=9999-12-31T23:00:00-05:00`` is 10000-01-01 04:00 UTC, past Python's last moment: the API and the page
    were a 500 (OverflowError). Nothing was added after it."""
    client = TestClient(site["app"])
    late = client.get("/api/updates", params={"since": "9999-12-31T23:00:00-05:00"})
    assert late.status_code == 200 and (late.json()["total"], late.json()["documents"]) == (0, [])
    page = client.get("/updates", params={"since": "9999-12-31T23:00:00-05:00"}, headers={"accept": "text/html"})
    assert page.status_code == 200


def test_list_since_a_day_lists_what_came_in_from_its_local_midnight(site, cli, monkeypatch):
    """``sucai list --since`` reads a day as 今日更新 does: from the site's local midnight (Asia/Shanghai), the
    forms every date of sucai takes. The site: three documents added on local days 2 and 5 days ago (23:30),
    the others from today's 00:00:00 on."""
    home, ids, today = str(site["home"]), sorted(site["ids"]), site["today"]
    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)   # cli's own home's database (PostgreSQL): the site's here
    older, newer = sorted(site["ids"][:2]), sorted(site["ids"][3:])
    for day, expected in ((today, newer), (today - timedelta(days=1), newer),
                          (today - timedelta(days=2), sorted(older + newer)), (today - timedelta(days=5), ids)):
        status, printed, _ = cli("list", "--home", home, "--json", "--since", day.isoformat())
        assert status == 0 and [row["id"] for row in json.loads(printed)] == expected, day
    status, printed, _ = cli("list", "--home", home, "--json", "--since", f"{today.year}年{today.month}月{today.day}日")
    assert [row["id"] for row in json.loads(printed)] == newer
    status, _, said = cli("list", "--home", home, "--since", (today + timedelta(days=1)).isoformat())
    assert status == 0 and said.strip() == f"{(today + timedelta(days=1)).isoformat()} 以来没有新入库的文档"
    status, _, said = cli("list", "--home", home, "--since", "前天")
    assert status == 2 and "应写作 2027-12-31、2027年12月31日、今天或昨天" in said


def test_list_since_today_or_yesterday_counts_the_sites_days(site, cli, monkeypatch):
    """write30: ``sucai list --since 今天`` was refused. 今天 and 昨天 are the site's days (Asia/Shanghai): at NOW,
    12-01 16:10 UTC, it is 12-02 in Beijing, so 昨天 is 12-01 — not 11-30, the machine's (UTC) yesterday, from whose
    midnight the two documents of 11-30 23:30 local would be listed too."""
    home, older, newer = str(site["home"]), sorted(site["ids"][:2]), sorted(site["ids"][3:])
    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)
    monkeypatch.setattr(sucai.config, "datetime", frozen_datetime(NOW))
    for written, expected in (("今天", newer), (" 昨天 ", newer), ("昨日", newer)):
        status, printed, _ = cli("list", "--home", home, "--json", "--since", written)
        assert status == 0 and [row["id"] for row in json.loads(printed)] == expected, written
    monkeypatch.setattr(sucai.config, "datetime", frozen_datetime(NOW - timedelta(days=1)))   # 12-01 in Beijing
    status, printed, _ = cli("list", "--home", home, "--json", "--since", "昨天")            # from 11-30
    assert [row["id"] for row in json.loads(printed)] == sorted(older + newer)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", ZoneInfo("Asia/Shanghai")])
def test_one_local_time_for_every_precision(zone):
    """The one way a stored time is shown on the site's clock (the audit log, 卡密 batches, 今日更新, history):
    2026-12-01 16:10:09 UTC is 12-02 00:10:09 in Beijing, whether the zone comes as a name or a tzinfo."""
    stamp = "2026-12-01T16:10:09.500000+00:00"
    assert local_time(stamp, zone) == "2026-12-02 00:10:09"
    assert local_time(stamp, zone, "minutes") == "2026-12-02 00:10"
    assert local_time(stamp, zone, "days") == "2026-12-02"
    assert local_time(stamp, "America/New_York", "days") == "2026-12-01"
    assert local_time(None, zone) == local_time("", zone) == ""


def test_api_and_page(site):
    client = TestClient(site["app"])
    data = client.get("/api/updates", params={"since": "7", "limit": 5}).json()
    assert data["total"] == len(site["ids"]) and len(data["documents"]) == 5
    assert set(data["documents"][0]) >= {"id", "title", "genre", "chars", "added_at", "added_local"}
    page = client.get("/updates", headers={"accept": "text/html"}).text
    assert f'id="today-count">{len(site["ids"]) - 3}<' in page
    home = client.get("/", headers={"accept": "text/html"}).text
    assert f'id="today-count">{len(site["ids"]) - 3}<' in home and 'href="/updates"' in home


def test_a_genre_is_one_of_the_table_and_a_links_words_are_never_shown(site):
    """verify23: 「/updates?genre=请加微信…」 printed the link's words on the page (「今天新增 N 篇（请加微信…）」, a feed
    link named so) and as a feed's title. A 文种 is one of the table now, a shorthand read as the name it stands for
    (「讲话」: 讲话稿); any other is refused in words of the site's own, on the API, the page and the feed."""
    client, library = TestClient(site["app"]), site["library"]
    said = "没有这个文种，请从文种表中选择（文种表见 sucai genres）"
    spam = "请加微信qs123领取会员"
    bad = client.get("/api/updates", params={"genre": spam, "since": "30"})
    assert (bad.status_code, bad.json()["code"], bad.json()["error"]) == (422, "bad_genre", said)
    page = client.get("/updates", params={"genre": spam}, headers={"accept": "text/html"})
    shown = re.sub(r'href="[^"]*"', "", page.text)   # the login link's next= keeps the address, encoded
    assert page.status_code == 422 and said in shown and "qs123" not in shown and "微信" not in shown
    feed = client.get("/feeds/updates.atom", params={"genre": spam})
    assert feed.status_code == 422 and "qs123" not in feed.text
    speeches = [d.id for d in library.catalogue.documents() if d.genre == "讲话稿"]
    assert speeches   # the samples hold speeches: 讲话 is their shorthand
    shorthand = client.get("/api/updates", params={"genre": "讲话", "since": "30", "limit": 100}).json()
    assert shorthand["genre"] == "讲话稿" and sorted(d["id"] for d in shorthand["documents"]) == sorted(speeches)
    page = client.get("/updates", params={"genre": "讲话", "since": "30"}, headers={"accept": "text/html"}).text
    assert "（讲话稿）" in page and "genre=%E8%AE%B2%E8%AF%9D%E7%A8%BF" in page   # the feed of 讲话稿 offered


def test_equal_titles_are_told_apart_in_the_updates_list(tmp_path, make_home):
    """New-user try 20: 今日更新 listed 「政府工作报告」 three times and 「中华人民共和国行政复议法」 twice, each with
    only its 文种, 字数 and time added: as on the home page, an equal title is followed by its 来源 and year, and
    each row shows its date and 来源."""
    folder = tmp_path / "in"
    folder.mkdir()
    summary = "工作总结\n\n一、主要工作\n今年以来，我局{}。\n\n{}\n{}\n"
    for name, work, unit, day in (("a.txt", "完成预算执行审计项目12个", "某县审计局", "2023年12月20日"),
                                  ("b.txt", "完成专项审计调查项目8个", "某市审计局", "2024年12月25日")):
        (folder / name).write_text(summary.format(work, unit, day), encoding="utf-8")
    home = make_home(tmp_path / "home")
    library = Library.open(home)
    library.ingest([folder], workers=1)
    library.close()
    page = TestClient(create_app(home)).get("/updates", params={"since": "7"}, headers={"accept": "text/html"}).text
    rows = sorted(re.sub(r"<[^>]+>|\s+", "", row) for row in re.findall(r'<li><a href="/documents/.*?</li>', page, re.S))
    assert [re.sub(r"·[\d,]+字·", "·…字·", row.split("·入库")[0]) for row in rows] == [
        "工作总结（某县审计局·2023）工作总结·…字·2023-12-20·某县审计局",
        "工作总结（某市审计局·2024）工作总结·…字·2024-12-25·某市审计局"]


def test_non_members_get_the_free_view_in_updates(site):
    library = site["library"]
    doc = next(d for d in library.catalogue.documents() if d.title.startswith("关于规范督查检查考核"))
    free = access.free_view(doc)
    listed = next(d for d in updates(library, member=False).documents if d.id == doc.id)
    assert (listed.title, listed.genre, listed.date) == (free.title, free.genre, free.date)
    assert SECRET not in TestClient(site["app"]).get("/api/updates").text


def test_a_visitor_sees_the_whole_documents_count_in_updates_as_everywhere_else(site):
    library, client = site["library"], TestClient(site["app"])
    doc = next(d for d in library.catalogue.documents() if d.title.startswith("关于规范督查检查考核"))
    whole = count_chars(doc.text)
    assert SECRET in doc.text and whole >= count_chars(access.free_view(doc).text) + len(SECRET)
    listed = next(d for d in client.get("/api/updates").json()["documents"] if d["id"] == doc.id)
    hit = next(h for h in client.get("/api/search", params={"q": "督查检查考核"}).json()["hits"] if h["id"] == doc.id)
    assert listed["chars"] == hit["chars"] == client.get(f"/api/documents/{doc.id}").json()["chars"] == whole
    html = {"accept": "text/html"}
    row = re.search(rf'<li><a href="/documents/{doc.id}">[^<]*</a>\s*<span class="meta">[^<]* · ([\d,]+) 字',
                    client.get("/updates", headers=html).text)
    page = re.search(r"<dt>字数</dt><dd>([\d,]+) 字", client.get(f"/documents/{doc.id}", headers=html).text)
    assert row[1] == page[1] == f"{whole:,}"


def test_the_windows_documents_are_read_once_a_change_not_every_request(tmp_path, make_home, monkeypatch):
    """Attack 22: each visitor's ``/api/updates?since=31`` (and the page, and ``/feeds/updates.atom?genre=`` of a 文种
    none has) read every document added in the last 31 days whole and made its free view: 0.3 s of CPU a request for
    1,500 laws added in a month, asked again and again. The listing of the window is kept for each tier until the
    catalogue changes (a document hidden is gone at once): the same as a server that never listed it, a member's
    never a visitor's; a feed reads its entries only."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "督查通知.txt").write_text(FREE_NOTICE, encoding="utf-8")
    (folder / "会员标题.txt").write_text(f"##paidbegin##关于{SECRET}工作情况的报告\n一、基本情况\n今年以来，我们扎实推进各项工作。\n",
                                     encoding="utf-8")
    home = make_home(tmp_path / "home")
    library = Library.open(home)
    library.ingest([SAMPLES, folder], workers=1)
    ids = {row["id"] for row in library.catalogue.summaries()}
    library.close()
    monkeypatch.setattr(sucai.updates, "datetime", frozen_datetime(datetime.now(timezone.utc)))   # no new day meanwhile
    app = create_app(home)
    app.state.accounts.add_user("会员", "updates-password", "member", "2099-12-31")
    member = TestClient(app, headers={"authorization": f"Bearer {app.state.accounts.create_token('会员', 't')}"})

    def served(app) -> list[dict]:
        client = TestClient(app)
        return [client.get("/api/updates", params=params).json() for params in (
            {"since": "7", "limit": 100}, {"since": "1", "limit": 100}, {"since": "7", "genre": "通知"})]

    read = []
    documents = app.state.library.catalogue.documents
    monkeypatch.setattr(app.state.library.catalogue, "documents",
                        lambda ids=None, **kw: read.append(ids) or documents(ids, **kw))
    assert SECRET in member.get("/api/updates", params={"since": "7"}).text   # the member's listing, first
    read.clear()
    first = served(app)
    assert SECRET not in str(first) and {i for ids in read for i in ids} == ids   # the window: every document
    read.clear()
    assert served(app) == first and read == []
    feed = parsed(TestClient(app).get("/feeds/updates.atom", params={"genre": "通知"}))
    shown = {int(entry.link.rsplit("/", 1)[1]) for entry in feed.entries}
    assert shown == {d["id"] for d in first[2]["documents"]} and {i for ids in read for i in ids} == shown
    hidden = first[0]["documents"][0]["id"]
    app.state.library.set_hidden(hidden, True)
    again = served(app)
    assert again == served(create_app(home))   # a server that never listed the window before
    assert again[0]["total"] == first[0]["total"] - 1 and hidden not in {d["id"] for d in again[0]["documents"]}


def parsed(response):
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_updates_feed_is_atom_and_carries_the_free_part_only(site):
    client, library = TestClient(site["app"]), site["library"]
    feed = parsed(client.get("/feeds/updates.atom"))
    assert len(feed.entries) == len(site["ids"])   # all added within the feed's 31 days
    newest = max(site["ids"][3:])
    first = feed.entries[0]
    assert first.link == f"http://testserver/documents/{newest}" and first.id == first.link
    assert first.title == access.free_view(library.get(newest)).title
    assert first.updated_parsed is not None and first.tags[0].term == library.get(newest).genre
    notice = next(e for e in feed.entries if e.title.startswith("关于规范督查检查考核"))
    assert "统筹规范督查检查考核" in notice.summary and "会员可见全文" in notice.summary
    assert SECRET not in client.get("/feeds/updates.atom").text
    genre = library.get(newest).genre
    one = parsed(client.get("/feeds/updates.atom", params={"genre": genre}))
    expected = [d.id for d in library.catalogue.documents() if access.free_view(d).genre == genre]
    assert sorted(int(e.link.rsplit("/", 1)[1]) for e in one.entries) == sorted(expected)
    unknown = client.get("/feeds/updates.atom", params={"genre": "没有这个文种"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "bad_genre")


def test_feed_text_is_xml_safe():
    from sucai.feeds import atom
    from sucai.model import Document

    doc = Document(title="标题\x01带控制符", text="正文\x0b内容", id=1)
    feed = feedparser.parse(atom(title="t\x02", feed_url="http://x/f", site_url="http://x",
                                 entries=[("2026-12-02T00:00:00+00:00", doc)]))
    assert not feed.bozo and feed.entries[0].title == "标题带控制符"
