"""Fixed texts of written notices: decision sentences, legal basis, redress (告知救济途径).

Article references are the national texts DOMAIN.md names; the county's legal office should
confirm them (and add local rules) before production use.
"""

from datetime import date

from jiuzhu.policy.money import format_yuan
from schemas.enums import DecisionOutcome, Programme
from schemas.tables import Decision

LAW_IN_FORCE = date(2026, 7, 1)  # 中华人民共和国社会救助法

_BASIS = {
    Programme.DIBAO: "《社会救助暂行办法》第十一条；《最低生活保障审核确认办法》（民政部2021年）第二十一条",
    Programme.NEAR_POOR: "《社会救助暂行办法》第十一条；《最低生活保障审核确认办法》（民政部2021年）第二十一条",
    Programme.TEKUN: "《社会救助暂行办法》第十四条、第十五条；《特困人员认定办法》（民政部2021年）",
    Programme.TEMPORARY_EMERGENCY: "《社会救助暂行办法》第四十七条、第四十八条；"
    "《关于进一步加强和改进临时救助工作的意见》（民政部、财政部2018年）",
    Programme.TEMPORARY_EXPENDITURE: "《社会救助暂行办法》第四十七条、第四十八条；"
    "《关于进一步加强和改进临时救助工作的意见》（民政部、财政部2018年）",
}


def legal_basis(programme: Programme, on: date) -> str:
    basis = _BASIS[programme]
    return f"《中华人民共和国社会救助法》；{basis}" if on >= LAW_IN_FORCE else basis


def redress(county: str) -> str:
    return (
        f"如对本决定不服，可以自收到本文书之日起六十日内向{county}人民政府申请行政复议，"
        "也可以自收到本文书之日起六个月内依法向人民法院提起行政诉讼。"
    )


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
