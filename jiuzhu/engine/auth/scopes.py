"""Which scope may call what. ``admin`` may do everything; ``worker`` runs jobs; ``tasklist`` works
user tasks over /v2. A token carries one or more scopes."""

from __future__ import annotations

ADMIN = "admin"
WORKER = "worker"
TASKLIST = "tasklist"
SCOPES = (ADMIN, WORKER, TASKLIST)

# gRPC methods of gateway_protocol.Gateway a worker needs: its jobs, the variables and messages its
# handlers set, and Topology (clients check the gateway with it). Deploying, creating, cancelling,
# modifying, resolving incidents and deleting stay with admin.
WORKER_METHODS = frozenset(
    {
        "ActivateJobs",
        "StreamActivatedJobs",
        "CompleteJob",
        "FailJob",
        "ThrowError",
        "UpdateJobRetries",
        "UpdateJobTimeout",
        "SetVariables",
        "PublishMessage",
        "BroadcastSignal",
        "Topology",
    }
)
TASKLIST_METHODS = frozenset({"Topology"})

# /v2 path prefixes the task list uses (incidents and variables: its 卡住的案件 page, read-only);
# everything else under /v2 (the clock) is admin's. Only a token that acts for a signed-in person
# (``person`` claim) reaches them: the routes then scope every answer to that person's township and
# role. A bare task-list token may read process models only, which hold no personal data.
TASKLIST_PATHS = (
    "/v2/user-tasks",
    "/v2/process-instances",
    "/v2/process-definitions",
    "/v2/incidents/search",
    "/v2/variables/search",
)


def grpc_allows(scopes: frozenset[str], method: str) -> bool:
    """``method`` is the full gRPC path, e.g. ``/gateway_protocol.Gateway/ActivateJobs``."""
    if ADMIN in scopes:
        return True
    name = method.rsplit("/", 1)[-1]
    return (WORKER in scopes and name in WORKER_METHODS) or (TASKLIST in scopes and name in TASKLIST_METHODS)


PERSONLESS_PATHS = ("/v2/process-definitions",)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def http_allows(scopes: frozenset[str], path: str, acts_for_person: bool = False) -> bool:
    if ADMIN in scopes:
        return True
    if TASKLIST not in scopes:
        return False
    return _under(path, TASKLIST_PATHS if acts_for_person else PERSONLESS_PATHS)
