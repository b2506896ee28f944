"""Server-side checks of a submitted Camunda Form, mirroring what form-js validates in the browser.

Only keys the form defines are passed to the engine (a form cannot smuggle ``townshipCode`` or any
other process variable in), required fields must be filled, and lengths, ranges, patterns and
select options are honoured.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

INPUT_TYPES = {
    "textfield",
    "textarea",
    "number",
    "checkbox",
    "checklist",
    "radio",
    "select",
    "taglist",
    "datetime",
    "expression",
}


def _fields(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        if component.get("type") in INPUT_TYPES and component.get("key"):
            yield component
        if component.get("type") == "dynamiclist":
            continue  # its fields apply to each row (checked in _rows), not to the form
        nested = component.get("components")
        if isinstance(nested, list):
            yield from _fields(nested)


def _lists(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        if component.get("type") == "dynamiclist" and component.get("path"):
            yield component
        elif isinstance(component.get("components"), list):
            yield from _lists(component["components"])


def field_keys(schema: dict[str, Any]) -> set[str]:
    components = schema.get("components") or []
    return {str(c["key"]) for c in _fields(components)} | {str(c["path"]) for c in _lists(components)}


def _rows(component: dict[str, Any], submitted: dict[str, Any], errors: dict[str, str]) -> list[Any] | None:
    """A dynamic list as form-js validates it: each existing row against the list's fields; an
    empty list has no rows, so nothing in it is required."""
    path = str(component["path"])
    rows = submitted.get(path)
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        errors[path] = f"“{component.get('label') or path}”格式不正确"
        return None
    checked = []
    for index, row in enumerate(rows):
        values, problems = check({"components": component.get("components") or []}, row)
        errors.update({f"{path}[{index}].{key}": message for key, message in problems.items()})
        checked.append(values)
    return checked


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _options(component: dict[str, Any]) -> list[Any] | None:
    values = component.get("values")
    if isinstance(values, list):
        return [v.get("value") for v in values if isinstance(v, dict)]
    return None  # dynamic options (valuesKey / expression): not checkable here


def check(schema: dict[str, Any], submitted: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The variables to complete with, and errors per field key (empty when valid)."""
    variables: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for component in _fields(schema.get("components") or []):
        key = str(component["key"])
        label = str(component.get("label") or key)
        value = submitted.get(key)
        rules = component.get("validate") or {}
        if component.get("readonly") is True or component.get("disabled") is True:
            continue
        if _empty(value):
            if rules.get("required"):
                errors[key] = f"“{label}”为必填项"
            elif key in submitted:
                variables[key] = value
            continue
        problem = _check_value(component, rules, value, label)
        if problem:
            errors[key] = problem
        else:
            variables[key] = value
    for component in _lists(schema.get("components") or []):
        rows = _rows(component, submitted, errors)
        if rows is not None:
            variables[str(component["path"])] = rows
    return variables, errors


def _check_value(component: dict[str, Any], rules: dict[str, Any], value: Any, label: str) -> str | None:
    kind = component.get("type")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"“{label}”须为数字"
        if rules.get("min") is not None and value < rules["min"]:
            return f"“{label}”不得小于 {rules['min']}"
        if rules.get("max") is not None and value > rules["max"]:
            return f"“{label}”不得大于 {rules['max']}"
        return None
    if kind == "checkbox":
        return None if isinstance(value, bool) else f"“{label}”须为是或否"
    if kind in ("checklist", "taglist"):
        options = _options(component)
        if not isinstance(value, list):
            return f"“{label}”须为列表"
        if options is not None and any(v not in options for v in value):
            return f"“{label}”含有无效选项"
        return None
    if kind in ("select", "radio"):
        options = _options(component)
        if options is not None and value not in options:
            return f"“{label}”不是有效选项"
        return None
    if not isinstance(value, str):
        return f"“{label}”须为文本"
    if rules.get("minLength") is not None and len(value) < int(rules["minLength"]):
        return f"“{label}”至少 {rules['minLength']} 个字符"
    if rules.get("maxLength") is not None and len(value) > int(rules["maxLength"]):
        return f"“{label}”至多 {rules['maxLength']} 个字符"
    pattern = rules.get("pattern")
    if pattern and re.fullmatch(str(pattern), value) is None:
        return f"“{label}”格式不正确"
    return None
