"""Persistent de-duplication of Slack deliveries (retries carry the same event id)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

KEEP_S = 7 * 24 * 3600


class Dedupe:
    """Remembers keys (event ids, channel+ts) in SQLite so a restart does not forget them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at REAL NOT NULL)"
        )
        self._lock = threading.Lock()
        self._conn.execute("DELETE FROM seen WHERE at < ?", (time.time() - KEEP_S,))

    def first_time(self, key: str) -> bool:
        """Record ``key``; True only the first time it is seen (atomic)."""
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)", (key, time.time())
            )
            return cur.rowcount == 1

    def close(self) -> None:
        """Close the database."""
        self._conn.close()
