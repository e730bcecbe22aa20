"""An import limited to what one user may change: the hook web uploads give the engine.

The CLI imports as the database owner and has no scope. A web upload (geo_service.uploads)
passes one in `ImportOptions.scope`: it refuses, before anything is written, the rows the user
may not change (each with a reason naming the unit), and runs every write under the user's
database role, so that PostgreSQL's row-level security refuses whatever the checks missed.
"""

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from etl.parse import Parsed


class ImportScope(Protocol):
    # `ctx` is the file's etl.context.Context, which holds this scope (no import: no cycle).
    def check(self, parsed: "Parsed", ctx: Any) -> None:
        """Reject (in `parsed.rejections`) the rows of this sheet the user may not change."""

    def writing(self, cur) -> AbstractContextManager[None]:
        """Run the statements inside under the user's database role."""

    def upsert_sql(self, name: str) -> str | None:
        """The statement writing `<name>` for this user, when not the engine's own upsert."""
