"""The geocoder at city scale: it reads only the standard addresses a file needs, through
indexes, and places every address exactly as the whole-layer snapshot does.

A city has over a million door plates; reading them all made a 300-row village import take
seconds of CPU and ~800 MB per process. The plans below fail if the SQL's key expression
drifts from the index's (the index would silently stop being used).
"""

import geocode_corpus as gc
import pandas as pd
import psycopg2
import pytest

from etl.address import AddressNormalizer
from etl.config import load_town_config
from etl.context import Context, FileResult, ImportOptions
from etl.geocode_reference import DbReference, numbers_key, sql
from etl.geocoder import Geocoder


@pytest.fixture(scope="module")
def demo(demo_url):
    conn = psycopg2.connect(demo_url)
    conn.set_session(readonly=True)
    with conn.cursor() as cur:
        addresses, roads, units = gc.demo_reference_rows(cur)
    yield conn, addresses, roads, units
    conn.close()


def test_numbers_key():
    assert numbers_key("戴溪社区人民路12号3幢201室") == "12 3 201"
    assert numbers_key("12号") == numbers_key("号12号") == "12"
    assert numbers_key("戴溪社区人民路") == ""


def test_on_demand_reading_places_like_the_whole_layer(demo):
    """2,000 corrupted demo addresses, with and without 所属单位: identical matches."""
    conn, addresses, roads, units = demo
    threshold = load_town_config().min_confidence
    normalizer = AddressNormalizer(load_town_config(), units)
    snapshot = Geocoder.from_db(conn, normalizer, threshold)
    on_demand = Geocoder.on_connection(conn, normalizer, threshold)
    samples = gc.build(addresses, list(units), roads, 2000, seed=3)
    written = samples["written"].tolist()
    for unit_ids in (samples["unit"].map(units).tolist(), [None] * len(samples)):
        expected = snapshot.geocode(written, unit_ids)
        pd.testing.assert_frame_equal(on_demand.geocode(written, unit_ids), expected)
        # the sample exercises every path: exact, fuzzy blocks, and the flagged fallback
        assert {"exact", "fuzzy"} <= set(expected["method"])
        assert expected["needs_review"].any()
    conn.rollback()


def test_import_context_reads_on_demand(demo):
    conn = demo[0]
    ctx = Context(conn, "x.csv", ImportOptions(), FileResult(path=None))  # type: ignore[arg-type]
    assert isinstance(ctx.geocoder.reference, DbReference)
    conn.rollback()


def _plan(conn, statement: str, params: dict) -> str:
    with conn.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # the demo town is small: ask for the index
        cur.execute("EXPLAIN " + statement, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    conn.rollback()
    return plan


def test_geocoder_queries_use_the_indexes(demo):
    conn = demo[0]
    exact = _plan(conn, sql("geocode_exact.sql"), {"texts": ["戴溪社区人民路3号"]})
    assert "uq_addresses_normalized" in exact, exact
    params = {"numbers": ["3", "12 3"], "units": [1, None]}
    candidates = _plan(conn, sql("geocode_candidates.sql"), params)
    assert "ix_addresses_numbers" in candidates, candidates
