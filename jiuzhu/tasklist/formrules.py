"""Rules a worker enforces that form-js cannot express, declared on the form as custom properties
(Camunda Modeler: a field's "Custom properties") and checked before the task is completed, so the
person sees the error next to the field while the task is still open:

- ``differentFrom: otherKey`` — not the same value as another field (two different visitors);
- ``notInFuture: true`` — a date/time not later than now (a visit or a delivery already done).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jiuzhu.tasklist import formcheck


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check(schema: dict[str, Any], variables: dict[str, Any], now: datetime) -> dict[str, str]:
    """Errors per field key for the checked ``variables`` (top-level fields only)."""
    errors: dict[str, str] = {}
    for component in formcheck.all_fields(schema):
        key = str(component["key"])
        properties = component.get("properties") or {}
        if key not in variables or variables[key] is None:
            continue
        label = formcheck.label_of(component)
        other = properties.get("differentFrom")
        if other and variables.get(str(other)) == variables[key]:
            errors[key] = f"“{label}”不能与“{_label(schema, str(other))}”相同"
        if str(properties.get("notInFuture", "")).lower() == "true":
            instant = _instant(variables[key])
            if instant is None:
                errors[key] = f"“{label}”须为带时区的日期时间"
            elif instant > now:
                errors[key] = f"“{label}”不能晚于当前时间"
    return errors


def _label(schema: dict[str, Any], key: str) -> str:
    for component in formcheck.all_fields(schema):
        if component.get("key") == key:
            return formcheck.label_of(component)
    return key
