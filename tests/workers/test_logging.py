"""One structured log line per job (job type, job key, case number, outcome, duration) through the
standard logging module, with the fields as ``extra`` attributes of the record."""

import logging
from typing import Any

import pytest

from tests.workers.harness import World, accept_vars
from workers.runtime import CaseRecordError, JobInputError

pytestmark = pytest.mark.workers


def job_lines(caplog: pytest.LogCaptureFixture, key: int) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "workers" and getattr(r, "job_key", None) == key and hasattr(r, "outcome")
    ]


def one_line(caplog: pytest.LogCaptureFixture, key: int) -> logging.LogRecord:
    [line] = job_lines(caplog, key)
    return line


def fields(line: logging.LogRecord) -> dict[str, Any]:
    names = ("job_type", "job_key", "case_number", "outcome", "replayed", "error_code")
    return {name: getattr(line, name) for name in names}


def check_vars(world: World, accepted: dict[str, Any], key: str) -> dict[str, Any]:
    return {
        "caseId": accepted["caseId"],
        "householdId": accepted["householdId"],
        "memberIdNumbers": [m.id_number for m in world.county.household(key).members],
        "checkAuthorised": True,
    }


def test_every_job_logs_one_line_with_its_case_number_outcome_and_duration(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workers")
    accepted = world.ok("application.accept", accept_vars(world.county, "wang"), key=801)
    number = accepted["caseNumber"]
    line = one_line(caplog, 801)
    assert fields(line) == {
        "job_type": "application.accept",
        "job_key": 801,
        "case_number": number,  # found for a handler that created the case
        "outcome": "completed",
        "replayed": False,
        "error_code": None,
    }
    assert line.levelno == logging.INFO and line.case_id == accepted["caseId"]
    assert isinstance(line.duration_ms, float) and 0 <= line.duration_ms < 60_000
    assert line.process_instance_key == world.instance_key and line.attempts == 1
    assert line.getMessage().startswith(f"application.accept job 801 case {number}: completed in ")

    world.thrown("verification.check-economic-status", check_vars(world, accepted, "wang"), key=802)
    assert fields(one_line(caplog, 802)) == {
        "job_type": "verification.check-economic-status",
        "job_key": 802,
        "case_number": number,
        "outcome": "bpmn_error",
        "replayed": False,
        "error_code": "ECONOMIC_CHECK_FAILED",
    }

    world.run("verification.check-economic-status", check_vars(world, accepted, "wang"), key=802)  # delivered again
    _first, again = job_lines(caplog, 802)
    assert (again.outcome, again.replayed, again.case_number) == ("bpmn_error", True, number)


def test_failed_jobs_log_one_warning_naming_the_case_when_it_was_found(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workers")
    accepted = world.ok("application.accept", accept_vars(world.county, "zhang"), key=811)
    wrong_household = {**check_vars(world, accepted, "zhang"), "householdId": accepted["householdId"] + 1}
    with pytest.raises(CaseRecordError):
        world.run("verification.check-economic-status", wrong_household, key=812)
    line = one_line(caplog, 812)
    assert line.levelno == logging.WARNING
    assert (line.outcome, line.case_number, line.error_code) == ("failed", accepted["caseNumber"], None)
    assert "CaseRecordError" in line.getMessage()

    with pytest.raises(JobInputError):  # the variables break the contract: no case to name
        world.run("verification.check-economic-status", {"caseId": "x"}, key=813)
    line = one_line(caplog, 813)
    assert (line.outcome, line.case_number, line.case_id) == ("failed", None, None)
    assert line.getMessage().startswith("verification.check-economic-status job 813 case -: failed (JobInputError")
