"""Accounts: roles and membership dates, passwords, login throttling, API tokens,
the session key, the audit log, the member download quota, and the CLI."""

from __future__ import annotations

import json
import multiprocessing
import re
import sqlite3
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from argon2 import PasswordHasher, Type
from sqlalchemy import text

from conftest import ROOT
from sucai.accounts import MAX_TOKENS, VISITOR, Accounts, TooManyRequests, Viewer, audit_rows, session_secret
from sucai.cli import app as cli_app
from sucai.config import load_settings, parse_day
from sucai.db.migrate import head
from sucai.errors import BadValue, Forbidden, InvalidInput, NotFound, Unauthorized

PASSWORD = "正确的密码-horse-42"


class Clock:
    """A clock the test sets by hand."""

    def __init__(self):
        self.now = datetime(2025, 3, 14, 9, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def target(tmp_path, database_url) -> Path | str:
    """Where the accounts of one test live: an SQLite file, or a PostgreSQL database (the backend parameter)."""
    return database_url or tmp_path / "accounts.sqlite3"


def rows(accounts: Accounts, statement: str, **values) -> list[tuple]:
    """The rows of one SELECT, read straight from the accounts database."""
    with accounts.db.read() as conn:
        return [tuple(row) for row in conn.execute(text(statement), values)]


def private(target: Path | str) -> bool:
    """An embedded accounts file is readable by its owner only (PostgreSQL: the server's business)."""
    return isinstance(target, str) or stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.fixture
def accounts(target, clock) -> Accounts:
    acc = Accounts(target, max_failures=3, lockout_seconds=300, daily_downloads=2, now=clock,
                   password_profile="CHEAPEST")   # the tests' cost (tests/conftest.py); the default's own test below
    yield acc
    acc.close()


# -- roles -----------------------------------------------------------------

def test_roles_and_membership_dates():
    today = date(2026, 12, 2)
    yesterday, tomorrow = "2026-12-01", "2026-12-03"
    assert not VISITOR.member and not VISITOR.admin and VISITOR.role == "visitor"
    assert not Viewer(1, "u", "user", None, today).member
    assert not Viewer(1, "u", "user", tomorrow, today).member      # a date alone is not membership
    assert Viewer(2, "m", "member", tomorrow, today).member
    assert Viewer(2, "m", "member", "2026-12-02", today).member    # the last day still counts
    assert not Viewer(2, "m", "member", yesterday, today).member   # expired = free user
    assert not Viewer(2, "m", "member", None, today).member        # no date = no membership
    assert not Viewer(2, "m", "member", "9999-12-31").member       # no day to judge on: no membership
    admin = Viewer(3, "a", "admin", None)
    assert admin.member and admin.admin
    assert Viewer(2, "m", "member", "2025-06-30").is_member(date(2025, 6, 30))
    assert not Viewer(2, "m", "member", "2025-06-30", today).is_member(date(2025, 7, 1))
    assert Viewer(2, "m", "member", yesterday, today).role_label == "会员（已过期）"


# Beijing is UTC+8 all year: 2026-12-01 16:00 UTC is 2026-12-02 00:00 in Asia/Shanghai.
BEIJING_MIDNIGHT = datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("machine_zone", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_a_membership_ends_at_midnight_on_the_site_clock(target, clock, monkeypatch, machine_zone):
    """Whatever the machine's own zone, a Beijing site's member whose last day is 12-01 is one until
    12-01 24:00 Beijing time (16:00 UTC), and a code redeemed then starts its days on the site's 12-02."""
    monkeypatch.setenv("TZ", machine_zone)
    time.tzset()
    try:
        accounts = Accounts(target, zone="Asia/Shanghai", now=clock)
        accounts.add_user("老王", PASSWORD, role="member", member_until="2026-12-01")
        clock.now = BEIJING_MIDNIGHT - timedelta(seconds=1)            # 12-01 23:59:59 in Beijing
        assert accounts.viewer("老王").member and accounts.tier(accounts.viewer("老王")) == "member"
        clock.now = BEIJING_MIDNIGHT                                   # 12-02 00:00 in Beijing, 12-01 in UTC
        over = accounts.viewer("老王")
        assert not over.member and over.role_label == "会员（已过期）" and accounts.tier(over) == "user"
        with accounts.transaction() as conn:                           # 30 days from the site's 12-02: to 12-31
            assert accounts.extend_membership(conn, over.user_id, "member", 30) == ("2026-12-01", "2026-12-31")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_svip_ends_at_midnight_on_the_site_clock(target, clock):
    accounts = Accounts(target, zone="Asia/Shanghai", now=clock)
    clock.now = BEIJING_MIDNIGHT - timedelta(days=3)
    user = accounts.add_user("小赵", PASSWORD)
    with accounts.transaction() as conn:                               # the site's 11-29 counts as the first
        assert accounts.extend_membership(conn, user.user_id, "svip", 3) == ("", "2026-12-01")
    clock.now = BEIJING_MIDNIGHT - timedelta(seconds=1)
    assert accounts.tier(accounts.viewer("小赵")) == "svip"
    clock.now = BEIJING_MIDNIGHT
    assert accounts.tier(accounts.viewer("小赵")) == "user"


def test_add_user_validation_and_changes(accounts):
    alice = accounts.add_user("alice", PASSWORD)
    assert alice == Viewer(alice.user_id, "alice", "user", None)
    with pytest.raises(InvalidInput) as exists:
        accounts.add_user("ALICE", PASSWORD)
    assert exists.value.code == "user_exists"
    with pytest.raises(InvalidInput) as weak:
        accounts.add_user("bob", "1234567")
    assert weak.value.code == "weak_password"
    for bad in ("a", "has space", "x" * 33, "12345", "<script>"):
        with pytest.raises(InvalidInput) as err:
            accounts.add_user(bad, PASSWORD)
        assert err.value.code == "bad_username", bad
    with pytest.raises(InvalidInput) as role:
        accounts.add_user("bob", PASSWORD, role="visitor")
    assert role.value.code == "bad_role"
    with pytest.raises(InvalidInput) as when:
        accounts.add_user("bob", PASSWORD, role="member", member_until="2027-13-01")
    assert when.value.code == "bad_date"

    zhang = accounts.add_user("张三", PASSWORD, role="member", member_until="2099-12-31")
    assert zhang.member and accounts.viewer("张三") == zhang == accounts.viewer(zhang.user_id)
    assert accounts.set_expiry("张三", "2000-01-01").member is False
    assert accounts.viewer(zhang.user_id).member_until == "2000-01-01"
    assert accounts.set_expiry("张三", "2027年12月31日").member_until == "2027-12-31"  # as Chinese writers type it
    assert accounts.set_expiry("张三", "２０２８年１月５日").member_until == "2028-01-05"
    with pytest.raises(InvalidInput):
        accounts.set_expiry("张三", "2027年2月30日")
    assert accounts.set_role(alice.user_id, "admin").admin
    assert [v.username for v in accounts.users()] == ["alice", "张三"]
    with pytest.raises(InvalidInput) as last:
        accounts.set_role("alice", "user")
    assert last.value.code == "last_admin"
    accounts.remove_user("张三")
    with pytest.raises(NotFound):
        accounts.viewer("张三")
    assert [v.username for v in accounts.users()] == ["alice"]


# -- passwords and logging in --------------------------------------------

def test_password_stored_as_argon2_hash(accounts, target):
    user = accounts.add_user("alice", PASSWORD)
    session = accounts.start_session(user)
    stored = rows(accounts, "SELECT password_hash FROM users WHERE id = :id", id=user.user_id)[0][0]
    everything = "\n".join(str(row) for table in ("users", "audit", "attempts", "sessions")
                           for row in rows(accounts, f"SELECT * FROM {table}"))
    assert stored.startswith("$argon2id$")
    assert private(target)
    assert PASSWORD not in stored and PASSWORD not in everything
    assert session not in everything      # only the session secret's SHA-256 is stored
    assert accounts.authenticate("alice", PASSWORD) == user
    accounts.set_password("alice", "另一个新密码abc")
    with pytest.raises(Unauthorized):
        accounts.authenticate("alice", PASSWORD)
    assert accounts.authenticate("alice", "另一个新密码abc") == user


def test_outdated_hash_is_upgraded_on_login(accounts):
    """A hash of another variant (argon2i) is redone as argon2id at the site's cost."""
    user = accounts.add_user("alice", PASSWORD)
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=4, salt_len=8, type=Type.I).hash(PASSWORD)
    with accounts.db.transaction() as conn:
        conn.execute(text("UPDATE users SET password_hash = :h WHERE id = :id"), {"h": old, "id": user.user_id})
    assert accounts.authenticate("alice", PASSWORD) == user
    new = rows(accounts, "SELECT password_hash FROM users WHERE id = :id", id=user.user_id)[0][0]
    assert new != old and new.startswith("$argon2id$") and not accounts._hasher.check_needs_rehash(new)


def test_production_hashes_passwords_at_argon2_cffis_default_cost(tmp_path, monkeypatch):
    """The test suite hashes at the lowest cost (tests/conftest.py sets password_hash_profile); a site without the
    setting keeps argon2-cffi's default, RFC 9106's argon2id with t=3, 64 MiB, p=4."""
    monkeypatch.delenv("SUCAI_PASSWORD_HASH_PROFILE")
    accounts = Accounts.open(tmp_path / "home")
    stored = accounts._hasher.hash(PASSWORD)
    assert "$argon2id$v=19$m=65536,t=3,p=4$" in stored
    assert not PasswordHasher().check_needs_rehash(stored)


def test_the_cheapest_profile_hashes_at_the_lowest_cost_and_never_weakens_a_stored_hash(tmp_path):
    """password_hash_profile = CHEAPEST (what the tests run with): new hashes are argon2id at t=1, 8 KiB, p=1; a
    stored hash of the default cost is kept at its next login (review 18a: it was redone at CHEAPEST, so a test
    setting left in a site's environment weakened every account that logged in), and a cheap one is redone when
    the site's cost is higher."""
    accounts = Accounts.open(tmp_path / "home", password_hash_profile="CHEAPEST")
    user = accounts.add_user("alice", PASSWORD)
    cheap = rows(accounts, "SELECT password_hash FROM users WHERE id = :id", id=user.user_id)[0][0]
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    with accounts.db.transaction() as conn:
        conn.execute(text("UPDATE users SET password_hash = :h WHERE id = :id"),
                     {"h": PasswordHasher().hash(PASSWORD), "id": user.user_id})
    assert accounts.authenticate("alice", PASSWORD) == user
    assert rows(accounts, "SELECT password_hash FROM users WHERE id = :id", id=user.user_id)[0][0].startswith(
        "$argon2id$v=19$m=65536,t=3,p=4$")
    accounts.close()
    with accounts.db.transaction() as conn:
        conn.execute(text("UPDATE users SET password_hash = :h WHERE id = :id"), {"h": cheap, "id": user.user_id})
    strong = Accounts.open(tmp_path / "home", password_hash_profile="RFC_9106_LOW_MEMORY")
    assert strong.authenticate("alice", PASSWORD) == user
    assert rows(strong, "SELECT password_hash FROM users WHERE id = :id", id=user.user_id)[0][0].startswith(
        "$argon2id$v=19$m=65536,t=3,p=4$")


def test_an_unknown_password_hash_profile_is_refused_in_chinese(tmp_path):
    with pytest.raises(InvalidInput) as error:
        load_settings(tmp_path, password_hash_profile="fast")
    assert error.value.code == "bad_settings"
    assert error.value.message == ("设置 password_hash_profile 应为 RFC_9106_HIGH_MEMORY / RFC_9106_LOW_MEMORY / PRE_21_2 / "
                                   "CHEAPEST 之一，而不是 'fast'")


def test_wrong_password_and_unknown_user_look_the_same(accounts):
    accounts.add_user("alice", PASSWORD)
    with pytest.raises(Unauthorized) as wrong:
        accounts.authenticate("alice", "not the password")
    with pytest.raises(Unauthorized) as unknown:
        accounts.authenticate("nobody", PASSWORD)
    assert (wrong.value.code, wrong.value.message, wrong.value.status) == \
           (unknown.value.code, unknown.value.message, unknown.value.status) == \
           ("bad_credentials", "用户名或密码错误", 401)   # not known (RFC 9110 §15.5.2), not "known, not allowed"


def test_throttling_by_username(accounts, clock):
    alice = accounts.add_user("alice", PASSWORD)
    for _ in range(3):
        with pytest.raises(Unauthorized):
            accounts.authenticate("alice", "guess-guess")
        clock.advance(10)
    with pytest.raises(TooManyRequests) as locked:   # even the right password is refused now
        accounts.authenticate("alice", PASSWORD)
    assert (locked.value.code, locked.value.status) == ("too_many_attempts", 429)
    assert 0 < locked.value.retry_after <= 300
    with pytest.raises(TooManyRequests):             # the name is locked whatever its case
        accounts.authenticate("ALICE", PASSWORD)
    clock.advance(locked.value.retry_after)
    assert accounts.authenticate("alice", PASSWORD) == alice
    # a success clears the name's failures: three more are needed for the next lockout
    for _ in range(2):
        with pytest.raises(Unauthorized):
            accounts.authenticate("alice", "guess-guess")
    assert accounts.authenticate("alice", PASSWORD) == alice


def test_failures_for_a_name_like_an_accounts_counter_lock_no_account_out(accounts, clock):
    """An account's login failures are counted under ``#`` and its id, a name no account has under the name: failures
    for the name "#1" — no account's, typed from anywhere — were counted as the first account's (the first admin's),
    which they locked out without anyone knowing its name (attack 20)."""
    boss = accounts.add_user("boss", PASSWORD, role="admin")
    for _ in range(3):
        with pytest.raises(Unauthorized):
            accounts.authenticate(f"#{boss.user_id}", "guess-guess", source_ip="203.0.113.9")
    with pytest.raises(TooManyRequests):   # the name itself is locked: its failures count
        accounts.authenticate(f"#{boss.user_id}", "guess-guess")
    assert accounts.authenticate("boss", PASSWORD, source_ip="198.51.100.1") == boss


def test_a_long_name_is_a_failed_login_counted_as_any(accounts, clock):
    """A name of 1,000 characters (3,000 bytes, no account's: a name has at most 32) is a failed login, counted,
    locked out as any name is. PostgreSQL indexes no key past 2,704 bytes: counting it failed, 内部错误 (attack 20)."""
    name = "".join(chr(0x4E00 + (k * 7919) % 20000) for k in range(1000))   # distinct: PostgreSQL compresses repeats
    for _ in range(3):
        with pytest.raises(Unauthorized):
            accounts.authenticate(name, "guess-guess", source_ip="203.0.113.9")
    with pytest.raises(TooManyRequests):
        accounts.authenticate(name, "guess-guess", source_ip="203.0.113.9")


def quick(accounts: Accounts) -> Accounts:
    """``accounts`` hashing with argon2id at its lowest cost (tests that log in many times)."""
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return accounts


def test_failures_at_a_shared_address_do_not_lock_a_colleague_out(target, clock):
    """An office behind one NAT: five failed logins for names that do not exist (the attack's repro) or
    colleagues' typos do not keep another colleague out, with the default settings."""
    accounts = quick(Accounts(target, now=clock))
    office = "203.0.113.9"
    bob = accounts.add_user("bob", PASSWORD)
    for name in ("x1", "x2", "x3", "x4", "x5"):
        with pytest.raises(Unauthorized):
            accounts.authenticate(name, "guess-guess", source_ip=office)
    assert accounts.authenticate("bob", PASSWORD, source_ip=office) == bob
    for _ in range(30):   # logins that succeed are not failures of the address
        assert accounts.authenticate("bob", PASSWORD, source_ip=office) == bob
    assert rows(accounts, "SELECT count(*) FROM attempts WHERE kind = 'ip'") == [(5,)]


def test_an_address_spraying_names_is_stopped_but_not_its_regulars(target, clock):
    """Past ``ip_max_failures`` failures from one address, an account that has not logged in from there
    lately is refused without its password being checked (a spray over many names stops), while one
    that has (a colleague at the office) is still checked, under its own per-name limit."""
    accounts = quick(Accounts(target, max_failures=3, ip_max_failures=6, known_ip_days=30, now=clock))
    office, home = "203.0.113.9", "198.51.100.1"
    regular = accounts.add_user("老王", PASSWORD)
    newcomer = accounts.add_user("小李", PASSWORD)
    stale = accounts.add_user("老张", PASSWORD)
    accounts.authenticate("老张", PASSWORD, source_ip=office)   # 31 days ago: no longer known there
    clock.advance(31 * 86400)
    accounts.authenticate("老王", PASSWORD, source_ip=office)
    accounts.authenticate("小李", PASSWORD, source_ip=home)     # known elsewhere only
    clock.advance(10)
    for n in range(6):   # the spray: six names, one guess each (two of them real accounts)
        with pytest.raises(Unauthorized):
            accounts.authenticate(("小李", "老张", "x2", "x3", "x4", "x5")[n], "guess-guess", source_ip=office)
    for name in ("小李", "老张", "x6"):   # even the right password is refused now: not checked
        with pytest.raises(TooManyRequests) as refused:
            accounts.authenticate(name, PASSWORD, source_ip=office)
        assert (refused.value.code, refused.value.status) == ("too_many_attempts", 429)
        assert 0 < refused.value.retry_after <= 300
    assert accounts.authenticate("老王", PASSWORD, source_ip=office) == regular   # the colleague gets in
    assert accounts.authenticate("小李", PASSWORD, source_ip=home) == newcomer    # so does 小李, from home
    for _ in range(3):   # guessing the regular's password from the office: its own limit holds
        with pytest.raises(Unauthorized):
            accounts.authenticate("老王", "guess-guess", source_ip=office)
    with pytest.raises(TooManyRequests):
        accounts.authenticate("老王", PASSWORD, source_ip=office)
    clock.advance(301)   # the failures age out
    assert accounts.authenticate("老张", PASSWORD, source_ip=office) == stale
    assert accounts.authenticate("老王", PASSWORD, source_ip=office) == regular


def test_address_limit_off(target, clock):
    accounts = quick(Accounts(target, max_failures=3, ip_max_failures=0, now=clock))
    bob = accounts.add_user("bob", PASSWORD)
    for n in range(10):
        with pytest.raises(Unauthorized):
            accounts.authenticate(f"x{n}", "guess-guess", source_ip="203.0.113.9")
    assert accounts.authenticate("bob", PASSWORD, source_ip="203.0.113.9") == bob


class Verifications:
    """Counts the argon2 verifications of a stored hash, each made slow (a loaded server): the window
    in which concurrent attempts used to pass the lockout check together."""

    def __init__(self, monkeypatch, seconds: float = 0.2):
        real, self.count, lock = PasswordHasher.verify, 0, threading.Lock()

        def verify(hasher, stored, password):
            with lock:
                self.count += 1
            time.sleep(seconds)
            return real(hasher, stored, password)

        monkeypatch.setattr(PasswordHasher, "verify", verify)


def _attempt_login(target: Path | str, start, name: str, password: str, source_ip: str) -> str:
    """One login as a fresh worker would make it: ``"ok"``, ``"401"`` or ``"429"``."""
    accounts = Accounts(target, max_failures=3)
    start.wait()
    try:
        accounts.authenticate(name, password, source_ip)
        return "ok"
    except Unauthorized:
        return "401"
    except TooManyRequests:
        return "429"


def test_concurrent_wrong_passwords_are_checked_at_most_the_limit(target, monkeypatch):
    """24 wrong passwords for one name at once (threads as server workers): 3 (the limit) are checked,
    21 refused unchecked — each attempt is counted before its password is verified."""
    Accounts(target).add_user("alice", PASSWORD)
    checked = Verifications(monkeypatch)
    start = threading.Barrier(24)
    with ThreadPoolExecutor(24) as pool:
        outcomes = list(pool.map(lambda n: _attempt_login(target, start, "alice", f"guess-{n:04d}",
                                                          f"192.0.2.{n}"), range(24)))
    assert checked.count == 3
    assert sorted(outcomes) == ["401"] * 3 + ["429"] * 21
    audit = Accounts(target).audit_log(event="login_failed")
    assert sum(e["detail"] == "alice" for e in audit) == 3
    assert sum(e["detail"] == "alice：尝试过多，已暂时锁定" for e in audit) == 21


def _login_in_process(target, start, results, n):
    real = PasswordHasher.verify
    PasswordHasher.verify = lambda hasher, stored, password: time.sleep(0.3) or real(hasher, stored, password)
    results.put(_attempt_login(target, start, "alice", f"guess-{n:04d}", "192.0.2.1"))


def test_concurrent_wrong_passwords_from_processes_are_checked_at_most_the_limit(target):
    """The same with server worker processes: the count is in the database, not in a process."""
    Accounts(target).add_user("alice", PASSWORD)
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(8), context.Queue()
    workers = [context.Process(target=_login_in_process, args=(target, start, results, n)) for n in range(8)]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join()
    assert outcomes == ["401"] * 3 + ["429"] * 5


def test_concurrent_sign_ups_stay_within_the_limit(target, monkeypatch):
    """Twelve sign-ups from one address at once, three allowed an hour: three accounts, nine refused
    (reads made slow, as on a loaded server, widened the old check-then-record gap)."""
    real = Accounts._read
    monkeypatch.setattr(Accounts, "_read", lambda self, query: time.sleep(0.2) or real(self, query))
    start = threading.Barrier(12)

    def sign_up(n):
        accounts = Accounts(target, registration_max_per_hour=3)
        start.wait()
        try:
            accounts.register(f"user-{n}", PASSWORD, "192.0.2.1")
            return "ok"
        except TooManyRequests:
            return "429"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(sign_up, range(12)))
    assert sorted(outcomes) == ["429"] * 9 + ["ok"] * 3
    assert len(Accounts(target).users()) == 3


def test_registration_can_be_closed(tmp_path):   # the setting only: one backend is enough
    closed = Accounts(tmp_path / "a.sqlite3", registration_open=False)
    with pytest.raises(Forbidden) as refused:
        closed.register("carol", PASSWORD)
    assert refused.value.code == "registration_closed"
    opened = Accounts(tmp_path / "b.sqlite3")
    assert opened.register("carol", PASSWORD).role == "user"


# -- API tokens ------------------------------------------------------------

def test_tokens_create_use_revoke(accounts, target):
    user = accounts.add_user("alice", PASSWORD, role="member", member_until="2099-01-01")
    secret = accounts.create_token("alice", "脚本")
    assert secret.startswith("sc_") and len(secret) > 40
    assert accounts.viewer_for_token(secret) == user
    listed = accounts.tokens("alice")
    assert [(t["name"], t["active"]) for t in listed] == [("脚本", True)]
    token_id = listed[0]["id"]
    assert secret.startswith(f"sc_{token_id}_")
    assert listed[0]["last_used_at"] is None or listed[0]["last_used_at"] >= listed[0]["created_at"]
    stored = rows(accounts, "SELECT token_hash FROM tokens")[0][0]
    assert secret not in stored and len(stored) == 64

    other = Accounts(target)   # e.g. the CLI, while the server runs
    other.revoke_token(token_id)
    with pytest.raises(Unauthorized) as refused:
        accounts.viewer_for_token(secret)
    assert refused.value.code == "bad_token"
    assert accounts.tokens("alice")[0]["active"] is False
    for bogus in ("", "sc_", "sc_deadbeef_nothing", "Bearer x"):
        with pytest.raises(Unauthorized):
            accounts.viewer_for_token(bogus)
    with pytest.raises(NotFound):
        accounts.revoke_token("nope")


def test_token_follows_role_changes_and_dies_with_user(accounts):
    accounts.add_user("alice", PASSWORD, role="member", member_until="2099-01-01")
    secret = accounts.create_token("alice", "api")
    assert accounts.viewer_for_token(secret).member
    accounts.set_role("alice", "user")
    assert not accounts.viewer_for_token(secret).member
    accounts.remove_user("alice")
    with pytest.raises(Unauthorized):
        accounts.viewer_for_token(secret)


def test_a_token_id_in_use_is_never_given_again(accounts, monkeypatch):
    """Token ids are 8 random hex digits; the one drawn for a new token was inserted as drawn, so drawing one in use
    (two of some tens of thousands of tokens) ended the request as an internal error (IntegrityError)."""
    accounts.add_user("alice", PASSWORD)
    first = accounts.create_token("alice", "一")
    taken = first.split("_")[1]
    draws = iter([taken, taken, "0badc0de"])
    monkeypatch.setattr("sucai.accounts.secrets.token_hex", lambda n: next(draws))
    second = accounts.create_token("alice", "二")
    assert second.startswith("sc_0badc0de_")
    assert sorted(t["id"] for t in accounts.tokens("alice")) == sorted([taken, "0badc0de"])
    assert accounts.viewer_for_token(first).username == accounts.viewer_for_token(second).username == "alice"


def test_an_account_holds_a_bounded_number_of_tokens(accounts, clock):
    """Attack 21: a free account made tokens without end — each listed on 我的账号, which answers every creation and
    revocation, so a request's cost grew with every token made before it (5,000: a page of 1.5 MB). An account
    holds at most MAX_TOKENS, revoked ones included: a new one takes the place of the oldest revoked one, and is
    refused (``too_many_tokens``) while all are in use."""
    accounts.add_user("alice", PASSWORD)
    secrets_ = []
    for n in range(MAX_TOKENS):
        secrets_.append(accounts.create_token("alice", f"令牌{n}"))
        clock.advance(1)
    with pytest.raises(InvalidInput) as refused:
        accounts.create_token("alice", "多一个")
    assert refused.value.code == "too_many_tokens" and len(accounts.tokens("alice")) == MAX_TOKENS
    for secret in reversed(secrets_[:3]):   # revoked newest first: the oldest made goes first all the same
        accounts.revoke_token(secret.split("_")[1])
    for name in ("新一", "新二"):
        accounts.create_token("alice", name)
    names = [t["name"] for t in accounts.tokens("alice")]
    assert len(names) == MAX_TOKENS and {"令牌0", "令牌1"}.isdisjoint(names) and {"令牌2", "新一", "新二"} <= set(names)
    assert accounts.viewer_for_token(secrets_[-1]).username == "alice"   # those in use are kept
    accounts.create_token("alice", "新三")   # in place of 令牌2, the last revoked one
    with pytest.raises(InvalidInput):
        accounts.create_token("alice", "再多一个")
    assert "令牌2" not in [t["name"] for t in accounts.tokens("alice")]


# -- session key ------------------------------------------------------------

def test_session_secret_is_kept_in_the_accounts_database(tmp_path):
    key = session_secret(tmp_path)
    assert len(key) == 32 and not (tmp_path / "session.key").exists()
    assert session_secret(tmp_path) == key == Accounts(tmp_path / "accounts.sqlite3").session_secret()
    assert stat.S_IMODE((tmp_path / "accounts.sqlite3").stat().st_mode) == 0o600
    assert session_secret(tmp_path / "other") != key


def test_the_session_key_file_of_sucai_0_1_is_taken_over(tmp_path):
    old = bytes(range(32))
    (tmp_path / "session.key").write_bytes(old)     # cookies signed with it stay valid after the upgrade
    assert session_secret(tmp_path) == old


# -- audit log and quota -----------------------------------------------------

def test_audit_records_logins_failures_and_downloads(accounts, clock):
    alice = accounts.add_user("alice", PASSWORD, role="member", member_until="2099-01-01")
    clock.advance(1)
    accounts.authenticate("alice", PASSWORD, source_ip="192.0.2.7")
    clock.advance(1)
    with pytest.raises(Unauthorized):
        accounts.authenticate("alice", "wrong-password", source_ip="192.0.2.8")
    clock.advance(1)
    accounts.count_download(alice, "文档 12 docx", source_ip="192.0.2.7")
    clock.advance(1)
    accounts.audit("logout", alice, source_ip="192.0.2.7")
    log = accounts.audit_log()
    assert [e["event"] for e in log] == ["logout", "download", "login_failed", "login", "user_changed"]
    logout, download, failed, login, added = log
    assert (login["user_id"], login["username"], login["source_ip"]) == (alice.user_id, "alice", "192.0.2.7")
    assert login["at"] == "2025-03-14T09:00:01.000000+00:00"
    assert (failed["user_id"], failed["source_ip"], failed["detail"]) == (None, "192.0.2.8", "alice")
    assert (download["username"], download["detail"]) == ("alice", "文档 12 docx")
    assert added["role"] == "cli" and "alice" in added["detail"]
    assert [e["event"] for e in accounts.audit_log(limit=2)] == ["logout", "download"]
    with pytest.raises(InvalidInput):
        accounts.audit("nonsense", alice)


def test_a_sign_up_is_audited_as_the_new_account_not_the_command_line(accounts):
    accounts.add_user("boss", PASSWORD, role="admin")
    accounts.register("李四", PASSWORD, source_ip="192.0.2.9")
    signed_up, added = accounts.audit_log(event="user_changed")
    assert (signed_up["username"], signed_up["role"], signed_up["source_ip"]) == ("李四", "user", "192.0.2.9")
    assert signed_up["user_id"] == accounts.viewer("李四").user_id
    assert signed_up["detail"] == "注册账号 李四（注册用户）"
    assert (added["role"], added["detail"]) == ("cli", "新增用户 boss（管理员）")
    assert [row["who"] for row in audit_rows([signed_up, added], "Asia/Shanghai")] == ["李四", "命令行"]


def test_a_removed_accounts_downloads_and_addresses_are_not_the_next_ones_of_its_id(accounts, clock):
    """SQLite gives the newest account's id again once it is removed: the next account made — anyone's — started
    with the removed one's downloads of the day spent and its login addresses known, both read from the audit log
    by id (attack 19). PostgreSQL never gives an id twice."""
    office = "192.0.2.7"
    alice = accounts.add_user("alice", PASSWORD, role="member", member_until="2099-01-01")
    accounts.authenticate("alice", PASSWORD, source_ip=office)
    accounts.count_download(alice)
    accounts.count_download(alice)
    assert accounts.downloads_left(alice) == 0 and accounts._known_ip(alice, office)
    accounts.remove_user("alice")
    clock.advance(1)
    bob = accounts.add_user("bob", PASSWORD, role="member", member_until="2099-01-01")
    assert (bob.user_id == alice.user_id) != accounts.db.postgres   # the premise: SQLite's id given again
    assert accounts.downloads_left(bob) == 2 and not accounts._known_ip(bob, office)
    accounts.count_download(bob)
    assert accounts.downloads_left(accounts.viewer("bob")) == 1   # read back: since is the stored one


def test_a_removed_accounts_attempts_are_not_the_next_ones_of_its_id(target, clock):
    """The counters an account's attempts are kept under — failed logins, failed 卡密, a free user's 查重 of the
    hour — go with it: SQLite gives the newest account's id again once it is removed, and the next account made
    started locked out of logging in and redeeming, its 查重 of the hour spent (attack 20)."""
    from sucai.codes import Codes

    accounts = Accounts(target, max_failures=3, free_checks_per_hour=2, now=clock, password_profile="CHEAPEST")
    codes = Codes(accounts, max_failures=3)
    alice = accounts.add_user("alice", PASSWORD)
    for _ in range(3):
        with pytest.raises(Unauthorized):
            accounts.authenticate("alice", "guess-guess")
        with pytest.raises(NotFound):
            codes.redeem(alice, "AAAA-BBBB-CCCC-DDDD")
    for _ in range(2):
        accounts.limit_free_check(alice, "192.0.2.7")
    with pytest.raises(TooManyRequests):   # alice's are spent
        accounts.limit_free_check(alice, "192.0.2.7")
    carol = accounts.add_user("carol", PASSWORD)
    for viewer in (alice, carol):   # fix30: a 查重 charged, then repeated, whose free repeats bob inherited
        accounts.checked(viewer, "192.0.2.7", "一份草稿")
        assert accounts.repeated_check(viewer, "192.0.2.7", "一份草稿")
    accounts.remove_user("alice")
    assert accounts.repeated_check(carol, "192.0.2.7", "一份草稿")   # another account's stay
    accounts.remove_user("carol")
    clock.advance(1)
    bob = accounts.add_user("bob", PASSWORD)
    assert not accounts.repeated_check(bob, "192.0.2.7", "一份草稿")
    assert (bob.user_id == alice.user_id) != accounts.db.postgres   # the premise: SQLite's id given again
    assert accounts.authenticate("bob", PASSWORD) == bob
    with pytest.raises(NotFound):   # a failure of his own, not "尝试过多"
        codes.redeem(bob, "AAAA-BBBB-CCCC-DDDD")
    for _ in range(2):
        accounts.limit_free_check(bob, "192.0.2.8")
    accounts.close()


def test_download_quota(accounts, clock):
    member = accounts.add_user("member1", PASSWORD, role="member", member_until="2099-01-01")
    admin = accounts.add_user("boss", PASSWORD, role="admin")
    free = accounts.add_user("free", PASSWORD)
    assert accounts.downloads_left(member) == 2
    accounts.count_download(member)
    accounts.count_download(member)
    assert accounts.downloads_left(member) == 0
    with pytest.raises(TooManyRequests) as over:
        accounts.count_download(member)
    assert (over.value.status, over.value.code) == (429, "quota_exceeded")
    assert over.value.to_dict()["status"] == 429
    assert accounts.used_today(member, "download") == 2          # the refused one is not recorded
    for _ in range(5):                                    # admins, free users, visitors: not limited
        accounts.count_download(admin)
        accounts.count_download(free)
        accounts.count_download(VISITOR)
    assert accounts.downloads_left(admin) is None and accounts.downloads_left(free) is None
    clock.now = datetime(2025, 3, 14, 16, 0, 1, tzinfo=timezone.utc)   # a new day in Beijing (the default zone)
    member = accounts.viewer("member1")
    accounts.count_download(member)
    assert accounts.downloads_left(member) == 1


@pytest.mark.parametrize("zone, used_at, counted", [
    # 2026-12-01 23:30 UTC is 2026-12-02 07:30 in Beijing; its day began at 2026-12-01 16:00 UTC
    ("Asia/Shanghai", datetime(2026, 12, 1, 16, 10, tzinfo=timezone.utc), True),    # 12-02 00:10 in Beijing
    ("Asia/Shanghai", datetime(2026, 12, 1, 15, 50, tzinfo=timezone.utc), False),   # 12-01 23:50 in Beijing
    ("Asia/Shanghai", datetime(2026, 12, 1, 0, 10, tzinfo=timezone.utc), False),    # same UTC day, Beijing's 12-01
    ("UTC", datetime(2026, 12, 1, 0, 10, tzinfo=timezone.utc), True),
    ("UTC", datetime(2026, 11, 30, 23, 50, tzinfo=timezone.utc), False),
    # New York is UTC−5 in December: its 12-01 began at 05:00 UTC
    ("America/New_York", datetime(2026, 12, 1, 5, 10, tzinfo=timezone.utc), True),
    ("America/New_York", datetime(2026, 12, 1, 4, 50, tzinfo=timezone.utc), False),
])
def test_daily_quotas_count_days_on_the_site_clock(target, clock, zone, used_at, counted):
    accounts = Accounts(target, daily_downloads=1, zone=zone, now=clock)
    clock.now = used_at
    member = accounts.add_user("会员甲", PASSWORD, role="member", member_until="2099-01-01")
    accounts.count_download(member)
    clock.now = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)
    member = accounts.viewer("会员甲")
    assert accounts.used_today(member, "download") == int(counted)
    assert accounts.downloads_left(member) == 1 - int(counted)


@pytest.mark.parametrize("zone, now, wait", [
    ("Asia/Shanghai", datetime(2026, 12, 1, 23, 30), 16 * 3600 + 30 * 60),   # 07:30 in Beijing: 16 h 30 min to midnight
    ("UTC", datetime(2026, 12, 1, 23, 30), 30 * 60),                         # 23:30 UTC: half an hour
    ("America/New_York", datetime(2026, 12, 1, 23, 30), 5 * 3600 + 30 * 60),  # 18:30 in New York: 5 h 30 min
    # 00:30 EDT on 2026-11-01, the day clocks fall back from 02:00 EDT to 01:00 EST: 24 h 30 min to midnight
    ("America/New_York", datetime(2026, 11, 1, 4, 30), 24 * 3600 + 30 * 60),
])
def test_a_full_quota_waits_for_midnight_on_the_site_clock(target, clock, zone, now, wait):
    accounts = Accounts(target, daily_downloads=1, zone=zone, now=clock)
    clock.now = now.replace(tzinfo=timezone.utc)
    member = accounts.add_user("会员乙", PASSWORD, role="member", member_until="2099-01-01")
    accounts.count_download(member)
    with pytest.raises(TooManyRequests) as over:
        accounts.count_download(member)
    assert over.value.retry_after == wait and "请明天再来" in over.value.message
    clock.advance(wait)                       # the site's next day
    accounts.count_download(accounts.viewer("会员乙"))


def test_quota_holds_across_processes_at_once(target, clock):
    """Several connections (as several server workers or nodes) downloading at once never exceed the quota
    (on PostgreSQL: serialisable transactions, those that lose a race are run again). On the test's clock: on the
    machine's, a run at Beijing's midnight counted the downloads of two days."""
    path = target
    member = Accounts(path, now=clock).add_user("member1", PASSWORD, role="member", member_until="2099-01-01")
    refused = []

    def worker():
        acc = Accounts(path, daily_downloads=5, now=clock)
        for _ in range(5):
            try:
                acc.count_download(member)
            except TooManyRequests:
                refused.append(1)
        acc.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Accounts(path, now=clock).used_today(member, "download") == 5 and len(refused) == 15


def test_a_batch_spends_its_downloads_all_or_none_at_once(target, clock):
    """A zip's downloads are spent all or none, in one transaction: four zips of two documents at once, from four
    connections, against a quota of five spend four downloads — two zips made, two refused and nothing spent for
    them (counted one document at a time, as before, the third zip spent the fifth and was refused). With one left, a
    zip of two is told how many are left, with no Retry-After (fewer documents may still be had today)."""
    Accounts(target, now=clock).add_user("打包会员", PASSWORD, role="member", member_until="2099-01-01")
    member = Accounts(target, now=clock).viewer("打包会员")
    made, refused = [], []

    def zip_of_two(number: int):
        acc = Accounts(target, daily_downloads=5, now=clock)
        try:
            acc.spend(member, "download", [f"文档 {number}（打包）", f"文档 {number + 100}（打包）"])
            made.append(number)
        except TooManyRequests:
            refused.append(number)

    threads = [threading.Thread(target=zip_of_two, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accounts = Accounts(target, daily_downloads=5, now=clock)
    details = sorted(e["detail"] for e in accounts.audit_log(20, event="download"))
    assert (len(made), len(refused)) == (2, 2)
    assert details == sorted(f"文档 {n + k}（打包）" for n in made for k in (0, 100))
    with pytest.raises(TooManyRequests) as over:
        accounts.spend(member, "download", ["文档 1", "文档 2"])
    assert over.value.message == "今日还可下载 1 次，本次需 2 次；请减少篇数或明天再来"
    assert over.value.retry_after is None and accounts.downloads_left(member) == 1
    with pytest.raises(TooManyRequests) as over:   # a HEAD asks the same and spends nothing
        accounts.refuse_over_quota(member, "download", 2)
    assert over.value.message == "今日还可下载 1 次，本次需 2 次；请减少篇数或明天再来"
    accounts.refuse_over_quota(member, "download", 1)
    accounts.spend(member, "download", ["文档 3"])
    assert accounts.downloads_left(member) == 0


def test_settings_feed_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("SUCAI_LOGIN_MAX_FAILURES", "7")
    monkeypatch.setenv("SUCAI_REGISTRATION_OPEN", "0")
    settings = load_settings(tmp_path, member_daily_downloads=9)
    acc = Accounts.from_settings(settings)
    assert (acc.max_failures, acc.lockout_seconds, acc.daily_downloads, acc.registration_open) == (7, 300, 9, False)
    assert acc.path == tmp_path / "accounts.sqlite3"


# -- CLI ---------------------------------------------------------------------

def test_cli_round_trip(home):
    runner = CliRunner()

    def run(*args, input=None):
        result = runner.invoke(cli_app, list(args), input=input)
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result.output

    accounts = Accounts.open(home)   # a library of no account yet (a new machine has none: see the test below)
    empty = runner.invoke(cli_app, ["user", "list"])   # no empty table: how to make the first account
    assert (empty.exit_code, empty.stdout) == (0, "") and "还没有账号。新增第一个管理员：sucai user add" in empty.stderr
    # the last day it suggests to a 会员 is the README's (season28: 2027-12-01 here, 2027-12-31 there): next year's end
    suggested = re.search(r"--until (\S+)", empty.stderr)[1]
    readme = set(re.findall(r"--until \d{4}(-\d\d-\d\d)", (ROOT / "README.md").read_text(encoding="utf-8")))
    assert (suggested, readme) == (f"{date.today().year + 1}-12-31", {"-12-31"})
    assert "已新增用户 alice" in run("user", "add", "alice", "--password", PASSWORD)
    run("user", "add", "bob", "--role", "member", "--until", "2099-12-31", input="bob-password\nbob-password\n")
    users = json.loads(run("user", "list", "--json"))
    assert [(u["username"], u["role"], u["member_until"], u["member"]) for u in users] == \
           [("alice", "user", None, False), ("bob", "member", "2099-12-31", True)]
    table = run("user", "list")
    assert "用户名" in table and "会员到期" in table and "2099-12-31" in table

    assert accounts.authenticate("bob", "bob-password").member
    run("user", "set-role", "alice", "admin")
    run("user", "set-expiry", "bob", "2000-01-01")
    assert accounts.viewer("alice").admin and not accounts.viewer("bob").member
    run("user", "passwd", "bob", input="new-bob-password\nnew-bob-password\n")
    assert accounts.authenticate("bob", "new-bob-password").username == "bob"

    created = run("token", "create", "alice", "--label", "脚本")
    secret = created.strip().splitlines()[-1]
    assert accounts.viewer_for_token(secret).username == "alice"
    tokens = json.loads(run("token", "list", "alice", "--json"))
    assert len(tokens) == 1 and secret not in json.dumps(tokens)
    assert "已吊销" in run("token", "revoke", tokens[0]["id"])
    with pytest.raises(Unauthorized):
        accounts.viewer_for_token(secret)

    log = json.loads(run("audit", "--limit", "3", "--json"))
    assert [e["event"] for e in log] == ["token_revoked", "token_created", "login"]
    assert "吊销令牌" in run("audit")
    run("user", "remove", "bob")
    assert [v.username for v in accounts.users()] == ["alice"]

    failed = runner.invoke(cli_app, ["user", "add", "carol", "--password", "short"])
    assert failed.exit_code != 0 and getattr(failed.exception, "code", None) == "weak_password"


def test_account_commands_on_a_missing_library_make_nothing(tmp_path, monkeypatch, capsys):
    """fix25: ``sucai user list`` (token list, audit, codes list…) on a new machine or a mistyped ``--home`` made an
    empty library there and listed nothing from it. A command that reads or changes accounts says there is no
    library, exit 1, making nothing — as ``sucai list`` does (fix23); ``user add`` (the first admin of a new site)
    and ``codes create`` make one."""
    from sucai.cli import ExitCode, run

    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)   # an embedded library: PostgreSQL's is the server's
    missing = tmp_path / "库"
    refusal = (f"错误：数据目录 {missing} 中没有素材库（没有 catalogue.sqlite3 或 accounts.sqlite3）：请检查 --home 或"
               "环境变量 SUCAI_HOME；新建素材库请用 sucai ingest 文件夹（或用 sucai demo 试用示例库）\n")
    for command in (["user", "list"], ["user", "set-role", "alice", "admin"], ["user", "set-expiry", "alice", "none"],
                    ["user", "passwd", "alice", "--password", PASSWORD], ["user", "remove", "alice"],
                    ["token", "create", "alice"], ["token", "list", "alice"], ["token", "revoke", "abc"], ["audit"],
                    ["codes", "list"], ["codes", "void", "--batch", "一"]):
        status = run([*command, "--home", str(missing)])
        assert (status, capsys.readouterr()) == (ExitCode.ERROR, ("", refusal)), command
        assert list(tmp_path.iterdir()) == [], command
    assert run(["user", "add", "alice", "--password", PASSWORD, "--home", str(missing)]) == ExitCode.OK
    assert capsys.readouterr().out == "已新增用户 alice（编号 1，注册用户）\n"
    assert run(["user", "list", "--json", "--home", str(missing)]) == ExitCode.OK
    assert [user["username"] for user in json.loads(capsys.readouterr().out)] == ["alice"]


# -- issue 11: sessions, look-alike names, sign-up limits ----------------------------------------

def test_sessions_end_at_logout_password_and_role_change_and_removal(target, clock):
    """Sessions live in the database: what one process (a web worker, the CLI) ends, every other sees ended."""
    path = target
    worker, cli = Accounts(path, now=clock), Accounts(path, now=clock)
    member = worker.add_user("member1", PASSWORD, "member", "2099-01-01")
    first, second = worker.start_session(member), worker.start_session(member)
    assert first != second and cli.session_viewer(first) == cli.session_viewer(second) == member
    cli.end_session(first)                                   # logout in one worker …
    assert worker.session_viewer(first) == VISITOR           # … is logout in all of them
    assert worker.session_viewer(second) == member
    cli.set_password("member1", "新的密码-horse-43")           # sucai user passwd
    assert worker.session_viewer(second) == VISITOR
    third = worker.start_session(member)
    cli.set_expiry("member1", "2099-06-30")                  # a date change keeps the session …
    assert worker.session_viewer(third).member_until == "2099-06-30"
    cli.set_role("member1", "user")                          # … a role change does not
    assert worker.session_viewer(third) == VISITOR
    fourth = worker.start_session(worker.viewer("member1"))
    cli.remove_user("member1")
    assert worker.session_viewer(fourth) == VISITOR
    again = cli.add_user("member1", PASSWORD, "admin")       # the same name again is another account
    assert worker.session_viewer(fourth) == VISITOR
    assert worker.session_viewer("sc_not_a_session_secret_at_all") == VISITOR


def test_sessions_expire_when_idle_and_at_their_age_limit(target, clock):
    accounts = Accounts(target, session_idle_hours=2, session_max_age_days=1, now=clock)
    user = accounts.add_user("reader", PASSWORD)
    idle = accounts.start_session(user)
    busy = accounts.start_session(user)
    for _ in range(23):                        # used every hour: alive for 23 hours …
        clock.advance(3600)
        assert accounts.session_viewer(busy) == user
    assert accounts.session_viewer(idle) == VISITOR           # … while the unused one ended after 2 hours
    clock.advance(3601)                        # past one day since the login: over, however busy
    assert accounts.session_viewer(busy) == VISITOR


@pytest.mark.parametrize("look_alike", ["аdmin", "ADMIN", "admiń", "adrnin", "ａｄｍｉｎ", "admin\u0301"])
def test_look_alike_user_names_are_refused(accounts, look_alike):
    accounts.add_user("admin", PASSWORD, "admin")
    with pytest.raises(InvalidInput) as refused:
        accounts.add_user(look_alike, PASSWORD)
    assert refused.value.code == "user_exists"
    assert [u.username for u in accounts.users()] == ["admin"]
    accounts.add_user("admins", PASSWORD)                     # a different name is still fine
    accounts.add_user("张三", PASSWORD)
    with pytest.raises(InvalidInput):
        accounts.add_user("张三", PASSWORD)


@pytest.mark.parametrize("name, look_alike, typed", [("管理员", "管理員", "管理員"), ("张三丰", "張三豐", "張三丰"),
                                                    ("Admin", "ａｄｍｉｎ", "ＡＤＭＩＮ")])
def test_names_in_the_other_script_are_one_name(accounts, name, look_alike, typed):
    """F15: 管理員 (traditional) could be registered beside 管理员. Names are compared as NFKC, simplified and case
    folded: the look-alike is refused, and the name logs in written in any of these forms."""
    accounts.add_user(name, PASSWORD, "admin")
    with pytest.raises(InvalidInput) as refused:
        accounts.add_user(look_alike, PASSWORD)
    assert refused.value.code == "user_exists" and [u.username for u in accounts.users()] == [name]
    assert accounts.authenticate(typed, PASSWORD).username == name
    assert accounts.viewer(typed).username == name


def _look_alikes_as_a0002_left_them(tmp_path: Path, name: str, look_alike: str, role: str = "user") -> Path:
    """An accounts file holding ``name`` (id 1, ``role``) and ``look_alike`` (id 2, the same password), as a0002 left
    such a pair: the look-alike's key its own characters."""
    path = tmp_path / "accounts.sqlite3"
    accounts = Accounts(path, password_profile="CHEAPEST")
    accounts.add_user(name, PASSWORD, role)
    accounts.close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO users (id, username, name_key, password_hash, role, created_at, updated_at) "
                   "SELECT 2, ?, ?, password_hash, 'user', created_at, updated_at FROM users WHERE id = 1",
                   (look_alike, look_alike))
        db.execute("ALTER TABLE search_stats DROP COLUMN missing")   # a0004's
        db.execute("ALTER TABLE codes DROP COLUMN voided_at")   # a0005's
        db.execute("ALTER TABLE codes DROP COLUMN voided_by")
        db.execute("UPDATE accounts_version SET version_num = 'a0002'")
    return path


def test_look_alikes_in_the_other_script_made_before_both_keep_their_accounts(tmp_path):
    """F15's collision rule: two accounts an older rule let exist side by side (张三丰, then 張三豐) both stay after
    migration a0003, each logging in by its own spelling; the older one holds the key, so a third spelling
    (張三丰) is refused."""
    path = _look_alikes_as_a0002_left_them(tmp_path, "张三丰", "張三豐")
    accounts = Accounts(path)
    assert [(u.user_id, u.username) for u in accounts.users()] == [(1, "张三丰"), (2, "張三豐")]
    assert accounts.authenticate("张三丰", PASSWORD).user_id == 1 and accounts.authenticate("張三豐", PASSWORD).user_id == 2
    with pytest.raises(InvalidInput):
        accounts.add_user("張三丰", PASSWORD)
    accounts.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name_key FROM users ORDER BY id").fetchall() == [("张三丰",), ("张三丰#2",)]


def test_logging_into_a_look_alike_account_never_clears_the_others_failures(tmp_path):
    """Review 18a: 管理员 and 管理員 (made side by side before a0003) counted their login failures under one folded
    name, so logging into one's own 管理員 cleared the admin's failures: 16 guesses and never locked. Each account
    now counts its own (and the password check is never reached while locked)."""
    path = _look_alikes_as_a0002_left_them(tmp_path, "管理员", "管理員", "admin")
    accounts = Accounts(path, password_profile="CHEAPEST", max_failures=5)
    guesses = 0
    with pytest.raises(TooManyRequests):
        for _ in range(4):
            for _ in range(4):
                guesses += 1
                with pytest.raises(Unauthorized):
                    accounts.authenticate("管理员", "猜的口令123456")
            assert accounts.authenticate("管理員", PASSWORD).user_id == 2   # the attacker's own account
        accounts.authenticate("管理员", "猜的口令123456")
    assert guesses == 6   # five wrong passwords, then locked (the sixth refused unchecked), as a lone account is
    accounts.close()


def test_sign_ups_are_limited_per_address(target, clock):
    accounts = Accounts(target, registration_max_per_hour=3, now=clock)
    accounts.register("one-user", PASSWORD, "192.0.2.1")
    with pytest.raises(InvalidInput):
        accounts.register("one-user", PASSWORD, "192.0.2.1")     # failed attempts count too
    accounts.register("two-user", PASSWORD, "192.0.2.1")
    with pytest.raises(TooManyRequests) as refused:
        accounts.register("three-user", PASSWORD, "192.0.2.1")
    assert refused.value.code == "too_many_registrations" and 0 < refused.value.retry_after <= 3600
    accounts.register("four-user", PASSWORD, "192.0.2.2")        # another address is not affected
    clock.advance(3601)
    accounts.register("five-user", PASSWORD, "192.0.2.1")        # and the limit ages out
    assert len(accounts.users()) == 4


# attack 19: a host given an IPv6 /64 (RFC 6177, RFC 7421: every home and server) sends from any of its 2^64
# addresses, so each per-address limit held it only as long as it kept one address
HOST_64 = ["2001:db8:5:6::1", "2001:db8:5:6:a::2", "2001:db8:5:6:ffff:ffff:ffff:fffe"]
OTHER_64 = "2001:db8:5:7::1"


def test_sign_ups_are_limited_per_ipv6_network(target, clock):
    accounts = Accounts(target, registration_max_per_hour=3, now=clock)
    for n, address in enumerate(HOST_64):
        accounts.register(f"v6-user{n}", PASSWORD, address)
    with pytest.raises(TooManyRequests):
        accounts.register("v6-user3", PASSWORD, "2001:db8:5:6:1234::9")
    accounts.register("v6-user4", PASSWORD, OTHER_64)           # the next /64 is another host
    for n in range(3):   # an IPv4 address written as IPv6 (a dual-stack socket) is that IPv4 address
        accounts.register(f"v4-user{n}", PASSWORD, ("192.0.2.7", "::ffff:192.0.2.7")[n % 2])
    with pytest.raises(TooManyRequests):
        accounts.register("v4-user3", PASSWORD, "::ffff:192.0.2.7")


def test_a_spray_from_one_ipv6_network_is_stopped(target, clock):
    accounts = quick(Accounts(target, max_failures=3, ip_max_failures=3, now=clock))
    accounts.add_user("小李", PASSWORD)
    regular = accounts.add_user("老王", PASSWORD)
    accounts.authenticate("老王", PASSWORD, source_ip="2001:db8:5:6::1000")
    clock.advance(10)
    for n, address in enumerate(HOST_64):
        with pytest.raises(Unauthorized):
            accounts.authenticate(f"x{n}", "guess-guess", source_ip=address)
    with pytest.raises(TooManyRequests):
        accounts.authenticate("小李", PASSWORD, source_ip="2001:db8:5:6:beef::1")
    assert accounts.authenticate("小李", PASSWORD, source_ip=OTHER_64).username == "小李"
    # a regular of the network is known there at any of its addresses (temporary IPv6 addresses change daily)
    assert accounts.authenticate("老王", PASSWORD, source_ip="2001:db8:5:6::2000") == regular


def test_free_checks_are_limited_per_ipv6_network(target, clock):
    accounts = Accounts(target, free_checks_per_hour=3, now=clock)
    for address in HOST_64:
        accounts.limit_free_check(VISITOR, address)
    with pytest.raises(TooManyRequests) as refused:
        accounts.limit_free_check(VISITOR, "2001:db8:5:6::77")
    assert refused.value.code == "too_many_checks"
    accounts.limit_free_check(VISITOR, OTHER_64)


def test_schema_1_accounts_are_migrated(tmp_path):
    """An accounts file of sucai 0.1 (no sessions, no name keys, even two look-alike names) opens as is."""
    path = tmp_path / "accounts.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1');
            CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                password_hash TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('user', 'member', 'admin')),
                member_until TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE login_failures (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL);
            INSERT INTO users VALUES (1, 'admin', 'x', 'admin', NULL, '2025-01-01', '2025-01-01');
            INSERT INTO users VALUES (2, 'аdmin', 'x', 'user', NULL, '2025-01-01', '2025-01-01');
        """)
    for _ in range(2):                                           # idempotent
        accounts = Accounts(path)
        assert [u.username for u in accounts.users()] == ["admin", "аdmin"]
        with pytest.raises(InvalidInput):
            accounts.add_user("admiń", PASSWORD)
        session = accounts.start_session(accounts.viewer("admin"))
        assert accounts.session_viewer(session).username == "admin"
        assert accounts.viewer("аdmin").user_id == 2            # the older look-alike keeps its account
        assert accounts.tier(accounts.viewer("admin")) == "admin"   # tiers
        accounts.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM accounts_version").fetchall() == [(head("accounts"),)]
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name IN ('login_failures', 'meta')").fetchall()
        assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'tiers'").fetchall()


def test_token_names_lose_control_characters(accounts):
    accounts.add_user("alice", PASSWORD)
    accounts.create_token("alice", "脚本\x1b[2J\x1b]0;x\x07")
    assert accounts.tokens("alice")[0]["name"] == "脚本[2J]0;x"


def test_control_characters_in_names_are_a_wrong_login_not_an_error(accounts):
    """PostgreSQL text cannot hold NUL: a name or token id typed with control characters is read without
    them, on both backends alike (never a 500)."""
    accounts.add_user("alice", PASSWORD)
    assert accounts.authenticate("al\x00ice", PASSWORD).username == "alice"
    with pytest.raises(Unauthorized):
        accounts.authenticate("\x00nobody\x1b", PASSWORD)
    with pytest.raises(NotFound):
        accounts.revoke_token("dead\x00beef")
    assert accounts.add_user("bob\x00", PASSWORD + "\x00").username == "bob"   # a password is only hashed
    assert accounts.authenticate("bob", PASSWORD + "\x00").username == "bob"
    assert [v.username for v in accounts.users()] == ["alice", "bob"]


@pytest.mark.parametrize("written, day", [("2027-12-31", "2027-12-31"), ("2027年12月31日", "2027-12-31"),
                                          ("２０２７年１月５日", "2027-01-05"), (" 2027-01-05 ", "2027-01-05"),
                                          ("2027年1月5", "2027-01-05"), ("今天", "2026-03-01"), (" 今日", "2026-03-01"),
                                          ("昨天", "2026-02-28"), ("昨日 ", "2026-02-28")])
def test_one_reading_of_a_day_for_every_command(written, day):
    """``--until``, ``sync --since``, ``list --since`` and the admin page read a day by one function
    (:func:`sucai.config.parse_day`): 今天 and 昨天 counted from the day given (2026-03-01: 昨天 is 02-28)."""
    from sucai.cli.common import Day, site_day

    class Site:
        def today(self):
            return date(2026, 3, 1)

    assert parse_day(written, date(2026, 3, 1)).isoformat() == day
    assert site_day(Day().convert(written, None, None), Site()).isoformat() == day


@pytest.mark.parametrize("written", ["2027-02-30", "2027年13月1日", "前天", "今天天", "2027/12/31", ""])
def test_a_day_that_is_not_one_is_refused_in_chinese(written):
    with pytest.raises(BadValue) as refused:
        parse_day(written, date(2026, 3, 1))
    assert refused.value.code == "bad_date"
    assert refused.value.message == f"“{written}”不是有效的日期，应写作 2027-12-31、2027年12月31日、今天或昨天（本站时区）"


def test_a_membership_until_today_ends_on_the_sites_day(target, clock):
    """``--until 今天`` (the admin page's too) is the day on the accounts' clock: at BEIJING_MIDNIGHT, 12-01 in
    UTC, it is 12-02 in Beijing; 昨天 is 12-01."""
    accounts = Accounts(target, zone="Asia/Shanghai", now=clock)
    clock.now = BEIJING_MIDNIGHT
    assert accounts.add_user("老王", PASSWORD, role="member", member_until="今天").member_until == "2026-12-02"
    assert accounts.set_expiry("老王", "昨天").member_until == "2026-12-01"


def test_repeats_of_a_check_end_half_an_hour_after_it_was_charged(target, clock):
    """attack25: a repeat of a 查重 was remembered as a charge is, so it kept the draft's half hour going — five
    repeats spread over the half hour left five rows in it when the charge itself had left it, and the next repeat
    was free again: one charged draft re-checked free for ever, ten an hour, and every hour's new drafts added theirs.
    A repeat is free only within half an hour of the charge, five times."""
    from sucai.accounts import RECHECK_SECONDS, RECHECKS

    accounts = Accounts(target, now=clock)
    draft, address = "一份草稿", "192.0.2.7"
    assert not accounts.repeated_check(VISITOR, address, draft)     # never charged: charged now
    accounts.checked(VISITOR, address, draft)
    step = (RECHECK_SECONDS - 60) // RECHECKS
    for _ in range(RECHECKS):
        clock.advance(step)
        assert accounts.repeated_check(VISITOR, address, draft)
    assert not accounts.repeated_check(VISITOR, address, draft)     # the sixth within the half hour
    clock.advance(61)                                               # the charge is half an hour old
    assert not accounts.repeated_check(VISITOR, address, draft)
    accounts.checked(VISITOR, address, draft)                       # charged again: five repeats again
    assert [accounts.repeated_check(VISITOR, address, draft) for _ in range(RECHECKS + 1)] == [True] * RECHECKS + [False]
    assert not accounts.repeated_check(VISITOR, "192.0.2.8", draft)  # another address's, never charged
    accounts.close()
