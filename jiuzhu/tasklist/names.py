"""People, roles and steps by their Chinese names, wherever a page would otherwise show an id:
candidate groups (``township-caseworker``), logins (``taozhou.jingban``), audit actors
(``worker:application.accept``) and audit actions (``usertask.completed``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jiuzhu.tasklist.roles import ROLE_OF_GROUP
from schemas.contracts import JOB_TYPES
from schemas.tables import Staff

WORKER_PREFIX = "worker:"
SYSTEM = "系统"
ACTIONS = {
    "application.started": "登记申请",
    "usertask.assigned": "认领任务",
    "usertask.unassigned": "退回待认领",
    "usertask.completed": "提交任务",
    "usertask.reassigned": "改派任务",
    "case.cancelled": "终止办理",  # the process instance was cancelled in the engine (reconcile.py)
    "caseload.import": "存量导入（原系统在保户）",  # jiuzhu caseload import
    "caseload.start-recheck": "纳入动态管理",  # its dynamic-management instance started (caseload/rechecks.py)
}


def group_label(group: str) -> str:
    """township-caseworker → 经办人; a group no role knows keeps a neutral Chinese label."""
    role = ROLE_OF_GROUP.get(group)
    return role.value if role is not None else "其他岗位"


def step_label(job_type: str) -> str:
    """A job type by the short Chinese label of its contract (受理申请：登记… → 受理申请)."""
    contract = JOB_TYPES.get(job_type)
    if contract is None:
        return job_type
    text = contract.zh
    for mark in ("（", "：", "，"):
        text = text.split(mark, 1)[0]
    return text


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    return step_label(action)


def staff_names(db: Engine, logins: Iterable[str | None]) -> dict[str, str]:
    """login → the staff member's name, for the logins that are staff."""
    wanted = sorted({login for login in logins if login})
    if not wanted:
        return {}
    with Session(db) as session:
        rows = session.exec(select(Staff).where(col(Staff.login).in_(wanted))).all()
        return {s.login: s.name for s in rows if s.login}


def person_label(login: str | None, names: dict[str, str]) -> str:
    """A login by name; an audit actor ``worker:<job type>`` as the system doing that step."""
    if not login:
        return ""
    if login.startswith(WORKER_PREFIX):
        return SYSTEM
    return names.get(login, "未知人员")
