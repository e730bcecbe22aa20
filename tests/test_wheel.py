"""The package as a town installs it: a wheel built from the repository, installed with pip in
a new virtualenv (no system site packages, no Node.js on its PATH), migrating a PostGIS,
loading the demo town and serving; the system Chromium, offline, draws the map and renders
/docs and /redoc from the files the wheel carries; without them the server refuses to start
with one line.

"Fresh clone": the files git would commit (tracked and new, never ignored ones such as
web_map/static/vendor, .venv or node_modules) are copied to an empty folder and built there,
so the build must fetch the vendored assets itself (build_support/vendor_assets.py, with
npm) — as from `git clone`, but of the working tree under test. Packages for the new
virtualenv come from the machine's normal pip configuration (cached after the first run).

Slow (a build and a full install, about a minute or two with a warm pip cache): marked
`slow`, and run by CI like every other test.
"""

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg2
import pytest
from playwright.sync_api import sync_playwright

from web_map.snapshot import CHROMIUM_ARGS, READY

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Wheel-test-password-2026"
USER = "wheel_police"


def _run(cmd: list[str], timeout: float, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert done.returncode == 0, f"{cmd[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _clone(into: Path) -> None:
    listed = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], 60, cwd=ROOT
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted in the working tree is not in the clone
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("clone")
    _clone(src)
    assert not (src / "web_map/static/vendor").exists()  # the build must fetch them
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(dist)], 900)
    (built,) = dist.glob("qunzufang_gis-*.whl")
    return built


def test_wheel_carries_the_vendored_assets_with_versions_and_licences(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    versions = json.loads(zipfile.ZipFile(wheel).read("web_map/static/vendor/VERSIONS.json"))
    packages = versions["packages"]
    assert set(packages) >= {"leaflet", "jquery", "swagger-ui-dist", "redoc"}
    for name, p in packages.items():
        assert p["version"] and p["license"] and p["integrity"].startswith("sha512-")
        for f in p["files"]:
            assert f"web_map/static/vendor/{name}/{f}" in names
    assert "web_map/static/vendor/leaflet/LICENSE" in names
    assert "web_map/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in names
    assert "web_map/static/vendor/redoc/bundles/redoc.standalone.js" in names
    assert not any("node_modules" in n for n in names)


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A new virtualenv with the wheel and its dependencies, nothing else."""
    home = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", str(home)], 120)
    assert "include-system-site-packages = false" in (home / "pyvenv.cfg").read_text()
    _run([str(home / "bin/python"), "-m", "pip", "install", "-q", str(wheel)], 1500)
    return home


@pytest.fixture(scope="module")
def env(venv, server_url, tmp_path_factory) -> dict[str, str]:
    """The installed command's environment: its own bin only (no npm, no node), an empty
    database of the test server, and a working folder outside the repository."""
    name = f"wheel_{int(time.time())}"
    admin = psycopg2.connect(server_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    work = tmp_path_factory.mktemp("work")
    e = {
        "PATH": str(venv / "bin"),
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "DATABASE_URL": server_url.rsplit("/", 1)[0] + "/" + name,
        "GEO_DATA_DIR": str(work / "data"),
    }
    assert shutil.which("npm", path=e["PATH"]) is None
    assert shutil.which("node", path=e["PATH"]) is None
    return e


def _geo(venv: Path, env: dict, *args: str, stdin: str | None = None, timeout: float = 300):
    return subprocess.run(
        [str(venv / "bin/geo-service"), *args],
        env=env,
        cwd=env["HOME"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_installed_package_is_the_wheel_without_the_png_extra(venv, env):
    where = subprocess.run(
        [str(venv / "bin/python"), "-c", "import web_map, geo_service; print(web_map.__file__)"],
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(venv) in where and str(ROOT) not in where
    probe = "import importlib.util as u; print(u.find_spec('playwright') is None)"
    done = subprocess.run([str(venv / "bin/python"), "-c", probe], env=env, capture_output=True)
    assert done.stdout.strip() == b"True"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(venv, env) -> Iterator[str]:
    for args, stdin in (
        (["db", "upgrade"], None),
        (["demo", "load", "--seed", "7"], None),
        (["users", "add", USER, "--role", "police", "--password-stdin"], PASSWORD + "\n"),
    ):
        done = _geo(venv, env, *args, stdin=stdin)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    port = _free_port()
    log = Path(env["HOME"]) / "serve.log"
    proc = subprocess.Popen(
        [str(venv / "bin/geo-service"), "serve", "--port", str(port)],
        env=env,
        cwd=env["HOME"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the installed server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_map_and_api_docs_render_offline_in_chromium(served):
    external: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})

        def route(r) -> None:
            if r.request.url.startswith("http://127.0.0.1:"):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{served}/login")
        page.fill("#username", USER)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/map**")
        page.wait_for_selector(READY, state="attached", timeout=30_000)
        counts = page.evaluate("JSON.parse(JSON.stringify(QZF.counts))")
        assert counts["houses"] > 1000 and counts["units"] > 0
        assert page.locator(".leaflet-marker-icon, .marker-cluster").count() > 0

        page.goto(f"{served}/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "群租房安全管理 GIS" in page.inner_text(".swagger-ui .info .title")
        assert page.locator(".opblock").count() > 20  # every operation listed

        page.goto(f"{served}/redoc")
        page.wait_for_selector("h1:has-text('群租房安全管理 GIS')", timeout=30_000)
        assert page.locator("[data-section-id^='tag/'], [data-section-id^='operation/']").count()
        browser.close()
    assert external == [], external[:5]
    assert errors == [], errors[:5]


def test_licences_are_served_and_missing_files_are_404_not_500(served):
    with httpx.Client(base_url=served, timeout=20) as http:
        versions = http.get("/static/vendor/VERSIONS.json").json()["packages"]
        assert versions["leaflet"]["license"] == "BSD-2-Clause"
        assert "BSD" in http.get("/static/vendor/leaflet/LICENSE").text
        assert http.get("/static/vendor/leaflet/dist/no-such-file.js").status_code == 404


def test_png_export_without_its_extra_says_what_to_install(served):
    with httpx.Client(base_url=served, timeout=60) as http:
        token = http.post("/auth/token", data={"username": USER, "password": PASSWORD})
        h = {"Authorization": f"Bearer {token.json()['access_token']}"}
        r = http.get("/map/export.png", headers=h)
    assert r.status_code == 503
    assert "qunzufang-gis[png]" in r.json()["detail"]


def test_server_without_its_assets_refuses_to_start_in_one_line(venv, env):
    (site,) = venv.glob("lib/python3*/site-packages")
    vendor = site / "web_map/static/vendor"
    hidden = vendor.with_name("vendor.hidden")
    vendor.rename(hidden)
    try:
        done = _geo(venv, env, "serve", "--port", str(_free_port()), timeout=120)
    finally:
        hidden.rename(vendor)
    assert done.returncode == 1
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "前端资源缺失" in lines[0] and "assets missing" in lines[0]
    assert "Traceback" not in done.stderr
