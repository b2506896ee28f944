"""jiuzhu's own additions to the embedded engine's server: its Prometheus metrics, and the task
list's rules for a person's token on /v2.

The engine is a library that knows nothing of jiuzhu's metrics, townships or ID numbers; the
application plugs them in: engine events through the observer interface, gRPC calls through an
interceptor, gauges read at scrape time, GET /metrics, and the rules for people.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jiuzhu import metrics
from jiuzhu.engine.auth.person import Person
from jiuzhu.engine.server import ServerPlugins
from jiuzhu.policy.masking import mask_id_number, mask_phone
from jiuzhu.tasklist import access
from jiuzhu.tasklist.roles import Principal as Staff
from schemas.enums import StaffRole

WITHHELD = "****"
# Keys whose values a person's token never reads in full, at any depth (members[].idNumber …).
MASKED: dict[str, Callable[[str], str]] = {
    "idNumber": mask_id_number,
    "applicantIdNumber": mask_id_number,
    "phone": mask_phone,
    "applicantPhone": mask_phone,
    "bankAccount": lambda _: WITHHELD,
    "applicantBankAccount": lambda _: WITHHELD,
}


def staff_of(person: Person) -> Staff | None:
    """The person as the task list's rules take them (None: a role the task list does not know)."""
    try:
        role = StaffRole(person.role)
    except ValueError:
        return None
    return Staff(
        staff_id=0,
        login=person.login,
        name=person.login,
        role=role,
        township_id=person.township_id,
        township_code=person.township_code,
        township_name=None,
        village_id=None,
        village_ids=person.village_ids,
    )


def masked(value: Any, name: str | None = None) -> Any:
    """``value`` with every masked key's string replaced, however deep."""
    if isinstance(value, dict):
        return {key: masked(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, name) for item in value]
    masker = MASKED.get(name or "")
    if masker is not None and isinstance(value, str) and value.strip():
        try:
            return masker(value)
        except ValueError:
            return WITHHELD
    return value


class TasklistRules:
    """The task list's own rules (``jiuzhu.tasklist.access``), not a copy; an unknown role may do nothing."""

    def can_view(self, person: Person, task: Mapping[str, Any], variables: Mapping[str, Any]) -> bool:
        staff = staff_of(person)
        return staff is not None and access.can_view_task(staff, dict(task), dict(variables))

    def can_assign(
        self, person: Person, task: Mapping[str, Any], variables: Mapping[str, Any], assignee: str | None
    ) -> bool:
        """Claim for oneself, give back one's own task, or (a leader) hand it to someone in the township."""
        staff = staff_of(person)
        if staff is None:
            return False
        view, scope = dict(task), dict(variables)
        if access.can_reassign(staff, view, scope):
            return True
        if assignee == staff.login:
            return access.can_claim(staff, view, scope) or task.get("assignee") == staff.login
        return assignee is None and task.get("assignee") == staff.login and access.in_scope(staff, scope)

    def can_complete(self, person: Person, task: Mapping[str, Any], variables: Mapping[str, Any]) -> bool:
        staff = staff_of(person)
        return staff is not None and access.can_complete(staff, dict(task), dict(variables))

    def in_scope(self, person: Person, variables: Mapping[str, Any]) -> bool:
        staff = staff_of(person)
        return staff is not None and access.in_scope(staff, dict(variables))

    def county_wide(self, person: Person) -> bool:
        staff = staff_of(person)
        return staff is not None and staff.county_wide

    def may_operate(self, person: Person) -> bool:
        return person.role == StaffRole.SYSTEM_ADMIN.value

    def masked(self, value: Any) -> Any:
        return masked(value)


def person_plugins() -> ServerPlugins:
    """The rules for people alone (an engine without jiuzhu's metrics, e.g. in tests)."""
    return ServerPlugins(person_rules=TasklistRules())


def metrics_plugins() -> ServerPlugins:
    """Everything `jiuzhu engine` and `jiuzhu up` plug in: metrics and the rules for people."""
    return ServerPlugins(
        observer=metrics.engine,
        interceptors=[metrics.grpc_interceptor()],
        routers=[metrics.router()],
        on_engine=[metrics.register_engine_stats],
        person_rules=TasklistRules(),
    )
