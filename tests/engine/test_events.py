"""Messages, errors and escalations on the embedded engine, routed the way Zeebe routes them."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import Job, ZeebeClient
from pyzeebe.errors import BusinessError

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.runtime import Engine
from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import Process, error_ref, escalation_ref, message_ref
from tests.engine.conftest import Running, eventually
from tests.engine.test_pyzeebe import deploy

pytestmark = pytest.mark.engine


def job_types(engine: Engine, instance_key: int) -> list[str]:
    return sorted(j.type for j in engine.jobs.values() if j.instance_key == instance_key)


def complete(engine: Engine, job_type: str, variables: dict[str, Any] | None = None) -> None:
    [activated] = engine.activate_jobs(job_type, "test", 60_000, 1, [], -1)
    engine.complete_job(activated.job.key, variables or {})


# --- errors ---------------------------------------------------------------------------------------


def check_process() -> Process:
    """The reformed path's first step: a failed economic check is a BPMN error, not a crash."""
    return (
        Process("check")
        .error("failed", "ECONOMIC_CHECK_FAILED")
        .start()
        .service("check", "verification.check-economic-status")
        .boundary("notEligible", "check", error_ref("failed"), outputs={"reasons": "=reasons"})
        .service("notice", "notice.issue-rejection")
        .service("visit", "visit.schedule")
        .end("rejected")
        .end("visited")
        .chain("start", "check", "visit", "visited")
        .flow("notEligible", "notice")
        .flow("notice", "rejected")
    )


def test_worker_error_is_caught_by_boundary_with_output_mapping(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("check.bpmn", check_process().xml())])
    instance = engine.create_instance("check", {"household": "H-1"})
    [activated] = engine.activate_jobs("verification.check-economic-status", "w", 60_000, 1, [], -1)
    engine.throw_error(activated.job.key, "ECONOMIC_CHECK_FAILED", "收入高于标准", {"reasons": ["收入"], "raw": 1})
    assert job_types(engine, instance.key) == ["notice.issue-rejection"]
    # Error variables are local to the catch event; only its output mapping lets `reasons` out.
    assert engine.variables(instance.key) == {"household": "H-1", "reasons": ["收入"]}
    assert activated.job.key not in engine.jobs


def test_unknown_error_code_is_an_incident(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("check.bpmn", check_process().xml())])
    instance = engine.create_instance("check", {})
    [activated] = engine.activate_jobs("verification.check-economic-status", "w", 60_000, 1, [], -1)
    engine.throw_error(activated.job.key, "SOMETHING_ELSE", "", {})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == instance.key]
    assert incident.error_type == "UNHANDLED_ERROR_EVENT" and "SOMETHING_ELSE" in incident.message


def test_catch_all_boundary_takes_any_code(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("all")
        .start()
        .service("t", "t")
        .boundary("any", "t", error_ref())
        .service("h", "handle")
        .end()
        .end("e2")
        .chain("start", "t", "end")
        .flow("any", "h")
        .flow("h", "e2")
    )
    engine.deploy([("all.bpmn", process.xml())])
    instance = engine.create_instance("all", {})
    [activated] = engine.activate_jobs("t", "w", 60_000, 1, [], -1)
    engine.throw_error(activated.job.key, "ANY_CODE", "", {})
    assert job_types(engine, instance.key) == ["handle"]


def test_error_end_event_in_subprocess_is_caught_on_the_subprocess(server: EngineServer) -> None:
    engine = server.engine
    inner = (
        Process("inner")
        .start("s_in")
        .service("verify", "verify")
        .xor("ok", default="fine")
        .end_with("bad", error_ref("e"))
        .end("good")
        .flow("s_in", "verify")
        .flow("verify", "ok")
        .flow("ok", "bad", "=valid = false", id="notValid")
        .flow("ok", "good", id="fine")
    )
    process = (
        Process("sub")
        .error("e", "INVALID")
        .start()
        .subprocess("review", inner)
        .boundary("caught", "review", error_ref("e"))
        .service("after", "after")
        .service("fix", "fix")
        .end()
        .end("e2")
        .chain("start", "review", "after", "end")
        .flow("caught", "fix")
        .flow("fix", "e2")
    )
    engine.deploy([("sub.bpmn", process.xml())])
    rejected = engine.create_instance("sub", {})
    complete(engine, "verify", {"valid": False})
    assert job_types(engine, rejected.key) == ["fix"]
    accepted = engine.create_instance("sub", {})
    complete(engine, "verify", {"valid": True})
    assert job_types(engine, accepted.key) == ["after"]


def test_uncaught_error_end_event_raises_incident(server: EngineServer) -> None:
    engine = server.engine
    process = Process("lost").error("e", "NOPE").start().end_with("boom", error_ref("e")).flow("start", "boom")
    engine.deploy([("lost.bpmn", process.xml())])
    instance = engine.create_instance("lost", {})
    assert instance.key in engine.instances
    [incident] = [i for i in engine.incidents.values() if i.instance_key == instance.key]
    assert incident.element_id == "boom" and "NOPE" in incident.message


async def test_business_error_from_pyzeebe_worker_is_caught(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running, server: EngineServer
) -> None:
    await deploy(client, tmp_path, "check.bpmn", check_process().xml())
    worker = worker_factory()

    @worker.task(task_type="verification.check-economic-status")
    async def check(job: Job) -> None:
        raise BusinessError("ECONOMIC_CHECK_FAILED", "收入高于标准")

    running.start(worker)
    created = await client.run_process("check", {})
    await eventually(
        lambda: job_types(server.engine, created.process_instance_key) == ["notice.issue-rejection"],
        what="the rejection notice job",
    )


# --- escalations ----------------------------------------------------------------------------------


def test_escalation_from_subprocess_non_interrupting_and_interrupting(server: EngineServer) -> None:
    engine = server.engine
    inner = (
        Process("inner")
        .start("s_in")
        .throw("late", escalation_ref("late"))
        .service("work", "work")
        .end_with("give_up", escalation_ref("stop"))
        .chain("s_in", "late", "work", "give_up")
    )
    process = (
        Process("esc")
        .escalation("late", "SLA_WARN")
        .escalation("stop", "SLA_BREACH")
        .start()
        .subprocess("case", inner)
        .boundary("warn", "case", escalation_ref("late"), interrupting=False)
        .boundary("breach", "case", escalation_ref("stop"))
        .service("remind", "sla.remind")
        .service("escalate", "sla.escalate")
        .end()
        .end("e2")
        .end("e3")
        .chain("start", "case", "end")
        .flow("warn", "remind")
        .flow("remind", "e2")
        .flow("breach", "escalate")
        .flow("escalate", "e3")
    )
    engine.deploy([("esc.bpmn", process.xml())])
    instance = engine.create_instance("esc", {})
    assert job_types(engine, instance.key) == ["sla.remind", "work"]  # the subprocess goes on
    complete(engine, "work")
    assert job_types(engine, instance.key) == ["sla.escalate", "sla.remind"]


def test_uncaught_escalation_just_continues(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("free")
        .escalation("x", "X")
        .start()
        .throw("t", escalation_ref("x"))
        .service("next", "next")
        .end()
        .chain("start", "t", "next", "end")
    )
    engine.deploy([("free.bpmn", process.xml())])
    instance = engine.create_instance("free", {})
    assert job_types(engine, instance.key) == ["next"]
    assert not engine.incidents


# --- messages -------------------------------------------------------------------------------------


def waiting_process() -> Process:
    return (
        Process("wait")
        .message("docs", "documents-arrived", "=caseId")
        .start()
        .catch("await", message_ref("docs"))
        .service("next", "next")
        .end()
        .chain("start", "await", "next", "end")
    )


def test_message_correlates_to_waiting_catch_event_and_merges_variables(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("wait.bpmn", waiting_process().xml())])
    a = engine.create_instance("wait", {"caseId": "A"})
    b = engine.create_instance("wait", {"caseId": "B"})
    engine.publish_message("documents-arrived", "B", 0, "", {"documents": ["户口簿"]})
    assert job_types(engine, a.key) == [] and job_types(engine, b.key) == ["next"]
    assert engine.variables(b.key) == {"caseId": "B", "documents": ["户口簿"]}
    engine.publish_message("documents-arrived", "B", 0, "", {})  # nobody waits any more: dropped
    assert not engine.messages


def test_buffered_message_waits_for_a_later_subscription_and_expires(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("wait.bpmn", waiting_process().xml())])
    engine.publish_message("documents-arrived", "C", 60_000, "", {"early": True})
    early = engine.create_instance("wait", {"caseId": "C"})
    assert job_types(engine, early.key) == ["next"]
    assert engine.variables(early.key)["early"] is True
    later = engine.create_instance("wait", {"caseId": "C"})
    assert job_types(engine, later.key) == ["next"]  # buffered: each instance takes it once
    engine.publish_message("documents-arrived", "D", 1_000, "", {})
    server.clock.advance(timedelta(seconds=2))
    engine.tick()
    late = engine.create_instance("wait", {"caseId": "D"})
    assert job_types(engine, late.key) == []  # expired before the subscription opened


def test_message_boundary_interrupts_and_receive_task_waits(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("obj")
        .message("objection", "publicity-objection", "=caseId")
        .message("ack", "ack", "=caseId")
        .start()
        .service("publish", "publicity.publish")
        .boundary("objected", "publish", message_ref("objection"), outputs={"objection": "=text"})
        .receive("confirm", "ack")
        .service("reinvestigate", "visit.schedule")
        .end()
        .end("e2")
        .chain("start", "publish", "end")
        .flow("objected", "confirm")
        .flow("confirm", "reinvestigate")
        .flow("reinvestigate", "e2")
    )
    engine.deploy([("obj.bpmn", process.xml())])
    instance = engine.create_instance("obj", {"caseId": "Q-1"})
    engine.publish_message("publicity-objection", "Q-1", 0, "", {"text": "收入不实", "who": "村民"})
    assert job_types(engine, instance.key) == []  # the publish job was interrupted
    assert engine.variables(instance.key) == {"caseId": "Q-1", "objection": "收入不实"}
    engine.publish_message("ack", "Q-1", 0, "", {})
    assert job_types(engine, instance.key) == ["visit.schedule"]


def test_message_start_event_creates_one_instance_per_correlation_key(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("report")
        .message("change", "household-change")
        .start_with("reported", message_ref("change"))
        .service("recheck", "dynamic.recheck")
        .end()
        .chain("reported", "recheck", "end")
    )
    engine.deploy([("report.bpmn", process.xml())])
    engine.publish_message("household-change", "H-9", 0, "", {"change": "新增成员"})
    engine.publish_message("household-change", "H-9", 0, "", {"change": "again"})
    engine.publish_message("household-change", "H-10", 0, "", {})
    instances = [i for i in engine.instances.values() if i.bpmn_process_id == "report"]
    assert sorted(i.correlation_key or "" for i in instances) == ["H-10", "H-9"]
    h9 = next(i for i in instances if i.correlation_key == "H-9")
    assert engine.variables(h9.key) == {"change": "新增成员"}
    with pytest.raises(EngineError) as err:
        engine.create_instance("report", {})
    assert "none start event" in err.value.message


def test_correlation_key_that_cannot_be_evaluated_is_an_incident(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("wait.bpmn", waiting_process().xml())])
    instance = engine.create_instance("wait", {})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == instance.key]
    assert incident.element_id == "await" and "correlation key" in incident.message


def test_message_catch_needs_a_correlation_key_at_deploy(server: EngineServer) -> None:
    process = Process("nokey").message("m", "m").start().catch("c", message_ref("m")).end().chain("start", "c", "end")
    with pytest.raises(EngineError) as err:
        server.engine.deploy([("nokey.bpmn", process.xml())])
    assert "correlation key" in err.value.message and "line" in err.value.message


def test_subscriptions_survive_a_restart(server: EngineServer, tmp_path: Path) -> None:
    from jiuzhu.engine.store.repository import Store, open_database

    engine = server.engine
    engine.deploy([("wait.bpmn", waiting_process().xml())])
    instance = engine.create_instance("wait", {"caseId": "R"})
    restarted = Engine(Store(open_database(server.db_url)), server.clock)
    restarted.publish_message("documents-arrived", "R", 0, "", {})
    assert job_types(restarted, instance.key) == ["next"]


# --- event-based gateway and failing timers -------------------------------------------------------


def publicity_gateway() -> Process:
    """Result publicity: the period ends (a timer) or an objection arrives (a message), whichever first."""
    return (
        Process("pub")
        .message("objection", "publicity-objection", "=caseId")
        .start()
        .service("publish", "publicity.publish")
        .raw('<bpmn:eventBasedGateway id="wait"/>')
        .timer("period_over", "timeDuration", "P7D")
        .catch("objected", message_ref("objection"), outputs={"objection": "=text"})
        .service("decide", "notice.issue-decision")
        .service("reinvestigate", "visit.schedule")
        .end()
        .end("e2")
        .chain("start", "publish", "wait")
        .flow("wait", "period_over")
        .flow("wait", "objected")
        .chain("period_over", "decide", "end")
        .chain("objected", "reinvestigate", "e2")
    )


def test_event_based_gateway_message_wins(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("pub.bpmn", publicity_gateway().xml())])
    case = engine.create_instance("pub", {"caseId": "P-1"})
    [publish] = engine.activate_jobs("publicity.publish", "w", 60_000, 1, [], -1)
    engine.complete_job(publish.job.key, {})
    engine.publish_message("publicity-objection", "P-1", 0, "", {"text": "隐瞒收入", "secret": 1})
    assert job_types(engine, case.key) == ["visit.schedule"]
    assert engine.variables(case.key) == {"caseId": "P-1", "objection": "隐瞒收入"}
    server.clock.advance(timedelta(days=8))
    engine.tick()
    assert job_types(engine, case.key) == ["visit.schedule"]  # the timer lost: nothing more happens


def test_event_based_gateway_timer_wins_and_closes_the_subscription(server: EngineServer) -> None:
    engine = server.engine
    engine.deploy([("pub.bpmn", publicity_gateway().xml())])
    case = engine.create_instance("pub", {"caseId": "P-2"})
    [publish] = engine.activate_jobs("publicity.publish", "w", 60_000, 1, [], -1)
    engine.complete_job(publish.job.key, {})
    assert [s.message_name for s in engine.subscriptions.values()] == ["publicity-objection"]
    server.clock.advance(timedelta(days=7, seconds=1))
    engine.tick()
    assert job_types(engine, case.key) == ["notice.issue-decision"]
    assert not engine.subscriptions
    engine.publish_message("publicity-objection", "P-2", 0, "", {})  # too late: nobody listens
    assert job_types(engine, case.key) == ["notice.issue-decision"]


def test_timer_expression_failure_is_an_incident_on_the_timer(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("late")
        .start()
        .service("prepare", "sla.compute-deadlines")
        .timer("wait", "timeDate", "=warnAt")
        .service("warn", "sla.remind")
        .end()
        .chain("start", "prepare", "wait", "warn", "end")
    )
    engine.deploy([("late.bpmn", process.xml())])
    case = engine.create_instance("late", {})
    [prepare] = engine.activate_jobs("sla.compute-deadlines", "w", 60_000, 1, [], -1)
    engine.complete_job(prepare.job.key, {"warnAt": "not a date"})
    [incident] = [i for i in engine.incidents.values() if i.instance_key == case.key]
    assert incident.element_id == "wait" and "not a date" in incident.message
    due = (server.clock.now() + timedelta(hours=1)).isoformat()
    engine.set_variables(case.key, {"warnAt": due}, local=False)
    engine.resolve_incident(incident.key)
    server.clock.advance(timedelta(hours=2))
    engine.tick()
    assert job_types(engine, case.key) == ["sla.remind"]


def test_non_interrupting_message_boundary_keeps_listening(server: EngineServer) -> None:
    engine = server.engine
    process = (
        Process("pub")
        .message("objection", "publicity-objection", "=caseId")
        .start()
        .service("publicity", "publicity.close")
        .boundary(
            "objected", "publicity", message_ref("objection"), interrupting=False, outputs={"lastObjection": "=text"}
        )
        .service("record", "publicity.record-objection")
        .end()
        .end("e2")
        .chain("start", "publicity", "end")
        .chain("objected", "record", "e2")
    )
    engine.deploy([("pub.bpmn", process.xml())])
    case = engine.create_instance("pub", {"caseId": "N-1"})
    engine.publish_message("publicity-objection", "N-1", 0, "", {"text": "第一"})
    engine.publish_message("publicity-objection", "N-1", 0, "", {"text": "第二"})
    assert job_types(engine, case.key) == [
        "publicity.close",
        "publicity.record-objection",
        "publicity.record-objection",
    ]
    assert engine.variables(case.key)["lastObjection"] == "第二"
    [close] = engine.activate_jobs("publicity.close", "w", 60_000, 1, [], -1)
    engine.complete_job(close.job.key, {})
    assert not engine.subscriptions  # the activity ended: so did its subscription


def test_feel_now_reads_the_engine_clock(server: EngineServer) -> None:
    from datetime import UTC, datetime

    engine = server.engine
    server.clock.pin(datetime(2027, 3, 1, 8, 0, tzinfo=UTC))
    process = Process("now").start().script("stamp", "=string(today())", "day").user_task("hold").end()
    engine.deploy([("now.bpmn", process.chain("start", "stamp", "hold", "end").xml())])
    case = engine.create_instance("now", {})
    assert engine.variables(case.key)["day"] == "2027-03-01"


# --- signals --------------------------------------------------------------------------------------


def signal_process(process_id: str = "sig") -> Process:
    return (
        Process(process_id)
        .signal("std", "standards-updated")
        .start()
        .catch("wait", '<bpmn:signalEventDefinition signalRef="std"/>')
        .service("recalc", "eligibility.assess")
        .end()
        .chain("start", "wait", "recalc", "end")
    )


def test_broadcast_signal_reaches_every_waiting_instance_and_signal_starts(server: EngineServer) -> None:
    engine = server.engine
    starter = (
        Process("on-signal")
        .signal("std", "standards-updated")
        .start_with("s", '<bpmn:signalEventDefinition signalRef="std"/>')
        .service("notify", "case.notify")
        .end()
        .chain("s", "notify", "end")
    )
    engine.deploy([("sig.bpmn", signal_process().xml()), ("start.bpmn", starter.xml())])
    a = engine.create_instance("sig", {})
    b = engine.create_instance("sig", {})
    engine.broadcast_signal("standards-updated", {"year": 2027})
    assert job_types(engine, a.key) == ["eligibility.assess"] and job_types(engine, b.key) == ["eligibility.assess"]
    assert engine.variables(a.key) == {"year": 2027}
    started = [i for i in engine.instances.values() if i.bpmn_process_id == "on-signal"]
    assert len(started) == 1 and job_types(engine, started[0].key) == ["case.notify"]


def test_signal_throw_event_broadcasts_from_inside_a_process(server: EngineServer) -> None:
    engine = server.engine
    thrower = (
        Process("thrower")
        .signal("std", "standards-updated")
        .start()
        .throw("announce", '<bpmn:signalEventDefinition signalRef="std"/>')
        .end()
        .chain("start", "announce", "end")
    )
    engine.deploy([("sig.bpmn", signal_process().xml()), ("thrower.bpmn", thrower.xml())])
    waiting = engine.create_instance("sig", {})
    engine.create_instance("thrower", {})
    assert job_types(engine, waiting.key) == ["eligibility.assess"]


async def test_broadcast_signal_over_grpc(client: ZeebeClient, tmp_path: Path, server: EngineServer) -> None:
    await deploy(client, tmp_path, "sig.bpmn", signal_process().xml())
    created = await client.run_process("sig", {})
    response = await client.broadcast_signal("standards-updated", {"year": 2028})
    assert response.key > 0
    assert job_types(server.engine, created.process_instance_key) == ["eligibility.assess"]
