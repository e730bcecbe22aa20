"""Planning from the browser: plan with progress, list the plans made, publish one to its teams.

`POST /routes/plans/stream` runs the same planner as `POST /routes/plans` and
`geo-service routes plan`, and answers with one JSON line per finished stage while it works
(NDJSON), then the plan: the planning page draws a progress bar from those lines.
"""

import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from geo_service import configfiles
from geo_service.access.dependencies import user_transaction
from geo_service.api.deps import ConnDep, CurrentUser, SettingsDep, today
from geo_service.api.routes.patrol import PlanBody
from geo_service.errors import GeoServiceError
from geo_service.patrol.plan import plan_routes
from geo_service.patrol.publish import eligible_members, list_plans, publish_plan
from geo_service.patrol.store import save_plan

router = APIRouter(prefix="/routes", tags=["routes 回头看巡查路线"])
log = logging.getLogger(__name__)

# The planner's stages in order (its timing keys) and how the page names them.
STAGES = {
    "selection_ms": "选取目标",
    "topology_ms": "检查路网",
    "snap_ms": "定位到道路",
    "matrix_ms": "计算行车时间",
    "solve_ms": "求解路线（VROOM）",
    "geometry_ms": "生成道路轨迹",
}
_TICK_S = 0.5


@router.get("/plans", summary="已有方案 the plans made so far, newest first")
def plans(
    conn: ConnDep,
    since: Annotated[date | None, Query(description="plans for this day or later")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict]:
    return list_plans(conn, since, limit)


@router.get("/members", summary="可选队员 accounts that may be put in a team")
def members(conn: ConnDep) -> list[dict]:
    return eligible_members(conn)


class PublishBody(BaseModel):
    """Team number → usernames of its members (supervision group or police accounts)."""

    members: dict[int, list[str]] = Field(default_factory=dict)


@router.post("/plans/{ref}/publish", summary="发布方案 publish a plan to its teams")
def publish(ref: str, body: PublishBody, conn: ConnDep, user: CurrentUser) -> dict:
    return publish_plan(conn, ref, body.members, user.username)


def _plan_in_thread(
    request: Request, user, body: PlanBody, settings, events: queue.Queue
) -> threading.Thread:
    req = body.request(today(request))  # a malformed time is refused before anything streams
    label = f"{request.method} {request.url.path}"

    def work() -> None:
        def progress(stage: str, ms: float) -> None:
            events.put({"stage": stage, "label": STAGES.get(stage, stage), "ms": ms})

        try:
            with user_transaction(request.app, user, label) as conn:
                plan, instance = plan_routes(
                    conn,
                    req,
                    configfiles.route_params(settings),
                    configfiles.rules(settings),
                    progress,
                    weights=configfiles.risk_weights(settings),
                )
                save_plan(conn, plan, instance, body.saved_params(plan, req), user.username)
            events.put({"plan": plan.model_dump(mode="json")})
        except GeoServiceError as e:
            events.put({"error": str(e)})
        except Exception:  # the stream has begun: say so in it rather than cut it short
            log.exception("planning failed")
            events.put({"error": "规划失败，请稍后重试 (planning failed; see the server log)"})
        finally:
            events.put(None)

    thread = threading.Thread(target=work, name="plan-stream", daemon=True)
    thread.start()
    return thread


@router.post(
    "/plans/stream",
    summary="规划路线（带进度）plan with progress lines (NDJSON), then the plan",
    response_class=StreamingResponse,
)
def plan_stream(
    body: PlanBody, request: Request, user: CurrentUser, settings: SettingsDep
) -> StreamingResponse:
    events: queue.Queue = queue.Queue()
    _plan_in_thread(request, user, body, settings, events)
    started = time.perf_counter()
    stages = list(STAGES)

    def lines() -> Iterator[str]:
        yield json.dumps({"stages": [[k, STAGES[k]] for k in stages]}, ensure_ascii=False) + "\n"
        while True:
            try:
                item = events.get(timeout=_TICK_S)
            except queue.Empty:
                item = {"tick": True}
            if item is None:
                return
            item["elapsed_ms"] = round((time.perf_counter() - started) * 1000)
            if "stage" in item and item["stage"] in stages:
                item["done"] = stages.index(item["stage"]) + 1
                item["total"] = len(stages)
            yield json.dumps(item, ensure_ascii=False, default=str) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
