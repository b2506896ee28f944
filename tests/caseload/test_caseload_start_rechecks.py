"""`jiuzhu caseload start-rechecks --address`: imported households enter dynamic management on an
engine in another process (`jiuzhu engine`, or Camunda 8) over the Zeebe gateway — once each."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import Session, select

from jiuzhu.cli import main
from jiuzhu.resources import workflows_dir
from jiuzhu.testing import EngineProcess
from schemas.tables import CaseloadEntry
from tests.caseload.conftest import Record, household_rows

pytestmark = pytest.mark.component


def test_start_rechecks_over_grpc_once_per_household(
    record: Record, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ZEEBE_CLIENT_ID", "CAMUNDA_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    lines = ["户主姓名,身份证号,乡镇,村,救助类型,保障人数,月救助金额,认定日期"]
    lines += [",".join([r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]]) for r in household_rows(5)]
    path = tmp_path / "在保户.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["caseload", "import", str(path), "--data-dir", str(record.data_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 5

    engine = EngineProcess(tmp_path / "engine", insecure=True).start()
    try:
        assert main(["deploy", str(workflows_dir() / "dynamic-management.bpmn"), "--address", engine.address]) == 0
        capsys.readouterr()
        argv = ["caseload", "start-rechecks", "--address", engine.address, "--data-dir", str(record.data_dir)]
        assert main([*argv, "--json"]) == 0
        first = json.loads(capsys.readouterr().out)
        assert first["started"] == 5
        assert main([*argv, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["started"] == 0  # nothing started twice
        with Session(record.engine) as session:
            keys = sorted(e.process_instance_key for e in session.exec(select(CaseloadEntry)))
        assert keys == sorted(first["processInstanceKeys"])
        for key in keys:  # the engine has each instance, of dynamic-management, running
            with urllib.request.urlopen(f"{engine.http}/v2/process-instances/{key}", timeout=10) as response:
                instance = json.load(response)
            assert (instance["processDefinitionId"], instance["state"]) == ("dynamic-management", "ACTIVE")
    finally:
        engine.stop()
