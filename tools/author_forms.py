"""The Camunda Forms of the user tasks (first version; see ``author_workflows.py``).

Form id = file name; field keys = process variable names.
"""

from __future__ import annotations

from typing import Any

Component = dict[str, Any]


def _id(prefix: str, key: str) -> str:
    return f"{prefix}_{key}"


def text(key: str, content: str) -> Component:
    return {"type": "text", "id": _id("Text", key), "text": content}


def field(kind: str, key: str, label: str, required: bool = False, **extra: Any) -> Component:
    component: Component = {"type": kind, "id": _id("Field", key), "key": key, "label": label}
    if required:
        component["validate"] = {"required": True}
    component.update(extra)
    return component


def textfield(key: str, label: str, required: bool = False, **extra: Any) -> Component:
    return field("textfield", key, label, required, **extra)


def textarea(key: str, label: str, required: bool = False, **extra: Any) -> Component:
    return field("textarea", key, label, required, **extra)


def number(key: str, label: str, required: bool = False, decimals: int | None = None, **extra: Any) -> Component:
    if decimals is not None:
        extra["decimalDigits"] = decimals
    return field("number", key, label, required, **extra)


def checkbox(key: str, label: str) -> Component:
    return field("checkbox", key, label, defaultValue=False)


def options(values: list[str] | list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} if isinstance(v, str) else {"label": v[1], "value": v[0]} for v in values]


def radio(key: str, label: str, values: list[str], required: bool = True) -> Component:
    return field("radio", key, label, required, values=options(values))


def select(key: str, label: str, values: list[str] | list[tuple[str, str]], required: bool = True) -> Component:
    return field("select", key, label, required, values=options(values))


def checklist(key: str, label: str, values: list[str]) -> Component:
    return field("checklist", key, label, values=options(values))


def datetime_field(key: str, label: str) -> Component:
    return {
        "type": "datetime",
        "id": _id("Field", key),
        "key": key,
        "subtype": "datetime",
        "dateLabel": f"{label}（日期）",
        "timeLabel": f"{label}（时间）",
        "timeSerializingFormat": "utc_offset",
        "timeInterval": 15,
        "use24h": True,
        "validate": {"required": True},
    }


def dynamic_list(path: str, label: str, components: list[Component]) -> Component:
    for component in components:
        component["id"] = f"{component['id']}_{path}"  # ids are unique per form, keys per list item
    return {
        "type": "dynamiclist",
        "id": _id("List", path),
        "label": label,
        "path": path,
        "isRepeating": True,
        "allowAddRemove": True,
        "defaultRepetitions": 0,
        "showOutline": True,
        "components": components,
    }


def hidden_unless(component: Component, condition: str) -> Component:
    component["conditional"] = {"hide": condition}
    return component


def form(form_id: str, title: str, components: list[Component]) -> dict[str, Any]:
    return {
        "id": form_id,
        "type": "default",
        "components": [text("title", f"### {title}"), *components],
        "executionPlatform": "Camunda Cloud",
        "executionPlatformVersion": "8.8.0",
        "exporter": {"name": "Camunda Modeler", "version": "5.40.0"},
        "schemaVersion": 19,
    }


INCOME_KINDS = [
    ("wages", "工资性收入"),
    ("business", "经营净收入"),
    ("property", "财产净收入"),
    ("transfer", "转移净收入（赡养费、其他养老金等）"),
    ("basic_pension", "城乡居民基础养老金"),
    ("preferential_treatment", "优抚金"),
    ("scholarship", "奖学金、助学金"),
    ("social_assistance", "社会救助金"),
]
SPENDING_KINDS = [("medical", "自付医疗费用"), ("disability", "残疾康复护理支出")]
DECISION_FIELDS = [
    text(
        "summary",
        "认定结果：**{{programme}}**；家庭月人均收入 {{perCapitaIncome}} 元，标准 {{standard}} 元；"
        "拟救助金额 {{proposedAmount}} 元。",
    ),
    radio("decisionOutcome", "审批意见", ["批准", "不予批准"]),
    hidden_unless(
        number("approvedAmount", "批准救助金额（元）", decimals=2, validate={"min": 0.01}),
        '=decisionOutcome != "批准"',
    ),
    textarea("decisionReasons", "审批理由（不予批准时写明事实和依据）", required=True),
    number("approverId", "审批人工作人员编号", required=True),
]

FORMS: dict[str, dict[str, Any]] = {
    "missing-materials": form(
        "missing-materials",
        "一次性告知所缺材料",
        [
            text("missing", "所缺材料：{{missingMaterials}}（一次性全部告知；核对系统可查询的材料不得要求申请人提供）"),
            checkbox("materialsSupplied", "申请人已补齐全部材料"),
            textarea("missingMaterialsNote", "告知和补正情况"),
        ],
    ),
    "member-authorisation": form(
        "member-authorisation",
        "家庭成员授权核对",
        [
            text("member", "家庭成员：**{{member.name}}**（{{member.relationship}}）"),
            checkbox("authorised", "已签署家庭经济状况核对授权书"),
            textarea("authorisationNote", "备注"),
        ],
    ),
    "township-follow-up": form(
        "township-follow-up",
        "乡镇进一步核实",
        [
            text("findings", "核对结论为“需进一步核实”，请补充核实有关事项。"),
            textarea("followUpFindings", "核实情况", required=True),
        ],
    ),
    "home-visit-record": form(
        "home-visit-record",
        "入户调查记录（至少两名调查人员）",
        [
            hidden_unless(
                text("invalid", "**上次提交的调查记录无效，请核对调查人员和签字后重新填写。**"),
                "=visitRecordInvalid != true",
            ),
            number("visitor1Id", "调查人员一（工作人员编号）", required=True),
            textfield("visitor1Name", "调查人员一姓名", required=True),
            number("visitor2Id", "调查人员二（工作人员编号）", required=True),
            textfield("visitor2Name", "调查人员二姓名", required=True),
            datetime_field("visitedAt", "入户时间"),
            textarea("visitFindings", "调查情况（居住、收入、财产、劳动能力等）", required=True),
            radio("visitConclusion", "调查结论", ["符合", "不符合"]),
            textfield("familySignatory", "在场家庭成员签字", required=True),
        ],
    ),
    "self-care-assessment": form(
        "self-care-assessment",
        "生活自理能力评估（六项日常生活活动）",
        [
            text(
                "hint",
                "勾选能够独立完成的项目：全部能完成为具备生活自理能力；3项以下不能完成为部分丧失；4项以上为完全丧失。",
            ),
            checkbox("eating", "吃饭"),
            checkbox("dressing", "穿衣"),
            checkbox("bedTransfer", "上下床"),
            checkbox("toileting", "如厕"),
            checkbox("walkingIndoors", "室内行走"),
            checkbox("bathing", "洗澡"),
            textarea("selfCareNotes", "评估说明"),
        ],
    ),
    "supporter-ability": form(
        "supporter-ability",
        "法定赡养、抚养、扶养义务人履行能力",
        [
            checkbox("supporterAble", "有法定义务人且其具有履行义务能力"),
            textarea("supporterNotes", "核查情况", required=True),
        ],
    ),
    "township-assessment": form(
        "township-assessment",
        "乡镇审核：收入、财产和支出",
        [
            checkbox("propertyWithinLimits", "家庭财产状况符合当地规定"),
            dynamic_list(
                "incomeItems",
                "家庭收入",
                [
                    select("kind", "收入类型", INCOME_KINDS),
                    number("amount", "金额（元）", required=True, decimals=2),
                    number("periodMonths", "所属月数", required=True, defaultValue=1),
                ],
            ),
            dynamic_list(
                "rigidSpending",
                "刚性支出（可扣减）",
                [
                    select("kind", "支出类型", SPENDING_KINDS),
                    number("amount", "金额（元）", required=True, decimals=2),
                    number("periodMonths", "所属月数", required=True, defaultValue=1),
                ],
            ),
            number("essentialSpending", "支出型临时救助：医疗、教育等必需支出（元）", decimals=2),
            checkbox("incomeStable", "家庭收入稳定（每年复核）"),
            checkbox("memberAbleToWork", "有劳动能力的家庭成员（每半年复核）"),
            textarea("assessmentNotes", "审核意见", required=True),
        ],
    ),
    "leader-approval": form("leader-approval", "分管领导审批", DECISION_FIELDS),
    "county-confirmation": form("county-confirmation", "县民政局审核确认 / 一事一议", DECISION_FIELDS),
    "democratic-evaluation": form(
        "democratic-evaluation",
        "民主评议（初审公示有异议）",
        [
            textarea("evaluationSummary", "评议情况", required=True),
            checkbox("evaluationSupports", "评议结果支持乡镇初审意见"),
        ],
    ),
    "on-site-check": form(
        "on-site-check",
        "县级实地核查",
        [
            textarea("onSiteFindings", "核查情况", required=True),
            checkbox("onSiteConfirmed", "核查属实"),
        ],
    ),
    "sla-breach": form(
        "sla-breach",
        "超期督办",
        [
            text("due", "办理时限：{{decisionDue}}（案件 {{caseNumber}}）"),
            textarea("supervisionNotes", "督办意见和处理措施", required=True),
        ],
    ),
    "notice-delivery": form(
        "notice-delivery",
        "文书送达",
        [
            text("notice", "文书编号：{{noticeNumber}}"),
            datetime_field("deliveredAt", "送达时间"),
            textfield("receiptReference", "送达回证编号", required=True),
        ],
    ),
    "emergency-relief-approval": form(
        "emergency-relief-approval",
        "急难型临时救助先行救助（24小时内）",
        [
            text("cause", "急难原因：{{emergencyCause}}；发生地：{{incidentLocation}}"),
            number(
                "reliefAmount",
                "先行救助金额（元）",
                required=True,
                decimals=2,
                validate={"required": True, "min": 0.01},
            ),
            textarea("reliefReasons", "救助理由", required=True),
            number("approverId", "审批人工作人员编号", required=True),
        ],
    ),
    "emergency-follow-up": form(
        "emergency-follow-up",
        "事后补充说明与审核",
        [
            textarea("followUpNotes", "补充说明（救助对象、原因、金额及核实情况）", required=True),
            checklist(
                "referralTargets",
                "转介（符合条件的纳入低保，或指导申请其他救助）",
                ["低保", "医疗救助", "教育救助", "慈善帮扶", "就业救助", "住房救助"],
            ),
        ],
    ),
    "recheck-proposal": form(
        "recheck-proposal",
        "动态管理复核意见",
        [
            select("recheckOutcome", "复核意见", ["维持", "调整", "渐退", "停发"]),
            hidden_unless(
                number("newAmount", "调整后月救助金额（元）", decimals=2, validate={"min": 0.01}),
                '=recheckOutcome != "调整"',
            ),
            textarea("recheckReasons", "复核理由", required=True),
            checkbox("incomeStable", "家庭收入稳定（每年复核）"),
            checkbox("memberAbleToWork", "有劳动能力的家庭成员（每半年复核）"),
        ],
    ),
    "household-hearing": form(
        "household-hearing",
        "听取家庭陈述申辩",
        [
            text("hint", "减发、停发前须听取家庭的陈述和申辩。"),
            checkbox("householdHeard", "已听取家庭陈述和申辩"),
            textarea("hearingNotes", "陈述申辩内容", required=True),
        ],
    ),
    "leader-recheck-approval": form(
        "leader-recheck-approval",
        "分管领导审批复核意见",
        [
            text("proposal", "复核意见：**{{recheckOutcome}}**；理由：{{recheckReasons}}"),
            number("approverId", "审批人工作人员编号", required=True),
            textarea("recheckApprovalNotes", "审批意见"),
        ],
    ),
}
