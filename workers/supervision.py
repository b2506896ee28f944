"""supervision.select-spot-check — county sampling, deterministic so a re-delivery draws the same."""

import hashlib

from pyzeebe import ZeebeTaskRouter

from schemas.contracts.jobs.approval import SelectSpotCheckInput, SelectSpotCheckOutput
from schemas.enums import CasePath, Programme
from workers.records import load_case
from workers.runtime import JobContext, job_type

router = ZeebeTaskRouter()

TEKUN_NATIONAL_RATE = 0.3  # 特困人员认定办法: on-site checks of at least 30 %
DEFAULT_RATE = 0.1  # placeholder: other cases (不重不漏 spot checks)


def sample_rate(case_type: Programme, path: CasePath) -> float:
    return TEKUN_NATIONAL_RATE if case_type is Programme.TEKUN and path is CasePath.NATIONAL else DEFAULT_RATE


def drawn(case_id: int, rate: float) -> bool:
    """Hash the case id to a point in [0, 1): the draw is reproducible and auditable."""
    digest = hashlib.sha256(f"spot-check:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


@job_type(router, "supervision.select-spot-check")
def select_spot_check(ctx: JobContext, data: SelectSpotCheckInput) -> SelectSpotCheckOutput:
    load_case(ctx, data.case_id)
    rate = sample_rate(data.case_type, data.path)
    selected = drawn(data.case_id, rate)
    ctx.note(selected=selected, rate=rate)
    return SelectSpotCheckOutput(spot_check_selected=selected, sample_rate=rate, selected_at=ctx.now)
