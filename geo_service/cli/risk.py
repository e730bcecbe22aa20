"""`geo-service risk [train | backtest | explain HOUSE]`: the risk ranking and its learned model.

`geo-service risk` ranks with the method in force (the learned model when its back-test beat
the hand weights, else the weights) and says which; `train` back-tests, fits and stores the
model; `backtest` prints the back-test table; `explain` says why a house scores as it does.
Training reads every inspection and exact incidents: an owner's process (docs/risk.md).
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from geo_service.cli.common import console, engine, print_json, settings
from geo_service.cli.scope_options import (
    AsOf,
    Category,
    Department,
    From,
    Group,
    Json,
    KeyArea,
    Severity,
    Status,
    To,
    Unit,
    scope_of,
)

# Wide tables: the back-test has eleven columns; never squeeze them into 80 when piped.
out = Console(width=160)
app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
Label = Annotated[str, typer.Option("--label", help="any 任一隐患 | major 重大隐患")]
Months = Annotated[int, typer.Option("--months", help="back-test months 回测月数")]


def _computed_note(report) -> str:
    """风险排名计算于 …, and whether it is the maintained ranking and still current."""
    from geo_service.clock import town_tz

    at = report.computed_at.astimezone(town_tz(settings())).strftime("%Y-%m-%d %H:%M")
    if not report.maintained:
        return f"风险排名计算于 {at}（即时计算 computed now）"
    if report.stale:
        return f"风险排名计算于 {at}（数据已更新，排名正在重新计算 data changed since: refreshing）"
    return f"风险排名计算于 {at}"


def _refresh_risk() -> None:
    from geo_service import configfiles
    from geo_service.analytics import risk_table
    from geo_service.clock import town_today

    s = settings()
    run = risk_table.refresh(
        engine(), configfiles.rules(s), configfiles.risk_weights(s).params(), town_today(s)
    )
    if run is None:
        console.print("风险排名已是最新 the maintained risk ranking is current")
    else:
        how = (
            f"增量 incremental: {run.recomputed} 户重新计算 recomputed"
            if run.incremental
            else "全部重新计算 full"
        )
        console.print(
            f"风险排名已更新 risk ranking refreshed: {run.houses_scored} 户, "
            f"{run.took_ms / 1000:.1f} s (as of {run.as_of}; {how})"
        )


@app.callback()
def risk(
    ctx: typer.Context,
    as_of: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", help="how many houses")] = 20,
    weights: Annotated[
        Path | None,
        typer.Option(
            "--weights",
            help="try another weights TOML instead of GEO_RISK_WEIGHTS_PATH's (ranks with the "
            "weights; the API, the map and the patrol targets keep the method in force)",
        ),
    ] = None,
    unit: Unit = None,
    key_area: KeyArea = None,
    category: Category = None,
    category_group: Group = None,
    severity: Severity = None,
    status: Status = None,
    department: Department = None,
    found_from: From = None,
    found_to: To = None,
    as_json: Json = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="重新计算今日风险排名 recompute today's maintained ranking now, if stale (the "
            "server does it in the background after imports; this is for cron without one)",
        ),
    ] = False,
) -> None:
    """风险排序 The houses most worth inspecting, with their top risk factors."""
    if ctx.invoked_subcommand is not None:
        return
    if refresh:
        _refresh_risk()
        return
    from geo_service import configfiles
    from geo_service.analytics.risk import load_risk_weights
    from geo_service.analytics.risk import risk as weights_risk
    from geo_service.analytics.schemas import RiskMethod
    from geo_service.learn.ranking import ranked

    f = scope_of(
        as_of=as_of, unit=unit, key_area_kind=key_area, category=category,
        category_group=category_group, severity=severity, status=status,
        department=department, found_from=found_from, found_to=found_to,
    )  # fmt: skip
    s = settings()
    with engine().connect() as conn:
        if weights:  # trying a weights file: the weights, whatever is in force
            report = weights_risk(conn, f, configfiles.rules(s), load_risk_weights(weights), limit)
            report.method = RiskMethod(
                code="weights", label_zh="人工权重", reason_zh=f"按 --weights {weights} 计分"
            )
        else:
            report = ranked(conn, f, configfiles.rules(s), configfiles.risk_weights(s), limit)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    learned = report.method.code == "model"
    t = Table(title=f"群租房风险排序（截至 {f.as_of}，共 {report.houses_scored} 户）")
    t.caption = _computed_note(report)
    for col in ("名次", "房屋", "单位", "发现隐患概率" if learned else "风险分", "主要因素"):
        t.add_column(col)
    for h in report.houses:
        if learned:
            why = "；".join(x.detail for x in h.top_factors)
            score = f"{h.score:.1%}"
        else:
            why = "；".join(f"{x.label_zh} +{x.points:g}（{x.detail}）" for x in h.top_factors)
            score = f"{h.score:g}"
        t.add_row(str(h.rank), h.house_code, h.unit, score, why)
    out.print(t)
    out.print(f"方法 method: {report.method.label_zh}（{report.method.reason_zh}）")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _x(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}×"


def _auc(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def print_backtest(result: dict) -> None:
    """The back-test table: per month and on average, the model chosen against the weights."""
    from geo_service.learn.model import ALGORITHM_ZH, LABEL_ZH

    best = result["best"]
    t = Table(
        title=f"回测 back-test（标签：{LABEL_ZH[result['label']]}；逐月：用该月之前的检查训练）"
    )
    for col in ("月份", "训练", "检验", "随机(基准率)", "方法", "AUC", "前10%查准率",
                "前10%命中率", "前10%提升", "前20%查准率", "前20%提升"):  # fmt: skip
        t.add_column(col)

    def row(month: str, n_train: str, n_test: str, base: float, name: str, m: dict) -> None:
        t.add_row(
            month, n_train, n_test, _pct(base), name, _auc(m["auc"]),
            _pct(m["precision_top10"]), _pct(m["hit_rate_top10"]), _x(m["lift_top10"]),
            _pct(m["precision_top20"]), _x(m["lift_top20"]),
        )  # fmt: skip

    for f in result["folds"]:
        for a, m in f["models"].items():
            row(f["month"], str(f["n_train"]), str(f["n_test"]), f["base_rate"], ALGORITHM_ZH[a], m)
        row(f["month"], "", "", f["base_rate"], "人工权重", f["weights"])
    mean = result["mean"]
    for a, m in mean["models"].items():
        row("平均", "", "", mean["base_rate"], ALGORITHM_ZH[a] + (" ★" if a == best else ""), m)
    row("平均", "", "", mean["base_rate"], "人工权重", mean["weights"])
    out.print(t)
    for s in result["skipped"]:
        out.print(f"{s['month']} 未回测：{s['reason']}")
    if best:
        m = mean["models"][best]
        out.print(
            f"较优 best: {ALGORITHM_ZH[best]}；前10%提升 相对随机 {_x(m['lift_top10'])}，"
            f"相对人工权重 {_x(m['lift_over_weights_top10'])}；Brier {m['brier']:.4f}"
        )
        c = Table(title="校准 calibration（回测各月合并）")
        for col in ("预测概率", "检查数", "平均预测", "实际发现率"):
            c.add_column(col)
        for b in m["reliability"]:
            c.add_row(f"{b['from']:.1f}–{b['to']:.1f}", str(b["n"]), _pct(b["predicted"]),
                      _pct(b["observed"]))  # fmt: skip
        out.print(c)


@app.command()
def train(label: Label = "any", months: Months = 6) -> None:
    """训练 Back-test both models, fit the better on every inspection and store it.

    The stored model ranks only when its back-test beat the hand weights (docs/risk.md)."""
    from geo_service import configfiles
    from geo_service.learn.train import train as train_model

    _check(label, months)
    s = settings()
    with engine().begin() as conn:
        r = train_model(conn, configfiles.rules(s), configfiles.risk_weights(s), label, months)
    if r.result:
        print_backtest(r.result)
    version = f"学习模型 v{r.version}：" if r.version else ""
    out.print(f"{version}{r.reason_zh}")


@app.command()
def backtest(label: Label = "any", months: Months = 6, as_json: Json = False) -> None:
    """回测 Train on the inspections before each of the last months, test on that month."""
    from geo_service import configfiles
    from geo_service.errors import ValidationError
    from geo_service.learn.backtest import enough
    from geo_service.learn.train import history, run_backtest

    _check(label, months)
    s = settings()
    with engine().connect() as conn:
        frame = history(conn, configfiles.rules(s), configfiles.risk_weights(s))
    if why := enough(frame, label):
        raise ValidationError(why)
    result = run_backtest(frame, label, months)
    if as_json:
        print_json(result)
        return
    print_backtest(result)


@app.command()
def explain(
    house: Annotated[str, typer.Argument(help="房屋编号 house code")], as_of: AsOf = None
) -> None:
    """解释 Why the model scores HOUSE as it does: the features that raised or lowered it."""
    from geo_service import configfiles
    from geo_service.learn.model import ALGORITHM_ZH
    from geo_service.learn.ranking import explain as explain_house

    f = scope_of(as_of=as_of)
    s = settings()
    with engine().connect() as conn:
        e = explain_house(conn, house, f.as_of, configfiles.rules(s), configfiles.risk_weights(s))
    state = "" if e["active"] else "（未启用：排序仍用人工权重）"
    out.print(
        f"房屋 {e['house_code']}（截至 {e['as_of']}）学习模型 v{e['model_version']}"
        f"（{ALGORITHM_ZH[e['algorithm']]}）{state}：下次检查发现隐患的概率 {e['probability']:.1%}"
    )
    for title, items in (("提高风险的因素", e["raised"]), ("降低风险的因素", e["lowered"])):
        t = Table(title=title)
        for col in ("因素", "取值", "贡献（对数几率）"):
            t.add_column(col)
        for x in items[:8]:
            t.add_row(x.label_zh, x.detail.split("：", 1)[-1], f"{x.points:+.3f}")
        out.print(t)
    out.print(f"排序方法 method: {e['method'].label_zh}（{e['method'].reason_zh}）")


def _check(label: str, months: int) -> None:
    from geo_service.errors import ValidationError

    if label not in ("any", "major"):
        raise ValidationError(f"--label 只能是 any 或 major，而不是 {label!r}")
    if not 1 <= months <= 24:
        raise ValidationError(f"--months 须在 1 到 24 之间，而不是 {months}")
