"""Login attempts per client address in a sliding minute (in memory, per worker process)."""

import time
from collections import defaultdict, deque
from threading import Lock


class RateLimiter:
    """At most `per_minute` attempts per client key in any 60 seconds."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def allow(self, client: str, per_minute: int) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[client]
            while hits and now - hits[0] > 60:
                hits.popleft()
            if len(hits) >= per_minute:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget clients that went quiet
                for key in [k for k, v in self._hits.items() if not v or now - v[-1] > 60]:
                    del self._hits[key]
            return True
