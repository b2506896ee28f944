"""The case view: household, documents (notices as HTML), timeline, process diagram."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jiuzhu.tasklist import access, audit, casesearch, names
from jiuzhu.tasklist.casefile import case_file
from jiuzhu.tasklist.caserecord import case_location, case_view, notice, villages_for
from jiuzhu.tasklist.client import ApiError
from jiuzhu.tasklist.context import Tasklist, tasklist_of
from jiuzhu.tasklist.guards import Forbidden, current_principal
from jiuzhu.tasklist.notice_pdf import notice_pdf
from jiuzhu.tasklist.roles import Principal
from schemas.enums import CaseStatus, Programme

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(current_principal)]
NOT_FOUND = "案件不存在，或不在您的办理范围内"


def _check(tasklist: Tasklist, principal: Principal, case_id: int) -> None:
    location = case_location(tasklist.db, case_id)
    if location is None or not access.can_view_case(principal, *location):
        raise Forbidden(404, NOT_FOUND)


@router.get("/cases")
def cases_page(request: Request, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    params = dict(request.query_params)
    query = casesearch.parse_query(params)
    found = casesearch.search_cases(tasklist.db, principal, query, tasklist.now())
    if query.id_number:
        details = casesearch.audit_details(query, found.total)
        audit.record(tasklist.db, principal, "case.search-id-number", at=tasklist.now(), details=details)
    keep = {k: v for k, v in params.items() if k != "page" and v}
    return tasklist.render(
        request,
        "cases.html",
        principal,
        query=query,
        found=found,
        cases=found.rows,
        filters=keep,
        villages=villages_for(tasklist.db, principal),
        schemes=list(Programme),
        statuses=list(CaseStatus),
    )


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    _check(tasklist, principal, case_id)
    view = case_view(tasklist.db, case_id)
    if view is None:
        raise Forbidden(404, NOT_FOUND)
    open_tasks: list[dict[str, object]] = []
    supervision: object = None  # 超期督办's answer, kept by the case's process
    if view.case.process_instance_key is not None:
        # The case's own process, and the processes it called (home visit, notice), which carry caseId.
        searches: list[dict[str, Any]] = [
            {"state": "CREATED", "processInstanceKey": str(view.case.process_instance_key)},
            {"state": "CREATED", "processInstanceVariables": [{"name": "caseId", "value": json.dumps(case_id)}]},
        ]
        try:
            found = [task for search in searches for task in tasklist.client.search_all_user_tasks(search)]
        except ApiError:
            found = []
        open_tasks = list({str(t.get("userTaskKey")): t for t in found}.values())
        try:
            supervision = tasklist.client.process_variable(view.case.process_instance_key, "supervisionNotes")
        except ApiError:
            supervision = None
    return tasklist.render(
        request,
        "case.html",
        principal,
        view=view,
        people=names.staff_names(
            tasklist.db, [e.actor for e in view.timeline] + [str(t.get("assignee") or "") for t in open_tasks]
        ),
        names=names,
        file=case_file(tasklist.db, view.case),
        open_tasks=open_tasks,
        supervision=supervision if isinstance(supervision, str) else None,
        active_elements=",".join(sorted({str(t.get("elementId")) for t in open_tasks if _own(t, view.case)})),
    )


@router.get("/cases/{case_id}/notices/{notice_id}.pdf")
def notice_pdf_file(request: Request, case_id: int, notice_id: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    _check(tasklist, principal, case_id)
    found = notice(tasklist.db, case_id, notice_id)
    if found is None:
        raise Forbidden(404, "文书不存在")
    try:
        pdf = notice_pdf(tasklist.db, tasklist.settings.data_dir, case_id, notice_id)
    except RuntimeError as err:  # WeasyPrint or its system libraries missing: say so, do not serve boxes
        raise Forbidden(503, f"文书 PDF 暂时无法生成：{err}") from err
    if pdf is None:
        raise Forbidden(404, "该文书没有存档的正文，无法生成 PDF")
    filename = quote(f"{found.number}.pdf")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(pdf.content, media_type="application/pdf", headers=headers)


@router.get("/cases/{case_id}/notices/{notice_id}")
def notice_page(request: Request, case_id: int, notice_id: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    _check(tasklist, principal, case_id)
    found = notice(tasklist.db, case_id, notice_id)
    if found is None:
        raise Forbidden(404, "文书不存在")
    autoprint = request.query_params.get("print") == "1"
    return tasklist.render(request, "notice.html", principal, notice=found, case_id=case_id, autoprint=autoprint)


@router.get("/cases/{case_id}/diagram")
def case_diagram(request: Request, case_id: int, principal: PrincipalDep) -> Response:
    tasklist = tasklist_of(request)
    _check(tasklist, principal, case_id)
    view = case_view(tasklist.db, case_id)
    if view is None or view.case.process_instance_key is None:
        raise Forbidden(404, "该案件没有流程实例")
    try:
        instance = tasklist.client.get_process_instance(view.case.process_instance_key)
        xml = tasklist.client.get_process_definition_xml(instance["processDefinitionKey"])
    except ApiError as err:
        if err.status == 404:
            raise Forbidden(404, "流程实例不存在") from err
        raise
    return Response(xml, media_type="text/xml", headers={"Cache-Control": "private, max-age=300"})


def _own(task: dict[str, object], case: Any) -> bool:
    """A task of the case's own process (its diagram shows it), not of a process it called."""
    return str(task.get("processInstanceKey")) == str(case.process_instance_key)
