"""The variable door on its own: what is refused, and that ordinary case data passes unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.engine.errors import Code, EngineError
from jiuzhu.engine.variables import INT64_MAX, INT64_MIN, MAX_DEPTH, MAX_DOCUMENT_BYTES, check_document, parse_document

pytestmark = pytest.mark.unit


def nested(depth: int) -> dict[str, Any]:
    """An object whose innermost list sits ``depth`` levels down (the object itself is level 1)."""
    inner: list[Any] = []
    for _ in range(depth - 2):
        inner = [inner]
    return {"a": inner}


def test_case_data_passes_unchanged() -> None:
    text = '{"申请人": "张三", "members": [{"age": 70, "income": 1234.5}], "ok": true, "x": null}'
    assert parse_document(text) == {"申请人": "张三", "members": [{"age": 70, "income": 1234.5}], "ok": True, "x": None}
    assert parse_document("") == {} and parse_document("   ") == {}
    assert parse_document(f'{{"a": {INT64_MAX}, "b": {INT64_MIN}}}') == {"a": INT64_MAX, "b": INT64_MIN}
    assert check_document(nested(MAX_DEPTH)) == nested(MAX_DEPTH)


@pytest.mark.parametrize(
    "value",
    [{"a": float("nan")}, {"a": float("inf")}, {"a": 2**63}, {"a": -(2**63) - 1}, {"a": "\ud800"}, {"\udc00": 1}],
    ids=["nan", "inf", "int64+1", "int64-1", "surrogate", "surrogate key"],
)
def test_parsed_documents_are_checked_too(value: dict[str, Any]) -> None:
    with pytest.raises(EngineError) as err:
        check_document(value)
    assert err.value.code is Code.INVALID_ARGUMENT


def test_only_json_values_and_string_keys() -> None:
    for value in ({"a": object()}, {1: "a"}, {"a": {1, 2}}, ["not", "an", "object"]):
        with pytest.raises(EngineError):
            check_document(value)


def test_too_deep_and_too_large_are_refused() -> None:
    with pytest.raises(EngineError) as deep:
        check_document(nested(MAX_DEPTH + 1))
    assert f"deeper than {MAX_DEPTH}" in deep.value.message
    with pytest.raises(EngineError) as large:
        check_document({"a": "中" * (MAX_DOCUMENT_BYTES // 3 + 1)})  # 3 bytes each in UTF-8
    assert "larger than" in large.value.message
    with pytest.raises(EngineError):
        parse_document('{"a": "' + "x" * MAX_DOCUMENT_BYTES + '"}')
