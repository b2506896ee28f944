"""The local economic-check provider reading registry extracts as CSV (beside or instead of the JSON file),
and the provider interface's names."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from schemas.enums import CheckOutcome, CheckSource
from tests.workers.harness import World
from workers import make_platform
from workers.settings import WorkerSettings
from workers.verification import (
    CheckRequest,
    EconomicCheckPlatform,
    EconomicCheckProvider,
    FakeProvincialPlatform,
    LocalRegistryProvider,
    PlatformError,
    read_csv_extract,
)
from workers.verification.provincial import ProvincialPlatformClient

pytestmark = pytest.mark.workers

COLUMNS = ["idNumber", "name", "source", "kind", "monthlyAmount", "amount", "finding", "outcome"]
CHINESE = ["身份证号码", "姓名", "来源", "收入类型", "月收入", "金额", "核对结果", "结论"]


def as_csv(registry: dict[str, Any], header: list[str] = COLUMNS) -> str:
    """The registry JSON as one CSV extract: a row per record, a bare row for a person without records."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for number, person in registry["persons"].items():
        records = person.get("records", [])
        if not records:
            writer.writerow([number, person.get("name", "")] + [""] * 6)
        for record in records:
            writer.writerow([number, person.get("name", "")] + [str(record.get(c, "")) for c in COLUMNS[2:]])
    return out.getvalue()


def request(world: World, key: str) -> CheckRequest:
    return CheckRequest(
        reference=f"t-{key}",
        case_id=1,
        member_id_numbers=tuple(m.id_number for m in world.county.household(key).members),
        area="rural",
        standard=Decimal("755"),
        on=date(2026, 3, 2),
    )


def test_names_of_the_interface_and_the_local_provider() -> None:
    assert EconomicCheckPlatform is EconomicCheckProvider
    assert FakeProvincialPlatform is LocalRegistryProvider


@pytest.mark.parametrize(("encoding", "header"), [("utf-8", COLUMNS), ("utf-8-sig", CHINESE), ("gb18030", CHINESE)])
def test_csv_extracts_alone_give_the_same_reports_as_the_json(world: World, encoding: str, header: list[str]) -> None:
    registry = json.loads((world.data_dir / "provincial-registry.json").read_text("utf-8"))
    extracts = world.data_dir / "registry-extracts"
    extracts.mkdir()
    (extracts / "county.csv").write_bytes(as_csv(registry, header).encode(encoding))
    from_json = LocalRegistryProvider(world.data_dir / "provincial-registry.json")
    from_csv = LocalRegistryProvider(world.data_dir / "no-such.json", extracts_dir=extracts)
    outcomes = set()
    for key in ("zhang", "wang", "li", "chen", "zhao"):
        expected, got = from_json.check(request(world, key)), from_csv.check(request(world, key))
        assert got.outcome is expected.outcome and got.per_capita_income == expected.per_capita_income
        assert got.findings == expected.findings
        outcomes.add(got.outcome)
    assert CheckOutcome.FAILS in outcomes and CheckOutcome.MEETS in outcomes  # the comparison covers both


def test_csv_records_add_to_the_json_registry_through_the_settings(world: World) -> None:
    zhang = world.county.household("zhang").members[0]
    extracts = world.data_dir / "registry-extracts"  # the default extracts dir under the data dir
    extracts.mkdir()
    (extracts / "2026-03-vehicles.csv").write_text(
        "idNumber,name,source,finding,outcome\n"
        f"{zhang.id_number},{zhang.name},车辆,名下有小型轿车一辆（皖P·12345）,不符合\n\n",
        "utf-8",
    )
    provider = make_platform(WorkerSettings(data_dir=world.data_dir))
    assert isinstance(provider, LocalRegistryProvider) and provider.extracts_dir == extracts
    report = provider.check(request(world, "zhang"))
    vehicles = next(f for f in report.findings if f.source is CheckSource.VEHICLES)
    assert report.outcome is CheckOutcome.FAILS and vehicles.outcome is CheckOutcome.FAILS
    assert "皖P·12345" in vehicles.finding
    assert report.per_capita_income == Decimal("300.00")  # the JSON's income records still count


def test_a_csv_person_row_without_records_registers_the_person(tmp_path: Path) -> None:
    path = tmp_path / "hukou.csv"
    path.write_text("身份证号码,姓名\n110101199003078515,李四\n", "utf-8")
    assert read_csv_extract(path) == {"110101199003078515": {"name": "李四", "records": []}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("idNumber,source,colour\n1,税务,red\n", "未知的列 'colour'"),
        ("name,source\n张三,税务\n", "缺少 idNumber"),
        ("idNumber,source,finding\n1,税务,x\n2,宇宙,y\n", "第 3 行：来源 '宇宙' 无效"),
        ("idNumber,source,outcome\n1,车辆,坏\n", "第 2 行：结论 '坏' 无效"),
        ("idNumber,source,kind\n1,税务,wages\n", "第 2 行：收入记录须同时填写 kind 与 monthlyAmount"),
        ("idNumber,source,kind,monthlyAmount\n1,税务,lottery,10\n", "第 2 行：未知的收入类别"),
        ("idNumber,source,amount\n1,银行存款,很多\n", "第 2 行：amount 不是金额"),
        ("idNumber,finding\n1,个税记录\n", "第 2 行：有记录但缺少来源"),
    ],
)
def test_malformed_csv_extracts_are_platform_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.csv").write_text(text, "utf-8")
    with pytest.raises(PlatformError, match=message):
        LocalRegistryProvider(tmp_path / "none.json", extracts_dir=tmp_path).persons()


def test_no_json_and_no_csv_is_a_platform_error(tmp_path: Path) -> None:
    with pytest.raises(PlatformError, match="没有登记数据"):
        LocalRegistryProvider(tmp_path / "none.json", extracts_dir=tmp_path / "extracts").persons()


def test_the_provincial_provider_is_built_from_the_settings(tmp_path: Path) -> None:
    settings = WorkerSettings(
        data_dir=tmp_path,
        platform="provincial",
        platform_url="https://hdjz.example.gov.cn/api",
        platform_token="s3cret",
        platform_timeout_s=2.5,
        platform_retries=1,
    )
    client = make_platform(settings)
    assert isinstance(client, ProvincialPlatformClient)
    try:
        assert client.retries == 1
        assert str(client._client.base_url) == "https://hdjz.example.gov.cn/api/"
        assert client._client.headers["Authorization"] == "Bearer s3cret"
        assert client._client.timeout.read == 2.5 and client._client.timeout.connect == 2.5
    finally:
        client.close()
    with pytest.raises(ValueError, match="JIUZHU_PLATFORM_URL"):
        make_platform(WorkerSettings(data_dir=tmp_path, platform="provincial"))
