"""Test support for jiuzhu, like ``temporalio.testing``: run the whole system as a person meets it.

``LiveSystem`` starts ``jiuzhu up`` (engine, real workers and task list in one process) as a child process
on free ports, with a temporary data directory, optionally the demo county and a controlled clock that
the test moves the way Zeebe's ``/v2/clock`` is moved.
"""

from jiuzhu.testing.live import LiveSystem, free_port

__all__ = ["LiveSystem", "free_port"]
