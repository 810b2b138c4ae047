"""kill -9 in the middle of an ingest (a real process, SIGKILL): the next run completes the
same state as an uninterrupted one -- the same chunks, every document ``ok``, the same terms."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from ingest.job import run_ingest

REPO = Path(__file__).resolve().parents[2]


def _state(settings: Settings) -> tuple[set[str], list[tuple[str, str]], int]:
    from assistant.stores.vectors import create_vector_store
    from assistant.stores.warehouse import open_warehouse

    store = create_vector_store(settings, None)  # type: ignore[arg-type]
    ids = set(store.collection.get(include=[])["ids"])
    db = sqlite3.connect(settings.ledger_file)
    try:
        rows = sorted(db.execute("SELECT path, status FROM documents").fetchall())
    finally:
        db.close()
    conn = open_warehouse(settings, read_only=True)
    try:
        terms = conn.execute("SELECT count(*) FROM contract_terms").fetchone()[0]
    finally:
        conn.close()
    return ids, rows, terms


def _ok_rows(ledger: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=0.2)
        try:
            return db.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_kill_9_during_ingest_is_repaired_by_the_next_run(practice: Any, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", environment="test", as_of=practice.as_of)
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            from pathlib import Path
            from assistant.settings import Settings
            from ingest.job import run_ingest
            run_ingest(Settings(data_dir=Path({str(settings.data_dir)!r}), environment="test"),
                       [Path({str(practice.source)!r})])
        """)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while _ok_rows(settings.ledger_file) < 3 and proc.poll() is None:
        assert time.monotonic() < deadline, "the ingest never got going"
        time.sleep(0.05)
    assert proc.poll() is None, "finished before it could be killed; the test needs more documents"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    partial = _state(settings)[0]
    summary = run_ingest(settings, [practice.source], embedder=practice.embedder)
    assert not [r for r in summary.results if r.status == "failed"]
    ids, rows, terms = _state(settings)
    want_ids, want_rows, want_terms = _state(practice.settings)
    assert ids == want_ids and partial < ids
    assert rows == want_rows and all(status == "ok" for _, status in rows)
    assert terms == want_terms
