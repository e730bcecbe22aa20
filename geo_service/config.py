"""Settings, read from the environment (and `.env`), passed explicitly to what needs them."""

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration.

    `DATABASE_URL` points at any PostGIS server; when it is unset the self-managed local
    cluster under `GEO_DATA_DIR` is used (see `geo_service.localdb`).
    """

    model_config = SettingsConfigDict(env_prefix="GEO_", env_file=".env", extra="ignore")

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Path(".geo-data")
    host: str = "127.0.0.1"
    port: int = 8000
    environment: Literal["development", "production"] = "development"
    secret_key: str = "change-me"
    rubric_path: Path | None = None
    rules_path: Path | None = None
    basemap: Literal["none", "tianditu", "amap", "osm"] = "none"
    tianditu_key: str | None = None
    sql_echo: bool = False

    @cached_property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()
