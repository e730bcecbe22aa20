"""BENCHMARKS.md, written whole by each run; the hand-written intro above the marker is kept."""

from dataclasses import dataclass, field
from pathlib import Path

from bench.analytics import GOAL_S, Measured
from bench.external import Outcome
from bench.load import LoadResult, markdown
from bench.spatial import CACHED, COMPUTED, Comparison
from bench.stats import ms, ratio

MARKER = "<!-- Everything below is written by `make bench` (python -m bench): edit above. -->"
DEFAULT_INTRO = """# Benchmarks

How fast the service answers at city scale on one small machine, measured beside a peer
(tipg, an OGC Features & Tiles server on FastAPI and PostGIS) and beside the bare SQL, on the
same PostGIS in the same run. How to run it, and what each number means: docs/benchmarks.md.
"""
TILE_GOAL_TIPG = 0.5  # at most 0.5× tipg's p95
FLOOR_GOAL = 1.3  # within 1.3× of the bare SQL's p95


@dataclass
class Run:
    """Everything one run measured."""

    command: str
    started: str
    seconds: float = 0.0
    scale: float = 0.0
    quick: bool = False
    runs: int = 0
    revision: str = ""
    machine: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    load_note: str = ""
    tipg_version: str = ""
    tiles: list[tuple[int, int, int]] = field(default_factory=list)
    spatial: list[Comparison] = field(default_factory=list)
    analytics: list[Measured] = field(default_factory=list)
    memory_mb: dict[str, float] = field(default_factory=dict)
    external: list[Outcome] = field(default_factory=list)
    load: LoadResult | None = None
    notes: list[str] = field(default_factory=list)
    phases_run: list[str] = field(default_factory=list)
    measured_at: dict[str, str] = field(default_factory=dict)  # phase → when measured


def _intro(path: Path) -> str:
    if path.exists():
        text = path.read_text("utf-8")
        if MARKER in text:
            return text.split(MARKER, 1)[0].rstrip() + "\n"
    return DEFAULT_INTRO


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def goals(run: Run) -> list[tuple[str, str, str, bool | None]]:
    """(goal, workload, measured, met) rows."""
    rows: list[tuple[str, str, str, bool | None]] = []
    for cmp in run.spatial:
        tipg, floor = cmp.contenders.get("tipg"), cmp.contenders.get("bare SQL")
        for who in (COMPUTED, CACHED):
            ours, what = cmp.contenders.get(who), f"{cmp.title}, {who.split('(')[1][:-1]}"
            if ours and tipg and ours.p95 and tipg.p95:
                r = ours.p95 / tipg.p95
                rows.append(("p95 ≤ 0.5× tipg", what, f"{r:.2f}×", r <= TILE_GOAL_TIPG))
            if who == COMPUTED and ours and floor and ours.p95 and floor.p95:
                r = ours.p95 / floor.p95
                rows.append(("p95 ≤ 1.3× bare SQL", what, f"{r:.2f}×", r <= FLOOR_GOAL))
    for a in run.analytics:
        goal_s = getattr(a, "goal_s", GOAL_S)  # results saved before goal_s existed
        for how, t in (("computed", a.computed), ("cached", a.cached)):
            goal = f"p95 < {ms(goal_s)} ms ({how})"
            if t.p95 is not None:
                rows.append((goal, a.label, f"{ms(t.p95)} ms", t.p95 < goal_s))
            elif t.errors:
                err = t.errors[0]
                failed = False if err.startswith(("over", "HTTP")) else None
                rows.append((goal, a.label, err, failed))
    if run.load is not None:
        rows.append(("zero errors under load", f"{run.load.users} users, {run.load.seconds} s",
                     f"{run.load.errors} errors", run.load.errors == 0))  # fmt: skip
    return rows


def _spatial_section(cmp: Comparison) -> list[str]:
    out = [f"### {cmp.title}", ""]
    out += ["| contender | n | p50 ms | p95 ms | max ms | mean bytes | errors |"]
    out += ["|---|---:|---:|---:|---:|---:|---:|"]
    for who, t in cmp.contenders.items():
        worst = max(t.seconds) if t.seconds else None
        out.append(
            f"| {who} | {t.n} | {ms(t.p50)} | {ms(t.p95)} | {ms(worst)} | "
            f"{t.mean_bytes:,.0f} | {len(t.errors)} |"
        )
    ours_names = [n for n in (COMPUTED, CACHED) if n in cmp.contenders]
    for name in ours_names:
        ours = cmp.contenders[name]
        for who in ("tipg", "bare SQL"):
            other = cmp.contenders.get(who)
            if other:
                out.append("")
                out.append(
                    f"{name} / {who}: p50 {ratio(ours.p50, other.p50)}, "
                    f"p95 {ratio(ours.p95, other.p95)}"
                )
    if cmp.by_zoom:
        names = list(cmp.contenders)
        out += ["", "p50 / p95 ms by zoom:", ""]
        heads = [f"{n} / tipg (p95)" for n in ours_names]
        out.append("| zoom | " + " | ".join(names + heads) + " |")
        out.append("|---:|" + "---:|" * (len(names) + len(heads)))
        for z in sorted(cmp.by_zoom):
            row = cmp.by_zoom[z]
            cells = [f"{ms(row[n].p50)} / {ms(row[n].p95)}" if n in row else "—" for n in names]
            cells += [
                ratio(row[n].p95, row["tipg"].p95) if "tipg" in row and n in row else "—"
                for n in ours_names
            ]
            out.append(f"| {z} | " + " | ".join(cells) + " |")
    errors = [e for t in cmp.contenders.values() for e in t.errors[:2]]
    if errors:
        out += ["", "First errors: " + "; ".join(f"`{e}`" for e in errors)]
    return [*out, ""]


def _external_section(o: Outcome) -> list[str]:
    out = [f"### {o.script.title}", ""]
    if o.returncode is None:
        return [*out, f"`bench/{o.script.file}` is not in the tree yet: not measured.", ""]
    state = "ok" if o.returncode == 0 else f"exit code {o.returncode}"
    out += [f"`{o.command}` — {o.seconds:.0f} s, {state}:", "", "```text"]
    out += [o.output.rstrip()[-6000:], "```", ""]
    return out


def render(run: Run, path: Path) -> str:
    lines = [_intro(path).rstrip(), "", MARKER, ""]
    lines += ["## This run", ""]
    kind = "quick smoke run (not the city-scale result)" if run.quick else "full run"
    lines += [
        f"- Command: `{run.command}` ({kind}); started {run.started}, "
        f"took {run.seconds / 60:.1f} min.",
        f"- Code: revision {run.revision}.",
        f"- Data: synthetic demo town, `demo load --scale {run.scale:g}` (seed 7, as of "
        f"2026-11-15): " + ", ".join(f"{t} {n:,}" for t, n in run.counts.items()) + ".",
        f"- Peer: tipg {run.tipg_version}, one uvicorn worker; this service: `geo-service serve`, "
        "one worker; both on 127.0.0.1, same database.",
        f"- Each measurement: {run.runs} counted passes after one warm-up pass.",
    ]
    if run.load_note:
        lines.append(f"- {run.load_note}")
    for phase, when in run.measured_at.items():
        if phase not in run.phases_run:
            lines.append(f"- Phase {phase}: carried over from the run of {when}.")
    lines += ["", "Machine:", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in run.machine.items()]
    lines += ["", "## Goals", "", "| goal | workload | measured | |", "|---|---|---|---|"]
    lines += [f"| {g} | {w} | {m} | {_met(ok)} |" for g, w, m, ok in goals(run)]
    lines += ["", "## Vector tiles and feature queries", ""]
    lines.append(
        "Tiles: " + ", ".join(f"{z}/{x}/{y}" for z, x, y in run.tiles) + f" ({len(run.tiles)})."
    )
    lines.append("")
    for cmp in run.spatial:
        lines += _spatial_section(cmp)
    lines += ["## Analytics at city scale", ""]
    lines += [
        "Each endpoint computed afresh (`Cache-Control: no-cache`: the first request after the "
        "data changed) and served again from the response cache (every later request until the "
        "next write). Goal: p95 < 500 ms.",
        "",
        "| endpoint | request | n | computed p50 / p95 ms | cached p50 / p95 ms | bytes | "
        "computed | cached |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for a in run.analytics:
        c, w = a.computed, a.cached
        if c.p95 is None:
            err = c.errors[0] if c.errors else "—"
            lines.append(f"| {a.label} | `{a.request}` | 0 | — | — | — | {err} | |")
            continue
        goal_s = getattr(a, "goal_s", GOAL_S)
        w_met = _met(w.p95 < goal_s) if w.p95 is not None else "—"
        lines.append(
            f"| {a.label} | `{a.request}` | {c.n} | {ms(c.p50)} / {ms(c.p95)} | "
            f"{ms(w.p50)} / {ms(w.p95)} | {c.mean_bytes:,.0f} | {_met(c.p95 < goal_s)} | "
            f"{w_met} |"
        )
    lines += ["", "## Peak memory (VmHWM of the server processes)", ""]
    lines += ["| process | peak resident MiB |", "|---|---:|"]
    lines += [f"| {k} | {v:,.0f} |" for k, v in run.memory_mb.items()]
    lines += ["", "## Load", ""]
    lines += markdown(run.load) if run.load else ["Not measured."]
    lines += ["", "## Imports and route planning (bench/ scripts of those features)", ""]
    for o in run.external:
        lines += _external_section(o)
    if run.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in run.notes] + [""]
    return "\n".join(lines).rstrip() + "\n"
