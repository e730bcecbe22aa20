"""PNG of a map view for the bulletin: the app's own page rendered by headless Chromium.

The browser opens `/map?…&print=1#zoom/lat/lng` on the server's own address with the caller's
credentials, waits until the page says it is fully drawn, and takes a screenshot. Every request
that does not go to the app itself is refused, so a snapshot never reaches the internet.
"""

import shutil
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from geo_service.errors import SetupError, UnavailableError, ValidationError

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The page marks itself fully drawn; a selector (not a JS predicate) works under the CSP.
READY = "html[data-ready='1']"
_one_at_a_time = threading.Semaphore(1)  # each snapshot is a browser: do not stack them up
TIME_LIMIT_S = 30.0  # a whole snapshot, queueing for the browser included


@dataclass(frozen=True)
class Shot:
    """What to render: the page's query string, the view and the image size in CSS pixels."""

    query: str
    view: str | None = None  # zoom/lat/lng
    width: int = 1280
    height: int = 800
    scale: float = 2.0  # device pixels per CSS pixel (print quality)


def chromium_path() -> str:
    """The system Chromium (Debian's `chromium`), or a SetupError saying what to install."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise SetupError("截图需要 Chromium: apt-get install chromium (PNG export needs Chromium)")


def parse_view(value: str | None) -> str | None:
    """`zoom/lat/lng` as the page's hash writes it, checked."""
    if not value:
        return None
    try:
        z, lat, lng = value.split("/")
        if not (0 <= int(z) <= 22 and -90 <= float(lat) <= 90 and -180 <= float(lng) <= 180):
            raise ValueError
    except ValueError:
        raise ValidationError(f"视图无效 invalid view: {value!r} (zoom/lat/lng)") from None
    return value


def render_png(
    base_url: str, shot: Shot, headers: dict[str, str], time_limit_s: float = TIME_LIMIT_S
) -> bytes:
    """Screenshot of `base_url/map?<query>&print=1#<view>` (PNG bytes), finished within
    `time_limit_s` seconds, waiting for another snapshot included (UnavailableError beyond)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SetupError(
            "导出图片需要 playwright：pip install 'qunzufang-gis[png]' "
            "(the PNG export needs the package's png extra)"
        ) from None
    url = f"{base_url}/map?{shot.query}{'&' if shot.query else ''}print=1"
    if shot.view:
        url += f"#{shot.view}"
    deadline = time.monotonic() + time_limit_s

    def left_ms() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _too_slow(time_limit_s)
        return left * 1000

    if not _one_at_a_time.acquire(timeout=time_limit_s):
        raise _too_slow(time_limit_s)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS, timeout=left_ms()
            )
            try:
                return _shoot(browser, base_url, url, shot, headers, left_ms)
            finally:
                browser.close()
    except PlaywrightTimeout:
        raise _too_slow(time_limit_s) from None
    except PlaywrightError as e:  # the page could not be reached or the browser failed
        reason = (str(e).strip() or type(e).__name__).splitlines()[0]
        raise UnavailableError(f"地图截图失败 the snapshot failed: {reason}") from None
    finally:
        _one_at_a_time.release()


def _shoot(browser, base_url: str, url: str, shot: Shot, headers: dict, left_ms) -> bytes:
    context = browser.new_context(
        viewport={"width": shot.width, "height": shot.height},
        device_scale_factor=shot.scale,
        extra_http_headers=headers,
    )
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(base_url + "/") else route.abort()
        ),
    )
    answer = page.goto(url, timeout=left_ms())
    if answer is None or answer.status != 200 or urlsplit(page.url).path != "/map":
        # e.g. sent to the log-in page: nothing will ever be drawn, say so at once
        raise UnavailableError(
            f"地图页面未能打开 the map page did not open ({answer.status if answer else '-'})"
        )
    page.wait_for_selector(READY, state="attached", timeout=left_ms())
    return page.screenshot(type="png", timeout=left_ms())


def _too_slow(limit_s: float) -> UnavailableError:
    return UnavailableError(
        f"地图截图超过 {limit_s:g} 秒未完成，请稍后重试或缩小图片 "
        f"the snapshot took longer than {limit_s:g} s: retry later or ask for a smaller image"
    )
