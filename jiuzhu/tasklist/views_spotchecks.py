"""县级抽查: each month the county draws decided cases to check on site, at the county's dated rate
(``standards.spot_check_on``; national-path 特困 at its own 30 %), stratified by township and scheme,
seeded and recorded (``jiuzhu.policy.spotcheck``), one draw per month. Each drawn case is an on-site
check for the county supervisors, recorded 相符 or 不相符 with the corrective action."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.policy import CST, get_profile
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.spotcheck import FINDINGS, Candidate, check_finding, default_seed, draw, month_of
from jiuzhu.tasklist import audit
from jiuzhu.tasklist.caserecord import summaries_by_id
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from schemas.enums import CasePath, Programme
from schemas.tables import Case, Decision, SpotCheck, SpotCheckDraw, Township

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
PATH = "/supervision/spotchecks"


def _county(principal: Principal) -> None:
    if not principal.county_wide:
        raise Forbidden(404, "页面不存在，或不在您的办理范围内")


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def candidates(session: Session, month: date) -> list[Candidate]:
    """Cases decided in ``month`` (China time), each once, with the rate its path and scheme set."""
    start = datetime.combine(month, time(), CST)
    end = datetime.combine(_next_month(month), time(), CST)
    rows = session.exec(
        select(Case)
        .join(Decision, col(Decision.case_id) == Case.id)
        .where(col(Decision.decided_at) >= start, col(Decision.decided_at) < end)
        .distinct()
    ).all()
    found = []
    for case in rows:
        if case.id is None:
            continue
        rules = get_profile(case.path.value).spot_check_on(month)
        national_tekun = case.type is Programme.TEKUN and case.path is CasePath.NATIONAL
        found.append(
            Candidate(case.id, case.township_id, case.type.value, rules.tekun_national_rate if national_tekun else None)
        )
    return found


def run_draw(db: Engine, principal: Principal, month: date, seed: str, now: datetime) -> SpotCheckDraw:
    with Session(db) as session, session.begin():
        if session.exec(select(SpotCheckDraw).where(SpotCheckDraw.month == month)).first() is not None:
            raise PolicyError("drawn", f"{month.strftime('%Y年%m月')}已抽查过，每月只抽一次（结果见下表）")
        rate = get_profile(None).spot_check_on(month).default_rate
        pool = candidates(session, month)
        chosen = draw(pool, rate, seed)
        townships = {c.case_id: c.township_id for c in pool}
        record = SpotCheckDraw(
            month=month, seed=seed, rate=rate, candidates=len(pool), selected=len(chosen), drawn_at=now,
            drawn_by=principal.login,
        )  # fmt: skip
        session.add(record)
        session.flush()
        assert record.id is not None
        for case_id in chosen:
            session.add(SpotCheck(draw_id=record.id, case_id=case_id, township_id=townships[case_id]))
        session.flush()
        session.expunge(record)
        return record


def _page(request: Request, principal: Principal, *, status: int = 200, **extra: Any) -> Response:
    tasklist = tasklist_of(request)
    with Session(tasklist.db) as session:
        draws = list(session.exec(select(SpotCheckDraw).order_by(col(SpotCheckDraw.month).desc())))
        checks = list(session.exec(select(SpotCheck).order_by(col(SpotCheck.finding).is_not(None), col(SpotCheck.id))))
        names = {t.id: t.name for t in session.exec(select(Township))}
    summaries = summaries_by_id(tasklist.db, [c.case_id for c in checks])
    rows = []
    for c in checks:
        summary = summaries.get(c.case_id)
        rows.append((c, summary.for_list_of(principal) if summary else None, names.get(c.township_id, "")))
    today = tasklist.now().astimezone(CST).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return tasklist.render(
        request, "spotchecks.html", principal, status_code=status, draws=draws, rows=rows, findings=FINDINGS,
        last_month=last_month.strftime("%Y-%m"), **extra,
    )  # fmt: skip


@router.get(PATH)
def spotchecks_page(request: Request, principal: PrincipalDep, done: str | None = None) -> Response:
    _county(principal)
    return _page(request, principal, notice="核查结果已保存。" if done == "checked" else None)


@router.post(f"{PATH}/draw", dependencies=[Depends(require_csrf)])
async def draw_page(request: Request, principal: PrincipalDep) -> Response:
    _county(principal)
    tasklist = tasklist_of(request)
    form = await request.form()
    try:
        month = month_of(str(form.get("month") or ""))
        seed = str(form.get("seed") or "").strip() or default_seed(month)
        if len(seed) > 100:
            raise PolicyError("seed", "抽查种子不超过100字")
        if month >= tasklist.now().astimezone(CST).date().replace(day=1):
            raise PolicyError("month", "只能抽查已经结束的月份")
        record = run_draw(tasklist.db, principal, month, seed, tasklist.now())
    except PolicyError as error:
        return _page(request, principal, errors=[error.message], status=422)
    audit.record(
        tasklist.db, principal, "spotcheck.drawn", at=tasklist.now(),
        details={"drawId": record.id, "month": month.isoformat(), "seed": seed, "rate": str(record.rate),
                 "candidates": record.candidates, "selected": record.selected},
    )  # fmt: skip
    notice = (
        f"{month.strftime('%Y年%m月')}抽查：{record.candidates} 件中抽取 {record.selected} 件"
        f"（比例 {record.rate:.0%}，种子“{seed}”）。"
    )
    return _page(request, principal, notice=notice)


@router.post(f"{PATH}/{{check_id}}/finding", dependencies=[Depends(require_csrf)])
async def record_finding(request: Request, check_id: int, principal: PrincipalDep) -> Response:
    _county(principal)
    tasklist = tasklist_of(request)
    form = await request.form()
    finding = str(form.get("finding") or "")
    notes, corrective = str(form.get("notes") or "").strip(), str(form.get("corrective") or "").strip()
    now = tasklist.now()
    with Session(tasklist.db) as session, session.begin():
        check = session.get(SpotCheck, check_id)
        if check is None:
            raise Forbidden(404, "抽查任务不存在")
        if check.finding is not None:
            return RedirectResponse(f"{PATH}?done=checked", status_code=303)  # recorded already
        errors = check_finding(finding, notes, corrective)
        if errors:
            session.rollback()
            return _page(request, principal, errors=errors, status=422)
        check.finding, check.notes, check.corrective_action = finding, notes, corrective or None
        check.checked_at, check.checked_by = now, principal.login
        session.add(check)
        case_id = check.case_id
    audit.record(
        tasklist.db, principal, "spotcheck.checked", case_id=case_id, at=now,
        details={"spotCheckId": check_id, "finding": finding},
    )  # fmt: skip
    return RedirectResponse(f"{PATH}?done=checked", status_code=303)


def open_checks(db: Engine, principal: Principal) -> list[tuple[int, str]]:
    """For the 督办台: per township, the drawn cases still waiting for their on-site check."""
    with Session(db) as session:
        query = select(SpotCheck).where(col(SpotCheck.finding).is_(None))
        if not principal.county_wide:
            query = query.where(SpotCheck.township_id == principal.township_id)
        checks = session.exec(query).all()
        names = {t.id: t.name for t in session.exec(select(Township).order_by(col(Township.id)))}
    counts: dict[int, int] = {}
    for check in checks:
        counts[check.township_id] = counts.get(check.township_id, 0) + 1
    return [(n, names.get(t, "")) for t, n in sorted(counts.items())]
