"""`geo-service ledger rebuild|check`: the event ledger of the per-unit analytics
(docs/ledger.md)."""

from datetime import date, timedelta

import typer

from geo_service.cli.common import console, engine, settings

app = typer.Typer(
    help="统计事件账 The event ledger behind the scores and the 附件2 table: rebuild, check.",
    no_args_is_help=True,
)


@app.command()
def rebuild() -> None:
    """Count every event again from houses, their history, hazards and key areas. Never needed
    for correctness (triggers keep the ledger in every writing transaction); after editing the
    database with triggers off, or to compact cancelled-out rows."""
    from geo_service.analytics import ledger

    with engine().begin() as conn:
        ledger.rebuild(conn)
    console.print("已重建 ledger rebuilt")


def _default_days(today: date) -> list[date]:
    """Today and the last days of the two months before."""
    end1 = today.replace(day=1) - timedelta(days=1)
    end2 = end1.replace(day=1) - timedelta(days=1)
    return [today, end1, end2]


@app.command()
def check(
    as_of: list[str] = typer.Option(
        None, "--as-of", help="YYYY-MM-DD (repeatable); default today and two month ends"
    ),
) -> None:
    """Compare the ledger with the direct SQL on every unit, for each day and filter (none,
    each severity, each status, each key-area kind); exit 1 on any difference."""
    from geo_service.analytics import ledger
    from geo_service.clock import town_today
    from geo_service.scope import parse_date
    from geo_service.scope.model import STATUSES, Scope

    days = [parse_date(d, "as_of") for d in as_of] if as_of else _default_days(town_today())
    kinds = ("urban_village", "old_estate", "resettlement_estate", "rural_self_built", "campus")
    filters: list[dict] = [
        {},
        *({"severities": (s,)} for s in ("major", "general")),
        *({"statuses": (s,)} for s in STATUSES),
        *({"key_area_kinds": (k,)} for k in kinds),
    ]
    rules = settings().rules
    found: list[str] = []
    with engine().connect() as conn:
        for day in days:
            for f in filters:
                found += ledger.differences(conn, Scope(as_of=day, **f), rules)
    for line in found:
        console.print(line)
    if found:
        console.print(f"[red]不一致 {len(found)} differences[/red]")
        raise typer.Exit(1)
    n = len(days) * len(filters)
    console.print(f"一致 the ledger equals the direct SQL ({n} questions, every unit)")
