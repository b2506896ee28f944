"""Range built-ins (DMN 1.3 interval algebra): before, after, meets, overlaps, includes, ..."""

from __future__ import annotations

from typing import Any

from ..ops import compare
from ..values import Range
from ._registry import ArgError, builtin


def _c(a: Any, b: Any) -> int:
    r = compare(a, b)
    if r is None:
        raise ArgError("values are not comparable")
    return r


def _as_range(v: Any) -> Range:
    if type(v) is Range:
        return v
    if v is None:
        raise ArgError("null is not a point or range")
    return Range(v, v, True, True)


def _before(a: Range, b: Range) -> bool:
    c = _c(a.end, b.start)
    return c < 0 or (c == 0 and not (a.end_incl and b.start_incl))


@builtin("before", "point1, point2")
def before(p1: Any, p2: Any) -> bool:
    return _before(_as_range(p1), _as_range(p2))


@builtin("after", "point1, point2")
def after(p1: Any, p2: Any) -> bool:
    return _before(_as_range(p2), _as_range(p1))


@builtin("meets", "range1, range2")
def meets(r1: Any, r2: Any) -> bool:
    a, b = _as_range(r1), _as_range(r2)
    return a.end_incl and b.start_incl and _c(a.end, b.start) == 0


@builtin("met by", "range1, range2")
def met_by(r1: Any, r2: Any) -> bool:
    return meets(r2, r1)


@builtin("overlaps", "range1, range2")
def overlaps(r1: Any, r2: Any) -> bool:
    a, b = _as_range(r1), _as_range(r2)
    return not _before(a, b) and not _before(b, a)


@builtin("overlaps before", "range1, range2")
def overlaps_before(r1: Any, r2: Any) -> bool:
    a, b = _as_range(r1), _as_range(r2)
    cs = _c(a.start, b.start)
    starts_first = cs < 0 or (cs == 0 and a.start_incl and not b.start_incl)
    ce = _c(a.end, b.end)
    ends_inside = ce < 0 or (ce == 0 and (not a.end_incl or b.end_incl))
    return starts_first and ends_inside and overlaps(a, b)


@builtin("overlaps after", "range1, range2")
def overlaps_after(r1: Any, r2: Any) -> bool:
    return overlaps_before(r2, r1)


@builtin("finishes", "point, range")
def finishes(p: Any, r: Any) -> bool:
    a, b = _as_range(p), _as_range(r)
    if type(p) is not Range:
        return b.end_incl and _c(p, b.end) == 0
    return a.end_incl == b.end_incl and _c(a.end, b.end) == 0 and includes(b, a)


@builtin("finished by", "range, point")
def finished_by(r: Any, p: Any) -> bool:
    return finishes(p, r)


@builtin("includes", "range, point")
def includes(r: Any, p: Any) -> bool:
    a, b = _as_range(r), _as_range(p)
    cs = _c(a.start, b.start)
    start_ok = cs < 0 or (cs == 0 and (a.start_incl or not b.start_incl))
    ce = _c(a.end, b.end)
    end_ok = ce > 0 or (ce == 0 and (a.end_incl or not b.end_incl))
    return start_ok and end_ok


@builtin("during", "point, range")
def during(p: Any, r: Any) -> bool:
    return includes(r, p)


@builtin("starts", "point, range")
def starts(p: Any, r: Any) -> bool:
    a, b = _as_range(p), _as_range(r)
    if type(p) is not Range:
        return b.start_incl and _c(p, b.start) == 0
    return a.start_incl == b.start_incl and _c(a.start, b.start) == 0 and includes(b, a)


@builtin("started by", "range, point")
def started_by(r: Any, p: Any) -> bool:
    return starts(p, r)


@builtin("coincides", "point1, point2")
def coincides(p1: Any, p2: Any) -> bool:
    a, b = _as_range(p1), _as_range(p2)
    return (
        _c(a.start, b.start) == 0
        and _c(a.end, b.end) == 0
        and a.start_incl == b.start_incl
        and a.end_incl == b.end_incl
    )
