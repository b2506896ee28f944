"""Bank batch files (代发批量文件) and the bank's return files (回盘文件).

Layouts are data: ``data/banks.json`` ships a documented default (``默认``) and one example bank;
``<data-dir>/banks.json`` adds banks or replaces one of the same name. A batch file holds the run
month's 待发放 rows that have a bank account; the township 汇总表 (count and amount per township)
goes beside it for the 发放 sign-off. A return file marks each payment 已发放 or 发放失败 with the
bank's reason; importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.payments.ledger import MONTHLY_SCHEMES
from jiuzhu.policy.errors import PolicyError
from schemas.enums import PaymentStatus
from schemas.tables import AuditEntry, Case, Household, Member, Payment, Township, Village

FIELDS = {
    "seq": "序号",
    "payment_id": "业务流水号",
    "township": "乡镇（街道）",
    "village": "村（社区）",
    "payee_name": "收款人姓名",
    "payee_id_number": "收款人身份证号",
    "bank_account": "银行账号",
    "amount": "金额",
    "scheme": "救助类别",
    "month": "所属月份",
    "kind": "发放类型",
    "case_number": "案件编号",
}
TOTALS_HEADER = ("乡镇（街道）", "笔数", "金额合计")


@dataclass(frozen=True)
class ReturnsLayout:
    encoding: str
    id_column: str
    result_column: str
    reason_column: str
    success_values: tuple[str, ...]
    failure_values: tuple[str, ...]


@dataclass(frozen=True)
class BankLayout:
    name: str
    encoding: str
    delimiter: str
    columns: tuple[tuple[str, str], ...]  # (title, field)
    returns: ReturnsLayout


@dataclass(frozen=True)
class BankLayouts:
    default: str
    banks: Mapping[str, BankLayout]

    def get(self, name: str | None) -> BankLayout:
        wanted = name or self.default
        if wanted not in self.banks:
            known = "、".join(self.banks)
            raise PolicyError(
                "unknown_bank", f"没有银行“{wanted}”的批量文件版式（已有：{known}），请在 banks.json 中添加"
            )
        return self.banks[wanted]


def _layout(name: str, raw: Mapping[str, Any]) -> BankLayout:
    def need(row: Mapping[str, Any], key: str) -> Any:
        if key not in row:
            raise PolicyError("bad_bank_layout", f"银行“{name}”的版式缺少“{key}”")
        return row[key]

    if raw.get("format", "csv") != "csv":
        raise PolicyError("bad_bank_layout", f"银行“{name}”的文件格式“{raw.get('format')}”暂不支持（目前只支持 csv）")
    columns = []
    for column in need(raw, "columns"):
        field_name = need(column, "field")
        if field_name not in FIELDS:
            raise PolicyError(
                "bad_bank_layout", f"银行“{name}”的列字段“{field_name}”不认识（可用：{'、'.join(FIELDS)}）"
            )
        columns.append((str(column.get("title") or FIELDS[field_name]), field_name))
    if not any(f == "payment_id" for _, f in columns):
        raise PolicyError("bad_bank_layout", f"银行“{name}”的版式须含业务流水号（payment_id）一列，回盘才能对应")
    encoding = str(raw.get("encoding", "gbk"))
    try:
        "".encode(encoding)
    except LookupError:
        raise PolicyError("bad_bank_layout", f"银行“{name}”的编码“{encoding}”不认识") from None
    back = need(raw, "returns")
    returns = ReturnsLayout(
        encoding=str(back.get("encoding", encoding)),
        id_column=str(need(back, "id_column")),
        result_column=str(need(back, "result_column")),
        reason_column=str(back.get("reason_column", "失败原因")),
        success_values=tuple(need(back, "success_values")),
        failure_values=tuple(need(back, "failure_values")),
    )
    return BankLayout(name, encoding, str(raw.get("delimiter", ",")), tuple(columns), returns)


def parse_layouts(texts: Sequence[str]) -> BankLayouts:
    """The shipped layouts, then each override in order (a bank of the same name is replaced)."""
    default = ""
    banks: dict[str, BankLayout] = {}
    for text in texts:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise PolicyError(
                "bad_bank_layout", f"banks.json 不是有效的 JSON（第 {error.lineno} 行）：{error.msg}"
            ) from None
        for name, raw in (document.get("banks") or {}).items():
            banks[name] = _layout(name, raw)
        default = document.get("default") or default
    return BankLayouts(default, banks)


def load_layouts(data_dir: Path | None) -> BankLayouts:
    texts = [resources.files("jiuzhu.payments").joinpath("data", "banks.json").read_text("utf-8")]
    if data_dir is not None and (data_dir / "banks.json").is_file():
        texts.append((data_dir / "banks.json").read_text("utf-8"))
    return parse_layouts(texts)


@dataclass
class ExportResult:
    bank: str
    month: date
    out: Path
    totals_file: Path
    rows: int = 0
    total: Decimal = Decimal(0)
    townships: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    missing_account: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "month": f"{self.month:%Y-%m}",
            "file": str(self.out),
            "totalsFile": str(self.totals_file),
            "rows": self.rows,
            "total": str(self.total),
            "townships": [{"township": t, "count": c, "total": str(a)} for t, (c, a) in self.townships.items()],
            "missingAccount": self.missing_account,
        }


def totals_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}-乡镇汇总{out.suffix or '.csv'}")


def _encode(text: str, encoding: str, what: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = text[error.start : error.end]
        line = text.count("\n", 0, error.start) + 1
        raise PolicyError(
            "encoding",
            f"{what}第 {line} 行含有 {encoding.upper()} 编码无法表示的字“{bad}”，"
            "请改用银行认可的写法或换用 gb18030 编码",
        ) from None


def _csv(rows: Sequence[Sequence[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def export_batch(engine: Engine, month: date, layout: BankLayout, out: Path) -> ExportResult:
    """Write the run month's 待发放 rows to ``out`` in ``layout``, and the township 汇总表 beside it."""
    result = ExportResult(layout.name, month, out, totals_path(out))
    lines: list[list[str]] = [[title for title, _ in layout.columns]]
    with Session(engine) as session:
        found = session.exec(
            select(Payment, Case, Household, Township, Village, Member)  # type: ignore[call-overload]
            .where(
                Payment.run_month == month,
                Payment.status == PaymentStatus.SCHEDULED,
                col(Payment.scheme).in_(MONTHLY_SCHEMES),
                Case.id == Payment.case_id,
                Household.id == Payment.household_id,
                Township.id == Household.township_id,
                Village.id == Household.village_id,
                Member.id == Case.applicant_id,
            )
            .order_by(col(Township.code), col(Village.name), col(Payment.household_id), col(Payment.month))
        ).all()
        for payment, case, household, township, village, payee in found:
            if not household.bank_account:
                result.missing_account.append(
                    {
                        "paymentId": payment.id,
                        "caseNumber": case.case_number,
                        "township": township.name,
                        "reason": "该户没有登记银行账号（社保卡/一卡通），未写入批量文件",
                    }
                )
                continue
            result.rows += 1
            values = {
                "seq": str(result.rows),
                "payment_id": str(payment.id),
                "township": township.name,
                "village": village.name,
                "payee_name": payee.name,
                "payee_id_number": payee.id_number,
                "bank_account": household.bank_account,
                "amount": f"{payment.amount:.2f}",
                "scheme": payment.scheme.value,
                "month": f"{payment.month:%Y-%m}",
                "kind": payment.kind.value,
                "case_number": case.case_number,
            }
            lines.append([values[f] for _, f in layout.columns])
            result.total += payment.amount
            count, amount = result.townships.get(township.name, (0, Decimal(0)))
            result.townships[township.name] = (count + 1, amount + payment.amount)
    totals = [list(TOTALS_HEADER)]
    totals += [[name, str(count), f"{amount:.2f}"] for name, (count, amount) in result.townships.items()]
    totals.append(["合计", str(result.rows), f"{result.total:.2f}"])
    batch = _encode(_csv(lines, layout.delimiter), layout.encoding, "批量文件")
    summary = _encode(_csv(totals, ","), layout.encoding, "汇总表")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(batch)
    result.totals_file.write_bytes(summary)
    return result


@dataclass
class ReturnsResult:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # rows that could not be applied

    def summary(self) -> dict[str, Any]:
        return {
            "paid": self.paid,
            "failed": self.failed,
            "unchanged": self.unchanged,
            "failures": self.failures,
            "problems": self.problems,
        }


def _read_returns(data: bytes, layout: ReturnsLayout) -> list[dict[str, str]]:
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else layout.encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise PolicyError("encoding", f"回盘文件不是 {encoding.upper()} 编码，请确认银行和文件") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise PolicyError("empty_returns", "回盘文件是空的")
    header = [cell.strip() for cell in rows[0]]
    for column in (layout.id_column, layout.result_column):
        if column not in header:
            raise PolicyError("bad_returns", f"回盘文件缺少“{column}”列（表头为：{'、'.join(header)}）")
    return [
        {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        for row in rows[1:]
        if any(cell.strip() for cell in row)
    ]


def import_returns(engine: Engine, data: bytes, layout: BankLayout, now: datetime) -> ReturnsResult:
    """Mark each payment of the return file 已发放 or 发放失败 (with the reason), in one transaction."""
    back = layout.returns
    rows = _read_returns(data, back)
    result = ReturnsResult()
    with Session(engine) as session, session.begin():
        for number, row in enumerate(rows, start=2):
            ident, outcome = row.get(back.id_column, ""), row.get(back.result_column, "")
            reason = row.get(back.reason_column, "") or None
            if outcome in back.success_values:
                status = PaymentStatus.PAID
            elif outcome in back.failure_values:
                status = PaymentStatus.FAILED
            else:
                result.problems.append({"row": number, "reason": f"处理结果“{outcome}”不认识"})
                continue
            payment = session.get(Payment, int(ident)) if ident.isdigit() else None
            if payment is None:
                result.problems.append({"row": number, "reason": f"业务流水号“{ident}”不在发放台账中"})
                continue
            if status is PaymentStatus.FAILED:
                reason = reason or "银行未说明原因"
            if payment.status is status and payment.failure_reason == (
                reason if status is PaymentStatus.FAILED else None
            ):
                result.unchanged += 1
                continue
            payment.status, payment.returned_at = status, now
            payment.paid_at = now if status is PaymentStatus.PAID else None
            payment.failure_reason = reason if status is PaymentStatus.FAILED else None
            session.add(payment)
            session.add(
                AuditEntry(
                    actor="cli:payments",
                    action="payments.return",
                    case_id=payment.case_id,
                    details={"paymentId": payment.id, "status": status.value, "reason": payment.failure_reason},
                    at=now,
                )
            )
            if status is PaymentStatus.PAID:
                result.paid += 1
            else:
                result.failed += 1
                result.failures.append(
                    {
                        "paymentId": payment.id,
                        "caseId": payment.case_id,
                        "householdId": payment.household_id,
                        "month": f"{payment.month:%Y-%m}",
                        "amount": str(payment.amount),
                        "reason": reason,
                    }
                )
    return result
