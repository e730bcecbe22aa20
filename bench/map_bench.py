"""Benchmark (not a test): time to a fully drawn map page in headless Chromium.

    .venv/bin/python bench/map_bench.py                 # the demo town (scale 1: clusters)
    .venv/bin/python bench/map_bench.py --scale 100     # ~300,000 houses: vector tiles

Uses DATABASE_URL's server, or the local cluster (started if needed), and a database named
`map_bench_s<scale>` there holding the demo town (seed 7, as of 2026-11-15), created and loaded
on first use. Serves the app (uvicorn, one worker) on a free loopback port, logs in as a police
user (every layer) and opens `/map` in a fresh browser context per run (cold cache), every
request not to the app blocked. "Fully drawn" is the page's own mark (`QZF.readyAt`, ms after
navigation start): every default layer's data fetched and drawn, every tile of the base map
and of the vector-tile layers loaded. A warm run (the same context, reloaded) follows.
Two views: the whole town (the page fits it) and a street view (zoom 16 in the centre, where
at city scale the houses and hazards come as vector tiles).
"""

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import auth
from geo_service import migrate
from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.db import database_url
from geo_service.demo import load_demo
from geo_service.localdb import ensure_database
from web_map.snapshot import CHROMIUM_ARGS, READY, chromium_path

AS_OF = date(2026, 11, 15)
VIEWS = {"town": "", "street (z16)": "#16/31.7000/120.0700"}
RESOURCES = """() => performance.getEntriesByType('resource').map(e =>
    [e.name.replace(location.origin, ''), Math.round(e.duration), e.transferSize || 0])"""


def bench_database(scale: float) -> str:
    """URL of the benchmark database, created, migrated and loaded with the demo if needed."""
    server = database_url(Settings(), start=True)
    name = f"map_bench_s{scale:g}".replace(".", "_")
    url = ensure_database(server.rsplit("/", 1)[0], name)
    migrate.upgrade(url)
    load_demo(url, seed=7, scale=scale, as_of=AS_OF)  # skipped when already loaded
    return url


class Server:
    """The app under uvicorn in a thread, on a free loopback port."""

    def __init__(self, db_url: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        app = create_app(Settings(database_url=db_url))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def measure(page, url: str) -> dict:
    """Load `url` and wait until the page says it is fully drawn; what it took."""
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=120_000)
    wall = (time.perf_counter() - t0) * 1000
    res = page.evaluate(RESOURCES)
    slowest = max(res, key=lambda r: r[1]) if res else ("-", 0, 0)
    return {
        "ready_ms": page.evaluate("QZF.readyAt"),
        "wall_ms": wall,
        "requests": len(res),
        "kb": sum(r[2] for r in res) / 1024,
        "slowest": f"{slowest[0].split('?')[0]} {slowest[1]} ms",
        "mode": page.evaluate("QZF.cfg.houseMode"),
        "counts": page.evaluate("JSON.stringify(QZF.counts)"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=800)
    args = ap.parse_args()

    db_url = bench_database(args.scale)
    load0 = os.getloadavg()
    print(f"# Map page, demo town at scale {args.scale:g} (as of {AS_OF})")
    print(f"load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    with Server(db_url) as base, sync_playwright() as pw:
        headers = auth.headers_for(base, db_url, "police")
        token = headers.get("Authorization", " ").split(" ", 1)[1]
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name, view in VIEWS.items():
            url = f"{base}/map?as_of={AS_OF}{view}"
            cold, warm = [], None
            for i in range(args.runs + 1):  # the first run warms the server (plans, caches)
                ctx = browser.new_context(viewport={"width": args.width, "height": args.height})
                if token:
                    ctx.add_cookies([{"name": "geo_session", "value": token, "url": base}])
                ctx.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith(base) else r.abort(),
                )
                page = ctx.new_page()
                result = measure(page, url)
                if i > 0:
                    cold.append(result)
                if i == args.runs:
                    warm = measure(page, url)  # the same context again: the browser's cache
                ctx.close()
            report(name, cold, warm)
        browser.close()


def report(view: str, cold: list[dict], warm: dict | None) -> None:
    ready = [r["ready_ms"] for r in cold]
    last = cold[-1]
    print(f"\n## {view} view: houses as {last['mode']}; drawn features {last['counts']}")
    median = statistics.median(ready)
    print(f"cold cache, {len(cold)} runs: fully drawn after median {median:.0f} ms "
          f"(min {min(ready):.0f}, max {max(ready):.0f}); {last['requests']} requests, "
          f"{last['kb']:.0f} KB; slowest request {last['slowest']}")  # fmt: skip
    if warm:
        print(f"warm cache (reload): fully drawn after {warm['ready_ms']:.0f} ms, "
              f"{warm['requests']} requests, {warm['kb']:.0f} KB transferred")  # fmt: skip


if __name__ == "__main__":
    main()
