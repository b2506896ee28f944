"""Who a staff login is, for the engine: the OIDC sign-in path (``jiuzhu engine --oidc-person-claim``).

A token from the county's identity provider (Keycloak) names a login; the engine acts for that
person only if the case record's staff table lists the login as active, with the role, township and
villages the task list would give them (``caserecord.principal_for``, the task list's own rule).
Answers are kept for ``ttl_s``, so a deactivated account loses access within that time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jiuzhu.engine.auth.person import Person
from jiuzhu.tasklist.caserecord import principal_for

log = logging.getLogger(__name__)
MAX_CACHED = 1000


class StaffDirectory:
    def __init__(self, db: Engine, ttl_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.db, self.ttl_s, self.clock = db, ttl_s, clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Person | None, float]] = {}

    def __call__(self, login: str) -> Person | None:
        now = self.clock()
        with self._lock:
            cached = self._cache.get(login)
            if cached is not None and now < cached[1]:
                return cached[0]
        try:
            principal = principal_for(self.db, login)
        except SQLAlchemyError as err:  # no case record to ask: nobody is known
            log.error("staff directory: cannot read the case record: %s", err)
            return None
        person = None
        if principal is not None:
            role = principal.role.value
            person = Person(
                principal.login, role, principal.township_id, principal.township_code, principal.village_ids
            )
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[login] = (person, now + self.ttl_s)
        return person
