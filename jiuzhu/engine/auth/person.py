"""The signed-in person a task-list token acts for: the claims the engine checks township and role on.

The task list authenticates its staff itself; when it calls ``/v2`` it asks the token endpoint for a
token that names the person (``on_behalf_of``), so the engine can apply the same scoping the task
list applies. Only a client with the ``tasklist`` scope may ask for one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Person:
    login: str
    role: str  # a ``schemas.enums.StaffRole`` value
    township_id: int | None = None
    township_code: str | None = None
    village_ids: frozenset[int] = field(default_factory=frozenset)

    def claims(self) -> dict[str, Any]:
        values = asdict(self)
        values["village_ids"] = sorted(self.village_ids)
        return values

    def to_json(self) -> str:
        return json.dumps(self.claims(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_claims(cls, value: Any) -> Person | None:
        """None unless ``value`` is a well-formed person claim (a token never half-names someone)."""
        if not isinstance(value, dict):
            return None
        login, role = value.get("login"), value.get("role")
        township_id, code = value.get("township_id"), value.get("township_code")
        villages = value.get("village_ids", [])
        if not isinstance(login, str) or not login or not isinstance(role, str) or not role:
            return None
        if township_id is not None and (not isinstance(township_id, int) or isinstance(township_id, bool)):
            return None
        if code is not None and not isinstance(code, str):
            return None
        if not isinstance(villages, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in villages):
            return None
        return cls(login, role, township_id, code, frozenset(villages))

    @classmethod
    def from_json(cls, text: str) -> Person | None:
        try:
            return cls.from_claims(json.loads(text))
        except ValueError:
            return None
