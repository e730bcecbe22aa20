"""Getis-Ord Gi* hot spots of incidents on a hexagon grid (PySAL esda).

Counts per hexagon come from PostGIS (every cell of the study area, zeros included); Gi* compares
each cell's neighbourhood sum (the cell and its 6 touching hexagons, binary weights) with the
whole area. A cell is a hot (cold) spot at 90/95/99 % confidence when its two-sided p-value
passes that level after the Benjamini–Hochberg false-discovery-rate correction across all
cells — without it, a grid of 600 cells of pure noise would show ~6 "99 %" spots by chance.
"""

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
Correction = Literal["fdr", "none"]


@dataclass(frozen=True)
class GiResult:
    z: np.ndarray  # Gi* z-scores
    p: np.ndarray  # two-sided p-values
    confidence: np.ndarray  # 99 / 95 / 90, or 0 when not significant
    kind: list[str]  # "hot" / "cold" / "none"


def centres(i: np.ndarray, j: np.ndarray, size: float) -> np.ndarray:
    """Centres of hexagon cells (i, j) of ST_HexagonGrid(size) in its metric CRS."""
    x = 1.5 * size * i
    y = math.sqrt(3) * size * (j + 0.5 * (i % 2 != 0))
    return np.column_stack([x, y])


def fdr_threshold(p: np.ndarray, alpha: float) -> float:
    """Benjamini–Hochberg: the largest p(k) with p(k) <= k·alpha/n (0 when none passes)."""
    ranked = np.sort(p)
    n = len(ranked)
    passing = ranked <= alpha * np.arange(1, n + 1) / n
    return float(ranked[passing].max()) if passing.any() else 0.0


def gi_star(
    counts: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    size: float,
    permutations: int = 0,
    seed: int = 12345,
    correction: Correction = "fdr",
) -> GiResult:
    """Gi* of `counts` on hexagon cells (i, j) of circumradius `size`.

    p-values are from the normal approximation of Gi* (`permutations=0`), or from conditional
    permutations (two-sided: twice esda's folded pseudo p-value, capped at 1).
    """
    y = np.asarray(counts, dtype=float)
    n = len(y)
    if n < 3 or y.std() == 0:  # no variation: nothing stands out
        zero = np.zeros(n)
        return GiResult(zero, np.ones(n), np.zeros(n, dtype=int), ["none"] * n)
    from esda.getisord import G_Local  # heavy imports, only when hot spots are asked for
    from libpysal.weights import DistanceBand
    from scipy.stats import norm

    # Neighbouring centres are √3·size apart; the band takes exactly the 6 touching cells.
    w = DistanceBand(
        centres(i, j, size), threshold=1.01 * math.sqrt(3) * size, binary=True,
        silence_warnings=True,
    )  # fmt: skip
    g = G_Local(
        y, w, transform="B", permutations=permutations, star=True, seed=seed,
        keep_simulations=False,
    )  # fmt: skip
    z = np.nan_to_num(np.asarray(g.Zs, dtype=float))
    if permutations:
        p = np.minimum(1.0, 2 * np.asarray(g.p_sim, dtype=float))
    else:
        p = 2 * norm.sf(np.abs(z))
    confidence = np.zeros(n, dtype=int)
    for level, alpha in reversed(LEVELS):  # 90, then 95, then 99 overwrite
        cut = fdr_threshold(p, alpha) if correction == "fdr" else alpha
        confidence[p <= cut] = level
    kind = [
        "none" if c == 0 else ("hot" if zi > 0 else "cold")
        for c, zi in zip(confidence, z, strict=True)
    ]
    return GiResult(z, p, confidence, kind)


def label_zh(kind: str, confidence: int) -> str:
    """热点/冷点（99%置信）or 不显著."""
    if kind == "none":
        return "不显著"
    return f"{'热点' if kind == 'hot' else '冷点'}（{confidence}%置信）"
