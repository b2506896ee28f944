"""County spot checks (抽查) of decided cases: a monthly draw that anyone can reproduce.

The county speech asks the bureau to check 事中事后 that decisions are accurate; the rate is the county's
dated figure (``standards.spot_check_on``: ``default_rate``; 特困 on the national path 30 %). The draw
is stratified by township and scheme so every township is checked each month it decided cases: in
each stratum ``ceil(rate × size)`` cases (none when the rate is 0), the ones whose
``sha256(seed:case id)`` is smallest. The seed is recorded with the draw, so the same seed over the same
candidates gives the same cases. Pure: candidates, rate and seed are passed in.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jiuzhu.policy.errors import PolicyError

FINDINGS = ("相符", "不相符")


@dataclass(frozen=True)
class Candidate:
    case_id: int
    township_id: int
    scheme: str
    rate: Decimal | None = None  # a rate of its own (national 特困: 30 %), else the draw's


def default_seed(month: date) -> str:
    return f"抽查-{month.strftime('%Y-%m')}"


def month_of(text: str) -> date:
    """“2026-02” → 1 February 2026; refuses anything else in Chinese."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise PolicyError("month", f"月份格式应为“年-月”，如 2026-02，实际为“{text}”") from None


def _rank(seed: str, case_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{case_id}".encode()).digest()


def draw(candidates: Iterable[Candidate], rate: Decimal, seed: str) -> list[int]:
    """The case ids drawn, sorted; the same inputs always give the same answer."""
    if not Decimal(0) <= rate <= Decimal(1):
        raise PolicyError("rate", f"抽查比例须在 0 到 1 之间，实际为 {rate}")
    if not seed:
        raise PolicyError("seed", "抽查种子不能为空")
    strata: dict[tuple[int, str, Decimal], list[int]] = {}
    for c in candidates:
        strata.setdefault((c.township_id, c.scheme, rate if c.rate is None else c.rate), []).append(c.case_id)
    chosen: list[int] = []
    for (_, _, stratum_rate), cases in strata.items():
        unique = sorted(set(cases))
        size = math.ceil(stratum_rate * len(unique))
        chosen.extend(sorted(unique, key=lambda case_id: _rank(seed, case_id))[:size])
    return sorted(chosen)


def check_finding(finding: str, notes: str, corrective: str) -> list[str]:
    """An on-site check as the person is told what is missing (empty: fine)."""
    if finding not in FINDINGS:
        return ["请选择核查结论（相符或不相符）"]
    problems = []
    if not notes.strip():
        problems.append("请填写实地核查情况")
    if finding == "不相符" and not corrective.strip():
        problems.append("核查不相符的，请写明整改措施")
    return problems
