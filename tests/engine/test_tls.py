"""`jiuzhu up --tls-cert --tls-key`: gRPC and HTTP over TLS from a certificate path. The in-process
workers and task list verify it like any client; zbctl (`--certPath`) and pyzeebe's own OAuth channel
get in with the generated credentials and no plaintext or insecure-transport switch."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from pyzeebe import ZeebeClient, create_oauth2_client_credentials_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.testing import LiveSystem
from tests.engine.zbctl import ROOT, ZBCTL

WORKFLOWS = ROOT / "workflows"

pytestmark = pytest.mark.engine


def self_signed(directory: Path, names: str = "DNS:localhost,IP:127.0.0.1") -> tuple[Path, Path]:
    cert, key = directory / "engine.crt", directory / "engine.key"
    # fmt: off
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", f"subjectAltName={names}",
        ],
        check=True, capture_output=True, timeout=60,
    )
    # fmt: on
    return cert, key


@pytest.fixture
def tls_up(tmp_path: Path) -> Iterator[LiveSystem]:
    system = LiveSystem(tmp_path / "data", demo=True, tls=self_signed(tmp_path))
    system.start()
    try:
        yield system
    finally:
        system.stop()


def test_up_over_tls_runs_its_workers_and_task_list(tls_up: LiveSystem) -> None:
    assert tls_up.url.startswith("https://") and "(TLS)" in tls_up.log()
    # Plain HTTP on the TLS port gets nowhere.
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{tls_up.http_port}/healthz", timeout=5)
    # The demo cases reached user tasks: the in-process workers worked them over TLS gRPC with a token.
    auth = tls_up.clients.auth("admin")
    names: set[str] = set()
    for _ in range(60):
        found = httpx.post(
            f"{tls_up.url}/v2/user-tasks/search", json={"filter": {}}, auth=auth, verify=tls_up.verify
        ).json()
        names = {item["name"] for item in found["items"]}
        if "入户调查（至少两人）" in names:
            break
        time.sleep(0.5)
    assert "入户调查（至少两人）" in names
    # The task list answers over HTTPS and its inbox reads /v2 with its own token.
    signin = httpx.get(f"{tls_up.url}/signin", verify=tls_up.verify)
    assert signin.status_code == 200 and "登录" in signin.text


async def test_zbctl_and_pyzeebe_over_tls_with_client_credentials(
    tls_up: LiveSystem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert = str(tls_up.tls[0]) if tls_up.tls else ""
    admin = tls_up.clients.oauth("admin")
    # fmt: off
    status = subprocess.run(
        [
            str(ZBCTL), "status", "--address", tls_up.address, "--certPath", cert,
            "--clientId", admin.client_id, "--clientSecret", admin.client_secret, "--authzUrl", admin.token_url,
            "--clientCache", str(tmp_path / "zbctl-credentials"),
        ],
        capture_output=True, text=True, timeout=60,
        # --certPath covers the gateway only; Go fetches the token with the system's roots, which
        # SSL_CERT_FILE replaces.
        env={**os.environ, "SSL_CERT_FILE": cert},
    )
    # fmt: on
    assert status.returncode == 0, status.stderr
    assert "Leader, Healthy" in status.stdout and "confidential" not in status.stderr  # no plaintext warning
    # pyzeebe's OAuth channel as documented, TLS all the way; requests trusts the engine's certificate.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)
    channel = create_oauth2_client_credentials_channel(
        grpc_address=tls_up.address,
        client_id=admin.client_id,
        client_secret=admin.client_secret,
        authorization_server=admin.token_url,
        audience="zeebe-api",
        channel_credentials=grpc.ssl_channel_credentials(root_certificates=Path(cert).read_bytes()),
    )
    try:
        client = ZeebeClient(channel)
        assert (await client.topology()).brokers
        assert (await client.deploy_resource(str(WORKFLOWS / "home-visit.bpmn"))).deployments
    finally:
        await channel.close()
    # A client that does not speak TLS gets no answer at all.
    with grpc.insecure_channel(tls_up.address) as plaintext, pytest.raises(grpc.RpcError):
        GatewayStub(plaintext).Topology(pb.TopologyRequest(), timeout=3)


def test_up_refuses_a_certificate_its_own_clients_cannot_verify(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, names="DNS:jiuzhu.example")
    up = LiveSystem(tmp_path / "data", demo=False, tls=(cert, key))
    with pytest.raises(RuntimeError) as failed:
        up.start(timeout=60)
    assert "exited with 2" in str(failed.value)
    assert "the certificate must also name localhost" in up.log()
