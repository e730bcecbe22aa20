"""The servers under test, each a subprocess on its own loopback port, stopped at exit.

Peak memory is the kernel's high-water mark of resident memory (`VmHWM`) of the server
process and its children (uvicorn workers), read before it stops.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench.env import ROOT
from geo_service.localdb import free_port

VENV_BIN = Path(sys.executable).parent
TIPG_VERSION = "tipg>=1.6"


@dataclass
class Server:
    """A running HTTP server: its base URL and process."""

    name: str
    proc: subprocess.Popen
    url: str
    log: Path
    headers: dict[str, str] = field(default_factory=dict)  # e.g. the bearer token

    def peak_rss_mb(self) -> float:
        """Largest VmHWM among the server process and its children, in MiB."""
        peak = 0
        try:
            procs = [psutil.Process(self.proc.pid)]
            procs += procs[0].children(recursive=True)
        except psutil.NoSuchProcess:
            return 0.0
        for p in procs:
            try:
                for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                continue
        return peak / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _wait_ready(server: Server, path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            tail = server.log.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{server.name} exited ({server.proc.returncode}):\n{tail}")
        try:
            if httpx.get(server.url + path, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer {path} within {timeout:.0f} s")


def start_ours(db_url: str, log_dir: Path, workers: int = 1, env: dict | None = None) -> Server:
    """`geo-service serve` on the bench database (loopback, a free port)."""
    port = free_port()
    log = log_dir / f"geo-service-{port}.log"
    environ = {
        **os.environ,
        "DATABASE_URL": db_url,
        "GEO_HOST": "127.0.0.1",
        "GEO_PORT": str(port),
        # A benchmark outlives a 30-minute token, and logs in more than 20 times a minute.
        "GEO_TOKEN_MINUTES": "600",
        "GEO_LOGIN_RATE_PER_MINUTE": "100000",
        **(env or {}),
    }
    cmd = [str(VENV_BIN / "geo-service"), "serve", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=environ, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    server = Server("geo-service", proc, f"http://127.0.0.1:{port}", log)
    _wait_ready(server, "/healthz")
    return server


def tipg_venv(data_dir: Path, log=print) -> Path:
    """A separate venv holding tipg (kept out of the project's dependencies), made once."""
    venv = data_dir / "tipg-venv"
    uvicorn = venv / "bin" / "uvicorn"
    if not (venv / "bin" / "python").exists():
        log(f"creating {venv} for tipg …")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([venv / "bin" / "python", "-c", "import tipg"], capture_output=True)
    if probe.returncode != 0 or not uvicorn.exists():
        log("installing tipg and uvicorn into it …")
        subprocess.run(
            [venv / "bin" / "pip", "install", "-q", TIPG_VERSION, "uvicorn>=0.29"], check=True
        )
    return venv


def tipg_version(venv: Path) -> str:
    out = subprocess.run(
        [venv / "bin" / "python", "-c", "import tipg; print(tipg.__version__)"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "?"


def start_tipg(
    venv: Path, db_url: str, schema: str, pks: dict[str, str], max_tile: int, log_dir: Path
) -> Server:
    """tipg on the same database, serving the views of `schema` (one uvicorn worker)."""
    port = free_port()
    log = log_dir / f"tipg-{port}.log"
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TIPG_", "GEO_"))},
        "DATABASE_URL": db_url,
        "TIPG_DB_SCHEMAS": f'["{schema}"]',
        "TIPG_DB_SPATIAL_EXTENT": "false",  # startup only; not what is measured
        "TIPG_DB_DATETIME_EXTENT": "false",
        "TIPG_MAX_FEATURES_PER_TILE": str(max_tile),
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
        "TIPG_DB_MAX_CONN_SIZE": "10",
    }
    for view, pk in pks.items():
        environ[f"TIPG_TABLE_CONFIG__{schema}_{view}__PK"] = pk
    cmd = [
        str(venv / "bin" / "uvicorn"),
        "tipg.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(
        cmd, cwd="/", env=environ, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    server = Server("tipg", proc, f"http://127.0.0.1:{port}", log)
    _wait_ready(server, "/collections")
    return server
