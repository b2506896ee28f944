"""FEEL throughput: a typical gateway condition vs a plain Python lambda, and parse cache hits.

Run: .venv/bin/python bench/feel.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

from jiuzhu.engine.feel import compile, evaluate

CONDITION = 'amount > 1000 and status = "approved"'
VARIABLES = {"amount": 2500, "status": "approved", "applicant": "Zhang San", "township": "Xinan"}


def rate(fn: Callable[[], object], seconds: float = 1.0) -> float:
    n = 0
    batch = 1000
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def main() -> None:
    compiled = compile(CONDITION)
    assert compiled.evaluate(VARIABLES) is True

    def plain(v: dict[str, object]) -> bool:
        return v["amount"] > 1000 and v["status"] == "approved"  # type: ignore[operator]

    assert plain(VARIABLES) is True
    feel_rate = rate(lambda: compiled.evaluate(VARIABLES))
    python_rate = rate(lambda: plain(VARIABLES))
    cached_rate = rate(lambda: compile(CONDITION))
    full_rate = rate(lambda: evaluate(CONDITION, VARIABLES))

    start = time.perf_counter()
    for i in range(2000):
        compile(f'amount > {i} and status = "approved"')
    cold_rate = 2000 / (time.perf_counter() - start)

    print(f"condition: {CONDITION}")
    print(f"FEEL compiled evaluate      {feel_rate:>12,.0f} evals/s")
    print(f"plain Python lambda         {python_rate:>12,.0f} evals/s")
    print(f"ratio (lambda / FEEL)       {python_rate / feel_rate:>12.1f} x")
    print(f"evaluate() incl. cache hit  {full_rate:>12,.0f} evals/s")
    print(f"compile() cache hit         {cached_rate:>12,.0f} parses/s")
    print(f"compile() cold parse        {cold_rate:>12,.0f} parses/s")


if __name__ == "__main__":
    main()
