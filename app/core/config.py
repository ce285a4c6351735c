"""Settings, read from the environment with the prefix ``WIJKWINKEL_``."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The API contract's version. The major number is the one in the URI (/api/v1); every response
# carries the full number in the API-Version header (NL GOV ADR /core/version-header).
API_VERSION = "1.0.0"
API_PREFIX = "/api/v1"

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIJKWINKEL_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./var/wijkwinkel.db",
        description="SQLAlchemy URL. SQLite (default) or postgresql+psycopg://user@host/db.",
    )
    host: str = Field(default="127.0.0.1", description="Address `wijkwinkel serve` binds to.")
    port: int = Field(default=8000, description="Port `wijkwinkel serve` listens on.")
    workers: int = Field(default=1, ge=1, description="Uvicorn worker processes.")
    log_level: str = Field(default="info", description="Log level (debug, info, warning).")
    db_pool_size: int = Field(default=10, ge=1, description="Connections kept per process.")
    db_max_overflow: int = Field(default=20, ge=0, description="Extra connections under load.")
    db_connect_timeout_seconds: int = Field(
        default=5,
        ge=1,
        description="PostgreSQL: give up connecting after this long (the request gets 503).",
    )
    db_retry_attempts: int = Field(
        default=3,
        ge=1,
        description="A request whose transaction meets a deadlock or serialization failure is "
        "run again, up to this many times in all, before it gets 503.",
    )
    max_db_requests: int | None = Field(
        default=None,
        ge=1,
        description="Requests that may use the database at once; the rest wait their turn. "
        "Default: twice the number of CPU cores (at least 4, at most the connection pool) on "
        "PostgreSQL, 4 on SQLite. Raise it when the database is far away (waiting on the "
        "network, not on the CPU).",
    )
    admission_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        description="How long a request waits for its turn before it gets 503 with Retry-After.",
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Allow webhook URLs on private, loopback or link-local addresses "
        "(development and tests only).",
    )
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, description="Per delivery.")
    webhook_secret_grace_hours: int = Field(
        default=24, ge=0, description="After rotation, the old secret signs alongside this long."
    )
    worker_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A claimed delivery returns to the queue after this long if its worker died.",
    )
    worker_batch_size: int = Field(default=50, ge=1, description="Deliveries claimed at once.")
    worker_concurrency: int = Field(default=16, ge=1, description="Deliveries sent in parallel.")
    worker_poll_seconds: float = Field(default=1.0, gt=0, description="Idle wait between polls.")
    demo_keys_file: Path = Field(
        default=Path("var/demo-keys.json"),
        description="Where `make run` writes the demo organisations and their keys.",
    )
    urgent_response_hours: int = Field(
        default=24,
        ge=1,
        description="An urgent intake's referrals are due within this many hours.",
    )
    stats_min_cell_size: int = Field(
        default=5,
        ge=1,
        description="Statistics: a cell (or a count within it) below this is suppressed.",
    )
    stats_rounding_base: int = Field(
        default=5,
        ge=1,
        description="Statistics: every published count is rounded to a multiple of this, so "
        "suppressed cells cannot be worked out by subtracting published figures.",
    )
    stats_max_age_seconds: float = Field(
        default=60,
        ge=0,
        description="Statistics: figures may be this old; an older cube is brought up to date "
        "by the request that reads it (0: always up to date).",
    )
    bsn_encryption_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys (comma-separated; the first encrypts, all decrypt) for the BSN "
        "at rest. Without one, intakes with a BSN are refused.",
    )
    retention_months: int = Field(
        default=24,
        ge=1,
        description="Personal data of a closed intake is anonymised this many months after it "
        "closed (`wijkwinkel purge`, and the worker daily).",
    )
    key_last_used_resolution_seconds: int = Field(
        default=60,
        ge=0,
        description="An API key's last use is written at most this often, to spare the database.",
    )
    api_key_rotation_grace_hours: float = Field(
        default=24,
        ge=0,
        description="After an API key is rotated, the old key keeps working this long.",
    )
    rate_limit_per_minute: int = Field(
        default=600,
        ge=0,
        description="Requests per minute per API key (a token bucket, per process); 0: no limit.",
    )
    rate_limit_burst: int = Field(
        default=100,
        ge=1,
        description="How many requests a key may send at once before the per-minute rate applies.",
    )
    auth_failures_per_minute: int = Field(
        default=30,
        ge=0,
        description="Failed authentications (401) per minute per client address before that "
        "address gets 429 for keys not known to work; 0: no limit.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1,
        description="Largest request body accepted; larger gets 413.",
    )
    hsts_max_age_seconds: int = Field(
        default=31_536_000,
        ge=0,
        description="Strict-Transport-Security max-age, sent on requests that came over HTTPS "
        "(directly or per X-Forwarded-Proto); 0: never sent.",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Staff pages: after this many wrong passwords in a row the account is "
        "locked for `login_lockout_minutes`.",
    )
    login_lockout_minutes: int = Field(
        default=15, ge=1, description="Staff pages: how long a locked account stays locked."
    )
    web_session_hours: int = Field(
        default=10,
        ge=1,
        description="Staff pages: a login lasts this long at most (a working day), and ends "
        "sooner after `web_idle_minutes` without use.",
    )
    web_idle_minutes: int = Field(
        default=60, ge=1, description="Staff pages: a login ends after this long without use."
    )
    web_cookie_secure: bool | None = Field(
        default=None,
        description="Staff pages: send the session cookie with `Secure`. Default: when the "
        "request came over HTTPS (directly or per X-Forwarded-Proto).",
    )
    password_hash_time_cost: int = Field(
        default=3, ge=1, description="Argon2id passes for staff passwords (RFC 9106 default)."
    )
    password_hash_memory_kib: int = Field(
        default=65536, ge=8, description="Argon2id memory for staff passwords, in KiB (64 MiB)."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
