"""supervision.select-spot-check — county sampling, deterministic so a re-delivery draws the same."""

import hashlib
from datetime import date

from pyzeebe import ZeebeTaskRouter

from jiuzhu.policy import PolicyProfile
from jiuzhu.policy.calendar import local_date
from schemas.contracts.jobs.approval import SelectSpotCheckInput, SelectSpotCheckOutput
from schemas.enums import CasePath, Programme
from workers.records import case_profile, load_case
from workers.runtime import JobContext, job_type

router = ZeebeTaskRouter()


def sample_rate(case_type: Programme, path: CasePath, profile: PolicyProfile, on: date) -> float:
    """The rate in force on ``on`` (data/standards.json): national 特困 on-site checks, else the county's."""
    rules = profile.spot_check_on(on)
    national_tekun = case_type is Programme.TEKUN and path is CasePath.NATIONAL
    return float(rules.tekun_national_rate if national_tekun else rules.default_rate)


def drawn(case_id: int, rate: float) -> bool:
    """Hash the case id to a point in [0, 1): the draw is reproducible and auditable."""
    digest = hashlib.sha256(f"spot-check:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


@job_type(router, "supervision.select-spot-check")
def select_spot_check(ctx: JobContext, data: SelectSpotCheckInput) -> SelectSpotCheckOutput:
    case = load_case(ctx, data.case_id)
    # the decision is taken just before this draw; the engine clock's date stands for it
    rate = sample_rate(data.case_type, data.path, case_profile(case), local_date(ctx.now))
    selected = drawn(data.case_id, rate)
    ctx.note(selected=selected, rate=rate)
    return SelectSpotCheckOutput(spot_check_selected=selected, sample_rate=rate, selected_at=ctx.now)
