"""Syntax tree of FEEL expressions. Each node keeps ``pos`` (offset into the source) for errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Node:
    pos: int


@dataclass(slots=True)
class Lit(Node):
    value: Any


@dataclass(slots=True)
class Name(Node):
    name: str


@dataclass(slots=True)
class InputValue(Node):
    """`?` in unary tests: the input value."""


@dataclass(slots=True)
class Neg(Node):
    operand: Node


@dataclass(slots=True)
class Arith(Node):
    op: str  # + - * / **
    left: Node
    right: Node


@dataclass(slots=True)
class Compare(Node):
    op: str  # = != < <= > >=
    left: Node
    right: Node


@dataclass(slots=True)
class And(Node):
    left: Node
    right: Node


@dataclass(slots=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(slots=True)
class If(Node):
    cond: Node
    then: Node
    other: Node


@dataclass(slots=True)
class For(Node):
    iterators: list[tuple[str, Node]]
    body: Node


@dataclass(slots=True)
class Quantified(Node):
    every: bool
    iterators: list[tuple[str, Node]]
    cond: Node


@dataclass(slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(slots=True)
class InstanceOf(Node):
    value: Node
    type_name: str


@dataclass(slots=True)
class Path(Node):
    target: Node
    key: str


@dataclass(slots=True)
class Filter(Node):
    target: Node
    cond: Node


@dataclass(slots=True)
class Call(Node):
    function: Node
    args: list[Node] = field(default_factory=list)
    named: list[tuple[str, Node]] | None = None


@dataclass(slots=True)
class FunctionDef(Node):
    params: list[str]
    body: Node


@dataclass(slots=True)
class ListLit(Node):
    items: list[Node]


@dataclass(slots=True)
class ContextLit(Node):
    entries: list[tuple[str, Node]]


@dataclass(slots=True)
class RangeLit(Node):
    start_incl: bool
    start: Node | None
    end: Node | None
    end_incl: bool


# --- unary tests -------------------------------------------------------------------------------


@dataclass(slots=True)
class UCompare(Node):
    """`< 10`: compare the input value against an endpoint."""

    op: str
    operand: Node


@dataclass(slots=True)
class UExpr(Node):
    """A plain expression as a test: true if it is true, equal to, or contains the input."""

    expr: Node


@dataclass(slots=True)
class UNot(Node):
    tests: list[Node]


@dataclass(slots=True)
class UAny(Node):
    """`-`: matches everything."""


@dataclass(slots=True)
class In(Node):
    value: Node
    tests: list[Node]
    unary: bool = False  # a DMN input entry: a boolean expression result decides on its own
