"""/v2 for a token that acts for a signed-in person: whose tasks and instances they may see and
work, and which values they read masked, decided by the application's rules for people.

The engine knows no township, role or ID number: the application plugs its rules in
(``ServerPlugins.person_rules``; jiuzhu's are the task list's own, ``jiuzhu.engine_plugins``), so a
person sees through ``/v2`` exactly what the task list would show them. A task or instance out of
scope answers 404, as one that does not exist. Requests without a person (admin tokens,
``--insecure``) are unchanged; a person's token on an engine with no rules for people is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import Request

from jiuzhu.engine.auth.person import Person
from jiuzhu.engine.auth.tokens import Principal
from jiuzhu.engine.records import UserTask
from jiuzhu.engine_rest.problems import ApiProblem


class PersonRules(Protocol):
    """What a person may do; ``task`` is the task as the rules read it (:func:`task_view`)."""

    def can_view(self, person: Person, task: Mapping[str, Any], variables: Mapping[str, Any]) -> bool: ...

    def can_assign(
        self, person: Person, task: Mapping[str, Any], variables: Mapping[str, Any], assignee: str | None
    ) -> bool: ...

    def can_complete(self, person: Person, task: Mapping[str, Any], variables: Mapping[str, Any]) -> bool: ...

    def in_scope(self, person: Person, variables: Mapping[str, Any]) -> bool: ...

    def county_wide(self, person: Person) -> bool:
        """Sees every instance, an ended one too (it has no variables left to judge it by)."""
        ...

    def may_operate(self, person: Person) -> bool:
        """May repair instances: retry, cancel, modify, set variables (the operations console)."""
        ...

    def masked(self, value: Any) -> Any:
        """``value`` as the person may read it (however deep)."""
        ...


@dataclass(frozen=True)
class Staff:
    """The person a request acts for, with the rules that decide for them."""

    person: Person
    rules: PersonRules


def person_of(request: Request) -> Staff | None:
    """The person the request's token acts for, or None for a request that acts for nobody."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal) or principal.person is None:
        return None
    rules = getattr(request.app.state, "person_rules", None)
    if rules is None:
        raise ApiProblem(403, "FORBIDDEN", "This engine has no rules for acting on behalf of a person")
    return Staff(principal.person, rules)


def task_view(task: UserTask) -> dict[str, Any]:
    """What the rules read of a task."""
    return {
        "state": task.state,
        "assignee": task.assignee,
        "candidateGroups": list(task.candidate_groups),
        "candidateUsers": list(task.candidate_users),
    }


def can_view(staff: Staff, task: UserTask, variables: Mapping[str, Any]) -> bool:
    return staff.rules.can_view(staff.person, task_view(task), variables)


def can_assign(staff: Staff, task: UserTask, variables: Mapping[str, Any], assignee: str | None) -> bool:
    return staff.rules.can_assign(staff.person, task_view(task), variables, assignee)


def can_complete(staff: Staff, task: UserTask, variables: Mapping[str, Any]) -> bool:
    return staff.rules.can_complete(staff.person, task_view(task), variables)


def in_scope(staff: Staff, variables: Mapping[str, Any]) -> bool:
    return staff.rules.in_scope(staff.person, variables)


def county_wide(staff: Staff) -> bool:
    return staff.rules.county_wide(staff.person)


def may_operate(staff: Staff) -> bool:
    return staff.rules.may_operate(staff.person)


def masked(staff: Staff, value: Any) -> Any:
    return staff.rules.masked(value)
