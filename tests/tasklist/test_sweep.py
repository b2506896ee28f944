"""不漏: the county imports a 建档立卡/脱贫 register of 500 people (CSV, Chinese headers); matched by ID
number against the caseload, exactly the uncovered become visits for their township; the township
records 不符合 (reason required) and 纳入; coverage per township is on the sweep page and the 督办台.
A 低保边缘 register as XLSX, with a bad row and a person already waiting, adds no second visit."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlmodel import Session, col, select

from schemas.enums import CaseStatus
from schemas.tables import Case, Member, RegisterHousehold
from tests.tasklist.helpers import sign_in, token
from tests.tasklist.world import World, id_number

PATH = "/supervision/sweep"


def upload(client: TestClient, kind: str, name: str, data: bytes) -> str:
    response = client.post(
        f"{PATH}/import",
        data={"csrf_token": token(client, PATH), "kind": kind},
        files={"register": (name, data)},
    )
    assert response.status_code == 200, response.text
    return response.text


def fresh(i: int) -> str:
    return id_number("341821", (date(1950, 1, 1) + timedelta(days=i)).strftime("%Y%m%d"), "101")


def case_members(world: World) -> dict[CaseStatus, list[str]]:
    with Session(world.db) as session:
        rows = session.exec(
            select(Case.status, Member.id_number).join(Member, col(Member.household_id) == Case.household_id)
        )
        found: dict[CaseStatus, list[str]] = {}
        for status, number in rows:
            found.setdefault(status, []).append(number)
        return found


def test_a_register_of_500_opens_visits_for_exactly_the_uncovered(tasklist: TestClient, world: World) -> None:
    with Session(world.db) as session:  # one household's application was refused: no longer covered
        refused = session.exec(select(Case).where(Case.status == CaseStatus.VISITING)).first()
        assert refused is not None
        refused.status = CaseStatus.REJECTED
        session.add(refused)
        session.commit()
    members = case_members(world)
    covered = members[CaseStatus.APPROVED] + members[CaseStatus.VISITING][:1]
    uncovered_member = members[CaseStatus.REJECTED][0]
    rows = [["序号", "户主姓名", "公民身份号码", "乡镇（街道）", "行政村", "家庭人口"]]
    people = [*covered, uncovered_member, *(fresh(i) for i in range(500 - len(covered) - 1))]
    for n, number in enumerate(people):
        rows.append([str(n + 1), f"户主{n}", number, "城关镇" if n % 2 else "东亭乡", "幸福村", "3"])
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    sign_in(tasklist, "county")
    page = upload(tasklist, "建档立卡/脱贫", "脱贫人口.csv", text.getvalue().encode("utf-8-sig"))
    expected = set(people) - set(covered)
    assert len(expected) == 500 - len(covered)
    assert f"已导入建档立卡/脱贫花名册：500 人，未纳入保障 {len(expected)} 人，已生成走访任务。" in page
    with Session(world.db) as session:
        visits = session.exec(select(RegisterHousehold).where(RegisterHousehold.visit_status == "待走访")).all()
        assert {v.id_number for v in visits} == expected  # exactly the uncovered, each once
        assert len(visits) == len(expected)
        east = [v for v in visits if v.township_id == world.ids["town_b"]]
    assert 'data-township="城关镇"' in page and 'data-township="东亭乡"' in page

    # The township (东亭乡) sees its own visits only, and records them.
    township = TestClient(tasklist.app, base_url="http://tasklist.local")
    sign_in(township, "zhao")
    mine = township.get(PATH).text
    assert f"走访任务（{len(east)}）" in mine and "城关镇 幸福村" not in mine
    assert east[0].id_number not in mine  # ID numbers masked
    first, second = east[0], east[1]
    form = {"csrf_token": token(township, PATH), "outcome": "不符合", "reason": ""}
    refused_answer = township.post(f"{PATH}/{first.id}/outcome", data=form)
    assert refused_answer.status_code == 422 and "不符合的写明理由" in refused_answer.text
    form["reason"] = "子女均有稳定工作并履行赡养义务，家庭人均收入高于低保标准。"
    assert township.post(f"{PATH}/{first.id}/outcome", data=form).status_code == 200
    form.update(outcome="纳入", reason="")
    assert "走访结果已保存。" in township.post(f"{PATH}/{second.id}/outcome", data=form).text
    other = TestClient(tasklist.app, base_url="http://tasklist.local")
    sign_in(other, "zhang")  # 城关镇 may not answer 东亭乡's visit
    form = {"csrf_token": token(other, PATH), "outcome": "纳入", "reason": ""}
    assert other.post(f"{PATH}/{east[2].id}/outcome", data=form).status_code == 404

    desk = tasklist.get("/supervision/desk").text
    assert "不漏：建档立卡/脱贫、低保边缘人口覆盖" in desk
    row = desk[desk.index('<tr data-township="东亭乡"', desk.index("desk-coverage")) :].split("</tr>")[0]
    registered = sum(1 for n, _ in enumerate(people) if n % 2 == 0)
    covered_east = sum(1 for n, number in enumerate(people) if n % 2 == 0 and number in covered)
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells == [str(registered), str(covered_east), str(len(east) - 2), "1", "1", "0"], cells


def test_an_xlsx_register_reports_bad_rows_and_visits_a_waiting_person_once(tasklist: TestClient, world: World) -> None:
    sign_in(tasklist, "county")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "乡镇", "村（社区）", "人员类别"])
    sheet.append(["钱某", fresh(1), "城关镇", "幸福村", "低保边缘"])
    sheet.append(["孙某", "341821195001011230", "城关镇", "幸福村", "低保边缘"])  # wrong check digit
    sheet.append(["李某", fresh(2), "外县镇", "某村", "低保边缘"])
    sheet.append(["钱某", fresh(1), "城关镇", "幸福村", "低保边缘"])  # the same person twice
    buffer = io.BytesIO()
    book.save(buffer)
    page = upload(tasklist, "低保边缘", "低保边缘.xlsx", buffer.getvalue())
    assert "已导入低保边缘花名册：1 人，未纳入保障 1 人" in page
    assert "3 行未导入" in page and "第3行：身份证号码无效" in page
    assert "第5行：与第2行身份证号码重复" in page and "第4行：乡镇“外县镇”不在本县乡镇名录中" in page
    again = upload(tasklist, "低保边缘", "低保边缘.xlsx", buffer.getvalue())
    assert "未纳入保障 0 人" in again  # still waiting for the first visit
    with Session(world.db) as session:
        assert len(session.exec(select(RegisterHousehold).where(RegisterHousehold.visit_status == "待走访")).all()) == 1
    broken = upload_status(tasklist, "低保边缘", "坏.xlsx", b"not a workbook")
    assert "无法读取该 Excel 文件" in broken
    headers = upload_status(tasklist, "低保边缘", "表.csv", "名字,号码\n张三,1\n".encode())
    assert "花名册缺少列：身份证号、姓名、乡镇" in headers


def upload_status(client: TestClient, kind: str, name: str, data: bytes) -> str:
    response = client.post(
        f"{PATH}/import", data={"csrf_token": token(client, PATH), "kind": kind}, files={"register": (name, data)}
    )
    assert response.status_code == 422
    return response.text
