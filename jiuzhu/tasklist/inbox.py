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


def scope_filter(principal: Principal) -> dict[str, Any]:
    """Open tasks of the principal's township (and village, for a village assistant)."""
    query: dict[str, Any] = {"state": "CREATED"}
    if principal.county_wide:
        return query
    variables: list[dict[str, Any]] = [{"name": "townshipCode", "value": json.dumps(principal.township_code)}]
    if principal.village_ids:
        variables.append(
            {"name": "villageId", "value": {"$in": [json.dumps(v) for v in sorted(principal.village_ids)]}}
        )
    query["processInstanceVariables"] = variables
    return query


def fetch(client: V2Client, principal: Principal, everything: bool = False) -> list[dict[str, Any]]:
    """Tasks for the principal's group, for them by name, or assigned to them (merged)."""
    base = scope_filter(principal)
    if everything and principal.county_wide:
        return client.search_all_user_tasks(base)
    found: dict[str, dict[str, Any]] = {}
    for extra in (
        {"candidateGroup": principal.group},
        {"candidateUser": principal.login},
        {"assignee": principal.login},
    ):
        for task in client.search_all_user_tasks({**base, **extra}):
            found[str(task["userTaskKey"])] = task
    return list(found.values())


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
    items.sort(key=lambda i: (i.due or far, _instant(i.task.get("creationDate")) or far, i.key))
    return items
