"""Legal texts of notices: a table per profile, every scheme with a source, the law cited once in force."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.policy import Programme, available_profiles, get_profile
from jiuzhu.policy.legal import LAW, LAW_IN_FORCE, REDRESS_SOURCE, basis_table, legal_basis, redress


@pytest.mark.parametrize("name", available_profiles())
def test_every_scheme_has_a_sourced_basis_marked_for_confirmation(name: str) -> None:
    table = basis_table(get_profile(name))
    assert set(table) == set(Programme)
    for basis in table.values():
        assert basis.text.startswith("《") and basis.source and basis.confirm


def test_the_social_assistance_law_is_cited_from_its_entry_into_force() -> None:
    before = legal_basis(Programme.DIBAO, date(2026, 6, 30))
    after = legal_basis(Programme.DIBAO, LAW_IN_FORCE)
    assert LAW not in before and after.startswith(LAW)


def test_the_redress_clause_states_both_time_limits() -> None:
    text = redress("广德市")
    assert "六十日内向广德市人民政府申请行政复议" in text and "六个月内依法向人民法院提起行政诉讼" in text
    assert "60日" in REDRESS_SOURCE and "6个月" in REDRESS_SOURCE
