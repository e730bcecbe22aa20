"""Static PNG figures of the monthly bulletin: a density map of units and a trend chart.

matplotlib with the Agg backend (no display); Chinese labels need a CJK font, looked up among
the installed fonts (Debian's fonts-noto-cjk) — without one the labels would be boxes.
"""

from functools import cache
from io import BytesIO
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager, patheffects

_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei")


@cache
def cjk_font() -> str | None:
    """The family of an installed CJK font, registering Noto's .ttc files when present."""
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path or "NotoSansSC" in path:
            font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in _CJK_FAMILIES if f in names), None)


def _style() -> None:
    family = cjk_font()
    if family:
        plt.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False


def _png(fig: Any) -> bytes:
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def density_map(units: Any, title: str) -> bytes:
    """Choropleth PNG of `units` (GeoDataFrame: name, rate, geometry); rate = hazards per 100
    houses, NaN where a unit has no houses (drawn hatched grey)."""
    _style()
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    has = units[units["rate"].notna()]
    none = units[units["rate"].isna()]
    if len(has):
        has.plot(
            column="rate",
            ax=ax,
            cmap="OrRd",
            edgecolor="#555",
            linewidth=0.6,
            legend=True,
            legend_kwds={"label": "隐患数 / 百户群租房", "shrink": 0.7},
        )
    if len(none):
        none.plot(ax=ax, color="#eee", edgecolor="#999", hatch="//", linewidth=0.6)
    for _, u in units.iterrows():
        if u.geometry is None or u.geometry.is_empty:
            continue
        p = u.geometry.representative_point()
        label = u["name"] if u["rate"] != u["rate"] else f"{u['name']}\n{u['rate']:.0f}"
        ax.annotate(
            label,
            (p.x, p.y),
            ha="center",
            va="center",
            fontsize=7,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
        )
    ax.set_title(title)
    ax.set_axis_off()
    return _png(fig)


def trend_chart(months: list[str], series: dict[str, list[float]], scores: list[float]) -> bytes:
    """Two panels: monthly hazard counts (found, rectified, overdue at month end) and the
    average 附件1 score of the units."""
    _style()
    fig, (a, b) = plt.subplots(2, 1, figsize=(7.5, 6), sharex=True)
    for label, values in series.items():
        a.plot(months, values, marker="o", label=label)
    a.set_ylabel("隐患（处）")
    a.legend(loc="upper left", fontsize=8)
    a.grid(alpha=0.3)
    b.plot(months, scores, marker="s", color="#2a7")
    b.set_ylabel("平均得分")
    b.set_ylim(max(0, min(scores, default=0) - 10), 100)
    b.grid(alpha=0.3)
    for x, y in zip(months, scores, strict=True):
        b.annotate(f"{y:.1f}", (x, y), textcoords="offset points", xytext=(0, 6), fontsize=7)
    fig.suptitle("近期趋势")
    return _png(fig)
