"""Call activities, multi-instance, embedded sub-process scopes, terminate and inclusive gateways."""

from typing import Any

import pytest

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import Process, error_ref, escalation_ref

pytestmark = pytest.mark.engine


def jobs(engine: Engine, instance_key: int | None = None) -> list[str]:
    return sorted(j.type for j in engine.jobs.values() if instance_key is None or j.instance_key == instance_key)


def complete(engine: Engine, job_type: str, variables: dict[str, Any] | None = None) -> int:
    [activated] = engine.activate_jobs(job_type, "test", 60_000, 1, [], -1)
    engine.complete_job(activated.job.key, variables or {})
    return activated.job.instance_key


def visit_process() -> Process:
    """A shared home-visit process, called from the case processes."""
    return Process("home-visit").start().service("schedule", "visit.schedule").end().chain("start", "schedule", "end")


# --- call activities ------------------------------------------------------------------------------


def test_call_activity_runs_a_child_instance_and_returns_its_variables(server: EngineServer) -> None:
    engine = server.engine
    parent = (
        Process("case")
        .start()
        .call("visit", "home-visit", inputs={"visitors": "=2"})
        .service("after", "approval.record")
        .end()
        .chain("start", "visit", "after", "end")
    )
    engine.deploy([("visit.bpmn", visit_process().xml()), ("case.bpmn", parent.xml())])
    case = engine.create_instance("case", {"household": "H-1"})
    [child] = [i for i in engine.instances.values() if i.parent_key == case.key]
    assert child.bpmn_process_id == "home-visit"
    assert engine.variables(child.key) == {"household": "H-1", "visitors": 2}
    complete(engine, "visit.schedule", {"visitDue": "2026-12-01"})
    assert child.key not in engine.instances
    assert jobs(engine, case.key) == ["approval.record"]
    # `visitors` is local to the call activity (an input mapping): Zeebe keeps it there.
    assert engine.variables(case.key) == {"household": "H-1", "visitDue": "2026-12-01"}


def test_call_activity_without_child_propagation_uses_output_mappings(server: EngineServer) -> None:
    engine = server.engine
    parent = (
        Process("case")
        .start()
        .call("visit", "home-visit", outputs={"due": "=visitDue"}, propagate_child=False)
        .service("after", "approval.record")
        .end()
        .chain("start", "visit", "after", "end")
    )
    engine.deploy([("visit.bpmn", visit_process().xml()), ("case.bpmn", parent.xml())])
    case = engine.create_instance("case", {})
    complete(engine, "visit.schedule", {"visitDue": "2026-12-01", "noise": 1})
    assert engine.variables(case.key) == {"due": "2026-12-01"}


def test_cancelling_the_parent_cancels_the_child_and_children_cannot_be_cancelled_alone(server: EngineServer) -> None:
    engine = server.engine
    parent = Process("case").start().call("visit", "home-visit").end().chain("start", "visit", "end")
    engine.deploy([("visit.bpmn", visit_process().xml()), ("case.bpmn", parent.xml())])
    case = engine.create_instance("case", {})
    [child] = [i for i in engine.instances.values() if i.parent_key == case.key]
    with pytest.raises(EngineError) as err:
        engine.cancel_instance(child.key)
    assert err.value.code == "FAILED_PRECONDITION" and str(case.key) in err.value.message
    engine.cancel_instance(case.key)
    assert not engine.instances and not engine.jobs


def test_error_in_child_is_caught_on_the_call_activity(server: EngineServer) -> None:
    engine = server.engine
    parent = (
        Process("case")
        .error("refused", "VISIT_REFUSED")
        .start()
        .call("visit", "home-visit")
        .boundary("refused_b", "visit", error_ref("refused"))
        .service("notice", "notice.issue-rejection")
        .end()
        .end("e2")
        .chain("start", "visit", "end")
        .flow("refused_b", "notice")
        .flow("notice", "e2")
    )
    engine.deploy([("visit.bpmn", visit_process().xml()), ("case.bpmn", parent.xml())])
    case = engine.create_instance("case", {})
    [activated] = engine.activate_jobs("visit.schedule", "w", 60_000, 1, [], -1)
    engine.throw_error(activated.job.key, "VISIT_REFUSED", "家庭拒绝入户", {})
    assert [i.key for i in engine.instances.values()] == [case.key]  # the child was terminated
    assert jobs(engine) == ["notice.issue-rejection"]


def test_missing_called_process_is_an_incident(server: EngineServer) -> None:
    engine = server.engine
    parent = Process("case").start().call("visit", "nowhere").end().chain("start", "visit", "end")
    engine.deploy([("case.bpmn", parent.xml())])
    case = engine.create_instance("case", {})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == case.key]
    assert "nowhere" in incident.message
    engine.deploy([("nowhere.bpmn", Process("nowhere").start().end().flow("start", "end").xml())])
    engine.resolve_incident(incident.key)
    assert case.key not in engine.instances  # the child ran to its end, so did the parent


# --- multi-instance -------------------------------------------------------------------------------


def members_process(**loop: Any) -> Process:
    return (
        Process("members")
        .start()
        .multi("check", "verification.check-member", "=members", element="member", **loop)
        .service("after", "eligibility.assess")
        .end()
        .chain("start", "check", "after", "end")
    )


def test_parallel_multi_instance_collects_outputs_in_order(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("m.bpmn", members_process(output_collection="findings", output_element="=finding").xml())])
    case = engine.create_instance("members", {"members": ["张三", "李四", "王五"]})
    activated = engine.activate_jobs("verification.check-member", "w", 60_000, 10, [], -1)
    assert sorted(a.variables["member"] for a in activated) == ["张三", "李四", "王五"]
    assert sorted(a.variables["loopCounter"] for a in activated) == [1, 2, 3]
    for a in reversed(activated):  # complete out of order: outputs still land by position
        engine.complete_job(a.job.key, {"finding": f"{a.variables['member']}:符合"})
    assert jobs(engine, case.key) == ["eligibility.assess"]
    assert engine.variables(case.key)["findings"] == ["张三:符合", "李四:符合", "王五:符合"]
    assert "finding" not in engine.variables(case.key)  # the output element stayed local


def test_sequential_multi_instance_runs_one_at_a_time(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("m.bpmn", members_process(sequential=True).xml())])
    case = engine.create_instance("members", {"members": ["a", "b"]})
    first = engine.activate_jobs("verification.check-member", "w", 60_000, 10, [], -1)
    assert [a.variables["member"] for a in first] == ["a"]
    engine.complete_job(first[0].job.key, {})
    second = engine.activate_jobs("verification.check-member", "w", 60_000, 10, [], -1)
    assert [a.variables["member"] for a in second] == ["b"]
    engine.complete_job(second[0].job.key, {})
    assert jobs(engine, case.key) == ["eligibility.assess"]


def test_completion_condition_cancels_the_rest(server: EngineServer) -> None:
    engine = server.engine
    process = members_process(completion="=numberOfCompletedInstances &gt;= 1")
    engine.deploy([("m.bpmn", process.xml())])
    case = engine.create_instance("members", {"members": [1, 2, 3]})
    activated = engine.activate_jobs("verification.check-member", "w", 60_000, 10, [], -1)
    engine.complete_job(activated[0].job.key, {})
    assert jobs(engine, case.key) == ["eligibility.assess"]


def test_empty_collection_skips_and_non_list_is_an_incident(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("m.bpmn", members_process(output_collection="out", output_element="=x").xml())])
    empty = engine.create_instance("members", {"members": []})
    assert jobs(engine, empty.key) == ["eligibility.assess"]
    assert engine.variables(empty.key)["out"] == []
    broken = engine.create_instance("members", {"members": "张三"})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == broken.key]
    assert "ARRAY" in incident.message


def test_multi_instance_sub_process_sees_its_item(server: EngineServer) -> None:
    engine = server.engine
    inner = Process("inner").start("s").service("ask", "visit.record").end("e").chain("s", "ask", "e")
    loop = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics "
        'inputCollection="=visits" inputElement="visit"/></bpmn:extensionElements>'
        "</bpmn:multiInstanceLoopCharacteristics>"
    )
    process = Process("mv").start().subprocess("each", inner, loop=loop).end().chain("start", "each", "end")
    engine.deploy([("mv.bpmn", process.xml())])
    case = engine.create_instance("mv", {"visits": ["v1", "v2"]})
    activated = engine.activate_jobs("visit.record", "w", 60_000, 10, [], -1)
    assert sorted(a.variables["visit"] for a in activated) == ["v1", "v2"]
    for a in activated:
        engine.complete_job(a.job.key, {})
    assert case.key not in engine.instances


# --- sub-process scopes, terminate, inclusive -----------------------------------------------------


def test_sub_process_input_and_output_mappings(server: EngineServer) -> None:
    engine = server.engine
    inner = Process("inner").start("s").service("work", "work").end("e").chain("s", "work", "e")
    process = (
        Process("sp")
        .start()
        .subprocess(
            "review",
            inner,
            inputs={"limit": "=standard * 4"},
            outputs={"route": '=if amount > limit then "county" else "township"'},
        )
        .service("after", "after")
        .end()
        .chain("start", "review", "after", "end")
    )
    engine.deploy([("sp.bpmn", process.xml())])
    case = engine.create_instance("sp", {"standard": 780})
    [activated] = engine.activate_jobs("work", "w", 60_000, 1, [], -1)
    assert activated.variables["limit"] == 3120
    engine.complete_job(activated.job.key, {"amount": 5000})
    assert engine.variables(case.key) == {"standard": 780, "amount": 5000, "route": "county"}


def test_terminate_end_event_ends_every_branch(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("term")
        .start()
        .parallel("fork")
        .service("slow", "slow")
        .end_with("stop", "<bpmn:terminateEventDefinition/>")
        .end()
        .flow("start", "fork")
        .flow("fork", "slow")
        .flow("fork", "stop")
        .flow("slow", "end")
    )
    engine.deploy([("t.bpmn", process.xml())])
    case = engine.create_instance("term", {})
    assert case.key not in engine.instances and not engine.jobs


def test_inclusive_gateway_takes_every_true_branch(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("inc")
        .start()
        .raw('<bpmn:inclusiveGateway id="split"/>')
        .service("medical", "referral.medical")
        .service("school", "referral.education")
        .end("e1")
        .end("e2")
        .flow("start", "split")
        .flow("split", "medical", "=illness", id="f1")
        .flow("split", "school", "=student", id="f2")
        .flow("medical", "e1")
        .flow("school", "e2")
    )
    engine.deploy([("inc.bpmn", process.xml())])
    both = engine.create_instance("inc", {"illness": True, "student": True})
    assert jobs(engine, both.key) == ["referral.education", "referral.medical"]
    one = engine.create_instance("inc", {"illness": False, "student": True})
    assert jobs(engine, one.key) == ["referral.education"]


# --- event sub-processes --------------------------------------------------------------------------


def with_event_subprocess(trigger: str, interrupting: bool = True, root: Process | None = None) -> Process:
    handler = (
        Process("h")
        .start_with("triggered", trigger, interrupting=interrupting)
        .service("handle", "case.handle-event")
        .end("handled")
        .chain("triggered", "handle", "handled")
    )
    process = root or Process("esp")
    return (
        process.start()
        .service("work", "case.work")
        .service("more", "case.more")
        .end()
        .chain("start", "work", "more", "end")
        .event_subprocess("on_event", handler)
    )


def test_message_event_subprocess_interrupts_the_scope(server: EngineServer) -> None:
    engine = server.engine
    root = Process("esp").message("change", "household-change", "=caseId")
    engine.deploy(
        [("esp.bpmn", with_event_subprocess('<bpmn:messageEventDefinition messageRef="change"/>', root=root).xml())]
    )
    case = engine.create_instance("esp", {"caseId": "C-1"})
    assert jobs(engine, case.key) == ["case.work"]
    engine.publish_message("household-change", "C-1", 0, "", {"change": "死亡"})
    assert jobs(engine, case.key) == ["case.handle-event"]  # the main flow was terminated
    complete(engine, "case.handle-event")
    assert case.key not in engine.instances


def test_non_interrupting_timer_event_subprocess_runs_beside_the_flow(server: EngineServer) -> None:
    from datetime import timedelta

    engine = server.engine
    xml = with_event_subprocess(
        "<bpmn:timerEventDefinition><bpmn:timeDuration>P8D</bpmn:timeDuration></bpmn:timerEventDefinition>",
        interrupting=False,
    ).xml()
    engine.deploy([("esp.bpmn", xml)])
    case = engine.create_instance("esp", {})
    server.clock.advance(timedelta(days=8, seconds=1))
    engine.tick()
    assert jobs(engine, case.key) == ["case.handle-event", "case.work"]
    complete(engine, "case.handle-event")
    complete(engine, "case.work")
    complete(engine, "case.more")
    assert case.key not in engine.instances


def test_scope_completes_while_its_event_subprocess_still_waits(server: EngineServer) -> None:
    engine = server.engine
    root = Process("esp").message("change", "household-change", "=caseId")
    engine.deploy(
        [("esp.bpmn", with_event_subprocess('<bpmn:messageEventDefinition messageRef="change"/>', root=root).xml())]
    )
    case = engine.create_instance("esp", {"caseId": "C-2"})
    assert [s.message_name for s in engine.subscriptions.values()] == ["household-change"]
    complete(engine, "case.work")
    complete(engine, "case.more")
    assert case.key not in engine.instances
    assert not engine.subscriptions


def test_error_event_subprocess_catches_a_job_error(server: EngineServer) -> None:
    engine = server.engine
    root = Process("esp").error("fail", "CHECK_NOT_AUTHORISED")
    engine.deploy(
        [("esp.bpmn", with_event_subprocess('<bpmn:errorEventDefinition errorRef="fail"/>', root=root).xml())]
    )
    case = engine.create_instance("esp", {})
    [work] = engine.activate_jobs("case.work", "w", 60_000, 1, [], -1)
    engine.throw_error(work.job.key, "CHECK_NOT_AUTHORISED", "未授权", {})
    assert jobs(engine, case.key) == ["case.handle-event"]
    assert not engine.incidents


def test_link_events_jump_within_the_scope(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("link")
        .start()
        .throw("go", '<bpmn:linkEventDefinition name="toReview"/>')
        .catch("arrive", '<bpmn:linkEventDefinition name="toReview"/>')
        .service("review", "case.review")
        .end()
        .flow("start", "go")
        .chain("arrive", "review", "end")
    )
    engine.deploy([("link.bpmn", process.xml())])
    case = engine.create_instance("link", {})
    assert jobs(engine, case.key) == ["case.review"]


def test_non_interrupting_message_event_subprocess_fires_for_every_message(server: EngineServer) -> None:
    engine = server.engine
    root = Process("esp").message("change", "household-change", "=caseId")
    xml = with_event_subprocess(
        '<bpmn:messageEventDefinition messageRef="change"/>', interrupting=False, root=root
    ).xml()
    engine.deploy([("esp.bpmn", xml)])
    case = engine.create_instance("esp", {"caseId": "C-9"})
    engine.publish_message("household-change", "C-9", 0, "", {"n": 1})
    engine.publish_message("household-change", "C-9", 0, "", {"n": 2})
    assert jobs(engine, case.key) == ["case.handle-event", "case.handle-event", "case.work"]
    for _ in range(2):
        complete(engine, "case.handle-event")
    complete(engine, "case.work")
    complete(engine, "case.more")
    assert case.key not in engine.instances and not engine.subscriptions


def test_escalation_event_subprocess_catches_a_thrown_escalation(server: EngineServer) -> None:
    engine = server.engine
    handler = (
        Process("h")
        .start_with("on_late", escalation_ref("late"), interrupting=False)
        .service("remind", "sla.remind")
        .end("reminded")
        .chain("on_late", "remind", "reminded")
    )
    process = (
        Process("esc")
        .escalation("late", "SLA_WARN")
        .start()
        .throw("warn", escalation_ref("late"))
        .service("work", "case.work")
        .end()
        .chain("start", "warn", "work", "end")
        .event_subprocess("sla", handler)
    )
    engine.deploy([("esc.bpmn", process.xml())])
    case = engine.create_instance("esc", {})
    assert jobs(engine, case.key) == ["case.work", "sla.remind"]
