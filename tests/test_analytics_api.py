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
        assert json.loads(res.stdout) == client.get(path, params=params).json(), cmd
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
