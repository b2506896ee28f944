"""The embedded engine: `Engine` and the shapes its callers use."""

from jiuzhu.engine.runtime.engine import Engine
from jiuzhu.engine.runtime.model import (
    USER_TASK_JOB_TYPE,
    ActivatedJob,
    DecisionFailure,
    DeployedProcess,
    Deployment,
    JobStream,
)

__all__ = [
    "USER_TASK_JOB_TYPE",
    "ActivatedJob",
    "DecisionFailure",
    "DeployedProcess",
    "Deployment",
    "Engine",
    "JobStream",
]
