"""Complaints (投诉举报, 信访) about social assistance: channels and the statutory time limit.

The county speech asks for published complaint channels (监督举报方式) and a bureau that supervises
事中事后; DOMAIN.md names 12349 and a local number on every 公示. A complaint is taken by the hotline
(12349), at the window (来访) or by letter (来信) and must be answered within the limit of the
《信访工作条例》 (2022): 60 days from acceptance, counted in calendar days (the day of receipt not
counted). Pure: the instant of receipt is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from jiuzhu.policy.calendar import CST
from jiuzhu.policy.errors import PolicyError

CHANNELS = ("12349热线", "来访", "来信")
ANSWER_DAYS = 60  # 《信访工作条例》：自受理之日起60日内办结
MAX_CONTENT = 2000


@dataclass(frozen=True)
class ComplaintDeadline:
    received_on: date  # China time
    due_on: date  # the last day to answer


def complaint_deadline(received_at: datetime, days: int = ANSWER_DAYS) -> ComplaintDeadline:
    """The last day to answer a complaint received at ``received_at`` (aware)."""
    if received_at.tzinfo is None:
        raise PolicyError("naive_instant", "收到投诉的时间必须带时区")
    if days < 1:
        raise PolicyError("answer_days", f"答复期限必须至少1日，实际为 {days}")
    received = received_at.astimezone(CST).date()
    return ComplaintDeadline(received, received + timedelta(days=days))


def is_overdue(due_on: date, answered: bool, now: datetime) -> bool:
    """Past its last day and still unanswered (the day itself is still in time)."""
    return not answered and now.astimezone(CST).date() > due_on


def check_intake(channel: str, complainant: str, content: str) -> list[str]:
    """What is missing or wrong in an intake, as the person is told (empty: fine)."""
    problems = []
    if channel not in CHANNELS:
        problems.append("请选择投诉来源（12349热线、来访或来信）")
    if not complainant.strip():
        problems.append("请填写投诉人姓名（匿名的填写“匿名”）")
    if not content.strip():
        problems.append("请填写投诉内容")
    elif len(content) > MAX_CONTENT:
        problems.append(f"投诉内容不超过{MAX_CONTENT}字")
    return problems
