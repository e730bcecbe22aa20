"""附件1 scoring (计分办法) from a rubric data file (SPEC §5)."""

import math
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path

MEASURES = (
    "task_list_missing",  # 0 or 1
    "annual_plan_missing",  # 0 or 1
    "houses_unregistered",
    "tenant_points_below_target",  # derived from tenants / registered_tenants
    "second_landlords_unregistered",
    "houses_without_pledge",
    "hazards_not_transferred",
    "hazards_overdue",
    "hazards_unrectified",
)


@dataclass(frozen=True)
class Deduction:
    measure: str
    per: float
    label_zh: str


@dataclass(frozen=True)
class Section:
    code: str
    label_zh: str
    points: float
    deductions: tuple[Deduction, ...]
    target_percent: float = 95.0
    mode: str = "floor"


@dataclass(frozen=True)
class Rubric:
    name: str
    sections: tuple[Section, ...]

    @property
    def total_points(self) -> float:
        return sum(s.points for s in self.sections)


def load_rubric(path: Path | None = None) -> Rubric:
    """Read a rubric TOML file, or the packaged Luoyang rubric."""
    text = (
        path.read_text(encoding="utf-8")
        if path
        else resources.files("geo_service.domain")
        .joinpath("rubric_luoyang.toml")
        .read_text("utf-8")
    )
    raw = tomllib.loads(text)
    sections = []
    for s in raw["section"]:
        deductions = tuple(Deduction(**d) for d in s["deductions"])
        for d in deductions:
            if d.measure not in MEASURES:
                raise ValueError(f"rubric section {s['code']}: unknown measure {d.measure!r}")
        sections.append(
            Section(
                code=s["code"],
                label_zh=s["label_zh"],
                points=float(s["points"]),
                deductions=deductions,
                target_percent=float(s.get("target_percent", 95)),
                mode=s.get("mode", "floor"),
            )
        )
    return Rubric(name=raw["name"], sections=tuple(sections))


def tenant_points_below(tenants: int, registered: int, target: float, mode: str) -> float:
    """Percentage points by which the tenant registration rate falls short of `target`.

    Exact arithmetic, so 94/100 tenants is exactly 1 point below 95 % (no float drift);
    a unit with no tenants found has nothing to register and loses nothing.
    """
    if tenants <= 0:
        return 0.0
    gap = Fraction(str(target)) - Fraction(100 * registered, tenants)
    if gap <= 0:
        return 0.0
    return float(math.floor(gap)) if mode == "floor" else float(gap)


@dataclass
class SectionScore:
    code: str
    label_zh: str
    points: float
    deducted: float
    score: float
    items: list[dict] = field(default_factory=list)  # {measure, label_zh, count, per, amount}


def score_sections(measures: dict[str, float], rubric: Rubric) -> list[SectionScore]:
    """Apply the rubric to one unit's measures; each section floors at 0."""
    out = []
    for s in rubric.sections:
        items = []
        for d in s.deductions:
            count = measures.get(d.measure, 0)
            if d.measure == "tenant_points_below_target" and "tenants" in measures:
                count = tenant_points_below(
                    int(measures["tenants"]),
                    int(measures["registered_tenants"]),
                    s.target_percent,
                    s.mode,
                )
            amount = count * d.per
            items.append(
                {
                    "measure": d.measure,
                    "label_zh": d.label_zh,
                    "count": count,
                    "per": d.per,
                    "amount": amount,
                }
            )
        deducted = sum(i["amount"] for i in items)
        score = max(0.0, s.points - deducted)
        out.append(SectionScore(s.code, s.label_zh, s.points, s.points - score, score, items))
    return out
