"""`POST /imports` and `GET /imports/{id}` over HTTP: the result as JSON, jobs with progress,
the files kept with their checksum, each scope seeing its own uploads, and the administrator's
upload giving what `geo-service import` gives.

The mini town of tests/etl_samples.py; the village user belongs to 戴溪社区.
"""

import hashlib
import io
import os
import subprocess
import sys
import time

import psycopg2
import pytest
from access_helpers import auth_headers, secured_app
from etl_samples import (
    HOUSE_HEADERS,
    INCIDENT_HEADERS,
    addresses,
    boundaries,
    clear_records,
    full_workbook,
    house_rows,
    incident_rows,
    rows,
    run_import,
    setup_town,
    workbook,
)
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from geo_service.uploads.jobs import LAYERS_REFUSED

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    url = new_database("upload_api")
    tmp = tmp_path_factory.mktemp("town")
    setup_town(url, tmp)
    app = secured_app(url)
    with TestClient(app) as client:
        heads = {
            "village": auth_headers(app, "village", unit="戴溪社区"),
            "other_village": auth_headers(app, "village", unit="岑村村"),
            "police": auth_headers(app, "police"),
            "admin": auth_headers(app, "admin"),
            "leader": auth_headers(app, "leader"),
        }
        yield url, tmp, client, heads


def post(client, headers, *paths, **data):
    files = [("files", (p.name, p.read_bytes(), XLSX)) for p in paths]
    return client.post("/imports", files=files, data=data, headers=headers)


def good_workbook(tmp):
    """戴溪社区's own house H001 (placed from its address)."""
    return workbook(tmp / "戴溪社区台账.xlsx", {"群租房": (HOUSE_HEADERS, [house_rows()[0]])})


def test_a_village_upload_answers_with_its_counts_and_keeps_the_file(town):
    url, tmp, client, heads = town
    clear_records(url)
    path = good_workbook(tmp)
    r = post(client, heads["village"], path)
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["status"] == "done" and job["username"] == "t_village_1"
    (f,) = job["files"]
    assert f["outcome"] == "imported" and f["written"] and f["report_url"] is None
    assert f["sheets"] == [
        {"name": "群租房", "rows": 1, "inserted": 1, "updated": 0, "unchanged": 0, "deleted": 0,
         "rejected": 0, "skipped": 0}
    ]  # fmt: skip
    assert job["totals"] == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "rejected": 0,
    }
    assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rows(url, "SELECT house_code FROM houses") == [("H001",)]
    # kept as uploaded, byte for byte
    kept = rows(url, "SELECT content FROM import_files WHERE job_id = %s", job["id"])
    assert bytes(kept[0][0]) == path.read_bytes()
    # the same again: nothing changes
    again = post(client, heads["village"], path).json()["files"][0]["sheets"][0]
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 1)


def test_rejected_rows_come_with_reasons_and_an_error_workbook(town):
    url, tmp, client, heads = town
    clear_records(url)
    bad = house_rows()[0]
    bad[14] = 99  # 已登记租住人数 99 > 租住人数 15
    path = workbook(tmp / "有错误.xlsx", {"群租房": (HOUSE_HEADERS, [bad])})
    job = post(client, heads["village"], path).json()
    (f,) = job["files"]
    assert f["outcome"] == "rolled_back" and not f["written"]  # strict by default
    assert f["rejections"] == [
        {
            "sheet": "群租房",
            "row": 2,
            "column": "已登记租住人数",
            "value": "99.0",  # as the engine shows a number cell (calamine reads floats)
            "reason_zh": "已登记租住人数大于租住人数",
            "reason_en": "registered tenants exceed the tenants living there",
            "code": "registered_exceeds",
        }
    ]
    assert rows(url, "SELECT count(*) FROM houses") == [(0,)]
    report = client.get(f["report_url"], headers=heads["village"])
    assert report.status_code == 200 and report.headers["content-type"] == XLSX
    assert "attachment" in report.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(report.content)).active
    assert [c.value for c in ws[2]][1:6] == [
        "群租房",
        2,
        "已登记租住人数",
        "99.0",
        "已登记租住人数大于租住人数",
    ]


def test_accept_valid_keeps_the_good_rows(town):
    url, tmp, client, heads = town
    clear_records(url)
    good, bad = house_rows()[0], house_rows()[0]
    bad[0], bad[14] = "H009", 99
    path = workbook(tmp / "部分错误.xlsx", {"群租房": (HOUSE_HEADERS, [good, bad])})
    (f,) = post(client, heads["village"], path, accept_valid="true").json()["files"]
    assert f["outcome"] == "partial"
    assert (f["sheets"][0]["inserted"], f["sheets"][0]["rejected"]) == (1, 1)
    assert rows(url, "SELECT house_code FROM houses") == [("H001",)]


def test_another_villages_rows_are_refused_naming_it(town):
    url, tmp, client, heads = town
    clear_records(url)
    assert not run_import(url, full_workbook(tmp / "all.xlsx")).rejections  # the owner's data
    before = rows(url, "SELECT * FROM houses h JOIN units u ON u.id = h.unit_id "
                       "WHERE u.name = '岑村村' ORDER BY h.id")  # fmt: skip
    h002 = house_rows()[1]
    h002[12] = 40  # 岑村村's H002 with 40 beds
    path = workbook(tmp / "别村.xlsx", {"群租房": (HOUSE_HEADERS, [h002])})
    (f,) = post(client, heads["village"], path, accept_valid="true").json()["files"]
    assert [(r["column"], r["reason_zh"]) for r in f["rejections"]] == [
        ("所属单位", "所属单位“岑村村”不是本单位：村（社区）用户只能上报本单位（戴溪社区）的数据")
    ]
    assert rows(url, "SELECT * FROM houses h JOIN units u ON u.id = h.unit_id "
                     "WHERE u.name = '岑村村' ORDER BY h.id") == before  # fmt: skip


def test_several_files_in_one_upload_each_in_its_own_transaction(town):
    """Files in dependency order; a bad one is rolled back alone; the data version moves, so
    cached answers (analytics, tiles) are recomputed."""
    url, tmp, client, heads = town
    clear_records(url)
    version = rows(url, "SELECT version FROM data_version")[0][0]
    bad = house_rows()[2]
    bad[12] = -1  # 床位数 negative
    houses = workbook(tmp / "群租房.xlsx", {"群租房": (HOUSE_HEADERS, house_rows()[:2])})
    wrong = workbook(tmp / "错.xlsx", {"群租房": (HOUSE_HEADERS, [bad])})
    incidents = workbook(tmp / "警情表.xlsx", {"警情": (INCIDENT_HEADERS, incident_rows())})
    job = post(client, heads["admin"], incidents, wrong, houses).json()
    got = {f["file"]: (f["seq"], f["outcome"]) for f in job["files"]}
    assert got == {"警情表.xlsx": (1, "imported"), "错.xlsx": (2, "rolled_back"),
                   "群租房.xlsx": (3, "imported")}  # fmt: skip
    assert job["totals"]["inserted"] == 2 + 2 and job["totals"]["rejected"] == 1
    assert rows(url, "SELECT count(*) FROM houses") == [(2,)]
    assert rows(url, "SELECT version FROM data_version")[0][0] > version


def test_a_large_upload_runs_as_a_job_with_progress(town):
    url, tmp, client, heads = town
    clear_records(url)
    path = workbook(tmp / "警情.xlsx", {"警情": (INCIDENT_HEADERS, incident_rows())})
    r = post(client, heads["police"], path, wait="false")
    assert r.status_code == 202
    job_id = r.json()["id"]
    assert r.headers["location"] == f"/imports/{job_id}"
    deadline = time.monotonic() + 60
    seen = []
    while True:
        job = client.get(f"/imports/{job_id}", headers=heads["police"]).json()
        seen.append(job["percent"])
        if job["status"] in ("done", "failed"):
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert job["status"] == "done" and job["percent"] == 100
    assert seen == sorted(seen)  # progress only moves forward
    assert job["files"][0]["sheets"][0]["inserted"] == 2
    assert rows(url, "SELECT incident_code FROM incidents ORDER BY 1") == [("J001",), ("J002",)]


def test_each_scope_sees_its_own_uploads(town):
    _, tmp, client, heads = town
    job = post(client, heads["village"], good_workbook(tmp)).json()
    path = f"/imports/{job['id']}"
    assert client.get(path, headers=heads["village"]).status_code == 200
    assert client.get(path, headers=heads["admin"]).status_code == 200
    assert client.get(path, headers=heads["other_village"]).status_code == 404
    assert client.get(path, headers=heads["police"]).status_code == 404
    assert client.get(path, headers=heads["leader"]).status_code == 403
    history = client.get("/upload/history", headers=heads["other_village"]).text
    assert "戴溪社区台账.xlsx" not in history
    mine = client.get("/upload/history", headers=heads["village"]).text
    assert "戴溪社区台账.xlsx" in mine and job["files"][0]["sha256"][:12] in mine
    assert post(client, heads["leader"], good_workbook(tmp)).status_code == 403


def test_bad_uploads_get_a_clear_message_and_nothing_is_kept(town):
    url, _, client, heads = town
    before = rows(url, "SELECT count(*) FROM import_jobs")
    h = heads["village"]
    cases = [
        ([("files", ("说明.pdf", b"%PDF-1.4", "application/pdf"))], "不支持的文件类型"),
        (
            [("files", ("村界.shp", b"\x00\x00\x27\x0a", "application/octet-stream"))],
            "打包成一个 zip",
        ),
        ([("files", ("空.xlsx", b"", XLSX))], "文件为空"),
    ]
    for files, message in cases:
        r = client.post("/imports", files=files, headers=h)
        assert r.status_code == 422 and message in r.json()["detail"], r.text
    r = client.post("/imports", files=[("files", ("a.xlsx", b"x", XLSX))], data={"crs": "火星2"},
                    headers=h)  # fmt: skip
    assert r.status_code == 422 and "坐标系无效" in r.json()["detail"]
    assert client.post("/imports", headers=h).status_code == 422  # no file at all
    assert rows(url, "SELECT count(*) FROM import_jobs") == before
    # a file that is not a workbook: the result says so, as the CLI would
    r = client.post("/imports", files=[("files", ("坏.xlsx", b"not a zip", XLSX))], headers=h)
    (f,) = r.json()["files"]
    assert f["outcome"] == "failed" and "无法打开工作簿" in f["message"]


def test_layers_are_the_administrators(town):
    _, tmp, client, heads = town
    path = boundaries(tmp / "单位边界.geojson")
    (f,) = post(client, heads["village"], path).json()["files"]
    assert (f["outcome"], f["message"]) == ("failed", LAYERS_REFUSED)
    (f,) = post(client, heads["admin"], addresses(tmp / "标准地址.geojson")).json()["files"]
    assert f["outcome"] == "imported" and f["sheets"][0]["unchanged"] == 60  # 3 units × 2 × 10


def test_the_administrators_upload_is_the_cli_import(town, new_database, tmp_path):
    """The same workbook through POST /imports (admin) and through `geo-service import`'s
    engine into a twin database: the same counts, the same rows."""
    url, tmp, client, heads = town
    clear_records(url)
    twin = new_database("upload_twin")
    setup_town(twin, tmp_path)
    path = full_workbook(tmp / "全部.xlsx")
    cli = run_import(twin, path, today=None)
    (f,) = post(client, heads["admin"], path).json()["files"]
    assert f["sheets"] == [
        {k: getattr(s, k) for k in ("name", "rows", "inserted", "updated", "unchanged",
                                    "deleted", "rejected", "skipped")}
        for s in cli.sheets
    ]  # fmt: skip
    queries = [
        "SELECT house_code, u.name, address, ST_AsText(h.geom), geocode_method, rooms "
        "FROM houses h JOIN units u ON u.id = h.unit_id ORDER BY 1",
        "SELECT hazard_code, house_code, category, severity, due_on, rectified_on "
        "FROM hazards z JOIN houses h ON h.id = z.house_id ORDER BY 1",
        "SELECT incident_code, occurred_at, u.name, ST_AsText(i.geom) "
        "FROM incidents i LEFT JOIN units u ON u.id = i.unit_id ORDER BY 1",
    ]
    for q in queries:
        assert rows(url, q) == rows(twin, q)


def test_an_interrupted_job_says_nothing_was_written(town):
    url, tmp, client, heads = town
    job = post(client, heads["admin"], good_workbook(tmp)).json()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE import_jobs SET status = 'running', heartbeat_at = now() - interval '1 hour' "
            "WHERE id = %s",
            (job["id"],),
        )
    conn.close()
    seen = client.get(f"/imports/{job['id']}", headers=heads["admin"]).json()
    assert seen["status"] == "failed" and "未写入任何数据" in seen["error"]


def test_kept_files_survive_backup_and_restore(town, tmp_path):
    """The files live in the database, so `geo-service backup` / `restore` carry them."""
    url, tmp, client, heads = town
    path = good_workbook(tmp)
    job = post(client, heads["village"], path).json()
    dump = tmp_path / "geo.dump"
    env = {**os.environ, "DATABASE_URL": url}
    cli = [sys.executable, "-m", "geo_service"]
    done = subprocess.run([*cli, "backup", str(dump)], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM import_jobs WHERE id = %s", (job["id"],))
    conn.close()
    assert client.get(f"/imports/{job['id']}", headers=heads["village"]).status_code == 404
    cmd = [*cli, "restore", str(dump), "--yes"]
    done = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kept = rows(url, "SELECT content, sha256 FROM import_files WHERE job_id = %s", job["id"])
    assert bytes(kept[0][0]) == path.read_bytes()
    assert kept[0][1] == hashlib.sha256(path.read_bytes()).hexdigest() == job["files"][0]["sha256"]
