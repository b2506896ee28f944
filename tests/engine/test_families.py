"""One test per BPMN element family, driven through unchanged pyzeebe 4.7 over real gRPC.

Each asserts the path taken (which job types ran, in order where it matters) and the variables the
instance ended with (from CreateProcessInstanceWithResult), not just that it ended.
"""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import Job, ZeebeClient
from pyzeebe.errors import BusinessError

from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import Process, error_ref, escalation_ref, message_ref
from tests.engine.conftest import Running, eventually
from tests.engine.test_pyzeebe import deploy

pytestmark = pytest.mark.engine
HIT_POLICIES = Path(__file__).resolve().parent.parent / "unit" / "dmn" / "resources" / "hit-policies.dmn"


class Path_:
    """Job types in the order the worker handled them."""

    def __init__(self) -> None:
        self.taken: list[str] = []


def recording_worker(worker_factory: Any, path: Path_, outputs: dict[str, Any], errors: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """A pyzeebe worker for the given job types: records the path, returns `outputs[type]`, or throws
    the BPMN error `errors[type]`."""
    worker = worker_factory()
    errors = errors or {}
    for job_type in set(outputs) | set(errors):

        def make(job_type: str):  # type: ignore[no-untyped-def]
            async def handle(job: Job) -> dict[str, Any]:
                path.taken.append(job_type)
                if job_type in errors:
                    raise BusinessError(errors[job_type], f"{job_type} failed")
                value = outputs[job_type]
                return value(job.variables) if callable(value) else dict(value)

            return handle

        worker.task(task_type=job_type)(make(job_type))
    return worker


async def run(client: ZeebeClient, process_id: str, variables: dict[str, Any]) -> dict[str, Any]:
    result = await client.run_process_with_result(process_id, variables, timeout=10_000)
    return dict(result.variables)


async def test_messages_catch_boundary_and_buffered(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running, server: EngineServer
) -> None:
    process = (
        Process("docs")
        .message("m", "documents-arrived", "=caseId")
        .start()
        .service("ask", "application.request-documents")
        .catch("wait", message_ref("m"), outputs={"docs": "=files"})
        .service("check", "verification.check")
        .end()
        .chain("start", "ask", "wait", "check", "end")
    )
    await deploy(client, tmp_path, "docs.bpmn", process.xml())
    path = Path_()
    running.start(
        recording_worker(
            worker_factory, path, {"application.request-documents": {}, "verification.check": {"ok": True}}
        )
    )
    # Published before the subscription opens, within its time to live: correlated when it opens.
    await client.publish_message("documents-arrived", "D-1", {"files": ["户口簿"]}, time_to_live_in_milliseconds=30_000)
    result = await run(client, "docs", {"caseId": "D-1"})
    assert path.taken == ["application.request-documents", "verification.check"]
    assert result == {"caseId": "D-1", "docs": ["户口簿"], "ok": True}


async def test_errors_from_a_called_process_reach_the_call_activity(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    child = Process("visit").start().service("v", "visit.record").end().chain("start", "v", "end")
    parent = (
        Process("case")
        .error("refused", "VISIT_REFUSED")
        .start()
        .call("home", "visit")
        .boundary("refused_b", "home", error_ref("refused"))
        .service("approve", "approval.record")
        .service("notice", "notice.issue-rejection")
        .end()
        .end("rejected")
        .chain("start", "home", "approve", "end")
        .chain("refused_b", "notice", "rejected")
    )
    await deploy(client, tmp_path, "visit.bpmn", child.xml())
    await deploy(client, tmp_path, "case.bpmn", parent.xml())
    path = Path_()
    worker = worker_factory()

    @worker.task(task_type="visit.record")
    async def refuse(job: Job) -> None:
        path.taken.append("visit.record")
        raise BusinessError("VISIT_REFUSED", "家庭拒绝入户")

    @worker.task(task_type="notice.issue-rejection")
    async def notice(job: Job) -> dict[str, Any]:
        path.taken.append("notice.issue-rejection")
        return {"noticeNo": "N-1"}

    running.start(worker)
    result = await run(client, "case", {"household": "H-1"})
    assert path.taken == ["visit.record", "notice.issue-rejection"]
    assert result == {"household": "H-1", "noticeNo": "N-1"}  # error variables stay local without a mapping


async def test_escalation_and_embedded_subprocess_scopes(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    inner = (
        Process("inner")
        .start("s")
        .service("work", "visit.record")
        .throw("late", escalation_ref("late"))
        .end("e")
        .chain("s", "work", "late", "e")
    )
    process = (
        Process("esc")
        .escalation("late", "SLA_WARN")
        .start()
        .subprocess("review", inner, inputs={"limit": "=standard * 4"}, outputs={"limitUsed": "=limit"})
        .boundary("warned", "review", escalation_ref("late"), interrupting=False)
        .service("remind", "sla.remind")
        .service("after", "approval.record")
        .end()
        .end("e2")
        .chain("start", "review", "after", "end")
        .chain("warned", "remind", "e2")
    )
    await deploy(client, tmp_path, "esc.bpmn", process.xml())
    path = Path_()
    running.start(
        recording_worker(
            worker_factory,
            path,
            {
                "visit.record": lambda v: {"sawLimit": v["limit"]},
                "sla.remind": {"reminded": True},
                "approval.record": {},
            },
        )
    )
    result = await run(client, "esc", {"standard": 780})
    assert sorted(path.taken) == ["approval.record", "sla.remind", "visit.record"]
    assert result == {"standard": 780, "sawLimit": 3120, "limitUsed": 3120, "reminded": True}


async def test_signals(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running, server: EngineServer
) -> None:
    process = (
        Process("sig")
        .signal("s", "standards-updated")
        .start()
        .service("prep", "case.prepare")
        .catch("wait", '<bpmn:signalEventDefinition signalRef="s"/>')
        .service("recalc", "eligibility.assess")
        .end()
        .chain("start", "prep", "wait", "recalc", "end")
    )
    await deploy(client, tmp_path, "sig.bpmn", process.xml())
    path = Path_()
    running.start(recording_worker(worker_factory, path, {"case.prepare": {}, "eligibility.assess": {"done": 1}}))
    pending = asyncio.create_task(run(client, "sig", {"n": 1}))
    await eventually(
        lambda: any(s.kind == "signal" for s in server.engine.subscriptions.values()), what="the signal subscription"
    )
    await client.broadcast_signal("standards-updated", {"year": 2027})
    result = await pending
    assert path.taken == ["case.prepare", "eligibility.assess"]
    assert result == {"n": 1, "year": 2027, "done": 1}


async def test_event_subprocess_terminate_inclusive_and_link(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    handler = (
        Process("h")
        .start_with("on_error", error_ref("e"))
        .service("handle", "case.handle")
        .end("handled")
        .chain("on_error", "handle", "handled")
    )
    process = (
        Process("mix")
        .error("e", "CHECK_NOT_AUTHORISED")
        .start()
        .raw('<bpmn:inclusiveGateway id="split"/>')
        .service("medical", "referral.medical")
        .service("school", "referral.education")
        .raw('<bpmn:inclusiveGateway id="join"/>')
        .throw("go", '<bpmn:linkEventDefinition name="next"/>')
        .catch("arrive", '<bpmn:linkEventDefinition name="next"/>')
        .service("check", "verification.check")
        .end()
        .flow("start", "split")
        .flow("split", "medical", "=illness", id="f1")
        .flow("split", "school", "=student", id="f2")
        .flow("medical", "join")
        .flow("school", "join")
        .flow("join", "go")
        .chain("arrive", "check", "end")
        .event_subprocess("errors", handler)
    )
    await deploy(client, tmp_path, "mix.bpmn", process.xml())
    path = Path_()
    running.start(
        recording_worker(
            worker_factory,
            path,
            {"referral.medical": {"m": 1}, "referral.education": {"e": 1}, "case.handle": {"h": 1}},
            errors={"verification.check": "CHECK_NOT_AUTHORISED"},
        )
    )
    result = await run(client, "mix", {"illness": True, "student": False})
    assert path.taken == ["referral.medical", "verification.check", "case.handle"]
    assert result == {"illness": True, "student": False, "m": 1, "h": 1}

    terminate = (
        Process("term")
        .start()
        .parallel("fork")
        .service("slow", "case.slow")
        .service("stop_first", "case.stop")
        .end_with("stop", "<bpmn:terminateEventDefinition/>")
        .end()
        .flow("start", "fork")
        .flow("fork", "slow")
        .flow("fork", "stop_first")
        .flow("stop_first", "stop")
        .flow("slow", "end")
    )
    await deploy(client, tmp_path, "term.bpmn", terminate.xml())
    path2 = Path_()
    running.start(recording_worker(worker_factory, path2, {"case.stop": {"stopped": True}}))
    result2 = await run(client, "term", {})
    assert path2.taken == ["case.stop"] and result2 == {"stopped": True}


async def test_multi_instance_and_call_activity(
    client: ZeebeClient, tmp_path: Path, worker_factory: Any, running: Running
) -> None:
    child = Process("member-check").start().service("c", "verification.check-member").end().chain("start", "c", "end")
    call = (
        '<bpmn:callActivity id="each"><bpmn:extensionElements><zeebe:calledElement processId="member-check"/>'
        "</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        '<zeebe:loopCharacteristics inputCollection="=members" inputElement="member" outputCollection="findings" '
        'outputElement="=finding"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>'
        "</bpmn:callActivity>"
    )
    parent = Process("household").start().raw(call).end().chain("start", "each", "end")
    await deploy(client, tmp_path, "child.bpmn", child.xml())
    await deploy(client, tmp_path, "parent.bpmn", parent.xml())
    path = Path_()
    running.start(
        recording_worker(
            worker_factory,
            path,
            {
                "verification.check-member": lambda v: {"finding": f"{v['member']}:{v['loopCounter']}"},
            },
        )
    )
    result = await run(client, "household", {"members": ["张三", "李四"]})
    assert path.taken == ["verification.check-member"] * 2
    assert result["findings"] == ["张三:1", "李四:2"]


@pytest.mark.parametrize(
    ("decision", "variables"),
    [
        ("unique", {"age": 70}),
        ("first", {"age": 70}),
        ("priority", {"income": 900, "members": 3}),
        ("any", {"age": 85, "disabled": True}),
        ("collect", {"age": 70, "disabled": True, "seriouslyIll": False}),
        ("collect-sum", {"age": 70, "disabled": True, "seriouslyIll": True}),
        ("collect-min", {"age": 70, "disabled": True, "seriouslyIll": True}),
        ("collect-max", {"age": 70, "disabled": True, "seriouslyIll": True}),
        ("collect-count", {"age": 70, "disabled": True, "seriouslyIll": False}),
        ("rule-order", {"age": 70, "disabled": True, "seriouslyIll": False}),
        ("output-order", {"age": 70, "disabled": True, "seriouslyIll": True}),
    ],
)
async def test_every_hit_policy_same_through_evaluate_decision_and_a_business_rule_task(
    client: ZeebeClient, tmp_path: Path, decision: str, variables: dict[str, Any]
) -> None:
    task = (
        f'<bpmn:businessRuleTask id="decide"><bpmn:extensionElements><zeebe:calledDecision decisionId="{decision}" '
        'resultVariable="result"/></bpmn:extensionElements></bpmn:businessRuleTask>'
    )
    process = Process("rules").start().raw(task).end().chain("start", "decide", "end")
    await deploy(client, tmp_path, "hit-policies.dmn", HIT_POLICIES.read_bytes())
    await deploy(client, tmp_path, "rules.bpmn", process.xml())
    evaluated = await client.evaluate_decision(None, decision, variables)
    assert evaluated.failure_message == ""
    direct = evaluated.decision_output  # pyzeebe decodes the JSON text
    through_task = (await run(client, "rules", variables))["result"]
    assert through_task == direct
    assert direct is not None  # every case above matches at least one rule
