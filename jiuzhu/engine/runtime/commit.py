"""Group commit: the changes of commands that finished close together go to the store in one
transaction, and each command answers only once its own changes are committed.

A command runs in memory under the engine lock and hands its changes in with `enqueue` (in the order
the commands ran), then leaves the lock and calls `wait`. The first waiter that finds no commit
under way becomes the leader: it takes everything handed in so far and writes it in one
transaction, while the next commands already run in memory; the others wait for it. A command's
answer can depend on an earlier command's changes only through memory, and those were handed in
earlier, so they are committed no later than its own: acknowledged still means committed.

When a write fails, every command of that batch, and every command handed in after it (it may
have built on the lost changes), fails, and the engine reloads its memory from the store before it
runs the next command (`poisoned`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from jiuzhu.engine.store.repository import Changes

log = logging.getLogger(__name__)


class CommitFailed(Exception):
    """The store did not take a command's changes: the command is not acknowledged."""


class GroupCommit:
    def __init__(self, write: Callable[[list[Changes]], None]) -> None:
        self._write = write
        self._cv = threading.Condition(threading.Lock())
        self._pending: list[Changes] = []
        self._hooks: list[Callable[[], None]] = []  # run by the leader right after the batch commits
        self._last = 0  # the last ticket handed out
        self._settled = 0  # every ticket up to this one is committed or failed
        self._committing = False
        self._failures: list[tuple[int, int, BaseException]] = []  # (first, last ticket, why)
        self.poisoned = False  # memory is ahead of the store: reload before the next command
        self.batches = 0  # transactions written (for benchmarks)

    def enqueue(self, changes: Changes, on_commit: Callable[[], None] | None = None) -> int:
        """Hand in a command's changes (call under the engine lock); returns its ticket. `on_commit`
        (short, never blocking: pushing activated jobs, waking polls) runs as soon as the batch is
        committed, before the waiting commands are woken, so pushed jobs do not queue behind them."""
        with self._cv:
            self._last += 1
            self._pending.append(changes)
            if on_commit is not None:
                self._hooks.append(on_commit)
            return self._last

    def last_ticket(self) -> int:
        with self._cv:
            return self._last

    def wait(self, ticket: int) -> None:
        """Return once `ticket` is committed; raise CommitFailed when it never will be."""
        with self._cv:
            while self._settled < ticket:
                if self._committing:
                    self._cv.wait()
                    continue
                self._lead()
            failure = self._failure_of(ticket)
        if failure is not None:
            raise CommitFailed("the engine could not commit this command; it was not applied") from failure

    def flush(self) -> bool:
        """Commit everything handed in so far; False when some of it failed."""
        try:
            self.wait(self.last_ticket())
        except CommitFailed:
            return False
        return True

    def recovered(self) -> None:
        """The engine reloaded its memory from the store: new commands may commit again."""
        with self._cv:
            self.poisoned = False

    def _lead(self) -> None:
        """Write every pending batch (called holding the condition's lock; releases it meanwhile)."""
        batch, hooks, first, last = self._pending, self._hooks, self._settled + 1, self._last
        self._pending, self._hooks = [], []
        self._committing = True
        poisoned = self.poisoned
        error: BaseException | None = None
        self._cv.release()
        try:
            try:
                if poisoned:
                    error = CommitFailed("an earlier commit failed; the engine reloads its state")
                else:
                    self._write(batch)
            except BaseException as err:  # the store failed: nobody in this batch is acknowledged
                error = err
            if error is None:
                for hook in hooks:
                    try:
                        hook()
                    except Exception:  # one command's push must not keep the others waiting
                        log.exception("after-commit hook failed")
        finally:
            self._cv.acquire()
            self._committing = False
            self._settled = last
            self.batches += 1
            if error is not None:
                self.poisoned = True
                self._failures = [*self._failures[-50:], (first, last, error)]
            self._cv.notify_all()

    def _failure_of(self, ticket: int) -> BaseException | None:
        for first, last, error in self._failures:
            if first <= ticket <= last:
                return error
        return None
