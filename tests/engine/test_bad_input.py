"""Bad input over gRPC and REST: every request gets a clean refusal, and Topology answers throughout.

The bound is each call's own deadline (``BOUND``): a request that hung would fail with
DEADLINE_EXCEEDED, so nothing here times anything. No answer may carry Python exception text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import httpx
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from jiuzhu.engine.server import EngineServer
from tests.engine.bpmn_builder import Process, linear_jobs

pytestmark = pytest.mark.engine

BOUND = 5.0  # seconds: the deadline of every call
PYTHON_TEXT = ("Traceback", "Error:", "Exception", "surrogates not allowed", "line 1 column", "object has no")

BAD_VARIABLES = {
    "lone surrogate": '{"a": "\\ud800"}',
    "lone surrogate in a key": '{"\\udfff": 1}',
    "NaN": '{"a": NaN}',
    "Infinity": '{"a": -Infinity}',
    "float overflow": '{"a": 1e400}',
    "5000 digits": '{"a": ' + "9" * 5000 + "}",
    "int64 overflow": '{"a": 9223372036854775808}',
    "int64 underflow": '{"a": -9223372036854775809}',
    "deep nesting": '{"a": ' + "[" * 5000 + "]" * 5000 + "}",
    "deeper than the parser": '{"a": ' + "[" * 200_000 + "]" * 200_000 + "}",
    "not an object": "[1, 2]",
    "not JSON": "{'a': 1}",
    "truncated": '{"a": [1, 2',
}


@pytest.fixture
def gateway(server: EngineServer) -> Iterator[pb_grpc.GatewayStub]:
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        stub = pb_grpc.GatewayStub(channel)
        stub.DeployResource(
            pb.DeployResourceRequest(
                resources=[pb.Resource(name="probe.bpmn", content=linear_jobs("probe", ["probe.work"]))]
            ),
            timeout=BOUND,
        )
        yield stub


def topology_answers(stub: pb_grpc.GatewayStub) -> None:
    assert stub.Topology(pb.TopologyRequest(), timeout=BOUND).brokers


def refused(call: object, code: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT) -> str:
    assert isinstance(call, grpc.RpcError), call
    assert call.code() == code, (call.code(), call.details())
    details = call.details() or ""
    assert not any(text in details for text in PYTHON_TEXT), details
    return details


def _call(fn: object, request: object) -> object:
    try:
        return fn(request, timeout=BOUND)  # type: ignore[operator]
    except grpc.RpcError as err:
        return err


@pytest.mark.parametrize("probe", BAD_VARIABLES, ids=list(BAD_VARIABLES))
def test_create_refuses_bad_variables_at_the_door(gateway: pb_grpc.GatewayStub, probe: str) -> None:
    answer = _call(
        gateway.CreateProcessInstance,
        pb.CreateProcessInstanceRequest(bpmnProcessId="probe", version=-1, variables=BAD_VARIABLES[probe]),
    )
    details = refused(answer)
    assert "variables" in details
    topology_answers(gateway)


def test_a_refused_job_completion_leaves_the_job_and_its_batch_healthy(gateway: pb_grpc.GatewayStub) -> None:
    for _ in range(3):
        gateway.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="probe", version=-1), timeout=BOUND)
    request = pb.ActivateJobsRequest(
        type="probe.work", worker="probe", timeout=60_000, maxJobsToActivate=3, requestTimeout=1000
    )
    jobs = [job for response in gateway.ActivateJobs(request, timeout=BOUND) for job in response.jobs]
    assert len(jobs) == 3
    for probe in BAD_VARIABLES.values():
        refused(_call(gateway.CompleteJob, pb.CompleteJobRequest(jobKey=jobs[0].key, variables=probe)))
        refused(_call(gateway.FailJob, pb.FailJobRequest(jobKey=jobs[0].key, retries=1, variables=probe)))
        refused(_call(gateway.ThrowError, pb.ThrowErrorRequest(jobKey=jobs[0].key, errorCode="E", variables=probe)))
        refused(_call(gateway.PublishMessage, pb.PublishMessageRequest(name="m", correlationKey="k", variables=probe)))
        refused(_call(gateway.BroadcastSignal, pb.BroadcastSignalRequest(signalName="s", variables=probe)))
        refused(
            _call(
                gateway.SetVariables,
                pb.SetVariablesRequest(elementInstanceKey=jobs[0].processInstanceKey, variables=probe),
            )
        )
    # nothing poisonous got in: the jobs still complete, with ordinary Chinese text
    for job in jobs:
        gateway.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"结果": "通过 😀"}'), timeout=BOUND)
    topology_answers(gateway)


@pytest.mark.parametrize("key", [2**63 - 1, -1, 0, -(2**63)])
def test_unknown_or_extreme_keys_are_not_found(gateway: pb_grpc.GatewayStub, key: int) -> None:
    refused(_call(gateway.CompleteJob, pb.CompleteJobRequest(jobKey=key)), grpc.StatusCode.NOT_FOUND)
    refused(
        _call(gateway.CancelProcessInstance, pb.CancelProcessInstanceRequest(processInstanceKey=key)),
        grpc.StatusCode.NOT_FOUND,
    )
    refused(_call(gateway.ResolveIncident, pb.ResolveIncidentRequest(incidentKey=key)), grpc.StatusCode.NOT_FOUND)
    topology_answers(gateway)


# --- REST (/v2) ---------------------------------------------------------------------------------


@pytest.fixture
def rest(server: EngineServer, gateway: pb_grpc.GatewayStub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{server.config.http_port}", timeout=BOUND) as client:
        yield client


def clean_problem(response: httpx.Response, status: int = 400) -> dict[str, object]:
    assert response.status_code == status, response.text[:500]
    assert not any(text in response.text for text in PYTHON_TEXT), response.text[:500]
    body = response.json()
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize("probe", BAD_VARIABLES, ids=list(BAD_VARIABLES))
def test_rest_create_refuses_bad_variables(rest: httpx.Client, gateway: pb_grpc.GatewayStub, probe: str) -> None:
    body = '{"processDefinitionId": "probe", "variables": ' + BAD_VARIABLES[probe] + "}"
    response = rest.post("/v2/process-instances", content=body, headers={"Content-Type": "application/json"})
    clean_problem(response)
    topology_answers(gateway)


def test_rest_refuses_bodies_that_are_not_utf8_json(rest: httpx.Client, gateway: pb_grpc.GatewayStub) -> None:
    for content in (b'{"processDefinitionId": "\xff\xfe"}', b"\x80\x81", b'{"variables": {"a": "\xed\xa0\x80"}}'):
        response = rest.post("/v2/process-instances", content=content, headers={"Content-Type": "application/json"})
        clean_problem(response)
    topology_answers(gateway)


@pytest.mark.parametrize("key", [str(2**63), str(2**64), "9" * 5000])
def test_rest_keys_outside_int64_are_invalid_argument(rest: httpx.Client, key: str) -> None:
    clean_problem(rest.get(f"/v2/user-tasks/{key}"))
    clean_problem(rest.get(f"/v2/process-instances/{key}"))
    clean_problem(rest.post(f"/v2/user-tasks/{key}/completion", json={}))
    body = json.dumps({"processDefinitionKey": key})
    clean_problem(rest.post("/v2/process-instances", content=body, headers={"Content-Type": "application/json"}))


def test_rest_in_range_unknown_keys_are_not_found(rest: httpx.Client) -> None:
    clean_problem(rest.get(f"/v2/user-tasks/{2**63 - 1}"), 404)
    clean_problem(rest.get(f"/v2/process-instances/{2**63 - 1}"), 404)


# --- unbounded work: refused at deploy, or an incident on the element --------------------------


def _deploy(stub: pb_grpc.GatewayStub, name: str, xml: bytes) -> object:
    return _call(stub.DeployResource, pb.DeployResourceRequest(resources=[pb.Resource(name=name, content=xml)]))


def _waiting_job(process_id: str, boundary: str, kind: str, interrupting: bool = False) -> bytes:
    p = Process(process_id).start().service("work", "probe.slow")
    p.boundary_timer("tick", "work", kind, boundary, interrupting=interrupting).end().end("afterTick")
    return p.chain("start", "work", "end").flow("tick", "afterTick").xml()


@pytest.mark.parametrize(
    ("kind", "value", "says"),
    [
        ("timeCycle", "R/PT0.001S", "repeats more often"),
        ("timeCycle", "R/PT0S", "repeats more often"),
        ("timeCycle", "R5/2026-03-02T09:00:00Z/PT0.5S", "repeats more often"),
        ("timeCycle", "Rx/PT1H", "not a number"),
        ("timeDuration", "P999999999Y", "longer than 100 years"),
        ("timeDuration", "PT99999999999999999999H", "longer than 100 years"),
        ("timeDuration", "P", "not an ISO 8601 duration"),
    ],
)
def test_unbounded_timers_are_refused_at_deploy(gateway: pb_grpc.GatewayStub, kind: str, value: str, says: str) -> None:
    details = refused(_deploy(gateway, "timer.bpmn", _waiting_job("timer_probe", value, kind)))
    assert says in details and "tick" in details
    topology_answers(gateway)


def test_ordinary_timers_still_deploy(gateway: pb_grpc.GatewayStub) -> None:
    for kind, value in (("timeCycle", "R3/PT10M"), ("timeCycle", "R/P1D"), ("timeDuration", "P10D")):
        _deploy_ok = _deploy(gateway, "ok.bpmn", _waiting_job("timer_ok", value, kind))
        assert not isinstance(_deploy_ok, grpc.RpcError), _deploy_ok


@pytest.mark.parametrize(
    "expression",
    [
        "count(for x in 1..1000000, y in 1..1000000 return 1)",
        'matches("' + "a" * 40 + '!", "^(a|aa)+$")',
        'string length(for i in 1..40 return if i = 1 then "ab" else partial[-1] + partial[-1])',
    ],
    ids=["nested loops", "catastrophic regex", "doubling string"],
)
def test_unbounded_expressions_become_an_incident(
    server: EngineServer, gateway: pb_grpc.GatewayStub, expression: str
) -> None:
    xml = (
        Process("feel_probe")
        .start()
        .script("compute", "=" + expression, "result")
        .end()
        .chain("start", "compute", "end")
        .xml()
    )
    assert not isinstance(_deploy(gateway, "feel.bpmn", xml), grpc.RpcError)
    before = server.engine.open_incident_count()
    gateway.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="feel_probe", version=-1), timeout=BOUND
    )
    assert server.engine.open_incident_count() == before + 1
    topology_answers(gateway)


def test_a_feel_computed_timer_beyond_the_bounds_is_an_incident(
    server: EngineServer, gateway: pb_grpc.GatewayStub
) -> None:
    xml = _waiting_job("feel_timer", '=duration("P999999999Y")', "timeDuration")
    assert not isinstance(_deploy(gateway, "feel-timer.bpmn", xml), grpc.RpcError)
    before = server.engine.open_incident_count()
    gateway.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="feel_timer", version=-1), timeout=BOUND
    )
    assert server.engine.open_incident_count() == before + 1
    topology_answers(gateway)


def test_a_job_that_cannot_be_sent_becomes_an_incident_and_spares_its_batch(
    server: EngineServer, gateway: pb_grpc.GatewayStub
) -> None:
    # data stored before the door existed: straight into the engine, not through the gateway
    poisoned = server.engine.create_instance("probe", {"a": "\ud800"})
    healthy = [server.engine.create_instance("probe", {"b": "好"}) for _ in range(2)]
    request = pb.ActivateJobsRequest(
        type="probe.work", worker="probe", timeout=60_000, maxJobsToActivate=10, requestTimeout=1000
    )
    jobs = [job for response in gateway.ActivateJobs(request, timeout=BOUND) for job in response.jobs]
    assert sorted(job.processInstanceKey for job in jobs) == sorted(i.key for i in healthy)
    assert server.engine.open_incident_count() == 1
    assert poisoned.key not in {job.processInstanceKey for job in jobs}
    topology_answers(gateway)


INT64_MAX = 2**63 - 1


def test_durations_beyond_100_years_are_invalid_argument(gateway: pb_grpc.GatewayStub) -> None:
    gateway.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="probe", version=-1), timeout=BOUND)
    request = pb.ActivateJobsRequest(
        type="probe.work", worker="probe", timeout=60_000, maxJobsToActivate=1, requestTimeout=1000
    )
    [job] = [job for response in gateway.ActivateJobs(request, timeout=BOUND) for job in response.jobs]
    probes = {
        "activation timeout": lambda: list(
            gateway.ActivateJobs(
                pb.ActivateJobsRequest(type="probe.work", worker="w", timeout=INT64_MAX, maxJobsToActivate=1),
                timeout=BOUND,
            )
        ),
        "long-poll timeout": lambda: list(
            gateway.ActivateJobs(
                pb.ActivateJobsRequest(
                    type="x", worker="w", timeout=1000, maxJobsToActivate=1, requestTimeout=INT64_MAX
                ),
                timeout=BOUND,
            )
        ),
        "stream timeout": lambda: next(
            iter(
                gateway.StreamActivatedJobs(
                    pb.StreamActivatedJobsRequest(type="x", worker="w", timeout=INT64_MAX), timeout=BOUND
                )
            )
        ),
        "retry back-off": lambda: gateway.FailJob(
            pb.FailJobRequest(jobKey=job.key, retries=2, retryBackOff=INT64_MAX), timeout=BOUND
        ),
        "job timeout update": lambda: gateway.UpdateJobTimeout(
            pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=INT64_MAX), timeout=BOUND
        ),
        "message time to live": lambda: gateway.PublishMessage(
            pb.PublishMessageRequest(name="m", correlationKey="k", timeToLive=INT64_MAX), timeout=BOUND
        ),
        "await result": lambda: gateway.CreateProcessInstanceWithResult(
            pb.CreateProcessInstanceWithResultRequest(
                request=pb.CreateProcessInstanceRequest(bpmnProcessId="probe", version=-1), requestTimeout=INT64_MAX
            ),
            timeout=BOUND,
        ),
    }
    for what, probe in probes.items():
        try:
            probe()
        except grpc.RpcError as err:
            assert "at most" in refused(err), what
        else:
            raise AssertionError(f"{what}: accepted")
    # the job is untouched by the refusals and completes
    gateway.CompleteJob(pb.CompleteJobRequest(jobKey=job.key), timeout=BOUND)
    topology_answers(gateway)


@pytest.mark.parametrize(
    "body",
    [
        {"processDefinitionId": "probe", "awaitCompletion": True, "requestTimeout": 10**20},
        {"processDefinitionId": "probe", "awaitCompletion": True, "requestTimeout": INT64_MAX},
        {"processDefinitionId": "probe", "processDefinitionVersion": -(10**20)},
    ],
    ids=["timeout beyond int64", "timeout int64", "version"],
)
def test_rest_numbers_beyond_their_range_are_400(rest: httpx.Client, body: dict[str, object]) -> None:
    clean_problem(rest.post("/v2/process-instances", json=body))
