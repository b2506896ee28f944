"""The engine's clients and signing key, generated into the data directory at first start.

``credentials.json`` (mode 0600) holds one client per scope — what an operator hands to workers,
the task list or zbctl; ``token-signing.key`` (mode 0600) signs the access tokens. Both survive
restarts, so tokens and configured clients keep working.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from jiuzhu.engine.auth.scopes import SCOPES

CREDENTIALS_FILE = "credentials.json"
SIGNING_KEY_FILE = "token-signing.key"
TOKEN_PATH = "/oauth/token"


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class EngineCredentials:
    path: Path
    clients: dict[str, ClientCredentials]  # by client id
    signing_key: bytes

    def for_scope(self, scope: str) -> ClientCredentials:
        """The generated client of ``scope`` (e.g. the one the in-process workers use)."""
        for client in self.clients.values():
            if client.scopes == frozenset({scope}):
                return client
        raise KeyError(f"no client with scope {scope!r} in {self.path}")

    def authenticate(self, client_id: str, client_secret: str) -> ClientCredentials | None:
        import hmac

        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret.encode(), client_secret.encode()):
            return None
        return client


def _write_private(path: Path, data: bytes) -> None:
    """Created 0600 from the start: never readable by others, not even for a moment."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _generate(path: Path) -> None:
    clients = {f"jiuzhu-{scope}": {"client_secret": secrets.token_urlsafe(32), "scopes": [scope]} for scope in SCOPES}
    document = {
        "comment": "OAuth 2.0 client credentials for this engine: POST them to the token URL (docs/operations.md)",
        "token_path": TOKEN_PATH,
        "clients": clients,
    }
    _write_private(path, (json.dumps(document, indent=2) + "\n").encode())


def load_or_create(data_dir: Path) -> tuple[EngineCredentials, bool]:
    """The engine's credentials, generated when missing; ``True`` when this call generated them."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CREDENTIALS_FILE
    key_path = data_dir / SIGNING_KEY_FILE
    created = False
    if not path.exists():
        _generate(path)
        created = True
    if not key_path.exists():
        _write_private(key_path, secrets.token_bytes(32))
    for private in (path, key_path):
        if private.stat().st_mode & 0o077:
            raise PermissionError(f"{private} is readable by others: chmod 600 {private}")
    return EngineCredentials(path, read_clients(path), key_path.read_bytes()), created


def read_clients(path: Path) -> dict[str, ClientCredentials]:
    """The clients in ``path``; ValueError naming the file when it is not as generated."""
    try:
        document = json.loads(path.read_text("utf-8"))
        entries = document["clients"].items()
        clients: dict[str, ClientCredentials] = {}
        for client_id, entry in entries:
            scopes = frozenset(str(scope) for scope in entry["scopes"])
            secret = str(entry["client_secret"])
            if scopes - set(SCOPES) or not scopes or len(secret) < 16:
                raise ValueError(f"client {client_id}: scopes must be among {list(SCOPES)}, secrets 16+ characters")
            clients[client_id] = ClientCredentials(client_id, secret, scopes)
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        raise ValueError(f"{path} is not a credentials file as jiuzhu writes it: {err}") from err
    return clients
