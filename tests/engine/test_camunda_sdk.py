"""Camunda's own Python SDK (`camunda-orchestration-sdk`) against `jiuzhu engine`, as an operator would
point it at a cluster: client credentials from the engine's token endpoint, the REST address, and a
create that the SDK parses into its typed result (it requires every field Camunda's API answers)."""

from __future__ import annotations

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.testing import EngineProcess
from tests.engine.bpmn_builder import linear_jobs
from tests.engine.test_crash import instance_states

pytestmark = pytest.mark.engine


def test_camundas_sdk_creates_an_instance_with_client_credentials(engine_process: EngineProcess) -> None:
    from camunda_orchestration_sdk import CamundaClient
    from camunda_orchestration_sdk.models import ProcessCreationById, ProcessInstanceCreationInstructionBaseVariables

    with grpc.insecure_channel(engine_process.address) as channel:
        GatewayStub(channel).DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="sdk.bpmn", content=linear_jobs("sdk", ["sdk.do"]))]),
            metadata=engine_process.clients.metadata("admin"),
            timeout=30,
        )
    credentials = engine_process.clients.oauth("admin")
    client = CamundaClient(
        configuration={
            "CAMUNDA_REST_ADDRESS": engine_process.http,
            "CAMUNDA_AUTH_STRATEGY": "OAUTH",
            "CAMUNDA_OAUTH_URL": credentials.token_url,
            "CAMUNDA_CLIENT_ID": credentials.client_id,
            "CAMUNDA_CLIENT_SECRET": credentials.client_secret,
            "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": True,
        }
    )
    result = client.create_process_instance(
        data=ProcessCreationById(
            process_definition_id="sdk",  # type: ignore[arg-type]
            variables=ProcessInstanceCreationInstructionBaseVariables.from_dict({"caseId": "C-1", "户主": "张三"}),
        )
    )
    key = int(result.process_instance_key)
    assert result.process_definition_id == "sdk"
    assert result.process_definition_version == 1
    assert result.business_id is None
    assert instance_states(engine_process)[key] == "ACTIVE"
