"""The discrepancy log: findings and their status history, kept in the warehouse.

Tables (created here with ``CREATE TABLE IF NOT EXISTS``, so the warehouse schema module
stays untouched): ``findings`` (one row per finding id), ``finding_events`` (who changed a
status, when, from what, to what, why) and ``monitor_runs`` (one row per monitor run).

Rules: upserting a finding that already exists keeps its status and first-seen date; an
open finding's figures and evidence are refreshed; a closed one (recovered, written off)
is never touched again, so a re-run cannot reopen it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import duckdb

from assistant.errors import InputError, NotFoundError
from assistant.monitor.findings import (
    CLOSED_STATUSES,
    KINDS,
    STATUSES,
    Evidence,
    Finding,
    FindingEvent,
)
from assistant.settings import Settings

LOG_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS findings (
        finding_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, payer_id VARCHAR,
        title VARCHAR NOT NULL, amount DECIMAL(14,2), details JSON, evidence JSON,
        first_seen DATE, last_seen DATE, status VARCHAR NOT NULL,
        updated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS finding_events (
        finding_id VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL, changed_by VARCHAR NOT NULL,
        from_status VARCHAR, to_status VARCHAR NOT NULL, note VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS monitor_runs (
        ran_at TIMESTAMP NOT NULL, as_of DATE NOT NULL, new_findings INTEGER,
        updated_findings INTEGER, open_findings INTEGER, seconds DOUBLE)""",
)

_COLS = ("finding_id, kind, payer_id, title, amount, details, evidence, first_seen, "
         "last_seen, status, updated_at")


def ensure_log_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the discrepancy-log tables if missing (idempotent)."""
    for ddl in LOG_DDL:
        conn.execute(ddl)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _row_to_finding(r: tuple[Any, ...]) -> Finding:
    (fid, kind, payer, title, amount, details, evidence, first, last, status, upd) = r
    return Finding(
        finding_id=fid, kind=kind, payer_id=payer, title=title,
        amount=float(amount) if amount is not None else None,
        details=json.loads(details) if details else {},
        evidence=Evidence.model_validate_json(evidence) if evidence else Evidence(),
        first_seen=first, last_seen=last, status=status, updated_at=upd)


def upsert_findings(conn: duckdb.DuckDBPyConnection, found: Iterable[Finding],
                    as_of: dt.date) -> tuple[list[Finding], list[Finding]]:
    """Record this run's findings. Returns (new, updated): new ids are inserted with
    status ``new``; open ones are refreshed (amount, details, evidence, last seen) and
    counted as updated when the amount changed; closed ones are left exactly as they are."""
    ensure_log_schema(conn)
    new: list[Finding] = []
    updated: list[Finding] = []
    now = _now()
    conn.execute("BEGIN TRANSACTION")
    try:
        for f in found:
            old = conn.execute("SELECT status, amount, first_seen FROM findings "
                               "WHERE finding_id = ?", [f.finding_id]).fetchone()
            details = json.dumps(f.details, default=str)
            evidence = f.evidence.model_dump_json()
            if old is None:
                f = f.model_copy(update={"first_seen": as_of, "last_seen": as_of,
                                         "status": "new", "updated_at": now})
                conn.execute(f"INSERT INTO findings ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             [f.finding_id, f.kind, f.payer_id, f.title, f.amount, details,
                              evidence, as_of, as_of, "new", now])
                conn.execute("INSERT INTO finding_events VALUES (?, ?, ?, ?, ?, ?)",
                             [f.finding_id, now, "monitor", None, "new", None])
                new.append(f)
                continue
            status, amount, first = old
            if status in CLOSED_STATUSES:
                continue
            conn.execute("""UPDATE findings SET title = ?, amount = ?, details = ?,
                            evidence = ?, last_seen = ? WHERE finding_id = ?""",
                         [f.title, f.amount, details, evidence, as_of, f.finding_id])
            before = float(amount) if amount is not None else None
            if (before is None) != (f.amount is None) or (
                    before is not None and f.amount is not None
                    and abs(before - f.amount) >= 0.005):
                updated.append(f.model_copy(update={"status": status, "first_seen": first,
                                                    "last_seen": as_of}))
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return new, updated


def record_run(conn: duckdb.DuckDBPyConnection, as_of: dt.date, new: int, updated: int,
               seconds: float) -> int:
    """Write one monitor_runs row; returns the number of open findings."""
    ensure_log_schema(conn)
    open_n = int(conn.execute(  # type: ignore[index]
        "SELECT count(*) FROM findings WHERE status IN ('new','acknowledged','disputed')"
    ).fetchone()[0])
    conn.execute("INSERT INTO monitor_runs VALUES (?, ?, ?, ?, ?, ?)",
                 [_now(), as_of, new, updated, open_n, seconds])
    return open_n


def query_findings(conn: duckdb.DuckDBPyConnection, status: Iterable[str] | None = None,
                   payer_id: str | None = None, kind: str | None = None,
                   finding_ids: Iterable[str] | None = None) -> list[Finding]:
    """Findings matching the filters, largest amount first."""
    if not _has_log(conn):
        return []
    statuses = list(status) if status else None
    for s in statuses or []:
        if s not in STATUSES:
            raise InputError(f"Unknown status '{s}'; use one of: {', '.join(STATUSES)}.")
    if kind is not None and kind not in KINDS:
        raise InputError(f"Unknown finding kind '{kind}'; use one of: {', '.join(KINDS)}.")
    ids = list(finding_ids) if finding_ids is not None else None
    sql = f"""SELECT {_COLS} FROM findings
              WHERE (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], status))
                AND (?::VARCHAR IS NULL OR payer_id = ?)
                AND (?::VARCHAR IS NULL OR kind = ?)
                AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], finding_id))
              ORDER BY amount DESC NULLS LAST, first_seen, finding_id"""
    got = conn.execute(sql, [statuses, statuses, payer_id, payer_id, kind, kind, ids, ids])
    return [_row_to_finding(r) for r in got.fetchall()]


def _has_log(conn: duckdb.DuckDBPyConnection) -> bool:
    return bool(conn.execute(  # type: ignore[index]
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'findings'"
    ).fetchone()[0])


def list_findings(settings: Settings, status: Iterable[str] | None = None,
                  payer_id: str | None = None, kind: str | None = None,
                  finding_ids: Iterable[str] | None = None) -> list[Finding]:
    """The discrepancy log (read-only connection), optionally filtered."""
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=True)
    try:
        return query_findings(conn, status, payer_id, kind, finding_ids)
    finally:
        conn.close()


def get_finding(settings: Settings, finding_id: str) -> Finding:
    """One finding by id, or NotFoundError."""
    got = list_findings(settings, finding_ids=[finding_id])
    if not got:
        raise NotFoundError(f"No finding with id '{finding_id}'.")
    return got[0]


def finding_history(settings: Settings, finding_id: str) -> list[FindingEvent]:
    """Status history of one finding, oldest first."""
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=True)
    try:
        if not _has_log(conn):
            return []
        got = conn.execute("""SELECT finding_id, changed_at, changed_by, from_status,
                                     to_status, note FROM finding_events
                              WHERE finding_id = ? ORDER BY changed_at""",
                           [finding_id]).fetchall()
    finally:
        conn.close()
    return [FindingEvent(finding_id=r[0], at=r[1], user=r[2], from_status=r[3], to_status=r[4],
                         note=r[5]) for r in got]


def set_status(settings: Settings, finding_id: str, status: str, user: str,
               note: str | None = None) -> Finding:
    """Change a finding's status and record who did it, when and why. Any status may be
    set by a person (a closed finding can be reopened by hand, never by the monitor)."""
    from assistant.stores.warehouse import open_warehouse

    if status not in STATUSES:
        raise InputError(f"Unknown status '{status}'; use one of: {', '.join(STATUSES)}.")
    if not user or not user.strip():
        raise InputError("A status change needs the user who makes it.")
    conn = open_warehouse(settings)
    try:
        ensure_log_schema(conn)
        got = query_findings(conn, finding_ids=[finding_id])
        if not got:
            raise NotFoundError(f"No finding with id '{finding_id}'.")
        old = got[0].status
        now = _now()
        conn.execute("BEGIN TRANSACTION")
        conn.execute("UPDATE findings SET status = ?, updated_at = ? WHERE finding_id = ?",
                     [status, now, finding_id])
        conn.execute("INSERT INTO finding_events VALUES (?, ?, ?, ?, ?, ?)",
                     [finding_id, now, user.strip(), old, status, note])
        conn.execute("COMMIT")
        return got[0].model_copy(update={"status": status, "updated_at": now})
    finally:
        conn.close()
