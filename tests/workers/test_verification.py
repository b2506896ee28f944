"""The economic-status check: the fake platform, the handlers, and the HTTP client against a local server."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from schemas.enums import CaseStatus, CheckOutcome, CheckSource
from schemas.tables import Case, EconomicCheck, EconomicCheckItem
from tests.workers.harness import World, accept_vars
from workers.verification import CheckRequest, FakeProvincialPlatform, PlatformError
from workers.verification.provincial import ProvincialPlatformClient

pytestmark = pytest.mark.workers

INCOME_TOO_HIGH = "核对显示家庭月人均收入 ¥2,250，高于当地低保标准 ¥755"


def request(world: World, key: str, **extra: Any) -> CheckRequest:
    numbers = tuple(m.id_number for m in world.county.household(key).members)
    values: dict[str, Any] = {
        "reference": f"t-{key}",
        "case_id": 1,
        "member_id_numbers": numbers,
        "area": "rural",
        "standard": Decimal("755"),
        "on": date(2026, 3, 2),
    }
    values.update(extra)
    return CheckRequest(**values)


@pytest.mark.parametrize(
    ("key", "extra", "outcome", "per_capita", "failed"),
    [
        ("zhang", {}, CheckOutcome.MEETS, Decimal("300.00"), {}),
        (
            "wang",
            {},
            CheckOutcome.FAILS,
            Decimal("2250.00"),
            {CheckSource.TAX: INCOME_TOO_HIGH, CheckSource.VEHICLES: "小型轿车"},
        ),
        # 支出型: income alone does not fail the check, the car still does.
        ("wang", {"income_test": False}, CheckOutcome.FAILS, Decimal("2250.00"), {CheckSource.VEHICLES: "小型轿车"}),
        ("li", {}, CheckOutcome.MEETS, Decimal("160.00"), {}),  # basic pension counted from 2026
    ],
)
def test_fake_platform_judges_registry_data(
    world: World,
    key: str,
    extra: dict[str, Any],
    outcome: CheckOutcome,
    per_capita: Decimal,
    failed: dict[CheckSource, str],
) -> None:
    report = FakeProvincialPlatform(world.data_dir / "provincial-registry.json").check(request(world, key, **extra))
    assert report.outcome is outcome and report.per_capita_income == per_capita
    assert {f.source for f in report.findings} == set(CheckSource)  # one finding per source
    failing = {f.source: f.finding for f in report.findings if f.outcome is CheckOutcome.FAILS}
    assert set(failing) == set(failed)
    for source, text in failed.items():
        assert text in failing[source]


def test_unknown_person_needs_verification_and_deposits_over_the_limit_fail(world: World) -> None:
    registry = json.loads((world.data_dir / "provincial-registry.json").read_text("utf-8"))
    zhang = world.county.household("zhang").members[0].id_number
    registry["persons"][zhang]["records"].append({"source": "银行存款", "amount": 60000, "finding": "定期存款"})
    path = world.data_dir / "registry-2.json"
    path.write_text(json.dumps(registry, ensure_ascii=False), "utf-8")
    report = FakeProvincialPlatform(path).check(request(world, "zhang"))
    deposits = next(f for f in report.findings if f.source is CheckSource.BANK_DEPOSITS)
    assert deposits.outcome is CheckOutcome.FAILS and deposits.amount == Decimal("61200.00")
    assert "超过限额 ¥54,360" in deposits.finding
    unknown = request(world, "zhang", member_id_numbers=("110101199003078515",))
    assert FakeProvincialPlatform(path).check(unknown).outcome is CheckOutcome.NEEDS_VERIFICATION
    with pytest.raises(PlatformError):
        FakeProvincialPlatform(world.data_dir / "missing.json").check(unknown)


def accept(world: World, key: str) -> dict[str, Any]:
    return world.ok("application.accept", accept_vars(world.county, key), instance=hash(key) % 10_000)


def check_vars(world: World, accepted: dict[str, Any], key: str, **extra: Any) -> dict[str, Any]:
    values = {
        "caseId": accepted["caseId"],
        "householdId": accepted["householdId"],
        "memberIdNumbers": [m.id_number for m in world.county.household(key).members],
        "checkAuthorised": True,
    }
    values.update(extra)
    return values


def test_check_passes_and_records_one_report_with_eleven_items(world: World) -> None:
    accepted = accept(world, "zhang")
    out = world.ok("verification.check-economic-status", check_vars(world, accepted, "zhang"))
    assert out["checkOutcome"] == "符合" and out["perCapitaIncome"] == 300.0 and len(out["findings"]) == 11
    [report] = world.all(EconomicCheck)
    assert report.id == out["checkReportId"] and report.per_capita_income == Decimal("300.00")
    assert len(world.all(EconomicCheckItem)) == 11
    assert world.all(Case)[0].status is CaseStatus.VISITING


def test_check_fails_with_the_findings_as_error_variables(world: World) -> None:
    accepted = accept(world, "wang")
    thrown = world.thrown("verification.check-economic-status", check_vars(world, accepted, "wang"))
    assert thrown.code == "ECONOMIC_CHECK_FAILED" and INCOME_TOO_HIGH in thrown.message
    failed = [f["finding"] for f in thrown.variables["findings"] if f["outcome"] == "不符合"]
    assert any(INCOME_TOO_HIGH in f for f in failed) and any("小型轿车" in f for f in failed)
    assert thrown.variables["checkReportId"] == world.all(EconomicCheck)[0].id
    assert world.all(Case)[0].status is CaseStatus.REJECTED


def test_not_authorised_is_a_bpmn_error_and_no_check_runs(world: World) -> None:
    accepted = accept(world, "zhang")
    thrown = world.thrown(
        "verification.check-economic-status", check_vars(world, accepted, "zhang", checkAuthorised=False)
    )
    assert thrown.code == "CHECK_NOT_AUTHORISED" and world.all(EconomicCheck) == []


def test_recheck_after_the_registry_was_corrected(world: World) -> None:
    accepted = accept(world, "wang")
    first = world.thrown("verification.check-economic-status", check_vars(world, accepted, "wang"))
    registry_file = world.data_dir / "provincial-registry.json"
    registry = json.loads(registry_file.read_text("utf-8"))
    registry["persons"][world.county.household("wang").members[0].id_number]["records"] = []
    registry_file.write_text(json.dumps(registry, ensure_ascii=False), "utf-8")
    variables = {
        "caseId": accepted["caseId"],
        "householdId": accepted["householdId"],
        "previousCheckReportId": first.variables["checkReportId"],
        "evidence": "车辆已于2025年报废，附报废证明；已离职",
        "disputedAt": "2026-03-05T10:00:00+08:00",
    }
    out = world.ok("verification.recheck", variables)
    assert out["checkOutcome"] == "符合" and out["checkReportId"] != first.variables["checkReportId"]
    second = world.all(EconomicCheck)[-1]
    assert second.recheck_of_id == first.variables["checkReportId"] and "报废证明" in (second.summary or "")
    assert world.all(Case)[0].status is CaseStatus.VISITING


# --- the HTTP client against a local fake platform ---------------------------------------------


class FakePlatformServer:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.fail_first = 0
        self.status = 200
        self.delay_s = 0.0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append((dict(self.headers), body))
                time.sleep(owner.delay_s)
                if len(owner.requests) <= owner.fail_first:
                    self._send(503, {"error": "busy"})
                elif owner.status != 200:
                    self._send(owner.status, {"error": "bad request"})
                else:
                    self._send(200, owner.answer(body))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return None

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    @staticmethod
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "reference": f"PROV-{body['reference']}",
            "outcome": "不符合",
            "perCapitaIncome": "2250.00",
            "findings": [
                {"source": "税务", "outcome": "不符合", "finding": INCOME_TOO_HIGH, "amount": "4500"},
                {"source": "户籍", "outcome": "符合", "finding": "户籍一致"},
            ],
            "summary": INCOME_TOO_HIGH,
        }


@pytest.fixture
def platform_server() -> Iterator[FakePlatformServer]:
    server = FakePlatformServer()
    server.thread.start()
    yield server
    server.http.shutdown()
    server.http.server_close()


def test_http_client_sends_the_request_with_idempotency_key_and_token(
    world: World, platform_server: FakePlatformServer
) -> None:
    client = ProvincialPlatformClient(platform_server.url, token="s3cret", backoff_s=0.01)
    report = client.check(request(world, "wang"))
    client.close()
    assert report.outcome is CheckOutcome.FAILS and report.per_capita_income == Decimal("2250.00")
    assert report.platform_reference == "PROV-t-wang" and report.findings[0].source is CheckSource.TAX
    [(headers, body)] = platform_server.requests
    assert headers["Idempotency-Key"] == "t-wang" and headers["Authorization"] == "Bearer s3cret"
    assert body["memberIdNumbers"] == [m.id_number for m in world.county.household("wang").members]
    assert body["standard"] == "755" and body["on"] == "2026-03-02"


def test_http_client_retries_busy_answers_then_succeeds(world: World, platform_server: FakePlatformServer) -> None:
    platform_server.fail_first = 2
    client = ProvincialPlatformClient(platform_server.url, retries=3, backoff_s=0.01)
    assert client.check(request(world, "wang")).outcome is CheckOutcome.FAILS
    assert len(platform_server.requests) == 3
    assert {h["Idempotency-Key"] for h, _ in platform_server.requests} == {"t-wang"}  # one check on the platform


@pytest.mark.parametrize(
    ("setup", "calls", "message"),
    [
        ({"status": 400}, 1, "HTTP 400"),  # refused: not retried
        ({"fail_first": 10}, 3, "3 次尝试"),  # busy every time
        ({"delay_s": 0.5}, 3, "Timeout"),  # too slow every time
    ],
)
def test_http_client_failures_are_platform_errors(
    world: World, platform_server: FakePlatformServer, setup: dict[str, Any], calls: int, message: str
) -> None:
    for name, value in setup.items():
        setattr(platform_server, name, value)
    client = ProvincialPlatformClient(platform_server.url, retries=2, backoff_s=0.01, timeout_s=0.2)
    with pytest.raises(PlatformError) as error:
        client.check(request(world, "wang"))
    assert message in str(error.value)
    assert len(platform_server.requests) == calls


def test_http_client_refuses_a_malformed_answer(world: World) -> None:
    import httpx

    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json={"outcome": "maybe"}))
    client = ProvincialPlatformClient("http://platform.invalid", transport=transport)
    with pytest.raises(PlatformError, match="应答格式无效"):
        client.check(request(world, "wang"))
