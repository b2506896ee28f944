"""Vocabulary of the case record and the job contracts.

Values are the Chinese terms the county's documents use (as ``jiuzhu.policy`` does for
``Programme`` or ``SelfCareLevel``); they travel in job variables and BPMN conditions. The
database stores the member *names* (ASCII), so relabelling a value never rewrites rows.
Policy enums are reused where they fit: case type = ``Programme``, add-on categories =
``MemberCategory``, disability = ``DisabilityKind``, urban/rural = ``Area``, 急难 causes =
``EmergencyCause``, 特困 care = ``SelfCareLevel``.
"""

from __future__ import annotations

import enum

from jiuzhu.policy import Area, DisabilityKind, EmergencyCause, MemberCategory, Programme, SelfCareLevel

__all__ = [
    "Area",
    "CasePath",
    "CaseStatus",
    "Channel",
    "CheckOutcome",
    "CheckSource",
    "DecisionOutcome",
    "DisabilityKind",
    "EmergencyCause",
    "MemberCategory",
    "NoticeKind",
    "ObjectionStatus",
    "PaymentKind",
    "PaymentStatus",
    "Programme",
    "RecheckOutcome",
    "ReferralStatus",
    "ReferralTarget",
    "Relationship",
    "SelfCareLevel",
    "SignatoryRole",
    "StaffRole",
    "VillageKind",
    "WorkCapacity",
]


class StaffRole(enum.StrEnum):
    VILLAGE_ASSISTANT = "协理员"
    CASEWORKER = "经办人"
    LEADER = "分管领导"
    COUNTY_SUPERVISOR = "县民政局"
    SYSTEM_ADMIN = "系统管理员"  # the county's operator of the engine: the operations console, no casework


class VillageKind(enum.StrEnum):
    ADMINISTRATIVE = "行政村"
    COMMUNITY = "社区"
    NATURAL = "自然村"  # where the county publishes approval results
    GROUP = "村民小组"


class CasePath(enum.StrEnum):
    """Which procedure a case follows. Values are ``jiuzhu.policy`` profile names."""

    REFORM = "county"
    NATIONAL = "national"


class CaseStatus(enum.StrEnum):
    ACCEPTED = "已受理"
    CHECKING = "核对中"
    VISITING = "入户调查"
    AWAITING_APPROVAL = "待审批"
    IN_PUBLICITY = "公示中"
    APPROVED = "已批准"
    REJECTED = "不予批准"
    RELIEVED_FIRST = "已先行救助"  # 急难型: paid, paperwork pending
    WITHDRAWN = "已撤回"
    TERMINATED = "已停发"
    CLOSED = "已结案"
    CANCELLED = "已终止办理"  # its process instance was cancelled in the engine (jiuzhu/tasklist/reconcile.py)


class Channel(enum.StrEnum):
    ONE_WINDOW = "一窗受理"
    PROXY = "帮办代办"  # a village assistant applied on the household's behalf
    ONLINE = "网上申请"


class Relationship(enum.StrEnum):
    SELF = "本人"
    SPOUSE = "配偶"
    CHILD = "子女"
    PARENT = "父母"
    GRANDCHILD = "孙子女"
    GRANDPARENT = "祖父母"
    SIBLING = "兄弟姐妹"
    OTHER = "其他"


class WorkCapacity(enum.StrEnum):
    ABLE = "有劳动能力"
    PARTLY = "部分丧失劳动能力"
    NONE = "无劳动能力"


class CheckSource(enum.StrEnum):
    """Data sources of the economic-status check (最低生活保障审核确认办法 Art. 17)."""

    HUKOU = "户籍"
    TAX = "税务"
    SOCIAL_INSURANCE = "社会保险"
    REAL_ESTATE = "不动产"
    BUSINESS_REGISTRATION = "市场主体登记"
    HOUSING_FUND = "住房公积金"
    VEHICLES = "车辆"
    BANK_DEPOSITS = "银行存款"
    COMMERCIAL_INSURANCE = "商业保险"
    SECURITIES = "证券"
    ONLINE_PAYMENT = "网络支付余额"


class CheckOutcome(enum.StrEnum):
    MEETS = "符合"
    FAILS = "不符合"
    NEEDS_VERIFICATION = "需进一步核实"


class SignatoryRole(enum.StrEnum):
    VISITOR = "调查人员"
    FAMILY = "家庭成员"


class DecisionOutcome(enum.StrEnum):
    APPROVED = "批准"
    REJECTED = "不予批准"


class ObjectionStatus(enum.StrEnum):
    RECEIVED = "已收到"
    UNDER_REVIEW = "核查中"
    UPHELD = "异议成立"
    DISMISSED = "异议不成立"


class NoticeKind(enum.StrEnum):
    REJECTION = "不予批准告知书"
    APPROVAL = "批准通知书"
    CHANGE = "变更告知书"  # 减发、停发 after a re-check (law Art. 48)
    MISSING_MATERIALS = "一次性告知书"


class PaymentKind(enum.StrEnum):
    MONTHLY = "按月发放"
    EMERGENCY = "先行救助"
    ONE_OFF = "一次性救助"
    ARREARS = "补发"  # a month owed but not paid in its own run (a late decision, a raise recorded after the run)


class PaymentStatus(enum.StrEnum):
    SCHEDULED = "待发放"
    PAID = "已发放"
    FAILED = "发放失败"


class ReferralTarget(enum.StrEnum):
    MEDICAL = "医疗救助"
    EDUCATION = "教育救助"
    CHARITY = "慈善帮扶"
    EMPLOYMENT = "就业救助"
    HOUSING = "住房救助"
    DIBAO = "低保"
    TEMPORARY = "临时救助"


class ReferralStatus(enum.StrEnum):
    OPEN = "已转介"
    ACCEPTED = "已接收"
    DECLINED = "未受理"
    CLOSED = "已办结"


class RecheckOutcome(enum.StrEnum):
    """Result of a dynamic-management re-check (动态管理)."""

    CONTINUE = "维持"
    ADJUST = "调整"
    TAPER = "渐退"  # income rose through work: keep paying for up to 6 months
    STOP = "停发"
