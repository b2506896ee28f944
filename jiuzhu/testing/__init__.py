"""Test support for jiuzhu, like ``temporalio.testing``: one harness for tests, benchmarks and soaks.

- ``LiveSystem`` starts ``jiuzhu up`` (engine, real workers and task list in one process) as a child
  process on free ports, with a temporary data directory, optionally the demo county and a controlled
  clock that the test moves the way Zeebe's ``/v2/clock`` is moved.
- ``InProcessEngine`` runs the embedded engine alone in this process; ``EngineProcess`` runs
  ``jiuzhu engine`` as a child process. Both on free ports, controlled clock and credentials optional.
- ``EngineClients`` (``auth``) are the clients an engine generated into its data directory.
- ``Casework`` (``casework``) drives planned cases (``CasePlan``) through the real processes: an
  in-process engine on a controlled clock with workflows/ deployed, the real workers, user tasks
  completed with form-shaped values, the clock fast-forwarded; the demo's history is made with it.
"""

from jiuzhu.testing.auth import EngineClients
from jiuzhu.testing.casework import CasePlan, Casework, CaseworkError
from jiuzhu.testing.engine import EngineProcess, InProcessEngine
from jiuzhu.testing.live import LiveSystem, demo_data_dir
from jiuzhu.testing.ports import free_port

__all__ = [
    "CasePlan",
    "Casework",
    "CaseworkError",
    "EngineClients",
    "EngineProcess",
    "InProcessEngine",
    "LiveSystem",
    "demo_data_dir",
    "free_port",
]
