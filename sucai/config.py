"""Where sucai keeps its data, and its settings.

Settings come from, in rising priority: the defaults below, ``sucai.toml`` in the
data directory, ``SUCAI_*`` environment variables, then explicit arguments (CLI
flags). The data directory is ``--home``, else ``$SUCAI_HOME``, else the
platform's user-data directory (``~/.local/share/sucai`` on Linux).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_dir

from .errors import BadValue, InvalidInput, os_reason

DEFAULT_TIMEZONE = "Asia/Shanghai"   # the ``timezone`` setting's default: the site's clock
# the ``password_hash_profile`` setting's values: argon2-cffi's parameter sets (argon2.profiles), strongest first;
# the default, RFC 9106's second recommendation (argon2id, t=3, 64 MiB, p=4), is argon2-cffi's own; CHEAPEST
# (t=1, 8 KiB) is for the test suite, where it makes each of thousands of logins cost microseconds, not a second
PASSWORD_HASH_PROFILES = ("RFC_9106_HIGH_MEMORY", "RFC_9106_LOW_MEMORY", "PRE_21_2", "CHEAPEST")


CATALOGUE_FILE, ACCOUNTS_FILE = "catalogue.sqlite3", "accounts.sqlite3"   # an embedded library's two databases


def no_library(home: Path, outcome: str = "") -> InvalidInput:
    """The error (``no_library``) of a command that needs a library where ``home`` holds none
    (:attr:`Settings.holds_library`: a new machine's default data directory, a mistyped ``--home`` or ``SUCAI_HOME``),
    ``outcome`` saying what was not done ("未备份"), and how to make one."""
    return InvalidInput(f"数据目录 {home} 中没有素材库（没有 {CATALOGUE_FILE} 或 {ACCOUNTS_FILE}）"
                        + (f"，{outcome}" if outcome else "") + "：请检查 --home 或环境变量 SUCAI_HOME；"
                        "新建素材库请用 sucai ingest 文件夹（或用 sucai demo 试用示例库）", code="no_library")


@dataclass(frozen=True)
class Settings:
    home: Path
    snippet_chars: int = 120          # snippet length, in characters
    section_scan_docs: int = 300      # section scope: how many best documents are split into sections
    section_scan_chars: int = 1_000_000  # section scope: at most this many characters of them (the first always)
    max_query_chars: int = 500        # longer query strings are cut (with a warning)
    max_page_size: int = 100
    search_cache_entries: int = 2000  # search results (and facet counts) kept per server process for repeated queries; 0: none
    free_preview_chars: int = -1      # ≥ 0: documents without a member boundary are members-only after this many characters; -1: they are free
    registration_open: int = 1        # 1: visitors may sign up as free users; 0: only an admin creates accounts
    member_daily_downloads: int = 50  # downloads a member may make per day (the site's, see timezone); admins are not limited
    member_daily_drafts: int = 20     # 写作台 drafts a member may start per day
    member_daily_checks: int = 20     # 查重 runs a member may make per day
    free_checks_per_hour: int = 30    # 查重 runs per hour of a visitor (per IP address) or a free user (per account and address); 0: no limit
    free_batch_downloads_per_hour: int = 10  # 打包下载 (zips) per hour of a visitor (per IP address) or a free user (per account and address); 0: no limit
    svip_daily_downloads: int = 200   # the same three for the SVIP tier
    svip_daily_drafts: int = 100
    svip_daily_checks: int = 100
    redeem_max_failures: int = 5      # failed membership-code redemptions per account (and per IP) in an hour before a pause
    login_max_failures: int = 5       # failed logins for one user name before a lockout
    login_ip_max_failures: int = 20   # failed logins from one IP (any names) before it is locked for accounts new there; 0: no limit
    login_known_ip_days: int = 30     # an account that logged in from an IP within this many days is not held by that IP's limit
    login_lockout_seconds: int = 300  # the window failures are counted in, and how long a lockout lasts
    audit_days: int = 730             # audit entries older than this many days are deleted (at least 180: 网络安全法 §21)
    analytics_days: int = 365         # 用户在找什么's daily counts are kept for the last this many local days
    session_https_only: int = 0       # 1: the session cookie is sent over HTTPS only (Secure); 0 for plain-HTTP localhost
    session_max_age_days: int = 14    # how long a web login lasts at most (ended on the server after that)
    session_idle_hours: int = 24      # a web login unused this long ends
    registration_max_per_hour: int = 10  # sign-ups from one IP address within an hour; 0: no limit
    trusted_proxies: str = ""         # reverse proxies (IPs or networks, comma-separated) whose X-Forwarded-For is believed
    site_url: str = ""                # the site's address (https://sucai.example.cn) that report and feed links start with; "" = the one each request came to (its Host header)
    upload_max_mb: int = 20           # largest file an admin may upload through the web app, in MB
    upload_max_files: int = 20        # most files in one web upload
    parse_timeout_seconds: int = 300  # wall-clock limit on reading one file (conversion, OCR included)
    parse_memory_mb: int = 1024       # address-space limit of the process that reads one file, in MB
    parse_max_pages: int = 2000       # longest PDF (or multi-page TIFF) that is read, in pages
    drafting_tier: str = "member"     # who may use the 写作台: "user" (every logged-in account) or "member" (会员)
    llm_base_url: str = ""            # 润笔: an OpenAI-compatible endpoint (…/v1); empty: 润笔 is hidden
    llm_model: str = ""               # 润笔: the model name sent to that endpoint
    llm_api_key: str = ""             # 润笔: sent as "Authorization: Bearer …" when not empty
    llm_timeout_seconds: int = 60     # 润笔: longest wait for one rewrite, in seconds
    progress_seconds: int = 10        # without a terminal (piped, a service log), ingest prints a progress line this often (watch: logs)
    timezone: str = DEFAULT_TIMEZONE  # IANA time zone in which times are shown (the audit log) and days counted (今日更新, daily quotas, a membership's last day); stored times are UTC
    watch_settle_ms: int = 1000       # watch folder: a file is ingested once its size and time stayed the same this long
    check_min_match_chars: int = 13   # 查重: shortest 重合片段, in characters (letters, digits, Han; no punctuation)
    check_max_chars: int = 100_000    # 查重: longest draft, in characters (without whitespace)
    database_url: str = ""            # postgresql://user:password@host/db; "" = the SQLite files in the data directory
    index_poll_seconds: int = 1       # how often a server checks the change log when no notification comes
    change_log_days: int = 90         # the change log keeps this many days of changes (an index further behind rebuilds)
    password_hash_profile: str = "RFC_9106_LOW_MEMORY"  # argon2id cost of password hashes: an argon2.profiles name; CHEAPEST only for tests

    @property
    def zone(self) -> ZoneInfo:
        """The site's clock: the time zone the ``timezone`` setting names (:func:`site_zone`; a name no zone has
        is refused by :func:`load_settings`, here InvalidInput)."""
        return site_zone(self.timezone)

    def today(self) -> date:
        """The day it is now on the site's clock (:attr:`zone`)."""
        return datetime.now(self.zone).date()

    @property
    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """``trusted_proxies`` parsed (validated by :func:`load_settings`)."""
        return _networks(self.trusted_proxies)

    @property
    def catalogue_path(self) -> Path:
        """The embedded catalogue database (when ``database_url`` is empty)."""
        return self.home / CATALOGUE_FILE

    @property
    def accounts_path(self) -> Path:
        """The embedded accounts database (when ``database_url`` is empty)."""
        return self.home / ACCOUNTS_FILE

    @property
    def holds_library(self) -> bool:
        """Whether there is a library to open: a PostgreSQL ``database_url``, or either embedded database in ``home``
        (a library of accounts only, no document yet, is one). False for a mistyped ``--home`` or ``SUCAI_HOME``."""
        return bool(self.database_url.strip()) or self.catalogue_path.exists() or self.accounts_path.exists()

    def database(self, store: str) -> str:
        """The SQLAlchemy URL of ``store`` (``"catalogue"`` or ``"accounts"``): ``database_url`` when
        set (both stores share one PostgreSQL database), else the store's SQLite file in ``home``."""
        if self.database_url.strip():
            return self.database_url.strip()
        return f"sqlite:///{self.catalogue_path if store == 'catalogue' else self.accounts_path}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def user_dict_path(self) -> Path:
        """The operator's own segmentation terms, one per line (added to the bundled list)."""
        return self.home / "userdict.txt"


SECRET_SETTINGS = ("database_url", "llm_api_key")  # a password or a key: never written into a backup
_PRECISION = {"days": "%Y-%m-%d", "minutes": "%Y-%m-%d %H:%M", "seconds": "%Y-%m-%d %H:%M:%S"}


def site_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (the ``timezone`` setting, such as Asia/Shanghai): the one place the site's
    clock is built. Raises InvalidInput (code ``bad_settings``) when no zone has that name (``Asia``, a folder
    of zones, included)."""
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError) as err:   # "Asia": IsADirectoryError
        raise InvalidInput(f"设置 timezone 应为时区名称（如 Asia/Shanghai），而不是 {name!r}", code="bad_settings") from err


def local_time(stamp: str | None, zone: str | tzinfo, precision: str = "seconds") -> str:
    """A stored time (ISO 8601 with its offset; sucai stores UTC) on the site's clock: ``zone``, an IANA
    name (the ``timezone`` setting) or a tzinfo. ``precision`` ``"seconds"`` gives ``YYYY-MM-DD HH:MM:SS``,
    ``"minutes"`` ``YYYY-MM-DD HH:MM``, ``"days"`` the local day ``YYYY-MM-DD``; "" for None or "".
    Raises KeyError for another precision, ValueError for a stamp that is not ISO 8601, InvalidInput for a
    name no zone has (:func:`site_zone`)."""
    if not stamp:
        return ""
    shown = _PRECISION[precision]
    return datetime.fromisoformat(stamp).astimezone(site_zone(zone) if isinstance(zone, str) else zone).strftime(shown)


def day_start(day: date, zone: tzinfo) -> datetime:
    """The moment ``day`` begins on the site's clock: local midnight in ``zone`` (an aware datetime)."""
    return datetime.combine(day, time(), zone)


def parse_day(written: str, today: date) -> date:
    """A day as a user writes it anywhere (``--since``, ``--until``, the admin page): ``2027-12-31`` or
    ``2027年12月31日`` (``日`` may be left off), full-width digits and white space around allowed, or 今天 (今日) and
    昨天 (昨日), counted from ``today`` — the site's day (:meth:`Settings.today`). Raises BadValue (code ``bad_date``,
    a Chinese message naming every form) for anything else."""
    text = unicodedata.normalize("NFKC", written).strip()
    if text in _DAYS_BACK:
        return today - timedelta(days=_DAYS_BACK[text])
    chinese = _CHINESE_DATE.fullmatch(text)
    try:
        return date(*map(int, chinese.groups())) if chinese else date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"“{written}”不是有效的日期，应写作 2027-12-31、2027年12月31日、今天或昨天（本站时区）",
                       code="bad_date") from None


_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1}


def year_digits(written):
    """A year as a user writes it anywhere (``--year``, the web's ``year`` parameters) — 2024, ２０２４ or 2024年, white
    space around allowed — as its digits (「2024」: full-width ones made ASCII, the closing 年 dropped), for the caller's
    check of a whole number in range to take or refuse (「2024年度」 stays as it is, and is refused); a value that is
    not text (a default) as it is. Never raises."""
    return unicodedata.normalize("NFKC", written).strip().removesuffix("年").rstrip() if isinstance(written, str) else written


def data_dir(home: str | Path | None = None) -> Path:
    """The data directory: ``home``, else ``$SUCAI_HOME``, else the user-data directory (not created here)."""
    return Path(home or os.environ.get("SUCAI_HOME") or user_data_dir("sucai")).expanduser()


def load_settings(home: str | Path | None = None, **overrides) -> Settings:
    """Resolve the settings; creates the data directory (:func:`data_dir`).

    Raises InvalidInput (code ``bad_settings``) when ``sucai.toml`` is malformed,
    names an unknown setting or gives a value of the wrong type or range, or a ``login_known_ip_days`` longer
    than ``audit_days`` (the log it reads is kept no longer), and (code ``bad_home``) when the data directory cannot be created or written.
    """
    root = data_dir(home)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except FileExistsError as err:   # os_reason's 已经存在 would not say what is wrong with it
        raise InvalidInput(f"数据目录 {root} 不可用：这是一个文件，不是文件夹", code="bad_home") from err
    except OSError as err:
        raise InvalidInput(f"数据目录 {root} 不可用：{os_reason(err)}", code="bad_home") from err
    if not os.access(root, os.W_OK):
        raise InvalidInput(f"数据目录 {root} 不可写", code="bad_home")
    known = {f.name: f.type for f in fields(Settings) if f.name != "home"}
    values = {**_from_toml(root / "sucai.toml", known), **_from_env(known), **overrides}
    for name, value in values.items():
        if known.get(name) == "str":
            _check_text(name, value)
        else:
            _check_number(name, value)
    settings = replace(Settings(home=root), **values)
    if settings.login_known_ip_days > settings.audit_days:   # the addresses a login is known by are the audit log's
        raise InvalidInput(f"设置 login_known_ip_days（{settings.login_known_ip_days:,} 天）不能长于 audit_days"
                           f"（{settings.audit_days:,} 天）：登录过的地址从审计日志读出，审计日志只保留 audit_days 天",
                           code="bad_settings")
    return settings


def _check_number(name: str, value) -> None:
    """Raise InvalidInput (``bad_settings``) unless ``value`` is a whole number from the setting's least
    (:data:`_MINIMUM`, else 0) to its most (:data:`_MAXIMUM`, where one is)."""
    least, most = _MINIMUM.get(name, 0), _MAXIMUM.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < least or (most is not None and value > most):
        bounds = f" {least:,} 到 {most:,} 之间" if most is not None else f"不小于 {least} "
        raise InvalidInput(f"设置 {name} 应为{bounds}的整数，而不是 {_as_written(value)}", code="bad_settings")


def _as_written(value) -> str:
    """A setting's value as sucai.toml spells it (TOML 1.0: ``true``, ``1.5``, ``["a", 2]``, ``2024-01-01``), for a
    message: Python's spelling (``True``) is not what the operator wrote; a text keeps its quotes (``'abc'``)."""
    if isinstance(value, (date, time)):   # a TOML date, time or date-time: bare (a datetime is a date)
        return value.isoformat()
    return repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _check_text(name: str, value) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"设置 {name} 应为文字（字符串），而不是 {_as_written(value)}", code="bad_settings")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise InvalidInput(f"设置 {name} 应为 {' / '.join(_CHOICES[name])} 之一，而不是 {value!r}", code="bad_settings")
    if name == "timezone":
        site_zone(value)
    if name == "trusted_proxies":
        try:
            _networks(value)
        except ValueError as err:   # its text the entry, not the ipaddress module's English reason
            raise InvalidInput(f"设置 trusted_proxies 应为逗号分隔的 IP 地址或网段（如 127.0.0.1, 10.0.0.0/8），"
                               f"而不是 {str(err)!r}", code="bad_settings") from None
    if name == "site_url" and value.strip() and not _site_url(value.strip()):
        raise InvalidInput(f"设置 site_url 应为站点的网址（如 https://sucai.example.cn），留空则用每个请求的地址，"
                           f"而不是 {value!r}", code="bad_settings")
    if name == "database_url" and value.strip() and not value.strip().startswith(("postgresql://", "postgres://",
                                                                                  "sqlite:///")):
        raise InvalidInput("设置 database_url 应为 postgresql://用户:密码@主机/库名（留空则用数据目录里的 SQLite 文件）",
                           code="bad_settings")


def _site_url(value: str) -> bool:
    """Whether ``value`` is a site's address: http or https, a host (a port if any a number), no user, query,
    fragment, space or control character; a path is allowed (a site a proxy serves under one:
    ``https://example.cn/sucai``)."""
    try:
        parts = urlsplit(value)
        parts.port   # noqa: B018 - raises ValueError for a port that is no number or past 65535
    except ValueError:   # that, or a bracketed host that is no IPv6 address
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and value.isprintable() and " " not in value
            and not (parts.username or parts.query or parts.fragment))


def _networks(value: str) -> list:
    """The networks of ``value``, addresses or networks separated by commas (ASCII or full-width). Raises ValueError,
    its text the first entry that is neither."""
    networks = []
    for part in filter(None, (part.strip() for part in value.replace("，", ",").split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(part) from None
    return networks


_MINIMUM = {"snippet_chars": 1, "section_scan_docs": 1, "section_scan_chars": 1,
            "max_query_chars": 1, "max_page_size": 1,
            "free_preview_chars": -1, "session_max_age_days": 1, "session_idle_hours": 1,
            "parse_timeout_seconds": 1, "parse_memory_mb": 256, "parse_max_pages": 1,
            "index_poll_seconds": 1, "check_min_match_chars": 8, "check_max_chars": 1, "llm_timeout_seconds": 1,
            "audit_days": 180, "analytics_days": 1, "change_log_days": 1}
# The most a setting may be where more cannot work: tantivy panics on (or cannot allocate) a page of results or a
# section scan that large, and a login's lifetimes past Python's timedelta (999,999,999 days) overflow, as a day
# before the year 1 does (a retention in days)
_MAXIMUM = {"max_page_size": 1_000, "section_scan_docs": 100_000, "session_max_age_days": 36_500,
            "session_idle_hours": 876_000, "login_known_ip_days": 36_500, "audit_days": 36_500,
            "analytics_days": 36_500, "change_log_days": 36_500}
_CHOICES = {"drafting_tier": ("user", "member"), "password_hash_profile": PASSWORD_HASH_PROFILES}


_TOML_PLACE = re.compile(r"line (\d+),? col(?:umn)? (\d+)")


def toml_reason(error: ValueError) -> str:
    """Why a settings file is not TOML (a ``tomllib``/``tomlkit`` error or a UnicodeDecodeError), in Chinese:
    where, as the parser's English message gives the place (line and column from 1), not its words."""
    if isinstance(error, UnicodeDecodeError):
        return "不是 UTF-8 编码的文本"
    place = _TOML_PLACE.search(str(error))
    if place:
        return f"第 {place[1]} 行第 {int(place[2]) + (0 if 'column' in place[0] else 1)} 列附近不是有效的 TOML 写法（应为 名称 = 值）"
    if "end of document" in str(error):
        return "文件在末尾不完整，不是有效的 TOML 写法（应为 名称 = 值）"
    return "不是有效的 TOML 写法（应为 名称 = 值）"


def _from_toml(path: Path, known: dict[str, str]) -> dict:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise InvalidInput(f"{path} 格式错误：{toml_reason(err)}", code="bad_settings") from err
    unknown = set(data) - set(known)
    if unknown:
        raise InvalidInput(f"{path} 含未知设置：{'、'.join(sorted(unknown))}", code="bad_settings")
    return data


def _from_env(known: dict[str, str]) -> dict:
    values = {}
    for name, kind in known.items():
        raw = os.environ.get(f"SUCAI_{name.upper()}")
        if raw is not None and kind == "str":
            values[name] = raw
        elif raw is not None:
            try:
                values[name] = int(raw)
            except ValueError as err:
                raise InvalidInput(f"环境变量 SUCAI_{name.upper()} 应为整数，而不是 {raw!r}", code="bad_settings") from err
    return values
