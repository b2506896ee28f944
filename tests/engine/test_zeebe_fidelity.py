"""Divergences from Zeebe 8.8 found by running public Camunda 8 models, each on a minimal model.

Zeebe's behaviour cited from the Camunda 8.8 docs (docs.camunda.io/docs/components/modeler/bpmn/...).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.runtime.jobs import USER_TASK_JOB_TYPE
from jiuzhu.engine.server import EngineServer
from jiuzhu.engine_rest.tasks import TaskReader
from tests.engine.bpmn_builder import Process, message_ref

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


def test_gateway_without_a_way_on_is_a_condition_incident(server: EngineServer) -> None:
    # exclusive-gateways.md: "If no condition is fulfilled and no default flow is set, an incident is
    # created"; Zeebe's incident type is CONDITION_ERROR
    engine = server.engine
    process = (
        Process("choose")
        .start()
        .xor("which")
        .end("big")
        .end("small")
        .chain("start", "which")
        .flow("which", "big", condition="=amount > 100")
        .flow("which", "small", condition="=amount &lt; 10")
    )
    engine.deploy([("choose.bpmn", process.xml())])
    instance = engine.create_instance("choose", {"amount": 50})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == instance.key]
    assert (incident.error_type, incident.element_id) == ("CONDITION_ERROR", "which")
    assert incident.message == "Expected at least one condition to evaluate to true, or to have a default flow"


def test_path_of_a_non_interrupting_cycle_outlives_its_activity(server: EngineServer) -> None:
    # timer-events.md: a non-interrupting boundary timer with a cycle spawns a token at each interval;
    # those tokens are independent of the activity, so they go on after it completes
    engine = server.engine
    process = (
        Process("remind")
        .start()
        .service("work", "remind.work")
        .boundary_timer("every", "work", "timeCycle", "R3/PT1H", interrupting=False)
        .service("nudge", "remind.nudge")
        .end()
        .end("nudged")
        .chain("start", "work", "end")
        .chain("every", "nudge", "nudged")
    )
    engine.deploy([("remind.bpmn", process.xml())])
    instance = engine.create_instance("remind", {})
    engine.clock.advance(timedelta(hours=1, minutes=1))
    engine.tick()
    nudge = activate(engine, "remind.nudge")
    engine.complete_job(activate(engine, "remind.work").job.key, {})
    engine.complete_job(nudge.job.key, {"nudged": True})  # failed: "A task with id … was not found"
    assert engine.instances.get(instance.key) is None or engine.instances[instance.key].state == "COMPLETED"


def test_path_of_a_non_interrupting_message_outlives_its_activity(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("objections")
        .message("objection", "objection", "=caseId")
        .start()
        .service("publicity", "objections.close")
        .boundary("objected", "publicity", message_ref("objection"), interrupting=False)
        .service("record", "objections.record")
        .end()
        .end("recorded")
        .chain("start", "publicity", "end")
        .chain("objected", "record", "recorded")
    )
    engine.deploy([("objections.bpmn", process.xml())])
    instance = engine.create_instance("objections", {"caseId": "C-1"})
    engine.publish_message("objection", "C-1", 0, "", {"text": "异议"})
    record = activate(engine, "objections.record")
    engine.complete_job(activate(engine, "objections.close").job.key, {})
    assert engine.instances[instance.key].state == "ACTIVE"  # the objection's token is still on its way
    engine.complete_job(record.job.key, {})
    assert engine.instances.get(instance.key) is None or engine.instances[instance.key].state == "COMPLETED"


def test_message_start_variables_are_visible_to_the_first_task_input_mappings(server: EngineServer) -> None:
    # pyzeebe's own integration model (tests/integration/test.bpmn): a message starts the instance and
    # the task maps `=input`; the job saw {"input": null}
    engine = server.engine
    process = (
        Process("started")
        .message("go", "start_test_process")
        .start_with("begin", message_ref("go"))
        .service("task", "started.work", inputs={"input": "=input", "should_throw": "=should_throw"})
        .end()
        .chain("begin", "task", "end")
    )
    engine.deploy([("started.bpmn", process.xml())])
    engine.publish_message("start_test_process", "", 60_000, "", {"input": "x", "should_throw": False})
    assert activate(engine, "started.work").variables == {"input": "x", "should_throw": False}


def test_a_deploy_rejection_lists_every_problem(server: EngineServer) -> None:
    # Zeebe rejects a deployment with all the problems it found, not only the first
    process = (
        Process("broken")
        .start()
        .raw('<bpmn:serviceTask id="noType"/>')
        .raw('<bpmn:serviceTask id="alsoNoType"/>')
        .end()
        .chain("start", "noType", "alsoNoType", "end")
    )
    with pytest.raises(EngineError) as err:
        server.engine.deploy([("broken.bpmn", process.xml())])
    assert "2 problems" in err.value.message
    assert "noType" in err.value.message and "alsoNoType" in err.value.message
