"""Legal texts of notices, one table per policy profile: each basis with its source, and marked
where the county's legal office must confirm it before production use.

The national texts are those DOMAIN.md names. Which articles a local office cites (and any
provincial rules it adds) is the county's call: rows marked ``confirm`` say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from jiuzhu.policy.eligibility import Programme
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.profiles import PolicyProfile, get_profile

LAW_IN_FORCE = date(2026, 7, 1)  # 中华人民共和国社会救助法, adopted 2026-04-30
LAW = "《中华人民共和国社会救助法》"


@dataclass(frozen=True)
class LegalBasis:
    text: str  # as the notice cites it
    source: str  # where the citation comes from
    confirm: bool = True  # the county's legal office must confirm the article numbers


_DIBAO = LegalBasis(
    "《社会救助暂行办法》第十一条；《最低生活保障审核确认办法》（民政部2021年）第二十一条",
    "DOMAIN.md：最低生活保障审核确认办法（MCA 2021）Art. 21（批准、不予批准及书面告知）",
)
_TEKUN = LegalBasis(
    "《社会救助暂行办法》第十四条、第十五条；《特困人员认定办法》（民政部2021年）",
    "DOMAIN.md：特困人员认定办法（MCA 2021）",
)
_TEMPORARY = LegalBasis(
    "《社会救助暂行办法》第四十七条、第四十八条；《关于进一步加强和改进临时救助工作的意见》（民政部、财政部2018年）",
    "DOMAIN.md：关于进一步加强和改进临时救助工作的意见（MCA/MOF 2018）",
)
_NATIONAL = MappingProxyType(
    {
        Programme.DIBAO: _DIBAO,
        Programme.NEAR_POOR: _DIBAO,
        Programme.TEKUN: _TEKUN,
        Programme.TEMPORARY_EMERGENCY: _TEMPORARY,
        Programme.TEMPORARY_EXPENDITURE: _TEMPORARY,
    }
)
# The county reform (seed-speech.txt) changes procedure, not the legal basis of a decision.
_TABLES: Mapping[str, Mapping[Programme, LegalBasis]] = MappingProxyType({"county": _NATIONAL, "national": _NATIONAL})

# Redress (告知救济途径): DOMAIN.md "Notices" — reconsideration within 60 days, litigation within 6 months.
REDRESS_SOURCE = (
    "《中华人民共和国行政复议法》第二十条；《中华人民共和国行政诉讼法》第四十六条（DOMAIN.md：60日 / 6个月）"
)


def basis_table(profile: PolicyProfile | None = None) -> Mapping[Programme, LegalBasis]:
    chosen = profile or get_profile()
    try:
        return _TABLES[chosen.name]
    except KeyError:
        raise PolicyError("no_legal_basis", f"政策配置“{chosen.title}”没有文书法律依据表") from None


def legal_basis(programme: Programme, on: date, profile: PolicyProfile | None = None) -> str:
    """The basis a notice issued on ``on`` cites (the Social Assistance Law first once in force)."""
    basis = basis_table(profile)[programme].text
    return f"{LAW}；{basis}" if on >= LAW_IN_FORCE else basis


def redress(county: str) -> str:
    return (
        f"如对本决定不服，可以自收到本文书之日起六十日内向{county}人民政府申请行政复议，"
        "也可以自收到本文书之日起六个月内依法向人民法院提起行政诉讼。"
    )
