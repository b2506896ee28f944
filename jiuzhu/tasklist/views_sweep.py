"""不漏 sweep: the county imports the 建档立卡/脱贫 and 低保边缘 registers (CSV or XLSX, Chinese headers),
each person is matched against the caseload by ID number, and every household no current case covers
becomes a visit for its township (待走访), tracked to 纳入 / 不符合 (reason) / 转介 (where, why).

The township sees and answers its own visits; the county sees coverage per township here and on the
督办台 (``coverage``). 纳入 records the outcome; the application itself goes through 一窗受理."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jiuzhu.policy import CST
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.masking import mask_id_number
from jiuzhu.policy.registers import KINDS, OUTCOMES, RegisterEntry, check_outcome, read_register, uncovered
from jiuzhu.tasklist import audit
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from schemas.enums import CaseStatus, StaffRole
from schemas.tables import Case, Member, RegisterHousehold, RegisterImport, Township

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
HANDLERS = (StaffRole.CASEWORKER, StaffRole.LEADER, StaffRole.COUNTY_SUPERVISOR)
# A person counts as covered while a case of their household is in process or in payment.
COVERING = (
    CaseStatus.ACCEPTED,
    CaseStatus.CHECKING,
    CaseStatus.VISITING,
    CaseStatus.AWAITING_APPROVAL,
    CaseStatus.IN_PUBLICITY,
    CaseStatus.APPROVED,
    CaseStatus.RELIEVED_FIRST,
)
TO_VISIT = "待走访"
MAX_BYTES = 5_000_000
LIMIT = 300


@dataclass(frozen=True)
class Coverage:
    township_id: int
    township: str
    registered: int
    covered: int
    to_visit: int
    outcomes: dict[str, int]

    @property
    def uncovered(self) -> int:
        return self.registered - self.covered


def _allowed(principal: Principal) -> None:
    if principal.role not in HANDLERS:
        raise Forbidden(404, "页面不存在，或不在您的办理范围内")


def covered_id_numbers(session: Session) -> set[str]:
    rows = session.exec(
        select(Member.id_number)
        .join(Case, col(Case.household_id) == Member.household_id)
        .where(col(Case.status).in_(list(COVERING)))
    ).all()
    return set(rows)


def spreadsheet_rows(file_name: str, data: bytes) -> list[list[object]]:
    """The cells of a CSV (UTF-8, with or without BOM, or GB18030) or the first sheet of an XLSX."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # a broken or non-XLSX file: said to the person
            raise PolicyError("register_file", "无法读取该 Excel 文件（应为 .xlsx）") from error
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PolicyError("register_file", "无法识别文件编码（应为 UTF-8 或 GB18030 的 CSV）")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def import_register(
    db: Engine, principal: Principal, *, kind: str, file_name: str, rows: list[list[object]], now: Any
) -> tuple[RegisterImport, list[str]]:
    """Read, match and record a register; open a visit for each uncovered household (once per person)."""
    entries, problems = read_register(rows, kind=kind, today=now.astimezone(CST).date())
    messages = [p.message for p in problems]
    with Session(db) as session, session.begin():
        townships = {t.name: t.id for t in session.exec(select(Township)) if t.id is not None}
        placed: list[tuple[RegisterEntry, int]] = []
        for entry in entries:
            township_id = townships.get(entry.township)
            if township_id is None:
                messages.append(f"第{entry.row}行：乡镇“{entry.township}”不在本县乡镇名录中")
            else:
                placed.append((entry, township_id))
        covered = covered_id_numbers(session)
        missing = {e.id_number for e in uncovered([e for e, _ in placed], covered)}
        # A person already waiting for a visit from an earlier import is not visited twice.
        waiting = set(
            session.exec(select(RegisterHousehold.id_number).where(RegisterHousehold.visit_status == TO_VISIT)).all()
        )
        record = RegisterImport(
            kind=kind, file_name=file_name[:200], imported_at=now, imported_by=principal.login,
            rows=len(placed), problems=len(messages), uncovered=0,
        )  # fmt: skip
        session.add(record)
        session.flush()
        assert record.id is not None
        opened = 0
        for entry, township_id in placed:
            visit = entry.id_number in missing and entry.id_number not in waiting
            opened += visit
            session.add(
                RegisterHousehold(
                    import_id=record.id,
                    kind=entry.kind,
                    id_number=entry.id_number,
                    name=entry.name[:50],
                    township_id=township_id,
                    village=entry.village[:100],
                    household_size=entry.household_size,
                    covered=entry.id_number not in missing,
                    visit_status=TO_VISIT if visit else None,
                )
            )
        record.uncovered = opened
        session.add(record)
        session.flush()
        session.expunge(record)
    return record, messages


def coverage(db: Engine, principal: Principal) -> list[Coverage]:
    """Per township: people on the latest register of each kind, covered at import, visits and outcomes."""
    with Session(db) as session:
        latest = [
            i
            for i in session.exec(select(func.max(RegisterImport.id)).group_by(col(RegisterImport.kind))).all()
            if i is not None
        ]
        query = select(RegisterHousehold).where(col(RegisterHousehold.import_id).in_(latest))
        if not principal.county_wide:
            query = query.where(RegisterHousehold.township_id == principal.township_id)
        people = session.exec(query).all()
        names = {t.id: t.name for t in session.exec(select(Township).order_by(col(Township.id)))}
    by_township: dict[int, list[RegisterHousehold]] = {}
    for person in people:
        by_township.setdefault(person.township_id, []).append(person)
    result = []
    for township_id, name in names.items():
        if township_id is None or (not principal.county_wide and township_id != principal.township_id):
            continue
        rows = by_township.get(township_id, [])
        statuses = Counter(p.visit_status for p in rows if p.visit_status)
        result.append(
            Coverage(
                township_id,
                name,
                registered=len(rows),
                covered=sum(1 for p in rows if p.covered),
                to_visit=statuses.get(TO_VISIT, 0),
                outcomes={o: statuses.get(o, 0) for o in OUTCOMES},
            )
        )
    return result


def _visits(db: Engine, principal: Principal) -> list[tuple[RegisterHousehold, str, str]]:
    with Session(db) as session:
        query = select(RegisterHousehold).where(col(RegisterHousehold.visit_status).is_not(None))
        if not principal.county_wide:
            query = query.where(RegisterHousehold.township_id == principal.township_id)
        rows = session.exec(
            query.order_by(col(RegisterHousehold.visit_status) != TO_VISIT, col(RegisterHousehold.id)).limit(LIMIT)
        ).all()
        names = {t.id: t.name for t in session.exec(select(Township))}
        return [(r, names.get(r.township_id, ""), mask_id_number(r.id_number)) for r in rows]


def _page(request: Request, principal: Principal, *, status: int = 200, **extra: Any) -> Response:
    tasklist = tasklist_of(request)
    return tasklist.render(
        request,
        "sweep.html",
        principal,
        status_code=status,
        coverage=coverage(tasklist.db, principal),
        visits=_visits(tasklist.db, principal),
        kinds=KINDS,
        outcomes=OUTCOMES,
        to_visit=TO_VISIT,
        **extra,
    )


@router.get("/supervision/sweep")
def sweep_page(request: Request, principal: PrincipalDep, done: str | None = None) -> Response:
    _allowed(principal)
    return _page(request, principal, notice="走访结果已保存。" if done == "visit" else None)


@router.post("/supervision/sweep/import", dependencies=[Depends(require_csrf)])
async def import_page(request: Request, principal: PrincipalDep) -> Response:
    _allowed(principal)
    if not principal.county_wide:
        raise Forbidden(404, "花名册由县民政局导入")
    tasklist = tasklist_of(request)
    form = await request.form()
    kind = str(form.get("kind") or "")
    upload = form.get("register")
    if kind not in KINDS or upload is None or isinstance(upload, str):
        return _page(request, principal, errors=["请选择花名册类别并选择文件"], status=422)
    data = await upload.read()
    if not data or len(data) > MAX_BYTES:
        return _page(request, principal, errors=["文件为空或超过 5 MB"], status=422)
    file_name = upload.filename or "花名册"
    try:
        rows = spreadsheet_rows(file_name, data)
        record, problems = import_register(
            tasklist.db, principal, kind=kind, file_name=file_name, rows=rows, now=tasklist.now()
        )
    except PolicyError as error:
        return _page(request, principal, errors=[error.message], status=422)
    audit.record(
        tasklist.db, principal, "sweep.imported", at=tasklist.now(),
        details={"importId": record.id, "kind": kind, "rows": record.rows, "uncovered": record.uncovered},
    )  # fmt: skip
    summary = f"已导入{kind}花名册：{record.rows} 人，未纳入保障 {record.uncovered} 人，已生成走访任务。"
    return _page(request, principal, notice=summary, problems=problems[:50], problem_count=len(problems))


@router.post("/supervision/sweep/{household_id}/outcome", dependencies=[Depends(require_csrf)])
async def record_outcome(request: Request, household_id: int, principal: PrincipalDep) -> Response:
    _allowed(principal)
    tasklist = tasklist_of(request)
    form = await request.form()
    outcome, reason = str(form.get("outcome") or ""), str(form.get("reason") or "").strip()
    now = tasklist.now()
    with Session(tasklist.db) as session, session.begin():
        person = session.get(RegisterHousehold, household_id)
        if (
            person is None
            or person.visit_status is None
            or (not principal.county_wide and person.township_id != principal.township_id)
        ):
            raise Forbidden(404, "走访任务不存在，或不在您的办理范围内")
        if person.visit_status != TO_VISIT:
            return RedirectResponse("/supervision/sweep?done=visit", status_code=303)  # recorded already
        errors = check_outcome(outcome, reason)
        if errors:
            session.rollback()
            return _page(request, principal, errors=errors, status=422)
        person.visit_status, person.reason = outcome, reason or None
        person.outcome_at, person.outcome_by = now, principal.login
        session.add(person)
    audit.record(
        tasklist.db, principal, "sweep.visited", at=now, details={"householdId": household_id, "outcome": outcome}
    )
    return RedirectResponse("/supervision/sweep?done=visit", status_code=303)
