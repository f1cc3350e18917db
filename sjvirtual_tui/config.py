"""Settings: command-line flags over ``SJV_*`` environment variables over defaults."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "sjvirtual-tui"


def default_export_dir() -> Path:
    return Path(platformdirs.user_documents_dir()) / "sjvirtual"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SJV_", extra="ignore")

    server_url: str | None = Field(default=None, description="Base URL of the bank's API.")
    demo: bool = Field(default=False, description="Run against the bundled server.")
    db_path: Path | None = Field(default=None, description="Demo: keep the server's data here.")
    request_timeout: float = Field(default=10.0, gt=0, le=120)
    export_dir: Path = Field(default_factory=default_export_dir)
    statement_page_size: int = Field(default=100, ge=10, le=500)
    statement_days: int = Field(default=90, ge=1, le=3660, description="Default range.")
    kiosk: bool = Field(default=False, description="Shared terminal: keep nothing, lock when idle.")
    idle_minutes: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="End the session after this many minutes without a key. Default: 2 in "
        "kiosk mode, else the server's idle timeout.",
    )
