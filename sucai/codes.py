"""Membership codes (卡密): single-use codes that extend a membership, made in batches by an admin.

A code is 20 characters of Crockford's base32 (100 random bits from :mod:`secrets`),
written in groups of four (``K7Q2-9XMV-…``); what a user types is read leniently
(case, spaces, dashes, full-width forms, and O/I/L for 0/1/1 do not matter). Only
the SHA-256 of a code is stored (with its last four characters, to tell codes
apart in lists), so the codes are shown once, when made (CSV). Redeeming one
marks it used and extends the account's tier in one transaction
(:meth:`sucai.accounts.Accounts.extend_membership`): a code works once. An admin
voids the unused codes of a batch whose CSV leaked, or single codes
(:meth:`Codes.void`): they are never redeemed, and whoever tries one is told it
was voided; the used ones stay as they were. A void and a redemption of the same
code at once end as one or the other, never both (each is one write transaction:
``BEGIN IMMEDIATE`` on SQLite, ``SERIALIZABLE`` on PostgreSQL).

Every creation (one entry per batch), void, redemption and failed redemption is in
the audit log. Failed redemptions are throttled per account and per IP address
in the database (the accounts' ``attempts``, kinds ``redeem_user`` and ``redeem_ip``;
so every web worker and node agrees):
after ``redeem_max_failures`` within an hour, redemptions are refused with 429
until the failures age out — 100-bit codes cannot be guessed, and the pause
keeps anyone from trying. Each redemption is counted before its code is looked
up (atomically: concurrent ones never get more codes looked up than the limit)
and a success takes its count back.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .accounts import Accounts, TooManyRequests, Viewer, account_key, address_key, minutes
from .choices import TIER_LABELS, TIERS
from .clean import plain
from .config import local_time
from .db import retried, utc_stamp
from .db.schema import codes as codes_table
from .errors import BadValue, InvalidInput, NotFound, Unauthorized
from .export.archive import index_csv

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"   # Crockford's base32: no I, L, O, U
CODE_CHARS = 20                                 # 100 bits
MAX_BATCH = 10_000
MAX_VOID = 1000                                 # single codes voided at once
MAX_DAYS = 3660
WINDOW_SECONDS = 3600
_READ_AS = {"O": "0", "I": "1", "L": "1"}

CSV_HEADER = ("卡密", "会员等级", "天数", "批次", "创建时间")


@dataclass(frozen=True)
class Redeemed:
    """A code redeemed: the tier, the days added, and the tier's last day before and after."""

    tier: str
    days: int
    before: str
    after: str

    @property
    def message(self) -> str:
        return f"兑换成功：{TIER_LABELS[self.tier]}增加 {self.days} 天，有效期至 {self.after}（含当天）"


@dataclass(frozen=True)
class Voided:
    """What a void did: ``voided`` codes voided now; of those named, ``used`` already redeemed (left as they were),
    ``already`` voided before, ``unknown`` matching no code (single codes only)."""

    voided: int
    used: int
    already: int
    unknown: int = 0

    @property
    def message(self) -> str:
        kept = [f"{what}的 {n} 个" for n, what in ((self.used, "已兑换"), (self.already, "此前已作废"),
                                                 (self.unknown, "查无此卡密")) if n]
        return f"已作废 {self.voided} 个未兑换的卡密" + (f"；{'、'.join(kept)}未改动" if kept else "")


def normalise(typed: str) -> str:
    """A typed code as stored before hashing: NFKC, upper case, without spaces and dashes, O→0, I/L→1."""
    text = unicodedata.normalize("NFKC", typed or "").upper()
    return "".join(_READ_AS.get(ch, ch) for ch in text if not ch.isspace() and ch not in "-_")


def batch_name(typed: str) -> str:
    """A batch's name as stored: a one-line field (:func:`sucai.clean.plain`), spaces collapsed, at most 60 characters."""
    return " ".join(plain(typed).split())[:60]


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()


def new_code() -> str:
    """A fresh random code, ``XXXX-XXXX-XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_CHARS, 4))


def _unused(conn, name: str) -> str:
    """``name`` if no batch has it, else the first of ``name（2）``, ``name（3）``… none has (read in ``conn``)."""
    c = codes_table.c
    taken = set(conn.execute(select(c.batch).distinct().where(c.batch.startswith(name, autoescape=True))).scalars())
    return next(n for n in itertools.chain([name], (f"{name}（{i}）" for i in itertools.count(2))) if n not in taken)


class Codes:
    """The codes in the accounts database of ``accounts``; a batch is named by the time on the site's clock
    (the accounts' ``zone``: the ``timezone`` setting)."""

    def __init__(self, accounts: Accounts, max_failures: int = 5):
        self.accounts = accounts
        self.max_failures = max_failures

    def create(self, tier: str, days: int, count: int, *, batch: str | None = None, actor: Viewer | None = None,
               source_ip: str | None = None) -> list[dict]:
        """Make ``count`` codes of ``tier`` (:data:`sucai.accounts.TIERS`) worth ``days`` days each, in one
        batch (named ``batch``, a one-line field as :func:`sucai.clean.plain` keeps one — a name typed again adds to
        that batch —, default the time to the minute, 「2026-12-06 08:42 会员30天」, followed by （2）, （3）… when a batch
        of that name was made already: a default name is one batch's alone, so voiding it never voids another's
        codes). Returns
        them (the only time they are seen) as rows of :data:`CSV_HEADER`'s fields:
        ``{"code", "tier", "days", "batch", "created_at"}``. Audited once.

        Raises BadValue (``bad_tier``, ``bad_days``, ``bad_count``).
        """
        if tier not in TIERS:
            raise BadValue(f"会员等级应为 {' / '.join(TIERS)}：{tier}", code="bad_tier")
        if not 1 <= days <= MAX_DAYS:
            raise BadValue(f"天数应为 1–{MAX_DAYS}", code="bad_days")
        if not 1 <= count <= MAX_BATCH:
            raise BadValue(f"一次可生成 1–{MAX_BATCH} 个卡密", code="bad_count")
        now = utc_stamp("seconds")
        default = f"{local_time(now, self.accounts.zone, 'minutes')} {TIER_LABELS[tier]}{days}天"
        codes = [new_code() for _ in range(count)]
        batch = self._store(codes, tier, days, batch_name(batch or ""), default, now, actor, source_ip)
        return [{"code": c, "tier": TIER_LABELS[tier], "days": days, "batch": batch, "created_at": now} for c in codes]

    def csv(self, rows: list[dict]) -> bytes:
        """Rows of :meth:`create` as the CSV file an admin downloads (UTF-8 with BOM, :data:`CSV_HEADER`), its
        创建时间 on the site's clock with the offset written (``2026-12-02 15:28:21+08:00``), as the batch is named."""
        return index_csv(CSV_HEADER, [[r["code"], r["tier"], r["days"], r["batch"],
                                       datetime.fromisoformat(r["created_at"]).astimezone(self.accounts.zone).isoformat(" ")]
                                      for r in rows])

    @retried
    def _store(self, codes: list[str], tier: str, days: int, typed: str, default: str, now: str, actor: Viewer | None,
               source_ip: str | None) -> str:
        """Store ``codes`` in the batch named ``typed``, else in a new one named ``default`` (:func:`_unused`),
        audited; returns the batch's name."""
        who = actor.username if actor else "命令行"
        with self.accounts.transaction() as conn:
            batch = typed or _unused(conn, default)
            conn.execute(codes_table.insert(), [{"code_hash": _hash(c), "hint": c[-4:], "batch": batch, "tier": tier,
                                                 "days": days, "created_at": now, "created_by": who} for c in codes])
            self.accounts._audit(conn, "code_created", actor,
                                 f"批次“{batch}”：{len(codes)} 个{TIER_LABELS[tier]} {days} 天", source_ip)
        return batch

    def redeem(self, viewer: Viewer, typed: str, source_ip: str | None = None) -> Redeemed:
        """Redeem a code for ``viewer``'s account: the code is used up and the tier extended, together.

        Raises TooManyRequests (``too_many_attempts``) while the account or the
        address has ``max_failures`` failures in the last hour (the code is not
        looked at), NotFound (``bad_code``: unknown, or already used — one
        message for both), NotFound (``code_voided``: voided by an admin, :meth:`void`) otherwise; each failure
        is recorded and audited. Unauthorized (``login_required``) for a
        visitor; InvalidInput (``membership_at_limit``: the tier would pass 9999-12-31 — the code stays unused and
        the attempt is not counted as a failure).
        """
        if viewer.user_id is None:
            raise Unauthorized("请先登录，再兑换卡密", code="login_required")
        keys = [("redeem_user", account_key(viewer), self.max_failures)]
        keys += [("redeem_ip", address_key(source_ip), self.max_failures)] if source_ip else []
        wait, claimed = self.accounts.claim(keys, WINDOW_SECONDS, actor=viewer,
                                            refused=("code_failed", "尝试过多，已暂停兑换", source_ip))
        if wait:
            raise TooManyRequests(f"卡密兑换失败次数过多，请约 {minutes(wait)} 分钟后再试",
                                  code="too_many_attempts", retry_after=wait)
        code = normalise(typed)
        try:
            redeemed = self._use(viewer, code, claimed, source_ip) if len(code) == CODE_CHARS else None
        except InvalidInput:   # membership_at_limit: a good code this account cannot take is no failed attempt
            with self.accounts.transaction() as conn:
                self.accounts.unclaim(conn, claimed)
            raise
        if isinstance(redeemed, Redeemed):
            return redeemed
        if redeemed == "voided":
            self.accounts.audit("code_failed", viewer, f"已作废的卡密 …{code[-4:]}", source_ip)   # stays counted
            raise NotFound("该卡密已作废，无法兑换；如有疑问，请联系售卡方", code="code_voided")
        self.accounts.audit("code_failed", viewer, f"无效或已用的卡密 …{code[-4:]}", source_ip)   # stays counted
        raise NotFound("卡密无效或已被使用", code="bad_code")

    @retried
    def _use(self, viewer: Viewer, code: str, claimed: list[int], source_ip: str | None) -> Redeemed | str | None:
        """Use up ``code`` for ``viewer`` and extend the tier, in one transaction, taking back the attempt
        ``claimed`` (None: no such unused code; ``"voided"``: voided, :meth:`void`)."""
        c = codes_table.c
        with self.accounts.transaction() as conn:
            row = conn.execute(select(c.id, c.tier, c.days, c.batch, c.voided_at)
                               .where(c.code_hash == _hash(code), c.redeemed_at.is_(None))).first()
            if row is None:
                return None
            code_id, tier, days, batch, voided_at = row
            if voided_at is not None:
                return "voided"
            self.accounts.unclaim(conn, claimed)
            conn.execute(codes_table.update().where(c.id == code_id)
                         .values(redeemed_at=utc_stamp("seconds"), redeemed_by=viewer.user_id, redeemed_name=viewer.username))
            before, after = self.accounts.extend_membership(conn, viewer.user_id, tier, days)
            self.accounts._audit(conn, "code_redeemed", viewer,
                                 f"卡密 …{code[-4:]}（批次“{batch}”）：{TIER_LABELS[tier]} {before or '无'} → {after}",
                                 source_ip)
            return Redeemed(tier, days, before, after)

    def void(self, *, batch: str | None = None, typed: list[str] | None = None, actor: Viewer | None = None,
             source_ip: str | None = None) -> Voided:
        """Void the unused codes of the batch named ``batch`` (every tier and term of that name), or the codes
        ``typed`` (read as :meth:`redeem` reads one; at most :data:`MAX_VOID`), in one transaction, audited once:
        they can no longer be redeemed; redeemed ones are left as they were.

        Raises BadValue (``bad_void``: neither or both of ``batch`` and codes ``typed``, or too many codes), NotFound
        (``no_batch``: no batch of that name; ``bad_code``: none of ``typed`` is a code).
        """
        named = {normalise(t) for t in typed or () if t.strip()}
        if (batch is None) == (not named) or len(named) > MAX_VOID:
            raise BadValue(f"请给出一个批次，或 1–{MAX_VOID} 个卡密", code="bad_void")
        c = codes_table.c
        if batch is not None:
            name = batch_name(batch)
            return self._void(c.batch == name, 0, f"批次“{name}”", NotFound(f"没有这个卡密批次：{name}", code="no_batch"),
                              actor, source_ip)
        label = "卡密 " + "、".join(sorted(f"…{code[-4:]}" for code in named)[:20]) + ("等" if len(named) > 20 else "")
        return self._void(c.code_hash.in_([_hash(code) for code in named]), len(named), label,
                          NotFound("没有找到这些卡密", code="bad_code"), actor, source_ip)

    @retried
    def _void(self, which, named: int, label: str, missing: NotFound, actor: Viewer | None,
              source_ip: str | None) -> Voided:
        """Void the unused codes ``which`` selects (``named`` codes were typed; 0: a batch), ``missing`` raised when
        it selects none; audited as ``label``."""
        c = codes_table.c
        with self.accounts.transaction() as conn:
            found, used, already = conn.execute(
                select(func.count(), func.count(c.redeemed_at), func.count(c.voided_at)).where(which)).one()
            if not found:
                raise missing
            voided = conn.execute(codes_table.update().where(which, c.redeemed_at.is_(None), c.voided_at.is_(None))
                                  .values(voided_at=utc_stamp("seconds"), voided_by=actor.username if actor else "命令行")).rowcount
            done = Voided(voided, used, already, max(named - found, 0))
            self.accounts._audit(conn, "code_voided", actor, f"{label}：{done.message}", source_ip)
            return done

    def batches(self) -> list[dict]:
        """Each batch: ``{"batch", "tier", "days", "count", "redeemed", "voided", "created_at", "created_by"}``,
        newest first."""
        c = codes_table.c
        rows = self.accounts._read(
            select(c.batch, c.tier, c.days, func.count(), func.count(c.redeemed_at), func.count(c.voided_at),
                   func.min(c.created_at), func.min(c.created_by))
            .group_by(c.batch, c.tier, c.days).order_by(func.min(c.id).desc()))
        keys = ("batch", "tier", "days", "count", "redeemed", "voided", "created_at", "created_by")
        return [dict(zip(keys, row)) for row in rows]

    def redemptions_by_day(self, local_day, since: str) -> list[dict]:
        """Redemptions per local day (``local_day(stamp)`` → ``YYYY-MM-DD``) from the UTC time ``since``
        on: ``{"date", "count"}``, newest first."""
        counts: dict[str, int] = {}
        for (at,) in self.accounts._read(select(codes_table.c.redeemed_at).where(codes_table.c.redeemed_at >= since)):
            day = local_day(at)
            counts[day] = counts.get(day, 0) + 1
        return [{"date": d, "count": n} for d, n in sorted(counts.items(), reverse=True)]
