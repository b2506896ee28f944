"""Bringing the existing caseload in (存量导入): the county's spreadsheet of 低保/特困 households already
paid becomes households, heads, cases 已批准 with a decision in force, and the first re-check due.

The rows are read and checked by ``jiuzhu.policy.caseload`` (pure); this module reads the file
(CSV or XLSX), looks up the places and the ID numbers already in the case record, and writes the
good rows in one transaction per batch. It is idempotent: a household is known by its head's ID
number (``caseload_entries.id_number``, unique), so a second run of the same file — or a run after a
crash between batches — skips what is in and writes the rest.

What each imported household gets:

- ``households`` (place, address, 城乡, bank account), its head in ``members`` (本人) and, from a file
  with one row per member, the other members with their relationship;
- a ``cases`` row of the scheme, status 已批准, no process instance, case number
  ``<township code>-CL-<00001>``; accepted at the old system's 认定日期;
- a ``decisions`` row 批准 with the monthly amount, ``effective_month`` = the first month jiuzhu pays
  (by default the month after the import: the old system has paid the current one), approved by the
  import's inactive staff record 存量导入（原系统认定） unless ``approver`` names a person;
- a ``caseload_entries`` row with the first re-check due by the cadence rule, and an audit entry.

The re-check itself runs in ``dynamic-management``: :func:`start_rechecks` starts an instance for each
imported household that has none (``jiuzhu up`` does so in the background).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from jiuzhu.policy import CST, DEFAULT_PROFILE, first_day_of_next_month
from jiuzhu.policy.caseload import (
    CaseloadReading,
    Present,
    Recipient,
    RowProblem,
    TownshipRef,
    VillageRef,
    decode_csv,
    read_caseload,
)
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import age_on
from jiuzhu.policy.money import format_yuan
from schemas.enums import (
    Area,
    CasePath,
    CaseStatus,
    Channel,
    DecisionOutcome,
    Programme,
    Relationship,
    StaffRole,
    VillageKind,
    WorkCapacity,
)
from schemas.tables import (
    AuditEntry,
    Case,
    CaseloadEntry,
    CaseloadImport,
    Decision,
    Household,
    Member,
    Staff,
    Township,
    Village,
)

IMPORT_LOGIN = "caseload-import"
IMPORT_STAFF_NAME = "存量导入（原系统认定）"
BATCH_SIZE = 200
Progress = Callable[[int, int], None]  # (households written so far, households to write)


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    dry_run: bool
    first_month: date
    reading: CaseloadReading
    today: date
    import_id: int | None = None
    imported: list[Recipient] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def present(self) -> list[Present]:
        return self.reading.present

    @property
    def rejected(self) -> list[RowProblem]:
        return self.reading.problems

    @property
    def overdue(self) -> int:
        return sum(r.overdue(self.today) for r in self.reading.recipients)

    def summary(self) -> dict[str, Any]:
        valid = self.reading.recipients
        dues = sorted(r.next_recheck_due for r in valid)
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "dryRun": self.dry_run,
            "importId": self.import_id,
            "rows": self.reading.rows,
            "imported": len(valid) if self.dry_run else len(self.imported),
            "present": len(self.present),
            "rejected": [{"row": p.row, "reason": p.reason} for p in self.rejected],
            "firstMonth": f"{self.first_month:%Y-%m}",
            "overdueRechecks": self.overdue,
            "nextRecheckDue": {"earliest": dues[0].isoformat(), "latest": dues[-1].isoformat()} if dues else None,
            "bySchemes": {s.value: sum(r.scheme is s for r in valid) for s in (Programme.DIBAO, Programme.TEKUN)},
            "monthlyTotal": str(sum((r.amount for r in valid), start=0)),
            "seconds": round(self.seconds, 2),
        }


def read_rows(path: Path) -> list[list[object]]:
    """The cells of a CSV (UTF-8 with or without BOM, or GBK/GB18030) or of an XLSX's first sheet."""
    if not path.is_file():
        raise PolicyError("no_file", f"找不到文件 {path}")
    data = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import io

        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # a broken or non-XLSX file: said to the person
            raise PolicyError("caseload_file", f"无法读取 Excel 文件 {path.name}（应为 .xlsx）") from error
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    if path.suffix.lower() == ".xls":
        raise PolicyError("caseload_file", "不支持旧版 .xls：请在 Excel 中另存为 .xlsx 或 CSV")
    return [list(row) for row in decode_csv(data)]


def load_places(session: Session) -> dict[str, TownshipRef]:
    """The county's townships by name, with their villages and communities and the groups below."""
    villages = session.exec(select(Village).order_by(col(Village.id))).all()
    groups: dict[int, dict[str, int]] = {}
    for village in villages:
        if village.parent_id is not None and village.id is not None:
            groups.setdefault(village.parent_id, {}).setdefault(village.name, village.id)
    tops: dict[int, dict[str, VillageRef]] = {}
    for village in villages:
        if village.parent_id is None and village.id is not None:
            ref = VillageRef(
                village.id, village.name, village.kind is VillageKind.COMMUNITY, groups.get(village.id, {})
            )
            tops.setdefault(village.township_id, {})[village.name] = ref
    return {
        t.name: TownshipRef(t.id, t.code, t.name, tops.get(t.id, {}))
        for t in session.exec(select(Township).order_by(col(Township.id)))
        if t.id is not None
    }


def _id_numbers(rows: list[list[object]]) -> set[str]:
    """Every cell that could be an ID number (the lookups are by the numbers of this file only)."""
    return {text.upper() for row in rows for cell in row if len(text := "".join(str(cell or "").split())) == 18}


def ids_in_record(session: Session, numbers: Iterable[str]) -> tuple[set[str], dict[str, str]]:
    """Of ``numbers``: those an earlier import brought in, and the others in the record with where."""
    wanted = sorted(set(numbers))
    imported: set[str] = set()
    elsewhere: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        imported.update(session.exec(select(CaseloadEntry.id_number).where(col(CaseloadEntry.id_number).in_(chunk))))
        members = session.exec(select(Member).where(col(Member.id_number).in_(chunk))).all()
        for member in members:
            if member.id_number in imported:
                continue
            case = session.exec(
                select(Case).where(Case.household_id == member.household_id).order_by(col(Case.id).desc())
            ).first()
            where = f"案件 {case.case_number}（{case.type.value}，{case.status.value}）" if case else "无案件"
            elsewhere[member.id_number] = f"已登记为家庭成员 {member.name}，{where}"
    return imported, elsewhere


def import_staff(session: Session, approver: str | None) -> int:
    """Who the imported decisions name: a person by login, else the import's own inactive record."""
    if approver is not None:
        staff = session.exec(select(Staff).where(Staff.login == approver)).first()
        if staff is None or not staff.active or staff.id is None:
            raise PolicyError("approver", f"审批人“{approver}”不是在职工作人员")
        return staff.id
    staff = session.exec(select(Staff).where(Staff.login == IMPORT_LOGIN)).first()
    if staff is None:
        staff = Staff(name=IMPORT_STAFF_NAME, role=StaffRole.COUNTY_SUPERVISOR, login=IMPORT_LOGIN, active=False)
        session.add(staff)
        session.flush()
    assert staff.id is not None
    return staff.id


def _capacity(birth: date, recipient: Recipient, today: date) -> WorkCapacity:
    """有劳动能力 for a member aged 16–59 of a 低保 household said (or taken) to have one; else 无."""
    age = age_on(birth, today)
    if recipient.scheme is Programme.TEKUN or not recipient.member_able_to_work or not 16 <= age < 60:
        return WorkCapacity.NONE
    return WorkCapacity.ABLE


def _work_capacity(recipient: Recipient, today: date) -> WorkCapacity:
    return _capacity(recipient.birth_date, recipient, today)


def _reasons(recipient: Recipient, file_name: str, first_month: date) -> str:
    last = f"，最近复核 {recipient.last_recheck.isoformat()}" if recipient.last_recheck else ""
    return (
        f"存量导入（{file_name} 第{recipient.row}行）：原系统认定 {recipient.approved_on.isoformat()}{last}，"
        f"{recipient.scheme.value}，保障 {recipient.household_size} 人，月救助金额 {format_yuan(recipient.amount)}；"
        f"自{first_month:%Y年%m月}起由本系统发放"
    )


def _keys(rows: Iterable[Household | Member | Case | Decision]) -> list[int]:
    """The primary keys the flush gave ``rows``."""
    keys = [row.id for row in rows]
    assert all(key is not None for key in keys)
    return [key for key in keys if key is not None]


def _write_batch(
    session: Session,
    batch: list[Recipient],
    case_numbers: list[str],
    *,
    import_id: int,
    approver_id: int,
    file_name: str,
    first_month: date,
    today: date,
    actor: str,
) -> None:
    """One batch, table by table: one flush per table (batched INSERTs), not one per row."""
    households = [
        Household(
            township_id=r.township.id,
            village_id=r.place_id,
            address=r.address,
            area=Area.URBAN if r.urban else Area.RURAL,
            bank_account=r.bank_account,
        )
        for r in batch
    ]
    session.add_all(households)
    session.flush()
    household_ids = _keys(households)
    heads = [
        Member(
            household_id=household_id,
            name=r.name,
            id_number=r.id_number,
            relationship=Relationship.SELF,
            work_capacity=_work_capacity(r, today),
            phone=r.phone,
        )
        for r, household_id in zip(batch, household_ids, strict=True)
    ]
    session.add_all(heads)
    session.add_all(
        Member(
            household_id=household_id,
            name=m.name,
            id_number=m.id_number,
            relationship=Relationship(m.relationship),
            work_capacity=_capacity(m.birth_date, r, today),
        )
        for r, household_id in zip(batch, household_ids, strict=True)
        for m in r.members
    )
    session.flush()
    head_ids = _keys(heads)
    accepted = [datetime.combine(r.approved_on, clock_time(9, 0), tzinfo=CST) for r in batch]
    cases = [
        Case(
            case_number=number,
            household_id=household_id,
            applicant_id=head_id,
            township_id=r.township.id,
            type=r.scheme,
            path=CasePath(DEFAULT_PROFILE),
            status=CaseStatus.APPROVED,
            channel=Channel.ONE_WINDOW,
            accepted_at=at,
        )
        for r, number, household_id, head_id, at in zip(
            batch, case_numbers, household_ids, head_ids, accepted, strict=True
        )
    ]
    session.add_all(cases)
    session.flush()
    case_ids = _keys(cases)
    decisions = [
        Decision(
            case_id=case_id,
            outcome=DecisionOutcome.APPROVED,
            amount=r.amount,
            effective_month=first_month,
            reasons=_reasons(r, file_name, first_month),
            approver_id=approver_id,
            decided_at=at,
        )
        for r, case_id, at in zip(batch, case_ids, accepted, strict=True)
    ]
    session.add_all(decisions)
    session.flush()
    for r, household_id, case_id, decision_id in zip(batch, household_ids, case_ids, _keys(decisions), strict=True):
        session.add(
            CaseloadEntry(
                import_id=import_id,
                row=r.row,
                id_number=r.id_number,
                case_id=case_id,
                household_id=household_id,
                decision_id=decision_id,
                scheme=r.scheme,
                household_size=r.household_size,
                approved_on=r.approved_on,
                last_recheck=r.last_recheck,
                income_stable=r.income_stable,
                member_able_to_work=r.member_able_to_work,
                cadence_months=r.cadence_months,
                next_recheck_due=r.next_recheck_due,
            )
        )
        session.add(
            AuditEntry(
                actor=actor,
                action="caseload.import",
                case_id=case_id,
                details={
                    "importId": import_id,
                    "file": file_name,
                    "row": r.row,
                    "decisionId": decision_id,
                    "amount": str(r.amount),
                    "firstMonth": f"{first_month:%Y-%m}",
                    "nextRecheckDue": r.next_recheck_due.isoformat(),
                    "cadenceMonths": r.cadence_months,
                },
            )
        )
    session.flush()


def _next_numbers(session: Session, townships: Iterable[TownshipRef]) -> dict[int, int]:
    counters: dict[int, int] = {}
    for township in townships:
        prefix = f"{township.code}-CL-"
        count = session.exec(select(func.count()).select_from(Case).where(col(Case.case_number).startswith(prefix)))
        counters[township.id] = count.one()
    return counters


def import_caseload(
    engine: Engine,
    rows: list[list[object]],
    *,
    file_name: str,
    sha256: str,
    now: datetime,
    dry_run: bool = False,
    first_month: date | None = None,
    approver: str | None = None,
    actor: str = "cli:caseload",
    batch_size: int = BATCH_SIZE,
    aliases: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row; unless ``dry_run``, write the good new ones, ``batch_size`` per transaction."""
    started = time.perf_counter()
    today = now.astimezone(CST).date()
    first = first_month or first_day_of_next_month(now)
    with Session(engine) as session:
        places = load_places(session)
        if not places:
            raise PolicyError("no_places", "案件记录中还没有乡镇和村（社区）：请先建立本县的乡镇和村")
        imported, elsewhere = ids_in_record(session, _id_numbers(rows))
    reading = read_caseload(rows, places=places, today=today, imported=imported, in_record=elsewhere, aliases=aliases)
    result = ImportResult(file_name, sha256, dry_run, first, reading, today)
    todo = reading.recipients
    if dry_run or not todo:
        result.seconds = time.perf_counter() - started
        return result
    with Session(engine) as session, session.begin():
        approver_id = import_staff(session, approver)
        run = CaseloadImport(
            file_name=file_name[:200],
            sha256=sha256,
            imported_at=now,
            imported_by=actor,
            rows=reading.rows,
            present=len(reading.present),
            rejected=len(reading.problems),
        )
        session.add(run)
        session.flush()
        assert run.id is not None
        result.import_id = run.id
    numbers: dict[int, int] | None = None
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        try:
            with Session(engine) as session, session.begin():
                if numbers is None:
                    numbers = _next_numbers(session, places.values())
                counters = dict(numbers)
                case_numbers = []
                for recipient in batch:
                    counters[recipient.township.id] += 1
                    case_numbers.append(f"{recipient.township.code}-CL-{counters[recipient.township.id]:05d}")
                _write_batch(
                    session,
                    batch,
                    case_numbers,
                    import_id=result.import_id,
                    approver_id=approver_id,
                    file_name=file_name,
                    first_month=first,
                    today=today,
                    actor=actor,
                )
                stored = session.get(CaseloadImport, result.import_id)
                assert stored is not None
                stored.imported += len(batch)
        except IntegrityError as error:  # another writer took an ID number or a case number meanwhile
            raise PolicyError(
                "caseload_conflict",
                f"第{batch[0].row}–{batch[-1].row}行所在的一批写入失败（同时有其他导入或受理写入了相同的"
                f"身份证号码或案件编号），这一批未写入；此前已写入 {len(result.imported)} 户。"
                "请重新运行本命令（已写入的户会跳过）",
            ) from error
        numbers = counters  # only once the batch is in
        result.imported.extend(batch)
        if progress is not None:
            progress(len(result.imported), len(todo))
    result.seconds = time.perf_counter() - started
    return result


def import_file(engine: Engine, path: Path, **kwargs: Any) -> ImportResult:
    """Read ``path`` and :func:`import_caseload` it."""
    rows = read_rows(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return import_caseload(engine, rows, file_name=path.name, sha256=digest, **kwargs)
