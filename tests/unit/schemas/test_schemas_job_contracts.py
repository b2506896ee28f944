"""Job contracts: camelCase on the wire, inputs tolerate extra variables, clear refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from jiuzhu.policy import CST, Activity, Programme
from jiuzhu.policy.ids import compute_check_char
from schemas.contracts.jobs.application import AcceptApplicationInput, AcceptApplicationOutput
from schemas.contracts.jobs.approval import RecordApprovalInput, RecordApprovalOutput
from schemas.contracts.jobs.eligibility import AssessSelfCareInput
from schemas.contracts.jobs.notice import IssueDecisionInput
from schemas.contracts.jobs.payment import PayEmergencyOutput
from schemas.contracts.jobs.sla import ComputeDeadlinesOutput
from schemas.contracts.jobs.verification import CheckEconomicStatusOutput
from schemas.contracts.jobs.visit import RecordVisitInput
from schemas.enums import CasePath, CaseStatus, Channel, CheckOutcome, CheckSource, DecisionOutcome, NoticeKind

pytestmark = pytest.mark.unit


def valid_id(first17: str) -> str:
    return first17 + compute_check_char(first17)


APPLICANT = valid_id("34252319700101001")
SPOUSE = valid_id("34252319720202002")


def application_variables(**changes: Any) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "caseType": "低保",
        "channel": "一窗受理",
        "townshipId": 1,
        "villageId": 2,
        "address": "城关镇东风村三组12号",
        "area": "rural",
        "members": [
            {"name": "张三", "idNumber": APPLICANT, "relationship": "本人", "workCapacity": "无劳动能力"},
            {
                "name": "李四",
                "idNumber": SPOUSE,
                "relationship": "配偶",
                "disabilityKind": "肢体",
                "disabilityGrade": 2,
            },
        ],
        "receivedAt": "2026-03-02T09:30:00+08:00",
        # Zeebe sends every visible variable; these belong to other steps.
        "decisionDue": "2026-03-16",
        "someOtherVariable": {"x": 1},
    }
    variables.update(changes)
    return variables


def messages(error: ValidationError) -> list[str]:
    return [str(e["msg"]) for e in error.errors()]


def test_input_reads_camel_case_variables_and_ignores_the_rest() -> None:
    job = AcceptApplicationInput.model_validate(application_variables())
    assert job.case_type is Programme.DIBAO
    assert job.path is CasePath.REFORM
    assert job.members[1].disability_grade == 2
    assert job.received_at == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert not hasattr(job, "some_other_variable")


def test_input_also_accepts_python_names() -> None:
    job = AcceptApplicationInput(
        case_type=Programme.TEKUN,
        channel=Channel.ONE_WINDOW,
        township_id=1,
        village_id=2,
        address="x",
        area="urban",
        members=[{"name": "张三", "id_number": APPLICANT, "relationship": "本人"}],
        received_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    assert job.members[0].id_number == APPLICANT


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AcceptApplicationInput.model_validate(application_variables(receivedAt="2026-03-02T09:30:00"))
    assert caught.value.errors()[0]["loc"] == ("receivedAt",)
    assert caught.value.errors()[0]["type"] == "timezone_aware"


def test_a_bad_member_id_number_points_at_the_member() -> None:
    variables = application_variables()
    variables["members"][1]["idNumber"] = SPOUSE[:17] + ("1" if SPOUSE[17] == "0" else "0")
    with pytest.raises(ValidationError) as caught:
        AcceptApplicationInput.model_validate(variables)
    (error,) = caught.value.errors()
    assert error["loc"] == ("members", 1, "idNumber")
    assert error["msg"].startswith("身份证号码校验位错误：应为 ")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "帮办代办"}, "帮办代办须注明代办的村协理员（proxyAssistantId）"),
        ({"caseType": "急难型临时救助"}, "急难型临时救助须注明急难原因（emergencyCause）"),
        (
            {"members": [{"name": "李四", "idNumber": SPOUSE, "relationship": "配偶"}]},
            "家庭成员中须有且只有一名申请人本人（relationship=本人），实际为 0 名",
        ),
    ],
)
def test_application_rules_are_refused_in_chinese(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AcceptApplicationInput.model_validate(application_variables(**changes))
    assert messages(caught.value) == [f"Value error, {message}"]


def test_duplicate_member_and_half_a_disability_are_refused() -> None:
    twice = application_variables()
    twice["members"][1]["idNumber"] = APPLICANT
    with pytest.raises(ValidationError, match="家庭成员身份证号码重复"):
        AcceptApplicationInput.model_validate(twice)
    half = application_variables()
    del half["members"][1]["disabilityGrade"]
    with pytest.raises(ValidationError, match="残疾类别和残疾等级须同时填写或同时不填"):
        AcceptApplicationInput.model_validate(half)


def test_output_round_trips_by_alias() -> None:
    output = AcceptApplicationOutput(
        case_id=7,
        case_number="CG-2026-0007",
        household_id=3,
        applicant_id=5,
        accepted_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        path=CasePath.REFORM,
        case_status=CaseStatus.ACCEPTED,
        registered_separately=False,
    )
    variables = output.to_variables()
    assert variables == {
        "caseId": 7,
        "caseNumber": "CG-2026-0007",
        "householdId": 3,
        "applicantId": 5,
        "acceptedAt": "2026-03-02T01:30:00Z",
        "path": "county",
        "caseStatus": "已受理",
        "registeredSeparately": False,
    }
    assert AcceptApplicationOutput.model_validate(variables) == output


def test_output_round_trip_keeps_nested_findings_and_money() -> None:
    output = CheckEconomicStatusOutput(
        check_report_id=1,
        check_outcome=CheckOutcome.NEEDS_VERIFICATION,
        per_capita_income=Decimal("300.00"),
        findings=[
            {
                "source": CheckSource.BANK_DEPOSITS,
                "outcome": CheckOutcome.MEETS,
                "finding": "存款 ¥1,200",
                "amount": "1200",
            },
            {"source": CheckSource.VEHICLES, "outcome": CheckOutcome.NEEDS_VERIFICATION, "finding": "名下登记车辆1辆"},
        ],
    )
    variables = output.to_variables()
    assert variables["findings"][0] == {
        "source": "银行存款",
        "outcome": "符合",
        "finding": "存款 ¥1,200",
        "amount": 1200.0,
    }
    assert variables["perCapitaIncome"] == 300.0
    assert CheckEconomicStatusOutput.model_validate(variables) == output


def test_outputs_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        ComputeDeadlinesOutput.model_validate(
            {
                "decisionDue": "2026-03-16",
                "warnAt": "2026-03-12T00:00:00Z",
                "breachAt": "2026-03-16T16:00:00Z",
                "deadlineProvisional": False,
                "typo": 1,
            }
        )
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_null_outputs_are_sent_so_a_stale_variable_is_overwritten() -> None:
    output = RecordApprovalOutput(
        decision_id=1, approved=False, effective_month=None, rejection_notice_due=date(2026, 3, 5)
    )
    assert output.to_variables() == {
        "decisionId": 1,
        "approved": False,
        "effectiveMonth": None,
        "rejectionNoticeDue": "2026-03-05",
    }


def test_approval_needs_an_amount_exactly_when_approved() -> None:
    base = {
        "caseId": 1,
        "caseType": "低保",
        "approverId": 3,
        "reasons": "核对、入户均符合",
        "decidedAt": "2026-03-10T10:00:00+08:00",
    }
    with pytest.raises(ValidationError, match="批准时须填写救助金额"):
        RecordApprovalInput.model_validate({**base, "decisionOutcome": "批准"})
    with pytest.raises(ValidationError, match="不予批准时不能填写救助金额"):
        RecordApprovalInput.model_validate({**base, "decisionOutcome": "不予批准", "amount": 100})
    job = RecordApprovalInput.model_validate({**base, "decisionOutcome": "批准", "amount": 1440})
    assert job.decision_outcome is DecisionOutcome.APPROVED
    assert job.amount == Decimal("1440.00")


def visit_variables(**changes: Any) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "caseId": 1,
        "visitId": 2,
        "visitorIds": [10, 11],
        "visitedAt": "2026-03-04T15:00:00+08:00",
        "findings": "住房简陋，无大额财产",
        "passed": True,
        "signatures": [
            {"role": "调查人员", "name": "王五", "staffId": 10},
            {"role": "调查人员", "name": "赵六", "staffId": 11},
            {"role": "家庭成员", "name": "张三", "memberId": 5},
        ],
    }
    variables.update(changes)
    return variables


def test_visit_record_accepts_two_signed_visitors_and_a_family_signature() -> None:
    assert RecordVisitInput.model_validate(visit_variables()).visitor_ids == [10, 11]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"visitorIds": [10, 10]}, "入户调查须由至少两名不同的工作人员进行"),
        ({"visitorIds": [10, 11, 12]}, r"调查人员未签字：\[12\]"),
    ],
)
def test_visit_record_refuses_missing_visitors_or_signatures(changes: dict[str, Any], message: str) -> None:
    variables = visit_variables(**changes)
    if len(variables["visitorIds"]) == 3:
        variables["signatures"].append({"role": "家庭成员", "name": "李四", "memberId": 6})
    with pytest.raises(ValidationError, match=message):
        RecordVisitInput.model_validate(variables)


def test_visit_record_needs_a_family_signature_and_two_visitors() -> None:
    no_family = visit_variables()
    no_family["signatures"] = [*no_family["signatures"][:2], {"role": "调查人员", "name": "孙七", "staffId": 12}]
    with pytest.raises(ValidationError, match="调查记录须由在场家庭成员签字"):
        RecordVisitInput.model_validate(no_family)
    with pytest.raises(ValidationError) as caught:
        RecordVisitInput.model_validate(visit_variables(visitorIds=[10]))
    assert caught.value.errors()[0]["loc"] == ("visitorIds",)
    assert caught.value.errors()[0]["type"] == "too_short"


def test_self_care_needs_all_six_activities() -> None:
    abilities = {activity.value: True for activity in Activity}
    job = AssessSelfCareInput.model_validate({"caseId": 1, "memberId": 2, "abilities": abilities})
    assert job.abilities[Activity.BATHING] is True
    del abilities["bathing"]
    with pytest.raises(ValidationError, match="生活自理能力评估须填写全部六项，缺少：洗澡"):
        AssessSelfCareInput.model_validate({"caseId": 1, "memberId": 2, "abilities": abilities})


def test_decision_notice_kind_is_limited_to_decisions() -> None:
    assert IssueDecisionInput.model_validate({"caseId": 1, "decisionId": 2}).notice_kind is NoticeKind.APPROVAL
    with pytest.raises(ValidationError, match="决定通知只能是"):
        IssueDecisionInput.model_validate({"caseId": 1, "decisionId": 2, "noticeKind": "不予批准告知书"})


def test_output_instants_keep_their_offset_and_mean_the_same_instant() -> None:
    output = PayEmergencyOutput(
        payment_id=1,
        paid_at=datetime(2026, 3, 2, 20, 0, tzinfo=CST),
        within_deadline=True,
        paperwork_due=date(2026, 3, 9),
    )
    assert output.to_variables()["paidAt"] == "2026-03-02T20:00:00+08:00"
    assert PayEmergencyOutput.model_validate(output.to_variables()).paid_at == datetime(2026, 3, 2, 12, tzinfo=UTC)
