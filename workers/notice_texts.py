"""Fixed texts of written notices: decision sentences, legal basis, redress (告知救济途径).

The legal basis and the redress clause come from ``jiuzhu.policy.legal`` (one table per profile,
each row with its source and whether the county's legal office must confirm it).
"""

from datetime import date

from jiuzhu.policy import legal
from jiuzhu.policy.money import format_yuan
from schemas.enums import DecisionOutcome, Programme
from schemas.tables import Decision

# Legal basis and redress are policy data, one table per profile, with sources: jiuzhu/policy/legal.py.
LAW_IN_FORCE = legal.LAW_IN_FORCE
legal_basis = legal.legal_basis
redress = legal.redress


def rejection_decision(programme: Programme, by_check: bool) -> str:
    how = "经家庭经济状况核对" if by_check else "经审核"
    return f"{how}，你户不符合{programme.value}条件，决定不予批准。"


def _month(day: date) -> str:
    return f"{day.year}年{day.month}月"


def approval_decision(programme: Programme, decision: Decision) -> str:
    amount = format_yuan(decision.amount) if decision.amount is not None else ""
    if programme.value.endswith("临时救助"):
        return f"经审核，你户符合{programme.value}条件，决定给予临时救助金 {amount}。"
    start = _month(decision.effective_month) if decision.effective_month else ""
    return f"经审核，你户符合{programme.value}条件，决定自{start}起按月发放救助金，每月 {amount}。"


def change_decision(programme: Programme, decision: Decision) -> str:
    start = _month(decision.effective_month) if decision.effective_month else "次月"
    if decision.outcome is DecisionOutcome.REJECTED or decision.amount is None:
        return f"经复核，决定自{start}起停止发放你户{programme.value}金。"
    return f"经复核，决定自{start}起将你户{programme.value}金调整为每月 {format_yuan(decision.amount)}。"
