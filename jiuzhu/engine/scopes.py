"""Zeebe variable scopes on top of Spiff tasks.

Spiff moves data along with tokens (`task.data`); Zeebe keeps variables in scopes: the process
instance, each sub-process, and an element's local scope (input mappings). We leave `task.data`
empty and keep scopes ourselves: an element's local variables in `task.internal_data["vars"]`, a
(sub-)process's in `workflow.data["vars"]`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

LOCAL = "vars"


def workflow_scope(workflow: Any) -> dict[str, Any]:
    scope: dict[str, Any] = workflow.data.setdefault(LOCAL, {})
    return scope


def local_scope(task: Any, create: bool = False) -> dict[str, Any] | None:
    if create:
        scope: dict[str, Any] = task.internal_data.setdefault(LOCAL, {})
        return scope
    return task.internal_data.get(LOCAL)


def chain(task: Any, include_local: bool = True) -> Iterator[dict[str, Any]]:
    """Scopes visible from `task`, innermost first; the last one is the process instance.

    An embedded sub-process's scope is the local scope of its sub-process task, so input mappings
    and a multi-instance item on it are visible to everything inside."""
    if include_local:
        local = local_scope(task)
        if local is not None:
            yield local
    workflow = task.workflow
    while workflow.parent_task_id is not None:
        host = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        scope = local_scope(host, create=True)
        assert scope is not None
        yield scope
        workflow = host.workflow
    yield workflow_scope(workflow)


def visible(task: Any) -> dict[str, Any]:
    """All variables `task` can see; inner scopes shadow outer ones."""
    merged: dict[str, Any] = {}
    for scope in reversed(list(chain(task))):
        merged.update(scope)
    return merged


def propagate(scopes: list[dict[str, Any]], variables: Mapping[str, Any]) -> None:
    """Set each variable in the nearest scope that already holds it, else in the outermost one."""
    for name, value in variables.items():
        for scope in scopes:
            if name in scope:
                scope[name] = value
                break
        else:
            scopes[-1][name] = value
