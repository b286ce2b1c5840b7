"""Membership codes (卡密) on the command line: ``sucai codes create`` (CSV out) and ``sucai codes list``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..accounts import TIER_LABELS, Accounts
from ..codes import CSV_HEADER, Codes
from ..config import load_settings
from ..export.archive import index_csv
from .common import HomeOption, JsonOption, app, err, out, print_json

codes_app = typer.Typer(help="会员卡密：批量生成（CSV 输出，只显示这一次）、查看批次。", no_args_is_help=True)
app.add_typer(codes_app, name="codes")


def _codes(home: Path | None) -> Codes:
    settings = load_settings(home)
    return Codes(Accounts.from_settings(settings), settings.redeem_max_failures)


@codes_app.command("create")
def codes_create(
    tier: Annotated[str, typer.Option("--tier", help="member=会员 / svip=SVIP会员")] = "member",
    days: Annotated[int, typer.Option("--days", help="每个卡密增加的天数")] = 365,
    count: Annotated[int, typer.Option("--count", help="生成多少个")] = 1,
    batch: Annotated[Optional[str], typer.Option("--batch", help="批次名称（默认按时间命名）")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="写入 CSV 文件（UTF-8 带 BOM，Excel 可直接打开）；默认输出到屏幕")] = None,
    home: HomeOption = None,
) -> None:
    """批量生成单次有效的会员卡密，以 CSV 输出（卡密只显示这一次，库里只存其摘要）。"""
    rows = _codes(home).create(tier, days, count, batch=batch)
    data = index_csv(CSV_HEADER, [[r["code"], r["tier"], r["days"], r["batch"], r["created_at"]] for r in rows])
    if output is None:
        sys.stdout.write(data.decode("utf-8-sig"))
    else:
        output.write_bytes(data)
    err.print(f"已生成 {len(rows)} 个{TIER_LABELS[tier]}卡密（每个 {days} 天，批次“{escape(rows[0]['batch'])}”）"
              + (f"，已写入 {escape(str(output))}" if output else ""))


@codes_app.command("list")
def codes_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """列出卡密批次：等级、天数、数量、已兑换。"""
    batches = _codes(home).batches()
    if as_json:
        print_json(batches)
        return
    table = Table("批次", "等级", "天数", "数量", "已兑换", "创建时间", "创建人")
    for b in batches:
        table.add_row(escape(b["batch"]), TIER_LABELS.get(b["tier"], b["tier"]), str(b["days"]), str(b["count"]),
                      str(b["redeemed"]), b["created_at"][:16], escape(b["created_by"] or ""))
    out.print(table)
