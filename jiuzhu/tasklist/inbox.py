"""The inbox: open tasks someone may work on, in their township, by due date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jiuzhu.tasklist.caserecord import CaseSummary
from jiuzhu.tasklist.client import V2Client
from jiuzhu.tasklist.roles import Principal


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


def searches(principal: Principal, everything: bool = False) -> list[dict[str, Any]]:
    """The filters whose union is the inbox: for the principal's group, for them by name, or
    assigned to them — each within their township (the REST API has no "or")."""
    if everything and principal.county_wide:
        return [{"state": "CREATED"}]
    candidacy = [{"candidateGroup": principal.group}, {"candidateUser": principal.login}, {"assignee": principal.login}]
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
) -> InboxPage:
    """One page of the inbox, by due date. Each search returns its first ``number * size`` tasks in
    the inbox's order, so the page of their union is exact; the count is exact when no search was
    cut off, otherwise the largest search's total (a lower bound)."""
    number = max(1, number)
    window = number * size
    found: dict[str, dict[str, Any]] = {}
    exact = True
    largest = 0
    for query in searches(principal, everything):
        result = client.search_user_tasks(query, sort=SORT, page={"from": 0, "limit": window})
        for task in result.get("items") or []:
            found[str(task["userTaskKey"])] = task
        total = int((result.get("page") or {}).get("totalItems") or 0)
        largest = max(largest, total)
        exact = exact and total <= window
    items = arrange(list(found.values()), now, near_hours)
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


def arrange(tasks: list[dict[str, Any]], now: datetime, near_hours: int) -> list[InboxItem]:
    items = []
    for task in tasks:
        due = _instant(task.get("dueDate"))
        overdue = due is not None and due < now
        near = due is not None and not overdue and due - now <= timedelta(hours=near_hours)
        items.append(InboxItem(task, due, overdue, near))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    items.sort(key=lambda i: (i.due or far, _instant(i.task.get("creationDate")) or far, int(i.key)))
    return items
