"""Monitor benchmark (prints figures; not a test).

    python bench/bench_monitor.py --claims 1000000              # generate, ingest, monitor
    python bench/bench_monitor.py --data-dir /tmp/big_d --as-of 2026-11-27   # reuse

Generates the sample practice with ``parley sample``, ingests it with ``parley ingest``
(``--skip-835`` moves the 835 remittances aside first: the monitor reads claim_lines,
fee_schedule, contract_terms and the chunk store, not the remit_* tables, and loading
hundreds of thousands of 835 files dominates the set-up time), then times ``run_monitor``:
a first run (every finding new) and a second run (nothing new). Target (issue 9): < 30 s
at one million claim lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--sample", type=Path, help="existing sample folder to ingest")
    ap.add_argument("--data-dir", type=Path, help="existing ingested data folder to reuse")
    ap.add_argument("--work", type=Path, help="folder for the sample and the data")
    ap.add_argument("--as-of", default=None, help="as-of date (default: the sample's)")
    ap.add_argument("--skip-835", action="store_true")
    ap.add_argument("--fresh-log", action="store_true",
                    help="drop the discrepancy log first so the first run finds everything")
    args = ap.parse_args()

    from assistant.settings import Settings

    work = args.work or Path(tempfile.mkdtemp(prefix="parley-bench-monitor-"))
    figures: dict[str, object] = {}
    data_dir = args.data_dir
    as_of = args.as_of
    if data_dir is None:
        sample = args.sample
        if sample is None:
            sample = work / "sample"
            figures["generate_s"] = round(_run([sys.executable, "-m", "assistant", "sample",
                                                "--out", str(sample), "--claims",
                                                str(args.claims)]), 1)
        truth = json.loads((sample / "ground_truth.json").read_text(encoding="utf-8"))
        as_of = as_of or truth["reference_date"]
        if args.skip_835 and (sample / "remittances").exists():
            shutil.move(str(sample / "remittances"), str(work / "remittances-skipped"))
        data_dir = work / "data"
        figures["ingest_s"] = round(_run([sys.executable, "-m", "assistant", "--data-dir",
                                          str(data_dir), "--as-of", as_of, "ingest",
                                          str(sample)]), 1)
    day = dt.date.fromisoformat(as_of) if as_of else None
    settings = Settings(data_dir=data_dir, environment="test", as_of=day)

    from assistant.monitor.detect import run_monitor
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=not args.fresh_log)
    try:
        if args.fresh_log:
            for table in ("findings", "finding_events", "monitor_runs"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
        figures["claim_lines"] = conn.execute("SELECT count(*) FROM claim_lines").fetchone()[0]  # type: ignore[index]
    finally:
        conn.close()
    t = time.perf_counter()
    first = run_monitor(settings)
    figures["first_run_s"] = round(time.perf_counter() - t, 2)
    figures["first_run_timings"] = first.timings
    figures["new_findings"] = len(first.new)
    figures["by_kind"] = {k: v for k, v in first.totals.items() if isinstance(v, dict)}
    t = time.perf_counter()
    second = run_monitor(settings)
    figures["second_run_s"] = round(time.perf_counter() - t, 2)
    figures["second_run_new"] = len(second.new)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures["target_s"] = 30
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
