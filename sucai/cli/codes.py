"""Membership codes (卡密) on the command line: ``sucai codes create`` (CSV out), ``sucai codes void`` (a leaked
batch's unused codes, or single codes) and ``sucai codes list``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click
from rich.markup import escape
from rich.table import Table

from ..choices import TIER_LABELS, TIERS
from ..config import Settings, local_time
from ..errors import SucaiError, os_reason
from .common import (INT, NamedChoice, app, err, home_option, json_option, library_settings, made_settings, out,
                     print_json, shown)

if TYPE_CHECKING:   # imported when a command runs (the accounts load the database layer)
    from ..codes import Codes


@app.group("codes")
def codes_app() -> None:
    """会员卡密：批量生成（CSV 输出，只显示这一次）、作废、查看批次。"""


def _codes(settings: Settings) -> Codes:
    """The 卡密 of the library whose ``settings`` were read (:func:`.common.library_settings` for the commands that
    read or void them: there is none to read in a data directory holding no library; :func:`.common.made_settings` for
    ``create``, which may make the first of a new site's)."""
    from ..accounts import Accounts
    from ..codes import Codes

    return Codes(Accounts.from_settings(settings), settings.redeem_max_failures)


@codes_app.command("create")
@click.option("--tier", type=NamedChoice({tier: TIER_LABELS[tier] for tier in TIERS}), default="member",
              help="等级：会员（member，默认）/ SVIP会员（svip）")
@click.option("--days", type=INT, default=365, show_default=True, metavar="天数", help="每个卡密增加的天数")
@click.option("--count", type=INT, default=1, show_default=True, metavar="个数", help="生成多少个")
@click.option("--batch", metavar="名称", help="批次名称（默认按生成时间命名，每批各不相同；写已有的名称则并入该批）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="文件",
              help="写入 CSV 文件（电子表格软件可直接打开）；默认输出到屏幕")
@home_option
def codes_create(tier: str = "member", days: int = 365, count: int = 1, batch: str | None = None,
                 output: Path | None = None, home: Path | None = None) -> None:
    """批量生成单次有效的会员卡密，以 CSV 输出。

    卡密只显示这一次，库里只存其摘要；生成记入审计日志。
    """
    handle = _new_csv(output) if output is not None else None
    try:
        codes = _codes(made_settings(home))
        rows = codes.create(tier, days, count, batch=batch)
        data = codes.csv(rows)
        if handle is None:
            sys.stdout.write(data.decode("utf-8-sig"))
        else:
            with handle:
                handle.write(data)
    except BaseException:
        if handle is not None:   # no code made, or none written: no file that looks like a batch's only copy
            handle.close()
            output.unlink(missing_ok=True)
        raise
    err.print(f"已生成 {len(rows)} 个{TIER_LABELS[tier]}卡密（每个 {days} 天，批次“{escape(shown(rows[0]['batch']))}”）"
              + (f"，已写入 {escape(shown(output))}" if output else ""))


def _new_csv(output: Path) -> BinaryIO:
    """``output`` made new for a batch's CSV, before any code is: the CSV is the codes' only copy (they are stored as
    hashes), so an existing file is never written over (BadParameter, exit 2), and a file that cannot be made — a
    folder that does not exist, no permission — is refused (SucaiError ``cannot_write``, exit 1) before the codes
    exist: they were stored and audited with no copy anywhere."""
    try:
        return output.open("xb")
    except FileExistsError:
        raise click.BadParameter(f"{shown(output)} 已存在；卡密只显示这一次，请换一个文件名，以免覆盖之前的卡密",
                                 param_hint="'-o' / '--output'") from None
    except OSError as error:
        raise SucaiError(f"无法写入 {shown(output)}：{os_reason(error)}；未生成卡密", code="cannot_write") from error


@codes_app.command("void")
@click.argument("typed", nargs=-1, metavar="[卡密...]")
@click.option("--batch", metavar="名称", help="作废这个批次中所有未兑换的卡密（批次名称见 sucai codes list）")
@home_option
def codes_void(typed: tuple[str, ...] = (), batch: str | None = None, home: Path | None = None) -> None:
    """作废卡密：一个批次（--batch）或列出的单个卡密。

    作废的卡密不能再兑换（兑换时提示已作废），已兑换的不受影响；作废记入审计日志。
    用于批次的 CSV 泄露等情形；作废不可撤销。
    """
    if (batch is None) == (not typed):
        raise click.UsageError("请给出 --batch 批次名称，或要作废的卡密（二者选一）")
    done = _codes(library_settings(home)).void(batch=batch, typed=list(typed) if typed else None)
    err.print(done.message)


@codes_app.command("list")
@home_option
@json_option
def codes_list(home: Path | None = None, as_json: bool = False) -> None:
    """列出卡密批次：等级、天数、数量、已兑换、已作废。"""
    codes = _codes(library_settings(home))
    batches = codes.batches()
    if as_json:
        print_json(batches)
        return
    table = Table("批次", "等级", "天数", "数量", "已兑换", "已作废", "创建时间", "创建人")
    for b in batches:
        table.add_row(escape(shown(b["batch"])), TIER_LABELS.get(b["tier"], b["tier"]), str(b["days"]), str(b["count"]),
                      str(b["redeemed"]), str(b["voided"]), local_time(b["created_at"], codes.accounts.zone, "minutes"), escape(shown(b["created_by"] or "")))
    out.print(table)
