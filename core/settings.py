"""Settings read from the environment once per process.

Everything a deployment changes lives here so that the code never reads ``os.environ`` elsewhere;
tests build their own ``Settings`` and hand them to the app factory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import msgspec

Environment = Literal["development", "test", "production"]

PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, most Chromium browsers
    "android.googleapis.com",
    "push.services.mozilla.com",  # Firefox
    "push.apple.com",  # Safari
    "notify.windows.com",  # Edge on Windows
)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Environment = "development"
    database_url: str | None = None
    """``postgresql://…`` selects PostgreSQL; unset means SQLite in ``data_dir``."""
    data_dir: Path = Path("var")
    """Database file, uploaded files and backups."""
    secrets_dir: Path = Path("var/secrets")
    """Keys that must never sit in the database (PII encryption, blind index, signing keys)."""
    host: str = "127.0.0.1"
    port: int = 8000
    public_origin: str = "http://127.0.0.1:8000"
    cookie_secure: bool = False
    pg_pool_min: int = 2
    pg_pool_max: int = 10
    sqlite_pool_size: int = 4
    sqlite_busy_timeout_ms: int = 30_000
    resident_idle_minutes: int = 30
    resident_absolute_hours: int = 12
    clerk_idle_minutes: int = 15
    clerk_absolute_hours: int = 10
    sms_code_ttl_seconds: int = 600
    sms_code_max_attempts: int = 5
    sms_codes_per_phone_per_hour: int = 5
    login_failures_before_lockout: int = 5
    lockout_minutes: int = 15
    upload_max_bytes: int = 10 * 1024 * 1024
    log_level: str = "INFO"
    sms_url: str = ""
    """HTTP SMS gateway; empty selects the development sender (refused in production)."""
    sms_token: str = ""
    platform_region: str = "360000"
    """The province this instance serves (GB/T 2260); federation peers serve others."""
    push_subject: str = "mailto:webpush@zhangban.example"
    """VAPID ``sub`` claim: a contact push services can reach (``mailto:`` or an https URL)."""
    push_hosts: tuple[str, ...] = PUSH_HOSTS
    """Push services a subscription endpoint may point at (host or parent domain); the server POSTs there."""

    @property
    def is_dev(self) -> bool:
        return self.env != "production"

    @property
    def engine(self) -> Literal["sqlite", "postgres"]:
        return "postgres" if self.database_url and self.database_url.startswith("postgres") else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "zhangban.sqlite"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _push_subject(origin: str) -> str:
    return origin if origin.startswith("https://") else "mailto:webpush@zhangban.example"


def from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables (``ZB_*`` plus ``DATABASE_URL``, ``HOST``, ``PORT``)."""
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("ZB_DATA_DIR", "var"))
    host = env.get("HOST", "127.0.0.1")
    port = int(env.get("PORT", "8000"))
    mode = env.get("ZB_ENV", "development")
    if mode not in ("development", "test", "production"):
        raise ValueError(f"ZB_ENV must be development, test or production, not {mode!r}")
    return Settings(
        env=mode,  # type: ignore[arg-type]
        database_url=env.get("DATABASE_URL") or None,
        data_dir=data_dir,
        secrets_dir=Path(env.get("ZB_SECRETS_DIR", str(data_dir / "secrets"))),
        host=host,
        port=port,
        public_origin=env.get("ZB_PUBLIC_ORIGIN", f"http://{host}:{port}"),
        cookie_secure=_bool(env.get("ZB_COOKIE_SECURE"), mode == "production"),
        log_level=env.get("ZB_LOG_LEVEL", "INFO"),
        sms_url=env.get("ZB_SMS_URL", ""),
        sms_token=env.get("ZB_SMS_TOKEN", ""),
        platform_region=env.get("ZB_PLATFORM_REGION", "360000"),
        push_subject=env.get("ZB_PUSH_SUBJECT") or _push_subject(env.get("ZB_PUBLIC_ORIGIN", "")),
        push_hosts=tuple(h.strip().lower() for h in env.get("ZB_PUSH_HOSTS", "").split(",") if h.strip()) or PUSH_HOSTS,
    )


_current: Settings | None = None


def get() -> Settings:
    """The settings of the running process (set by the app factory or the CLI)."""
    global _current
    if _current is None:
        _current = from_env()
    return _current


def use(settings: Settings) -> None:
    global _current
    _current = settings
