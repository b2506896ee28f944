"""Divergences from Zeebe 8.8 found by running public Camunda 8 models, each on a minimal model.

Zeebe's behaviour cited from the Camunda 8.8 docs (docs.camunda.io/docs/components/modeler/bpmn/...).
"""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.runtime.jobs import USER_TASK_JOB_TYPE
from jiuzhu.engine.server import EngineServer
from jiuzhu.engine_rest.tasks import TaskReader
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine


def activate(engine: Engine, job_type: str) -> Any:
    [activated] = engine.activate_jobs(job_type, "test", 60_000, 1, [], -1)
    return activated


def test_static_job_priority_is_read_as_a_number(server: EngineServer) -> None:
    # user-tasks.md "Priority": a static value 0..100 or an expression; 70 stays 70 (it came out as 50)
    engine = server.engine
    process = (
        Process("prio")
        .start()
        .raw(
            '<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/>'
            '<zeebe:priorityDefinition priority="70"/></bpmn:extensionElements></bpmn:userTask>'
        )
    )
    engine.deploy([("prio.bpmn", process.end().chain("start", "review", "end").xml())])
    instance = engine.create_instance("prio", {})
    [task] = [t for t in engine.user_tasks.values() if t.instance_key == instance.key]
    assert task.priority == 70


def test_job_based_user_task_is_always_a_user_task_job(server: EngineServer) -> None:
    # user-tasks.md "Job worker implementation": the job type is io.camunda.zeebe:userTask, whatever
    # zeebe:taskDefinition the element carries (Zeebe ignores it on a user task)
    engine = server.engine
    process = (
        Process("legacy")
        .start()
        .raw(
            '<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:taskDefinition type="custom"/>'
            "</bpmn:extensionElements></bpmn:userTask>"
        )
    )
    engine.deploy([("legacy.bpmn", process.end().chain("start", "review", "end").xml())])
    engine.create_instance("legacy", {})
    assert [j.type for j in engine.jobs.values()] == [USER_TASK_JOB_TYPE]


def test_user_task_custom_headers_are_returned(server: EngineServer) -> None:
    # /v2/user-tasks: customHeaders are the element's zeebe:taskHeaders
    engine = server.engine
    process = (
        Process("headers")
        .start()
        .raw(
            '<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/><zeebe:taskHeaders>'
            '<zeebe:header key="sla" value="P10D"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:userTask>'
        )
    )
    engine.deploy([("headers.bpmn", process.end().chain("start", "review", "end").xml())])
    engine.create_instance("headers", {})
    [task] = engine.user_tasks.values()
    assert TaskReader(engine).render(task)["customHeaders"] == {"sla": "P10D"}


def test_activity_without_outgoing_flow_ends_the_instance(server: EngineServer) -> None:
    # BPMN implicit end (Zeebe supports it: a flow node without outgoing sequence flow completes its scope)
    engine = server.engine
    process = Process("implicit").start().service("work", "implicit.work").chain("start", "work")
    engine.deploy([("implicit.bpmn", process.xml())])
    instance = engine.create_instance("implicit", {})
    engine.complete_job(activate(engine, "implicit.work").job.key, {"done": True})
    assert engine.instances.get(instance.key) is None or engine.instances[instance.key].state != "ACTIVE"
