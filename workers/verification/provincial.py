"""HTTP client of the provincial economic-status check platform (省级核对平台).

``POST {base_url}/v1/economic-checks`` with the request as JSON and ``Idempotency-Key`` set to our
reference, so a retried request is one check on the platform. Connection errors, timeouts, 429
and 5xx answers are retried with exponential back-off; other 4xx answers are not. Every failure
ends as ``PlatformError`` (a technical failure: Zeebe retries the job, then raises an incident).
"""

import time
from decimal import Decimal

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from schemas.enums import CheckOutcome, CheckSource
from workers.verification.platform import CheckFinding, CheckReport, CheckRequest, PlatformError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class _FindingWire(_Wire):
    source: CheckSource
    outcome: CheckOutcome
    finding: str
    amount: Decimal | None = None


class _ReportWire(_Wire):
    reference: str
    outcome: CheckOutcome
    per_capita_income: Decimal | None = None
    findings: list[_FindingWire]
    summary: str = ""


class ProvincialPlatformClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 3,
        token: str | None = None,
        backoff_s: float = 0.2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.retries = retries
        self.backoff_s = backoff_s
        self._client = httpx.Client(base_url=base_url, timeout=timeout_s, headers=headers, transport=transport)

    def close(self) -> None:
        self._client.close()

    def check(self, request: CheckRequest) -> CheckReport:
        body = {
            "reference": request.reference,
            "caseId": request.case_id,
            "memberIdNumbers": list(request.member_id_numbers),
            "area": request.area,
            "standard": str(request.standard),
            "on": request.on.isoformat(),
            "incomeTest": request.income_test,
            "evidence": request.evidence,
        }
        headers = {"Idempotency-Key": request.reference}
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self._client.post("/v1/economic-checks", json=body, headers=headers)
            except httpx.TransportError as error:  # connection refused, reset, timeouts
                problem = f"{type(error).__name__}: {error}"
                continue
            if response.status_code in RETRY_STATUS:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise PlatformError(f"核对平台拒绝请求（HTTP {response.status_code}）：{response.text[:200]}")
            return self._report(response)
        raise PlatformError(f"核对平台在 {self.retries + 1} 次尝试后仍无应答（{problem}）")

    @staticmethod
    def _report(response: httpx.Response) -> CheckReport:
        try:
            wire = _ReportWire.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            raise PlatformError(f"核对平台应答格式无效：{error}") from error
        return CheckReport(
            outcome=wire.outcome,
            per_capita_income=wire.per_capita_income,
            findings=tuple(CheckFinding(f.source, f.outcome, f.finding, f.amount) for f in wire.findings),
            platform_reference=wire.reference,
            summary=wire.summary,
        )
