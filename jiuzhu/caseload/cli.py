"""`jiuzhu caseload import FILE [--dry-run]` — bring the county's existing 低保/特困 households in.

Takes the same ``--data-dir`` as ``jiuzhu up`` (the case record is ``<data-dir>/caserecord.db``
unless ``JIUZHU_DATABASE_URL`` names another; migrated first) and ``--json`` for a machine-readable
summary on stdout. Progress goes to stderr. A file that cannot be read at all (no header, unknown
encoding) is an error in Chinese on stderr, exit status 2; bad rows are reported, not fatal.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.money import format_yuan
from jiuzhu.policy.payments import parse_month


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"请写明时区，例如 {text}+08:00")
    return value


def _alias(text: str) -> tuple[str, str]:
    own, sep, documented = text.partition("=")
    if not sep or not own.strip() or not documented.strip():
        raise argparse.ArgumentTypeError(f"列对应应写作 本县列名=文档列名，例如 保障户主=户主姓名，实际为 {text!r}")
    return own.strip(), documented.strip()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("caseload", help="存量在保对象导入", description="存量在保对象（低保、特困）导入")
    sub = parser.add_subparsers(dest="caseload_command", required=True)
    load = sub.add_parser(
        "import",
        help="导入在保户花名册（CSV 或 XLSX，每户一行）；可重复运行，不会重复导入",
        description="导入在保户花名册：逐行校验，合格的户建档并纳入动态管理（排定首次复核）。",
    )
    load.add_argument("file", type=Path, help="花名册文件：.csv（UTF-8 或 GBK）或 .xlsx")
    load.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
    load.add_argument("--first-month", default=None, help="本系统开始发放的月份 YYYY-MM（默认导入次月）")
    load.add_argument("--approver", default=None, help="决定记录上的审批人登录名（默认“存量导入（原系统认定）”）")
    load.add_argument(
        "--map",
        dest="aliases",
        action="append",
        type=_alias,
        default=[],
        metavar="本县列名=文档列名",
        help="把本县表头对应到文档列名，可重复，例如 --map 保障户主=户主姓名",
    )
    load.add_argument("--batch-size", type=int, default=200, help="每个事务写入的户数（默认 200）")
    load.add_argument("--data-dir", type=Path, default=Path("var"), help="与 jiuzhu up 相同的数据目录（默认 ./var）")
    load.add_argument("--json", action="store_true", help="以 JSON 输出结果摘要")
    load.add_argument("--now", type=_instant, default=None, help="按此时刻校验（ISO 8601，带时区；默认当前时间）")
    start = sub.add_parser(
        "start-rechecks",
        help="为已导入、尚未纳入动态管理的户在引擎上启动 dynamic-management（jiuzhu up 会自动启动）",
        description="在 jiuzhu engine 或 Camunda 8 的网关上为已导入的户启动动态管理流程（读取 ZEEBE_CLIENT_* 凭据）。",
    )
    start.add_argument("--address", required=True, help="Zeebe 网关 host:port")
    start.add_argument("--data-dir", type=Path, default=Path("var"), help="与 jiuzhu up 相同的数据目录（默认 ./var）")
    start.add_argument("--json", action="store_true", help="以 JSON 输出结果摘要")
    parser.set_defaults(func=run_command)


def _engine(args: argparse.Namespace) -> Any:
    from jiuzhu.cli import _case_record_url
    from schemas.db import make_engine

    return make_engine(_case_record_url(args))


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\r导入中 [{'#' * filled}{'.' * (width - filled)}] {done}/{total} 户", end=end, file=sys.stderr, flush=True)


def lines_of(summary: dict[str, Any]) -> list[str]:
    """The summary as an operator reads it."""
    verb = "可导入（试运行，未写入）" if summary["dryRun"] else "已导入"
    schemes = "，".join(f"{k} {v} 户" for k, v in summary["bySchemes"].items() if v)
    lines = [
        f"{summary['file']}：共 {summary['rows']} 行；{verb} {summary['imported']} 户，"
        f"已在系统中跳过 {summary['present']} 户，拒绝 {len(summary['rejected'])} 行"
    ]
    if summary["imported"]:
        due, total = summary["nextRecheckDue"], format_yuan(Decimal(summary["monthlyTotal"]))
        lines.append(f"  {schemes}；月救助金额合计 {total}，自 {summary['firstMonth']} 起由本系统发放")
        lines.append(
            f"  首次复核：{due['earliest']} 至 {due['latest']}，"
            f"其中已逾期 {summary['overdueRechecks']} 户（纳入动态管理后立即启动复核）"
        )
    lines += [f"  第{r['row']}行：{r['reason']}" for r in summary["rejected"]]
    if not summary["dryRun"] and summary["imported"]:
        lines.append(f"  用时 {summary['seconds']} 秒（导入批次 {summary['importId']}）")
    return lines


def _start_rechecks(args: argparse.Namespace) -> int:
    import asyncio

    from pyzeebe import ZeebeClient

    from jiuzhu.caseload.rechecks import ROUND, start_rechecks
    from jiuzhu.cli import _refusal
    from jiuzhu.oauth import OAuthCredentials, zeebe_channel

    engine = _engine(args)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # the gRPC channel binds to the loop it is made on
    started: list[int] = []
    try:
        # ZEEBE_CLIENT_ID/SECRET/AUTHORIZATION_SERVER_URL as zbctl reads them; none: an unprotected gateway.
        channel = zeebe_channel(args.address, OAuthCredentials.from_env())
        client = ZeebeClient(channel)

        def create(process_id: str, variables: dict[str, Any]) -> int:
            return int(loop.run_until_complete(client.run_process(process_id, variables)).process_instance_key)

        try:
            while True:
                batch = start_rechecks(create, engine, datetime.now(UTC))
                started += batch
                if len(batch) < ROUND:
                    break
        finally:
            loop.run_until_complete(channel.close())
    except Exception as error:  # the gateway's refusal, said plainly; what was started is recorded
        print(f"jiuzhu caseload：已启动 {len(started)} 户后出错：{_refusal(error)}", file=sys.stderr)
        return 1
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    if args.json:
        print(json.dumps({"started": len(started), "processInstanceKeys": started}, ensure_ascii=False))
    else:
        print(f"已为 {len(started)} 户启动动态管理（dynamic-management）")
    return 0


def run_command(args: argparse.Namespace) -> int:
    from jiuzhu.caseload import import_file

    if args.caseload_command == "start-rechecks":
        return _start_rechecks(args)

    now = args.now or datetime.now(UTC)
    try:
        first: date | None = parse_month(args.first_month) if args.first_month else None
        if args.batch_size < 1:
            raise PolicyError("batch_size", "--batch-size 应为正整数")
        result = import_file(
            _engine(args),
            args.file,
            now=now,
            dry_run=args.dry_run,
            first_month=first,
            approver=args.approver,
            batch_size=args.batch_size,
            aliases=dict(args.aliases),
            progress=None if args.dry_run else _progress,
        )
    except PolicyError as error:
        print(f"jiuzhu caseload：{error.message}", file=sys.stderr)
        return 2
    summary = result.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines_of(summary)))
    return 0
