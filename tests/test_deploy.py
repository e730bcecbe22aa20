"""docs/deploy.md, tried: `geo-service serve --workers 2` in production mode behind nginx with
TLS, configured by the nginx block of the page itself (only addresses, ports and file paths
are replaced), and the checks production mode makes: the secret, Secure cookies, HSTS,
forwarded headers trusted from the proxy only.

nginx (Debian's nginx-light, installed by scripts/setup.sh) runs as a child process with its
own prefix; the certificate is made here with openssl for gis.town.example and 127.0.0.1.
"""

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from access_helpers import PASSWORD, ensure_user
from fastapi.testclient import TestClient

from geo_service.api.app import create_app
from geo_service.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SECRET = "deploy-test-secret-" + "0123456789abcdef" * 3
HOST = "gis.town.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db_url: str, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_", "FORWARDED_"))}
    env |= {"DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "GEO_DATA_DIR": str(data)}
    return env | {"GEO_ENVIRONMENT": "production", **extra}


@contextmanager
def _serving(env: dict[str, str], cwd: Path, *args: str) -> Iterator[int]:
    port = _free_port()
    log = cwd / f"serve-{port}.log"
    cmd = [sys.executable, "-m", "geo_service", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def db_with_user(db_url: str) -> str:
    app = create_app(Settings(database_url=db_url, secret_key=SECRET))
    with TestClient(app):
        ensure_user(app, "police", username="deployer")
    return db_url


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="module")
def app_port(db_with_user: str, work: Path) -> Iterator[int]:
    """The service as the systemd unit starts it: production, two workers."""
    env = _env(db_with_user, work / "data", GEO_SECRET_KEY=SECRET)
    with _serving(env, work, "--host", "127.0.0.1", "--workers", "2") as port:
        yield port


def test_production_refuses_a_missing_or_short_secret_in_one_line(db_with_user, work):
    for extra, words in (({}, "placeholder"), ({"GEO_SECRET_KEY": "short"}, "shorter than 32")):
        env = _env(db_with_user, work / "data", **extra)
        cmd = [sys.executable, "-m", "geo_service", "serve", "--port", str(_free_port())]
        done = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True, timeout=120)
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        assert done.returncode == 1 and len(lines) == 1, lines
        assert "GEO_SECRET_KEY" in lines[0] and words in lines[0]


def test_forwarded_headers_are_trusted_from_the_proxy_only(db_with_user, work, app_port):
    forwarded = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.7"}

    def ogc_links(port: int) -> list[str]:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            token = http.post("/auth/token", data={"username": "deployer", "password": PASSWORD})
            h = {**forwarded, "Authorization": f"Bearer {token.json()['access_token']}"}
            return [link["href"] for link in http.get("/ogc", headers=h).json()["links"]]

    # From 127.0.0.1 (where nginx runs in docs/deploy.md): the client's scheme is https.
    assert all(href.startswith(f"https://{HOST}/") for href in ogc_links(app_port))
    # A proxy elsewhere is trusted only when named; from anyone else the headers are ignored.
    env = _env(db_with_user, work / "data", GEO_SECRET_KEY=SECRET, FORWARDED_ALLOW_IPS="10.1.2.3")
    with _serving(env, work) as other:
        assert all(href.startswith(f"http://{HOST}/") for href in ogc_links(other))


# -- behind nginx, configured by docs/deploy.md ---------------------------------------------


def _doc_nginx_block() -> str:
    text = (ROOT / "docs/deploy.md").read_text("utf-8")
    (block,) = re.findall(r"```nginx\n(.*?)```", text, flags=re.S)
    return block


@pytest.fixture(scope="module")
def tls(work: Path) -> tuple[Path, Path]:
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def nginx(work: Path, tls, app_port: int) -> Iterator[tuple[int, int]]:
    """nginx with the page's server blocks; (https port, http port)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is missing: scripts/setup.sh installs nginx-light"
    https_port, http_port = _free_port(), _free_port()
    prefix = work / "nginx"
    prefix.mkdir()
    block = _doc_nginx_block()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/ssl/qunzufang/fullchain.pem", str(tls[0])),
        ("/etc/ssl/qunzufang/privkey.pem", str(tls[1])),
        ("/var/log/nginx/qunzufang.access.log", str(prefix / "access.log")),
    ):
        assert old in block, f"docs/deploy.md's nginx block no longer has {old!r}"
        block = block.replace(old, new)
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"user root;\nworker_processes 1;\npid {prefix}/nginx.pid;\nevents {{}}\n"
        f"http {{\n{block}\n}}\n"
    )
    base = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([*base, "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", https_port)) == 0:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield https_port, http_port
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def https(nginx, tls) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"https://127.0.0.1:{nginx[0]}",
        verify=ssl.create_default_context(cafile=str(tls[0])),
        headers={"Host": HOST},
        timeout=60,
    ) as client:  # fmt: skip
        yield client


def test_plain_http_is_sent_to_https(nginx):
    r = httpx.get(f"http://127.0.0.1:{nginx[1]}/map?as_of=2026-01-01", headers={"Host": HOST})
    assert r.status_code == 301
    assert r.headers["location"] == f"https://{HOST}/map?as_of=2026-01-01"


def test_behind_nginx_cookies_are_secure_and_links_https(https):
    assert https.get("/healthz").json()["status"] == "ok"
    form = {"username": "deployer", "password": PASSWORD, "next": "/map"}
    login = https.post("/login", data=form)
    assert login.status_code == 303, login.text
    cookie = login.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert login.headers["strict-transport-security"] == "max-age=31536000"
    token = https.post("/auth/token", data={"username": "deployer", "password": PASSWORD})
    h = {"Authorization": f"Bearer {token.json()['access_token']}"}
    links = [link["href"] for link in https.get("/ogc", headers=h).json()["links"]]
    assert len(links) >= 3 and all(href.startswith(f"https://{HOST}/") for href in links)
    tilejson = https.get("/tiles/houses.json", headers=h).json()
    assert tilejson["tiles"][0].startswith(f"https://{HOST}/tiles/houses/")


def test_nginx_refuses_uploads_over_the_documented_limit(https):
    body = b"x" * (51 * 1024 * 1024)  # client_max_body_size 50m, as GEO_MAX_UPLOAD_MB
    r = https.post("/auth/token", content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413 and "nginx" in r.headers.get("server", "")
