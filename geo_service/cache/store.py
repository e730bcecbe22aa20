"""The database side of the response cache: the data version, lookups and stores.

An entry is valid while the data version it was computed under is the current one; every
transaction that writes a data table bumps the version at its commit (migration 0006), so an
answer never outlives the data it came from, in every worker at once. An entry kept with a
`Footprint` (migration 0021) also stays valid across changes that touched neither its box nor
its units.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, text

_LOOKUP = text("SELECT * FROM cache_get(:key)")
_STORE = text(
    "SELECT cache_put(:key, :version, CAST(:status AS smallint), :media_type, "
    "CAST(:headers AS jsonb), :body, :reads_incidents, CAST(:ms AS real), :max_bytes, "
    "CAST(:bounds AS double precision[]), CAST(:units AS integer[]))"
)
# Concurrent misses of one key wait for the first to fill it instead of computing it again.
_SINGLE_FLIGHT = text("SELECT pg_advisory_xact_lock(hashtext('response_cache'), hashtext(:key))")
_READ_INCIDENTS = text(
    "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) > 0 "
    "FROM pg_stat_xact_user_tables WHERE relid = to_regclass('incidents')"
)


@dataclass(frozen=True)
class Footprint:
    """What an answer reads at most: records inside `bounds` (lon/lat box) and of `unit_ids`.
    Claim one only for an answer computed from those records and global tables alone."""

    bounds: tuple[float, float, float, float] | None = None
    unit_ids: tuple[int, ...] | None = None

    def __bool__(self) -> bool:
        return self.bounds is not None or self.unit_ids is not None


@dataclass(frozen=True)
class Entry:
    """A cached answer."""

    status: int
    media_type: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    reads_incidents: bool = False
    version: int | None = None  # the data version it was computed under


def lookup(conn: Connection, key: str) -> tuple[int, Entry | None]:
    """The current data version, and the entry cached under `key` for it (None: a miss)."""
    row = conn.execute(_LOOKUP, {"key": key}).mappings().one()
    if row["status"] is None:
        return row["version"], None
    return row["version"], Entry(
        status=row["status"],
        media_type=row["media_type"],
        body=bytes(row["body"]),
        headers=dict(row["headers"] or {}),
        reads_incidents=row["reads_incidents"],
        version=row["entry_version"],
    )


def wait_for_other_computations(conn: Connection, key: str) -> None:
    """Hold `key`'s lock for the rest of the transaction (released at commit)."""
    conn.execute(_SINGLE_FLIGHT, {"key": key})


def read_incidents(conn: Connection) -> bool:
    """Whether this transaction has read the incidents table (so a hit must be audited too)."""
    return bool(conn.execute(_READ_INCIDENTS).scalar())


def store(
    conn: Connection,
    key: str,
    version: int,
    entry: Entry,
    compute_ms: float,
    max_bytes: int,
    footprint: Footprint | None = None,
) -> None:
    """Keep `entry` under `key` for data version `version` (and, with a footprint, for the
    later ones that do not touch it); entries no longer valid go."""
    footprint = footprint or Footprint()
    conn.execute(
        _STORE,
        {
            "key": key,
            "version": version,
            "status": entry.status,
            "media_type": entry.media_type,
            "headers": json.dumps(entry.headers),
            "body": entry.body,
            "reads_incidents": entry.reads_incidents,
            "ms": compute_ms,
            "max_bytes": max_bytes,
            "bounds": list(footprint.bounds) if footprint.bounds else None,
            "units": list(footprint.unit_ids) if footprint.unit_ids is not None else None,
        },
    )


def code_fingerprint(*extra_files: Path | None) -> str:
    """A digest of the service's code and SQL and of the rule files (`extra_files`): a new
    release or a changed rules file never meets the answers of the old one."""
    import geo_service
    import layers

    digest = hashlib.sha256()
    roots = [Path(geo_service.__file__).parent, Path(layers.__file__).parent]
    kinds = {".py", ".sql", ".toml"}
    files = sorted(p for root in roots for p in root.rglob("*") if p.suffix in kinds)
    for path in [*files, *(p for p in extra_files if p)]:
        digest.update(str(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:16]
