"""月度通报: the monthly bulletin of the supervision group, in Chinese HTML (and PDF).

As of the month's last day (or today, for the running month): the 附件1 ranking with the change
since last month, the town's 附件2 rates, overdue hazards by unit, a density map (hazards per
100 houses by unit) and the trend of the last months. Images are embedded as data URIs, so the
HTML is one self-contained file; the PDF is printed from it by headless Chromium when present.
"""

import base64
import dataclasses
import shutil
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Connection, text

from geo_service.analytics import charts
from geo_service.analytics.common import month_bounds
from geo_service.analytics.overdue import overdue
from geo_service.analytics.scores import competition_ranks, score_unit, unit_measures
from geo_service.analytics.table import RATES, rate
from geo_service.clock import town_today, town_tz
from geo_service.domain.rubric import Rubric
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.scope import Scope, ScopeSql

RATE_ZH = {
    "house_registration": "群租房登记率",
    "tenant_registration": "租住人员登记率",
    "second_landlord_registration": "二房东登记率",
    "pledge": "保证书签订率",
    "investigation": "隐患排查率",
    "transfer": "隐患流转率",
    "rectification": "隐患整改率",
}


def _month_ends(first: date, count: int, today: date) -> list[tuple[str, date]]:
    """(YYYY-MM, as-of day) for `count` months ending with the month of `first`, oldest first."""
    out = []
    y, m = first.year, first.month
    for _ in range(count):
        label = f"{y:04d}-{m:02d}"
        out.append((label, min(month_bounds(label)[1], today)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _scored(rows: list[dict[str, Any]], rubric: Rubric) -> dict[str, dict[str, Any]]:
    results = [(r, *score_unit(r, rubric)) for r in rows]
    ranks = competition_ranks([t for _, t, _ in results])
    return {
        r["unit_name"]: {"total": t, "rank": k, "sections": s, "row": r}
        for (r, t, s), k in zip(results, ranks, strict=True)
    }


def _density_png(conn: Connection, rows: list[dict[str, Any]], title: str) -> bytes:
    geoms = {
        name: shapely.from_wkb(bytes(wkb)) if wkb is not None else None
        for name, wkb in conn.execute(
            text("SELECT name, ST_AsBinary(geom) FROM units WHERE kind IN ('village', 'community')")
        )
    }
    frame = gpd.GeoDataFrame(
        {
            "name": [r["unit_name"] for r in rows],
            "rate": [
                100 * r["hazards"] / r["houses"] if r["houses"] else float("nan") for r in rows
            ],
        },
        geometry=[geoms.get(r["unit_name"]) for r in rows],
        crs=4326,
    )
    return charts.density_map(frame[frame.geometry.notna()], title)


def _is_synthetic(conn: Connection) -> bool:
    return bool(
        conn.execute(
            text(
                "SELECT coalesce((value ->> 'synthetic')::boolean, false) FROM meta "
                "WHERE key = 'dataset'"
            )
        ).scalar()
    )  # the demo loader marks its data set synthetic (meta 'dataset')


def bulletin_data(
    conn: Connection,
    month: str,
    scope: Scope,
    rules: RuleParams,
    rubric: Rubric,
    months_back: int = 6,
    today: date | None = None,
) -> dict[str, Any]:
    """Everything the bulletin shows for `month` (YYYY-MM), as plain data for the template."""
    today = today or town_today()
    first, _ = month_bounds(month)
    if first > today:
        raise ValidationError(f"月份 {month} 尚未开始 (month is in the future)")
    ScopeSql(scope, conn)  # an unknown unit is a 404 before any work
    ends = _month_ends(first, max(2, months_back), today)
    per_month = []
    for label, as_of in ends:
        f = dataclasses.replace(scope, as_of=as_of, period_from=None, period_to=None)
        rows = unit_measures(conn, f, rules)
        per_month.append((label, as_of, rows, _scored(rows, rubric)))
    (_, prev_as_of, prev_rows, prev), (_, as_of, rows, cur) = per_month[-2], per_month[-1]

    ranking = []
    for name, s in sorted(cur.items(), key=lambda kv: (kv[1]["rank"], kv[0])):
        p = prev.get(name)
        ranking.append(
            {
                "unit": name,
                "rank": s["rank"],
                "total": s["total"],
                "sections": [sec.score for sec in s["sections"]],
                "prev_total": p["total"] if p else None,
                "delta": s["total"] - p["total"] if p else None,
                "prev_rank": p["rank"] if p else None,
            }
        )
    totals = {k: sum(r[k] for r in rows) for k in ("houses", "hazards", "hazards_rectified")}
    prev_totals = {k: sum(r[k] for r in prev_rows) for k in ("hazards", "hazards_rectified")}
    town_rates = {
        RATE_ZH[code]: rate(sum(r[num] for r in rows), sum(r[den] for r in rows)).display
        for code, num, den in RATES
    }
    od = overdue(conn, dataclasses.replace(scope, as_of=as_of), rules)
    by_unit: dict[str, dict[str, int]] = {}
    for item in od.items:
        u = by_unit.setdefault(item.unit, {"major": 0, "general": 0, "max_days": 0})
        u[item.severity] += 1
        u["max_days"] = max(u["max_days"], item.days_overdue)

    months = [label for label, *_ in per_month]
    series = {
        "累计发现": [float(sum(r["hazards"] for r in rs)) for _, _, rs, _ in per_month],
        "累计整改": [float(sum(r["hazards_rectified"] for r in rs)) for _, _, rs, _ in per_month],
        "月末逾期": [float(sum(r["hazards_overdue"] for r in rs)) for _, _, rs, _ in per_month],
    }
    avg = [sum(s["total"] for s in sc.values()) / len(sc) if sc else 0.0 for *_, sc in per_month]
    y, m = first.year, first.month
    return {
        "title": f"群租房安全管理大检查通报（{y}年{m}月）",
        "month": month,
        "as_of": as_of,
        "prev_as_of": prev_as_of,
        "generated_at": datetime.now(town_tz()).strftime("%Y-%m-%d %H:%M"),
        "synthetic": _is_synthetic(conn),
        "rubric": rubric.name,
        "section_labels": [s.label_zh for s in rubric.sections],
        "section_points": [s.points for s in rubric.sections],
        "units": len(rows),
        "houses": totals["houses"],
        "hazards": totals["hazards"],
        "found_in_month": totals["hazards"] - prev_totals["hazards"],
        "rectified_in_month": totals["hazards_rectified"] - prev_totals["hazards_rectified"],
        "overdue_total": od.overdue_count,
        "town_rates": town_rates,
        "ranking": ranking,
        "overdue_by_unit": sorted(
            by_unit.items(), key=lambda kv: -(kv[1]["major"] + kv[1]["general"])
        ),
        "overdue_top": od.items[:15],
        "density_png": _density_png(conn, rows, f"隐患密度（截至 {as_of.isoformat()}）"),
        "trend_png": charts.trend_chart(months, series, avg),
    }


def render_html(data: dict[str, Any]) -> str:
    """The bulletin as one self-contained HTML page."""
    env = Environment(
        loader=PackageLoader("geo_service.analytics", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["b64"] = lambda b: base64.b64encode(b).decode("ascii")
    return env.get_template("bulletin.html").render(**data)


def pdf_engine() -> str | None:
    """The Chromium (or Chrome) binary used to print PDFs, if one is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


def html_to_pdf(html_path: Path, pdf_path: Path, timeout: float = 90) -> bool:
    """Print `html_path` to `pdf_path` with headless Chromium; False when none is installed."""
    browser = pdf_engine()
    if browser is None:
        return False
    with tempfile.TemporaryDirectory(prefix="geo-pdf-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",  # root in a container has no user namespace for the sandbox
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return False
    return pdf_path.exists() and pdf_path.stat().st_size > 0
