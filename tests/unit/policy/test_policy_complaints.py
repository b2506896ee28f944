"""投诉举报 time limit (《信访工作条例》, 60 days from acceptance) and intake checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jiuzhu.policy.complaints import check_intake, complaint_deadline, is_overdue
from jiuzhu.policy.errors import PolicyError

pytestmark = pytest.mark.unit


def test_the_deadline_counts_sixty_calendar_days_from_the_china_day_of_receipt() -> None:
    # 23:30 UTC on 9 March is 07:30 on 10 March in China: that day is the day of receipt.
    deadline = complaint_deadline(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    assert (deadline.received_on, deadline.due_on) == (date(2026, 3, 10), date(2026, 5, 9))
    with pytest.raises(PolicyError):
        complaint_deadline(datetime(2026, 3, 9, 23, 30))


def test_overdue_only_after_the_last_day_and_only_unanswered() -> None:
    due = date(2026, 5, 9)
    assert not is_overdue(due, False, datetime(2026, 5, 9, 15, 59, tzinfo=UTC))  # 23:59 in China
    assert is_overdue(due, False, datetime(2026, 5, 9, 16, 0, tzinfo=UTC))  # 10 May in China
    assert not is_overdue(due, True, datetime(2026, 6, 1, tzinfo=UTC))


def test_intake_problems_are_said_in_chinese() -> None:
    assert check_intake("12349热线", "匿名", "内容") == []
    assert check_intake("微博", " ", "x" * 2001) == [
        "请选择投诉来源（12349热线、来访或来信）",
        "请填写投诉人姓名（匿名的填写“匿名”）",
        "投诉内容不超过2000字",
    ]
