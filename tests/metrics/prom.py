"""A real Prometheus for tests: scrapes any targets, loads the project's rules, answers PromQL.

    with PrometheusServer(tmp_path, targets={"jiuzhu-engine": ["127.0.0.1:8080"]}) as prom:
        prom.wait_for('jiuzhu_engine_process_instances_active')
        prom.query('sum(jiuzhu_cases_open)')

The scrape config is infra/prometheus/prometheus.yml with each job's targets replaced (jobs not
named keep none, so `up{job=...}` exists only for the jobs given) and intervals of 1 s; the rule
files are the project's, with group intervals of 1 s. Point it at a sample server (these tests) or at
a running `jiuzhu up` (the end-to-end tests).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from jiuzhu.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "infra" / "prometheus"
INSTALL_HINT = "install Debian's `prometheus` package (apt-get install -y prometheus); .ci/run must do this"


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise AssertionError(f"`{tool}` is not on PATH: {INSTALL_HINT}")
    return path


class QueryError(AssertionError):
    pass


class PrometheusServer:
    def __init__(self, workdir: Path, targets: dict[str, list[str]], rules: bool = True) -> None:
        self.workdir = workdir
        self.targets = targets
        self.rules = rules
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ config

    def write_config(self) -> Path:
        config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text("utf-8"))
        config["global"].update({"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"})
        jobs = []
        for job in config["scrape_configs"]:
            if job["job_name"] in self.targets:
                job["static_configs"] = [{"targets": self.targets[job["job_name"]]}]
                jobs.append(job)
        missing = set(self.targets) - {j["job_name"] for j in jobs}
        assert not missing, f"no such scrape job in prometheus.yml: {sorted(missing)}"
        config["scrape_configs"] = jobs
        rules_dir = self.workdir / "rules"
        rules_dir.mkdir(parents=True, exist_ok=True)
        if self.rules:
            for path in sorted((PROMETHEUS_DIR / "rules").glob("*.yml")):
                doc = yaml.safe_load(path.read_text("utf-8"))
                for group in doc["groups"]:
                    group["interval"] = "1s"
                (rules_dir / path.name).write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
            config["rule_files"] = [str(rules_dir / "*.yml")]
        else:
            config["rule_files"] = []
        path = self.workdir / "prometheus.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
        return path

    # ------------------------------------------------------------------ process

    def start(self, timeout: float = 20.0) -> PrometheusServer:
        binary = require("prometheus")
        config = self.write_config()
        self.log = (self.workdir / "prometheus.log").open("wb")
        self.proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited with {self.proc.returncode}: {self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"prometheus not ready within {timeout}s: {self.log_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None) is not None:
            self.log.close()

    def log_text(self) -> str:
        path = self.workdir / "prometheus.log"
        return path.read_text("utf-8", errors="replace")[-3000:] if path.exists() else ""

    def __enter__(self) -> PrometheusServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ API

    def api(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        url = f"{self.url}/api/v1/{path}"
        data = urllib.parse.urlencode(params or {}).encode()
        try:
            with urllib.request.urlopen(url, data=data if params else None, timeout=10) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as err:
            body = json.loads(err.read() or b"{}")
            raise QueryError(f"{path} {params}: HTTP {err.code}: {body.get('error', body)}") from err
        if body.get("status") != "success":
            raise QueryError(f"{path} {params}: {body}")
        return dict(body["data"])

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """Run an instant query (at Unix time `at`, default now); a parse error raises QueryError."""
        params: dict[str, Any] = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = self.api("query", params)
        result = data["result"]
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": result}]
        return list(result)

    def wait_for(self, expr: str, timeout: float = 45.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"no result for {expr!r} within {timeout}s; targets: {self.api('targets')}")
            time.sleep(0.2)

    def rule_health(self) -> list[dict[str, Any]]:
        return [rule for group in self.api("rules")["groups"] for rule in group["rules"]]
