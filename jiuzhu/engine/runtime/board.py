"""The job board: jobs and user tasks with the indexes every command needs, and open job streams.

Each lookup a command makes costs what it finds, not what is waiting: jobs ready for activation
are kept per type in key order (a heap, checked lazily when taken), and jobs, user tasks and
element instances are indexed by instance, by Spiff task and by element-instance key. Long polls
wait, outside the engine lock, on a signal of their own job type, raised once the job is committed:
a new job wakes only the polls that can take it.

Job records are mutated by the engine's commands; whoever makes a job activatable calls `ready`,
whoever changes its deadline or back-off calls `schedule`.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable

from jiuzhu.engine.records import Job, JobState, UserTask
from jiuzhu.engine.runtime.model import JobStream


class JobBoard:
    def __init__(self) -> None:
        self.streams: list[JobStream] = []
        self._signals: dict[str, _Signal] = {}
        self._signals_lock = threading.Lock()
        self.reset([], [])

    def reset(self, jobs: Iterable[Job], user_tasks: Iterable[UserTask]) -> None:
        """Rebuild from stored records (after a restart or a rollback); streams and waiters stay."""
        self.jobs: dict[int, Job] = {}
        self.user_tasks: dict[int, UserTask] = {}
        self._ready: dict[str, list[int]] = {}  # job type -> heap of job keys (checked when taken)
        self._queued: set[int] = set()
        self._due: list[tuple[int, int]] = []  # (deadline or back-off end, job key)
        self._by_instance: dict[int, set[int]] = {}  # instance key -> job and user-task keys
        self._by_task: dict[str, int] = {}  # Spiff task id -> job key
        self._by_element: dict[int, int] = {}  # element instance key -> job or user-task key
        for job in jobs:
            self.add_job(job)
        for task in user_tasks:
            self.add_user_task(task)

    # ------------------------------------------------------------------ jobs

    def add_job(self, job: Job) -> None:
        self.jobs[job.key] = job
        self._index(job.key, job.instance_key, job.element_instance_key)
        self._by_task[job.task_id] = job.key
        self.ready(job)
        self.schedule(job)

    def drop_job(self, job: Job) -> bool:
        if self.jobs.pop(job.key, None) is None:
            return False
        self._unindex(job.key, job.instance_key, job.element_instance_key)
        if self._by_task.get(job.task_id) == job.key:
            del self._by_task[job.task_id]
        return True

    def ready(self, job: Job) -> None:
        """`job` may be activatable now: queue it for its type (taking it checks again)."""
        if job.state == JobState.ACTIVATABLE and job.key not in self._queued:
            self._queued.add(job.key)
            heapq.heappush(self._ready.setdefault(job.type, []), job.key)

    def schedule(self, job: Job) -> None:
        """Remember when `job` needs the scheduler: its activation deadline or the end of its back-off."""
        if job.state == JobState.ACTIVATED and job.deadline_ms > 0:
            heapq.heappush(self._due, (job.deadline_ms, job.key))
        elif job.state == JobState.ACTIVATABLE and job.backoff_until_ms > 0:
            heapq.heappush(self._due, (job.backoff_until_ms, job.key))

    def take_ready(self, job_type: str, limit: int, now_ms: int) -> list[Job]:
        """Up to `limit` jobs of `job_type` that a worker may activate now, oldest key first."""
        heap = self._ready.get(job_type)
        taken: list[Job] = []
        while heap and len(taken) < limit:
            key = heapq.heappop(heap)
            self._queued.discard(key)
            job = self.jobs.get(key)
            if job is not None and activatable(job, now_ms):
                taken.append(job)
            # a job in back-off is queued again by the scheduler when its back-off ends
        return taken

    def has_ready(self, job_type: str) -> bool:
        return bool(self._ready.get(job_type))

    def due(self, now_ms: int) -> list[Job]:
        """Jobs whose deadline or back-off has passed (each once; stale entries are skipped)."""
        found: list[Job] = []
        seen: set[int] = set()
        while self._due and self._due[0][0] <= now_ms:
            _, key = heapq.heappop(self._due)
            job = self.jobs.get(key)
            if job is not None and key not in seen:
                seen.add(key)
                found.append(job)
        return found

    def next_due_ms(self) -> int | None:
        return self._due[0][0] if self._due else None

    def job_of_task(self, task_id: str) -> Job | None:
        key = self._by_task.get(task_id)
        return self.jobs.get(key) if key is not None else None

    def jobs_of_instance(self, instance_key: int) -> list[Job]:
        keys = self._by_instance.get(instance_key, ())
        return [self.jobs[k] for k in sorted(keys) if k in self.jobs]

    def activatable_counts(self, now_ms: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job in self.jobs.values():
            if activatable(job, now_ms):
                counts[job.type] = counts.get(job.type, 0) + 1
        return counts

    # ------------------------------------------------------------------ user tasks

    def add_user_task(self, task: UserTask) -> None:
        self.user_tasks[task.key] = task
        self._index(task.key, task.instance_key, task.element_instance_key)

    def remove_user_task(self, key: int) -> UserTask | None:
        task = self.user_tasks.pop(key, None)
        if task is not None:
            self._unindex(task.key, task.instance_key, task.element_instance_key)
        return task

    def user_tasks_of_instance(self, instance_key: int) -> list[UserTask]:
        keys = self._by_instance.get(instance_key, ())
        return [self.user_tasks[k] for k in sorted(keys) if k in self.user_tasks]

    def element(self, element_instance_key: int) -> Job | UserTask | None:
        """The job or user task of an element instance, if it has one open."""
        key = self._by_element.get(element_instance_key)
        if key is None:
            return None
        return self.jobs.get(key) or self.user_tasks.get(key)

    # ------------------------------------------------------------------ waiting and streams

    def generation(self, job_type: str) -> int:
        """How often jobs of `job_type` were signalled; a poll waits for it to change."""
        return self._signal(job_type).generation

    def wait_ready(self, job_type: str, seen: int, timeout_s: float) -> None:
        """Wait (without the engine lock) until jobs of `job_type` are signalled after `seen`."""
        signal = self._signal(job_type)
        with signal.condition:
            signal.condition.wait_for(lambda: signal.generation != seen, timeout=timeout_s)

    def notify(self, job_types: Iterable[str]) -> None:
        """Jobs of these types became activatable and are committed: wake their polls."""
        for job_type in job_types:
            signal = self._signals.get(job_type)
            if signal is not None:
                with signal.condition:
                    signal.generation += 1
                    signal.condition.notify_all()

    def notify_all(self) -> None:
        self.notify(list(self._signals))

    def _signal(self, job_type: str) -> _Signal:
        found = self._signals.get(job_type)
        if found is None:
            with self._signals_lock:
                found = self._signals.setdefault(job_type, _Signal())
        return found

    def streams_by_type(self) -> dict[str, list[JobStream]]:
        by_type: dict[str, list[JobStream]] = {}
        for stream in self.streams:
            by_type.setdefault(stream.type, []).append(stream)
        return by_type

    # ------------------------------------------------------------------ indexes

    def _index(self, key: int, instance_key: int, element_key: int) -> None:
        self._by_instance.setdefault(instance_key, set()).add(key)
        self._by_element[element_key] = key

    def _unindex(self, key: int, instance_key: int, element_key: int) -> None:
        keys = self._by_instance.get(instance_key)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_instance[instance_key]
        if self._by_element.get(element_key) == key:
            del self._by_element[element_key]


class _Signal:
    def __init__(self) -> None:
        self.condition = threading.Condition(threading.Lock())
        self.generation = 0


def activatable(job: Job, now_ms: int) -> bool:
    return job.state == JobState.ACTIVATABLE and job.backoff_until_ms <= now_ms
