"""Server-side check of a submitted Camunda Form, following form-js 1.x semantics.

What form-js does in the browser, done again on the server so a form cannot be bypassed:
- only keys the form defines reach the engine (a form cannot smuggle ``townshipCode`` in);
- a field hidden by ``conditional.hide`` (a FEEL condition, evaluated with our FEEL engine in the
  context form-js builds: the data, and ``this``/``parent``/``i`` inside list rows) is neither
  validated nor submitted;
- a ``dynamiclist`` holds one object per row under its ``path``; its fields are checked per existing
  row (an empty list has no required fields) and reported as ``path[i].key``;
- a ``group`` with a ``path`` nests its fields under that object;
- ``validate`` rules (required, min/max, minLength/maxLength on trimmed text, pattern as a JavaScript
  ``test`` — a search, not a full match), number fields (a number, ``decimalDigits``), select
  options (static ``values``, ``valuesKey`` from the context, ``valuesExpression``);
- ``expression`` fields are computed here from the data, never taken from the browser.
Messages are Chinese and name the field's label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jiuzhu.engine import feel

VALUE_TYPES = {
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
MULTI_VALUE = {"checklist", "taglist"}
WITH_OPTIONS = {"select", "radio", "checklist", "taglist"}


def label_of(component: dict[str, Any]) -> str:
    if component.get("type") == "datetime":
        return str(component.get("dateLabel") or component.get("timeLabel") or component.get("key") or "")
    return str(component.get("label") or component.get("key") or "")


def _value_fields(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every value field, nested ones included (for listing keys, not for checking)."""
    for component in components:
        if component.get("type") in VALUE_TYPES and component.get("key"):
            yield component
        nested = component.get("components")
        if isinstance(nested, list):
            yield from _value_fields(nested)


def field_keys(schema: dict[str, Any]) -> set[str]:
    """Top-level data keys the form writes: field keys outside lists and groups with a path, and those paths."""
    keys: set[str] = set()
    for component in schema.get("components") or []:
        keys |= _top_keys(component)
    return keys


def _top_keys(component: dict[str, Any]) -> set[str]:
    path = component.get("path")
    if path:
        return {str(path).split(".")[0]}
    if component.get("type") in VALUE_TYPES and component.get("key"):
        return {str(component["key"]).split(".")[0]}
    return {key for child in component.get("components") or [] for key in _top_keys(child)}


def all_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return list(_value_fields(schema.get("components") or []))


@dataclass
class _Scope:
    """Where a component's data lives: the row (or object) it reads and writes, and its context."""

    data: dict[str, Any]  # the object the component's keys index into
    out: dict[str, Any]  # the object its checked values are written to
    prefix: str  # path of this scope for error keys ("" at the top, "incomeItems[0]." in a row)
    row: dict[str, Any] | None = None  # `this` in FEEL (form-js: the row's data)
    parent: dict[str, Any] | None = None
    indexes: list[int] = field(default_factory=list)
    label: str = ""  # "家庭收入第1行" inside a list row


@dataclass
class _Check:
    context: dict[str, Any]  # initial data (what the task list gave the form) merged with the submission
    errors: dict[str, str] = field(default_factory=dict)

    def feel_context(self, scope: _Scope) -> dict[str, Any]:
        # form-js buildExpressionContext: special keys first, then the data, then _this_/_parent_/_i_.
        special = {
            "this": scope.row if scope.row is not None else self.context,
            "parent": scope.parent,
            "i": scope.indexes,
        }
        return {**special, **self.context, **{f"_{k}_": v for k, v in special.items()}}

    def evaluate(self, expression: Any, scope: _Scope) -> Any:
        if not (isinstance(expression, str) and expression.startswith("=")):
            return expression
        try:
            return feel.evaluate(expression[1:], self.feel_context(scope))
        except feel.FeelError:
            return None  # form-js treats a failed expression as null too

    def hidden(self, component: dict[str, Any], scope: _Scope) -> bool:
        condition = (component.get("conditional") or {}).get("hide")
        return bool(condition) and self.evaluate(condition, scope) is True


def check(
    schema: dict[str, Any], submitted: dict[str, Any], context: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The variables to complete with, and Chinese errors per field path (empty when valid).

    ``context`` is the data the task list gave the form (process variables it may show, staff lists):
    conditions and option lists are evaluated against it merged with the submission, as in form-js.
    """
    state = _Check(context={**(context or {}), **submitted})
    variables: dict[str, Any] = {}
    _walk(schema.get("components") or [], _Scope(data=submitted, out=variables, prefix=""), state)
    return variables, state.errors


def _walk(components: list[dict[str, Any]], scope: _Scope, state: _Check) -> None:
    for component in components:
        if state.hidden(component, scope):
            continue
        kind = component.get("type")
        if kind == "dynamiclist" and component.get("path"):
            _walk_list(component, scope, state)
        elif isinstance(component.get("components"), list):
            _walk(component["components"], _nested(component, scope), state)
        elif kind in VALUE_TYPES and component.get("key"):
            _field(component, scope, state)


def _nested(group: dict[str, Any], scope: _Scope) -> _Scope:
    path = group.get("path")
    if not path:
        return scope
    data = scope.data.get(path)
    out: dict[str, Any] = {}
    scope.out[path] = out
    return _Scope(
        data=data if isinstance(data, dict) else {},
        out=out,
        prefix=f"{scope.prefix}{path}.",
        row=scope.row,
        parent=scope.parent,
        indexes=scope.indexes,
        label=scope.label,
    )


def _walk_list(component: dict[str, Any], scope: _Scope, state: _Check) -> None:
    path = str(component["path"])
    rows = scope.data.get(path)
    label = label_of(component) or path
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        state.errors[scope.prefix + path] = f"“{label}”格式不正确"
        return
    out_rows: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        out: dict[str, Any] = {}
        row_scope = _Scope(
            data=row,
            out=out,
            prefix=f"{scope.prefix}{path}[{index}].",
            row=row,
            parent=scope.row if scope.row is not None else state.context,
            indexes=[*scope.indexes, index + 1],
            label=f"{label}第{index + 1}行",
        )
        _walk(component.get("components") or [], row_scope, state)
        out_rows.append(out)
    scope.out[path] = out_rows


def _field(component: dict[str, Any], scope: _Scope, state: _Check) -> None:
    key = str(component["key"])
    where = scope.prefix + key
    label = f"{scope.label}“{label_of(component)}”"
    if component.get("disabled") is True or state.evaluate(component.get("readonly"), scope) is True:
        return  # not the person's to set
    if component.get("type") == "expression":
        scope.out[key] = state.evaluate(component.get("expression"), scope)
        return
    value = scope.data.get(key)
    rules = {name: state.evaluate(rule, scope) for name, rule in (component.get("validate") or {}).items()}
    if _empty(component, value):
        if rules.get("required"):
            state.errors[where] = f"{label}为必填项"
        elif key in scope.data:
            scope.out[key] = value
        return
    problem = _problem(component, rules, value, label, state, scope)
    if problem:
        state.errors[where] = problem
    else:
        scope.out[key] = value


def _empty(component: dict[str, Any], value: Any) -> bool:
    if component.get("type") == "checkbox" and value is False:
        return True  # form-js: a required checkbox must be ticked
    return value is None or value == "" or value == []


def _problem(
    component: dict[str, Any], rules: dict[str, Any], value: Any, label: str, state: _Check, scope: _Scope
) -> str | None:
    kind = component.get("type")
    if kind == "number":
        return _number_problem(component, rules, value, label)
    if kind == "checkbox":
        return None if isinstance(value, bool) else f"{label}须为是或否"
    if kind in WITH_OPTIONS:
        return _option_problem(component, value, label, state, scope)
    if not isinstance(value, str):
        return f"{label}须为文本"
    text = value.strip()
    if rules.get("minLength") is not None and len(text) < int(rules["minLength"]):
        return f"{label}至少 {rules['minLength']} 个字"
    if rules.get("maxLength") is not None and len(text) > int(rules["maxLength"]):
        return f"{label}至多 {rules['maxLength']} 个字"
    pattern = rules.get("pattern")
    if pattern and re.search(str(pattern), value) is None:
        return str(rules.get("patternErrorMessage") or f"{label}格式不正确")
    return None


def _number_problem(component: dict[str, Any], rules: dict[str, Any], value: Any, label: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return f"{label}须为数字"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return f"{label}须为数字"
    if not number.is_finite() or (isinstance(value, str) and not component.get("serializeToString")):
        return f"{label}须为数字"
    digits = component.get("decimalDigits")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(digits, int) and isinstance(exponent, int) and -exponent > digits:
        return f"{label}须为整数" if digits == 0 else f"{label}至多保留 {digits} 位小数"
    if rules.get("min") is not None and number < Decimal(str(rules["min"])):
        return f"{label}不得小于 {rules['min']}"
    if rules.get("max") is not None and number > Decimal(str(rules["max"])):
        return f"{label}不得大于 {rules['max']}"
    return None


def _option_problem(component: dict[str, Any], value: Any, label: str, state: _Check, scope: _Scope) -> str | None:
    options = _options(component, state, scope)
    if component.get("type") in MULTI_VALUE:
        if not isinstance(value, list):
            return f"{label}须为列表"
        return f"{label}含有无效选项" if any(v not in options for v in value) else None
    return None if value in options else f"{label}不是有效选项"


def _options(component: dict[str, Any], state: _Check, scope: _Scope) -> list[Any]:
    """The values a person can choose: static, from the context (``valuesKey``) or a FEEL expression."""
    if isinstance(component.get("values"), list):
        source: Any = component["values"]
    elif component.get("valuesKey"):
        source = state.context.get(str(component["valuesKey"]))
    elif component.get("valuesExpression"):
        source = state.evaluate(component["valuesExpression"], scope)
    else:
        source = None
    if not isinstance(source, list):
        return []  # form-js shows no options either: nothing can be valid
    return [v.get("value") if isinstance(v, dict) else v for v in source]
