"""Membership codes (卡密) and tiers: single use, hashed, throttled in the database, audited; the expiry
arithmetic; the SVIP tier and its quotas; the CLI, the admin page and redemption on the account page."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from conftest import site_day, stored_text
from sucai.accounts import VISITOR, Accounts, TooManyRequests, extended_until
from sucai.codes import ALPHABET, Codes, Voided, _hash, normalise
from sucai.config import load_settings
from sucai.db.schema import codes as codes_table
from sucai.errors import BadValue, InvalidInput, NotFound, Unauthorized
from sucai.web import create_app

PASSWORD = "correct-horse-9"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def days(n: int) -> str:
    """The site's day ``n`` days from today (memberships count the site's days), read now."""
    return site_day(n).isoformat()


@pytest.fixture
def accounts(home):
    accounts = Accounts.from_settings(load_settings(home, svip_daily_downloads=7, member_daily_drafts=2))
    yield accounts
    accounts.close()


@pytest.fixture
def codes(accounts):
    return Codes(accounts, max_failures=5)


# -- arithmetic --------------------------------------------------------------------------


@pytest.mark.parametrize("last, added, today, expected", [
    ("2027-03-01", 365, "2026-11-30", "2028-02-29"),   # before expiry: 365 days after the last day (2028 is leap)
    ("2026-11-30", 30, "2026-11-30", "2026-12-30"),    # on the last day: still before it has passed
    ("2026-11-29", 30, "2026-11-30", "2026-12-29"),    # expired yesterday: from today, today is day 1
    ("2025-01-01", 365, "2026-11-30", "2027-11-29"),   # long expired
    (None, 1, "2026-11-30", "2026-11-30"),             # never a member: one day is today
    ("not a date", 2, "2026-11-30", "2026-12-01"),
])
def test_membership_is_extended_from_the_last_day_or_from_today(last, added, today, expected):
    assert extended_until(last, added, date.fromisoformat(today)) == expected


@pytest.mark.parametrize("last, added", [("9999-12-31", 30), ("9999-12-01", 31), ("9999-12-31", 1)])
def test_a_membership_past_the_last_date_is_refused_not_an_overflow(last, added):
    with pytest.raises(InvalidInput) as caught:
        extended_until(last, added, date(2026, 12, 1))
    assert caught.value.code == "membership_at_limit" and last in caught.value.message


def test_the_last_days_a_date_holds_can_still_be_reached():
    assert extended_until("9999-12-01", 30, date(2026, 12, 1)) == "9999-12-31"   # 1 December + 30 days


def test_redeeming_on_a_permanent_membership_leaves_the_code_unused(accounts, codes, home):
    """A member set to 9999-12-31 (永久) redeeming a 30-day code: OverflowError, a 500 on the web. The code adds
    nothing to that account, so it is not used up: another account can still redeem it."""
    forever = accounts.add_user("永久会员", PASSWORD, "member", "9999-12-31")
    other = accounts.add_user("另一个人", PASSWORD)
    code = codes.create("member", 30, 1)[0]["code"]
    with pytest.raises(InvalidInput) as caught:
        codes.redeem(forever, code)
    assert caught.value.message.startswith("有效期已到 9999-12-31") and "卡密未被使用" in caught.value.message
    assert accounts.viewer("永久会员").member_until == "9999-12-31"
    assert codes.redeem(other, code).after == days(29)
    accounts.set_expiry("另一个人", "9999-12-31")
    app = create_app(home)
    client = TestClient(app)
    client.post("/login", data={"username": "另一个人", "password": PASSWORD,
                                "csrf_token": form_token(client, "/login")})
    second = codes.create("member", 30, 1)[0]["code"]
    page = client.post("/account/redeem", data={"code": second, "csrf_token": form_token(client, "/account")})
    assert page.status_code == 422 and "有效期已到 9999-12-31" in page.text


def test_a_permanent_members_refused_redeems_are_no_failed_attempts(accounts, codes):
    """A good code that a permanent membership cannot take is refused with the reason each time — not, after
    ``max_failures`` (5) of them, with 尝试过多 (the throttle is for guessed codes)."""
    forever = accounts.add_user("永久会员", PASSWORD, "member", "9999-12-31")
    code = codes.create("member", 30, 1)[0]["code"]
    for _ in range(codes.max_failures + 2):
        with pytest.raises(InvalidInput) as caught:
            codes.redeem(forever, code, source_ip="10.0.0.9")
        assert caught.value.code == "membership_at_limit"
    for _ in range(codes.max_failures):   # guessed codes are still counted, from zero
        with pytest.raises(NotFound):
            codes.redeem(forever, "ABCDE-FGHJK-MNPQR-STVWX", source_ip="10.0.0.9")
    with pytest.raises(TooManyRequests):
        codes.redeem(forever, code, source_ip="10.0.0.9")


def test_a_batch_is_named_by_the_time_on_the_sites_clock(accounts):
    """Codes made at 09:08 in Beijing were named "01:08" (UTC), a day early before 08:00 (new-user try 14)."""
    [row] = Codes(accounts).create("member", 365, 1)   # the accounts' zone: the timezone setting, Beijing by default
    local = datetime.fromisoformat(row["created_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert row["batch"] == f"{local:%Y-%m-%d %H:%M} 会员365天"
    assert row["created_at"].endswith("+00:00")   # stored as UTC


def test_batches_made_in_one_minute_get_names_of_their_own(accounts, codes, monkeypatch):
    """Two ``sucai codes create`` in one minute were both named 「… 08:42 会员30天」, one batch of five in
    ``codes list``: voiding the leaked first CSV's batch voided the second's codes too (new-user try 30). A default
    name is now one batch's alone; a typed name is still the batch it names."""
    monkeypatch.setattr("sucai.codes.utc_stamp", lambda timespec: "2026-12-06T00:42:16+00:00")   # 08:42 in Beijing, every time
    first = codes.create("member", 30, 3)
    second = codes.create("member", 30, 2)
    third = codes.create("member", 30, 1)
    named = [codes.create("member", 30, 1, batch="促销")[0]["batch"] for _ in range(2)]
    assert [rows[0]["batch"] for rows in (first, second, third)] == [
        "2026-12-06 08:42 会员30天", "2026-12-06 08:42 会员30天（2）", "2026-12-06 08:42 会员30天（3）"]
    assert {r["batch"] for r in first} == {"2026-12-06 08:42 会员30天"} and named == ["促销", "促销"]
    assert sorted((b["batch"], b["count"]) for b in codes.batches()) == [
        ("2026-12-06 08:42 会员30天", 3), ("2026-12-06 08:42 会员30天（2）", 2), ("2026-12-06 08:42 会员30天（3）", 1),
        ("促销", 2)]
    assert codes.void(batch="2026-12-06 08:42 会员30天") == Voided(voided=3, used=0, already=0)
    assert state_of(accounts, [r["code"] for r in first + second]) == ["voided"] * 3 + ["unused"] * 2
    assert [e["detail"] for e in accounts.audit_log(event="code_created")][2:] == [   # newest first
        "批次“2026-12-06 08:42 会员30天（3）”：1 个会员 30 天", "批次“2026-12-06 08:42 会员30天（2）”：2 个会员 30 天",
        "批次“2026-12-06 08:42 会员30天”：3 个会员 30 天"]


def test_a_batch_name_is_kept_without_control_characters(accounts):
    """``sucai codes create --batch`` and the admin page's batch name with NUL and a terminal escape: the name is kept
    as a one-line field (``clean.plain``) in the rows, the CSV and the list — PostgreSQL's text cannot hold the NUL
    (it was an 内部错误 there), and the ESC reached the CSV and the admin's terminal."""
    codes = Codes(accounts)
    rows = codes.create("member", 30, 1, batch="十一月\x00批次\x1b[31m")
    assert rows[0]["batch"] == "十一月 批次 [31m"
    assert list(csv.reader(io.StringIO(codes.csv(rows).decode("utf-8-sig"))))[1][3] == "十一月 批次 [31m"
    assert [b["batch"] for b in codes.batches()] == ["十一月 批次 [31m"]


@pytest.mark.parametrize("zone, offset", [("Asia/Shanghai", "+08:00"), ("America/New_York", ("-05:00", "-04:00"))])
def test_the_csv_gives_the_creation_time_on_the_sites_clock_as_the_batch_name(tmp_path, zone, offset):
    """The CSV's 创建时间 was UTC (07:28:21+00:00) beside a batch named 15:28 (new-user try 16)."""
    accounts = Accounts(tmp_path / "accounts.db", zone=zone)
    codes = Codes(accounts)
    rows = codes.create("member", 30, 2)
    table = list(csv.reader(io.StringIO(codes.csv(rows).decode("utf-8-sig"))))
    assert table[0] == ["卡密", "会员等级", "天数", "批次", "创建时间"]
    made = table[1][4]
    assert made.endswith(offset) and made[10] == " "
    assert datetime.fromisoformat(made) == datetime.fromisoformat(rows[0]["created_at"])   # the same instant
    assert table[1][3] == rows[0]["batch"] == f"{made[:16]} 会员30天"                    # named by the same clock
    assert [r[0] for r in table[1:]] == [r["code"] for r in rows] and {r[1] for r in table[1:]} == {"会员"}
    accounts.close()


def test_redeeming_before_and_after_expiry(accounts, codes):
    early = accounts.add_user("未到期", PASSWORD, "member", days(10))
    late = accounts.add_user("已过期", PASSWORD, "member", days(-5))
    batch = [row["code"] for row in codes.create("member", 30, 2)]
    assert codes.redeem(early, batch[0]).after == days(40)        # 10 left + 30
    assert codes.redeem(late, batch[1]).after == days(29)         # today + 29: thirty days with today
    assert accounts.viewer("未到期").member_until == days(40)
    assert accounts.viewer("已过期").is_member() and accounts.viewer("已过期").member_until == days(29)


def test_a_visitor_redeeming_is_not_signed_in_and_the_code_stays_unused(accounts, codes):
    """Not authenticated (401 ``login_required``, as the web's login check says it), not bad input; no failure
    counted, the code still good for whoever signs in."""
    [code] = [row["code"] for row in codes.create("member", 30, 1)]
    with pytest.raises(Unauthorized) as refused:
        codes.redeem(VISITOR, code)
    assert (refused.value.status, refused.value.code) == (401, "login_required")
    user = accounts.add_user("后来登录", PASSWORD, "user")
    assert codes.redeem(user, code).after == days(29)


# -- single use, guessing, throttling, audit ---------------------------------------------


def test_a_code_works_once_and_every_use_is_audited(accounts, codes):
    user = accounts.add_user("免费用户", PASSWORD)
    other = accounts.add_user("另一个人", PASSWORD)
    code = codes.create("member", 365, 1, batch="十一月")[0]["code"]
    done = codes.redeem(user, code.lower().replace("-", " "), "192.0.2.1")   # typed loosely
    assert (done.tier, done.days, done.before, done.after) == ("member", 365, "", days(364))
    assert accounts.viewer("免费用户").role == "member" and accounts.viewer("免费用户").is_member()
    with pytest.raises(NotFound) as used:
        codes.redeem(other, code, "192.0.2.2")
    assert used.value.code == "bad_code" and not accounts.viewer("另一个人").is_member()
    guessed = "".join(ALPHABET[(7 * i) % 32] for i in range(20))
    with pytest.raises(NotFound):
        codes.redeem(other, guessed, "192.0.2.2")
    log = {e["event"]: e for e in reversed(accounts.audit_log())}
    assert "十一月" in log["code_created"]["detail"] and "1 个会员 365 天" in log["code_created"]["detail"]
    assert log["code_redeemed"]["username"] == "免费用户" and code[-4:] in log["code_redeemed"]["detail"]
    failures = accounts.audit_log(event="code_failed")
    assert len(failures) == 2 and {f["username"] for f in failures} == {"另一个人"}
    assert code not in " ".join(e["detail"] for e in accounts.audit_log())   # never the whole code


def test_a_typed_code_is_audited_as_a_one_line_field(accounts, codes):
    """Attack 21: a failed redemption's audit entry quoted the code's last four characters as typed — a NUL, which
    PostgreSQL's text cannot hold (an 内部错误 there, the attempt still counted), or a terminal escape or bidi override,
    stored as typed. They are kept as a one-line field (``clean.plain``), as a batch's name is."""
    user = accounts.add_user("输入者", PASSWORD)
    for typed in ("ABCD\x00EF", "XY\x1b[2J", "K7Q2\u202eTXT"):
        with pytest.raises(NotFound):
            codes.redeem(user, typed, "192.0.2.9")
    details = [e["detail"] for e in accounts.audit_log(event="code_failed")]
    assert details == ["无效或已用的卡密 … TXT", "无效或已用的卡密 … [2J", "无效或已用的卡密 …D EF"]


def test_codes_are_random_and_stored_hashed(accounts, codes):
    rows = codes.create("svip", 30, 1000)
    raw = [normalise(r["code"]) for r in rows]
    assert len(set(raw)) == 1000 and all(len(c) == 20 and set(c) <= set(ALPHABET) for c in raw)   # 100 bits each
    assert len({c[0] for c in raw}) == 32   # every symbol is used in first position
    dump = stored_text(accounts.db)
    assert not any(c in dump for c in raw[:50]) and not any(r["code"] in dump for r in rows[:50])


def test_failed_redemptions_are_throttled_per_account_and_per_address_in_the_database(accounts, codes, home):
    valid = [row["code"] for row in codes.create("member", 30, 2)]
    guesser = accounts.add_user("猜测者", PASSWORD)
    for n in range(5):
        with pytest.raises(NotFound):
            codes.redeem(guesser, f"AAAA-BBBB-CCCC-DDDD-EEE{n}", f"198.51.100.{n}")
    elsewhere = Codes(Accounts.from_settings(load_settings(home)), max_failures=5)   # another worker or node
    with pytest.raises(TooManyRequests):
        elsewhere.redeem(guesser, valid[0], "203.0.113.99")          # even a valid code: the account is paused
    assert not accounts.viewer("猜测者").is_member()
    for n in range(5):   # five accounts, one failure each, from one address
        with pytest.raises(NotFound):
            codes.redeem(accounts.add_user(f"路人{n}", PASSWORD), "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "203.0.113.7")
    newcomer = accounts.add_user("新来的", PASSWORD)
    with pytest.raises(TooManyRequests):
        codes.redeem(newcomer, valid[1], "203.0.113.7")
    assert codes.redeem(newcomer, valid[1], "203.0.113.8").after == days(29)   # another address is fine


def test_failed_redemptions_from_one_ipv6_network_count_together(accounts, codes):
    """Attack 19: a host sends from any address of its /64; each new address was a new allowance."""
    valid = codes.create("member", 30, 1)[0]["code"]
    for n in range(5):   # five accounts, one failure each, from five addresses of one /64
        with pytest.raises(NotFound):
            codes.redeem(accounts.add_user(f"路人{n}", PASSWORD), "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", f"2001:db8:7:1::{n + 1}")
    newcomer = accounts.add_user("新来的", PASSWORD)
    with pytest.raises(TooManyRequests):
        codes.redeem(newcomer, valid, "2001:db8:7:1:abcd::1")
    assert codes.redeem(newcomer, valid, "2001:db8:7:2::1").after == days(29)   # another /64 is fine


def test_concurrent_code_guesses_are_looked_up_at_most_the_limit(accounts, home, monkeypatch):
    """Twelve wrong codes for one account at once (threads as server workers), five failures allowed:
    five are looked up, seven refused unlooked — each is counted before its code is looked up (reads
    made slow, as on a loaded server, widened the old check-then-record gap)."""
    guesser = accounts.add_user("猜测者", PASSWORD)
    real_read, real_use, looked, lock = Accounts._read, Codes._use, [], threading.Lock()
    monkeypatch.setattr(Accounts, "_read", lambda self, query: time.sleep(0.2) or real_read(self, query))

    def use(self, *args):
        with lock:
            looked.append(1)
        return real_use(self, *args)

    monkeypatch.setattr(Codes, "_use", use)
    start = threading.Barrier(12)

    def guess(n):
        worker = Codes(Accounts.from_settings(load_settings(home)), max_failures=5)
        start.wait()
        try:
            worker.redeem(guesser, f"AAAA-BBBB-CCCC-DDDD-EE{n:02d}", "198.51.100.1")
        except NotFound:
            return "404"
        except TooManyRequests:
            return "429"

    with ThreadPoolExecutor(12) as pool:
        outcomes = sorted(pool.map(guess, range(12)))
    assert len(looked) == 5 and outcomes == ["404"] * 5 + ["429"] * 7


# -- voiding -------------------------------------------------------------------------------


def state_of(accounts, typed: list[str]) -> list[str]:
    """Each code's state read from the table itself: ``redeemed``, ``voided``, ``both`` or ``unused``."""
    c = codes_table.c
    rows = {h: (r, v) for h, r, v in accounts._read(codes_table.select().with_only_columns(c.code_hash, c.redeemed_at,
                                                                                            c.voided_at))}
    states = {(True, False): "redeemed", (False, True): "voided", (True, True): "both", (False, False): "unused"}
    return [states[tuple(x is not None for x in rows[_hash(t)])] for t in typed]


def test_voiding_a_batch_refuses_its_unused_codes_and_leaves_the_used_ones(accounts, codes):
    """A batch whose CSV leaked: its unused codes are voided (the redeemer told so, the attempt counted and audited),
    the used one keeps its membership, another batch is untouched; a second void changes nothing."""
    leaked = [r["code"] for r in codes.create("member", 30, 3, batch="泄露批次")]
    other = codes.create("member", 30, 1, batch="另一批")[0]["code"]
    early = accounts.add_user("先兑换的", PASSWORD)
    assert codes.redeem(early, leaked[0]).after == days(29)
    assert codes.void(batch=" 泄露批次 ") == Voided(voided=2, used=1, already=0)      # read as a batch name is stored
    assert state_of(accounts, leaked + [other]) == ["redeemed", "voided", "voided", "unused"]
    late = accounts.add_user("拿到泄露卡密的", PASSWORD)
    with pytest.raises(NotFound) as refused:
        codes.redeem(late, leaked[1], "192.0.2.5")
    assert refused.value.code == "code_voided" and "已作废" in refused.value.message
    assert not accounts.viewer("拿到泄露卡密的").is_member() and accounts.viewer("先兑换的").member_until == days(29)
    assert codes.redeem(late, other).after == days(29)
    assert codes.void(batch="泄露批次") == Voided(voided=0, used=1, already=2)
    batches = {b["batch"]: (b["count"], b["redeemed"], b["voided"]) for b in codes.batches()}
    assert batches == {"泄露批次": (3, 1, 2), "另一批": (1, 1, 0)}
    voids = [e["detail"] for e in accounts.audit_log(event="code_voided")]
    assert voids == ["批次“泄露批次”：已作废 0 个未兑换的卡密；已兑换的 1 个、此前已作废的 2 个未改动",
                     "批次“泄露批次”：已作废 2 个未兑换的卡密；已兑换的 1 个未改动"]
    assert accounts.audit_log(event="code_failed")[0]["detail"] == f"已作废的卡密 …{normalise(leaked[1])[-4:]}"
    with pytest.raises(NotFound) as missing:
        codes.void(batch="没有的批次")
    assert missing.value.code == "no_batch"


def test_single_codes_are_voided_as_typed_and_unknown_ones_counted(accounts, codes):
    made = [r["code"] for r in codes.create("svip", 7, 3)]
    user = accounts.add_user("用户", PASSWORD)
    codes.redeem(user, made[2])
    typed = [made[0].lower().replace("-", " "), made[1], made[1].replace("0", "O"), made[2], "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"]
    assert codes.void(typed=typed, source_ip="192.0.2.7") == Voided(voided=2, used=1, already=0, unknown=1)
    assert state_of(accounts, made) == ["voided", "voided", "redeemed"]
    [entry] = accounts.audit_log(event="code_voided")
    hints = sorted(f"…{normalise(c)[-4:]}" for c in made + ["ZZZZ"])
    assert entry["detail"].startswith("卡密 " + "、".join(hints) + "：已作废 2 个") and entry["source_ip"] == "192.0.2.7"
    with pytest.raises(NotFound) as unknown:
        codes.void(typed=["ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"])
    assert unknown.value.code == "bad_code"
    for batch, typed in ((None, None), ("x", made[:1]), (None, ["  "]), (None, [f"{n:020d}" for n in range(1001)])):
        with pytest.raises(BadValue):
            codes.void(batch=batch, typed=typed)


def test_a_void_and_redemptions_at_once_end_consistently(accounts, codes, home, monkeypatch):
    """Twelve users redeem the twelve codes of a batch while an admin voids it (threads as server workers, reads made
    slow as on a loaded server): every code ends redeemed or voided, never both; each redeemer told ``code_voided``
    holds a voided code and no membership, each that succeeded a redeemed one; the void's count is the rest. (A code
checked in a read before the redemption's transaction — slowed after it here — was voided and redeemed both.)"""
    made = [r["code"] for r in codes.create("member", 30, 12, batch="竞争")]
    users = [accounts.add_user(f"用户{n}", PASSWORD) for n in range(12)]
    real_read = Accounts._read
    monkeypatch.setattr(Accounts, "_read", lambda self, query: [real_read(self, query), time.sleep(0.05)][0])
    start = threading.Barrier(13)

    def redeem(n):
        worker = Codes(Accounts.from_settings(load_settings(home)), max_failures=5)
        start.wait()
        time.sleep(0.01 * n)
        try:
            return worker.redeem(users[n], made[n]).after
        except NotFound as refused:
            return refused.code

    def void():
        worker = Codes(Accounts.from_settings(load_settings(home)), max_failures=5)
        start.wait()
        time.sleep(0.06)
        return worker.void(batch="竞争")

    with ThreadPoolExecutor(13) as pool:
        voiding = pool.submit(void)
        outcomes = list(pool.map(redeem, range(12)))
    done = voiding.result()
    states = state_of(accounts, made)
    assert [{days(29): "redeemed", "code_voided": "voided"}[o] for o in outcomes] == states
    assert [accounts.viewer(f"用户{n}").is_member() for n in range(12)] == [s == "redeemed" for s in states]
    assert (done.voided, done.used, done.already) == (states.count("voided"), states.count("redeemed"), 0)


def test_redemptions_that_succeed_are_not_failures(accounts, codes):
    """A user redeeming more codes than the failure limit in an hour is never paused."""
    user = accounts.add_user("大客户", PASSWORD)
    for n, row in enumerate(codes.create("member", 10, 7)):
        assert codes.redeem(user, row["code"], "198.51.100.1").after == days(10 * (n + 1) - 1)


# -- tiers ---------------------------------------------------------------------------------


def test_svip_is_a_tier_with_its_own_quotas(accounts, codes):
    user = accounts.add_user("用户", PASSWORD)
    member = accounts.add_user("老会员", PASSWORD, "member", days(100))
    svip = codes.create("svip", 30, 2)
    assert accounts.tier(user) == "user" and accounts.quota(user, "download") is None
    codes.redeem(user, svip[0]["code"])
    user = accounts.viewer("用户")
    assert accounts.tier(user) == "svip" and accounts.svip_until(user) == days(29)
    assert user.member_until == days(29)                       # an SVIP is a member as long
    codes.redeem(member, svip[1]["code"])
    member = accounts.viewer("老会员")
    assert accounts.tier(member) == "svip" and member.member_until == days(100)   # a longer membership stays
    assert accounts.quota(member, "download") == 7            # svip_daily_downloads
    plain = accounts.add_user("会员", PASSWORD, "member", days(3))
    assert accounts.quota(plain, "download") == 50 and accounts.quota(plain, "draft") == 2
    accounts.use_quota(plain, "draft")
    accounts.use_quota(plain, "draft")
    with pytest.raises(TooManyRequests) as spent:
        accounts.use_quota(plain, "draft")
    assert "写作" in spent.value.message and spent.value.code == "quota_exceeded"
    admin = accounts.add_user("管理员", PASSWORD, "admin")
    assert accounts.tier(admin) == "admin" and accounts.quota(admin, "draft") is None


# -- command line and web -----------------------------------------------------------------


def test_cli_creates_a_batch_as_csv(cli, tmp_path):
    target = tmp_path / "codes.csv"
    status, _, said = cli("codes", "create", "--tier", "会员", "--days", "365", "--count", "100", "-o", str(target))
    assert status == 0 and said.startswith("已生成 100 个会员卡密（每个 365 天"), said
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["卡密", "会员等级", "天数", "批次", "创建时间"] and len(rows) == 101
    assert {r[1] for r in rows[1:]} == {"会员"} and {r[2] for r in rows[1:]} == {"365"}
    status, printed, _ = cli("codes", "create", "--tier", "svip", "--days", "30", "--batch", "十二月")
    assert status == 0 and printed.splitlines()[1].split(",")[1:4] == ["SVIP会员", "30", "十二月"]
    status, printed, _ = cli("codes", "list", "--json")
    batches = {b["batch"]: b for b in json.loads(printed)}
    assert (batches["十二月"]["count"], batches["十二月"]["tier"]) == (1, "svip")
    assert sum(b["count"] for b in batches.values()) == 101 and sum(b["redeemed"] for b in batches.values()) == 0
    assert cli("codes", "create", "--tier", "黄金")[0] == 2            # not a tier: bad usage
    status, _, said = cli("codes", "create", "--count", "0")
    assert status == 2 and "一次可生成" in said                       # a refused number: bad usage too


def test_cli_never_writes_codes_over_an_existing_file(cli, tmp_path):
    """The CSV is the only copy of its codes (stored as hashes): a second batch to the same file is refused before
    any code is made, and the first batch's file is left as it was (new-user try 18 F2)."""
    target = tmp_path / "卡密.csv"
    assert cli("codes", "create", "--days", "365", "--count", "3", "-o", str(target))[0] == 0
    first = target.read_bytes()
    status, _, said = cli("codes", "create", "--days", "30", "--count", "1", "-o", str(target))
    assert status == 2 and "已存在" in said and "覆盖" in said
    assert target.read_bytes() == first
    status, printed, _ = cli("codes", "list", "--json")
    assert sum(b["count"] for b in json.loads(printed)) == 3           # the refused batch made no code


def test_cli_refuses_a_csv_it_cannot_write_before_any_code_is_made(cli, tmp_path):
    """``-o`` into a folder that does not exist stored and audited the batch, then failed writing its only copy:
    「内部错误：FileNotFoundError: [Errno 2] No such file or directory」, and ``codes list`` showed codes nobody
    had (ops21). Refused in Chinese, exit 1, before any code is made."""
    target = tmp_path / "没有的文件夹" / "卡密.csv"
    status, printed, said = cli("codes", "create", "--count", "2", "-o", str(target))
    assert (status, printed) == (1, "") and not target.parent.exists()
    assert "无法写入" in said and "文件或文件夹不存在" in said and "未生成卡密" in said, said
    assert "Error" not in said and "内部错误" not in said
    refused = tmp_path / "拒绝.csv"
    assert cli("codes", "create", "--count", "0", "-o", str(refused))[0] == 2
    assert not refused.exists()                        # made before the count was refused: not left behind empty
    status, printed, _ = cli("codes", "list", "--json")
    assert json.loads(printed) == []


def test_cli_voids_a_batch_or_single_codes_and_lists_the_voided(cli, tmp_path):
    target = tmp_path / "泄露.csv"
    assert cli("codes", "create", "--count", "3", "--batch", "泄露", "-o", str(target))[0] == 0
    made = [r[0] for r in csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")))][1:]
    status, _, said = cli("codes", "void", made[0].lower(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert status == 0 and said.strip() == "已作废 1 个未兑换的卡密；查无此卡密的 1 个未改动", said
    status, _, said = cli("codes", "void", "--batch", "泄露")
    assert status == 0 and said.strip() == "已作废 2 个未兑换的卡密；此前已作废的 1 个未改动", said
    status, printed, _ = cli("codes", "list", "--json")
    assert [(b["batch"], b["count"], b["redeemed"], b["voided"]) for b in json.loads(printed)] == [("泄露", 3, 0, 3)]
    status, printed, _ = cli("codes", "list")
    assert status == 0 and "已作废" in printed
    status, _, said = cli("codes", "void", "--batch", "没有的批次")
    assert status == 3 and "没有这个卡密批次" in said and "Error" not in said     # not found
    for args in ((), ("--batch", "泄露", made[1])):
        status, _, said = cli("codes", "void", *args)
        assert status == 2 and "二者选一" in said, said


def form_token(client: TestClient, url: str) -> str:
    return _CSRF.search(client.get(url, headers={"accept": "text/html"}).text).group(1)


def test_admin_makes_codes_on_the_web_and_a_user_redeems_one(home):
    accounts = Accounts.open(home)
    accounts.add_user("管理员", PASSWORD, "admin")
    accounts.add_user("张三", PASSWORD)
    accounts.close()
    app = create_app(home)
    admin, user = TestClient(app), TestClient(app)
    for client, name in ((admin, "管理员"), (user, "张三")):
        client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": form_token(client, "/login")})
    assert user.get("/admin/codes").status_code == 403
    made = admin.post("/admin/codes", data={"tier": "member", "days": "30", "count": "3", "batch": "网页批次",
                                            "csrf_token": form_token(admin, "/admin/codes")})
    assert made.status_code == 200 and made.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))[1:]
    assert len(rows) == 3 and rows[0][3] == "网页批次"
    assert "网页批次" in admin.get("/admin/codes").text
    token = form_token(user, "/account")
    page = user.post("/account/redeem", data={"code": rows[0][0], "csrf_token": token})
    assert page.status_code == 200 and f"有效期至 {days(29)}" in page.text
    again = user.post("/account/redeem", data={"code": rows[0][0], "csrf_token": token})
    assert again.status_code == 404 and "卡密无效或已被使用" in again.text
    assert TestClient(app).post("/account/redeem", data={"code": rows[1][0]}).status_code == 403   # no session


def test_the_account_page_says_when_to_retry_after_too_many_bad_codes(home):
    """After ``max_failures`` (5) unknown codes in the hour, the account page answers 429 in Chinese with
    ``Retry-After``: the seconds until the first failure leaves the hour's window (just under 3600)."""
    accounts = Accounts.open(home)
    accounts.add_user("张三", PASSWORD)
    accounts.close()
    user = TestClient(create_app(home))
    user.post("/login", data={"username": "张三", "password": PASSWORD, "csrf_token": form_token(user, "/login")})
    token = form_token(user, "/account")
    for _ in range(5):
        assert user.post("/account/redeem", data={"code": "A" * 16, "csrf_token": token}).status_code == 404
    refused = user.post("/account/redeem", data={"code": "A" * 16, "csrf_token": token})
    assert refused.status_code == 429 and "卡密兑换失败次数过多" in refused.text
    assert 3600 - 120 < int(refused.headers["retry-after"]) <= 3600


def test_admin_voids_a_batch_and_single_codes_on_the_web(home):
    """The admin page voids a batch (each row's button) or codes typed one a line; the form needs the admin and its
    CSRF token (nothing voided without); the page lists the voided and a user trying one is told in Chinese."""
    accounts = Accounts.open(home)
    accounts.add_user("管理员", PASSWORD, "admin")
    accounts.add_user("张三", PASSWORD)
    batch = [r["code"] for r in Codes(accounts).create("member", 30, 3, batch="网页泄露")]
    single = [r["code"] for r in Codes(accounts).create("member", 30, 2, batch="单个")]
    app = create_app(home)
    admin, user = TestClient(app), TestClient(app)
    for client, name in ((admin, "管理员"), (user, "张三")):
        client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": form_token(client, "/login")})
    assert admin.post("/admin/codes/void", data={"batch": "网页泄露"}).status_code == 403          # no CSRF token
    assert user.post("/admin/codes/void", data={"batch": "网页泄露",
                                                "csrf_token": form_token(user, "/account")}).status_code == 403
    assert state_of(accounts, batch) == ["unused"] * 3
    page = admin.get("/admin/codes").text
    assert page.count('action="/admin/codes/void"') == 3 and 'name="batch" value="网页泄露"' in page
    done = admin.post("/admin/codes/void", data={"batch": "网页泄露", "csrf_token": form_token(admin, "/admin/codes")})
    assert done.status_code == 200 and "已作废 3 个未兑换的卡密" in done.text
    assert 'name="batch" value="网页泄露"' not in done.text          # nothing left to void in it: no button
    typed = f"{single[0]}\n{single[1].lower()}，ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    done = admin.post("/admin/codes/void", data={"typed": typed, "csrf_token": form_token(admin, "/admin/codes")})
    assert done.status_code == 200 and "已作废 2 个未兑换的卡密；查无此卡密的 1 个未改动" in done.text
    assert state_of(accounts, batch + single) == ["voided"] * 5
    missing = admin.post("/admin/codes/void", data={"batch": "没有", "csrf_token": form_token(admin, "/admin/codes")})
    assert missing.status_code == 404 and "没有这个卡密批次" in missing.text
    refused = user.post("/account/redeem", data={"code": batch[0], "csrf_token": form_token(user, "/account")})
    assert refused.status_code == 404 and "该卡密已作废" in refused.text and not accounts.viewer("张三").is_member()
    assert [e["username"] for e in accounts.audit_log(event="code_voided")] == ["管理员", "管理员"]
    accounts.close()
