"""Shared helpers for the DMN tests: load fixtures from resources/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jiuzhu.engine.dmn import DecisionRequirementsGraph, parse_dmn

RESOURCES = Path(__file__).parent / "resources"


@cache
def load(name: str) -> DecisionRequirementsGraph:
    return parse_dmn((RESOURCES / name).read_bytes(), name)
