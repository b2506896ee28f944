"""Every form of every user task in every process, opened with what that process really provides.

The real processes run with the real workers (tests/e2e's Casework: pyzeebe over gRPC, the demo
county, a controlled clock). Each time a path reaches a user task, its form is opened as the task
list opens it — ``formcontext.form_data`` from the task's variables, for a person of the task's
township and candidate group — and must have: every variable its texts and expressions read
(other than its own fields), every ``{{...}}`` interpolation non-empty, and no English UI string.
The paths together must reach every user task of workflows/*.bpmn.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.demo import HOUSEHOLDS, MEETS, UNVERIFIED, DemoCounty
from jiuzhu.engine import feel
from jiuzhu.engine.records import UserTask
from jiuzhu.engine.server import EngineServer
from jiuzhu.policy.calendar import local_date
from jiuzhu.policy.profiles import get_profile
from jiuzhu.tasklist import formcheck, formcontext
from jiuzhu.tasklist.caserecord import principal_for
from schemas.enums import CasePath, Programme
from schemas.tables import Case
from tests.e2e import test_case_paths as paths
from tests.e2e.conftest import Casework
from tests.engine.conftest import server  # noqa: F401 - the in-process engine fixture
from tests.workers.conftest import seeded  # noqa: F401 - the demo county, seeded once per session
from tests.workers.harness import casework_running
from workers.supervision import drawn, sample_rate

pytestmark = pytest.mark.e2e

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
FORMS = WORKFLOWS / "forms"
TOWNSHIPS = {"341822100": "taozhou", "341822101": "xinhang"}
LOGIN_OF_GROUP = {
    "village-assistant": "{township}.xieli",
    "township-caseworker": "{township}.jingban",
    "township-leader": "{township}.lingdao",
    "county-supervisor": "county.minzheng",
}
UI_TEXT_KEYS = {"label", "text", "dateLabel", "timeLabel", "description", "placeholder", "appearance"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.S)
MARKDOWN_EMPHASIS = re.compile(r"\*\*|__")


def user_tasks() -> set[tuple[str, str]]:
    """(process id, user task id) of every user task in workflows/*.bpmn."""
    found = set()
    for bpmn in WORKFLOWS.glob("*.bpmn"):
        text = bpmn.read_text("utf-8")
        process = re.search(r'<bpmn:process id="([^"]+)"', text)
        assert process, bpmn
        found |= {(process.group(1), task) for task in re.findall(r'<bpmn:userTask id="([^"]+)"', text)}
    return found


def ui_strings(node: Any) -> list[str]:
    """What a person reads on the form: labels, texts, option labels (not keys, ids or expressions)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in UI_TEXT_KEYS and isinstance(value, str) and not value.startswith("="):
                found.append(TEMPLATE.sub("", value))
            else:
                found.extend(ui_strings(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(ui_strings(value))
    return found


def form_problems(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    own = formcheck.field_keys(schema)
    problems = [
        f"unresolved variable {name}"
        for name in sorted(formcontext.referenced_names(schema) - own)
        if data.get(name) is None
    ]
    for component in formcheck.all_fields(schema) + [c for c in schema["components"] if c.get("type") == "text"]:
        for expression in TEMPLATE.findall(str(component.get("text") or "")):
            value = feel.evaluate(expression, data)
            if value is None or str(value).strip() == "":
                problems.append(f"empty interpolation {{{{{expression}}}}}")
    problems += [f"English UI string {s!r}" for s in ui_strings(schema["components"]) if LATIN_WORD.search(s)]
    return problems


class FormOpeningCasework(Casework):
    """Casework that opens each user task's form in the task list's way before completing it."""

    def __init__(self, engine_server: EngineServer, world: Any) -> None:
        super().__init__(engine_server, world)
        self.opened: dict[tuple[str, str], list[str]] = {}

    def open_form(self, task: UserTask) -> None:
        instance = self.instance(task.instance_key)
        form_id = (task.form_key or "").removeprefix("camunda-forms:bpmn:")
        schema = json.loads((FORMS / f"{form_id}.form").read_text("utf-8"))
        variables = self.engine.user_task_variables(task.key)
        township = TOWNSHIPS.get(str(variables.get("townshipCode")), "taozhou")
        if "townshipCode" not in variables:  # a called process: its township by id
            ids = {self.county.townships[code]: name for code, name in TOWNSHIPS.items()}
            township = ids.get(int(variables.get("townshipId") or 0), township)
        group = (task.candidate_groups or ["township-caseworker"])[0]
        principal = principal_for(self.world.db, LOGIN_OF_GROUP[group].format(township=township))
        assert principal is not None, group
        data = formcontext.form_data(schema, variables, principal, self.world.db)
        where = (instance.bpmn_process_id, task.element_id)
        self.opened.setdefault(where, []).extend(f"{form_id}: {p}" for p in form_problems(schema, data))

    async def complete(self, element_id: str, **values: Any) -> UserTask:
        self.open_form(await self.task(element_id))
        return await super().complete(element_id, **values)

    async def open(self, element_id: str) -> None:
        """Open a task's form and leave it there (the path ends at it)."""
        self.open_form(await self.task(element_id))


@pytest.fixture
async def fcw(
    server: EngineServer,  # noqa: F811 - the fixture imported above
    seeded: tuple[Path, DemoCounty],  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[FormOpeningCasework]:
    async with casework_running(server, seeded, tmp_path) as world:
        yield FormOpeningCasework(server, world)


APPLICATION, TEMPORARY = "assistance-application", "temporary-assistance"
SELF_CARE = {"eating": True, "dressing": True, "bedTransfer": True, "toileting": True, "walkingIndoors": True}


async def tekun_self_care_and_supporters(cw: FormOpeningCasework) -> None:
    cw.start(APPLICATION, "li", "特困")
    await cw.complete("Activity_ConductVisit", **cw.visit_form("xinhang", "李桂兰"))
    await cw.complete("Activity_RecordSelfCare", **SELF_CARE, bathing=False, selfCareNotes="洗澡需人协助")
    await cw.complete("Activity_CheckSupporters", supporterAble=False, supporterNotes="无子女，配偶已故")
    await cw.complete("Activity_TownshipAssessment", **cw.assessment_form(160))
    await cw.open("Activity_LeaderApproval")


async def missing_materials_then_every_member_authorises(cw: FormOpeningCasework) -> None:
    cw.start(APPLICATION, "zhang", "低保", missingMaterials=["户口簿", "残疾证复印件"])
    await cw.complete("Activity_NotifyMissingMaterials", materialsSupplied=True, missingMaterialsNote="已一次性告知")
    cw.start(TEMPORARY, "chen", "支出型临时救助", missingMaterials=["住院费用票据"])
    await cw.complete("Activity_NotifyMissingMaterials", materialsSupplied=True, missingMaterialsNote="已补齐")
    cw.start(APPLICATION, "zhao", "低保", checkAuthorised=False)
    await cw.open("Activity_AuthoriseCheck")


async def national_path_evaluation_and_county_confirmation(cw: FormOpeningCasework) -> None:
    key = cw.start(APPLICATION, "zhang", "低保", policyProfile="national")
    await cw.complete("Activity_ConductVisit", **cw.visit_form("taozhou", "张建国"))
    await cw.complete("Activity_TownshipAssessment", **cw.assessment_form(900))
    case = await paths.eventually(lambda: cw.rows(paths.PublicityRow, case_id=cw.case_of(key).id), what="公示")
    await cw.quiet()
    await cw.advance(timedelta(days=1))
    objection = {"messageId": "o-7", "channel": "村务公开栏", "content": "有房出租", "receivedAt": cw.now.isoformat()}
    cw.publish("publicity-objection", cw.case_of(key).id or 0, {"objection": objection})
    await cw.advance(timedelta(days=8))
    await cw.complete(
        "Activity_DemocraticEvaluation", evaluationSummary="评议认为出租收入很少", evaluationSupports=True
    )
    assert case
    await cw.open("Activity_CountyConfirmation")


async def spending_type_above_the_township_limit(cw: FormOpeningCasework) -> None:
    cw.start(TEMPORARY, "chen", "支出型临时救助")
    await cw.complete("Activity_ConductVisit", **cw.visit_form("xinhang", "陈志强"))
    await cw.complete("Activity_TownshipAssessment", **cw.assessment_form(1500, essentialSpending=30000))
    await cw.open("Activity_CountyCaseByCase")  # above the township's limit: 县级一事一议 directly


async def spending_type_within_the_township_limit(cw: FormOpeningCasework) -> None:
    cw.start(TEMPORARY, "zhao", "支出型临时救助")
    await cw.complete("Activity_ConductVisit", **cw.visit_form("taozhou", "赵小红"))
    await cw.complete("Activity_TownshipAssessment", **cw.assessment_form(600, essentialSpending=800))
    await cw.open("Activity_LeaderApproval")


async def spending_type_overdue_is_supervised(cw: FormOpeningCasework) -> None:
    cw.start(TEMPORARY, "zhao", "支出型临时救助")
    await cw.task("Activity_ConductVisit")
    await cw.advance(timedelta(days=20))  # well past the decision deadline, the visit still open
    await cw.open("Activity_SuperviseOverdue")


async def national_tekun_drawn_for_the_countys_on_site_check(cw: FormOpeningCasework) -> None:
    """县级实地核查 follows the county's draw (30 % of national 特困 cases, hashed from the case id): the
    first application whose case is drawn goes on; those before it are cancelled at their visit."""
    on = local_date(cw.now + timedelta(days=8))  # the draw follows the 7-day first-review publicity
    rate = sample_rate(Programme.TEKUN, CasePath.NATIONAL, get_profile(CasePath.NATIONAL.value), on)
    candidates = [
        h for h in HOUSEHOLDS if h.expected == MEETS and len(h.members) == 1 and all(m.in_registry for m in h.members)
    ]
    for household in candidates:
        if cw.rows(Case, household_id=cw.county.households[household.key]):
            continue  # a case already (the demo's history): a new application would be a duplicate
        key = cw.start(APPLICATION, household.key, "特困", policyProfile="national")
        await cw.task("Activity_ConductVisit")
        if drawn(cw.case_of(key).id or 0, rate):
            break
        cw.engine.cancel_instance(key)
        await cw.quiet()
    else:
        raise AssertionError("no demo household's 特困 case is drawn for the on-site check")
    township = TOWNSHIPS[household.township]
    await cw.complete("Activity_ConductVisit", **cw.visit_form(township, household.members[0].name))
    await cw.complete("Activity_RecordSelfCare", **SELF_CARE, bathing=False, selfCareNotes="洗澡需人协助")
    await cw.complete("Activity_CheckSupporters", supporterAble=False, supporterNotes="无子女，配偶已故")
    await cw.complete("Activity_TownshipAssessment", **cw.assessment_form(0))
    await cw.quiet()
    await cw.advance(timedelta(days=8))  # the first-review publicity ends without objections
    await cw.open("Activity_OnSiteCheck")
    given = cw.engine.user_task_variables((await cw.task("Activity_OnSiteCheck")).key)
    assert (given["visitConclusionText"], given["visitFindingsText"], given["assessmentNotesText"]) == (
        "符合",
        cw.visit_form(township, "")["visitFindings"],
        "收入、财产符合条件。",
    )  # the township's visit and assessment, for the county to check on site


def unverified_household(cw: FormOpeningCasework) -> str:
    """A demo household the check platform does not fully know (需进一步核实)."""
    for key in cw.county.households:
        if cw.county.household(key).expected == UNVERIFIED:
            return key
    raise AssertionError("the demo county has no household for 需进一步核实")


async def check_needs_verification_township_follows_up(cw: FormOpeningCasework) -> None:
    cw.start(APPLICATION, unverified_household(cw), "低保")
    await cw.open("Activity_TownshipFollowUp")


async def spending_type_check_needs_verification(cw: FormOpeningCasework) -> None:
    cw.start(TEMPORARY, unverified_household(cw), "支出型临时救助")
    await cw.open("Activity_TownshipFollowUp")


async def emergency_relief_late_is_supervised(cw: FormOpeningCasework) -> None:
    cw.start(TEMPORARY, "chen", "急难型临时救助", emergencyCause="火灾", incidentLocation="大竹园12号")
    await cw.task("Activity_ApproveRelief")
    await cw.advance(timedelta(hours=25))
    await cw.open("Activity_SuperviseRelief")
    await cw.open("Activity_ApproveRelief")


PATHS = [
    tekun_self_care_and_supporters,
    missing_materials_then_every_member_authorises,
    national_path_evaluation_and_county_confirmation,
    national_tekun_drawn_for_the_countys_on_site_check,
    emergency_relief_late_is_supervised,
    spending_type_above_the_township_limit,
    spending_type_within_the_township_limit,
    spending_type_overdue_is_supervised,
    check_needs_verification_township_follows_up,
    spending_type_check_needs_verification,
    paths.test_approved_case_is_published_notified_paid_and_enrolled_in_dynamic_management,
    paths.test_rejected_at_the_check_written_notice_with_the_reasons_then_closed,
    paths.test_rejected_at_the_visit_leader_decides_and_the_notice_quotes_the_reasons,
    paths.test_objection_during_publicity_sends_the_case_back_to_a_new_visit_and_decision,
    paths.test_emergency_relief_paid_within_24_hours_then_converted_to_dibao,
    paths.test_sla_warning_on_working_day_8_and_escalation_on_day_10,
    paths.test_recheck_stops_assistance_only_after_the_household_is_heard,
]
REACHED: dict[tuple[str, str], list[str]] = {}


@pytest.mark.parametrize("path", PATHS, ids=[p.__name__.removeprefix("test_")[:40] for p in PATHS])
async def test_every_form_opened_on_the_path_has_its_context(fcw: FormOpeningCasework, path: Any) -> None:
    await path(fcw)
    for where, problems in fcw.opened.items():
        REACHED.setdefault(where, []).extend(problems)
    failing = {f"{process}/{task}": found for (process, task), found in fcw.opened.items() if found}
    assert not failing, failing


def test_the_paths_open_every_user_task_of_every_process() -> None:
    assert REACHED, "run with the path tests above (same module)"
    missing = sorted(f"{process}/{task}" for process, task in user_tasks() - set(REACHED))
    assert not missing, "\n".join(missing)
