"""Full vs incremental refresh of the maintained risk ranking (risk_table.refresh) after one
import-sized change: `n` houses of one unit get one more tenant (then one fewer again, so the
database ends as it began). Prints the seconds of each refresh.

    python -m bench.risk_incremental DATABASE_URL [n]
"""

import sys
import time

from sqlalchemy import text

from geo_service.analytics import risk_table
from geo_service.analytics.risk import load_risk_weights
from geo_service.clock import town_today
from geo_service.db import make_engine
from geo_service.domain.rules import RuleParams

# One unit's first n houses by code (the unit with the most houses): a village's import.
CHANGE = (
    "UPDATE houses SET tenants = tenants + CAST(:d AS integer) WHERE id IN ("
    " SELECT id FROM houses WHERE unit_id = (SELECT unit_id FROM houses GROUP BY unit_id"
    " ORDER BY count(*) DESC LIMIT 1) ORDER BY house_code LIMIT :n)"
)


def main(url: str, n: int = 300) -> None:
    engine = make_engine(url, pool_size=2)
    today, weights, rules = town_today(), load_risk_weights().params(), RuleParams()

    def timed(label: str, **kw) -> None:
        t = time.perf_counter()
        run = risk_table.refresh(engine, rules, weights, today, **kw)
        how = f"incremental, {run.recomputed} houses" if run.incremental else "full"
        print(f"{label}: {time.perf_counter() - t:.2f} s ({how}; {run.houses_scored} scored)")

    try:
        timed("full refresh (forced)", force=True)
        for d in (1, -1):
            with engine.begin() as c:
                c.execute(text(CHANGE), {"d": d, "n": n})
            timed(f"refresh after {n} houses of one unit changed")
        with engine.begin() as c:
            c.execute(text(CHANGE), {"d": 0, "n": n})  # same figures, still a local change
        timed("full refresh of the same change (forced)", force=True)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
