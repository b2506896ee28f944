"""Messages and signals: subscriptions of waiting elements, publication with time to live and
de-duplication, correlation (once per instance), signal broadcast, message and signal starts.
"""

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.util.task import TaskState

from jiuzhu.engine import events, expressions, scopes
from jiuzhu.engine.bpmn.specs import (
    ZeebeBoundaryEvent,
    ZeebeEventBasedGateway,
    ZeebeGatewayEvents,
    ZeebeMessageDefinition,
    ZeebeSignalDefinition,
    ZeebeStartEvent,
    spawn_boundary_path,
)
from jiuzhu.engine.errors import Code, EngineError, invalid
from jiuzhu.engine.records import (
    Instance,
    Message,
    Subscription,
)
from jiuzhu.engine.runtime.core import EngineCore
from jiuzhu.engine.runtime.model import (
    DeployedProcess,
    _assign_path,
    _message_start_event,
    _top_start_events,
)


class CorrelationMixin(EngineCore):
    def publish_message(
        self, name: str, correlation_key: str, ttl_ms: int, message_id: str, variables: Mapping[str, Any]
    ) -> int:
        """Correlate to open subscriptions (one per instance) and message start events; keep the
        message buffered for its time to live so subscriptions opened later can still take it."""
        if not name:
            raise invalid("Expected to publish a message with a non-empty name")
        with self.command() as txn:
            now = self.now_ms()
            if message_id:
                for m in self.messages.values():
                    same = (m.name, m.correlation_key, m.message_id) == (name, correlation_key, message_id)
                    if same and m.expires_ms > now:
                        raise EngineError(
                            Code.ALREADY_EXISTS,
                            f"Expected to publish a new message with id '{message_id}', but a message with that id "
                            "was already published",
                        )
            message = Message(self.new_key(), name, correlation_key, message_id, now + max(ttl_ms, 0), dict(variables))
            for subscription in self._matching_subscriptions(name, correlation_key):
                if subscription.instance_key not in message.correlated and subscription.key in self.subscriptions:
                    self._correlate(subscription, message)
            self._start_by_message(message)
            correlated = bool(message.correlated or message.started)
            self._observe(lambda: self.observer.message_published(correlated=correlated))
            if ttl_ms > 0:
                self.messages[message.key] = message
                txn.wake = True
                txn.changes.put(message)
            return message.key

    def _matching_subscriptions(self, name: str, correlation_key: str) -> list[Subscription]:
        return self._subscriptions.named(name, "message", correlation_key)

    def _sync_subscriptions(self, instance: Instance, wf: Any) -> bool:
        """Open subscriptions for message catch events that now wait, close those that no longer
        do; returns True when a buffered message was delivered (the instance moved on)."""
        waiting: dict[tuple[str, int], tuple[Any, Any]] = {}
        for task in wf.event_manager.tasks.values():
            process_start = isinstance(task.task_spec, ZeebeStartEvent) and task.workflow.parent_task_id is None
            if task.state != TaskState.WAITING or process_start:
                continue  # a process's message start events are served by _start_by_message
            definition = task.task_spec.event_definition
            if isinstance(definition, ZeebeMessageDefinition | ZeebeSignalDefinition):
                waiting[(str(task.id), 0)] = (task, definition)
            elif isinstance(definition, ZeebeGatewayEvents):
                for slot, choice in enumerate(definition.choices):
                    if isinstance(choice, ZeebeMessageDefinition | ZeebeSignalDefinition):
                        waiting[(str(task.id), slot)] = (task, choice)
        for subscription in self._subscriptions.of_instance(instance.key):
            if (subscription.task_id, subscription.slot) not in waiting:
                self._close_subscription(subscription)
        open_slots = {(s.task_id, s.slot) for s in self._subscriptions.of_instance(instance.key)}
        for slot_key, (task, definition) in waiting.items():
            if slot_key in open_slots or task.internal_data.get("subscription_failed"):
                continue
            opened = self._open_subscription(instance, task, definition, slot_key[1])
            if opened is None or opened.kind != "message":
                continue
            for message in sorted(self.messages.values(), key=lambda m: m.key):
                matches = (message.name, message.correlation_key) == (opened.message_name, opened.correlation_key)
                if matches and instance.key not in message.correlated and message.expires_ms > self.now_ms():
                    self._correlate(opened, message, run=False)
                    self._tx().changes.put(message)
                    return True
        return False

    def _open_subscription(self, instance: Instance, task: Any, definition: Any, slot: int) -> Subscription | None:
        if isinstance(definition, ZeebeSignalDefinition):
            return self._add_subscription(instance, task, definition.name, "", slot, "signal")
        variables = scopes.visible(task)
        try:
            name = self.expressions.evaluate_string(definition.name, variables, "the message name")
            key_value = self.expressions.evaluate(definition.correlation_key or "", variables)
            if isinstance(key_value, bool) or not isinstance(key_value, str | int | float):
                raise expressions.ExpressionError(
                    f"expected the correlation key '{definition.correlation_key}' to be a string or a number, "
                    f"but it was {key_value!r}"
                )
        except expressions.ExpressionError as err:
            task.internal_data["subscription_failed"] = True
            self._raise_incident(task, "EXTRACT_VALUE_ERROR", str(err))
            return None
        if isinstance(key_value, float) and key_value.is_integer():
            key_value = int(key_value)
        return self._add_subscription(instance, task, name, str(key_value), slot, "message")

    def _add_subscription(
        self, instance: Instance, task: Any, name: str, correlation_key: str, slot: int, kind: str
    ) -> Subscription:
        subscription = Subscription(
            key=self.new_key(),
            instance_key=instance.key,
            task_id=str(task.id),
            element_id=task.task_spec.bpmn_id,
            message_name=name,
            correlation_key=correlation_key,
            created_ms=self.now_ms(),
            slot=slot,
            kind=kind,
        )
        self._subscriptions.add(subscription)
        self._tx().changes.put(subscription)
        return subscription

    def _close_subscription(self, subscription: Subscription) -> None:
        self._subscriptions.remove(subscription)
        self._tx().changes.drop(subscription)

    def _correlate(self, subscription: Subscription, message: Message, run: bool = True) -> None:
        message.correlated.append(subscription.instance_key)
        self._trigger(subscription, dict(message.variables), "message", run)

    def _trigger(self, subscription: Subscription, variables: dict[str, Any], kind: str, run: bool = True) -> None:
        """Deliver a message or signal to the waiting element behind `subscription`."""
        instance = self.instances[subscription.instance_key]
        task = self._task(instance, subscription.task_id)
        self._close_subscription(subscription)
        txn = self._tx()
        previous, txn.instance = txn.instance, instance
        try:
            if isinstance(task.task_spec, ZeebeEventBasedGateway):
                task.internal_data["chosen"] = subscription.slot
                task.internal_data["caught_variables"] = variables
                task.task_spec._update(task)
            elif isinstance(task.task_spec, ZeebeBoundaryEvent) and not task.task_spec.cancel_activity:
                self._spawn_from_boundary(task, variables)
            else:
                events.deliver(task, kind, variables)
            if run:
                self._run(instance)
        finally:
            txn.instance = previous

    def _spawn_from_boundary(self, boundary: Any, variables: dict[str, Any]) -> None:
        """A non-interrupting message boundary stays subscribed while its activity runs, as in
        Zeebe: each message starts a new token on its outgoing flow, the boundary keeps waiting."""
        spec = boundary.task_spec
        if spec.zeebe.outputs:
            context = {**scopes.visible(boundary), **variables}
            results: dict[str, Any] = {}
            for mapping in spec.zeebe.outputs:
                _assign_path(results, mapping.target, self.expressions.evaluate(mapping.source, context))
            variables = results
        scopes.propagate(list(scopes.chain(boundary, include_local=False)), variables)
        spawn_boundary_path(boundary)

    def broadcast_signal(self, name: str, variables: Mapping[str, Any]) -> int:
        """BroadcastSignal: every waiting signal catch event and every signal start event fires."""
        if not name:
            raise invalid("Expected to broadcast a signal with a non-empty name")
        with self.command():
            key = self.new_key()
            self._broadcast(name, dict(variables))
            return key

    def throw_signal(self, task: Any, name: str) -> None:
        """A signal throw event ran: broadcast once the task has finished its step."""
        self._tx().signals.append((name, {}))

    def _broadcast(self, name: str, variables: dict[str, Any], running: int | None = None) -> None:
        """`running`: the instance whose steps are under way (a throw event's); it is not re-entered,
        its own step loop picks the triggered elements up."""
        targets = self._subscriptions.named(name, "signal")
        for subscription in targets:
            if subscription.key in self.subscriptions and subscription.instance_key in self.instances:
                self._trigger(subscription, dict(variables), "signal", run=subscription.instance_key != running)
        for deployed in list(self.latest.values()):
            for start in _top_start_events(deployed.spec):
                definition = start.event_definition
                if isinstance(definition, ZeebeSignalDefinition) and definition.name == name:
                    self._start_at(deployed, start, "signal", variables)

    def _start_at(self, deployed: DeployedProcess, start: Any, kind: str, variables: dict[str, Any]) -> Instance:
        """A new instance through one of its event start events (message or signal)."""
        instance = self._new_instance(deployed, {})
        wf = self.workflow(instance)
        txn = self._tx()
        previous, txn.instance = txn.instance, instance
        try:
            self._run(instance)
            waiting = [t for t in wf.event_manager.tasks.values() if t.task_spec is start]
            if waiting:
                events.deliver(waiting[0], kind, dict(variables))
            self._run(instance)
        finally:
            txn.instance = previous
        return instance

    def _start_by_message(self, message: Message) -> None:
        """Message start events: one new instance per process, unless one started by the same
        correlation key is still active (Zeebe's rule)."""
        for deployed in list(self.latest.values()):
            start = _message_start_event(deployed.spec, message.name)
            if start is None or deployed.definition.bpmn_process_id in message.started:
                continue
            busy = any(
                i.bpmn_process_id == deployed.definition.bpmn_process_id
                and i.correlation_key == message.correlation_key
                and message.correlation_key
                for i in self.instances.values()
            )
            if busy:
                continue
            message.started.append(deployed.definition.bpmn_process_id)
            instance = self._start_at(deployed, start, "message", dict(message.variables))
            instance.correlation_key = message.correlation_key
