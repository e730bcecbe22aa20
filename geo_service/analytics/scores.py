"""附件1 计分办法: every village/community scored on D from the rubric file (SPEC §5).

The counts come from `sql/unit_measures.sql` in one query; the rubric (`domain.rubric`) turns
them into section scores, so a town that changes its 计分办法 edits the TOML, not this code.
"""

from typing import Any

from sqlalchemy import Connection

from geo_service.analytics import ledger
from geo_service.analytics.common import echo, run
from geo_service.analytics.schemas import DeductionResult, ScoresReport, SectionResult, UnitScore
from geo_service.domain.rubric import Rubric, score_sections
from geo_service.domain.rules import RuleParams
from geo_service.scope import Scope


def unit_measures(
    conn: Connection,
    scope: Scope,
    rules: RuleParams,
    records: bool = False,
    inspected: bool = True,
) -> list[dict[str, Any]]:
    """One row per village/community: the counts on D and, with `records`, the house and
    hazard codes behind each count (`rec_<measure>` lists; absent otherwise). The counts are
    sums over the event ledger when it can answer the scope (`ledger.answers`), else direct;
    without `inspected` the ledger skips the 排查率's count (houses_inspected may be None)."""
    on_ledger = ledger.answers(conn, scope)
    if on_ledger:
        rows = ledger.measures(conn, scope, rules, inspected)
    else:
        rows = list(run(conn, "unit_measures.sql", scope, rules))
    if records:
        found = (
            ledger.records(conn, scope, rules)
            if on_ledger
            else run(conn, "unit_records.sql", scope, rules)
        )
        codes = {r.pop("unit_id"): r for r in found}
        for row in rows:
            row.update(codes[row["unit_id"]])
    return rows


def rubric_measures(row: dict[str, Any]) -> dict[str, float]:
    """The rubric's measures (see `domain.rubric.MEASURES`) for one unit row.

    A task list / annual plan that is not recorded as made (NULL) counts as missing: the unit
    has to show it (decision, docs/analytics.md).
    """
    return {
        "task_list_missing": 0 if row["has_task_list"] else 1,
        "annual_plan_missing": 0 if row["has_annual_plan"] else 1,
        "houses_unregistered": row["houses"] - row["houses_registered"],
        "tenants": row["tenants"],
        "registered_tenants": row["registered_tenants"],
        "second_landlords_unregistered": row["second_landlords"]
        - row["second_landlords_registered"],
        "houses_without_pledge": row["houses"] - row["houses_pledged"],
        "hazards_not_transferred": row["hazards"] - row["hazards_transferred"],
        "hazards_overdue": row["hazards_overdue"],
        "hazards_unrectified": row["hazards"] - row["hazards_rectified"],
    }


def _detail(measure: str, row: dict[str, Any]) -> str | None:
    """A short Chinese note on how a count was obtained, where the count alone is not enough."""
    if measure == "tenant_points_below_target":
        t, r = row["tenants"], row["registered_tenants"]
        if t == 0:
            return "未发现租住人员，不扣分"
        return f"已登记 {r}/{t} = {100 * r / t:.2f}%"
    if measure == "task_list_missing":
        return None if row["has_task_list"] else "未制定（或未填报）职责任务清单"
    if measure == "annual_plan_missing":
        return None if row["has_annual_plan"] else "未制定（或未填报）年度工作方案"
    return None


def competition_ranks(totals: list[float]) -> list[int]:
    """Rank 1 = highest; equal totals share a rank and the next rank is skipped (1, 2, 2, 4).

    Totals are compared at 4 decimals so float noise of proportional deductions cannot split
    a tie.
    """
    keys = [round(t, 4) for t in totals]
    return [1 + sum(1 for other in keys if other > k) for k in keys]


def score_unit(row: dict[str, Any], rubric: Rubric) -> tuple[float, list[SectionResult]]:
    """Score one unit row with the rubric; each deduction carries its records."""
    sections = []
    for s in score_sections(rubric_measures(row), rubric):
        items = [
            DeductionResult(
                **i,
                detail=_detail(i["measure"], row),
                records=list(row.get(f"rec_{i['measure']}", [])) if i["count"] else [],
            )
            for i in s.items
        ]
        sections.append(
            SectionResult(
                code=s.code,
                label_zh=s.label_zh,
                points=s.points,
                deducted=s.deducted,
                score=s.score,
                items=items,
            )
        )
    return sum(s.score for s in sections), sections


def scores(
    conn: Connection, scope: Scope, rules: RuleParams, rubric: Rubric, records: bool = True
) -> ScoresReport:
    """Every village/community's 附件1 score on D, best first, with ranks; with `records`
    (default) each deduction lists the house or hazard codes that caused it."""
    scored = []
    for row in unit_measures(conn, scope, rules, records=records, inspected=False):
        total, sections = score_unit(row, rubric)
        scored.append((row, total, sections))
    ranks = competition_ranks([t for _, t, _ in scored])
    units = [
        UnitScore(
            unit=row["unit_name"],
            unit_id=row["unit_id"],
            kind=row["unit_kind"],
            total=total,
            rank=rank,
            sections=sections,
        )
        for (row, total, sections), rank in zip(scored, ranks, strict=True)
    ]
    units.sort(key=lambda u: (u.rank, u.unit))
    return ScoresReport(
        filters=echo(conn, scope), rubric=rubric.name, total_points=rubric.total_points, units=units
    )
