"""What one file's import carries along: options, the open transaction, lookups, results."""

import getpass
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from etl.address import AddressNormalizer
from etl.config import TownConfig, town_config
from etl.effective import check_effective
from etl.geocoder import Geocoder
from etl.rejections import Rejection
from etl.scope import ImportScope
from etl.skipped import SkippedRow, summary_lines
from geo_service.clock import town_today
from geo_service.config import Settings
from geo_service.crs import CoordSystem
from geo_service.domain.rules import RuleParams, load_rule_params


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still say who, as best we can
        return "unknown"


@dataclass
class ImportOptions:
    """How to import: `strict` refuses a whole file with any bad row (the default)."""

    strict: bool = True
    actor: str = field(default_factory=default_actor)
    crs: CoordSystem | None = None  # the file's coordinate system when rows do not say
    layer: str | None = None  # vector layer kind when the file name does not say
    today: date | None = None  # "future" is judged against this (tests pin it)
    effective: date | None = None  # the 台账日期: the day its house figures took effect; today
    min_confidence: float | None = None
    town: TownConfig | None = None
    rules: RuleParams | None = None
    rules_path: Path | None = None
    scope: ImportScope | None = None  # a web upload's limits (etl.scope); the CLI has none


@dataclass
class SheetResult:
    """Counts for one sheet or layer."""

    name: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # layers that are whole sets (key areas, schools, roads)
    rejected: int = 0
    skipped: int = 0  # rows that are not records: empty, totals, footers, repeated headers


@dataclass
class FileResult:
    path: Path
    sheets: list[SheetResult] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    geocoded: Counter = field(default_factory=Counter)
    rolled_back: bool = False
    error: str | None = None  # the database refused the file (all of it rolled back)
    effective: date | None = None  # the 台账日期 the file was imported as of

    @property
    def rejected_rows(self) -> int:
        return sum(s.rejected for s in self.sheets)

    def to_dict(self) -> dict[str, object]:
        """The result as JSON-ready data (for `geo-service import --json` and programs)."""
        return {
            "file": self.path.name,
            "imported": not self.rolled_back and self.error is None,
            "rolled_back": self.rolled_back,
            "error": self.error,
            "effective": self.effective.isoformat() if self.effective else None,
            "sheets": [asdict(s) for s in self.sheets],
            "rejected_rows": self.rejected_rows,
            "rejections": [asdict(r) for r in self.rejections],
            "skipped": summary_lines(self.skipped),
            "skipped_rows": [s.to_dict() for s in self.skipped],
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "geocoded": dict(self.geocoded),
        }


class Context:
    """The state shared by the sheets of one file, inside its single transaction."""

    def __init__(self, conn, source: str, options: ImportOptions, result: FileResult) -> None:
        self.conn = conn
        self.source = source
        self.options = options
        self.result = result
        self.town = options.town or town_config(Settings())
        self.rules = options.rules or load_rule_params(options.rules_path)
        self.today = options.today or town_today()
        self.effective = check_effective(options.effective or self.today, self.today)
        self.min_confidence = (
            options.min_confidence
            if options.min_confidence is not None
            else self.town.min_confidence
        )
        self._units: dict[str, tuple[int, str]] | None = None
        self._normalizer: AddressNormalizer | None = None
        self._geocoder: Geocoder | None = None

    @property
    def units(self) -> dict[str, tuple[int, str]]:
        """Unit name → (id, kind), as the transaction sees it now."""
        if self._units is None:
            with self.conn.cursor() as cur:
                cur.execute("SELECT name, id, kind FROM units")
                self._units = {name: (uid, kind) for name, uid, kind in cur.fetchall()}
        return self._units

    @property
    def normalizer(self) -> AddressNormalizer:
        if self._normalizer is None:
            villages = [n for n, (_, kind) in self.units.items() if kind != "department"]
            self._normalizer = AddressNormalizer(self.town, villages)
        return self._normalizer

    @property
    def geocoder(self) -> Geocoder:
        if self._geocoder is None:
            # Reads only the standard addresses each sheet needs, inside this transaction.
            self._geocoder = Geocoder.on_connection(self.conn, self.normalizer, self.min_confidence)
        return self._geocoder

    def invalidate(self) -> None:
        """Units or standard addresses changed: lookups are rebuilt on next use."""
        self._units = None
        self._normalizer = None
        self._geocoder = None
