"""The embedded engine: Zeebe's commands on Spiff workflows, with write-through durable state.

One lock serialises commands, as one Zeebe partition does; each command mutates memory, commits
its `Changes` in one transaction and only then answers. If anything unexpected fails mid-command,
memory is reloaded from the store, so what was acknowledged is exactly what survives.
"""

from jiuzhu.engine.runtime.correlation import CorrelationMixin
from jiuzhu.engine.runtime.jobs import JobsMixin
from jiuzhu.engine.runtime.structure import FlowMixin
from jiuzhu.engine.runtime.timer_starts import TimerStartMixin


class Engine(JobsMixin, FlowMixin, CorrelationMixin, TimerStartMixin):
    """The embedded Zeebe-compatible engine: core state and commands (core.py), jobs and user tasks
    (jobs.py), sub-processes/call activities/multi-instance/thrown events (structure.py), messages and
    signals (correlation.py), timer start events (timer_starts.py)."""
