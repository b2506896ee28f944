"""县级抽查 in the task list: the county draws February (the world's one decided case; 10 %, rounded up
per stratum: drawn), the seed and rate are recorded, a second draw of the month is refused, and the
on-site finding needs the corrective action when 不相符; the open check is on the 督办台 until then."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from schemas.tables import SpotCheck, SpotCheckDraw
from tests.tasklist.helpers import sign_in, token
from tests.tasklist.world import World

PATH = "/supervision/spotchecks"


def post(client: TestClient, path: str, **form: str) -> str:
    return client.post(path, data={"csrf_token": token(client, PATH), **form}).text


def test_a_monthly_draw_is_recorded_once_and_its_check_gets_a_finding(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "county")
    assert "只能抽查已经结束的月份" in post(tasklist, f"{PATH}/draw", month="2026-03")
    page = post(tasklist, f"{PATH}/draw", month="2026-02", seed="")
    assert "2026年02月抽查：1 件中抽取 1 件（比例 10%，种子“抽查-2026-02”）。" in page
    assert "CG-2026-001" in page
    assert "已抽查过，每月只抽一次" in post(tasklist, f"{PATH}/draw", month="2026-02", seed="别的")
    with Session(world.db) as session:
        [drawn] = session.exec(select(SpotCheckDraw)).all()
        [check] = session.exec(select(SpotCheck)).all()
    assert (drawn.seed, str(drawn.rate), drawn.candidates, drawn.selected) == ("抽查-2026-02", "0.1000", 1, 1)
    assert check.case_id == world.ids["case_approved"]
    assert "县级抽查待实地核查（1）" in tasklist.get("/supervision/desk").text

    missing = post(tasklist, f"{PATH}/{check.id}/finding", finding="不相符", notes="家中新购小轿车一辆。")
    assert "核查不相符的，请写明整改措施" in missing
    done = post(
        tasklist,
        f"{PATH}/{check.id}/finding",
        finding="不相符",
        notes="家中新购小轿车一辆。",
        corrective="乡镇重新核对并复核。",
    )
    assert "核查结果已保存。" in done and "整改：乡镇重新核对并复核。" in done
    assert "没有待核查的抽查案件。" in tasklist.get("/supervision/desk").text

    township = TestClient(tasklist.app, base_url="http://tasklist.local")
    sign_in(township, "zhang")
    assert township.get(PATH).status_code == 404
