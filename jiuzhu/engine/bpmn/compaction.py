"""Keep an instance's task tree to what is still running: its cost must not grow with its history.

Spiff keeps every task a token ever passed through, so a loop (a re-check every year, a reminder on a
cycle) makes the tree, the stored state and every command grow with each round. Zeebe keeps only the
active element instances. Here the finished trunk of the tree is cut off after each command: from the
root down, while a task is completed and exactly one of its children is completed and goes on (its other
children finished, or still running on their own), that child becomes the new root and the running siblings
hang under it. Variables live in scopes (`scopes.py`), not in the tasks, so nothing is lost.

Nothing is re-hung under a boundary-event split, nor a split with a running boundary event moved: the
split's join finds its split among its ancestors and reads the split's children as the activity and
its boundary events. Likewise a parallel or inclusive fork whose branches still run is kept: its join
must find every branch beside the others, not one re-hung under another.
A token waiting at a parallel or inclusive join is never re-hung either: the join
counts an incoming flow as arrived by the spec of that token's parent, so under another parent the
branch it stands for would be missing for ever (特困: the supporters' check done and waiting while the
self-care assessment is sent back and goes round its branch again).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.util.task import TaskState


def compact(workflow: Any) -> list[Any]:
    """Cut the finished trunk of `workflow`'s tree and of its sub-workflows; returns the tasks cut."""
    dropped: list[Any] = []
    for sub in list(getattr(workflow, "subprocesses", {}).values()):
        dropped += _compact_tree(sub, workflow)
    return dropped + _compact_tree(workflow, workflow)


def _compact_tree(tree_owner: Any, top: Any) -> list[Any]:
    root = tree_owner.task_tree
    if root is None:
        return []
    node: Any = root
    running: list[Any] = []
    safe: tuple[Any, list[Any]] = (root, [])  # the deepest place fit to be the new root
    while node.state == TaskState.COMPLETED:
        # a completed child with no children (a boundary join's spent copy) leads nowhere: finished
        done = [c for c in node.children if c.state == TaskState.COMPLETED and c.children]
        if len(done) != 1:
            break
        others = [c for c in node.children if c is not done[0] and not c.has_state(TaskState.FINISHED_MASK)]
        if any(isinstance(c.task_spec, BoundaryEvent) for c in others):
            break
        if any(isinstance(c.task_spec, (ParallelGateway, InclusiveGateway)) for c in others):
            break  # a token waiting at a join: the join reads where it came from off its parent
        if others and isinstance(node.task_spec, BoundaryEventSplit):
            break  # the activity or a boundary event's path is still under way: the split stays whole
        if (running or others) and isinstance(done[0].task_spec, BoundaryEventSplit):
            break  # the split's join takes all the split's children for the activity and its events
        if others and isinstance(node.task_spec, (ParallelGateway, InclusiveGateway)):
            # A fork whose branches still run stays whole: re-hung under one finished branch, the other
            # branches became its descendants and the join never saw them all arrive (特困's
            # Gateway_TekunJoin hung when the supporters check was done before the self-care assessment).
            break
        running = running + others
        node = done[0]
        if not isinstance(node.task_spec, BoundaryEventSplit):
            safe = (node, running)
    # A split never becomes the root: a token spawned by one of its boundary events hangs beside it
    # (specs.spawn_boundary_path), under its parent.
    node, running = safe
    if node is root:
        return []
    keep = {t.id for t in _subtree(node)}
    for task in running:
        keep.update(t.id for t in _subtree(task))
    removed = [task for task_id, task in tree_owner.tasks.items() if task_id not in keep]
    inner: list[Any] = []
    for task in removed:
        task_id = task.id
        del tree_owner.tasks[task_id]
        if task_id in getattr(top, "subprocesses", {}):
            inner += _drop_subprocess(top, task_id)
    node._parent = None
    for task in running:
        task._parent = node.id
        node._children.append(task.id)
    tree_owner.task_tree = node
    if getattr(tree_owner, "last_task", None) is not None and tree_owner.last_task.id not in keep:
        tree_owner.last_task = None
    return removed + inner


def _subtree(task: Any) -> list[Any]:
    found, stack = [], [task]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.children)
    return found


def _drop_subprocess(top: Any, task_id: Any) -> list[Any]:
    """Forget a finished embedded sub-process (and those nested in it); returns their tasks."""
    sub = top.subprocesses.pop(task_id)
    tasks = list(sub.tasks.values())
    for nested_id in [t.id for t in tasks if t.id in top.subprocesses]:
        tasks += _drop_subprocess(top, nested_id)
    return tasks
