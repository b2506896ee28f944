"""County spot checks: a stratified, seeded draw that anyone can reproduce."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.spotcheck import Candidate, check_finding, default_seed, draw, month_of

pytestmark = pytest.mark.unit


def pool() -> list[Candidate]:
    # township 1: 25 低保 and 4 特困; township 2: 10 低保; township 3: 3 特困 on the national path (30 %)
    cases = [Candidate(i, 1, "低保") for i in range(1, 26)]
    cases += [Candidate(i, 1, "特困") for i in range(26, 30)]
    cases += [Candidate(i, 2, "低保") for i in range(30, 40)]
    cases += [Candidate(i, 3, "特困", Decimal("0.30")) for i in range(40, 43)]
    return cases


def test_each_stratum_gets_its_share_rounded_up_and_the_seed_reproduces_it() -> None:
    chosen = draw(pool(), Decimal("0.10"), "抽查-2026-02")
    by_stratum = [sum(1 for c in chosen if lo <= c < hi) for lo, hi in ((1, 26), (26, 30), (30, 40), (40, 43))]
    assert by_stratum == [3, 1, 1, 1]  # ceil(2.5), ceil(0.4), ceil(1.0), ceil(0.9)
    assert draw(list(reversed(pool())), Decimal("0.10"), "抽查-2026-02") == chosen  # order does not matter
    assert draw(pool(), Decimal("0.10"), "另一个种子") != chosen
    assert draw(pool(), Decimal("0"), "抽查-2026-02") == [c for c in chosen if 40 <= c < 43]  # only the 30 % stratum
    everything = draw(pool(), Decimal("1"), "x")  # the national 特困 stratum keeps its own 30 %
    assert everything[:-1] == list(range(1, 40)) and len(everything) == 40 and everything[-1] in (40, 41, 42)


def test_bad_inputs_are_refused_in_chinese() -> None:
    with pytest.raises(PolicyError, match="抽查比例"):
        draw(pool(), Decimal("1.5"), "x")
    with pytest.raises(PolicyError, match="种子"):
        draw(pool(), Decimal("0.1"), "")
    with pytest.raises(PolicyError, match="月份格式"):
        month_of("二月")
    assert month_of("2026-02") == date(2026, 2, 1) and default_seed(date(2026, 2, 1)) == "抽查-2026-02"
    assert check_finding("不相符", "收入与申报不符", "") == ["核查不相符的，请写明整改措施"]
    assert check_finding("相符", "属实", "") == []
