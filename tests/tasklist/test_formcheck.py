"""formcheck follows form-js: list rows, conditions, validate rules, options — on the real forms."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jiuzhu.tasklist import formcheck, formrules

FORMS = Path(__file__).resolve().parents[2] / "workflows" / "forms"


def form(name: str) -> dict[str, Any]:
    return json.loads((FORMS / f"{name}.form").read_text("utf-8"))


ASSESSMENT = {
    "propertyWithinLimits": True,
    "incomeItems": [{"kind": "wages", "amount": 1800, "periodMonths": 1}],
    "rigidSpending": [],
    "incomeStable": True,
    "memberAbleToWork": False,
    "assessmentNotes": "收入、财产符合条件。",
}


def test_an_empty_dynamic_list_has_no_required_fields() -> None:
    variables, errors = formcheck.check(form("township-assessment"), ASSESSMENT)
    assert errors == {}
    assert variables["rigidSpending"] == []
    assert variables["incomeItems"] == [{"kind": "wages", "amount": 1800, "periodMonths": 1}]


def test_required_fields_apply_to_each_existing_row_with_its_path() -> None:
    submitted = {**ASSESSMENT, "rigidSpending": [{"kind": "medical", "amount": 300}, {"amount": 5.123}]}
    _, errors = formcheck.check(form("township-assessment"), submitted)
    assert errors == {
        "rigidSpending[0].periodMonths": "刚性支出（可扣减）第1行“所属月数”为必填项",
        "rigidSpending[1].kind": "刚性支出（可扣减）第2行“支出类型”为必填项",
        "rigidSpending[1].amount": "刚性支出（可扣减）第2行“金额（元）”至多保留 2 位小数",
        "rigidSpending[1].periodMonths": "刚性支出（可扣减）第2行“所属月数”为必填项",
    }


def test_row_values_keep_only_the_keys_the_list_defines() -> None:
    submitted = {**ASSESSMENT, "incomeItems": [{"kind": "wages", "amount": 10, "periodMonths": 1, "townshipCode": "x"}]}
    variables, errors = formcheck.check(form("township-assessment"), submitted)
    assert errors == {}
    assert variables["incomeItems"] == [{"kind": "wages", "amount": 10, "periodMonths": 1}]


def test_unknown_top_level_keys_never_reach_the_engine() -> None:
    variables, _ = formcheck.check(form("township-assessment"), {**ASSESSMENT, "townshipCode": "341822101"})
    assert "townshipCode" not in variables


def test_the_approved_amount_is_required_only_when_approving() -> None:
    schema = form("leader-approval")
    approve = {"decisionOutcome": "批准", "decisionReasons": "符合条件", "approverId": 7}
    context = {"townshipLeaders": [{"label": "陶领导", "value": 7}]}
    _, errors = formcheck.check(schema, approve, context)
    assert errors == {"approvedAmount": "“批准救助金额（元）”为必填项"}
    reject = {**approve, "decisionOutcome": "不予批准", "approvedAmount": 500}
    variables, errors = formcheck.check(schema, reject, context)
    assert errors == {}
    assert "approvedAmount" not in variables  # hidden by its condition: not submitted, as in form-js


def test_number_range_and_type() -> None:
    schema = form("leader-approval")
    context = {"townshipLeaders": [{"label": "陶领导", "value": 7}]}
    base = {"decisionOutcome": "批准", "decisionReasons": "符合条件", "approverId": 7}
    assert formcheck.check(schema, {**base, "approvedAmount": 0}, context)[1] == {
        "approvedAmount": "“批准救助金额（元）”不得小于 0.01"
    }
    assert formcheck.check(schema, {**base, "approvedAmount": "12"}, context)[1] == {
        "approvedAmount": "“批准救助金额（元）”须为数字"
    }
    assert formcheck.check(schema, {**base, "approvedAmount": 755.5}, context)[1] == {}


def test_select_options_from_values_key_are_the_ones_the_task_list_gave() -> None:
    schema = form("leader-approval")
    submitted = {"decisionOutcome": "不予批准", "decisionReasons": "收入超标", "approverId": 99}
    _, errors = formcheck.check(schema, submitted, {"townshipLeaders": [{"label": "陶领导", "value": 7}]})
    assert errors == {"approverId": "“审批人”不是有效选项"}
    _, errors = formcheck.check(schema, submitted, {})
    assert errors == {"approverId": "“审批人”不是有效选项"}


def test_expression_fields_are_computed_on_the_server() -> None:
    staff = [{"label": "谢丽", "value": 1}, {"label": "经办", "value": 2}]
    submitted = {
        "visitor1Id": 1,
        "visitor1Name": "冒名",
        "visitor2Id": 2,
        "visitedAt": "2026-03-02T10:00:00+08:00",
        "visitFindings": "属实",
        "visitConclusion": "符合",
        "familySignatory": "张建国",
    }
    members = [{"label": "张建国（本人）", "value": "张建国"}]
    context = {"townshipStaff": staff, "householdMembers": members}
    variables, errors = formcheck.check(form("home-visit-record"), submitted, context)
    assert errors == {}
    assert (variables["visitor1Name"], variables["visitor2Name"]) == ("谢丽", "经办")


def test_required_checkbox_pattern_and_length_follow_form_js() -> None:
    schema = {
        "components": [
            {"type": "checkbox", "key": "agreed", "label": "同意", "validate": {"required": True}},
            {"type": "textfield", "key": "code", "label": "编号", "validate": {"pattern": "[0-9]{3}", "maxLength": 5}},
            {
                "type": "textfield",
                "key": "hidden",
                "label": "隐藏",
                "validate": {"required": True},
                "conditional": {"hide": "=agreed = false"},
            },
        ]
    }
    _, errors = formcheck.check(schema, {"agreed": False, "code": "ab1234"})
    assert errors == {"agreed": "“同意”为必填项", "code": "“编号”至多 5 个字"}
    _, errors = formcheck.check(schema, {"agreed": True, "code": "x123y"})
    assert errors == {"hidden": "“隐藏”为必填项"}  # a JavaScript test(): 123 inside x123y matches


def test_conditions_inside_rows_see_this_and_the_data() -> None:
    schema = {
        "components": [
            {
                "type": "dynamiclist",
                "path": "rows",
                "label": "明细",
                "isRepeating": True,
                "components": [
                    {
                        "type": "select",
                        "key": "kind",
                        "label": "类型",
                        "values": [{"label": "其他", "value": "other"}, {"label": "工资", "value": "wages"}],
                    },
                    {
                        "type": "textfield",
                        "key": "note",
                        "label": "说明",
                        "validate": {"required": True},
                        "conditional": {"hide": '=this.kind != "other"'},
                    },
                ],
            },
        ]
    }
    _, errors = formcheck.check(schema, {"rows": [{"kind": "wages"}, {"kind": "other"}]})
    assert errors == {"rows[1].note": "明细第2行“说明”为必填项"}


def test_two_different_visitors_and_a_visit_not_in_the_future() -> None:
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    schema = form("home-visit-record")
    same = {"visitor1Id": 1, "visitor2Id": 1, "visitedAt": "2026-03-03T10:00:00+08:00"}
    assert formrules.check(schema, same, now) == {
        "visitor2Id": "“调查人员二”不能与“调查人员一”相同",
        "visitedAt": "“入户时间（日期）”不能晚于当前时间",
    }
    fine = {"visitor1Id": 1, "visitor2Id": 2, "visitedAt": "2026-03-02T09:30:00+08:00"}
    assert formrules.check(schema, fine, now) == {}


def test_an_adjustment_needs_the_new_amount_other_outcomes_none() -> None:
    schema = form("recheck-proposal")
    adjust = {"recheckOutcome": "调整", "recheckReasons": "收入增加", "incomeStable": True, "memberAbleToWork": False}
    assert formcheck.check(schema, adjust)[1] == {"newAmount": "“调整后月救助金额（元）”为必填项"}
    keep = {**adjust, "recheckOutcome": "维持", "newAmount": 300}
    variables, errors = formcheck.check(schema, keep)
    assert errors == {} and "newAmount" not in variables
