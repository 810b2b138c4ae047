"""The SQLite ledger of ingested documents.

One row per source path: the content hash and chunk ids of the last *good* version,
plus the status and error of the last attempt. A row is written only after the
document's chunks are in the store, so a run killed at any point is repaired by the
next one.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    content_hash TEXT,          -- hash of the last good version (NULL if never good)
    status TEXT NOT NULL,       -- ok | failed | skipped (e.g. symlink out of the source)
    error TEXT,                 -- one-line reason of the last failure
    chunk_ids TEXT NOT NULL DEFAULT '[]',
    pages INTEGER,
    title TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    ingested_at TEXT,           -- when the good version was stored
    attempted_at TEXT
)
"""


@dataclass
class LedgerRow:
    """One ledger entry."""

    path: str
    doc_id: str
    content_hash: str | None
    status: str
    error: str | None = None
    chunk_ids: list[str] = field(default_factory=list)
    pages: int | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    ingested_at: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """Read and write ledger rows."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path))
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(_SCHEMA)
        self.conn.commit()

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

    def get(self, path: str) -> LedgerRow | None:
        """The row of a source path."""
        cur = self.conn.execute(
            "SELECT path, doc_id, content_hash, status, error, chunk_ids, pages, title, "
            "warnings, ingested_at FROM documents WHERE path = ?",
            (path,),
        )
        r = cur.fetchone()
        if r is None:
            return None
        return LedgerRow(
            r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], json.loads(r[8]), r[9]
        )

    def all(self) -> list[LedgerRow]:
        """Every row."""
        paths = [r[0] for r in self.conn.execute("SELECT path FROM documents ORDER BY path")]
        return [row for p in paths if (row := self.get(p)) is not None]

    def record_ok(self, row: LedgerRow) -> None:
        """Store a good version (after its chunks are in the store)."""
        now = _now()
        self.conn.execute(
            "INSERT OR REPLACE INTO documents (path, doc_id, content_hash, status, error, "
            "chunk_ids, pages, title, warnings, ingested_at, attempted_at) "
            "VALUES (?, ?, ?, 'ok', NULL, ?, ?, ?, ?, ?, ?)",
            (
                row.path,
                row.doc_id,
                row.content_hash,
                json.dumps(row.chunk_ids),
                row.pages,
                row.title,
                json.dumps(row.warnings),
                now,
                now,
            ),
        )
        self.conn.commit()

    def record_failure(self, path: str, doc_id: str, error: str, status: str = "failed") -> None:
        """Record a failed (or refused) attempt, keeping the last good version's hash and chunks."""
        now = _now()
        updated = self.conn.execute(
            "UPDATE documents SET status=?, error=?, attempted_at=? WHERE path=?",
            (status, error, now, path),
        ).rowcount
        if not updated:
            self.conn.execute(
                "INSERT INTO documents (path, doc_id, content_hash, status, error, attempted_at)"
                " VALUES (?, ?, NULL, ?, ?, ?)",
                (path, doc_id, status, error, now),
            )
        self.conn.commit()

    def delete(self, path: str) -> None:
        """Forget a source path."""
        self.conn.execute("DELETE FROM documents WHERE path = ?", (path,))
        self.conn.commit()
