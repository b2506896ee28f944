"""The inbox: open tasks someone may work on, in their township, by due date — filtered to 我的
(assigned to me), 待认领 (nobody has it), 已逾期, 即将到期 or one task type; and 已办 (the tasks
I completed in the last 30 days). Every filter is a search filter of the REST API (Camunda 8.8's
``assignee: {$exists}``, ``dueDate: {$lt}``), so pages and counts stay exact."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jiuzhu.tasklist.caserecord import CaseSummary
from jiuzhu.tasklist.client import V2Client
from jiuzhu.tasklist.roles import Principal
from schemas.enums import StaffRole


@dataclass
class InboxItem:
    task: dict[str, Any]
    due: datetime | None
    overdue: bool
    near_due: bool
    case: CaseSummary | None = None

    @property
    def key(self) -> str:
        return str(self.task["userTaskKey"])


SORT = [{"field": "dueDate", "order": "ASC"}, {"field": "creationDate", "order": "ASC"}]
DONE_SORT = [{"field": "completionDate", "order": "DESC"}]
DONE_DAYS = 30

# The inbox's views, in the order of the filter bar: (value of ?view=, label).
VIEWS = (
    ("mine", "全部待办"),
    ("assigned", "我的"),
    ("unclaimed", "待认领"),
    ("overdue", "已逾期"),
    ("near", "即将到期"),
    ("done", "近30天已办"),
)
VIEW_NAMES = {value for value, _ in VIEWS} | {"all"}


@dataclass(frozen=True)
class InboxFilter:
    """What the person picked in the filter bar; ``task_name`` narrows any view to one task type."""

    view: str = "mine"
    task_name: str | None = None

    @classmethod
    def of(cls, view: str | None, task_name: str | None) -> InboxFilter:
        chosen = view if view in VIEW_NAMES else "mine"
        return cls(chosen, (task_name or "").strip() or None)

    def narrowing(self, now: datetime, near_hours: int) -> dict[str, Any]:
        """The filter properties this view adds to each search."""
        extra: dict[str, Any] = {}
        if self.view == "unclaimed":
            extra["assignee"] = {"$exists": False}
        elif self.view == "overdue":
            extra["dueDate"] = {"$lt": now.isoformat()}
        elif self.view == "near":
            extra["dueDate"] = {"$gte": now.isoformat(), "$lte": (now + timedelta(hours=near_hours)).isoformat()}
        if self.task_name:
            extra["name"] = self.task_name
        return extra


@dataclass
class InboxPage:
    items: list[InboxItem]
    total: int  # tasks in the inbox; a lower bound when ``exact`` is false
    exact: bool
    number: int  # 1-based
    size: int

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.total or not self.exact


def scope_variables(principal: Principal) -> list[list[dict[str, Any]]]:
    """``processInstanceVariables`` filters, one per way a process may name its township.

    Processes started by the task list carry ``townshipCode`` and ``townshipId``; a called process
    (home visit) gets only what the call activity maps in, in ``workflows/`` the ``townshipId``. A
    village assistant's tasks must also carry one of their villages in ``villageId``.
    """
    village: list[dict[str, Any]] = []
    if principal.village_ids:
        village = [{"name": "villageId", "value": {"$in": [json.dumps(v) for v in sorted(principal.village_ids)]}}]
    scopes = [[{"name": "townshipCode", "value": json.dumps(principal.township_code)}, *village]]
    if principal.township_id is not None:
        scopes.append([{"name": "townshipId", "value": json.dumps(principal.township_id)}, *village])
    return scopes


def searches(
    principal: Principal,
    everything: bool = False,
    chosen: InboxFilter | None = None,
    narrowing: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The filters whose union is the inbox: for the principal's group, for them by name, or
    assigned to them — each within their township (the REST API has no "or"). 已办 is the tasks
    they completed; 我的 only those assigned to them; 待认领 leaves the assigned ones out."""
    chosen = chosen or InboxFilter()
    narrowing = narrowing or {}
    if everything and principal.county_wide:
        return [{"state": "CREATED", **narrowing}]
    if everything and principal.role is StaffRole.LEADER:  # the leader's 本乡镇全部待办
        return [{"state": "CREATED", **narrowing, "processInstanceVariables": s} for s in scope_variables(principal)]
    if chosen.view == "done":
        return [{"state": "COMPLETED", "assignee": principal.login, **narrowing}]
    candidacy: list[dict[str, Any]] = [{"candidateGroup": principal.group}, {"candidateUser": principal.login}]
    if chosen.view == "assigned":
        candidacy = [{"assignee": principal.login}]
    elif chosen.view != "unclaimed":
        candidacy.append({"assignee": principal.login})
    candidacy = [{**extra, **narrowing} for extra in candidacy]
    if principal.county_wide:
        return [{"state": "CREATED", **extra} for extra in candidacy]
    return [
        {"state": "CREATED", **extra, "processInstanceVariables": scope}
        for extra in candidacy
        for scope in scope_variables(principal)
    ]


def fetch_page(
    client: V2Client,
    principal: Principal,
    now: datetime,
    near_hours: int,
    number: int = 1,
    size: int = 50,
    everything: bool = False,
    chosen: InboxFilter | None = None,
) -> InboxPage:
    """One page of the inbox, by due date (已办: latest first). Each search returns its first
    ``number * size`` tasks in the inbox's order, so the page of their union is exact; the count is
    exact when no search was cut off, otherwise the largest search's total (a lower bound)."""
    chosen = chosen or InboxFilter()
    number = max(1, number)
    window = number * size
    found: dict[str, dict[str, Any]] = {}
    exact = True
    largest = 0
    narrowing = chosen.narrowing(now, near_hours)
    sort = SORT
    if chosen.view == "done":
        narrowing["completionDate"] = {"$gte": (now - timedelta(days=DONE_DAYS)).isoformat()}
        sort = DONE_SORT
    for query in searches(principal, everything, chosen, narrowing):
        result = client.search_user_tasks(query, sort=sort, page={"from": 0, "limit": window})
        for task in result.get("items") or []:
            found[str(task["userTaskKey"])] = task
        total = int((result.get("page") or {}).get("totalItems") or 0)
        largest = max(largest, total)
        exact = exact and total <= window
    items = arrange(list(found.values()), now, near_hours, latest_done_first=chosen.view == "done")
    return InboxPage(
        items=items[(number - 1) * size : window],
        total=len(found) if exact else max(largest, len(found)),
        exact=exact,
        number=number,
        size=size,
    )


def _instant(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def arrange(
    tasks: list[dict[str, Any]], now: datetime, near_hours: int, latest_done_first: bool = False
) -> list[InboxItem]:
    items = []
    for task in tasks:
        due = _instant(task.get("dueDate"))
        open_ = task.get("state", "CREATED") == "CREATED"
        overdue = open_ and due is not None and due < now
        near = open_ and due is not None and not overdue and due - now <= timedelta(hours=near_hours)
        items.append(InboxItem(task, due, overdue, near))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    if latest_done_first:
        oldest = datetime.min.replace(tzinfo=now.tzinfo)
        items.sort(key=lambda i: (_instant(i.task.get("completionDate")) or oldest, int(i.key)), reverse=True)
        return items
    items.sort(key=lambda i: (i.due or far, _instant(i.task.get("creationDate")) or far, int(i.key)))
    return items


def task_types(client: V2Client, principal: Principal, everything: bool = False) -> list[str]:
    """The names of the task types open in the principal's inbox, for the 任务类型 select."""
    names: set[str] = set()
    for query in searches(principal, everything):
        result = client.search_user_tasks(query, sort=SORT, page={"from": 0, "limit": 1000})
        names.update(str(t["name"]) for t in result.get("items") or [] if t.get("name"))
    return sorted(names)
