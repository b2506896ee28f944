"""Tokens from an external OpenID Connect provider: `jiuzhu engine --oidc-issuer` checks RS256
access tokens against the issuer's JWKS (served here by a stand-in issuer over real HTTP, signed
with a real RSA key from openssl), their issuer, audience and expiry, and takes the scopes from them;
with `--oidc-person-claim` a token acts for the staff login it names, looked up in the case record."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from jiuzhu.engine.auth.rsa import verify_rs256
from jiuzhu.testing import EngineProcess, free_port
from tests.engine.bpmn_builder import Process

pytestmark = pytest.mark.engine


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """A Keycloak realm's two documents (discovery and JWKS) and a key that signs like it."""

    def __init__(self, directory: Path) -> None:
        self.key = directory / "issuer.key"
        subprocess.run(["openssl", "genrsa", "-out", str(self.key), "2048"], check=True, capture_output=True)
        modulus = subprocess.run(
            ["openssl", "rsa", "-in", str(self.key), "-noout", "-modulus"], check=True, capture_output=True, text=True
        ).stdout.strip()
        self.n = int(modulus.split("=", 1)[1], 16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/realms/county"
        jwks = {
            "keys": [
                {
                    "kty": "RSA",
                    "kid": "k1",
                    "use": "sig",
                    "alg": "RS256",
                    "n": b64(self.n.to_bytes(256, "big")),
                    "e": "AQAB",
                }
            ]
        }
        documents = {
            "/realms/county/.well-known/openid-configuration": {"issuer": self.url, "jwks_uri": f"{self.url}/certs"},
            "/realms/county/certs": jwks,
        }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps(documents.get(self.path, {})).encode()
                self.send_response(200 if self.path in documents else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sign(self, claims: dict[str, Any], kid: str = "k1", alg: str = "RS256") -> str:
        head = b64(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}).encode())
        body = b64(json.dumps(claims).encode())
        signed = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=f"{head}.{body}".encode(),
            check=True,
            capture_output=True,
        ).stdout
        return f"{head}.{body}.{b64(signed)}"

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        base = {"iss": self.url, "aud": ["zeebe-api", "account"], "azp": "county-worker", "exp": now + 300, "iat": now}
        return {**base, **overrides}


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Issuer]:
    realm = Issuer(tmp_path)
    yield realm
    realm.server.shutdown()


@pytest.fixture
def oidc_engine(tmp_path: Path, issuer: Issuer) -> Iterator[EngineProcess]:
    engine = EngineProcess(tmp_path / "data", extra_args=("--oidc-issuer", issuer.url))
    yield engine.start()
    engine.stop()


def test_the_rsa_check_itself(issuer: Issuer) -> None:
    token = issuer.sign(issuer.claims())
    head, body, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    assert verify_rs256(issuer.n, 65537, f"{head}.{body}".encode(), raw)
    assert not verify_rs256(issuer.n, 65537, f"{head}.{body}x".encode(), raw)
    assert not verify_rs256(issuer.n, 65537, f"{head}.{body}".encode(), raw[:-1] + bytes([raw[-1] ^ 1]))
    assert not verify_rs256(issuer.n, 3, f"{head}.{body}".encode(), raw)


def test_provider_tokens_open_the_doors_their_scope_allows(oidc_engine: EngineProcess, issuer: Issuer) -> None:
    # A provider token names no township or role the engine could scope by, so as a bare task-list
    # token it reaches the process models only (a definition that does not exist answers 404 there,
    # past the guard); the user tasks, which hold personal data, need a token acting for a person.
    model = f"{oidc_engine.http}/v2/process-definitions/1/xml"
    tasks = f"{oidc_engine.http}/v2/user-tasks/search"

    def status(token: str, url: str = model) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        if url == tasks:
            return httpx.post(url, json={}, headers=headers).status_code
        return httpx.get(url, headers=headers).status_code

    keycloak_role = issuer.sign(issuer.claims(realm_access={"roles": ["tasklist", "offline_access"]}))
    assert status(keycloak_role) == 404
    assert status(keycloak_role, tasks) == 403
    assert status(issuer.sign(issuer.claims(scope="profile tasklist"))) == 404
    assert status(issuer.sign(issuer.claims(scope="worker"))) == 403
    assert status(issuer.sign(issuer.claims(scope="tasklist", aud="other-api"))) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist", iss="http://127.0.0.1:1/realms/evil"))) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist", exp=int(time.time()) - 120))) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist"), kid="unknown")) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist"), alg="HS256")) == 401
    # The engine's own clients keep working beside the provider's.
    assert httpx.post(tasks, json={}, auth=oidc_engine.clients.auth("admin")).status_code == 200
    with grpc.insecure_channel(oidc_engine.address) as channel:
        worker = (("authorization", f"Bearer {issuer.sign(issuer.claims(scope='worker'))}"),)
        assert GatewayStub(channel).Topology(pb.TopologyRequest(), metadata=worker, timeout=5).brokers


def case_record(data_dir: Path) -> None:
    """The case record `jiuzhu engine` looks staff logins up in: two townships, three accounts."""
    from sqlmodel import Session

    from schemas.db import make_engine
    from schemas.enums import StaffRole
    from schemas.migrate import upgrade
    from schemas.tables import Staff, Township

    url = f"sqlite:///{(data_dir / 'caserecord.db').resolve()}"
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    db = make_engine(url)
    with Session(db) as session:
        a, b = Township(code="341822100", name="桃州镇"), Township(code="341822101", name="新杭镇")
        session.add_all([a, b])
        session.flush()
        session.add_all(
            [
                Staff(name="王经办", role=StaffRole.CASEWORKER, township_id=a.id, login="taozhou.jingban"),
                Staff(name="吴经办", role=StaffRole.CASEWORKER, township_id=b.id, login="xinhang.jingban"),
                Staff(name="离职", role=StaffRole.CASEWORKER, township_id=a.id, login="gone", active=False),
            ]
        )
        session.commit()
    db.dispose()


def test_a_provider_token_acts_for_the_staff_login_it_names_and_no_one_else(tmp_path: Path, issuer: Issuer) -> None:
    """`--oidc-person-claim preferred_username`: a Keycloak-signed task-list token for a known staff
    login sees that caseworker's township's tasks only; an unknown or inactive login is refused."""
    data = tmp_path / "data"
    case_record(data)
    args = ("--oidc-issuer", issuer.url, "--oidc-person-claim", "preferred_username")
    with EngineProcess(data, extra_args=args) as engine:
        admin = engine.clients.auth("admin")
        xml = Process("review").start().user_task("check", groups="township-caseworker").end()
        resource = pb.Resource(name="review.bpmn", content=xml.chain("start", "check", "end").xml())
        with grpc.insecure_channel(engine.address) as channel:
            GatewayStub(channel).DeployResource(
                pb.DeployResourceRequest(resources=[resource]), metadata=engine.clients.metadata("admin"), timeout=10
            )
        for code in ("341822100", "341822101"):
            body = {"processDefinitionId": "review", "variables": {"townshipCode": code}}
            assert httpx.post(f"{engine.http}/v2/process-instances", json=body, auth=admin).status_code == 200

        def tasks(**claims: Any) -> httpx.Response:
            token = issuer.sign(issuer.claims(scope="tasklist", azp="tasklist-web", **claims))
            search = {"filter": {"state": "CREATED"}}
            headers = {"Authorization": f"Bearer {token}"}
            return httpx.post(f"{engine.http}/v2/user-tasks/search", json=search, headers=headers)

        def townships(response: httpx.Response) -> list[str]:
            assert response.status_code == 200, response.text
            keys = [item["processInstanceKey"] for item in response.json()["items"]]
            found = []
            for key in keys:
                search = {"filter": {"processInstanceKey": key, "name": "townshipCode"}}
                variables = httpx.post(f"{engine.http}/v2/variables/search", json=search, auth=admin).json()
                found.append(json.loads(variables["items"][0]["value"]))
            return found

        deadline = time.monotonic() + 10  # the tasks are created once the instances have run to them
        while len(townships(tasks(preferred_username="taozhou.jingban"))) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert townships(tasks(preferred_username="taozhou.jingban")) == ["341822100"]
        assert townships(tasks(preferred_username="xinhang.jingban")) == ["341822101"]
        assert tasks(preferred_username="stranger").status_code == 401  # not in the staff table
        assert tasks(preferred_username="gone").status_code == 401  # no longer active
        assert tasks(preferred_username="").status_code == 401
        # Without the claim, or as a Keycloak service account, it is a personless task-list client.
        assert tasks().status_code == 403
        assert tasks(preferred_username="service-account-tasklist-web").status_code == 403
