"""The memory of verified tokens (auth/cache.py): it saves signature checks, never a refusal, and
never lets a token live past its own expiry."""

from __future__ import annotations

from jiuzhu.engine.auth import TokenIssuer
from jiuzhu.engine.auth.cache import CachedVerifier
from jiuzhu.engine.auth.tokens import Principal

KEY = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """A verifier that counts how often it really checks."""

    def __init__(self, inner: TokenIssuer) -> None:
        self.inner = inner
        self.calls = 0

    def verify(self, token: str) -> Principal | None:
        self.calls += 1
        return self.inner.verify(token)


def setup(ttl_s: int = 60, **kwargs: float) -> tuple[Clock, TokenIssuer, Counting, CachedVerifier]:
    clock = Clock()
    issuer = TokenIssuer(KEY, ttl_s=ttl_s, clock=clock)
    counting = Counting(issuer)
    return clock, issuer, counting, CachedVerifier(counting, clock=clock, **kwargs)  # type: ignore[arg-type]


def test_an_accepted_token_is_checked_once_and_answers_the_same_principal() -> None:
    _, issuer, counting, cached = setup()
    token = issuer.issue("jiuzhu-worker", {"worker"})
    first = cached.verify(token)
    assert first is not None and first.client_id == "jiuzhu-worker" and first.scopes == {"worker"}
    assert [cached.verify(token) for _ in range(5)] == [first] * 5
    assert counting.calls == 1


def test_a_refused_token_is_checked_every_time() -> None:
    _, issuer, counting, cached = setup()
    forged = issuer.issue("jiuzhu-worker", {"worker"})[:-2] + "AA"
    assert [cached.verify(forged) for _ in range(3)] == [None] * 3
    assert counting.calls == 3 and len(cached) == 0


def test_a_token_one_character_away_from_a_remembered_one_is_verified_on_its_own() -> None:
    _, issuer, _, cached = setup()
    token = issuer.issue("jiuzhu-worker", {"worker"})
    assert cached.verify(token) is not None
    header, _, signature = token.split(".")
    admin = TokenIssuer(KEY).issue("jiuzhu-worker", {"admin"}).split(".")[1]
    assert cached.verify(f"{header}.{admin}.{signature}") is None  # a payload swapped under a good signature
    assert cached.verify(token + "x") is None


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    clock, issuer, counting, cached = setup(ttl_s=60)
    token = issuer.issue("jiuzhu-worker", {"worker"})
    assert cached.verify(token) is not None
    clock.now += 59
    assert cached.verify(token) is not None and counting.calls == 1
    clock.now += 1  # exp reached: the issuer refuses now, and so does the cache
    assert cached.verify(token) is None
    assert counting.calls == 2 and len(cached) == 0


def test_a_long_lived_token_is_verified_again_after_the_maximum_age() -> None:
    clock, issuer, counting, cached = setup(ttl_s=3600, max_age_s=10)
    token = issuer.issue("jiuzhu-worker", {"worker"})
    cached.verify(token)
    clock.now += 9
    cached.verify(token)
    assert counting.calls == 1
    clock.now += 1
    assert cached.verify(token) is not None and counting.calls == 2


def test_the_memory_is_bounded() -> None:
    _, issuer, counting, cached = setup(max_entries=16)
    tokens = [issuer.issue(f"client-{n}", {"worker"}) for n in range(100)]
    for token in tokens:
        assert cached.verify(token) is not None
    assert len(cached) <= 16
    calls = counting.calls
    assert cached.verify(tokens[-1]) is not None and counting.calls == calls  # the newest are kept
    assert cached.verify(tokens[0]) is not None and counting.calls == calls + 1  # the oldest made room
