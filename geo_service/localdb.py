"""A private PostgreSQL + PostGIS cluster under the project data directory.

Used when `DATABASE_URL` is unset. The cluster listens on 127.0.0.1 only, on a port chosen
free at creation, with password authentication; its superuser password lives in
`<data_dir>/cluster.json` (mode 600). As root, the cluster is owned by the `postgres` OS user
because initdb refuses to run as root.
"""

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from geo_service.errors import SetupError

DB_NAME = "geo"
SUPERUSER = "geo_admin"
EXTENSION_PACKAGES = ("postgis-3", "pgrouting")


def pg_bindir() -> Path:
    """The newest installed PostgreSQL's binaries (never a hard-coded major version)."""
    root = Path("/usr/lib/postgresql")
    majors = (
        sorted(
            (
                int(p.name)
                for p in root.glob("*")
                if p.name.isdigit() and (p / "bin/initdb").exists()
            ),
            reverse=True,
        )
        if root.exists()
        else []
    )
    if majors:
        return root / str(majors[0]) / "bin"
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SetupError(
        "PostgreSQL is not installed. Install it, e.g. `apt-get install postgresql` "
        "(未安装 PostgreSQL，请先安装)."
    )


def pg_major(bindir: Path) -> int:
    out = subprocess.run([bindir / "pg_config", "--version"], capture_output=True, text=True)
    if out.returncode == 0:
        return int(out.stdout.split()[1].split(".")[0])
    return int(bindir.parent.name)


def _missing_extensions(major: int) -> list[str]:
    share = Path(f"/usr/share/postgresql/{major}/extension")
    wanted = {"postgis-3": "postgis.control", "pgrouting": "pgrouting.control"}
    return [pkg for pkg, control in wanted.items() if not (share / control).exists()]


def ensure_extensions_installed(bindir: Path) -> None:
    """Install PostGIS and pgRouting with apt on Debian as root; elsewhere say what is missing."""
    major = pg_major(bindir)
    missing = _missing_extensions(major)
    if not missing:
        return
    packages = [f"postgresql-{major}-{p}" for p in missing]
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SetupError(
            f"PostGIS/pgRouting missing for PostgreSQL {major}: install {' '.join(packages)} "
            f"(e.g. `sudo apt-get install {' '.join(packages)}`), or set DATABASE_URL "
            "to an existing PostGIS server."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0 and cmd[1] == "install":
            raise SetupError(f"apt-get install {' '.join(packages)} failed: {result.stderr[-300:]}")
    if _missing_extensions(major):
        raise SetupError(f"Installed {' '.join(packages)}, but the extensions are still missing.")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Can a server listen on `port`? Sockets in TIME_WAIT do not count (servers reuse them)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server at `server_url` (no database part) if missing.

    Returns the new database's URL.
    """
    import psycopg2

    conn = psycopg2.connect(f"{server_url}/postgres")
    conn.autocommit = True  # CREATE DATABASE refuses to run inside a transaction
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return f"{server_url}/{name}"


@dataclass
class LocalCluster:
    """The self-managed cluster under `data_dir` (`pgdata/`, `cluster.json`, `postgres.log`)."""

    data_dir: Path

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "cluster.json"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    def _state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def _save_state(self, state: dict) -> None:
        self.state_file.write_text(json.dumps(state))
        self.state_file.chmod(0o600)

    @property
    def url(self) -> str:
        s = self._state()
        return f"postgresql://{SUPERUSER}:{s['password']}@127.0.0.1:{s['port']}/{DB_NAME}"

    # -- running pg tools as the cluster's owner -------------------------------------------
    def _owner(self) -> str | None:
        """The OS user that owns the cluster: `postgres` when we are root, else ourselves."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        return "postgres"

    def _run(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        owner = self._owner()
        if owner:
            cmd = ["runuser", "-u", owner, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if check and result.returncode != 0:
            raise SetupError(f"{Path(cmd[-len(args)]).name} failed: {result.stderr.strip()[-400:]}")
        return result

    def _prepare_dir(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            probe = self.data_dir / ".write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as e:
            raise SetupError(
                f"data directory {self.data_dir} is not writable ({e.strerror}); "
                "set GEO_DATA_DIR to a writable directory"
            ) from None
        owner = self._owner()
        if owner:
            shutil.chown(self.data_dir, owner)
            if self._run("test", "-w", self.data_dir, check=False).returncode != 0:
                raise SetupError(
                    f"data directory {self.data_dir} is not reachable by the OS user {owner} "
                    "(a parent directory is private); set GEO_DATA_DIR to e.g. /var/tmp/geo-data"
                )

    # -- lifecycle ----------------------------------------------------------------------------
    def initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists() and self.state_file.exists()

    def running(self) -> bool:
        if not self.initialized():
            return False
        return (
            self._run(pg_bindir() / "pg_ctl", "status", "-D", self.pgdata, check=False).returncode
            == 0
        )

    def init(self) -> None:
        bindir = pg_bindir()
        ensure_extensions_installed(bindir)
        self._prepare_dir()
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        password = secrets.token_urlsafe(24)
        pwfile = self.data_dir / ".pwfile"
        pwfile.write_text(password + "\n")
        if owner := self._owner():
            shutil.chown(pwfile, owner)
        try:
            self._run(
                bindir / "initdb",
                "-D",
                self.pgdata,
                "-U",
                SUPERUSER,
                "--pwfile",
                pwfile,
                "--auth-host=scram-sha-256",
                "--auth-local=peer",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self._save_state({"password": password, "port": free_port(), "major": pg_major(bindir)})

    def start(self) -> None:
        state = self._state()
        if not port_is_free(state["port"]):
            state["port"] = free_port()  # the old port was taken by something else meanwhile
            self._save_state(state)
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={state['port']} "
            "-c unix_socket_directories='' -c max_connections=200 "
            "-c shared_buffers=512MB -c work_mem=32MB -c maintenance_work_mem=256MB "
            "-c synchronous_commit=off -c jit=off"
        )
        result = self._run(
            pg_bindir() / "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            self.pgdata,
            "-l",
            self.log_file,
            "-o",
            options,
            check=False,
        )
        if result.returncode != 0:
            tail = (
                self.log_file.read_text(errors="replace")[-400:] if self.log_file.exists() else ""
            )
            raise SetupError(f"PostgreSQL did not start: {result.stderr.strip()} {tail}".strip())

    def ensure_database(self) -> None:
        ensure_database(self.url.rsplit("/", 1)[0], DB_NAME)

    def up(self) -> str:
        """Create once, start if stopped, make sure the database exists; return its URL."""
        if not self.running():
            if not self.initialized():
                self.init()
            else:
                ensure_extensions_installed(pg_bindir())
            self.log_file.touch()
            if owner := self._owner():
                shutil.chown(self.log_file, owner)
            self.start()
        self.ensure_database()
        return self.url

    def down(self) -> bool:
        """Stop the cluster cleanly (fast shutdown: rolls back open transactions)."""
        if not self.running():
            return False
        self._run(pg_bindir() / "pg_ctl", "stop", "-w", "-m", "fast", "-D", self.pgdata)
        return True

    def destroy(self) -> None:
        self.down()
        shutil.rmtree(self.pgdata, ignore_errors=True)
        self.state_file.unlink(missing_ok=True)
