"""Bad input at the API: schemathesis against the OpenAPI schema of the running service.

    .venv/bin/python -m bench.api_fuzz                  # every endpoint, each role, 25 examples
    .venv/bin/python -m bench.api_fuzz --max-examples 5 --roles police

Serves the demo town (scale 1, a database of the bench cluster) with `geo-service serve` on
loopback, then runs `st run` once per role (and once without a token) with the checks
`not_a_server_error` (no 5xx) and `response_schema_conformance` (answers match the declared
response schemas). Operations that would end the session being used (logout) are left out.
Exit status 0 when every run is clean; the failures and their reproducing curl commands are
in `.geo-data/bench/fuzz/<role>.txt`.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bench import auth, env, servers

CHECKS = "not_a_server_error,response_schema_conformance"
# Logging out voids the token the run uses; the rest of the run would only see 401s.
EXCLUDE = r"^/(auth/)?logout"


def run_role(
    base: str, schema: Path, role: str, headers: dict[str, str], a, out_dir: Path
) -> tuple[int, str]:
    """One `st run` of the schema file against `base`; (exit status, its summary lines)."""
    cmd = [
        str(servers.VENV_BIN / "st"), "run", str(schema), "--url", base,
        "--checks", CHECKS, "--max-examples", str(a.max_examples),
        "--exclude-path-regex", EXCLUDE, "--request-timeout", "60",
        "--seed", str(a.seed), "--workers", "2", "--no-color", "--warnings", "off",
        "--generation-database", "none",
    ]  # fmt: skip
    if a.max_time:
        cmd += ["--max-time", str(a.max_time)]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=env.ROOT)
    text = done.stdout + done.stderr
    if token := headers.get("Authorization"):
        text = text.replace(token.removeprefix("Bearer "), "<token>")
    (out_dir / f"{role}.txt").write_text(text, "utf-8")
    summary = [ln for ln in text.splitlines() if re.search(r"passed|failed|error|\bfound\b", ln)]
    return done.returncode, "\n".join(summary[-6:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.api_fuzz", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--max-examples", type=int, default=25)
    ap.add_argument("--max-time", type=int, default=0, help="seconds per role (0: no limit)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--roles", default=",".join(("anonymous", *auth.ROLES)))
    ap.add_argument("--data-dir", type=Path, default=env.ROOT / ".geo-data" / "bench")
    a = ap.parse_args(argv)
    db = env.prepare(a.data_dir, a.scale)
    out_dir = a.data_dir / "fuzz"
    out_dir.mkdir(parents=True, exist_ok=True)
    logs = a.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    server = servers.start_ours(db.url, logs, env={"GEO_ENVIRONMENT": "development"})
    failed = []
    try:
        roles = a.roles.split(",")
        if not auth.has_auth(server.url):
            roles = ["anonymous"]  # no access control in this service: one run covers it
        # The API description needs a login when access control is on: read it once as admin.
        admin = auth.headers_for(server.url, db.url, "admin")
        document = auth.openapi(server.url, admin)
        schema = out_dir / "openapi.json"
        schema.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
        for role in roles:
            headers = {} if role == "anonymous" else auth.headers_for(server.url, db.url, role)
            print(f"== {role}: st run … ({len(document['paths'])} paths)", flush=True)
            code, summary = run_role(server.url, schema, role, headers, a, out_dir)
            print(summary, flush=True)
            if code != 0:
                failed.append(role)
    finally:
        server.stop()
    print(f"failures: {', '.join(failed) or 'none'}; details in {out_dir}/")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
