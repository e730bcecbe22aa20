"""What every command needs: settings, the database URL, a console.

Light on purpose: every command module imports it, and `--help` must not pay for SQLAlchemy
or pydantic (imported by the functions that need them).
"""

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from geo_service.config import Settings

console = Console(stderr=True, soft_wrap=True)


def settings() -> "Settings":
    from geo_service.config import Settings

    return Settings()


def engine(start_local: bool = False, check_rules: bool = True) -> "Engine":
    """An engine on the configured database, checked reachable with PostGIS enabled and, unless
    told otherwise, applying the configured rules file (no answers by rules not in force)."""
    from geo_service import rulebook
    from geo_service.db import check_reachable, database_url, make_engine

    s = settings()
    url = database_url(s, start=start_local)
    check_reachable(url)
    eng = make_engine(url, pool_size=4, echo=s.sql_echo)
    if check_rules:
        with eng.connect() as conn:
            rulebook.ensure_in_force(conn, s.rules)
    return eng


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
