"""The town's address conventions and the geocoder threshold (`town.toml`, or the file the
setting `GEO_TOWN_PATH` names)."""

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from geo_service.config import Settings


@dataclass(frozen=True)
class TownConfig:
    name: str = "洛阳镇"
    admin_levels: tuple[tuple[str, ...], ...] = ()
    bbox: tuple[float, float, float, float] = (119.95, 31.60, 120.20, 31.80)
    aliases: dict[str, str] = field(default_factory=dict)
    min_confidence: float = 0.80


def town_config(settings: Settings) -> TownConfig:
    """The town configuration of `settings` (GEO_TOWN_PATH), read once per process."""
    return _cached(settings.town_path)


@cache
def _cached(path: Path | None) -> TownConfig:
    return load_town_config(path)


def load_town_config(path: Path | None = None) -> TownConfig:
    """Read the town configuration from `path`, or the packaged default."""
    text = (
        path.read_text(encoding="utf-8")
        if path
        else resources.files("etl").joinpath("town.toml").read_text("utf-8")
    )
    raw = tomllib.loads(text)
    town = raw.get("town", {})
    return TownConfig(
        name=town.get("name", "洛阳镇"),
        admin_levels=tuple(tuple(level) for level in town.get("admin_levels", [])),
        bbox=tuple(town.get("bbox", TownConfig.bbox)),  # type: ignore[arg-type]
        aliases=dict(raw.get("aliases", {})),
        min_confidence=float(raw.get("geocode", {}).get("min_confidence", 0.80)),
    )
