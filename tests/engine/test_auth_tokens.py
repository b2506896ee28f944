"""Tokens and credential files, without a server: what the doors rely on."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from jiuzhu.engine.auth import TokenIssuer, load_or_create
from jiuzhu.engine.auth.scopes import grpc_allows, http_allows
from jiuzhu.engine.auth.tokens import bearer

KEY = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_verifies_until_it_expires() -> None:
    clock = Clock()
    issuer = TokenIssuer(KEY, ttl_s=60, clock=clock)
    token = issuer.issue("jiuzhu-worker", {"worker"}, audience="zeebe-api")
    principal = issuer.verify(token)
    assert principal is not None and principal.client_id == "jiuzhu-worker" and principal.scopes == {"worker"}
    clock.now += 60
    assert issuer.verify(token) is None


def test_forged_tampered_and_foreign_tokens_are_refused() -> None:
    issuer = TokenIssuer(KEY)
    token = issuer.issue("jiuzhu-worker", {"worker"})
    header, payload, signature = token.split(".")
    admin_payload = TokenIssuer(KEY).issue("jiuzhu-worker", {"admin"}).split(".")[1]
    assert issuer.verify(f"{header}.{admin_payload}.{signature}") is None  # scope swapped, old signature
    assert issuer.verify(TokenIssuer(b"x" * 32).issue("jiuzhu-admin", {"admin"})) is None  # another key
    assert issuer.verify(f"{header}.{payload}.") is None
    assert issuer.verify("eyJhbGciOiJub25lIn0.e30.") is None  # alg none
    assert issuer.verify("garbage") is None and issuer.verify("") is None


def test_a_short_signing_key_is_refused() -> None:
    with pytest.raises(ValueError):
        TokenIssuer(b"short")


def test_bearer_header_parsing() -> None:
    assert bearer("Bearer abc") == "abc" and bearer("bearer abc") == "abc"
    assert bearer("Basic abc") is None and bearer("Bearer ") is None and bearer(None) is None


def test_credentials_are_private_and_stable(tmp_path: Path) -> None:
    first, created = load_or_create(tmp_path / "var")
    assert created and stat.S_IMODE(first.path.stat().st_mode) == 0o600
    again, created_again = load_or_create(tmp_path / "var")
    assert not created_again and again.clients == first.clients and again.signing_key == first.signing_key
    admin = first.for_scope("admin")
    assert first.authenticate(admin.client_id, admin.client_secret) == admin
    assert first.authenticate(admin.client_id, "wrong") is None and first.authenticate("nobody", "x") is None


def test_credentials_readable_by_others_are_refused(tmp_path: Path) -> None:
    credentials, _ = load_or_create(tmp_path)
    os.chmod(credentials.path, 0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_or_create(tmp_path)


def test_scopes() -> None:
    worker, tasklist, admin = frozenset({"worker"}), frozenset({"tasklist"}), frozenset({"admin"})
    gateway = "/gateway_protocol.Gateway/"
    assert grpc_allows(worker, gateway + "ActivateJobs") and grpc_allows(worker, gateway + "CompleteJob")
    for method in ("DeployResource", "CreateProcessInstance", "CancelProcessInstance", "ModifyProcessInstance"):
        assert not grpc_allows(worker, gateway + method) and grpc_allows(admin, gateway + method)
    assert grpc_allows(tasklist, gateway + "Topology") and not grpc_allows(tasklist, gateway + "ActivateJobs")
    person = True  # a task-list token acting for a signed-in person
    assert http_allows(tasklist, "/v2/user-tasks/1/completion", person) and not http_allows(
        tasklist, "/v2/clock", person
    )
    assert not http_allows(tasklist, "/v2/user-tasks-evil", person)
    assert not http_allows(worker, "/v2/user-tasks/search", person)
    # Acting for nobody, it reads process models only.
    assert not http_allows(tasklist, "/v2/user-tasks/search") and not http_allows(tasklist, "/v2/variables/search")
    assert http_allows(tasklist, "/v2/process-definitions/1/xml")
    assert http_allows(admin, "/v2/clock/advance")


def test_a_hand_edited_credentials_file_is_refused_with_its_name(tmp_path: Path) -> None:
    credentials, _ = load_or_create(tmp_path)
    credentials.path.write_text('{"clients": {"x": {"client_secret": "short", "scopes": ["root"]}}}')
    with pytest.raises(ValueError, match=r"credentials\.json is not a credentials file"):
        load_or_create(tmp_path)
