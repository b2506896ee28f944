"""The family economic-status check (家庭经济状况核对) behind one small interface.

``EconomicCheckProvider`` is the interface (``EconomicCheckPlatform`` is kept as an alias). In
production the check is the provincial platform's API (``ProvincialPlatformClient`` in
``provincial.py``). Without it, ``LocalRegistryProvider`` (alias ``FakeProvincialPlatform``)
answers from registry extracts: a JSON file (the demo seeds it; tests write their own) and/or CSV
files in an extracts directory — one entry per resident ID with what each source (户籍, 税务,
车辆, ...) holds about that person.

Registry file::

    {"persons": {"341822198003120134": {"name": "张建国", "records": [
        {"source": "税务", "kind": "wages", "monthlyAmount": 900, "finding": "个税记录显示月工资 ¥900"},
        {"source": "车辆", "finding": "名下有小型轿车一辆", "outcome": "不符合"},
        {"source": "银行存款", "amount": 1200, "finding": "存款余额 ¥1,200"}]}}}

A record with ``kind`` and ``monthlyAmount`` is income (``jiuzhu.policy`` income kinds); ``outcome``
marks a finding 不符合 or 需进一步核实 outright; bank deposits are judged against a limit.

CSV extracts (``*.csv`` in the extracts directory, read in name order, UTF-8 with or without BOM,
else GB18030): a header row, then one record per row; the columns are the JSON keys (or their
Chinese names), empty cells are absent, and a row without ``source`` only registers the person::

    idNumber,name,source,kind,monthlyAmount,amount,finding,outcome
    341822198003120134,张建国,税务,wages,900,,个税记录显示月工资 ¥900,
    341822198003120134,张建国,车辆,,,,名下有小型轿车一辆,不符合

Records for the same person from the JSON file and from every CSV file are added together.
"""

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from jiuzhu.policy import IncomeItem, assess_dibao, assess_income, get_profile
from jiuzhu.policy.masking import mask_id_number
from jiuzhu.policy.money import format_yuan, round_money, to_money
from schemas.enums import CheckOutcome, CheckSource


class PlatformError(RuntimeError):
    """The platform could not answer (a technical failure: the job is retried)."""


@dataclass(frozen=True)
class CheckRequest:
    reference: str  # our idempotency key: the same request twice is one check on the platform
    case_id: int
    member_id_numbers: tuple[str, ...]
    area: str
    standard: Decimal  # the monthly 低保 standard per person the income is compared with
    on: date
    income_test: bool = True  # 支出型临时救助: income alone does not fail the check
    evidence: str | None = None  # a re-check on dispute: what the applicant brought
    profile: str | None = None  # policy profile whose income rules apply (None: the default)


@dataclass(frozen=True)
class CheckFinding:
    source: CheckSource
    outcome: CheckOutcome
    finding: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class CheckReport:
    outcome: CheckOutcome
    per_capita_income: Decimal | None
    findings: tuple[CheckFinding, ...]
    platform_reference: str
    summary: str = ""


class EconomicCheckProvider(Protocol):
    """Answers one family economic-status check; raises ``PlatformError`` when it cannot."""

    def check(self, request: CheckRequest) -> CheckReport: ...


EconomicCheckPlatform = EconomicCheckProvider  # the interface's earlier name, kept for compatibility

# CSV columns: the JSON keys, or the Chinese headers a registry extract may carry.
CSV_COLUMNS = {
    "idNumber": "idNumber",
    "身份证号码": "idNumber",
    "身份证号": "idNumber",
    "name": "name",
    "姓名": "name",
    "source": "source",
    "来源": "source",
    "核对来源": "source",
    "kind": "kind",
    "收入类型": "kind",
    "monthlyAmount": "monthlyAmount",
    "月收入": "monthlyAmount",
    "amount": "amount",
    "金额": "amount",
    "finding": "finding",
    "核对结果": "finding",
    "outcome": "outcome",
    "结论": "outcome",
}


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # extracts saved by Excel on a Chinese Windows desktop


def _csv_problem(values: Mapping[str, str]) -> str | None:
    try:
        CheckSource(values["source"])
    except ValueError:
        return f"来源 {values['source']!r} 无效（应为 {'、'.join(s.value for s in CheckSource)}）"
    if "outcome" in values and values["outcome"] not in {o.value for o in CheckOutcome}:
        return f"结论 {values['outcome']!r} 无效"
    if ("kind" in values) != ("monthlyAmount" in values):
        return "收入记录须同时填写 kind 与 monthlyAmount"
    if "kind" in values:
        try:
            IncomeItem.of(values["kind"], values["monthlyAmount"].replace(",", "").lstrip("¥"))
        except ValueError as error:
            return str(error)
    return None


def read_csv_extract(path: Path) -> dict[str, dict[str, Any]]:
    """One CSV extract as ``{id number: {"name": ..., "records": [...]}}`` (the JSON shape)."""
    try:
        text = _decode(path)
    except (OSError, UnicodeDecodeError) as error:
        raise PlatformError(f"登记数据 {path.name} 无法读取：{error}") from error
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        return {}
    columns: list[str | None] = []
    for cell in header:
        name = cell.strip()
        if name and name not in CSV_COLUMNS:
            raise PlatformError(f"登记数据 {path.name}：未知的列 {name!r}")
        columns.append(CSV_COLUMNS.get(name))
    if "idNumber" not in columns:
        raise PlatformError(f"登记数据 {path.name}：缺少 idNumber（身份证号码）列")
    persons: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        values: dict[str, Any] = {
            column: cell.strip() for column, cell in zip(columns, row, strict=False) if column and cell.strip()
        }
        if not values:
            continue  # a blank line
        number = values.pop("idNumber", None)
        if number is None:
            raise PlatformError(f"登记数据 {path.name} 第 {line} 行：缺少身份证号码")
        person = persons.setdefault(number, {"records": []})
        name = values.pop("name", None)
        if name:
            person.setdefault("name", name)
        if not values:
            continue  # registers the person (户籍) without a record
        if "source" not in values:
            raise PlatformError(f"登记数据 {path.name} 第 {line} 行：有记录但缺少来源（source）")
        problem = _csv_problem(values)
        if problem:
            raise PlatformError(f"登记数据 {path.name} 第 {line} 行：{problem}")
        for amount in ("monthlyAmount", "amount"):
            if amount in values:
                try:
                    values[amount] = to_money(values[amount].replace(",", "").lstrip("¥"))
                except (ArithmeticError, ValueError):
                    raise PlatformError(f"登记数据 {path.name} 第 {line} 行：{amount} 不是金额") from None
        person["records"].append(values)
    return persons


@dataclass
class _Source:
    findings: list[str] = field(default_factory=list)
    outcome: CheckOutcome = CheckOutcome.MEETS
    amount: Decimal = Decimal(0)
    has_amount: bool = False
    income: Decimal = Decimal(0)

    def worse(self, outcome: CheckOutcome) -> None:
        rank = [CheckOutcome.MEETS, CheckOutcome.NEEDS_VERIFICATION, CheckOutcome.FAILS]
        if rank.index(outcome) > rank.index(self.outcome):
            self.outcome = outcome


def overall(outcomes: list[CheckOutcome]) -> CheckOutcome:
    if CheckOutcome.FAILS in outcomes:
        return CheckOutcome.FAILS
    if CheckOutcome.NEEDS_VERIFICATION in outcomes:
        return CheckOutcome.NEEDS_VERIFICATION
    return CheckOutcome.MEETS


class LocalRegistryProvider:
    """Answers checks from registry extracts: a JSON file and/or ``*.csv`` files in ``extracts_dir``
    (read at every check, so edits show)."""

    def __init__(
        self, registry_file: Path, *, extracts_dir: Path | None = None, deposit_limit_months: int = 24
    ) -> None:
        self.registry_file = registry_file
        self.extracts_dir = extracts_dir
        self.deposit_limit_months = deposit_limit_months  # per-capita deposits ≤ N months of the standard

    def csv_files(self) -> list[Path]:
        if self.extracts_dir is None or not self.extracts_dir.is_dir():
            return []
        return sorted(self.extracts_dir.glob("*.csv"))

    def persons(self) -> Mapping[str, Any]:
        extracts = self.csv_files()
        if not self.registry_file.exists() and not extracts:
            where = f"{self.registry_file} 不存在" + (f"，{self.extracts_dir} 下没有 CSV" if self.extracts_dir else "")
            raise PlatformError(f"核对平台（本地登记数据）没有登记数据：{where}")
        persons: dict[str, dict[str, Any]] = {}
        if self.registry_file.exists():
            try:
                data = json.loads(self.registry_file.read_text("utf-8"))
            except (OSError, ValueError) as error:
                raise PlatformError(f"核对平台（本地登记数据）登记数据无法读取：{error}") from error
            found = data.get("persons") if isinstance(data, dict) else None
            if not isinstance(found, dict):
                raise PlatformError(f"{self.registry_file}: 缺少 persons 对象")
            persons = {number: {**entry, "records": list(entry.get("records", []))} for number, entry in found.items()}
        for path in extracts:
            for number, entry in read_csv_extract(path).items():
                person = persons.setdefault(number, {"records": []})
                if entry.get("name"):
                    person.setdefault("name", entry["name"])
                person.setdefault("records", []).extend(entry["records"])
        return persons

    def check(self, request: CheckRequest) -> CheckReport:
        persons = self.persons()
        sources = {source: _Source() for source in CheckSource}
        items: list[IncomeItem] = []
        missing = [number for number in request.member_id_numbers if number not in persons]
        hukou = sources[CheckSource.HUKOU]
        if missing:
            hukou.findings.append("未查询到户籍信息：" + "、".join(mask_id_number(n) for n in missing))
            hukou.worse(CheckOutcome.NEEDS_VERIFICATION)
        else:
            hukou.findings.append(f"户籍信息与申请一致（{len(request.member_id_numbers)}人）")
        for number in request.member_id_numbers:
            for record in persons.get(number, {}).get("records", []):
                items.extend(self._record(record, sources))
        members = len(request.member_id_numbers)
        deposits = sources[CheckSource.BANK_DEPOSITS]
        limit = round_money(request.standard * self.deposit_limit_months * members)
        if deposits.has_amount and deposits.amount > limit:
            deposits.worse(CheckOutcome.FAILS)
            deposits.findings.append(f"家庭存款合计 {format_yuan(deposits.amount)}，超过限额 {format_yuan(limit)}")
        income = assess_income(members, items, on=request.on, rules=get_profile(request.profile).income)
        property_ok = all(s.outcome is not CheckOutcome.FAILS for s in sources.values())
        income_reason = assess_dibao(income, request.standard, property_within_limits=property_ok).reasons[0]
        earner = max(sources.values(), key=lambda s: s.income)
        if earner.income > 0 or not income_reason.met:
            earner.findings.append(income_reason.message)
            if request.income_test and not income_reason.met:
                earner.worse(CheckOutcome.FAILS)
        findings = tuple(
            CheckFinding(
                source,
                state.outcome,
                "；".join(state.findings) or "未查询到相关记录",
                round_money(state.amount) if state.has_amount else None,
            )
            for source, state in sources.items()
        )
        outcome = overall([f.outcome for f in findings])
        failed = [f.finding for f in findings if f.outcome is not CheckOutcome.MEETS]
        return CheckReport(
            outcome=outcome,
            per_capita_income=income.per_capita,
            findings=findings,
            platform_reference=f"FAKE-{request.reference}",
            summary="；".join(failed) or income_reason.message,
        )

    @staticmethod
    def _record(record: Mapping[str, Any], sources: dict[CheckSource, _Source]) -> list[IncomeItem]:
        try:
            source = CheckSource(record["source"])
        except (KeyError, ValueError):
            raise PlatformError(f"登记数据中的来源无效：{record.get('source')!r}") from None
        state = sources[source]
        if record.get("finding"):
            state.findings.append(str(record["finding"]))
        if record.get("outcome"):
            state.worse(CheckOutcome(record["outcome"]))
        if record.get("amount") is not None:
            state.amount += to_money(record["amount"])
            state.has_amount = True
        if record.get("kind") and record.get("monthlyAmount") is not None:
            item = IncomeItem.of(record["kind"], record["monthlyAmount"])
            state.income += item.monthly
            state.amount += item.monthly
            state.has_amount = True
            return [item]
        return []


FakeProvincialPlatform = LocalRegistryProvider  # the earlier name (the demo and tests use it)
