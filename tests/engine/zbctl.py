"""Run the real `zbctl` 8.4 (npm `zbctl`) against an engine and read what it prints.

zbctl prints protobuf JSON: int64 fields (keys, deadlines) come out as strings, and `variables` /
`customHeaders` are JSON documents inside strings. `Result.json` parses the first JSON object it
printed; keys stay as zbctl prints them (use `int(...)`).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jiuzhu.oauth import OAuthCredentials

ROOT = Path(__file__).resolve().parents[2]
ZBCTL = ROOT / "node_modules" / ".bin" / "zbctl"


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def json(self) -> Any:
        start = self.stdout.find("{")
        if start < 0:
            raise AssertionError(f"zbctl {' '.join(self.args)} printed no JSON: {self.stdout!r} {self.stderr!r}")
        value, _ = json.JSONDecoder().raw_decode(self.stdout[start:])
        return value

    def check(self) -> Result:
        if not self.ok:
            raise AssertionError(
                f"zbctl {' '.join(self.args)} exited with {self.returncode}:\n{self.stdout}\n{self.stderr}"
            )
        return self


class Zbctl:
    """``credentials``: the OAuth client zbctl fetches its token with (``--clientId/--clientSecret/
    --authzUrl``); zbctl sends it over plaintext gRPC when ``--insecure`` is given, as here."""

    def __init__(self, address: str, credentials: OAuthCredentials | None = None, cache: Path | None = None) -> None:
        self.address = address
        self.credentials = credentials
        self.cache = cache

    def command(self, *args: str) -> list[str]:
        command = [str(ZBCTL), "--insecure", "--address", self.address]
        if self.credentials is not None:
            c = self.credentials
            command += ["--clientId", c.client_id, "--clientSecret", c.client_secret, "--authzUrl", c.token_url]
        if self.cache is not None:
            command += ["--clientCache", str(self.cache)]  # not ~/.camunda: each engine has its own clients
        return [*command, *args]

    def run(self, *args: str, timeout: float = 30.0) -> Result:
        proc = subprocess.run(self.command(*args), capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        return Result(list(args), proc.returncode, proc.stdout, proc.stderr)

    def __call__(self, *args: str, timeout: float = 30.0) -> Result:
        """Run and require exit status 0."""
        return self.run(*args, timeout=timeout).check()

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start zbctl without waiting (e.g. `create instance --withResult`)."""
        return subprocess.Popen(
            self.command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )

    def activate(self, job_type: str, *args: str, request_timeout: str = "2s") -> list[dict[str, Any]]:
        """`zbctl activate jobs TYPE`; the jobs it printed, with variables/customHeaders decoded."""
        result = self("activate", "jobs", job_type, "--requestTimeout", request_timeout, *args)
        jobs: list[dict[str, Any]] = result.json.get("jobs", [])
        for job in jobs:
            job["variables"] = json.loads(job["variables"])
            job["customHeaders"] = json.loads(job["customHeaders"])
        return jobs
