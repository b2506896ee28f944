"""The embedded engine: Zeebe's commands on Spiff workflows, with write-through durable state.

One lock serialises commands, as one Zeebe partition does; each command mutates memory, hands its
`Changes` to the group commit and answers only once they are committed. If anything unexpected
fails mid-command, memory is reloaded from the store, so what was acknowledged is exactly what
survives.
"""

from jiuzhu.engine.bpmn.hooks import RuntimeHooks
from jiuzhu.engine.queries import EngineQueries
from jiuzhu.engine.runtime.correlation import CorrelationMixin
from jiuzhu.engine.runtime.jobs import JobsMixin
from jiuzhu.engine.runtime.modification import ModificationMixin
from jiuzhu.engine.runtime.structure import FlowMixin
from jiuzhu.engine.runtime.timer_starts import TimerStartMixin


class Engine(JobsMixin, FlowMixin, CorrelationMixin, TimerStartMixin, ModificationMixin):
    """The embedded Zeebe-compatible engine: core state and commands (core.py), jobs and user tasks
    (jobs.py), sub-processes/call activities/multi-instance/thrown events (structure.py), messages and
    signals (correlation.py), timer start events (timer_starts.py), modification (modification.py)."""


def _serves_the_specs(engine: Engine) -> RuntimeHooks:
    return engine  # mypy checks here that the engine implements every hook the specs call


def _answers_queries(engine: Engine) -> EngineQueries:
    return engine  # and here that it answers every reader's query
