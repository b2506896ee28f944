"""Starting an application: at the township window (一窗受理) or by a village assistant on a
household's behalf (帮办代办). Creates a process instance over the REST API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jiuzhu.policy import Programme
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import parse_id_number
from jiuzhu.tasklist import audit
from jiuzhu.tasklist.caserecord import villages_for
from jiuzhu.tasklist.client import ApiError
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal, require_csrf
from jiuzhu.tasklist.roles import Principal
from schemas.enums import Area, CasePath, Channel, EmergencyCause, Relationship, StaffRole

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
EXTRA_MEMBERS = 4
CHANNEL_OF = {"window": Channel.ONE_WINDOW, "proxy": Channel.PROXY}
ALLOWED_ROLES = {
    Channel.ONE_WINDOW: {StaffRole.CASEWORKER, StaffRole.LEADER},
    Channel.PROXY: {StaffRole.VILLAGE_ASSISTANT},
}


@dataclass
class ApplicationForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _channel(principal: Principal, name: str) -> Channel:
    channel = CHANNEL_OF.get(name)
    if channel is None or principal.role not in ALLOWED_ROLES[channel]:
        raise Forbidden(403, "您的角色不能以这种方式受理申请")
    return channel


def _page(
    request: Request, principal: Principal, channel: Channel, form: ApplicationForm, status: int = 200
) -> Response:
    tasklist = tasklist_of(request)
    return tasklist.render(
        request,
        "application.html",
        principal,
        status_code=status,
        channel=channel,
        channel_name="proxy" if channel is Channel.PROXY else "window",
        programmes=list(Programme),
        areas=list(Area),
        causes=list(EmergencyCause),
        relationships=[r for r in Relationship if r is not Relationship.SELF],
        villages=villages_for(tasklist.db, principal),
        form=form,
        extra_members=range(1, EXTRA_MEMBERS + 1),
    )


@router.get("/applications/new")
def new_application(request: Request, principal: PrincipalDep, channel: str = "window") -> Response:
    return _page(request, principal, _channel(principal, channel), ApplicationForm())


def _member(name: str, number: str, relationship: str, today: Any, errors: list[str]) -> dict[str, Any] | None:
    try:
        parsed = parse_id_number(number, today=today)
    except PolicyError as err:
        errors.append(f"{name}：{err.message}")
        return None
    return {"name": name, "idNumber": parsed.number, "relationship": relationship}


def validate(values: dict[str, str], villages: dict[int, str], today: Any) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    programme = next((p for p in Programme if p.value == values.get("case_type")), None)
    if programme is None:
        errors.append("请选择救助类别")
    area = next((a for a in Area if a.value == values.get("area")), None)
    if area is None:
        errors.append("请选择城乡类别")
    try:
        village_id = int(values.get("village_id", ""))
    except ValueError:
        village_id = -1
    if village_id not in villages:
        errors.append("请选择您辖区内的村（社区）")
    address = values.get("address", "").strip()
    if not address:
        errors.append("请填写家庭住址")
    members: list[dict[str, Any]] = []
    name = values.get("applicant_name", "").strip()
    if not name:
        errors.append("请填写申请人姓名")
    else:
        applicant = _member(name, values.get("applicant_id_number", ""), Relationship.SELF.value, today, errors)
        if applicant:
            members.append(applicant)
    for i in range(1, EXTRA_MEMBERS + 1):
        extra_name = values.get(f"member_name_{i}", "").strip()
        if not extra_name:
            continue
        relationship = values.get(f"member_relationship_{i}", "")
        if relationship not in {r.value for r in Relationship} or relationship == Relationship.SELF.value:
            errors.append(f"{extra_name}：请选择与申请人的关系")
            continue
        member = _member(extra_name, values.get(f"member_id_number_{i}", ""), relationship, today, errors)
        if member:
            members.append(member)
    numbers = [m["idNumber"] for m in members]
    if len(set(numbers)) != len(numbers):
        errors.append("家庭成员身份证号码重复")
    cause = next((c for c in EmergencyCause if c.value == values.get("emergency_cause")), None)
    if programme is Programme.TEMPORARY_EMERGENCY and cause is None:
        errors.append("急难型临时救助须选择急难原因")
    variables = {
        "caseType": programme.value if programme else None,
        "path": CasePath.REFORM.value,
        "villageId": village_id,
        "address": address,
        "area": area.value if area else None,
        "members": members,
        "checkAuthorised": values.get("check_authorised") == "on",
        "applicantPhone": values.get("applicant_phone", "").strip() or None,
        "emergencyCause": cause.value if cause and programme is Programme.TEMPORARY_EMERGENCY else None,
        "incidentLocation": values.get("incident_location", "").strip() or None,
    }
    return variables, errors


@router.post("/applications", dependencies=[Depends(require_csrf)])
async def submit_application(request: Request, principal: PrincipalDep) -> Response:
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    from fastapi.concurrency import run_in_threadpool

    return await run_in_threadpool(_submit, request, principal, values)


def _submit(request: Request, principal: Principal, values: dict[str, str]) -> Response:
    tasklist = tasklist_of(request)
    channel = _channel(principal, values.get("channel", ""))
    villages = dict(villages_for(tasklist.db, principal))
    now = tasklist.now()
    variables, errors = validate(values, villages, now.date())
    if errors:
        return _page(request, principal, channel, ApplicationForm(values, errors), status=422)
    variables.update(
        {
            "channel": channel.value,
            "proxyAssistantId": principal.staff_id if channel is Channel.PROXY else None,
            "acceptedById": principal.staff_id if channel is Channel.ONE_WINDOW else None,
            "townshipId": principal.township_id,
            "townshipCode": principal.township_code,
            "receivedAt": now.isoformat(),
            "startedBy": principal.login,
        }
    )
    process_id = tasklist.settings.application_process_id
    try:
        created = tasklist.client.create_process_instance(process_id, variables)
    except ApiError as err:
        form = ApplicationForm(values, [f"流程无法启动（{err.title}）：{err.detail}"])
        return _page(request, principal, channel, form, status=502 if err.status >= 500 else 422)
    audit.record(
        tasklist.db,
        principal,
        "application.started",
        process_instance_key=created.get("processInstanceKey"),
        details={"channel": channel.value, "caseType": variables["caseType"], "processDefinitionId": process_id},
    )
    return tasklist.render(
        request,
        "application_done.html",
        principal,
        channel=channel,
        instance_key=created.get("processInstanceKey"),
        case_type=variables["caseType"],
        applicant=variables["members"][0]["name"],
    )
