"""The one filter language: one parser, one meaning, the same mistake refused the same way on
every surface (a 4xx with one clear line, never a 500 and never an empty answer)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from access_helpers import login_as
from fastapi.testclient import TestClient
from one_answer_data import load
from typer.testing import CliRunner

from geo_service.api.app import create_app
from geo_service.cli import app as cli_app
from geo_service.config import Settings
from geo_service.errors import GeoServiceError, ValidationError
from geo_service.scope import parse_bbox, parse_scope

D = date(2026, 6, 30)
SH = ZoneInfo("Asia/Shanghai")


def scope(**query):
    return parse_scope(query, D, SH)


def test_codes_and_chinese_labels_mean_the_same():
    a = scope(severity="重大", key_area_kind="城中村,农村自建房", status="逾期未整改")
    b = scope(severity="major", key_area_kind="urban_village,rural_self_built", status="overdue")
    assert (a.severities, a.key_area_kinds, a.statuses) == (b.severities, b.key_area_kinds,
                                                           b.statuses)  # fmt: skip
    # Comma lists with ASCII or full-width commas, repeated parameters (lists) add up.
    c = scope(category=["违规使用明火，lpg_cylinder", "ebike"], category_group="消防安全")
    assert c.categories == ("open_flame", "lpg_cylinder", "ebike")
    assert c.category_groups == ("fire",)
    # `category` names hazard categories or incident types: the vocabularies are disjoint.
    assert scope(category="盗窃,纠纷").incident_types == ("盗窃", "纠纷")
    # Units by id (unit_id) and by name or id (unit): one filter.
    assert scope(unit_id="3,1", unit="西村,2").units == (3, 1, "西村", 2)
    assert scope().as_of == D and scope(as_of="2026-05-31").as_of == date(2026, 5, 31)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"as_of": "0001-01-01"}, "as_of: 日期应在 2000-01-01 至 2100-12-31 之间"),
        ({"as_of": "2101-01-01"}, "2000-01-01..2100-12-31"),
        ({"unit_id": "99999999999"}, "unit_id: 应为 0–2147483647 之间的整数"),
        ({"as_of": "2026-02-30"}, "as_of: 日期无效"),
        ({"found_from": "2026-06-02", "found_to": "2026-06-01"}, "found_from is after found_to"),
        ({"unit_id": "甲村"}, "unit_id: 单位取值无效"),
        ({"severity": "high"}, "allowed: major, general, 重大, 一般"),
        ({"category": "fire"}, "category: 类别取值无效"),
        ({"status": "late"}, "allowed: open, overdue, rectified"),
        ({"key_area_kind": "park"}, "key_area_kind"),
        ({"bbox": "1,2,3"}, "bbox: 范围无效"),
        ({"bbox": "120,31,119,32"}, "bbox"),  # west of its own west edge
        ({"bbox": "0,91,1,92"}, "bbox"),  # beyond the pole
        ({"datetime": "2026-01-01/2025-01-01"}, "date_from is after date_to"),
    ],
)
def test_a_bad_value_is_one_clear_error(query, words):
    with pytest.raises(ValidationError) as e:
        scope(**query)
    assert words in str(e.value)


def test_one_bbox_parser():
    assert parse_bbox("120.1,31.6,120.2,31.7") == (120.1, 31.6, 120.2, 31.7)
    assert parse_bbox("120.1,31.6,0,120.2,31.7,10") == (120.1, 31.6, 120.2, 31.7)  # 3-D box
    assert parse_bbox("") is None and parse_bbox(None) is None


def test_an_instant_is_read_in_the_towns_time_zone():
    s = scope(datetime="2026-06-01T08:00:00/2026-06-02")
    assert s.date_from == datetime(2026, 6, 1, 8, tzinfo=SH)
    assert s.date_to == date(2026, 6, 2)
    utc = parse_scope({"datetime": "2026-06-01T08:00:00Z"}, D, SH)
    assert utc.date_from == datetime(2026, 6, 1, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def client(new_database) -> Iterator[TestClient]:
    from geo_service.db import make_engine

    url = new_database("scope")
    engine = make_engine(url, pool_size=1)
    load(engine)
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url))) as c:
        c.url = url  # type: ignore[attr-defined]
        yield login_as(c, "police")


SURFACES = [
    "/ogc/collections/hazards/items",
    "/tiles/hazards/12/3416/1667.pbf",
    "/map/data/hazards.geojson",
    "/map/data/summary",
    "/map/export.csv",
    "/analytics/overdue",
    "/analytics/scores",
    "/analytics/density/hex",
    "/routes/targets",
]


@pytest.mark.parametrize("path", SURFACES)
def test_an_absurd_day_is_refused_everywhere(client, path):
    r = client.get(path, params={"as_of": "0001-01-01"})
    assert r.status_code == (400 if path.startswith("/ogc") else 422), r.text
    body = r.json()
    assert "日期应在" in body.get("detail", body.get("description", ""))


@pytest.mark.parametrize("path", SURFACES)
def test_an_unknown_unit_is_a_404_everywhere(client, path):
    for params in ({"unit": "无此村"}, {"unit_id": "999"}):
        r = client.get(path, params=params | {"as_of": "2026-06-30"})
        assert r.status_code == 404, (path, params, r.text)
        assert "未知单位" in r.json()["detail"]


def test_the_command_line_refuses_the_same_mistakes(client):
    env = {"DATABASE_URL": client.url}
    for args, words in (
        (["overdue", "--as-of", "0001-01-01"], "日期应在"),
        (["scores", "--severity", "high"], "隐患等级取值无效"),
        (["risk", "--unit", "无此村"], "未知单位"),
    ):
        r = CliRunner().invoke(cli_app, args, env=env)
        # `geo-service` (cli.main) prints a GeoServiceError as one line; the app raises it.
        assert isinstance(r.exception, GeoServiceError) and words in str(r.exception), args
