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
# everything else under /v2 (the clock) is admin's.
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


def http_allows(scopes: frozenset[str], path: str) -> bool:
    if ADMIN in scopes:
        return True
    return TASKLIST in scopes and any(path == p or path.startswith(p + "/") for p in TASKLIST_PATHS)
