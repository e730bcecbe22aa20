"""The analytics endpoints and commands serve the same figures (hand-made town, D = May 31)."""

import json
from io import BytesIO

import pytest
from access_helpers import login_as
from analytics_data import load
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from geo_service.analytics.schemas import OverdueReport, ScoresReport, TableReport
from geo_service.api.app import create_app
from geo_service.cli import app as cli_app
from geo_service.config import Settings


@pytest.fixture(scope="module")
def client(engine, db_url):
    load(engine)
    with TestClient(create_app(Settings(database_url=db_url))) as c:
        yield login_as(c, "police")  # sees every unit and the incidents the risk counts


def _sheet_values(content: bytes) -> list[tuple]:
    ws = load_workbook(BytesIO(content)).active
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=2)]


def test_scores_endpoint(client):
    r = client.get("/analytics/scores", params={"as_of": "2026-05-31"})
    assert r.status_code == 200
    report = ScoresReport.model_validate(r.json())
    assert [(u.unit, u.total, u.rank) for u in report.units] == [
        ("丁村", 100, 1),
        ("丙村", 100, 1),
        ("甲村", 91, 3),  # see test_scores.py for the arithmetic
        ("乙社区", 79, 4),
    ]
    assert report.filters.period_from.isoformat() == "2026-05-01"


def test_overdue_endpoints(client):
    r = client.get("/analytics/overdue", params={"as_of": "2026-05-31", "due_within": 30})
    report = OverdueReport.model_validate(r.json())
    assert [i.hazard_code for i in report.items] == ["HA-3", "HA-2", "HA-1", "HA-6"]
    g = client.get("/analytics/overdue.geojson", params={"as_of": "2026-05-31"})
    assert g.headers["content-type"] == "application/geo+json"
    assert [f["properties"]["hazard_code"] for f in g.json()["features"]] == ["HA-3", "HA-2"]


def test_overdue_pages(client):
    # D = May 31, due within 30 days: HA-3, HA-2 overdue, then HA-1, HA-6 due soon (see
    # test_rules_overdue.py) — 4 items, 2 + 2, both overdue ones in 甲村.
    base = {"as_of": "2026-05-31", "due_within": 30}

    def page(**kw):
        r = client.get("/analytics/overdue", params=base | kw)
        assert r.status_code == 200, r.text
        return OverdueReport.model_validate(r.json())

    whole = page()
    assert (whole.total, whole.limit, whole.offset, whole.next_offset) == (4, 1000, 0, None)
    second = page(limit=2, offset=2)  # page 2 of size 2: items 3 and 4
    assert [i.hazard_code for i in second.items] == ["HA-1", "HA-6"]
    assert second.next_offset is None  # 2 + 2 = 4 = total: the last page
    middle = page(limit=2, offset=1)
    assert [i.hazard_code for i in middle.items] == ["HA-2", "HA-1"]
    assert middle.next_offset == 3
    beyond = page(limit=2, offset=10)
    assert beyond.items == [] and beyond.next_offset is None
    for p in (second, middle, beyond):  # the counts stay the totals over every item
        assert (p.total, p.overdue_count, p.due_soon_count) == (4, 2, 2)
        assert p.by_unit == {"甲村": 2}
    g = client.get("/analytics/overdue.geojson", params=base | {"limit": 1, "offset": 1}).json()
    assert [f["properties"]["hazard_code"] for f in g["features"]] == ["HA-2"]
    assert (g["numberMatched"], g["numberReturned"], g["next_offset"]) == (4, 1, 2)


def test_cctv_pages(client):
    # Violating houses by unit name, then code: 丁村 (U+4E01) DD-01, 乙社区 (U+4E59) YB-02,
    # 甲村 (U+7532) JA-02, JA-04 — 4 houses (see test_rules_overdue.py).
    def page(**kw):
        r = client.get("/analytics/cctv", params={"as_of": "2026-05-31"} | kw)
        assert r.status_code == 200, r.text
        return r.json()

    assert [h["house_code"] for h in page()["houses"]] == ["DD-01", "YB-02", "JA-02", "JA-04"]
    p = page(limit=2, offset=1)
    assert [h["house_code"] for h in p["houses"]] == ["YB-02", "JA-02"]
    assert (p["total"], p["limit"], p["offset"], p["next_offset"]) == (4, 2, 1, 3)
    units = {u["unit"]: u for u in p["units"]}
    assert {u: units[u]["listed"] for u in units} == {"丁村": 1, "丙村": 0, "乙社区": 1, "甲村": 2}
    assert (units["甲村"]["cctv_missing"], units["甲村"]["cctv_short_retention"]) == (1, 1)
    beyond = page(offset=4)
    assert beyond["houses"] == [] and (beyond["total"], beyond["next_offset"]) == (4, None)


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/analytics/overdue", {"limit": 0}, "每页条数至少为 1"),
        ("/analytics/overdue", {"limit": 10_001}, "每页条数不能超过 10000"),
        ("/analytics/overdue.geojson", {"offset": -1}, "起始位置不能为负数"),
        ("/analytics/cctv", {"limit": -5}, "每页条数至少为 1"),
    ],
)
def test_bad_page_is_refused_in_chinese(client, path, params, words):
    r = client.get(path, params=params)
    assert r.status_code == 422
    assert words in r.json()["detail"]


def test_filters_errors(client):
    assert client.get("/analytics/scores", params={"unit": "无此村"}).status_code == 404
    assert client.get("/analytics/overdue", params={"severity": "x"}).status_code == 422
    assert client.get("/analytics/overdue", params={"due_within": -1}).status_code == 422
    r = client.get("/analytics/table", params={"unit": ["甲村", "丁村"], "as_of": "2026-05-31"})
    rows = TableReport.model_validate(r.json()).rows
    # town total of the two: houses 4 + 1 = 5, registered 3 + 1 = 4 → 80.0
    assert [x.unit for x in rows] == ["丁村", "甲村", "合计"]
    assert rows[-1].rates["house_registration"].display == "80.0"


def test_table_xlsx_endpoint_equals_cli_workbook(client, db_url, tmp_path, monkeypatch):
    r = client.get("/analytics/table.xlsx", params={"as_of": "2026-05-31"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "t.xlsx"
    res = CliRunner().invoke(cli_app, ["table", "--as-of", "2026-05-31", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert _sheet_values(r.content) == _sheet_values(out.read_bytes())


def test_cli_json_matches_api(client, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    for cmd, path in [
        (["scores", "--as-of", "2026-05-31"], "/analytics/scores"),
        (["overdue", "--as-of", "2026-05-31", "--due-within", "30"], "/analytics/overdue"),
        (["cctv", "--as-of", "2026-05-31"], "/analytics/cctv"),
    ]:
        res = runner.invoke(cli_app, [*cmd, "--json"])
        assert res.exit_code == 0, res.output
        params = {"as_of": "2026-05-31"} | ({"due_within": 30} if "overdue" in path else {})
        cli, api = json.loads(res.stdout), client.get(path, params=params).json()
        # The CLI lists everything (limit null); the API's default first page of 1,000 items
        # holds the whole of this town's list, so the rest is identical.
        assert (cli.pop("limit", None), api.pop("limit", None)) in ((None, None), (None, 1000))
        assert cli == api, cmd
    res = runner.invoke(cli_app, ["cctv", "--as-of", "2026-05-31"])
    assert "床位10张" in res.stdout  # JA-04's reason, in Chinese


def test_openapi_documents_models(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for p in ("scores", "table", "overdue", "cctv", "risk"):
        schema = paths[f"/analytics/{p}"]["get"]["responses"]["200"]["content"]
        assert "$ref" in schema["application/json"]["schema"], p
    assert "ScoresReport" in spec["components"]["schemas"]
    assert "as_of" in {q["name"] for q in paths["/analytics/scores"]["get"]["parameters"]}
