"""The Monday-morning mix for locust (run by bench/load.py, not by hand).

Map users pan over tiles and query features; leaders open the dashboard's analytics; village
staff look at their own unit. Imports by several villages at once run beside this, as real
`geo-service import` processes started by bench/load.py.

Settings come from the environment bench/load.py sets: BENCH_TILES (z/x/y list),
BENCH_BOXES (bbox list), BENCH_UNITS (unit names), BENCH_TOKEN_<ROLE> (bearer tokens).
"""

import json
import os
import random

from locust import HttpUser, between, task

AS_OF = os.environ.get("BENCH_AS_OF", "2026-11-15")
TILES = json.loads(os.environ.get("BENCH_TILES", "[]"))
BOXES = json.loads(os.environ.get("BENCH_BOXES", "[]"))
UNITS = json.loads(os.environ.get("BENCH_UNITS", "[]"))
PLAIN = {"Accept-Encoding": "identity"}


def _headers(role: str) -> dict[str, str]:
    token = os.environ.get(f"BENCH_TOKEN_{role.upper()}")
    return {**PLAIN, **({"Authorization": f"Bearer {token}"} if token else {})}


class MapUser(HttpUser):
    """A supervisor on the map: tiles of houses and hazards, a feature query now and then."""

    weight = 6
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.client.headers.update(_headers("supervisor"))

    @task(10)
    def tile(self) -> None:
        z, x, y = random.choice(TILES)
        layer = random.choice(("houses", "hazards"))
        query = f"?as_of={AS_OF}" if layer == "hazards" else ""
        self.client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf{query}", name=f"/tiles/{layer}/z{z}")

    @task(2)
    def features(self) -> None:
        box = ",".join(f"{v:.6f}" for v in random.choice(BOXES))
        self.client.get(
            f"/ogc/collections/houses/items?bbox={box}&limit=500", name="/ogc/…/houses/items"
        )


class LeaderUser(HttpUser):
    """A leader on the dashboard: the town's 附件2 table, scores per unit, density per unit."""

    weight = 2
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.client.headers.update(_headers("leader"))

    @task(2)
    def table(self) -> None:
        self.client.get(f"/analytics/table?as_of={AS_OF}", name="/analytics/table")

    @task(2)
    def scores(self) -> None:
        self.client.get(f"/analytics/scores?as_of={AS_OF}&records=false", name="/analytics/scores")

    @task(1)
    def density(self) -> None:
        self.client.get(f"/analytics/density/units?as_of={AS_OF}", name="/analytics/density/units")


class VillageUser(HttpUser):
    """Village staff: their unit's overdue hazards and houses (as a supervisor sees them)."""

    weight = 2
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.client.headers.update(_headers("supervisor"))
        self.unit = random.choice(UNITS) if UNITS else None

    @task(2)
    def overdue(self) -> None:
        unit = f"&unit={self.unit}" if self.unit else ""
        self.client.get(f"/analytics/overdue?as_of={AS_OF}{unit}", name="/analytics/overdue?unit")

    @task(1)
    def due_soon(self) -> None:
        unit = f"&unit={self.unit}" if self.unit else ""
        self.client.get(
            f"/analytics/overdue?as_of={AS_OF}&due_within=7{unit}", name="/analytics/overdue?due"
        )
