"""Settings from the environment (and a `.env` file), typed and checked at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-do-not-use-in-production"
# Session cookies and CSRF tokens are signed with SECRET_KEY: a short one can be guessed offline.
MIN_SECRET_BYTES = 32
MAKE_A_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'data' / 'plantrack.db'}")
    environment: str = Field(default="development", pattern="^(development|test|production)$")
    secret_key: str = DEV_SECRET
    demo_mode: bool = False
    session_idle_minutes: int = Field(default=60, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    # Every wait for a lock is bounded by what a request may take (issue 16); past it the
    # request answers 503 with Retry-After. SQLite: a writer waits up to write_wait_s for its
    # process's turn, then up to the busy timeout for another process's writer. PostgreSQL: a
    # statement waits up to the lock timeout for a row lock and runs up to the statement timeout.
    sqlite_busy_timeout_ms: int = Field(default=5_000, ge=0)
    write_wait_s: float = Field(default=5, gt=0)
    database_lock_timeout_ms: int = Field(default=5_000, ge=1)
    database_statement_timeout_ms: int = Field(default=30_000, ge=1)
    # A request holds its connection until it has rendered, and the server runs up to 40 of them
    # at once (anyio's thread pool): a smaller pool made the 16th slow request wait and fail.
    # With PostgreSQL keep workers x (size + overflow) below the server's max_connections (100).
    database_pool_size: int = Field(default=20, ge=1)
    database_max_overflow: int = Field(default=25, ge=0)
    database_pool_timeout_s: float = Field(default=30, gt=0)
    # Heavy renders (a report as PDF, an export as XLSX) run at most this many at once in a
    # process; a request waits up to render_wait_s for a slot, then answers 503 with Retry-After.
    render_slots: int = Field(default=2, ge=1)
    render_wait_s: float = Field(default=2, gt=0)
    seeds_dir: Path = ROOT / "seeds"
    page_size: int = Field(default=50, ge=1, le=500)
    # Rendered read pages kept in memory (app.routes.cached_pages), per worker process: the
    # bodies' bytes in all, least recently used dropped first; 0 keeps none (issue 14).
    page_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    # Bodies over these are refused with 413 before they are read (app.routes.body_limit): JSON
    # and forms stay far below 1 MiB; only routes that take files may receive the larger one.
    max_body_bytes: int = Field(default=1_048_576, ge=1_024)
    max_upload_bytes: int = Field(default=20_971_520, ge=1_024)
    # Where the site is reached from outside: links in e-mails (an item, unsubscribing) start here.
    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/?#]+[^\s?#]*$")
    # Mail (app.services.mail). No SMTP_HOST: demo mode for mail, every message is kept in the
    # outbox table for administrators to read (/admin/outbox) and none leaves the machine.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65_535)
    smtp_starttls: bool = True  # upgrade the connection with STARTTLS; refuse to send without it
    smtp_user: str = ""  # log in when set
    smtp_password: SecretStr = SecretStr("")  # never logged, shown or stored in the outbox
    smtp_timeout_s: float = Field(default=10, gt=0, le=300)
    mail_from: str = "PlanTrack <plantrack@localhost>"

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError(
                f"SECRET_KEY must be set in production (make one with: {MAKE_A_SECRET})"
            )
        length = len(self.secret_key.encode())
        if self.environment == "production" and length < MIN_SECRET_BYTES:
            raise ValueError(
                f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes in production (it has "
                f"{length}; make one with: {MAKE_A_SECRET})"
            )
        if self.environment == "production" and self.demo_mode:
            raise ValueError("DEMO_MODE cannot be on in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_problems(exc: ValidationError) -> list[str]:
    """What is wrong with the environment, one line each, for a start-up message."""
    lines = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        where = ".".join(str(part) for part in error["loc"]).upper()
        lines.append(f"{where}: {message}" if where else message)
    return lines
