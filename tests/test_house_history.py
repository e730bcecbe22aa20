"""House history (issue 15, docs/history.md): a house changed by a later 台账 shows its earlier
figures on earlier days everywhere — imported with `geo-service import --effective`, read back
through OGC, the scores, the map's popup and exports, under row-level security.

The mini town of etl_samples; 戴溪社区 holds H001 and H002, 洛阳社区 holds H003.

| 台账 (effective)        | H001 tenants / registered | H002 registered, pledge, rooms |
|-------------------------|---------------------------|--------------------------------|
| September (2026-09-30)  | 15 / 15                   | 是, 是, 3                      |
| October   (2026-10-31)  | 20 / 15                   | 否, 否, 10 (no CCTV)           |
| late fix  (2026-09-15)  | 15 / 12                   | 是, 是, 3                      |
H002 has 5 tenants, all registered, throughout.
"""

import os
from datetime import date, timedelta

import etl_samples as s
import pytest
from access_helpers import login_as
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.api.app import create_app
from geo_service.cli import app as cli_app
from geo_service.clock import town_today
from geo_service.config import Settings
from geo_service.db import make_engine
from geo_service.errors import GeoServiceError

SEPT, OCT, LATE = date(2026, 9, 30), date(2026, 10, 31), date(2026, 9, 15)


def _house(code, unit, n, tenants, registered, is_reg, pledge, rooms, cctv=("否", None)):
    x, y = s.door(unit, "人民路", n)
    return [code, unit, f"洛阳镇{unit}人民路{n}号", x, y, "WGS84", "张三", None, None, None,
            None, rooms, rooms, tenants, registered, is_reg, pledge, *cctv, "否",
            None]  # fmt: skip


def _taizhang(path, h001, h002, h003=(2, 2)):
    rows = [
        _house("H001", "戴溪社区", 3, *h001, "是", "是", 4, ("是", 30)),  # CCTV kept 30 days
        _house("H002", "戴溪社区", 5, 5, 5, *h002),
        _house("H003", "洛阳社区", 7, *h003, "是", "是", 2),
    ]
    return s.workbook(path, {"群租房": (s.HOUSE_HEADERS, rows)})


def _import(url, path, effective):
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        res = CliRunner().invoke(
            cli_app, ["import", str(path), "--effective", effective, "--actor", "村台账员"]
        )
    finally:
        os.environ.pop("DATABASE_URL")
        if old is not None:
            os.environ["DATABASE_URL"] = old
    return res


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    url = new_database("hist")
    tmp = tmp_path_factory.mktemp("hist")
    s.setup_town(url, tmp)
    september = _taizhang(tmp / "台账9月.xlsx", (15, 15), ("是", "是", 3))
    october = _taizhang(tmp / "台账10月.xlsx", (20, 15), ("否", "否", 10), h003=(9, 3))
    late = _taizhang(tmp / "台账9月15日.xlsx", (15, 12), ("是", "是", 3))
    results = {}
    for name, path, day in [("sep", september, SEPT), ("oct", october, OCT)]:
        res = _import(url, path, day.isoformat())
        assert res.exit_code == 0, res.output
        results[name] = res.output
    return url, late, results


@pytest.fixture(scope="module")
def client(town):
    url = town[0]
    with TestClient(create_app(Settings(database_url=url))) as c:
        yield login_as(c, "police")


def _ogc(client, as_of, **kw):
    r = client.get("/ogc/collections/houses/items", params={"as_of": as_of, "limit": 100, **kw})
    assert r.status_code == 200, r.text
    return {f["properties"]["house_code"]: f["properties"] for f in r.json()["features"]}


def _sections(client, as_of, unit="戴溪社区"):
    r = client.get("/analytics/scores", params={"as_of": as_of})
    assert r.status_code == 200, r.text
    u = next(u for u in r.json()["units"] if u["unit"] == unit)
    return {x["code"]: x["score"] for x in u["sections"]}


def test_ogc_houses_show_each_day_its_own_taizhang(town, client):
    # 2026-10-15 falls in the September 台账's period [09-30, 10-31); 11-05 in October's.
    mid_oct, nov = _ogc(client, "2026-10-15"), _ogc(client, "2026-11-05")
    assert (mid_oct["H001"]["tenants"], mid_oct["H001"]["registered_tenants"]) == (15, 15)
    assert (nov["H001"]["tenants"], nov["H001"]["registered_tenants"]) == (20, 15)
    assert (mid_oct["H002"]["is_registered"], mid_oct["H002"]["pledge_signed"]) == (True, True)
    assert (nov["H002"]["is_registered"], nov["H002"]["pledge_signed"]) == (False, False)
    assert (mid_oct["H002"]["rooms"], nov["H002"]["rooms"]) == (3, 10)
    # Before the first 台账 took effect the houses were not recorded yet.
    assert _ogc(client, "2026-09-29") == {}
    # A single feature by id answers the same.
    hid = s.scalar(town[0], "SELECT id FROM houses WHERE house_code = 'H001'")
    one = client.get(f"/ogc/collections/houses/items/{hid}", params={"as_of": "2026-10-15"})
    assert one.json()["properties"]["tenants"] == 15


def test_scores_use_the_houses_of_their_day(town, client):
    # 2026-10-15, September's figures, 戴溪社区: H001 15/15 and H002 5/5 registered
    #   house_registration 10 (both registered), tenant_registration 20/20 = 100 % ≥ 95 → 10,
    #   pledge 5 (both signed)
    oct15 = _sections(client, "2026-10-15")
    assert (oct15["house_registration"], oct15["tenant_registration"], oct15["pledge"]) == (
        10,
        10,
        5,
    )
    # 2026-11-05, October's: H002 unregistered → 10 − 1 = 9; tenants (15 + 5)/(20 + 5) = 80 %
    #   → 95 − 80 = 15 points below → −15 on 10 → floors at 0; H002 without pledge → 5 − 0.5
    nov5 = _sections(client, "2026-11-05")
    assert (nov5["house_registration"], nov5["tenant_registration"], nov5["pledge"]) == (
        9,
        0,
        4.5,
    )


def test_cctv_rule_uses_the_houses_of_their_day(client):
    # H002: 3 rooms/beds, 5 tenants in September (none ≥ 10: no CCTV required); 10 rooms and
    # beds in October with no CCTV → required and missing from 10-31 on.
    def missing(as_of):
        r = client.get("/analytics/cctv", params={"as_of": as_of})
        assert r.status_code == 200, r.text
        return sorted(h["house_code"] for h in r.json()["houses"] if h["cctv_violation"])

    assert missing("2026-10-15") == []
    assert missing("2026-11-05") == ["H002"]


def test_popup_and_exports_show_the_earlier_figures_on_earlier_days(town, client):
    hid = s.scalar(town[0], "SELECT id FROM houses WHERE house_code = 'H001'")
    popup = client.get(f"/map/data/houses/{hid}", params={"as_of": "2026-10-15"})
    assert popup.status_code == 200, popup.text
    assert (popup.json()["tenants"], popup.json()["registered_tenants"]) == (15, 15)
    later = client.get(f"/map/data/houses/{hid}", params={"as_of": "2026-11-05"}).json()
    assert later["tenants"] == 20
    csv = client.get("/map/export.csv", params={"layer": "houses", "as_of": "2026-10-15"})
    assert csv.status_code == 200, csv.text
    lines = [ln for ln in csv.text.splitlines() if "H001" in ln]
    assert len(lines) == 1 and ",15,15," in lines[0].replace('"', "")
    gj = client.get("/map/export.geojson", params={"layer": "houses", "as_of": "2026-11-05"})
    props = {f["properties"]["house_code"]: f["properties"] for f in gj.json()["features"]}
    assert props["H001"]["tenants"] == 20


def test_backdated_correction_changes_only_the_earlier_period_and_is_audited(town, client):
    url, late, _ = town
    res = _import(url, late, LATE.isoformat())
    assert res.exit_code == 0, res.output
    assert "现行记录不变" in res.output  # the import says where the figures went
    # 2026-09-20: the late 台账's figures. H001 12/15 and H002 5/5 registered → 17/20 = 85 %
    #   → 95 − 85 = 10 points below → −10 on 10 → 0
    sep20 = _ogc(client, "2026-09-20")
    assert (sep20["H001"]["tenants"], sep20["H001"]["registered_tenants"]) == (15, 12)
    assert _sections(client, "2026-09-20")["tenant_registration"] == 0
    # The September and October periods are unchanged.
    assert _ogc(client, "2026-10-15")["H001"]["registered_tenants"] == 15
    assert _sections(client, "2026-10-15")["tenant_registration"] == 10
    assert _ogc(client, "2026-11-05")["H001"]["tenants"] == 20
    # The current record is October's still.
    assert s.rows(url, "SELECT tenants, valid_from FROM houses WHERE house_code = 'H001'") == [
        (20, OCT)
    ]
    history = s.rows(
        url,
        "SELECT h.house_code, v.valid_from, v.valid_to, v.tenants, v.registered_tenants"
        " FROM house_versions v JOIN houses h ON h.id = v.house_id"
        " WHERE h.house_code = 'H001' ORDER BY v.valid_from",
    )
    assert history == [("H001", LATE, SEPT, 15, 12), ("H001", SEPT, OCT, 15, 15)]
    audit = s.rows(
        url,
        "SELECT actor, record_key, before ->> 'registered_tenants',"
        " after ->> 'registered_tenants', detail ->> 'effective'"
        " FROM audit_log WHERE action = 'backdate' ORDER BY record_key",
    )
    # H001 and H002 had no figures on 09-15 (before: none); H003 likewise.
    assert audit == [
        ("村台账员", "H001", None, "12", "2026-09-15"),
        ("村台账员", "H002", None, "5", "2026-09-15"),
        ("村台账员", "H003", None, "2", "2026-09-15"),
    ]
    imported = s.rows(
        url,
        "SELECT record_key, detail ->> 'backdated' FROM audit_log"
        " WHERE table_name = 'houses' AND detail ->> 'effective' = '2026-09-15'"
        " ORDER BY record_key",
    )
    assert imported == [("H001", "true"), ("H002", "true"), ("H003", "true")]


def test_a_village_sees_only_its_own_house_versions(town, client):
    url = town[0]
    # H003 (洛阳社区) changed in October: its history holds a version too.
    assert (
        s.scalar(
            url,
            "SELECT count(*) FROM house_versions v JOIN houses h ON h.id = v.house_id"
            " WHERE h.house_code = 'H003'",
        )
        >= 1
    )
    engine = make_engine(url)
    with engine.begin() as c:
        unit = c.execute(text("SELECT id FROM units WHERE name = '戴溪社区'")).scalar()
        c.execute(
            text(
                "SELECT set_config('role', 'geo_api_village', true),"
                " set_config('app.unit_id', :u, true)"
            ),
            {"u": str(unit)},
        )
        codes = (
            c.execute(
                text(
                    "SELECT DISTINCT h.house_code FROM house_versions v"
                    " JOIN houses h ON h.id = v.house_id ORDER BY 1"
                )
            )
            .scalars()
            .all()
        )
        raw = c.execute(text("SELECT count(DISTINCT house_id) FROM house_versions")).scalar()
        states = (
            c.execute(text("SELECT house_code FROM house_state('2026-10-15') ORDER BY 1"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert codes == ["H001", "H002"] and raw == 2
    assert states == ["H001", "H002"]
    village = login_as(TestClient(client.app), "village", unit="戴溪社区")
    assert set(_ogc(village, "2026-10-15")) == {"H001", "H002"}


def test_effective_dates_refused_clearly(town):
    # A user error (GeoServiceError): `geo-service` prints it as one line, no traceback.
    url, late, _ = town
    before = s.snapshot(url)
    tomorrow = (town_today() + timedelta(days=1)).isoformat()
    for bad, says in [("2026-13-01", "日期格式"), (tomorrow, "晚于今天"), ("x", "YYYY-MM-DD")]:
        res = _import(url, late, bad)
        assert res.exit_code != 0
        assert isinstance(res.exception, GeoServiceError) and says in str(res.exception)
    assert s.snapshot(url) == before  # nothing written
