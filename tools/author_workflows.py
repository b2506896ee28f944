"""Writes the first version of the processes, decisions and forms in ``workflows/``.

    .venv/bin/python tools/author_workflows.py [--check]

The files it writes are what process designers own: they open them in Camunda Modeler 8.8 and
edit them there. This script is how they were laid out in the first place (grid layout, full DI);
re-running it overwrites hand edits, so once a designer has changed a file, change that file and
drop it from here. ``--check`` only reports which files differ from what the script would write.

Variable names are the job contracts' wire names (``schemas.contracts``), candidate groups are
the four roles, and every user task has a form in ``workflows/forms`` (form id = file name).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bpmn_builder import Process, multi_instance

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "workflows"

VA = "village-assistant"
CW = "township-caseworker"
LEADER = "township-leader"
COUNTY = "county-supervisor"

NOW = "=string(now())"
TODAY = "=string(today())"

# Error names as the Modeler shows them (codes are the contract's).
ERRORS = {
    "APPLICATION_INCOMPLETE": "申请材料不全",
    "DUPLICATE_APPLICATION": "重复申请",
    "CHECK_NOT_AUTHORISED": "未授权核对",
    "ECONOMIC_CHECK_FAILED": "核对不符合",
    "VISIT_RECORD_INVALID": "入户调查记录无效",
    "APPROVER_NOT_AUTHORISED": "审批人无权限",
    "ABOVE_TOWNSHIP_LIMIT": "超过乡镇审批权限",
    "ABOVE_EMERGENCY_LIMIT": "超过先行救助小额标准",
    "DUPLICATE_PAYMENT": "重复发放",
    "HOUSEHOLD_NOT_HEARD": "未听取陈述申辩",
}


def err(p: Process, code: str) -> str:
    return p.error(code, ERRORS[code])


# --- shared pieces --------------------------------------------------------------------------------


def home_visit() -> Process:
    p = Process(
        "home-visit",
        "入户调查",
        "入户调查（最低生活保障审核确认办法第15–16条）：3个工作日内启动，至少两名工作人员入户，"
        "调查人员和在场家庭成员签字；单独登记备案的案件由县级入户。",
    )
    p.start("StartEvent_VisitRequested", "需要入户调查", 0, 0)
    p.service("Activity_ScheduleVisit", "安排入户调查", 1, 0, "visit.schedule")
    p.xor("Gateway_JoinVisitRecord", "填写调查记录", 2, 0)
    p.user(
        "Activity_ConductVisit",
        "入户调查（至少两人）",
        3,
        0,
        "home-visit-record",
        "=candidateGroups",
        due="=visitDueAt",
        doc="两名及以上工作人员入户，记录家庭实际生活状况，调查人员和在场家庭成员签字。",
    )
    p.service(
        "Activity_RecordVisit",
        "登记入户调查结果",
        4,
        0,
        "visit.record",
        inputs=[
            ("=[visitor1Id, visitor2Id]", "visitorIds"),
            ("=visitFindings", "findings"),
            ('=visitConclusion = "符合"', "passed"),
            (
                '=[{role: "调查人员", name: visitor1Name, staffId: visitor1Id}, '
                '{role: "调查人员", name: visitor2Name, staffId: visitor2Id}, '
                '{role: "家庭成员", name: familySignatory}]',
                "signatures",
            ),
        ],
    )
    p.boundary(
        "Event_VisitRecordInvalid",
        "调查记录无效",
        "Activity_RecordVisit",
        err(p, "VISIT_RECORD_INVALID"),
        outputs=[("=true", "visitRecordInvalid")],
    )
    p.end("EndEvent_VisitRecorded", "入户调查完成", 5, 0)
    p.chain("StartEvent_VisitRequested", "Activity_ScheduleVisit", "Gateway_JoinVisitRecord")
    p.chain("Gateway_JoinVisitRecord", "Activity_ConductVisit", "Activity_RecordVisit", "EndEvent_VisitRecorded")
    p.flow("Event_VisitRecordInvalid", "Gateway_JoinVisitRecord", channel=1)
    return p


def written_notice() -> Process:
    p = Process(
        "written-notice",
        "出具并送达书面文书",
        "书面告知书（不予批准，3个工作日内，写明事实、依据和救济途径）、批准通知书、变更（减发停发）告知书；"
        "送达并取得送达回证。",
    )
    p.start("StartEvent_NoticeRequested", "需出具书面文书", 0, 0)
    p.xor("Gateway_NoticeKind", "文书种类", 1, 0)
    p.service(
        "Activity_IssueRejection",
        "出具不予批准书面告知书",
        2,
        0,
        "notice.issue-rejection",
        doc="3个工作日内书面告知理由（最低生活保障审核确认办法第21条）。",
    )
    p.service("Activity_IssueDecision", "出具批准或变更通知书", 2, 1, "notice.issue-decision")
    p.xor("Gateway_JoinIssued", "文书已出具", 3, 0)
    p.user(
        "Activity_DeliverNotice",
        "送达文书并取得送达回证",
        4,
        0,
        "notice-delivery",
        f"{CW},{VA}",
        due='=if noticeDue = null then null else string(noticeDue) + "T17:30:00+08:00"',
    )
    p.service("Activity_RecordDelivery", "登记送达回证", 5, 0, "notice.record-delivery")
    p.end("EndEvent_NoticeDelivered", "文书已送达", 6, 0)
    p.chain("StartEvent_NoticeRequested", "Gateway_NoticeKind")
    p.flow("Gateway_NoticeKind", "Activity_IssueRejection", "不予批准", '=noticeKind = "不予批准告知书"')
    p.flow("Gateway_NoticeKind", "Activity_IssueDecision", "批准或变更", default=True)
    p.flow("Activity_IssueRejection", "Gateway_JoinIssued")
    p.flow("Activity_IssueDecision", "Gateway_JoinIssued")
    p.chain("Gateway_JoinIssued", "Activity_DeliverNotice", "Activity_RecordDelivery", "EndEvent_NoticeDelivered")
    return p


def village_publicity() -> Process:
    p = Process(
        "village-publicity",
        "自然村公示",
        "在申请人所在自然村公示（日历日），只公示姓名（脱敏）、户人数和金额；公示期间的异议以消息"
        "“publicity-objection”（关联键：案件编号）送达并登记。",
    )
    p.start("StartEvent_PublicityRequested", "需要公示", 0, 0)
    p.service(
        "Activity_Publish",
        "张贴公示",
        1,
        0,
        "publicity.publish",
        inputs=[(TODAY, "startDate"), ("=publicityDays", "days")],
    )
    p.subprocess("Activity_PublicityPeriod", "公示期（日历日）")
    with p.inside("Activity_PublicityPeriod"):
        p.start("StartEvent_PeriodStarts", "公示开始", 2, 0)
        p.timer_catch("Event_PeriodEnds", "公示期满", 3, 0, "=publicityEndsAt")
        p.end("EndEvent_PeriodOver", "公示结束", 4, 0)
        p.chain("StartEvent_PeriodStarts", "Event_PeriodEnds", "EndEvent_PeriodOver")
    p.boundary(
        "Event_ObjectionReceived",
        "收到异议",
        "Activity_PublicityPeriod",
        p.message("publicity-objection", "=string(caseId)"),
        pos=3,
        interrupting=False,
    )
    p.service(
        "Activity_RecordObjection",
        "登记异议",
        4,
        2,
        "publicity.record-objection",
        inputs=[
            ("=objection.messageId", "messageId"),
            ("=objection.channel", "channel"),
            ("=objection.content", "content"),
            ("=objection.receivedAt", "receivedAt"),
        ],
    )
    p.end("EndEvent_ObjectionRecorded", "异议已登记", 5, 2)
    p.service("Activity_ClosePublicity", "公示期满，汇总异议", 5, 0, "publicity.close")
    p.end("EndEvent_PublicityClosed", "公示结束", 6, 0)
    p.chain("StartEvent_PublicityRequested", "Activity_Publish", "Activity_PublicityPeriod")
    p.chain("Activity_PublicityPeriod", "Activity_ClosePublicity", "EndEvent_PublicityClosed")
    p.chain("Event_ObjectionReceived", "Activity_RecordObjection", "EndEvent_ObjectionRecorded")
    return p


# --- pieces used by both application processes ----------------------------------------------------


def intake(p: Process, kind: str) -> None:
    """Start, procedure by profile, acceptance with the one-time notice of missing materials."""
    p.start("StartEvent_ApplicationReceived", f"收到{kind}申请", 0, 0)
    p.rule("Activity_DetermineProcedure", "确定办理程序（政策配置）", 1, 0, "application-procedure", "procedure")
    p.xor("Gateway_JoinResubmission", "受理（含补正后）", 2, 0)
    p.service(
        "Activity_AcceptApplication",
        "受理申请（一窗受理/帮办代办）",
        3,
        0,
        "application.accept",
        inputs=[("=procedure.path", "path")],
        doc="一窗受理；村协理员可帮办代办（channel=帮办代办，proxyAssistantId）。材料不全时一次性告知全部所缺材料。",
    )
    p.boundary("Event_MaterialsIncomplete", "材料不全", "Activity_AcceptApplication", err(p, "APPLICATION_INCOMPLETE"))
    p.boundary(
        "Event_DuplicateApplication",
        "重复申请",
        "Activity_AcceptApplication",
        err(p, "DUPLICATE_APPLICATION"),
        side="top",
    )
    p.end("EndEvent_DuplicateRejected", "重复申请，不予受理", 4, -1)
    p.user(
        "Activity_NotifyMissingMaterials",
        "一次性告知所缺材料",
        3,
        2,
        "missing-materials",
        f"{CW},{VA}",
        outputs=[
            ("=materialsSupplied", "materialsSupplied"),
            ("=if materialsSupplied = true then [] else missingMaterials", "missingMaterials"),
        ],
        doc="一次性告知申请人全部所缺材料；不得要求提供核对系统可以查询的材料（社会救助法第62条）。",
    )
    p.xor("Gateway_MaterialsSupplied", "材料已补齐？", 4, 2)
    p.end("EndEvent_NotAccepted", "未补齐材料，不予受理", 5, 2)
    p.service(
        "Activity_ComputeDeadlines",
        "计算办理时限",
        4,
        0,
        "sla.compute-deadlines",
        doc="10个工作日内办结；第8个工作日预警，第10个工作日超期；急难型24小时内先行救助。",
    )
    p.chain("StartEvent_ApplicationReceived", "Activity_DetermineProcedure", "Gateway_JoinResubmission")
    p.chain("Gateway_JoinResubmission", "Activity_AcceptApplication", "Activity_ComputeDeadlines")
    p.flow("Event_DuplicateApplication", "EndEvent_DuplicateRejected")
    p.flow("Event_MaterialsIncomplete", "Activity_NotifyMissingMaterials")
    p.flow("Activity_NotifyMissingMaterials", "Gateway_MaterialsSupplied")
    p.flow(
        "Gateway_MaterialsSupplied",
        "Gateway_JoinResubmission",
        "已补齐，重新受理",
        "=materialsSupplied = true",
        channel=3,
    )
    p.flow("Gateway_MaterialsSupplied", "EndEvent_NotAccepted", "未补齐", default=True)


def sla_timers(p: Process, host: str, warn_col: float, breach_col: float, row: float, guard: str | None) -> None:
    """Non-interrupting SLA timers on the review: remind at the warning, escalate at the breach."""
    p.boundary(
        "Event_SlaWarning",
        "第8个工作日预警",
        host,
        p.timer_date("=warnAt"),
        pos=warn_col,
        interrupting=False,
    )
    p.boundary(
        "Event_SlaBreach",
        "第10个工作日超期",
        host,
        p.timer_date("=breachAt"),
        pos=breach_col,
        interrupting=False,
    )
    c = warn_col + 1
    remind_from = "Event_SlaWarning"
    if guard:
        p.xor("Gateway_WarningApplies", "仍在首次审核期内？", c, row)
        p.end("EndEvent_WarningNotApplicable", "无需提醒", c, row + 1)
        p.flow("Event_SlaWarning", "Gateway_WarningApplies")
        p.flow("Gateway_WarningApplies", "EndEvent_WarningNotApplicable", "重新调查或已告知不符合", guard)
        remind_from = "Gateway_WarningApplies"
        c += 1
    p.service(
        "Activity_RemindCaseworker",
        "提醒经办人（预警）",
        c,
        row,
        "sla.escalate",
        inputs=[('="warning"', "level")],
    )
    p.end("EndEvent_Reminded", "已提醒", c + 1, row)
    p.flow(remind_from, "Activity_RemindCaseworker", "首次审核" if guard else None, default=bool(guard))
    p.flow("Activity_RemindCaseworker", "EndEvent_Reminded")
    c = breach_col + 1
    escalate_from = "Event_SlaBreach"
    if guard:
        p.xor("Gateway_BreachApplies", "仍在首次审核期内？", c, row)
        p.end("EndEvent_BreachNotApplicable", "无需督办", c, row + 1)
        p.flow("Event_SlaBreach", "Gateway_BreachApplies")
        p.flow("Gateway_BreachApplies", "EndEvent_BreachNotApplicable", "重新调查或已告知不符合", guard)
        escalate_from = "Gateway_BreachApplies"
        c += 1
    p.service(
        "Activity_EscalateBreach",
        "超期上报分管领导和县民政局",
        c,
        row,
        "sla.escalate",
        inputs=[('="overdue"', "level")],
    )
    p.user(
        "Activity_SuperviseOverdue",
        "超期督办",
        c + 1,
        row,
        "sla-breach",
        f"{LEADER},{COUNTY}",
        doc="超过10个工作日未办结：分管领导和县民政局督办，记入案件。",
    )
    p.end("EndEvent_Supervised", "督办完成", c + 2, row)
    p.flow(escalate_from, "Activity_EscalateBreach", "首次审核" if guard else None, default=bool(guard))
    p.chain("Activity_EscalateBreach", "Activity_SuperviseOverdue", "EndEvent_Supervised")


def close(p: Process, node_id: str, name: str, col: float, row: float, status: str) -> None:
    p.service(
        node_id,
        name,
        col,
        row,
        "case.close",
        inputs=[(f'="{status}"', "finalStatus"), (NOW, "closedAt")],
    )


def notice(
    p: Process,
    node_id: str,
    name: str,
    col: float,
    row: float,
    kind: str,
    facts: str | None = None,
    decision: str = "=decisionId",
) -> None:
    inputs = [("=caseId", "caseId"), (f'="{kind}"', "noticeKind")]
    if kind == "不予批准告知书":
        inputs += [
            (facts or "=[decisionReasons]", "facts"),
            ("=checkReportId", "checkReportId"),
            (decision, "decisionId"),
            (NOW, "decidedAt"),
        ]
    else:
        inputs.append((decision, "decisionId"))
    p.call(
        node_id,
        name,
        col,
        row,
        "written-notice",
        inputs,
        [("=noticeId", "noticeId"), ("=noticeNumber", "noticeNumber")],
    )


CHECK_FAILED_FACTS = (
    '=if count(findings[outcome = "不符合"]) > 0 then findings[outcome = "不符合"].finding '
    'else ["家庭经济状况核对结果不符合条件"]'
)
CHECK_FAILED_OUTPUTS = [
    ('="不符合"', "checkOutcome"),
    ("=checkReportId", "checkReportId"),
    ("=findings", "findings"),
    ("=perCapitaIncome", "perCapitaIncome"),
]
VISIT_CALL_OUTPUTS = [
    ("=visitId", "visitId"),
    ("=visitPassed", "visitPassed"),
    ("=visitedAt", "visitedAt"),
    ("=visitFindings", "visitFindings"),
]


def visit_inputs(accepted_at: str = "=acceptedAt") -> list[tuple[str, str]]:
    return [
        ("=caseId", "caseId"),
        ("=townshipId", "townshipId"),
        (accepted_at, "acceptedAt"),
        ("=registeredSeparately = true", "registeredSeparately"),
    ]


def record_decision(p: Process, node_id: str, col: float, row: float) -> None:
    p.service(
        node_id,
        "记录审批决定",
        col,
        row,
        "approval.record",
        inputs=[
            ("=decisionReasons", "reasons"),
            ('=if decisionOutcome = "批准" then approvedAmount else null', "amount"),
            ('=if decisionOutcome = "批准" and addOns != null then addOns else []', "addOns"),
            (NOW, "decidedAt"),
        ],
        doc="批准的自作出决定的次月起发放（第21、25条）；不予批准的3个工作日内书面告知。",
    )


# --- 低保 / 特困 ------------------------------------------------------------------------------------


def assistance_application() -> Process:
    p = Process(
        "assistance-application",
        "低保、特困供养申请审核确认",
        "县级改革程序（默认）：授权后先行核对家庭经济状况，不符合的书面告知；符合的入户调查，"
        "分管领导审批，审批结果在申请人所在自然村公示；取消审核阶段公示和民主评议，10个工作日内办结。"
        "全国程序（policyProfile=national）：初审公示7天，有异议时民主评议，县级确认。",
    )
    intake(p, "低保、特困")
    p.xor("Gateway_JoinReview", "审核（含重新调查）", 5, 0)
    p.flow("Activity_ComputeDeadlines", "Gateway_JoinReview")

    p.subprocess("Activity_Review", "审核确认（10个工作日）")
    with p.inside("Activity_Review"):
        p.start("StartEvent_Review", "开始审核", 6, 0)
        p.xor("Gateway_ReviewEntry", "重新调查？", 7, 0)
        p.xor("Gateway_Authorised", "已授权核对？", 8, 0)
        authorise = p.user(
            "Activity_AuthoriseCheck",
            "家庭成员签署授权核对书",
            9,
            1,
            "member-authorisation",
            f"{VA},{CW}",
            doc="申请人及全部家庭成员授权核对（第9条），每名成员一项任务。",
        )
        authorise.loop = multi_instance("=members", "member", "memberAuthorisations", "=authorised", seq=False)
        p.script(
            "Activity_SummariseAuthorisation",
            "汇总授权情况",
            10,
            1,
            "=every a in memberAuthorisations satisfies a = true",
            "checkAuthorised",
        )
        p.xor("Gateway_AuthorisationGiven", "全部成员已授权？", 11, 1)
        p.end("EndEvent_ReviewNotAuthorised", "未授权，无法核对", 11, 2)
        p.xor("Gateway_JoinAuthorised", "授权完成", 12, 0)
        p.service(
            "Activity_CheckEconomicStatus",
            "家庭经济状况核对",
            13,
            0,
            "verification.check-economic-status",
            inputs=[("=members.idNumber", "memberIdNumbers")],
            doc="改革程序第一步：经申请人授权后先行核对（户籍、税务、社保、不动产、车辆、存款等）。",
        )
        p.boundary(
            "Event_CheckNotAuthorised",
            "未授权核对",
            "Activity_CheckEconomicStatus",
            err(p, "CHECK_NOT_AUTHORISED"),
            pos=0.2,
            outputs=[("=false", "checkAuthorised")],
        )
        p.end("EndEvent_ReviewCheckNotAuthorised", "未授权，无法核对", 14, 4)
        p.boundary(
            "Event_CheckFailed",
            "核对不符合",
            "Activity_CheckEconomicStatus",
            err(p, "ECONOMIC_CHECK_FAILED"),
            pos=0.8,
            outputs=CHECK_FAILED_OUTPUTS,
        )
        notice(
            p, "Activity_NotifyCheckFailed", "出具书面告知书（核对不符合）", 14, 2, "不予批准告知书", CHECK_FAILED_FACTS
        )
        p.receive(
            "Activity_AwaitDispute", "等待申请人对核对结果提出异议", 15, 2, "economic-check-disputed", "=string(caseId)"
        )
        p.nodes["Activity_AwaitDispute"].doc = "申请人对核对结果有异议并提供证据的，乡镇复核（第18条）。"
        p.boundary(
            "Event_DisputeWindowClosed",
            "异议期满",
            "Activity_AwaitDispute",
            p.timer_duration("=procedure.disputeWindow"),
        )
        p.end("EndEvent_ReviewCheckFailed", "核对不符合，已书面告知", 15, 3)
        p.service(
            "Activity_Recheck",
            "复核家庭经济状况",
            16,
            2,
            "verification.recheck",
            inputs=[("=checkReportId", "previousCheckReportId"), ("=disputeEvidence", "evidence")],
        )
        p.boundary(
            "Event_RecheckFailed",
            "复核仍不符合",
            "Activity_Recheck",
            err(p, "ECONOMIC_CHECK_FAILED"),
            outputs=CHECK_FAILED_OUTPUTS,
        )
        notice(
            p,
            "Activity_NotifyRecheckFailed",
            "出具书面告知书（复核不符合）",
            16,
            3,
            "不予批准告知书",
            CHECK_FAILED_FACTS,
        )
        p.end("EndEvent_RecheckFailed", "复核不符合，已书面告知", 17, 3)
        p.xor("Gateway_JoinCheckOutcome", "核对结论", 17, 0)
        p.xor("Gateway_CheckOutcome", "核对结论？", 18, 0)
        p.user(
            "Activity_TownshipFollowUp",
            "乡镇进一步核实",
            19,
            1,
            "township-follow-up",
            CW,
            doc="核对结论为“需进一步核实”的，乡镇补充核实后入户调查。",
        )
        p.xor("Gateway_JoinInvestigation", "入户调查", 20, 0)
        p.call(
            "Activity_HomeVisit",
            "入户调查",
            21,
            0,
            "home-visit",
            visit_inputs(),
            VISIT_CALL_OUTPUTS,
            doc="核对符合的，乡镇干部入户调查（至少两人）。",
        )
        p.xor("Gateway_IsTekun", "特困申请？", 22, 0)
        p.par("Gateway_TekunFork", "特困专项核查", 23, 1)
        p.user(
            "Activity_RecordSelfCare",
            "生活自理能力评估（六项）",
            24,
            1,
            "self-care-assessment",
            CW,
            doc="吃饭、穿衣、上下床、如厕、室内行走、洗澡六项。",
        )
        p.service(
            "Activity_AssessSelfCare",
            "认定生活自理能力（照料等级）",
            25,
            1,
            "eligibility.assess-self-care",
            inputs=[
                ("=applicantId", "memberId"),
                (
                    "={eating: eating, dressing: dressing, bed_transfer: bedTransfer, toileting: toileting, "
                    "walking_indoors: walkingIndoors, bathing: bathing}",
                    "abilities",
                ),
            ],
        )
        p.user(
            "Activity_CheckSupporters",
            "核查法定义务人履行能力",
            24,
            2,
            "supporter-ability",
            CW,
            doc="特困：无法定赡养、抚养、扶养义务人，或其无履行义务能力。",
        )
        p.par("Gateway_TekunJoin", "特困核查完成", 26, 1)
        p.xor("Gateway_JoinTekun", "乡镇审核", 27, 0)
        p.user(
            "Activity_TownshipAssessment",
            "乡镇审核（收入、财产核定）",
            28,
            0,
            "township-assessment",
            CW,
        )
        p.service(
            "Activity_AssessEligibility",
            "认定条件并计算救助金额",
            29,
            0,
            "eligibility.assess",
            inputs=[(TODAY, "assessedOn")],
        )
        p.xor("Gateway_ProcedureStage", "办理程序？", 30, 0)
        p.call(
            "Activity_FirstReviewPublicity",
            "初审公示（7天）",
            31,
            1,
            "village-publicity",
            [
                ("=caseId", "caseId"),
                ("=null", "decisionId"),
                ("=villageId", "villageId"),
                ("=procedure.firstReviewPublicityDays", "publicityDays"),
                ('="初审公示"', "publicityStage"),
            ],
            [
                ("=publicityId", "firstReviewPublicityId"),
                ("=openObjections + upheldObjections", "firstReviewObjections"),
            ],
            doc="全国程序（第19条）：乡镇初审意见在村公示7天。",
        )
        p.xor("Gateway_FirstReviewObjections", "公示有异议？", 32, 1)
        p.user(
            "Activity_DemocraticEvaluation",
            "民主评议",
            33,
            2,
            "democratic-evaluation",
            f"{CW},{VA}",
            doc="全国程序：仅在有异议时组织民主评议。",
        )
        p.xor("Gateway_JoinEvaluation", "报县级确认", 34, 1)
        p.service("Activity_SelectSpotCheck", "县级抽查", 35, 1, "supervision.select-spot-check")
        p.xor("Gateway_SpotCheck", "抽中实地核查？", 36, 1)
        p.user("Activity_OnSiteCheck", "县级实地核查", 37, 2, "on-site-check", COUNTY)
        p.xor("Gateway_JoinSpotCheck", "核查完成", 38, 1)
        p.xor("Gateway_JoinApproval", "审批", 39, 0)
        p.xor("Gateway_ApprovalLevel", "审批层级？", 40, 0)
        p.user(
            "Activity_LeaderApproval",
            "分管领导审批",
            41,
            0,
            "leader-approval",
            LEADER,
            doc="改革程序：审批权下放乡镇，入户调查符合的报分管领导审批。",
        )
        p.user("Activity_CountyConfirmation", "县民政局审核确认", 41, 1, "county-confirmation", COUNTY)
        p.xor("Gateway_JoinApprovers", "审批意见", 42, 0)
        record_decision(p, "Activity_RecordDecision", 43, 0)
        p.boundary(
            "Event_ApproverNotAuthorised",
            "审批人无权限",
            "Activity_RecordDecision",
            err(p, "APPROVER_NOT_AUTHORISED"),
            side="top",
        )
        p.end("EndEvent_ReviewDecided", "作出审批决定", 44, 0)

        p.chain("StartEvent_Review", "Gateway_ReviewEntry")
        p.flow(
            "Gateway_ReviewEntry", "Gateway_JoinCheckOutcome", "是：重新入户调查", "=reinvestigation = true", channel=-1
        )
        p.flow("Gateway_ReviewEntry", "Gateway_Authorised", "否：首次审核", default=True)
        p.flow("Gateway_Authorised", "Gateway_JoinAuthorised", "已授权", "=checkAuthorised = true")
        p.flow("Gateway_Authorised", "Activity_AuthoriseCheck", "未全部授权", default=True)
        p.chain("Activity_AuthoriseCheck", "Activity_SummariseAuthorisation", "Gateway_AuthorisationGiven")
        p.flow("Gateway_AuthorisationGiven", "Gateway_JoinAuthorised", "全部授权", "=checkAuthorised = true")
        p.flow("Gateway_AuthorisationGiven", "EndEvent_ReviewNotAuthorised", "有成员未授权", default=True)
        p.chain("Gateway_JoinAuthorised", "Activity_CheckEconomicStatus", "Gateway_JoinCheckOutcome")
        p.flow("Event_CheckNotAuthorised", "EndEvent_ReviewCheckNotAuthorised")
        p.flow("Event_CheckFailed", "Activity_NotifyCheckFailed")
        p.chain("Activity_NotifyCheckFailed", "Activity_AwaitDispute", "Activity_Recheck", "Gateway_JoinCheckOutcome")
        p.flow("Event_DisputeWindowClosed", "EndEvent_ReviewCheckFailed")
        p.flow("Event_RecheckFailed", "Activity_NotifyRecheckFailed")
        p.flow("Activity_NotifyRecheckFailed", "EndEvent_RecheckFailed")
        p.flow("Gateway_JoinCheckOutcome", "Gateway_CheckOutcome")
        p.flow("Gateway_CheckOutcome", "Activity_TownshipFollowUp", "需进一步核实", '=checkOutcome = "需进一步核实"')
        p.flow("Gateway_CheckOutcome", "Gateway_JoinInvestigation", "符合", default=True)
        p.flow("Activity_TownshipFollowUp", "Gateway_JoinInvestigation")
        p.chain("Gateway_JoinInvestigation", "Activity_HomeVisit", "Gateway_IsTekun")
        p.flow("Gateway_IsTekun", "Gateway_TekunFork", "特困", '=caseType = "特困"')
        p.flow("Gateway_IsTekun", "Gateway_JoinTekun", "低保", default=True)
        p.chain("Gateway_TekunFork", "Activity_RecordSelfCare", "Activity_AssessSelfCare", "Gateway_TekunJoin")
        p.chain("Gateway_TekunFork", "Activity_CheckSupporters", "Gateway_TekunJoin")
        p.chain("Gateway_TekunJoin", "Gateway_JoinTekun", "Activity_TownshipAssessment", "Activity_AssessEligibility")
        p.flow("Activity_AssessEligibility", "Gateway_ProcedureStage")
        p.flow(
            "Gateway_ProcedureStage",
            "Activity_FirstReviewPublicity",
            "全国程序：初审公示",
            "=procedure.reviewStagePublicity = true",
        )
        p.flow("Gateway_ProcedureStage", "Gateway_JoinApproval", "县级改革程序", default=True)
        p.flow("Activity_FirstReviewPublicity", "Gateway_FirstReviewObjections")
        p.flow(
            "Gateway_FirstReviewObjections",
            "Activity_DemocraticEvaluation",
            "有异议：民主评议",
            "=firstReviewObjections > 0",
        )
        p.flow("Gateway_FirstReviewObjections", "Gateway_JoinEvaluation", "无异议", default=True)
        p.flow("Activity_DemocraticEvaluation", "Gateway_JoinEvaluation")
        p.chain("Gateway_JoinEvaluation", "Activity_SelectSpotCheck", "Gateway_SpotCheck")
        p.flow("Gateway_SpotCheck", "Activity_OnSiteCheck", "抽中", "=spotCheckSelected = true")
        p.flow("Gateway_SpotCheck", "Gateway_JoinSpotCheck", "未抽中", default=True)
        p.flow("Activity_OnSiteCheck", "Gateway_JoinSpotCheck")
        p.flow("Gateway_JoinSpotCheck", "Gateway_JoinApproval")
        p.flow("Gateway_JoinApproval", "Gateway_ApprovalLevel")
        p.flow(
            "Gateway_ApprovalLevel", "Activity_CountyConfirmation", "县级确认", '=procedure.approvalLevel = "county"'
        )
        p.flow("Gateway_ApprovalLevel", "Activity_LeaderApproval", "乡镇审批", default=True)
        p.flow("Activity_LeaderApproval", "Gateway_JoinApprovers")
        p.flow("Activity_CountyConfirmation", "Gateway_JoinApprovers")
        p.chain("Gateway_JoinApprovers", "Activity_RecordDecision", "EndEvent_ReviewDecided")
        p.flow("Event_ApproverNotAuthorised", "Gateway_JoinApproval", channel=-1)

    guard = '=reinvestigation = true or checkOutcome = "不符合"'
    sla_timers(p, "Activity_Review", 9, 21, 6, guard)
    p.flow("Gateway_JoinReview", "Activity_Review")

    p.xor("Gateway_ReviewOutcome", "审核结果？", 45, 0)
    p.flow("Activity_Review", "Gateway_ReviewOutcome")
    close(p, "Activity_CloseWithdrawn", "结案（未授权核对）", 46, 1, "已撤回")
    p.end("EndEvent_Withdrawn", "未授权核对，终止办理", 47, 1)
    close(p, "Activity_CloseCheckFailed", "结案（核对不符合）", 46, 2, "不予批准")
    p.end("EndEvent_CheckFailed", "核对不符合，结案", 47, 2)
    notice(p, "Activity_NotifyRejection", "出具书面告知书（不予批准）", 46, 3, "不予批准告知书")
    close(p, "Activity_CloseRejected", "结案（不予批准）", 47, 3, "不予批准")
    p.end("EndEvent_Rejected", "不予批准，结案", 48, 3)
    p.call(
        "Activity_ResultPublicity",
        "审批结果在自然村公示",
        46,
        0,
        "village-publicity",
        [
            ("=caseId", "caseId"),
            ("=decisionId", "decisionId"),
            ("=villageId", "villageId"),
            ("=null", "publicityDays"),
            ('="结果公示"', "publicityStage"),
        ],
        [("=publicityId", "publicityId"), ("=openObjections + upheldObjections", "resultObjections")],
        doc="审批结果由乡镇在申请人所在自然村公示（日历日）；只公示姓名、户人数、金额。",
    )
    p.xor("Gateway_ResultObjections", "公示有异议？", 47, 0)
    p.script("Activity_MarkReinvestigation", "退回重新调查", 47, -1, "=true", "reinvestigation")
    notice(p, "Activity_NotifyApproval", "出具批准通知书", 48, 0, "批准通知书")
    p.service(
        "Activity_SchedulePayment",
        "安排次月起按月发放",
        49,
        0,
        "payment.schedule",
        inputs=[("=approvedAmount", "monthlyAmount")],
    )
    p.call(
        "Activity_DynamicManagement",
        "纳入动态管理",
        50,
        0,
        "dynamic-management",
        [
            ("=caseId", "caseId"),
            ("=householdId", "householdId"),
            ("=townshipId", "townshipId"),
            ("=members", "members"),
            ("=approvedAmount", "monthlyAmount"),
            ("=decisionId", "decisionId"),
            ("=incomeStable != false", "incomeStable"),
            ("=memberAbleToWork = true", "memberAbleToWork"),
            ("=true", "checkAuthorised"),
        ],
        [("=recheckOutcome", "recheckOutcome")],
    )
    close(p, "Activity_CloseStopped", "结案（停发）", 51, 0, "已停发")
    p.end("EndEvent_AssistanceEnded", "停发，结案", 52, 0)

    p.flow("Gateway_ReviewOutcome", "Activity_CloseWithdrawn", "未授权核对", "=checkAuthorised = false")
    p.flow(
        "Gateway_ReviewOutcome",
        "Activity_CloseCheckFailed",
        "核对不符合",
        '=checkAuthorised = true and checkOutcome = "不符合"',
    )
    p.flow(
        "Gateway_ReviewOutcome",
        "Activity_ResultPublicity",
        "批准",
        '=checkAuthorised = true and checkOutcome != "不符合" and approved = true',
    )
    p.flow("Gateway_ReviewOutcome", "Activity_NotifyRejection", "不予批准", default=True)
    p.flow("Activity_CloseWithdrawn", "EndEvent_Withdrawn")
    p.flow("Activity_CloseCheckFailed", "EndEvent_CheckFailed")
    p.chain("Activity_NotifyRejection", "Activity_CloseRejected", "EndEvent_Rejected")
    p.flow("Activity_ResultPublicity", "Gateway_ResultObjections")
    p.flow("Gateway_ResultObjections", "Activity_MarkReinvestigation", "有异议：重新调查", "=resultObjections > 0")
    p.flow("Activity_MarkReinvestigation", "Gateway_JoinReview", channel=-3)
    p.flow("Gateway_ResultObjections", "Activity_NotifyApproval", "无异议", default=True)
    p.chain(
        "Activity_NotifyApproval",
        "Activity_SchedulePayment",
        "Activity_DynamicManagement",
        "Activity_CloseStopped",
        "EndEvent_AssistanceEnded",
    )
    return p


# --- 临时救助 ----------------------------------------------------------------------------------------


def temporary_assistance() -> Process:
    p = Process(
        "temporary-assistance",
        "临时救助",
        "急难型：24小时内先行救助（小额，乡镇审批），事后补充说明，可转介低保等；超过小额标准的按常规程序。"
        "支出型：常规程序，10个工作日内办结；金额超过乡镇审批权限的报县级一事一议"
        "（决策表 temporary-assistance-route）。",
    )
    intake(p, "临时救助")
    p.xor("Gateway_AssistanceKind", "救助类型？", 5, 0)
    p.flow("Activity_ComputeDeadlines", "Gateway_AssistanceKind")

    p.subprocess("Activity_EmergencyRelief", "先行救助（24小时内）")
    with p.inside("Activity_EmergencyRelief"):
        p.start("StartEvent_Emergency", "急难情形", 6, -3)
        p.user(
            "Activity_ApproveRelief",
            "乡镇审批先行救助金额",
            7,
            -3,
            "emergency-relief-approval",
            LEADER,
            due="=reliefDueAt",
            doc="小金额先行救助：可不经核对、评议和公示，记录对象、原因和金额（社会救助法第50条）。",
        )
        p.service(
            "Activity_PayEmergency",
            "先行发放救助金",
            8,
            -3,
            "payment.pay-emergency",
            inputs=[
                ("=reliefAmount", "amount"),
                ("=acceptedAt", "reportedAt"),
                ("=approverId", "paidById"),
                ('="emergency-" + string(caseId)', "idempotencyKey"),
            ],
        )
        p.boundary(
            "Event_DuplicateRelief",
            "已发放",
            "Activity_PayEmergency",
            err(p, "DUPLICATE_PAYMENT"),
            pos=0.2,
        )
        p.boundary(
            "Event_AboveEmergencyLimit",
            "超过小额标准",
            "Activity_PayEmergency",
            err(p, "ABOVE_EMERGENCY_LIMIT"),
            pos=0.8,
            outputs=[("=true", "reliefAboveLimit")],
        )
        p.end("EndEvent_ReliefPaid", "已先行救助", 9, -3)
        p.end("EndEvent_ReliefAlreadyPaid", "此前已发放", 9, -1)
        p.end("EndEvent_ReliefAboveLimit", "转常规程序", 9, -2)
        p.chain("StartEvent_Emergency", "Activity_ApproveRelief", "Activity_PayEmergency", "EndEvent_ReliefPaid")
        p.flow("Event_DuplicateRelief", "EndEvent_ReliefAlreadyPaid")
        p.flow("Event_AboveEmergencyLimit", "EndEvent_ReliefAboveLimit")
    p.boundary(
        "Event_ReliefOverdue",
        "24小时未救助",
        "Activity_EmergencyRelief",
        p.timer_date("=reliefDueAt"),
        side="top",
        pos=7,
        interrupting=False,
    )
    p.service(
        "Activity_EscalateRelief",
        "超时上报",
        8,
        -5,
        "sla.escalate",
        inputs=[('="overdue"', "level"), ("=date(date and time(reliefDueAt))", "decisionDue")],
    )
    p.user("Activity_SuperviseRelief", "先行救助超时督办", 9, -5, "sla-breach", f"{LEADER},{COUNTY}")
    p.end("EndEvent_ReliefSupervised", "督办完成", 10, -5)
    p.chain("Event_ReliefOverdue", "Activity_EscalateRelief", "Activity_SuperviseRelief", "EndEvent_ReliefSupervised")
    p.flow("Gateway_AssistanceKind", "Activity_EmergencyRelief", "急难型", '=caseType = "急难型临时救助"')

    p.xor("Gateway_ReliefOutcome", "先行救助结果？", 11, -2)
    p.flow("Activity_EmergencyRelief", "Gateway_ReliefOutcome")
    p.user(
        "Activity_EmergencyFollowUp",
        "事后补充说明与审核",
        12,
        -3,
        "emergency-follow-up",
        CW,
        due='=if paperworkDue = null then null else string(paperworkDue) + "T17:30:00+08:00"',
        doc="事后补充：记录救助对象、原因和金额；符合低保等条件的转介办理（应保尽保、应救尽救）。",
    )
    referrals = p.service(
        "Activity_CreateReferrals",
        "转介（低保、医疗、教育、慈善等）",
        13,
        -3,
        "referral.create",
        inputs=[("=referralTarget", "target"), ("=followUpNotes", "reason")],
    )
    referrals.loop = multi_instance("=referralTargets", "referralTarget", "referralIds", "=referralId", seq=False)
    close(p, "Activity_CloseRelieved", "结案（已先行救助）", 14, -3, "已结案")
    p.end("EndEvent_Relieved", "先行救助完成，结案", 15, -3)
    p.flow("Gateway_ReliefOutcome", "Activity_EmergencyFollowUp", "已先行救助", default=True)
    p.chain("Activity_EmergencyFollowUp", "Activity_CreateReferrals", "Activity_CloseRelieved", "EndEvent_Relieved")

    p.xor("Gateway_JoinNormalReview", "常规程序", 13, 0)
    p.flow("Gateway_AssistanceKind", "Gateway_JoinNormalReview", "支出型", default=True)
    p.flow("Gateway_ReliefOutcome", "Gateway_JoinNormalReview", "超过小额标准", "=reliefAboveLimit = true")

    p.subprocess("Activity_Review", "审核审批（10个工作日）")
    with p.inside("Activity_Review"):
        p.start("StartEvent_Review", "开始审核", 14, 0)
        p.service(
            "Activity_CheckEconomicStatus",
            "家庭经济状况核对",
            15,
            0,
            "verification.check-economic-status",
            inputs=[("=members.idNumber", "memberIdNumbers")],
        )
        p.boundary(
            "Event_CheckNotAuthorised",
            "未授权核对",
            "Activity_CheckEconomicStatus",
            err(p, "CHECK_NOT_AUTHORISED"),
            pos=0.2,
            outputs=[("=false", "checkAuthorised")],
        )
        p.boundary(
            "Event_CheckFailed",
            "核对不符合",
            "Activity_CheckEconomicStatus",
            err(p, "ECONOMIC_CHECK_FAILED"),
            pos=0.8,
            outputs=CHECK_FAILED_OUTPUTS,
        )
        p.end("EndEvent_ReviewCheckNotAuthorised", "未授权，无法核对", 16, 3)
        p.end("EndEvent_ReviewCheckFailed", "核对不符合", 16, 2)
        p.xor("Gateway_CheckOutcome", "核对结论？", 16, 0)
        p.user("Activity_TownshipFollowUp", "乡镇进一步核实", 17, 1, "township-follow-up", CW)
        p.xor("Gateway_JoinInvestigation", "入户调查", 18, 0)
        p.call("Activity_HomeVisit", "入户调查", 19, 0, "home-visit", visit_inputs(), VISIT_CALL_OUTPUTS)
        p.user(
            "Activity_TownshipAssessment",
            "乡镇审核（刚性支出、收入）",
            20,
            0,
            "township-assessment",
            CW,
        )
        p.service(
            "Activity_AssessEligibility",
            "认定条件并计算救助金额",
            21,
            0,
            "eligibility.assess",
            inputs=[(TODAY, "assessedOn")],
        )
        p.rule(
            "Activity_DecideRoute",
            "确定审批权限（乡镇/县级一事一议）",
            22,
            0,
            "temporary-assistance-route",
            "route",
        )
        p.xor("Gateway_Route", "审批权限？", 23, 0)
        p.xor("Gateway_JoinCounty", "县级一事一议", 24, 1)
        p.user("Activity_LeaderApproval", "乡镇审批", 25, 0, "leader-approval", LEADER)
        p.user(
            "Activity_CountyCaseByCase",
            "县级一事一议",
            25,
            1,
            "county-confirmation",
            COUNTY,
            doc="超过乡镇审批权限（月低保标准的倍数，按政策配置）的，报县级一事一议。",
        )
        p.xor("Gateway_JoinApprovers", "审批意见", 26, 0)
        record_decision(p, "Activity_RecordDecision", 27, 0)
        p.boundary(
            "Event_AboveTownshipLimit",
            "超过乡镇权限",
            "Activity_RecordDecision",
            err(p, "ABOVE_TOWNSHIP_LIMIT"),
        )
        p.end("EndEvent_ReviewDecided", "作出审批决定", 28, 0)
        p.chain("StartEvent_Review", "Activity_CheckEconomicStatus", "Gateway_CheckOutcome")
        p.flow("Event_CheckNotAuthorised", "EndEvent_ReviewCheckNotAuthorised")
        p.flow("Event_CheckFailed", "EndEvent_ReviewCheckFailed")
        p.flow("Gateway_CheckOutcome", "Activity_TownshipFollowUp", "需进一步核实", '=checkOutcome = "需进一步核实"')
        p.flow("Gateway_CheckOutcome", "Gateway_JoinInvestigation", "符合", default=True)
        p.flow("Activity_TownshipFollowUp", "Gateway_JoinInvestigation")
        p.chain(
            "Gateway_JoinInvestigation",
            "Activity_HomeVisit",
            "Activity_TownshipAssessment",
            "Activity_AssessEligibility",
            "Activity_DecideRoute",
            "Gateway_Route",
        )
        p.flow("Gateway_Route", "Gateway_JoinCounty", "县级一事一议", '=route.route = "county"', style="src")
        p.flow("Gateway_Route", "Activity_LeaderApproval", "乡镇审批", default=True)
        p.flow("Gateway_JoinCounty", "Activity_CountyCaseByCase")
        p.flow("Activity_LeaderApproval", "Gateway_JoinApprovers")
        p.flow("Activity_CountyCaseByCase", "Gateway_JoinApprovers")
        p.chain("Gateway_JoinApprovers", "Activity_RecordDecision", "EndEvent_ReviewDecided")
        p.flow("Event_AboveTownshipLimit", "Gateway_JoinCounty", channel=2)
    sla_timers(p, "Activity_Review", 16, 21, 5, None)
    p.flow("Gateway_JoinNormalReview", "Activity_Review")

    p.xor("Gateway_ReviewOutcome", "审核结果？", 29, 0)
    p.flow("Activity_Review", "Gateway_ReviewOutcome")
    close(p, "Activity_CloseWithdrawn", "结案（未授权核对）", 30, 1, "已撤回")
    p.end("EndEvent_Withdrawn", "未授权核对，终止办理", 31, 1)
    notice(p, "Activity_NotifyCheckFailed", "出具书面告知书（核对不符合）", 30, 2, "不予批准告知书", CHECK_FAILED_FACTS)
    close(p, "Activity_CloseCheckFailed", "结案（核对不符合）", 31, 2, "不予批准")
    p.end("EndEvent_CheckFailed", "核对不符合，结案", 32, 2)
    notice(p, "Activity_NotifyRejection", "出具书面告知书（不予批准）", 30, 3, "不予批准告知书")
    close(p, "Activity_CloseRejected", "结案（不予批准）", 31, 3, "不予批准")
    p.end("EndEvent_Rejected", "不予批准，结案", 32, 3)
    notice(p, "Activity_NotifyApproval", "出具批准通知书", 30, 0, "批准通知书")
    p.service(
        "Activity_PayTemporary",
        "发放临时救助金",
        31,
        0,
        "payment.pay-monthly",
        inputs=[
            ("=effectiveMonth", "month"),
            ("=approvedAmount", "amount"),
            ('="temporary-" + string(caseId)', "idempotencyKey"),
        ],
    )
    close(p, "Activity_CloseGranted", "结案（已救助）", 32, 0, "已结案")
    p.end("EndEvent_Granted", "临时救助已发放，结案", 33, 0)
    p.flow("Gateway_ReviewOutcome", "Activity_CloseWithdrawn", "未授权核对", "=checkAuthorised = false")
    p.flow(
        "Gateway_ReviewOutcome",
        "Activity_NotifyCheckFailed",
        "核对不符合",
        '=checkAuthorised != false and checkOutcome = "不符合"',
    )
    p.flow(
        "Gateway_ReviewOutcome",
        "Activity_NotifyApproval",
        "批准",
        '=checkAuthorised != false and checkOutcome != "不符合" and approved = true',
    )
    p.flow("Gateway_ReviewOutcome", "Activity_NotifyRejection", "不予批准", default=True)
    p.flow("Activity_CloseWithdrawn", "EndEvent_Withdrawn")
    p.chain("Activity_NotifyCheckFailed", "Activity_CloseCheckFailed", "EndEvent_CheckFailed")
    p.chain("Activity_NotifyRejection", "Activity_CloseRejected", "EndEvent_Rejected")
    p.chain("Activity_NotifyApproval", "Activity_PayTemporary", "Activity_CloseGranted", "EndEvent_Granted")
    return p


RECHECK_DECISION = "=recheckDecisionId"


# --- 动态管理 ----------------------------------------------------------------------------------------


def dynamic_management() -> Process:
    p = Process(
        "dynamic-management",
        "动态管理",
        "定期复核：收入稳定的每年、收入不稳定或有劳动能力成员的每半年；村（居）发现情况变化随时上报。"
        "减发、停发前听取陈述申辩并书面告知；因就业收入增加的可给予不超过6个月的渐退期。",
    )
    p.start("StartEvent_Enrolled", "纳入动态管理", 0, 0)
    p.xor("Gateway_JoinCycle", "下一轮复核", 1, 0)
    p.xor("Gateway_JoinContinue", "继续保障", 2, 0)
    p.service(
        "Activity_ScheduleRecheck",
        "安排定期复核",
        3,
        0,
        "dynamic.schedule-recheck",
        inputs=[(TODAY, "fromDate")],
    )
    p.receive(
        "Activity_AwaitRecheck", "等待复核到期或情况变化报告", 4, 0, "household-change-reported", "=string(caseId)"
    )
    p.nodes["Activity_AwaitRecheck"].doc = "村（居）社会救助工作站发现家庭状况变化即上报（早发现、早调整）。"
    p.boundary(
        "Event_RecheckDue",
        "复核到期",
        "Activity_AwaitRecheck",
        p.timer_date('=date and time(string(nextRecheckDue) + "T09:00:00+08:00")'),
    )
    p.xor("Gateway_JoinRecheck", "开始复核", 6, 0)
    p.service(
        "Activity_RecheckEconomicStatus",
        "复核家庭经济状况",
        7,
        0,
        "verification.check-economic-status",
        inputs=[("=members.idNumber", "memberIdNumbers")],
    )
    p.boundary(
        "Event_RecheckCheckFailed",
        "核对不符合",
        "Activity_RecheckEconomicStatus",
        err(p, "ECONOMIC_CHECK_FAILED"),
        outputs=CHECK_FAILED_OUTPUTS,
    )
    p.xor("Gateway_JoinProposal", "复核入户", 8, 0)
    p.call(
        "Activity_RecheckVisit",
        "复核入户调查",
        9,
        0,
        "home-visit",
        visit_inputs(NOW),
        VISIT_CALL_OUTPUTS,
    )
    p.user(
        "Activity_ProposeOutcome",
        "提出复核意见（维持/调整/渐退/停发）",
        10,
        0,
        "recheck-proposal",
        CW,
    )
    p.xor("Gateway_NeedsHearing", "减发或停发？", 11, 0)
    p.xor("Gateway_JoinHearingRetry", "听取陈述申辩", 12, 1)
    p.user(
        "Activity_HearHousehold",
        "听取家庭陈述申辩",
        13,
        1,
        "household-hearing",
        CW,
        doc="减发、停发前先听取家庭陈述和申辩（社会救助法第48条）。",
    )
    p.xor("Gateway_JoinHearing", "报分管领导", 14, 0)
    p.user("Activity_ApproveRecheck", "分管领导审批复核意见", 15, 0, "leader-recheck-approval", LEADER)
    p.service(
        "Activity_RecordRecheck",
        "记录复核决定",
        16,
        0,
        "dynamic.record-recheck",
        inputs=[("=recheckReasons", "reasons"), (NOW, "decidedAt")],
        outputs=[
            ("=decisionId", "recheckDecisionId"),
            ("=effectiveMonth", "effectiveMonth"),
            ("=taperUntil", "taperUntil"),
            ("=recordedAt", "recordedAt"),
            ('=if recheckOutcome = "调整" then newAmount else monthlyAmount', "monthlyAmount"),
        ],
    )
    p.boundary(
        "Event_HouseholdNotHeard",
        "未听取陈述申辩",
        "Activity_RecordRecheck",
        err(p, "HOUSEHOLD_NOT_HEARD"),
    )
    p.xor("Gateway_RecheckResult", "复核结果？", 17, 0)
    notice(p, "Activity_NotifyAdjustment", "出具变更告知书（调整）", 18, 1, "变更告知书", decision=RECHECK_DECISION)
    notice(p, "Activity_NotifyStop", "出具变更告知书（停发）", 18, 0, "变更告知书", decision=RECHECK_DECISION)
    p.end("EndEvent_Stopped", "停发，退出动态管理", 19, 0)
    notice(p, "Activity_NotifyTaper", "出具变更告知书（渐退）", 18, -1, "变更告知书", decision=RECHECK_DECISION)
    p.timer_catch(
        "Event_TaperEnds",
        "渐退期满",
        19,
        -1,
        '=date and time(string(date(taperUntil) + duration("P1M")) + "T00:00:00+08:00")',
    )
    p.end("EndEvent_TaperCompleted", "渐退期满停发", 20, -1)

    p.chain("StartEvent_Enrolled", "Gateway_JoinCycle", "Gateway_JoinContinue", "Activity_ScheduleRecheck")
    p.chain("Activity_ScheduleRecheck", "Activity_AwaitRecheck", "Gateway_JoinRecheck")
    p.flow("Event_RecheckDue", "Gateway_JoinRecheck", channel=1)
    p.chain("Gateway_JoinRecheck", "Activity_RecheckEconomicStatus", "Gateway_JoinProposal")
    p.flow("Event_RecheckCheckFailed", "Gateway_JoinProposal", channel=1)
    p.chain("Gateway_JoinProposal", "Activity_RecheckVisit", "Activity_ProposeOutcome", "Gateway_NeedsHearing")
    p.flow(
        "Gateway_NeedsHearing",
        "Gateway_JoinHearingRetry",
        "减发、渐退或停发",
        '=recheckOutcome = "停发" or recheckOutcome = "渐退" or '
        '(recheckOutcome = "调整" and newAmount < monthlyAmount)',
        style="src",
    )
    p.flow("Gateway_NeedsHearing", "Gateway_JoinHearing", "维持或增发", default=True)
    p.chain("Gateway_JoinHearingRetry", "Activity_HearHousehold", "Gateway_JoinHearing")
    p.chain("Gateway_JoinHearing", "Activity_ApproveRecheck", "Activity_RecordRecheck", "Gateway_RecheckResult")
    p.flow("Event_HouseholdNotHeard", "Gateway_JoinHearingRetry", channel=2)
    p.flow("Gateway_RecheckResult", "Gateway_JoinContinue", "维持", '=recheckOutcome = "维持"', channel=-2)
    p.flow("Gateway_RecheckResult", "Activity_NotifyAdjustment", "调整", '=recheckOutcome = "调整"')
    p.flow("Activity_NotifyAdjustment", "Gateway_JoinCycle", channel=3)
    p.flow("Gateway_RecheckResult", "Activity_NotifyTaper", "渐退", '=recheckOutcome = "渐退"')
    p.chain("Activity_NotifyTaper", "Event_TaperEnds", "EndEvent_TaperCompleted")
    p.flow("Gateway_RecheckResult", "Activity_NotifyStop", "停发", default=True)
    p.flow("Activity_NotifyStop", "EndEvent_Stopped")
    return p


PROCESSES = {
    "assistance-application.bpmn": assistance_application,
    "temporary-assistance.bpmn": temporary_assistance,
    "dynamic-management.bpmn": dynamic_management,
    "home-visit.bpmn": home_visit,
    "written-notice.bpmn": written_notice,
    "village-publicity.bpmn": village_publicity,
}


def main(argv: list[str]) -> int:
    from author_decisions import DECISIONS
    from author_forms import FORMS

    outputs: dict[Path, str] = {WORKFLOWS / name: build().xml() for name, build in PROCESSES.items()}
    outputs.update({WORKFLOWS / name: text for name, text in DECISIONS.items()})
    for form_id, form in FORMS.items():
        outputs[WORKFLOWS / "forms" / f"{form_id}.form"] = json.dumps(form, ensure_ascii=False, indent=2) + "\n"
    differ = [path for path, text in outputs.items() if not path.exists() or path.read_text("utf-8") != text]
    if "--check" in argv:
        for path in differ:
            print(f"differs: {path.relative_to(ROOT)}")
        return 1 if differ else 0
    for path in differ:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(outputs[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
