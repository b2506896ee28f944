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
    # The family economic-status check: "fake" reads the registry JSON; "provincial" calls the platform.
    platform: Literal["fake", "provincial"] = "fake"
    platform_url: str | None = None
    platform_token: str | None = None
    platform_timeout_s: float = Field(default=10.0, gt=0)
    platform_retries: int = Field(default=3, ge=0)
    registry_file: Path | None = None  # default <data_dir>/provincial-registry.json

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'caserecord.db').resolve()}"

    def resolved_registry_file(self) -> Path:
        return self.registry_file or self.data_dir / "provincial-registry.json"
