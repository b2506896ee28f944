"""The Zeebe Gateway gRPC API, served from the embedded engine.

Built on pyzeebe's generated stubs (`pyzeebe.proto`), so the wire format is the one every Zeebe
client speaks. Handlers only translate: requests to engine commands, `EngineError`s to status codes.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from jiuzhu.engine.bpmn.timers import MAX_DURATION
from jiuzhu.engine.errors import Code, EngineError, invalid
from jiuzhu.engine.records import PARTITION_ID, Definition
from jiuzhu.engine.runtime import ActivatedJob, Engine, JobStream
from jiuzhu.engine.runtime.modification import Activation, Modification
from jiuzhu.engine.variables import parse_document

log = logging.getLogger(__name__)

TENANT = "<default>"
GATEWAY_VERSION = "8.8.0"
STATUS = {
    Code.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    Code.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
    Code.FAILED_PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    Code.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    Code.RESOURCE_EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    Code.DEADLINE_EXCEEDED: grpc.StatusCode.DEADLINE_EXCEEDED,
    Code.INTERNAL: grpc.StatusCode.INTERNAL,
}
T = TypeVar("T")
# The gateway's thread pool (jiuzhu.engine.server.GRPC_THREADS = 256) is shared by every call; these
# bounds keep threads free so that Topology and health always answer, and refuse beyond them with
# RESOURCE_EXHAUSTED (clients back off and retry) instead of going silent.
# Commands queued behind the engine lock: completions of work already handed out may use them all,
MAX_IN_FLIGHT = 80
# new work (instances, messages, signals, deployments) only half, so it is refused first.
MAX_IN_FLIGHT_NEW_WORK = 40
# Open job long polls (ActivateJobs), job streams and awaited results; a pyzeebe worker holds one
# long poll per job type (24 for jiuzhu's workers), so this leaves room for several worker processes.
MAX_OPEN_POLLS = 160


MAX_DURATION_MS = int(MAX_DURATION.total_seconds() * 1000)


def duration_ms(value: int, what: str) -> int:
    """A client's duration in milliseconds within 100 years (a larger one overflows the store's
    64-bit instants once added to now); INVALID_ARGUMENT otherwise."""
    if value > MAX_DURATION_MS:
        raise invalid(f"Expected '{what}' to be at most {MAX_DURATION_MS} ms (100 years), but it was {value}")
    return value


def parse_variables(text: str, what: str = "variables") -> dict[str, Any]:
    """Zeebe accepts an empty string or a JSON object; anything else is INVALID_ARGUMENT."""
    return parse_document(text, what)


def _json_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def activated_job(a: ActivatedJob) -> pb.ActivatedJob:
    job = a.job
    return pb.ActivatedJob(
        key=job.key,
        type=job.type,
        processInstanceKey=job.instance_key,
        bpmnProcessId=job.bpmn_process_id,
        processDefinitionVersion=job.version,
        processDefinitionKey=job.definition_key,
        elementId=job.element_id,
        elementInstanceKey=job.element_instance_key,
        customHeaders=_json(job.custom_headers),
        worker=job.worker,
        retries=job.retries,
        deadline=job.deadline_ms,
        variables=_json(a.variables),
        tenantId=TENANT,
    )


def _process_metadata(d: Definition) -> pb.ProcessMetadata:
    return pb.ProcessMetadata(
        bpmnProcessId=d.bpmn_process_id,
        version=d.version,
        processDefinitionKey=d.key,
        resourceName=d.resource_name,
        tenantId=TENANT,
    )


class GatewayService(pb_grpc.GatewayServicer):
    def __init__(
        self,
        engine: Engine,
        address: str = "127.0.0.1",
        port: int = 26500,
        max_in_flight: int = MAX_IN_FLIGHT,
        max_new_work: int | None = None,
        max_open_polls: int = MAX_OPEN_POLLS,
    ) -> None:
        self.engine = engine
        self.address = address
        self.port = port
        self.max_in_flight = max_in_flight
        self.max_new_work = max_new_work if max_new_work is not None else max(1, max_in_flight // 2)
        self.max_open_polls = max_open_polls
        self._in_flight = 0
        self._open_polls = 0
        self._in_flight_lock = threading.Lock()

    def _call(
        self, context: grpc.ServicerContext, fn: Callable[[], T], command: bool = True, new_work: bool = False
    ) -> T:
        if command and not self._admit(new_work):
            limit = self.max_new_work if new_work else self.max_in_flight
            context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"the engine is overloaded ({limit} commands waiting); retry with back-off",
            )
        try:
            return fn()
        except EngineError as err:
            context.abort(STATUS[err.code], err.message)
        except Exception:
            # the details go to the log, never to the caller (no Python exception text on the wire)
            log.exception("gateway handler failed")
            context.abort(grpc.StatusCode.INTERNAL, "internal engine error; the engine log has the details")
        finally:
            if command:
                self._leave()
        raise AssertionError("unreachable")

    def _admit(self, new_work: bool = False) -> bool:
        """Back-pressure as Zeebe applies it: beyond a bound of waiting commands, refuse at once;
        new work is refused at a lower bound than completions, so work handed out can finish."""
        limit = self.max_new_work if new_work else self.max_in_flight
        with self._in_flight_lock:
            if self._in_flight >= limit:
                return False
            self._in_flight += 1
            return True

    def _leave(self) -> None:
        with self._in_flight_lock:
            self._in_flight -= 1

    def _open_poll(self, context: grpc.ServicerContext) -> None:
        with self._in_flight_lock:
            if self._open_polls < self.max_open_polls:
                self._open_polls += 1
                return
        context.abort(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            f"too many open job polls and streams ({self.max_open_polls}); retry with back-off",
        )

    def _close_poll(self) -> None:
        with self._in_flight_lock:
            self._open_polls -= 1

    def _then(self, context: grpc.ServicerContext, action: Callable[[], None], response: T) -> T:
        """Run a command that answers with an empty response."""

        def run() -> T:
            action()
            return response

        return self._call(context, run)

    def _unsupported(self, context: Any, what: str) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{what} is not supported by the embedded engine yet")

    def BroadcastSignal(self, request: Any, context: Any) -> Any:
        def run() -> pb.BroadcastSignalResponse:
            key = self.engine.broadcast_signal(request.signalName, parse_variables(request.variables))
            return pb.BroadcastSignalResponse(key=key, tenantId=TENANT)

        return self._call(context, run, new_work=True)

    def EvaluateDecision(self, request: Any, context: Any) -> Any:
        def run() -> pb.EvaluateDecisionResponse:
            variables = parse_variables(request.variables)
            decision, evaluation = self.engine.evaluate_decision(request.decisionId, request.decisionKey, variables)
            drg = self.engine.decision_repo.drgs[decision.drg_key].record
            record = evaluation.to_record()
            versions = {
                d.decision_id: d for d in self.engine.decision_repo.decisions.values() if d.drg_key == decision.drg_key
            }
            evaluated = [
                pb.EvaluatedDecision(
                    decisionKey=versions[d["decisionId"]].key if d["decisionId"] in versions else 0,
                    decisionId=d["decisionId"],
                    decisionName=d["decisionName"],
                    decisionVersion=versions[d["decisionId"]].version if d["decisionId"] in versions else 0,
                    decisionType=d["decisionType"],
                    decisionOutput=_json_value(d["decisionOutput"]),
                    matchedRules=[
                        pb.MatchedDecisionRule(
                            ruleId=r["ruleId"],
                            ruleIndex=r["ruleIndex"],
                            evaluatedOutputs=[
                                pb.EvaluatedDecisionOutput(
                                    outputId=o["outputId"],
                                    outputName=o["outputName"],
                                    outputValue=_json_value(o["outputValue"]),
                                )
                                for o in r["evaluatedOutputs"]
                            ],
                        )
                        for r in d["matchedRules"]
                    ],
                    evaluatedInputs=[
                        pb.EvaluatedDecisionInput(
                            inputId=i["inputId"], inputName=i["inputName"], inputValue=_json_value(i["inputValue"])
                        )
                        for i in d["evaluatedInputs"]
                    ],
                    tenantId=TENANT,
                )
                for d in record["evaluatedDecisions"]
            ]
            return pb.EvaluateDecisionResponse(
                decisionKey=decision.key,
                decisionId=decision.decision_id,
                decisionName=decision.name,
                decisionVersion=decision.version,
                decisionRequirementsId=drg.drg_id,
                decisionRequirementsKey=drg.key,
                decisionOutput=_json_value(record["decisionOutput"]),
                evaluatedDecisions=evaluated,
                failedDecisionId=record["failedDecisionId"],
                failureMessage=record["failureMessage"],
                tenantId=TENANT,
            )

        return self._call(context, run)

    def DeleteResource(self, request: Any, context: Any) -> Any:
        return self._unsupported(context, "DeleteResource")

    def ModifyProcessInstance(self, request: Any, context: Any) -> Any:
        def run() -> pb.ModifyProcessInstanceResponse:
            modification = Modification(
                activate=[
                    Activation(
                        element_id=a.elementId,
                        ancestor_key=a.ancestorElementInstanceKey or None,
                        variables=[(v.scopeId, parse_variables(v.variables)) for v in a.variableInstructions],
                    )
                    for a in request.activateInstructions
                ],
                terminate_keys=[t.elementInstanceKey for t in request.terminateInstructions],
            )
            self.engine.modify_instance(request.processInstanceKey, modification)
            return pb.ModifyProcessInstanceResponse()

        return self._call(context, run)

    def MigrateProcessInstance(self, request: Any, context: Any) -> Any:
        return self._unsupported(context, "MigrateProcessInstance")

    # --- cluster

    def Topology(self, request: Any, context: Any) -> pb.TopologyResponse:
        partition = pb.Partition(partitionId=PARTITION_ID, role=pb.Partition.LEADER, health=pb.Partition.HEALTHY)
        broker = pb.BrokerInfo(
            nodeId=0, host=self.address, port=self.port, partitions=[partition], version=GATEWAY_VERSION
        )
        return pb.TopologyResponse(
            brokers=[broker], clusterSize=1, partitionsCount=1, replicationFactor=1, gatewayVersion=GATEWAY_VERSION
        )

    # --- deployment

    def DeployResource(self, request: Any, context: Any) -> pb.DeployResourceResponse:
        def run() -> pb.DeployResourceResponse:
            result = self.engine.deploy([(r.name, r.content) for r in request.resources])
            deployments = [pb.Deployment(process=_process_metadata(d)) for d in result.processes]
            drgs = {r.key: r for r in result.decision_requirements}
            for decision in result.decisions:
                drg = drgs[decision.drg_key]
                deployments.append(
                    pb.Deployment(
                        decision=pb.DecisionMetadata(
                            dmnDecisionId=decision.decision_id,
                            dmnDecisionName=decision.name,
                            version=decision.version,
                            decisionKey=decision.key,
                            dmnDecisionRequirementsId=drg.drg_id,
                            decisionRequirementsKey=drg.key,
                            tenantId=TENANT,
                        )
                    )
                )
            for drg in result.decision_requirements:
                deployments.append(
                    pb.Deployment(
                        decisionRequirements=pb.DecisionRequirementsMetadata(
                            dmnDecisionRequirementsId=drg.drg_id,
                            dmnDecisionRequirementsName=drg.name,
                            version=drg.version,
                            decisionRequirementsKey=drg.key,
                            resourceName=drg.resource_name,
                            tenantId=TENANT,
                        )
                    )
                )
            return pb.DeployResourceResponse(key=result.key, deployments=deployments, tenantId=TENANT)

        return self._call(context, run, new_work=True)

    def DeployProcess(self, request: Any, context: Any) -> pb.DeployProcessResponse:
        def run() -> pb.DeployProcessResponse:
            result = self.engine.deploy([(p.name, p.definition) for p in request.processes])
            return pb.DeployProcessResponse(key=result.key, processes=[_process_metadata(d) for d in result.processes])

        return self._call(context, run, new_work=True)

    # --- process instances

    def CreateProcessInstance(self, request: Any, context: Any) -> pb.CreateProcessInstanceResponse:
        def run() -> pb.CreateProcessInstanceResponse:
            variables = parse_variables(request.variables)
            instance = self.engine.create_instance(
                request.bpmnProcessId, variables, request.version, request.processDefinitionKey
            )
            return pb.CreateProcessInstanceResponse(
                processDefinitionKey=instance.definition_key,
                bpmnProcessId=instance.bpmn_process_id,
                version=instance.version,
                processInstanceKey=instance.key,
                tenantId=TENANT,
            )

        return self._call(context, run, new_work=True)

    def CreateProcessInstanceWithResult(self, request: Any, context: Any) -> Any:
        inner = request.request

        def create() -> tuple[Any, int]:
            timeout_ms = duration_ms(request.requestTimeout, "requestTimeout") if request.requestTimeout > 0 else 10_000
            variables = parse_variables(inner.variables)
            instance = self.engine.create_instance(
                inner.bpmnProcessId, variables, inner.version, inner.processDefinitionKey, keep_result=True
            )
            return instance, timeout_ms

        instance, timeout_ms = self._call(context, create, new_work=True)

        def wait() -> pb.CreateProcessInstanceWithResultResponse:
            result = self.engine.await_result(instance.key, timeout_ms / 1000)
            if result is None:
                raise EngineError(
                    Code.DEADLINE_EXCEEDED,
                    f"Expected process instance {instance.key} to complete within {timeout_ms} ms, but it did not",
                )
            fetch = list(request.fetchVariables)
            if fetch:
                result = {k: v for k, v in result.items() if k in fetch}
            return pb.CreateProcessInstanceWithResultResponse(
                processDefinitionKey=instance.definition_key,
                bpmnProcessId=instance.bpmn_process_id,
                version=instance.version,
                processInstanceKey=instance.key,
                variables=_json(result),
                tenantId=TENANT,
            )

        # waiting for the result holds no command slot (it is not work queued for the engine lock)
        # but a thread, like a long poll: it counts against the same bound
        self._open_poll(context)
        try:
            return self._call(context, wait, command=False)
        finally:
            self._close_poll()

    def CancelProcessInstance(self, request: Any, context: Any) -> pb.CancelProcessInstanceResponse:
        return self._then(
            context, lambda: self.engine.cancel_instance(request.processInstanceKey), pb.CancelProcessInstanceResponse()
        )

    def SetVariables(self, request: Any, context: Any) -> pb.SetVariablesResponse:
        def run() -> pb.SetVariablesResponse:
            variables = parse_variables(request.variables)
            key = self.engine.set_element_variables(request.elementInstanceKey, variables, request.local)
            return pb.SetVariablesResponse(key=key)

        return self._call(context, run)

    def ResolveIncident(self, request: Any, context: Any) -> pb.ResolveIncidentResponse:
        return self._then(
            context, lambda: self.engine.resolve_incident(request.incidentKey), pb.ResolveIncidentResponse()
        )

    # --- jobs

    def ActivateJobs(self, request: Any, context: Any) -> Iterator[pb.ActivateJobsResponse]:
        self._open_poll(context)
        try:
            jobs = self._call(
                context,
                lambda: self.engine.activate_jobs(
                    request.type,
                    request.worker,
                    duration_ms(request.timeout, "timeout"),
                    request.maxJobsToActivate,
                    list(request.fetchVariable),
                    duration_ms(request.requestTimeout, "requestTimeout"),
                    context.is_active,
                ),
                command=False,  # a long poll waits without holding the engine
            )
        finally:
            self._close_poll()
        if jobs and not context.is_active():
            self.engine.yield_jobs([j.job.key for j in jobs])
            return
        encoded = [job for job in (self._encodable(j) for j in jobs) if job is not None]
        if encoded:  # with no jobs the stream ends with zero responses, as Zeebe's does
            yield pb.ActivateJobsResponse(jobs=encoded)

    def _encodable(self, activated: ActivatedJob) -> pb.ActivatedJob | None:
        """The job on the wire, or None after failing it into an incident when its variables cannot
        be sent (data stored before the variable door existed): one bad job must not fail its batch."""
        try:
            job = activated_job(activated)
            job.SerializeToString()
            return job
        except (ValueError, UnicodeError) as err:
            log.warning("job %s cannot be sent (%s): raising an incident", activated.job.key, type(err).__name__)
            try:
                self.engine.fail_job(
                    activated.job.key, 0, "作业变量无法编码为 UTF-8 JSON（含无效字符），请修正流程变量后解决事故", 0, {}
                )
            except EngineError:
                log.exception("could not raise an incident for job %s", activated.job.key)
            return None

    def StreamActivatedJobs(self, request: Any, context: Any) -> Iterator[pb.ActivatedJob]:
        if not request.type:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Expected to stream jobs of a non-empty type")
        if request.timeout > MAX_DURATION_MS:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"Expected 'timeout' to be at most {MAX_DURATION_MS} ms")
        self._open_poll(context)
        inbox: queue.Queue[ActivatedJob | None] = queue.Queue()
        stream = JobStream(request.type, request.worker, request.timeout, list(request.fetchVariable), inbox.put)
        context.add_callback(lambda: inbox.put(None))
        try:
            self.engine.open_stream(stream)
            while context.is_active():
                item = inbox.get()
                if item is None:
                    break
                pushed = self._encodable(item)
                if pushed is not None:
                    yield pushed
        finally:
            self.engine.close_stream(stream)
            self._close_poll()
            # Jobs pushed after the client left go back to the pool via their activation timeout.

    def CompleteJob(self, request: Any, context: Any) -> pb.CompleteJobResponse:
        def run() -> pb.CompleteJobResponse:
            self.engine.complete_job(request.jobKey, parse_variables(request.variables))
            return pb.CompleteJobResponse()

        return self._call(context, run)

    def FailJob(self, request: Any, context: Any) -> pb.FailJobResponse:
        def run() -> pb.FailJobResponse:
            self.engine.fail_job(
                request.jobKey,
                request.retries,
                request.errorMessage,
                duration_ms(request.retryBackOff, "retryBackOff"),
                parse_variables(request.variables),
            )
            return pb.FailJobResponse()

        return self._call(context, run)

    def ThrowError(self, request: Any, context: Any) -> pb.ThrowErrorResponse:
        def run() -> pb.ThrowErrorResponse:
            if not request.errorCode:
                raise invalid("Expected to throw an error with a non-empty error code")
            self.engine.throw_error(
                request.jobKey, request.errorCode, request.errorMessage, parse_variables(request.variables)
            )
            return pb.ThrowErrorResponse()

        return self._call(context, run)

    def UpdateJobRetries(self, request: Any, context: Any) -> pb.UpdateJobRetriesResponse:
        return self._then(
            context,
            lambda: self.engine.update_job_retries(request.jobKey, request.retries),
            pb.UpdateJobRetriesResponse(),
        )

    def UpdateJobTimeout(self, request: Any, context: Any) -> pb.UpdateJobTimeoutResponse:
        return self._then(
            context,
            lambda: self.engine.update_job_timeout(request.jobKey, duration_ms(request.timeout, "timeout")),
            pb.UpdateJobTimeoutResponse(),
        )

    # --- messages

    def PublishMessage(self, request: Any, context: Any) -> pb.PublishMessageResponse:
        def run() -> pb.PublishMessageResponse:
            key = self.engine.publish_message(
                request.name,
                request.correlationKey,
                duration_ms(request.timeToLive, "timeToLive"),
                request.messageId,
                parse_variables(request.variables),
            )
            return pb.PublishMessageResponse(key=key, tenantId=TENANT)

        return self._call(context, run, new_work=True)
