"""视频监控 and 消防器材 compliance per house and per unit (SPEC §3.4).

The houses as recorded on the as-of day (house_state, docs/history.md): a house whose CCTV
or counts changed later is judged by its figures of that day.
"""

from sqlalchemy import Connection

from geo_service.analytics.common import check_page, echo, page_fields, run
from geo_service.analytics.schemas import CctvHouse, CctvReport, CctvUnit
from geo_service.domain.rules import RuleParams, cctv_triggers
from geo_service.scope import Scope

_TRIGGER_ZH = {"rooms": "出租居室{}间", "beds": "床位{}张", "tenants": "租住{}人"}
_KIT_ZH = {"smoke_masks": "防烟面罩", "torches": "手电筒", "extinguishers": "灭火器"}


def _reason(h: dict, triggers: list[str], missing_kit: list[str], rules: RuleParams) -> str:
    parts = []
    if h["cctv_violation"]:
        counts = {"rooms": h["rooms"], "beds": h["beds"], "tenants": h["tenants"]}
        why = "、".join(_TRIGGER_ZH[t].format(counts[t]) for t in triggers)
        if h["cctv_violation"] == "missing":
            parts.append(f"{why}，应安装视频监控但未安装或不能正常使用")
        else:
            kept = h["retention_days"] if h["retention_days"] is not None else "未知"
            parts.append(f"{why}，监控录像保存{kept}天，不足{rules.cctv_min_retention_days}天")
    if missing_kit:
        parts.append("未配备" + "、".join(_KIT_ZH[k] for k in missing_kit))
    return "；".join(parts)


def cctv(
    conn: Connection,
    scope: Scope,
    rules: RuleParams,
    fire_kit: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> CctvReport:
    """Per-unit compliance counts, and the houses breaking the CCTV rule (with `fire_kit`,
    also those whose fire kit is incomplete), each with the reason in Chinese.

    `limit`/`offset` return one page of the houses (None: every house); the per-unit figures
    and `total` always count every house."""
    check_page(limit, offset)
    units = [CctvUnit(**r) for r in run(conn, "cctv_units.sql", scope, rules, fire_kit=fire_kit)]
    houses = []
    page = {"fire_kit": fire_kit, "limit": limit, "offset": offset}
    for h in run(conn, "cctv_houses.sql", scope, rules, **page):
        triggers = cctv_triggers(h["rooms"], h["beds"], h["tenants"], rules)
        kit = {"smoke_masks": h["has_smoke_masks"], "torches": h["has_torches"]}
        kit["extinguishers"] = h["has_extinguishers"]
        missing_kit = [k for k, v in kit.items() if v is False]
        houses.append(
            CctvHouse(
                **h,
                triggers=triggers,
                fire_kit_missing=missing_kit,
                reason_zh=_reason(h, triggers, missing_kit if fire_kit else [], rules),
            )
        )
    rule = {
        "min_rooms": rules.cctv_min_rooms,
        "min_beds": rules.cctv_min_beds,
        "min_tenants": rules.cctv_min_tenants,
        "min_retention_days": rules.cctv_min_retention_days,
    }
    total = sum(u.listed for u in units)
    return CctvReport(
        filters=echo(conn, scope),
        rule=rule,
        units=units,
        **page_fields(total, limit, offset, len(houses)),
        houses=houses,
    )
