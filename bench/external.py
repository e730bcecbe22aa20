"""The other benchmarks of bench/ (import throughput vs COPY, route planning, …), reused as
they are: each script runs as a subprocess against the bench cluster and its output goes into
BENCHMARKS.md verbatim. A script that is missing or fails is reported, not fatal.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.env import ROOT

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Script:
    """One reused benchmark: its file, what it measures, and its options (full, quick)."""

    file: str
    title: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    timeout_s: int = 1800


SCRIPTS = (
    Script(
        "import_bench.py",
        "Import throughput vs bare COPY (`geo-service import`)",
        (),  # its defaults: 100,000 houses and 300,000 hazards
        ("--houses", "5000", "--hazards", "15000"),
    ),
    Script(
        "routes_bench.py",
        "Route planning (review-phase patrol routes)",
        ("--ortools-seconds", "60"),
        ("--targets", "60", "--teams", "3", "--ortools-seconds", "5"),
    ),
)


@dataclass(frozen=True)
class Outcome:
    script: Script
    command: str
    seconds: float
    returncode: int | None  # None: the script is not there
    output: str


def _supported(path: Path, args: tuple[str, ...]) -> tuple[str, ...]:
    """Keep only the options the script's --help mentions (their interfaces are their own)."""
    help_text = subprocess.run(
        [sys.executable, str(path), "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    out: list[str] = []
    i = 0
    while i < len(args):
        if args[i].startswith("--"):
            takes_value = i + 1 < len(args) and not args[i + 1].startswith("--")
            if args[i] in help_text:
                out += args[i : i + (2 if takes_value else 1)]
            i += 2 if takes_value else 1
        else:
            i += 1
    return tuple(out)


def run_all(data_dir: Path, scale: float, quick: bool, log=print) -> list[Outcome]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GEO_DATA_DIR"] = str(data_dir.resolve())
    outcomes = []
    for s in SCRIPTS:
        path = HERE / s.file
        if not path.exists():
            outcomes.append(Outcome(s, f"bench/{s.file}", 0.0, None, ""))
            continue
        args = tuple(a.format(scale=f"{scale:g}") for a in (s.quick if quick else s.full))
        args = _supported(path, args)
        command = " ".join([".venv/bin/python", f"bench/{s.file}", *args])
        log(f"running {command} …")
        t0 = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, str(path), *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=s.timeout_s,
            )
            code, output = (
                done.returncode,
                done.stdout + (f"\n[stderr]\n{done.stderr[-2000:]}" if done.returncode else ""),
            )
        except subprocess.TimeoutExpired as e:
            code, output = -1, f"{e.stdout or ''}\n[timed out after {s.timeout_s} s]"
        outcomes.append(Outcome(s, command, time.perf_counter() - t0, code, output))
    return outcomes
