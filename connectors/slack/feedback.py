"""Feedback on answers (👍/👎 in Slack), stored in SQLite under the data directory.

``data_dir/feedback.sqlite``: ``answers`` (answer_id, question, conversation_id, channel,
model, created_at) and ``votes`` (answer_id, user_id, vote ±1, at; one row per user and
answer, the latest click wins). The evaluation report reads these tables.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (answer_id TEXT PRIMARY KEY, question TEXT,
    conversation_id TEXT, channel TEXT, model TEXT, created_at TEXT);
CREATE TABLE IF NOT EXISTS votes (answer_id TEXT NOT NULL, user_id TEXT NOT NULL,
    vote INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (answer_id, user_id));
"""


def feedback_file(data_dir: Path) -> Path:
    """Where feedback lives."""
    return data_dir / "feedback.sqlite"


class FeedbackStore:
    """Answers shown in Slack and the votes people gave them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    @staticmethod
    def _now() -> str:
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def record_answer(self, answer: Any, channel: str | None) -> None:
        """Remember what was answered so votes can be joined to questions."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                (
                    answer.answer_id,
                    answer.question,
                    answer.conversation_id,
                    channel,
                    answer.model,
                    self._now(),
                ),
            )

    def vote(self, answer_id: str, user_id: str, vote: int) -> None:
        """Store one user's vote (+1 or -1); a second click replaces the first."""
        if vote not in (1, -1):
            raise ValueError("vote must be +1 or -1")
        with self._lock:
            self._conn.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT (answer_id, user_id) "
                "DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (answer_id[:64], user_id[:64], vote, self._now()),
            )

    def votes(self) -> list[dict[str, Any]]:
        """Every vote with its question (for the evaluation report)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT v.answer_id, v.user_id, v.vote, v.at, a.question FROM votes v "
                "LEFT JOIN answers a USING (answer_id) ORDER BY v.at"
            ).fetchall()
        return [
            dict(zip(("answer_id", "user_id", "vote", "at", "question"), r, strict=True))
            for r in rows
        ]

    def close(self) -> None:
        """Close the database."""
        self._conn.close()
