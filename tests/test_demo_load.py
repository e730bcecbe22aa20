"""Loading the demo town: same parameters → same rows; a re-run is a quick no-op; other data
is refused unless forced; a failure leaves nothing behind; rows pointing at units survive."""

import time
from datetime import date

import psycopg2
import pytest
from typer.testing import CliRunner

from geo_service.cli import app
from geo_service.demo import bulk, load_demo
from geo_service.errors import ValidationError

DAY = date(2026, 11, 15)
SMALL = 0.2  # 600 houses: fast


def _q(url: str, sql: str):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def _checksum(url: str, table: str) -> str:
    """Every column but the load timestamp, in id order."""
    return _q(url, f"SELECT md5(string_agg((to_jsonb(t) - 'updated_at')::text, '|' ORDER BY id)) "
                   f"FROM {table} t")  # fmt: skip


def _counts(url: str) -> tuple[int, ...]:
    return tuple(
        _q(url, f"SELECT count(*) FROM {t}")
        for t in ("units", "houses", "hazards", "incidents", "addresses", "inspections", "roads")
    )


@pytest.fixture(scope="module")
def small_url(new_database) -> str:
    url = new_database("demo_small")
    result = load_demo(url, seed=7, scale=SMALL, as_of=DAY)
    assert result.loaded and result.counts["houses"] == 600
    return url


def _schema(url: str) -> list:
    """Every index and constraint definition (the load drops and rebuilds some of them)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("""SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
                       FROM pg_index WHERE indrelid::regclass::text NOT LIKE 'pg_%'
                       UNION ALL
                       SELECT conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
                       FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                       ORDER BY 1, 2""")  # fmt: skip
        return cur.fetchall()


def test_same_parameters_give_identical_rows_and_force_replaces(
    small_url, new_database, monkeypatch
):
    twin = new_database("demo_twin")
    schema = _schema(twin)
    load_demo(twin, seed=7, scale=SMALL, as_of=DAY)
    assert _schema(twin) == schema  # indexes and keys rebuilt exactly as migrated
    for table in ("houses", "hazards", "incidents", "addresses", "units", "roads", "key_areas"):
        assert _checksum(small_url, table) == _checksum(twin, table), table
    # A different demo is refused without --force, and the data stays as it was.
    with pytest.raises(ValidationError, match="--force"):
        load_demo(twin, seed=8, scale=SMALL, as_of=DAY)
    assert _checksum(twin, "houses") == _checksum(small_url, "houses")
    # A row elsewhere that points at a unit (a village user's account, say) survives --force:
    # unit ids are stable per name whatever the seed.
    with psycopg2.connect(twin) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE t_account (name text, unit_id int REFERENCES units(id))")
        cur.execute("INSERT INTO t_account SELECT '网格员', id FROM units WHERE name = '戴溪社区'")
    result = load_demo(twin, seed=8, scale=0.1, as_of=DAY, force=True)
    assert result.loaded and result.dataset["seed"] == 8
    assert _counts(twin)[1:3] == (300, 400)
    assert _checksum(twin, "houses") != _checksum(small_url, "houses")
    assert _q(twin, "SELECT u.name FROM t_account a JOIN units u ON u.id = a.unit_id") == "戴溪社区"
    # A failure midway through a forced reload leaves the previous demo untouched.
    before = (_counts(twin), _checksum(twin, "houses"), _checksum(twin, "units"))
    _fail_on_hazards(monkeypatch)
    with pytest.raises(RuntimeError, match="simulated"):
        load_demo(twin, seed=9, scale=0.1, as_of=DAY, force=True)
    assert (_counts(twin), _checksum(twin, "houses"), _checksum(twin, "units")) == before


def _fail_on_hazards(monkeypatch) -> None:
    real_copy = bulk.copy_rows

    def failing_copy(cur, table, columns, advance, **options):
        if table == "hazards":
            raise RuntimeError("disk full (simulated)")
        return real_copy(cur, table, columns, advance, **options)

    monkeypatch.setattr(bulk, "copy_rows", failing_copy)


def test_rerun_is_a_quick_no_op(small_url):
    before = _counts(small_url)
    start = time.perf_counter()
    result = load_demo(small_url, seed=7, scale=SMALL, as_of=DAY)
    assert not result.loaded and time.perf_counter() - start < 1.0
    # Omitted parameters accept whatever demo is there (the README command re-runs daily).
    assert not load_demo(small_url).loaded
    assert not load_demo(small_url, seed=7).loaded
    assert _counts(small_url) == before
    # Sequences were moved past the explicit ids: a new row gets a fresh id.
    assert _q(small_url, "SELECT nextval(pg_get_serial_sequence('houses', 'id'))") == 601


def test_other_data_is_refused_unless_forced_and_a_failed_load_leaves_nothing(
    new_database, monkeypatch
):
    url = new_database("demo_other")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO units (id, name, kind) VALUES (99, '某村', 'village')")
    with pytest.raises(ValidationError, match="已有数据"):
        load_demo(url, scale=0.1, as_of=DAY)
    with monkeypatch.context() as m:
        _fail_on_hazards(m)
        with pytest.raises(RuntimeError, match="simulated"):
            load_demo(url, scale=0.1, as_of=DAY, force=True)
    assert _counts(url) == (1, 0, 0, 0, 0, 0, 0)
    assert _q(url, "SELECT count(*) FROM meta WHERE key = 'dataset'") == 0
    load_demo(url, scale=0.1, as_of=DAY, force=True)
    assert _q(url, "SELECT count(*) FROM units WHERE name = '某村'") == 0


def test_cli_loads_reports_the_rate_and_skips_a_rerun(small_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", small_url)
    runner = CliRunner()
    args = ["demo", "load", "--seed", "7", "--scale", str(SMALL), "--as-of", "2026-11-15"]
    first = runner.invoke(app, [*args, "--force"])
    assert first.exit_code == 0, first.output
    assert "houses/s" in first.output and "SYNTHETIC" in first.output
    again = runner.invoke(app, ["demo", "load"])
    assert again.exit_code == 0 and "已加载" in again.output
    clash = runner.invoke(app, ["demo", "load", "--seed", "4"])
    assert isinstance(clash.exception, ValidationError)
    bad = runner.invoke(app, ["demo", "load", "--as-of", "2026-13-01"])
    assert isinstance(bad.exception, ValidationError)
