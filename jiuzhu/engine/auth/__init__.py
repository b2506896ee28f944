"""The engine's doors: OAuth 2.0 client-credentials tokens and their checks on gRPC and /v2.

``credentials`` makes and reads the clients in the data directory, ``tokens`` signs and verifies
access tokens, ``scopes`` says which scope may call what, ``grpc_guard`` and ``http_guard`` enforce it.
"""

from jiuzhu.engine.auth.credentials import ClientCredentials, EngineCredentials, load_or_create
from jiuzhu.engine.auth.scopes import ADMIN, SCOPES, TASKLIST, WORKER
from jiuzhu.engine.auth.tokens import Principal, TokenIssuer

__all__ = [
    "ADMIN",
    "SCOPES",
    "TASKLIST",
    "WORKER",
    "ClientCredentials",
    "EngineCredentials",
    "Principal",
    "TokenIssuer",
    "load_or_create",
]
