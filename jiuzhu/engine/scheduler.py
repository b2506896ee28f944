"""Wakes the engine when something is due: a timer, a job's activation timeout, a back-off.

It sleeps until the earliest due time the engine reports (or until poked because a command or a
clock change may have moved that time), so idle instances cost nothing.
"""

from __future__ import annotations

import logging
import threading

from jiuzhu.engine.runtime import Engine

log = logging.getLogger(__name__)
IDLE_WAIT_S = 5.0


class Scheduler:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._poke = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jiuzhu-scheduler", daemon=True)
        engine.set_wake_hook(self._poke.set)
        engine.clock.on_change(self._poke.set)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._poke.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.engine.tick()
            except Exception:
                log.exception("scheduler tick failed; retrying")
            due = self.engine.next_wake_ms()
            wait = IDLE_WAIT_S
            if due is not None:
                wait = min(IDLE_WAIT_S, max(0.0, (due - self.engine.now_ms()) / 1000))
            self._poke.wait(timeout=wait)
            self._poke.clear()
