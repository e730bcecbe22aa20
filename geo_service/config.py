"""Settings, read from the environment (and `.env`), passed explicitly to what needs them."""

import ipaddress
import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from geo_service.domain.rules import RuleParams


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
    # The town's time zone: "today" (the default as-of day everywhere) is the date there.
    timezone: str = "Asia/Shanghai"
    # The town's configuration files (docs/configuration.md); None: the packaged default.
    rules_path: Path | None = None  # deadlines, CCTV thresholds (domain/rules.toml)
    rubric_path: Path | None = None  # 附件1 计分办法 (domain/rubric_luoyang.toml)
    routes_path: Path | None = None  # patrol planning (routes/routes.toml)
    town_path: Path | None = None  # address conventions, geocoder threshold (etl/town.toml)
    risk_weights_path: Path | None = None  # 风险排序 weights (analytics/risk_weights.toml)
    basemap: Literal["none", "tianditu", "amap", "osm"] = "none"
    tianditu_key: str | None = None
    sql_echo: bool = False
    # Per server worker: connections kept (and as many again in a burst), and how long a
    # request queues for one before it is answered 503 (busy, retry).
    db_pool_size: int = 10
    db_pool_timeout: float = 30
    # Access control (docs/access.md). Lifetimes: API bearer tokens are short, the map's
    # session cookie lasts a working day; both are void at once on logout or disabling.
    token_minutes: int = 30
    session_hours: float = 10
    login_max_failures: int = 5  # consecutive bad passwords before the account locks
    login_lockout_minutes: int = 15
    login_rate_per_minute: int = 20  # login attempts per client address
    cors_origins: list[str] = []  # closed by default: no cross-origin browser access
    # Reverse proxies (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto name
    # the client; from anyone else those headers are ignored. Comma-separated or a JSON list.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    max_upload_mb: float = 50  # request bodies above this are refused (413)
    cookie_secure: bool | None = None  # None: Secure cookies in production only
    # Response cache of the analytics and tiles (docs/cache.md): answers kept in PostgreSQL
    # until the next write to the data; an answer larger than cache_max_entry_mb is not kept.
    cache_enabled: bool = True
    cache_max_mb: int = 1024
    cache_max_entry_mb: float = 32
    # The maintained risk ranking (docs/analytics.md): each server process looks this often
    # (seconds) whether today's ranking is stale and refreshes it in the background; 0: never
    # (then `geo-service risk --refresh`, e.g. from cron, keeps it).
    risk_refresh_poll_s: float = 5
    # `geo-service import` lowers its own CPU priority by this much (nice), so that a batch of
    # imports on the server's machine yields to the people using the map; 0 keeps it.
    import_nice: int = Field(default=10, ge=0, le=19)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"GEO_TIMEZONE: 未知时区 unknown time zone {value!r}") from None
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if isinstance(value, list):
            value = [str(v).strip() for v in value if str(v).strip()]
            for v in value:
                ipaddress.ip_network(v, strict=False)  # ValueError: not an address or network
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The town's time zone (GEO_TIMEZONE)."""
        return ZoneInfo(self.timezone)

    @property
    def rules(self) -> "RuleParams":
        """The rule parameters of GEO_RULES_PATH (else the packaged rules), read once per
        process."""
        from geo_service.domain.rules import rule_params_of

        return rule_params_of(self.rules_path)

    @cached_property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()
