"""Questions answered while an ingest runs (11), with real processes: one process ingests
many notes (parse, embed, store) while this one keeps reading the warehouse and asking the
contract-terms query. Every read must succeed, from the last committed state."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from assistant.stores.warehouse import open_warehouse

REPO = Path(__file__).resolve().parents[2]
NOTE = (
    "# Call with {payer} about claim follow-ups, week {i}\n\n"
    "We went over the open appeals and the timely filing questions raised by the billing "
    "team. {payer} agreed to send the revised fee schedule and to look again at the 99214 "
    "and 99215 rates before the renewal meeting. Action items: send the quality scorecard, "
    "confirm the contact for provider disputes, schedule the next call in two weeks.\n\n"
) * 3


NOTES = 150  # enough for >= 20 reads inside the documents phase, at a third of 400's time


@pytest.mark.slow
def test_reads_succeed_while_another_process_ingests(practice: Any, tmp_path: Path) -> None:
    from tests.connectors.conftest import practice_copy

    settings: Settings = practice_copy(practice, tmp_path)
    src = tmp_path / "notes"
    src.mkdir()
    for i in range(NOTES):
        (src / f"note-{i:04d}.md").write_text(NOTE.format(payer="Keystone", i=i))
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            from pathlib import Path
            from assistant.settings import Settings
            from ingest.job import run_ingest
            import time
            s = Settings(data_dir=Path({str(settings.data_dir)!r}), environment="test")
            def seen(result):
                print("DOC", time.time(), flush=True)
            summary = run_ingest(s, [Path({str(src)!r})], on_result=seen)
            print("DONE", summary.count("ingested"))
        """)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    ok, failed, during = 0, [], 0
    ok_at: list[float] = []
    try:
        while proc.poll() is None:
            try:
                conn = open_warehouse(settings, read_only=True)
                try:
                    payers = conn.execute("SELECT count(*) FROM payers").fetchone()[0]
                    terms = conn.execute("SELECT count(*) FROM contract_terms").fetchone()[0]
                finally:
                    conn.close()
                assert payers == len(practice.truth["payers"]) and terms > 0
                ok += 1
                during += 1
                ok_at.append(time.time())
            except Exception as exc:  # noqa: BLE001 (counted and reported)
                failed.append((time.time(), type(exc).__name__ + ": " + str(exc)[:80]))
            time.sleep(0.1)
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert f"DONE {NOTES}" in out, err[-2000:]
    stamps = [float(line.split()[1]) for line in out.splitlines() if line.startswith("DOC ")]
    first, last = min(stamps), max(stamps)
    # The documents phase (parse, embed, store the notes, one short write each): every read
    # succeeds. The run-level payer-registry rebuild after it (ingest.warehouse_io
    # .rebuild_registry) still holds the file for its duration; counted, not asserted.
    in_docs = [f for f in failed if first <= f[0] <= last]
    assert not in_docs, (len(in_docs), ok, [(round(t - first, 2), round(last - t, 2), why)
                                            for t, why in in_docs[:3]], len(stamps))
    assert during >= 20 and sum(first <= t <= last for t in ok_at) >= 20, during
