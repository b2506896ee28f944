"""Tokens from an external OpenID Connect provider: `jiuzhu engine --oidc-issuer` checks RS256
access tokens against the issuer's JWKS (served here by a stand-in issuer over real HTTP, signed
with a real RSA key from openssl), their issuer, audience and expiry, and takes the scopes from them."""

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
from tests.conftest import EngineProcess, free_port

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
    engine = EngineProcess(tmp_path / "data", free_port(), free_port(), extra_args=("--oidc-issuer", issuer.url))
    engine.data_dir.mkdir()
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
    search = f"{oidc_engine.http}/v2/user-tasks/search"

    def status(token: str) -> int:
        return httpx.post(search, json={}, headers={"Authorization": f"Bearer {token}"}).status_code

    keycloak_role = issuer.sign(issuer.claims(realm_access={"roles": ["tasklist", "offline_access"]}))
    assert status(keycloak_role) == 200
    assert status(issuer.sign(issuer.claims(scope="profile tasklist"))) == 200
    assert status(issuer.sign(issuer.claims(scope="worker"))) == 403
    assert status(issuer.sign(issuer.claims(scope="tasklist", aud="other-api"))) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist", iss="http://127.0.0.1:1/realms/evil"))) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist", exp=int(time.time()) - 120))) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist"), kid="unknown")) == 401
    assert status(issuer.sign(issuer.claims(scope="tasklist"), alg="HS256")) == 401
    # The engine's own clients keep working beside the provider's.
    assert httpx.post(search, json={}, auth=oidc_engine.clients.auth("tasklist")).status_code == 200
    with grpc.insecure_channel(oidc_engine.address) as channel:
        worker = (("authorization", f"Bearer {issuer.sign(issuer.claims(scope='worker'))}"),)
        assert GatewayStub(channel).Topology(pb.TopologyRequest(), metadata=worker, timeout=5).brokers
