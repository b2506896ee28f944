"""Public pages (no sign-in): long-term publicity of recipients, current notices, policy, complaints.

Templates here receive only ``jiuzhu.policy.masking.PublicityRow``s and place names.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jiuzhu.tasklist import publication
from jiuzhu.tasklist.context import tasklist_of
from jiuzhu.tasklist.guards import Forbidden

router = APIRouter(prefix="/public")
COMPLAINT_HOTLINE = "12349"


@router.get("/")
def public_index(request: Request) -> Response:
    tasklist = tasklist_of(request)
    return tasklist.render(request, "public/index.html", villages=publication.top_villages(tasklist.db))


@router.get("/villages/{village_id}")
def public_village(request: Request, village_id: int) -> Response:
    tasklist = tasklist_of(request)
    village, lists = publication.recipients(tasklist.db, village_id)
    if village is None:
        raise Forbidden(404, "没有这个村（社区）")
    return tasklist.render(request, "public/village.html", village=village, lists=lists)


@router.get("/notices")
def public_notices(request: Request) -> Response:
    tasklist = tasklist_of(request)
    notices = publication.current_notices(tasklist.db, tasklist.now().date())
    return tasklist.render(request, "public/notices.html", notices=notices, hotline=COMPLAINT_HOTLINE)


@router.get("/policy")
def public_policy(request: Request) -> Response:
    return tasklist_of(request).render(request, "public/policy.html", hotline=COMPLAINT_HOTLINE)
