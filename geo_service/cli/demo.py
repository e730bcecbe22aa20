"""`geo-service demo …`: the synthetic demo town (合成演示数据)."""

from datetime import date

import typer

from geo_service.cli.common import console, settings
from geo_service.errors import ValidationError

app = typer.Typer(
    help="演示数据 The synthetic demo town on Luoyang Town's extent (合成演示数据).",
    no_args_is_help=True,
)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"--as-of must be a date like 2026-11-15 (日期格式错误): {value!r}"
        ) from None


@app.command()
def load(
    seed: int = typer.Option(None, help="random seed (default 7)"),
    scale: float = typer.Option(
        None, help="multiplies houses, hazards, incidents, addresses (default 1 ≈ 3,000 houses)"
    ),
    as_of: str = typer.Option(
        None, "--as-of", help="the data's 'today', YYYY-MM-DD (default today)"
    ),
    force: bool = typer.Option(False, "--force", help="replace whatever data is loaded"),
) -> None:
    """加载演示数据 Load the synthetic demo town (deterministic; skipped when already loaded).

    Options left out accept whatever demo is already loaded, so a plain re-run never reloads.
    """
    from geo_service.db import database_url
    from geo_service.demo.loader import load_demo  # heavy modules load only when needed

    result = load_demo(
        database_url(settings()),
        seed=seed,
        scale=scale,
        as_of=_parse_date(as_of),
        force=force,
        progress=True,
    )
    d = result.dataset
    what = f"seed={d['seed']}, scale={d['scale']:g}, as-of={d['as_of']}"
    if not result.loaded:
        console.print(f"演示数据已加载，跳过 — demo town already loaded ({what}; --force reloads)")
        return
    for table in result.cascaded:
        console.print(f"[yellow]已一并清空 also emptied (referenced demo rows):[/] {table}")
    counts = ", ".join(f"{t} {n:,}" for t, n in result.counts.items())
    console.print(f"已加载合成演示数据 loaded the SYNTHETIC demo town {d['town']} ({what})")
    console.print(f"  {counts}")
    console.print(
        f"  {result.rows:,} rows in {result.seconds:.1f} s "
        f"(generation {result.generate_seconds:.1f} s): "
        f"{result.houses_per_s:,.0f} houses/s, {result.rows_per_s:,.0f} rows/s"
    )
    console.print(f"  {_stages(result.timings)}", highlight=False)


def _stages(timings: dict[str, float]) -> str:
    """Where the time went, COPY steps summed: 'COPY 31.2 s · 建索引… 15.9 s · …'."""
    merged: dict[str, float] = {}
    for name, seconds in timings.items():
        key = "COPY" if name.startswith("COPY") else name.split(" (")[0]
        merged[key] = merged.get(key, 0.0) + seconds
    return " · ".join(f"{k} {v:.1f} s" for k, v in merged.items() if v >= 0.05)


@app.command()
def accounts() -> None:
    """演示账号 Create one log-in per role for the demo town and print them."""
    from rich.table import Table

    from geo_service.access.roles import ROLE_ZH, Role
    from geo_service.cli.common import engine
    from geo_service.demo.accounts import ensure_demo_accounts

    secrets_file = settings().resolved_data_dir / "demo-accounts.txt"
    with engine().begin() as conn:
        rows = ensure_demo_accounts(conn, secrets_file)
    table = Table("用户名 user", "角色 role", "密码 password", title="演示账号 demo log-ins")
    for user, role, password in rows:
        table.add_row(user, ROLE_ZH[Role(role)], password)
    console.print(table)
    console.print(f"(kept in {secrets_file}, mode 600)")
