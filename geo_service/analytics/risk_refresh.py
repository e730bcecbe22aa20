"""The background refresh of the maintained risk ranking (risk_table), one thread per server
process.

It keeps the table answering *today* for the data as they are: every `poll_s` seconds (and at
once when woken, e.g. after an upload job) it asks whether the ranking is stale — written data
(`data_version` moved on), a new day, other weights or rules — and if so refreshes it. Being
driven by that state rather than by events, nothing is lost: imports that overlap a refresh
leave the version ahead of the one it recorded, so the next round refreshes again; imports by
`geo-service import` in another process are seen the same way; and several rounds asking while
one refresh runs are coalesced into the next one. Across server workers the refresh's advisory
lock lets one of them work while the others skip the round.
"""

import logging
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine

from geo_service.analytics import risk_table
from geo_service.domain.rules import RuleParams

log = logging.getLogger(__name__)


class RiskRefresher:
    """Refreshes the ranking in a daemon thread until `stop()`."""

    def __init__(
        self,
        engine: Engine,
        rules: RuleParams,
        weight_params: dict[str, Any],
        today: Callable[[], date],
        poll_s: float = 5.0,
    ) -> None:
        self.engine, self.rules, self.weight_params = engine, rules, weight_params
        self.today, self.poll_s = today, poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="risk-refresh", daemon=True)

    def start(self) -> "RiskRefresher":
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look now rather than at the next poll (the data have just changed)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                run = risk_table.refresh(
                    self.engine, self.rules, self.weight_params, self.today(), wait=False
                )
                if run is not None:
                    log.info(
                        "risk ranking refreshed in %.1f s (data version %s, %s: %s houses)",
                        run.took_ms / 1000,
                        run.data_version,
                        "incremental" if run.incremental else "full",
                        run.recomputed,
                    )
            except Exception:  # the database restarting, a migration under way: next round
                log.warning("risk ranking refresh failed", exc_info=True)
            self._wake.wait(self.poll_s)
