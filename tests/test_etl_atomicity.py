"""One file, one transaction: a failure anywhere in a file — an exception after some sheets
were written, a database constraint on a late row, Ctrl-C, a killed process — leaves the
database exactly as it was."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import etl_samples as s
import psycopg2
import pytest


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    url = new_database("etl_atom")
    tmp = tmp_path_factory.mktemp("etl_atom")
    s.setup_town(url, tmp)
    return url, tmp, s.full_workbook(tmp / "台账.xlsx")


def test_exception_after_houses_were_written(town):
    url, _, wb = town
    before = s.snapshot(url)
    seen = []

    def fail_after_houses(ctx, sheet):
        seen.append(sheet)
        if sheet == "群租房":
            # the houses are written inside the transaction at this point …
            with ctx.conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM houses")
                assert cur.fetchone()[0] == 3
            raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError, match="injected"):
        s.run_import(url, wb, hook=fail_after_houses)
    assert seen == ["单位", "群租房"]
    assert s.snapshot(url) == before  # … and none of it survived


def test_keyboard_interrupt_mid_file(town):
    url, _, wb = town
    before = s.snapshot(url)

    def ctrl_c(ctx, sheet):
        if sheet == "隐患":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        s.run_import(url, wb, hook=ctrl_c)
    assert s.snapshot(url) == before


def test_database_constraint_on_a_late_row(town, tmp_path):
    """A trigger refuses the last incident: houses and hazards written before it roll back."""
    url, _, wb = town
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            CREATE FUNCTION refuse_j002() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.incident_code = 'J002' THEN
                    RAISE EXCEPTION 'J002 refused by a test trigger';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_j002 BEFORE INSERT ON incidents
            FOR EACH ROW EXECUTE FUNCTION refuse_j002();
            """
        )
    conn.close()
    before = s.snapshot(url)
    try:
        result = s.run_import(url, wb)
    finally:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("DROP TRIGGER refuse_j002 ON incidents; DROP FUNCTION refuse_j002()")
        conn.close()
    assert result.rolled_back and "J002 refused" in result.error
    assert s.snapshot(url) == before


_CHILD = """
import sys, time
sys.path.insert(0, {tests!r})
from pathlib import Path
import etl_samples as s

def stall(ctx, sheet):
    if sheet == "隐患":
        print("WRITTEN", flush=True)
        time.sleep(60)

s.run_import({url!r}, Path({wb!r}), hook=stall)
"""


def test_killed_process_leaves_nothing(town):
    """SIGKILL after three sheets were written: no Python cleanup runs, the server aborts."""
    url, _, wb = town
    before = s.snapshot(url)
    code = textwrap.dedent(_CHILD).format(tests=str(Path(__file__).parent), url=url, wb=str(wb))
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        assert child.stdout.readline().strip() == "WRITTEN"  # units, houses, hazards written
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    # the server notices the lost connection and aborts the open transaction
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and s.scalar(
        url, "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%%'"
    ):
        time.sleep(0.1)
    assert s.snapshot(url) == before


def test_same_file_imports_after_the_failures(town):
    url, _, wb = town
    result = s.run_import(url, wb)
    assert not result.rolled_back and not result.error
    assert s.scalar(url, "SELECT count(*) FROM hazards") == 3
