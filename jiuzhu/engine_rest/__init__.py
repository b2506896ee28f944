"""The Camunda 8.8 Orchestration Cluster REST API (v2), user-task subset, served from the embedded engine.

Mount with ``app.include_router(build_v2_router(engine))``; see docs/tasklist.md for the endpoints.
"""

from jiuzhu.engine_rest.forms import FormRepository
from jiuzhu.engine_rest.router import build_v2_router

__all__ = ["FormRepository", "build_v2_router"]
