"""Parameters of the patrol-route planning, read from `routes.toml` (or a town's own copy).

`GEO_ROUTES_PATH` (a setting, see `geo_service.configfiles`) names a copy to use instead of the
packaged defaults.
"""

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from geo_service.errors import ValidationError

TARGET_KINDS = ("catastrophic_hazard", "overdue", "listed", "unverified_fix", "key_area")
TARGET_KIND_ZH = {
    "catastrophic_hazard": "重大隐患（火灾/爆炸/坍塌类）未整改",
    "overdue": "隐患逾期未整改",
    "listed": "督导组指定",
    "unverified_fix": "重大隐患已整改待复核",
    "key_area": "重点区域高风险房屋",
    "pinned": "督导组固定必访",  # set by the planner, not selected (priority = the maximum)
}


def parse_hhmm(value: str) -> int:
    """Seconds after midnight of an "HH:MM" time; a clear error otherwise.

    >>> parse_hhmm("08:30")
    30600
    """
    try:
        hours, minutes = value.strip().split(":")
        h, m = int(hours), int(minutes)
    except ValueError:
        raise ValidationError(f"时间格式应为 HH:MM (time must be HH:MM): {value!r}") from None
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 3600 + m * 60 > 86400:
        raise ValidationError(f"时间超出范围 (time out of range): {value!r}")
    return h * 3600 + m * 60


def format_hhmm(seconds: int) -> str:
    """ "HH:MM" of seconds after midnight (rounded down to the minute)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class DepotConfig:
    name: str
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class RouteParams:
    """Everything the planner reads from the configuration file."""

    shift_start_s: int = 30600
    shift_end_s: int = 63000
    service_house_s: int = 1200
    service_per_major_s: int = 600
    service_per_other_s: int = 0
    priority: dict[str, int] = field(default_factory=dict)
    priority_per_extra_hazard: int = 2
    priority_max: int = 100
    include_unverified_fix: bool = True
    max_targets: int = 400
    risk_threshold: float = 5.0
    speeds_kmh: dict[str, float] = field(default_factory=dict)
    max_snap_m: float = 300
    vertex_tolerance_deg: float = 1e-7
    depots: dict[str, DepotConfig] = field(default_factory=dict)
    time_windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    exploration_level: int = 3
    threads: int = 2
    timeout_s: float = 30


def _read(path: Path | None) -> str:
    if path is None:
        return resources.files("geo_service.patrol").joinpath("routes.toml").read_text("utf-8")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise ValidationError(f"无法读取路线配置 (cannot read routes config) {path}: {e}") from None


def load_route_params(path: Path | None = None) -> RouteParams:
    """Read the planning parameters from `path`, or the packaged defaults."""
    try:
        raw = tomllib.loads(_read(path))
        priority = dict(raw["priority"])
        windows = {
            kind: (parse_hhmm(w[0]), parse_hhmm(w[1]))
            for kind, w in raw.get("time_windows", {}).items()
        }
        return RouteParams(
            shift_start_s=parse_hhmm(raw["shift"]["start"]),
            shift_end_s=parse_hhmm(raw["shift"]["end"]),
            service_house_s=int(raw["service_minutes"]["house"] * 60),
            service_per_major_s=int(raw["service_minutes"]["per_major_hazard"] * 60),
            service_per_other_s=int(raw["service_minutes"]["per_other_hazard"] * 60),
            priority={k: int(priority[k]) for k in TARGET_KINDS},
            priority_per_extra_hazard=int(priority["per_extra_hazard"]),
            priority_max=min(100, int(priority["max"])),
            include_unverified_fix=bool(raw["targets"]["include_unverified_fix"]),
            max_targets=int(raw["targets"]["max_per_plan"]),
            risk_threshold=float(raw["key_area_risk"]["threshold"]),
            speeds_kmh={k: float(v) for k, v in raw["speeds_kmh"].items()},
            max_snap_m=float(raw["network"]["max_snap_m"]),
            vertex_tolerance_deg=float(raw["network"]["vertex_tolerance_deg"]),
            depots={
                key: DepotConfig(d.get("name", key), d.get("lon"), d.get("lat"))
                for key, d in raw["depots"].items()
            },
            time_windows=windows,
            exploration_level=int(raw["solver"]["exploration_level"]),
            threads=int(raw["solver"]["threads"]),
            timeout_s=float(raw["solver"]["timeout_s"]),
        )
    except (KeyError, TypeError, tomllib.TOMLDecodeError) as e:
        raise ValidationError(f"路线配置有误 (routes config invalid): {e!r}") from None
