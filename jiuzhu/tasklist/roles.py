"""Staff roles as task-list candidate groups (the group ids the BPMN names in candidateGroups)."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.enums import StaffRole

GROUP_OF_ROLE: dict[StaffRole, str] = {
    StaffRole.VILLAGE_ASSISTANT: "village-assistant",
    StaffRole.CASEWORKER: "township-caseworker",
    StaffRole.LEADER: "township-leader",
    StaffRole.COUNTY_SUPERVISOR: "county-supervisor",
    StaffRole.SYSTEM_ADMIN: "system-admin",
}
ROLE_OF_GROUP = {group: role for role, group in GROUP_OF_ROLE.items()}


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member, as every request sees them."""

    staff_id: int
    login: str
    name: str
    role: StaffRole
    township_id: int | None
    township_code: str | None
    township_name: str | None
    village_id: int | None
    village_ids: frozenset[int] = frozenset()  # a village assistant's village and its groups

    @property
    def group(self) -> str:
        return GROUP_OF_ROLE[self.role]

    @property
    def county_wide(self) -> bool:
        return self.role in (StaffRole.COUNTY_SUPERVISOR, StaffRole.SYSTEM_ADMIN)

    @property
    def role_label(self) -> str:
        return self.role.value
