"""一窗受理: which process a scheme starts, and which schemes a household's facts point to.

The routes are data the process designers can read beside the BPMN: each scheme names the
process id (``workflows/*.bpmn``) that handles it. Guidance is advice shown at the window before
submission; the process itself decides eligibility.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from jiuzhu.policy.amounts import categories_of
from jiuzhu.policy.categories import MemberCategory, Person
from jiuzhu.policy.eligibility import EmergencyCause, Programme, incapacity_reason
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.profiles import PolicyProfile, get_profile

APPLICATION_PROCESS = "assistance-application"  # workflows/assistance-application.bpmn
TEMPORARY_PROCESS = "temporary-assistance"  # workflows/temporary-assistance.bpmn

# Scheme → process id. Both profiles share it today; a profile that needs another process gets
# its own row here.
_ROUTES: Mapping[str, Mapping[Programme, str]] = MappingProxyType(
    {
        profile: MappingProxyType(
            {
                Programme.DIBAO: APPLICATION_PROCESS,
                Programme.NEAR_POOR: APPLICATION_PROCESS,
                Programme.TEKUN: APPLICATION_PROCESS,
                Programme.TEMPORARY_EMERGENCY: TEMPORARY_PROCESS,
                Programme.TEMPORARY_EXPENDITURE: TEMPORARY_PROCESS,
            }
        )
        for profile in ("county", "national")
    }
)


def process_for(programme: Programme | str, profile: PolicyProfile | None = None) -> str:
    """The BPMN process id that handles applications for ``programme``."""
    chosen = profile or get_profile()
    try:
        return _ROUTES[chosen.name][Programme(programme)]
    except (KeyError, ValueError):
        raise PolicyError("no_route", f"政策配置“{chosen.title}”未规定“{programme}”由哪个流程办理") from None


def routes(profile: PolicyProfile | None = None) -> Mapping[Programme, str]:
    return _ROUTES[(profile or get_profile()).name]


@dataclass(frozen=True)
class HouseholdMember:
    """What the window hears about one member (birth date comes from the ID number)."""

    name: str
    person: Person
    no_work_capacity: bool = False  # stated at the window (e.g. 无劳动能力 certificate)
    student: bool = False
    registered_poor: bool = False  # 建档立卡 / 脱贫


@dataclass(frozen=True)
class Pointer:
    """One piece of 一窗受理 guidance: a scheme (or a referral) and why the facts point to it."""

    scheme: str
    reason: str
    programme: Programme | None = None  # None: a referral outside the three schemes (转介)


def _no_capacity(member: HouseholdMember, on: date, profile: PolicyProfile) -> bool:
    return member.no_work_capacity or incapacity_reason(member.person, on, profile.tekun).met


def guidance(
    members: Iterable[HouseholdMember],
    *,
    on: date,
    emergency_cause: EmergencyCause | str | None = None,
    essential_spending: bool = False,
    profile: PolicyProfile | None = None,
) -> list[Pointer]:
    """Schemes the household's facts point to, most urgent first (DOMAIN.md: refer people hit by
    illness, accident or severe disability — 低保 if eligible, else 临时救助 — and to other aid)."""
    chosen = profile or get_profile()
    people = list(members)
    found: list[Pointer] = []
    if emergency_cause:
        found.append(
            Pointer(
                Programme.TEMPORARY_EMERGENCY.value,
                f"发生{emergency_cause}：{chosen.sla.emergency_hours}小时内先行救助，事后补充说明",
                Programme.TEMPORARY_EMERGENCY,
            )
        )
    if essential_spending:
        found.append(
            Pointer(
                Programme.TEMPORARY_EXPENDITURE.value,
                "医疗、教育等必需支出超出家庭承受能力",
                Programme.TEMPORARY_EXPENDITURE,
            )
        )
    if people and all(_no_capacity(m, on, chosen) for m in people):
        found.append(
            Pointer(
                Programme.TEKUN.value,
                "家庭成员均无劳动能力；如无生活来源且无有能力的法定义务人，可申请特困供养",
                Programme.TEKUN,
            )
        )
    severe_categories = {MemberCategory.SEVERELY_DISABLED, MemberCategory.SERIOUSLY_ILL}
    severe = [m.name for m in people if categories_of(m.person, on, chosen.benefits_on(on)) & severe_categories]
    if severe:
        names = "、".join(severe)
        found.append(
            Pointer(
                Programme.DIBAO.value,
                f"{names}为重度残疾人或重病患者：符合条件的享受分类施保；家庭不符合时可单人保",
                Programme.DIBAO,
            )
        )
    poor = [m.name for m in people if m.registered_poor]
    if poor:
        found.append(
            Pointer(
                Programme.DIBAO.value,
                f"{'、'.join(poor)}为建档立卡/脱贫人口：核查是否已纳入保障，防止漏保",
                Programme.DIBAO,
            )
        )
    if any(m.person.seriously_ill for m in people):
        found.append(Pointer("医疗救助", "有重病患者：同时引导申请医疗救助（转介）"))
    if any(m.student for m in people):
        found.append(Pointer("教育救助", "有在校学生：同时引导申请教育资助（转介）"))
    return found
