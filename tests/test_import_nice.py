"""`geo-service import` yields the CPU to the map's users: it lowers its own priority by
GEO_IMPORT_NICE (default 10) before it reads anything."""

import os
import subprocess
import sys

import pytest

PROBE = """
import os
from typer.testing import CliRunner
from geo_service.cli import app
result = CliRunner().invoke(app, ["import", "no-such-file.xlsx"])
print(result.exit_code != 0, os.nice(0))
"""


@pytest.mark.parametrize(("setting", "expected"), [(None, 10), ("3", 3), ("0", 0)])
def test_import_lowers_its_priority(setting, expected, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GEO_IMPORT_NICE"}
    if setting is not None:
        env["GEO_IMPORT_NICE"] = setting
    env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"  # never reached
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    refused, niceness = out.stdout.split()
    assert refused == "True"
    assert int(niceness) == min(19, os.nice(0) + expected)
