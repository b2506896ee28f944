"""Jobs and user tasks: creation when an element is reached, activation (long polls and streams),
completion, failure with retries and back-off, BPMN errors from workers, user-task records.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from jiuzhu.engine import expressions, scopes
from jiuzhu.engine.errors import invalid, not_found, precondition
from jiuzhu.engine.records import (
    Job,
    JobState,
    UserTask,
    UserTaskState,
)
from jiuzhu.engine.runtime.core import EngineCore
from jiuzhu.engine.runtime.model import (
    DEFAULT_LONG_POLL_MS,
    USER_TASK_JOB_TYPE,
    ActivatedJob,
    JobStream,
    _monotonic,
    _Txn,
)


class JobsMixin(EngineCore):
    def start_job(self, task: Any, spec: Any) -> None:
        """A job-based task was reached: evaluate its definition and create the job."""
        instance = self._instance_of(task)
        variables = self._apply_inputs(task, spec)
        ext = spec.zeebe
        headers = dict(ext.headers)
        if ext.task_definition is not None and ext.user_task is None:
            job_type = self.expressions.evaluate_string(ext.task_definition.type, variables, "the job type")
            retries = self.expressions.evaluate_int(ext.task_definition.retries, variables, "the job retries")
        else:  # a user task without zeebe:userTask is a job for Tasklist's job worker, whatever its
            # zeebe:taskDefinition says (Zeebe ignores one on a user task)
            job_type, retries = USER_TASK_JOB_TYPE, 1
            headers.update(self._user_task_headers(ext.user_task, variables))
        element_key = task.internal_data.setdefault("key", self.new_key())
        definition = self._definition_of(instance)
        job = Job(
            key=self.new_key(),
            type=job_type,
            state=JobState.ACTIVATABLE,
            instance_key=instance.key,
            element_instance_key=element_key,
            element_id=spec.bpmn_id,
            task_id=str(task.id),
            bpmn_process_id=instance.bpmn_process_id,
            version=instance.version,
            definition_key=definition.key,
            retries=retries,
            custom_headers=headers,
            created_ms=self.now_ms(),
        )
        self.board.add_job(job)
        self._tx().changes.put(job)
        self._tx().ready_types.add(job_type)
        self._observe(lambda: self.observer.job_created(job_type))

    def _user_task_headers(self, ut: Any, variables: Mapping[str, Any]) -> dict[str, str]:
        assignment = self._assignment(ut, variables)
        headers: dict[str, str] = {}
        if assignment["assignee"]:
            headers["io.camunda.zeebe:assignee"] = assignment["assignee"]
        if assignment["candidate_groups"]:
            headers["io.camunda.zeebe:candidateGroups"] = json.dumps(assignment["candidate_groups"])
        if assignment["candidate_users"]:
            headers["io.camunda.zeebe:candidateUsers"] = json.dumps(assignment["candidate_users"])
        for name, value in (
            ("dueDate", assignment["due_date"]),
            ("followUpDate", assignment["follow_up_date"]),
            ("formKey", assignment["form_key"]),
        ):
            if value:
                headers[f"io.camunda.zeebe:{name}"] = value
        return headers

    def _assignment(self, ut: Any, variables: Mapping[str, Any]) -> dict[str, Any]:
        def text(value: str | None, what: str) -> str | None:
            if not value:
                return None
            result = self.expressions.evaluate(value, variables)
            if result is None:
                return None
            if not isinstance(result, str):
                raise expressions.ExpressionError(f"expected {what} '{value}' to be a string, got {result!r}")
            return result

        def names(value: str | None, what: str) -> list[str]:
            if not value:
                return []
            result = self.expressions.evaluate(value, variables)
            if isinstance(result, str):
                return [s.strip() for s in result.split(",") if s.strip()]
            if isinstance(result, list) and all(isinstance(s, str) for s in result):
                return list(result)
            raise expressions.ExpressionError(f"expected {what} '{value}' to be a list of strings, got {result!r}")

        form_key = ut.form_key
        if ut.form_id:
            form_key = f"camunda-forms:bpmn:{ut.form_id}"
        elif ut.external_reference:
            form_key = text(ut.external_reference, "the form reference")
        priority: Any = self.expressions.evaluate(ut.priority, variables) if ut.priority else 50
        if isinstance(priority, str) and priority.strip().lstrip("-").isdigit():
            priority = int(priority)  # a static priority="70" is a number, as in Zeebe
        return {
            "assignee": text(ut.assignee, "the assignee"),
            "candidate_groups": names(ut.candidate_groups, "the candidate groups"),
            "candidate_users": names(ut.candidate_users, "the candidate users"),
            "due_date": text(ut.due_date, "the due date"),
            "follow_up_date": text(ut.follow_up_date, "the follow-up date"),
            "priority": int(priority) if isinstance(priority, int | float) else 50,
            "form_key": form_key,
        }

    def start_user_task(self, task: Any, spec: Any) -> None:
        instance = self._instance_of(task)
        variables = self._apply_inputs(task, spec)
        assignment = self._assignment(spec.zeebe.user_task, variables)
        definition = self._definition_of(instance)
        element_key = task.internal_data.setdefault("key", self.new_key())
        record = UserTask(
            key=self.new_key(),
            instance_key=instance.key,
            element_instance_key=element_key,
            element_id=spec.bpmn_id,
            task_id=str(task.id),
            bpmn_process_id=instance.bpmn_process_id,
            version=instance.version,
            definition_key=definition.key,
            state=UserTaskState.CREATED,
            element_name=spec.bpmn_name,
            created_ms=self.now_ms(),
            **assignment,
        )
        task.internal_data["user_task_key"] = record.key
        self.board.add_user_task(record)
        self._tx().changes.put(record)

    def _activate(self, job: Job, worker: str, timeout_ms: int, fetch: list[str]) -> ActivatedJob:
        job.state = JobState.ACTIVATED
        job.worker = worker
        job.deadline_ms = self.now_ms() + max(timeout_ms, 0)
        self._schedule_job(job)
        self._tx().changes.put(job)
        instance = self.instances[job.instance_key]
        task = self._task(instance, job.task_id)
        variables = scopes.visible(task)
        if fetch:
            variables = {k: v for k, v in variables.items() if k in fetch}
        return ActivatedJob(job, variables)

    def activate_jobs(
        self,
        job_type: str,
        worker: str,
        timeout_ms: int,
        max_jobs: int,
        fetch: list[str],
        request_timeout_ms: int = 0,
        is_active: Callable[[], bool] = lambda: True,
    ) -> list[ActivatedJob]:
        """ActivateJobs with Zeebe's long polling: 0 waits the default, negative answers at once."""
        if not job_type:
            raise invalid("Expected to activate jobs of a non-empty type")
        if max_jobs < 1:
            raise invalid(f"Expected to activate at least one job, but maxJobsToActivate was {max_jobs}")
        wait_ms = DEFAULT_LONG_POLL_MS if request_timeout_ms == 0 else max(request_timeout_ms, 0)
        deadline = self.clock_free_deadline(wait_ms)
        while True:
            with self.lock:
                if not is_active():  # a poll whose caller has gone must not take jobs
                    return []
                candidates = self.board.take_ready(job_type, max_jobs, self.now_ms())
                if candidates:
                    with self.command(deferred=True) as txn:
                        activated = [self._activate(j, worker, timeout_ms, fetch) for j in candidates]
                    break
                seen = self.board.generation(job_type)
            remaining = deadline - _monotonic()
            if remaining <= 0:
                return []
            self.board.wait_ready(job_type, seen, min(remaining, 0.5))
        self.settle(txn)  # answered once the activation is committed, outside the engine lock
        return activated

    def yield_jobs(self, keys: list[int]) -> None:
        """Jobs activated for a caller that vanished before receiving them go back to the pool."""
        with self.command() as txn:
            for key in keys:
                job = self.jobs.get(key)
                if job is not None and job.state == JobState.ACTIVATED:
                    job.state, job.worker, job.deadline_ms = JobState.ACTIVATABLE, "", -1
                    txn.changes.put(job)
                    self._job_ready(job)

    @staticmethod
    def clock_free_deadline(wait_ms: int) -> float:
        # Long polls wait in real time even under a controlled engine clock.
        return _monotonic() + wait_ms / 1000

    def open_stream(self, stream: JobStream) -> None:
        """Jobs that become activatable from now on are pushed; the backlog stays for polling, as in
        Zeebe, so a reconnecting worker is not flooded beyond what it asked for."""
        with self.lock:
            self.board.streams.append(stream)

    def close_stream(self, stream: JobStream) -> None:
        with self.lock:
            if stream in self.board.streams:
                self.board.streams.remove(stream)

    def _push_to_streams(self, txn: _Txn) -> None:
        """Jobs that became activatable in this command go to the open streams of their type,
        activated in the same transaction; they are sent once it is committed (`settle`)."""
        by_type = self.board.streams_by_type()
        now = self.now_ms()
        for job_type in sorted(txn.ready_types):
            streams = by_type.get(job_type)
            if not streams:
                continue
            for index, job in enumerate(self.board.take_ready(job_type, 1 << 30, now)):
                stream = streams[index % len(streams)]
                txn.pushes.append((stream, self._activate(job, stream.worker, stream.timeout_ms, stream.fetch)))

    def _job(self, key: int, action: str) -> Job:
        job = self.jobs.get(key)
        if job is None:
            raise not_found(f"Expected to {action} job with key '{key}', but no such job was found")
        return job

    def complete_job(self, key: int, variables: Mapping[str, Any]) -> None:
        with self.command() as txn:
            job = self._job(key, "complete")
            if job.state not in (JobState.ACTIVATED, JobState.ACTIVATABLE):
                raise precondition(f"Expected to complete job with key '{key}', but it is in state '{job.state}'")
            instance = self.instances[job.instance_key]
            self._focus(instance, job.task_id, job)
            task = self._task(instance, job.task_id)
            self._drop_job(job)
            seconds = max(self.now_ms() - job.created_ms, 0) / 1000
            self._observe(lambda: self.observer.job_completed(job.type, seconds))
            txn.instance = instance
            self._finish_task(instance, task, dict(variables))
            self._run(instance)
            txn.instance = None

    def fail_job(
        self, key: int, retries: int, error_message: str, backoff_ms: int, variables: Mapping[str, Any]
    ) -> None:
        with self.command() as txn:
            job = self._job(key, "fail")
            if job.state != JobState.ACTIVATED:
                raise precondition(f"Expected to fail job with key '{key}', but it is in state '{job.state}'")
            instance = self.instances[job.instance_key]
            job.retries = retries
            job.error_message = error_message
            job.worker = ""
            self._observe(lambda: self.observer.job_failed(job.type, retries))
            job.deadline_ms = -1
            if variables:
                task = self._task(instance, job.task_id)
                local = scopes.local_scope(task, create=True)
                assert local is not None
                local.update(variables)
                txn.touched.add(instance.key)
            if retries > 0:
                job.state = JobState.ACTIVATABLE
                job.backoff_until_ms = self.now_ms() + backoff_ms if backoff_ms > 0 else 0
                self._schedule_job(job)
                if backoff_ms <= 0:
                    self._job_ready(job)
            else:
                job.state = JobState.FAILED
                task = self._task(instance, job.task_id)
                message = error_message or "No more retries left."
                self._raise_incident(task, "JOB_NO_RETRIES", message, job)
            txn.changes.put(job)

    def throw_error(self, key: int, error_code: str, error_message: str, variables: Mapping[str, Any]) -> None:
        """A BPMN error from a worker: the nearest catching boundary takes it, with the variables in
        its local scope; an error nobody catches raises an incident, as in Zeebe."""
        with self.command() as txn:
            job = self._job(key, "throw an error for")
            if job.state not in (JobState.ACTIVATED, JobState.ACTIVATABLE):
                raise precondition(
                    f"Expected to throw an error for job with key '{key}', but it is in state '{job.state}'"
                )
            instance = self.instances[job.instance_key]
            self._focus(instance, job.task_id, job)
            task = self._task(instance, job.task_id)
            txn.instance = instance
            found = self._find_catch(instance, task, "error", error_code, include_self=True)
            self._observe(lambda: self.observer.job_error_thrown(job.type, caught=found is not None))
            if found is not None:
                self._drop_job(job)
                self._deliver(found[0], found[1], "error", dict(variables))
                self._run(found[0])
                if instance.key != found[0].key and instance.key in self.instances:
                    self._run(instance)
                txn.instance = None
                return
            job.state = JobState.ERROR_THROWN
            job.error_message = error_message
            job.deadline_ms = -1
            txn.changes.put(job)
            message = f"Expected to throw an error event with the code '{error_code}'"
            message += (
                f" with message '{error_message}', but it was not caught."
                if error_message
                else ", but it was not caught."
            )
            self._raise_incident(task, "UNHANDLED_ERROR_EVENT", message, job)

    def update_job_retries(self, key: int, retries: int) -> None:
        with self.command() as txn:
            job = self._job(key, "update retries of")
            if retries < 1:
                raise invalid(f"Expected to update job retries with a positive amount, but was {retries}")
            job.retries = retries
            txn.changes.put(job)

    def update_job_timeout(self, key: int, timeout_ms: int) -> None:
        with self.command() as txn:
            job = self._job(key, "update the timeout of")
            if job.state != JobState.ACTIVATED:
                raise precondition(f"Expected to update the timeout of job with key '{key}', but it is not active")
            job.deadline_ms = self.now_ms() + timeout_ms
            self._schedule_job(job)
            txn.changes.put(job)

    def user_task(self, key: int) -> UserTask:
        record = self.user_tasks.get(key)
        if record is None:
            raise not_found(f"Expected to find a user task with key '{key}', but none was found")
        return record

    def user_task_variables(self, key: int) -> dict[str, Any]:
        with self.lock:
            record = self.user_task(key)
            return scopes.visible(self._task(self.instances[record.instance_key], record.task_id))

    def assign_user_task(self, key: int, assignee: str | None) -> UserTask:
        with self.command() as txn:
            record = self.user_task(key)
            record.assignee = assignee or None
            txn.changes.put(record)
            return record

    def complete_user_task(self, key: int, variables: Mapping[str, Any]) -> None:
        with self.command() as txn:
            record = self.user_task(key)
            instance = self.instances[record.instance_key]
            self._focus(instance, record.task_id)
            task = self._task(instance, record.task_id)
            record.state = UserTaskState.COMPLETED
            record.completed_ms = self.now_ms()
            self.board.remove_user_task(key)
            txn.changes.put(record)
            txn.instance = instance
            self._finish_task(instance, task, dict(variables))
            self._run(instance)
            txn.instance = None
