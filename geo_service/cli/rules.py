"""`geo-service rules …`: the rules in force (整改期限, CCTV thresholds, campus buffer)."""

from dataclasses import asdict

import typer

from geo_service import rulebook
from geo_service.cli.common import console, engine, print_json, settings

app = typer.Typer(
    help="规则 The plan's rule parameters the database applies (GEO_RULES_PATH).",
    no_args_is_help=True,
)


@app.command()
def show(as_json: bool = typer.Option(False, "--json")) -> None:
    """The rules in force in the database, and whether GEO_RULES_PATH matches them."""
    with engine(check_rules=False).connect() as conn:
        held, fp = rulebook.in_force(conn)
    configured = settings().rules
    if as_json:
        print_json({"in_force": asdict(held), "fingerprint": fp, "configured": asdict(configured)})
        return
    for name, value in asdict(held).items():
        mark = (
            ""
            if getattr(configured, name) == value
            else f"  (配置文件 file: {getattr(configured, name)})"
        )
        console.print(f"{name} = {value}{mark}")
    same = held == configured
    console.print(
        "与配置文件一致 matches the rules file" if same else "与配置文件不一致：请运行 rules apply"
    )


@app.command()
def apply() -> None:
    """Load GEO_RULES_PATH into the database and re-derive every hazard's deadline (audited)."""
    with engine(check_rules=False).begin() as conn:
        done = rulebook.apply(conn, settings().rules)
    if done.before == done.after:
        console.print(f"规则未变 rules unchanged; {done.deadlines_changed} 条整改期限重算")
        return
    changed = ", ".join(
        f"{k} {v}→{getattr(done.after, k)}"
        for k, v in asdict(done.before).items()
        if getattr(done.after, k) != v
    )
    console.print(
        f"规则已生效 rules applied: {changed}; {done.deadlines_changed} 条隐患整改期限已更新"
    )
