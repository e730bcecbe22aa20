"""Files of the app's own pages (web_map/static/<page>/), served under /static/<page>/."""

from fastapi.responses import FileResponse

from geo_service.errors import NotFoundError
from web_map.assets import APP_DIR


def page_file(page: str, path: str, headers: dict[str, str] | None = None) -> FileResponse:
    """`web_map/static/<page>/<path>`, never a file outside that directory."""
    root = (APP_DIR / page).resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise NotFoundError(f"文件不存在 no such asset: {path}")
    return FileResponse(target, headers={"Cache-Control": "no-cache", **(headers or {})})
