"""Open message and signal subscriptions, indexed by instance and by name: publishing a message,
broadcasting a signal or ending an instance looks at the subscriptions it concerns, not at all."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from jiuzhu.engine.records import Subscription


class Subscriptions:
    def __init__(self, found: Iterable[Subscription] = ()) -> None:
        self.items: dict[int, Subscription] = {}
        self._by_instance: dict[int, set[int]] = {}
        self._by_name: dict[str, set[int]] = {}  # message or signal name -> keys
        for subscription in found:
            self.add(subscription)

    def add(self, subscription: Subscription) -> None:
        self.items[subscription.key] = subscription
        self._by_instance.setdefault(subscription.instance_key, set()).add(subscription.key)
        self._by_name.setdefault(subscription.message_name, set()).add(subscription.key)

    def remove(self, subscription: Subscription) -> None:
        if self.items.pop(subscription.key, None) is None:
            return
        _discard(self._by_instance, subscription.instance_key, subscription.key)
        _discard(self._by_name, subscription.message_name, subscription.key)

    def of_instance(self, instance_key: int) -> list[Subscription]:
        return [self.items[k] for k in sorted(self._by_instance.get(instance_key, ()))]

    def named(self, name: str, kind: str, correlation_key: str | None = None) -> list[Subscription]:
        """Open subscriptions of `kind` to `name` (and `correlation_key` for messages), oldest first."""
        found = (self.items[k] for k in sorted(self._by_name.get(name, ())))
        return [
            s for s in found if s.kind == kind and (correlation_key is None or s.correlation_key == correlation_key)
        ]


K = TypeVar("K", bound=Hashable)


def _discard(index: dict[K, set[int]], value: K, key: int) -> None:
    keys = index.get(value)
    if keys is not None:
        keys.discard(key)
        if not keys:
            del index[value]
