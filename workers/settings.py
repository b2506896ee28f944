"""Worker settings from the environment (prefix ``JIUZHU_``), e.g. ``JIUZHU_DATABASE_URL``."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiuzhu.policy import DEFAULT_PROFILE


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIUZHU_", extra="ignore")

    database_url: str | None = None  # the case record; default sqlite:///<data_dir>/caserecord.db
    data_dir: Path = Path("var")  # calendar overrides, rendered notices, the fake platform's registry
    profile: str = DEFAULT_PROFILE  # policy profile for jobs that carry no case path
    county_name: str = "广德市"
    complaint_phone: str = "0563-6012349"  # the local number beside the national 12349 hotline
    worker_name: str = "jiuzhu-workers"
    request_timeout_ms: int = Field(default=10_000, ge=0)  # ActivateJobs long poll
    retry_backoff_ms: int = Field(default=2_000, ge=0)  # first back-off after a technical failure
    retry_backoff_max_ms: int = Field(default=300_000, ge=0)
    # The family economic-status check: "fake" (the local provider) reads the registry extracts (JSON
    # and CSV); "provincial" calls the platform over HTTP.
    platform: Literal["fake", "provincial"] = "fake"
    platform_url: str | None = None
    platform_token: str | None = None
    platform_timeout_s: float = Field(default=10.0, gt=0)
    platform_retries: int = Field(default=3, ge=0)
    public_url: str | None = None  # the task list as people reach it: links in notifications
    notice_pdf: bool = True  # notices and 公示 archived as PDF beside the HTML (WeasyPrint)
    registry_file: Path | None = None  # default <data_dir>/provincial-registry.json
    registry_extracts_dir: Path | None = None  # CSV extracts; default <data_dir>/registry-extracts

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'caserecord.db').resolve()}"

    def resolved_registry_file(self) -> Path:
        return self.registry_file or self.data_dir / "provincial-registry.json"

    def resolved_extracts_dir(self) -> Path:
        return self.registry_extracts_dir or self.data_dir / "registry-extracts"
