"""Task-list settings, from the environment (pydantic-settings).

``JIUZHU_TASKLIST_*`` for the task list itself, ``JIUZHU_DATABASE_URL`` for the case record, and
the Camunda client variables (``CAMUNDA_REST_ADDRESS``, ``ZEEBE_CLIENT_ID``/``CAMUNDA_CLIENT_ID``,
…) to point it at a Camunda 8.8 cluster. See docs/tasklist.md.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TasklistSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIUZHU_TASKLIST_", extra="ignore", populate_by_name=True)

    # The case record (staff, cases, audit log); the same database the workers write.
    database_url: str = Field(
        default="sqlite:///var/caserecord.db",
        validation_alias=AliasChoices("JIUZHU_TASKLIST_DATABASE_URL", "JIUZHU_DATABASE_URL", "database_url"),
    )
    # The REST API v2 the task list talks to: the embedded engine, or a Camunda 8.8 cluster.
    api_url: str = Field(
        default="http://127.0.0.1:8080",
        validation_alias=AliasChoices("JIUZHU_TASKLIST_API_URL", "CAMUNDA_REST_ADDRESS", "api_url"),
    )
    # OAuth client credentials (Camunda SaaS / self-managed with Identity or Keycloak); empty = none.
    oauth_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "JIUZHU_TASKLIST_OAUTH_URL", "CAMUNDA_OAUTH_URL", "ZEEBE_AUTHORIZATION_SERVER_URL", "oauth_url"
        ),
    )
    client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("CAMUNDA_CLIENT_ID", "ZEEBE_CLIENT_ID", "client_id")
    )
    client_secret: str | None = Field(
        default=None, validation_alias=AliasChoices("CAMUNDA_CLIENT_SECRET", "ZEEBE_CLIENT_SECRET", "client_secret")
    )
    token_audience: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CAMUNDA_TOKEN_AUDIENCE", "ZEEBE_TOKEN_AUDIENCE", "token_audience"),
    )
    token_scope: str | None = Field(
        default=None, validation_alias=AliasChoices("CAMUNDA_TOKEN_SCOPE", "ZEEBE_TOKEN_SCOPE", "token_scope")
    )
    # A CA (or the engine's own certificate) to trust for api_url and oauth_url; empty: the system's.
    ca_file: str | None = Field(
        default=None,
        validation_alias=AliasChoices("JIUZHU_TASKLIST_CA_FILE", "ZEEBE_CA_CERTIFICATE_PATH", "ca_file"),
    )
    # The embedded engine's optional static token (build_v2_router(api_token=...)).
    api_token: str | None = None

    # Sessions: signing key (set it in production: sessions die with the process otherwise).
    secret_key: str | None = None
    session_max_age_s: int = 8 * 3600
    # "auto": Secure cookies when the request came over HTTPS; "always"/"never" force it.
    secure_cookies: str = "auto"
    # Sign-in throttling (ratelimit.py): after this many failures each one doubles the wait, up to
    # login_delay_cap_s for one address and login_account_delay_cap_s for a login tried from anywhere
    # (the real user is slowed by seconds, never locked out); failures are forgotten after login_window_s.
    login_max_failures: int = 5
    login_delay_cap_s: int = 900
    login_account_delay_cap_s: int = 15
    login_window_s: int = 3600
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks,
    # comma-separated); empty: none, the peer address is the client.
    trusted_proxies: str = ""

    # Which process each scheme starts is policy data (jiuzhu/policy/intake.py, beside the BPMN).
    # Only an engine whose processes carry other ids (a test deployment) overrides it here:
    # scheme (e.g. "低保") → process id.
    process_overrides: dict[str, str] = Field(default_factory=dict)
    # Where the workers archive notice PDFs (`jiuzhu up --data-dir`); None: render each download anew.
    data_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("JIUZHU_TASKLIST_DATA_DIR", "JIUZHU_DATA_DIR", "data_dir")
    )
    near_due_hours: int = 48
    inbox_page_size: int = Field(default=50, ge=1, le=500)
    static_dir: Path | None = None  # where the built bundle lives (default: the package's static/)
