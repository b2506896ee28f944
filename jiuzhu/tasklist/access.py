"""Who may see and act on which task or case: role, township (and village) scope.

Enforced here, in the task list, on every request, from the task's own process variables
(``townshipCode``, ``villageId``) and candidate groups/users — never from what the browser sends.
A task or case outside someone's scope answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from jiuzhu.tasklist.roles import Principal
from schemas.enums import StaffRole


def in_scope(principal: Principal, variables: dict[str, Any]) -> bool:
    """The task's process belongs to the principal's township (and village, for an assistant).

    The township is ``townshipCode``; a process without one (a called process) is matched on
    ``townshipId`` (the case record's township id), never on neither."""
    if principal.county_wide:
        return True
    code = variables.get("townshipCode")
    if code is not None:
        if principal.township_code is None or str(code) != principal.township_code:
            return False
    elif not _same_township_id(variables.get("townshipId"), principal.township_id):
        # A called process (the home visit) gets only what its call activity maps in: ``townshipId``.
        return False
    if principal.role is StaffRole.VILLAGE_ASSISTANT and principal.village_ids:
        village = variables.get("villageId")
        try:
            return village is not None and int(village) in principal.village_ids
        except (TypeError, ValueError):
            return False
    return True


def _same_township_id(value: Any, township_id: int | None) -> bool:
    if value is None or township_id is None or isinstance(value, bool):
        return False
    try:
        return int(value) == township_id
    except (TypeError, ValueError):
        return False


def is_candidate(principal: Principal, task: dict[str, Any]) -> bool:
    groups = task.get("candidateGroups") or []
    users = task.get("candidateUsers") or []
    if task.get("assignee") == principal.login:
        return True
    if principal.login in users or principal.group in groups:
        return True
    return not groups and not users and not task.get("assignee")


def supervises(principal: Principal) -> bool:
    """The county (every township) and a township's leader in charge (their township) read every
    open task in their scope: to see what is stuck or late, and (the leader) to reassign it."""
    return principal.county_wide or principal.role is StaffRole.LEADER


def can_view_task(principal: Principal, task: dict[str, Any], variables: dict[str, Any]) -> bool:
    if not in_scope(principal, variables):
        return False
    # Supervisors read every task in scope, but act only where they are a candidate.
    return supervises(principal) or is_candidate(principal, task)


def can_reassign(principal: Principal, task: dict[str, Any], variables: dict[str, Any]) -> bool:
    """A township's leader hands an open task of their township to another of its staff."""
    return (
        principal.role is StaffRole.LEADER
        and principal.township_id is not None
        and task.get("state") == "CREATED"
        and in_scope(principal, variables)
    )


def can_claim(principal: Principal, task: dict[str, Any], variables: dict[str, Any]) -> bool:
    return (
        task.get("state") == "CREATED"
        and not task.get("assignee")
        and in_scope(principal, variables)
        and is_candidate(principal, task)
    )


def can_complete(principal: Principal, task: dict[str, Any], variables: dict[str, Any]) -> bool:
    return task.get("state") == "CREATED" and task.get("assignee") == principal.login and in_scope(principal, variables)


def can_view_case(principal: Principal, township_id: int, village_id: int | None) -> bool:
    if principal.county_wide:
        return True
    if principal.township_id != township_id:
        return False
    if principal.role is StaffRole.VILLAGE_ASSISTANT and principal.village_ids:
        return village_id in principal.village_ids
    return True
