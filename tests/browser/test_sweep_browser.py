"""Issue 19, 不漏, in Chromium on `jiuzhu up --demo`: the county uploads a 建档立卡/脱贫 register (CSV,
Chinese headers); 张建国 (a case in process) counts as covered, the two others become visits for 桃州镇;
the township caseworker records 转介 with the reason, and the coverage per township shows it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from jiuzhu.demo import id_number
from jiuzhu.testing import LiveSystem
from tests.browser.casework_pages import WAIT_MS
from tests.browser.conftest import SCREENSHOTS, SignIn


def test_a_register_is_imported_and_an_uncovered_household_is_visited(
    live: LiveSystem, sign_in: SignIn, tmp_path: Path
) -> None:
    register = tmp_path / "脱贫人口花名册.csv"
    register.write_text(
        "户主姓名,身份证号码,乡镇,行政村,家庭人口\n"
        f"张建国,{id_number('19800312', '013')},桃州镇,东亭村,3\n"
        f"周大海,{id_number('19580706', '033')},桃州镇,东亭村,2\n"
        f"陈桂兰,{id_number('19630215', '042')},桃州镇,东亭村,1\n",
        encoding="utf-8-sig",
    )
    county = sign_in("county.minzheng")
    county.set_default_timeout(WAIT_MS)
    county.get_by_role("link", name="不漏排查").click()
    form = county.locator("#register-form")
    form.get_by_label("花名册类别").select_option("建档立卡/脱贫")
    form.get_by_label("文件（CSV 或 XLSX，第1行为表头：姓名、身份证号码、乡镇、村、家庭人口）").set_input_files(
        str(register)
    )
    form.get_by_role("button", name="导入并比对").click()
    expect(county.get_by_role("status")).to_have_text(
        "已导入建档立卡/脱贫花名册：3 人，未纳入保障 2 人，已生成走访任务。"
    )
    row = county.locator("#coverage tr[data-township='桃州镇']")
    expect(row.locator("td")).to_have_text(["3", "1", "2", "2", "0", "0", "0"])

    township = sign_in("taozhou.jingban")
    township.set_default_timeout(WAIT_MS)
    township.get_by_role("link", name="不漏排查").click()
    visit = township.locator("#sweep-visits tr", has_text="周大海")
    expect(visit).to_contain_text("桃州镇 东亭村")
    expect(township.locator("#sweep-visits")).not_to_contain_text("张建国")  # covered: no visit
    visit.get_by_label("走访结果").select_option("转介")
    visit.get_by_label("理由（不符合、转介必填）").fill("收入略高于低保标准；老伴重病住院，转介医疗救助。")
    visit.get_by_role("button", name="保存走访结果").click()
    expect(township.get_by_role("status")).to_have_text("走访结果已保存。")
    visit = township.locator("#sweep-visits tr", has_text="周大海")
    expect(visit.locator(".badge")).to_have_text("转介")
    expect(visit).to_contain_text("转介医疗救助")
    township.screenshot(path=str(SCREENSHOTS / "sweep.png"), full_page=True)

    county.goto(f"{live.url}/supervision/desk")
    desk = county.locator("#desk-coverage tr[data-township='桃州镇']")
    expect(desk.locator("td")).to_have_text(["3", "1", "1", "0", "0", "1"])
