"""`jiuzhu payments run | export | import-returns` — for operators and scripts.

Each takes the same ``--data-dir`` as ``jiuzhu up`` (the case record is ``<data-dir>/caserecord.db``
unless ``JIUZHU_DATABASE_URL`` names another, migrated first) and ``--json`` for a machine-readable
summary on stdout. Errors are Chinese, on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.payments import parse_month


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"请写明时区，例如 {text}+08:00")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path("var"), help="与 jiuzhu up 相同的数据目录（默认 ./var）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果摘要")
    parser.add_argument("--now", type=_instant, default=None, help="按此时刻计算（ISO 8601，带时区；默认当前时间）")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("payments", help="按月发放：计算、银行批量文件、回盘", description="按月发放")
    sub = parser.add_subparsers(dest="payments_command", required=True)
    run = sub.add_parser("run", help="计算某月发放（可重复运行，不会重复发放）")
    run.add_argument("--month", required=True, help="发放月份 YYYY-MM")
    _common(run)
    export = sub.add_parser("export", help="写出某月的银行代发批量文件和乡镇汇总表")
    export.add_argument("--month", required=True, help="发放月份 YYYY-MM")
    export.add_argument("--bank", default=None, help="银行名称（banks.json 中的版式；默认“默认”）")
    export.add_argument("--out", required=True, type=Path, help="批量文件路径")
    _common(export)
    back = sub.add_parser("import-returns", help="导入银行回盘文件：逐笔标记已发放或发放失败")
    back.add_argument("file", type=Path)
    back.add_argument("--bank", default=None, help="银行名称（回盘版式；默认“默认”）")
    _common(back)
    parser.set_defaults(func=run_command)


def _engine(args: argparse.Namespace) -> Any:
    from jiuzhu.cli import _case_record_url
    from schemas.db import make_engine

    return make_engine(_case_record_url(args))


def _print(args: argparse.Namespace, summary: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines))


def run_command(args: argparse.Namespace) -> int:
    now = args.now or datetime.now(UTC)
    try:
        if args.payments_command == "run":
            from jiuzhu.payments.ledger import run_month

            month = parse_month(args.month)
            result = run_month(_engine(args), month, now)
            summary = result.summary()
            lines = [
                f"{args.month} 发放计算：新增 {summary['created']} 笔（其中补发 {summary['arrears']} 笔，"
                f"合计 ¥{summary['total']}），已有记录跳过 {summary['skipped']} 户，"
                f"拒绝重复 {len(summary['refused'])} 笔"
            ]
            lines += [f"  拒绝：案件 {r['caseId']} {r['month']}：{r['reason']}" for r in summary["refused"]]
            lines += [f"  多发：户 {o['householdId']} {o['reason']}" for o in summary["overpaid"]]
            lines += [f"  暂缓：案件 {r['caseId']} {r['reason']}" for r in summary["deferred"]]
            _print(args, summary, lines)
            return 0
        from jiuzhu.payments.bank import export_batch, import_returns, load_layouts

        layout = load_layouts(args.data_dir).get(args.bank)
        if args.payments_command == "export":
            exported = export_batch(_engine(args), parse_month(args.month), layout, args.out)
            summary = exported.summary()
            lines = [f"已写出 {layout.name} 批量文件 {args.out}：{exported.rows} 笔，合计 ¥{exported.total:.2f}"]
            lines += [f"  {t}：{c} 笔 ¥{a:.2f}" for t, (c, a) in exported.townships.items()]
            lines.append(f"乡镇汇总表：{exported.totals_file}")
            lines += [f"  未写入：{m['caseNumber']}（{m['township']}）{m['reason']}" for m in exported.missing_account]
            _print(args, summary, lines)
            return 0
        if not args.file.is_file():
            raise PolicyError("no_file", f"找不到回盘文件 {args.file}")
        returned = import_returns(_engine(args), args.file.read_bytes(), layout, now)
        summary = returned.summary()
        lines = [
            f"回盘已导入：已发放 {returned.paid} 笔，发放失败 {returned.failed} 笔，无变化 {returned.unchanged} 笔"
        ]
        lines += [
            f"  失败：流水号 {f['paymentId']} {f['month']} ¥{f['amount']}：{f['reason']}" for f in returned.failures
        ]
        lines += [f"  第 {p['row']} 行未处理：{p['reason']}" for p in returned.problems]
        _print(args, summary, lines)
        return 0
    except PolicyError as error:
        print(f"jiuzhu payments：{error.message}", file=sys.stderr)
        return 2
