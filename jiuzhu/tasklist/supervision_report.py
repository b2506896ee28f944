"""乡镇人员配备与培训: per township, the full-time staff its population requires (the county's rule)
against the caseworkers registered, and this year's training sessions against the yearly
requirement — for the county supervisor, with township names. Training sessions are recorded here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from jiuzhu.policy import CST, assess_staffing
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from jiuzhu.tasklist.staffing_data import CountyStaffing, StaffingDataError, load_county_staffing
from schemas.enums import StaffRole
from schemas.tables import Staff, Township, TrainingSession

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
# 专职社会救助工作人员: the township's caseworkers (the leader in charge is not full-time on it).
FULL_TIME = (StaffRole.CASEWORKER,)


@dataclass(frozen=True)
class TownshipStaffing:
    township_id: int
    name: str
    population: int | None
    required: int | None  # None: population not registered
    registered: int
    shortfall: int
    above_typical_range: bool
    trainings: list[TrainingSession]
    trainings_required: int

    @property
    def training_due(self) -> bool:
        return len(self.trainings) < self.trainings_required


def staffing_report(session: Session, county: CountyStaffing, year: int) -> list[TownshipStaffing]:
    rows = []
    for township in session.exec(select(Township).order_by(col(Township.code))):
        assert township.id is not None
        registered = len(
            session.exec(
                select(Staff.id).where(
                    Staff.township_id == township.id, col(Staff.role).in_(FULL_TIME), col(Staff.active).is_(True)
                )
            ).all()
        )
        trainings = list(
            session.exec(
                select(TrainingSession)
                .where(
                    TrainingSession.township_id == township.id,
                    col(TrainingSession.held_on) >= date(year, 1, 1),
                    col(TrainingSession.held_on) <= date(year, 12, 31),
                )
                .order_by(col(TrainingSession.held_on))
            )
        )
        assessed = (
            assess_staffing(township.population, county.rule, registered) if township.population is not None else None
        )
        rows.append(
            TownshipStaffing(
                township_id=township.id,
                name=township.name,
                population=township.population,
                required=assessed.required if assessed else None,
                registered=registered,
                shortfall=assessed.shortfall if assessed else 0,
                above_typical_range=assessed.above_typical_range if assessed else False,
                trainings=trainings,
                trainings_required=county.trainings_per_year,
            )
        )
    return rows


def _county_only(principal: Principal) -> None:
    if principal.role is not StaffRole.COUNTY_SUPERVISOR:
        raise Forbidden(404, "页面不存在，或不在您的办理范围内")


def _page(request: Request, principal: Principal, errors: list[str] | None = None, values: dict[str, str] | None = None,
          status: int = 200, notice: str | None = None) -> Response:  # fmt: skip
    tasklist = tasklist_of(request)
    year = tasklist.now().astimezone(CST).year
    try:
        county = load_county_staffing(tasklist.settings.data_dir)
    except StaffingDataError as error:
        return tasklist.render(request, "error.html", principal, status_code=500, message=str(error))
    with Session(tasklist.db) as session:
        rows = staffing_report(session, county, year)
    return tasklist.render(
        request, "staffing.html", principal, status_code=status, rows=rows, year=year, rule=county.rule,
        errors=errors or [], values=values or {}, notice=notice,
    )  # fmt: skip


@router.get("/supervision/staffing")
def staffing_page(request: Request, principal: PrincipalDep, recorded: str | None = None) -> Response:
    _county_only(principal)
    return _page(request, principal, notice="培训记录已保存。" if recorded else None)


@router.post("/supervision/training", dependencies=[Depends(require_csrf)])
async def record_training(request: Request, principal: PrincipalDep) -> Response:
    _county_only(principal)
    tasklist = tasklist_of(request)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("townshipId", "heldOn", "topic", "attendees")}
    errors = []
    held_on: date | None = None
    try:
        held_on = date.fromisoformat(values["heldOn"])
    except ValueError:
        errors.append("培训日期未填写或格式不对（年-月-日）")
    if held_on is not None and held_on > tasklist.now().astimezone(CST).date():
        errors.append("培训日期不能晚于今天")
    if not values["topic"]:
        errors.append("培训主题未填写")
    elif len(values["topic"]) > 200:
        errors.append("培训主题不能超过 200 字")
    attendees = [name.strip() for name in values["attendees"].replace("，", "\n").replace(",", "\n").splitlines()]
    attendees = [name for name in attendees if name]
    if not attendees:
        errors.append("参训人员未填写（每行一人）")
    with Session(tasklist.db) as session:
        township = session.get(Township, int(values["townshipId"])) if values["townshipId"].isdigit() else None
    if township is None or township.id is None:
        errors.append("请选择乡镇")
    if errors or held_on is None or township is None or township.id is None:
        return _page(request, principal, errors=errors, values=values, status=422)
    with Session(tasklist.db) as session, session.begin():
        session.add(
            TrainingSession(
                township_id=township.id, held_on=held_on, topic=values["topic"], attendees=attendees,
                recorded_by=principal.login,
            )
        )  # fmt: skip
    return RedirectResponse("/supervision/staffing?recorded=1", status_code=303)
