"""The plan's rule parameters (SPEC §3.3, §3.4) and the CCTV and fire-kit rules.

A hazard's deadline and its state on a day (due, rectified, transferred, overdue) are defined
once, in the database: `hazard_due()` and `hazard_state(d)` (sql/0009_hazard_rules.sql), over
the parameters `rules apply` loads into `rule_params` from the file read here.
"""

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class RuleParams:
    major_deadline_days: int = 7
    general_deadline_months: int = 3
    cctv_min_rooms: int = 10
    cctv_min_beds: int = 10
    cctv_min_tenants: int = 10
    cctv_min_retention_days: int = 30
    campus_buffer_m: float = 200.0


@cache
def rule_params_of(path: Path | None) -> RuleParams:
    """The rule parameters of the file `path` (None: the packaged one), read once per process:
    a rules file takes effect when applied and the service restarted (docs/rules.md)."""
    return load_rule_params(path)


def load_rule_params(path: Path | None = None) -> RuleParams:
    """Read the rule parameters from `path`, or the packaged defaults."""
    text = (
        path.read_text(encoding="utf-8")
        if path
        else resources.files("geo_service.domain").joinpath("rules.toml").read_text("utf-8")
    )
    raw = tomllib.loads(text)
    return RuleParams(
        major_deadline_days=raw["deadline"]["major_days"],
        general_deadline_months=raw["deadline"]["general_months"],
        cctv_min_rooms=raw["cctv"]["min_rooms"],
        cctv_min_beds=raw["cctv"]["min_beds"],
        cctv_min_tenants=raw["cctv"]["min_tenants"],
        cctv_min_retention_days=raw["cctv"]["min_retention_days"],
        campus_buffer_m=float(raw["key_areas"]["campus_buffer_m"]),
    )


def fingerprint(p: RuleParams) -> str:
    """A short digest of the parameters: the database keeps the one of the rules in force, so a
    process started with another rules file can tell (geo_service.rulebook)."""
    canonical = json.dumps(asdict(p), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def cctv_triggers(rooms: int, beds: int, tenants: int, p: RuleParams) -> list[str]:
    """Which thresholds a house reaches ("rooms", "beds", "tenants"); any one requires CCTV."""
    reached = [
        ("rooms", rooms >= p.cctv_min_rooms),
        ("beds", beds >= p.cctv_min_beds),
        ("tenants", tenants >= p.cctv_min_tenants),
    ]
    return [name for name, hit in reached if hit]


def cctv_required(rooms: int, beds: int, tenants: int, p: RuleParams) -> bool:
    """视频监控 required: ≥ 10 rental rooms, or ≥ 10 beds, or ≥ 10 tenants."""
    return bool(cctv_triggers(rooms, beds, tenants, p))


def cctv_violation(
    rooms: int,
    beds: int,
    tenants: int,
    installed: bool | None,
    retention_days: int | None,
    p: RuleParams,
) -> str | None:
    """The reason a house breaks the CCTV rule, or None when it complies or is not required."""
    if not cctv_required(rooms, beds, tenants, p):
        return None
    if not installed:
        return "missing"  # 未安装或不能正常使用
    if retention_days is None or retention_days < p.cctv_min_retention_days:
        return "short_retention"  # 保存不足30天
    return None


def fire_kit_status(
    smoke_masks: bool | None, torches: bool | None, extinguishers: bool | None
) -> str:
    """消防器材 (SPEC §3.4): "incomplete" when any item is recorded absent, "complete" when all
    are present, else "unchecked" (not all recorded yet)."""
    items = (smoke_masks, torches, extinguishers)
    if any(i is False for i in items):
        return "incomplete"
    if all(i is True for i in items):
        return "complete"
    return "unchecked"
