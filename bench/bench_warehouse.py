"""Warehouse benchmark (prints figures; not a test).

    python bench/bench_warehouse.py --claims 1000000            # generate, load, query
    python bench/bench_warehouse.py --dir /tmp/sample1m         # reuse a generated sample
    python bench/bench_warehouse.py --claims 1000000 --from-835 # the 835-first model

Reports: CSV and 835 load time and lines/s, p50/p95 of each analytics call on a
read-only connection, and peak RSS of this process (generation runs in a subprocess).
With ``--from-835`` the claims CSV is not loaded: ``claim_lines`` is derived from the
sample's 835 remittances (``claim_model.derive_remit_lines``, run by the payer registry's
rebuild through ``refresh_expected``), as for a practice that sends only remittances;
the rebuild, ``derive_remit_lines`` and ``refresh_expected`` are timed too.
Every figure comes with the CPU-seconds (user+sys) it took and the load average, so
runs on a shared machine can be compared.
Targets (issue 4 / issue 18): p95 < 200 ms at 1M lines, CSV >= 50k lines/s, peak RSS
< 2 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, help="existing sample folder to reuse")
    ap.add_argument("--work", type=Path, help="folder for the sample and the warehouse")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--skip-835", action="store_true")
    ap.add_argument("--from-835", action="store_true",
                    help="derive claim_lines from the 835s; the claims CSV is not loaded")
    ap.add_argument("--write-repeat", type=int, default=3,
                    help="runs of refresh_expected / derive_remit_lines (write calls)")
    args = ap.parse_args()

    from assistant.settings import Settings
    from assistant.stores.warehouse import open_warehouse
    from ingest.loaders import load_file, load_files

    work = args.work or Path(tempfile.mkdtemp(prefix="parley-bench-"))
    sample = args.dir
    if sample is None:
        sample = work / "sample"
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "assistant",
                "sample",
                "--out",
                str(sample),
                "--claims",
                str(args.claims),
                "--force",
            ],
            check=True,
        )
        print(f"generate {args.claims:,} lines: {time.perf_counter() - t:.1f}s")
    truth = json.loads((sample / "ground_truth.json").read_text())
    as_of = dt.date.fromisoformat(truth["reference_date"])
    settings = Settings(data_dir=work / "wh")  # type: ignore[call-arg]
    if settings.warehouse_file.exists():
        settings.warehouse_file.unlink()
    conn = open_warehouse(settings)

    t = time.perf_counter()
    n_claims = 0
    for path in sorted((sample / "data").glob("*.csv")):
        if args.from_835 and path.name == "claims.csv":
            continue
        t1 = time.perf_counter()
        r = load_file(path, conn, settings)
        if r.table == "claim_lines":
            n_claims = r.rows_loaded
            secs = time.perf_counter() - t1
            print(f"claims.csv: {n_claims:,} lines in {secs:.2f}s = {n_claims / secs:,.0f} lines/s")
    print(f"all CSV: {time.perf_counter() - t:.2f}s")

    if not args.skip_835 or args.from_835:
        files = sorted((sample / "remittances").glob("*.835"))
        t, cpu = time.perf_counter(), _cpu()
        reports = load_files(files, conn, settings)  # as `parley ingest` loads a folder
        secs, cpu = time.perf_counter() - t, _cpu() - cpu
        lines = sum(getattr(r, "rows_loaded", 0) for r in reports)
        failed = sum(isinstance(r, Exception) for r in reports)
        print(
            f"835: {len(files)} files, {lines:,} service lines in {secs:.1f}s = "
            f"{lines / secs:,.0f} lines/s (CPU {cpu:.1f} s = {lines / cpu:,.0f} lines per "
            f"CPU-second; {failed} failed)"
        )
    if args.from_835:
        _time_835_model(conn, args.write_repeat)
        n_claims = conn.execute(  # type: ignore[index]
            "SELECT count(*) FROM claim_lines WHERE origin = '835'").fetchone()[0]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.analytics.conftest import insert_terms

    insert_terms(conn, truth["terms"])
    conn.close()
    print(f"peak RSS after loading: {_rss_mb():.0f} MB")

    from assistant.analytics.counteroffer import (
        CounterofferParams,
        Proposal,
        ProposalItem,
        model_counteroffer,
    )
    from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
    from assistant.analytics.denials import DenialParams, denial_analysis
    from assistant.analytics.mix import MixParams, payer_mix
    from assistant.analytics.rates import RateParams, compare_rates
    from assistant.analytics.timeliness import TimelinessParams, payment_timeliness
    from assistant.analytics.variance import VarianceParams, reimbursement_variance
    from assistant.analytics.walkaway import WalkawayParams, walkaway_impact
    from assistant.periods import resolve_period

    proposal = Proposal(
        items=[
            ProposalItem(kind="pct_increase", value=6, category="em"),
            ProposalItem(kind="pct_of_medicare", value=105, category="imaging"),
        ]
    )
    q = resolve_period("2026Q2", as_of)
    calls: dict[str, Callable[[Any], Any]] = {
        "compare_rates": lambda c: compare_rates(c, RateParams(as_of=as_of)),
        "compare_rates(code)": lambda c: compare_rates(c, RateParams(as_of=as_of, code="99214")),
        "reimbursement_variance": lambda c: reimbursement_variance(c, VarianceParams()),
        "reimbursement_variance(payer,code)": lambda c: reimbursement_variance(
            c, VarianceParams(payer="KHP", code="99214")
        ),
        "denial_analysis": lambda c: denial_analysis(c, DenialParams()),
        "denial_analysis(payer,quarter)": lambda c: denial_analysis(
            c, DenialParams(payer="NWM", period=q)
        ),
        "payment_timeliness": lambda c: payment_timeliness(c, TimelinessParams()),
        "payer_mix": lambda c: payer_mix(c, MixParams()),
        "walkaway_impact": lambda c: walkaway_impact(
            c, WalkawayParams(payer="BSH", as_of=as_of, retention_share=0.3)
        ),
        "model_counteroffer": lambda c: model_counteroffer(
            c, CounterofferParams(payer="KHP", proposal=proposal, as_of=as_of)
        ),
        "contract_deadlines": lambda c: contract_deadlines(c, DeadlineParams(as_of=as_of)),
    }
    ro = open_warehouse(settings, read_only=True)
    print(f"\n{'analytics call':<38}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms':>9}{'rows':>11}")
    slow = []
    for name, fn in calls.items():
        fn(ro)  # warm-up
        times = []
        rows = 0
        cpu = _cpu()
        for _ in range(args.repeat):
            t = time.perf_counter()
            rows = fn(ro).row_count
            times.append((time.perf_counter() - t) * 1000)
        cpu_ms = (_cpu() - cpu) * 1000 / args.repeat
        print(f"{name:<38}{statistics.median(times):>9.1f}{_pct(times, 0.95):>9.1f}"
              f"{cpu_ms:>9.1f}{rows:>11,}")
        if _pct(times, 0.95) > 200:
            slow.append(name)
    if slow:
        print(f"over the 200 ms p95 target: {', '.join(slow)}")
    t = time.perf_counter()
    open_warehouse(settings, read_only=True).close()
    print(f"\nopen read-only connection: {(time.perf_counter() - t) * 1000:.1f} ms")
    print(f"peak RSS: {_rss_mb():.0f} MB   (claim lines: {n_claims:,}); load average "
          f"{os.getloadavg()[0]:.2f} (a shared machine: compare the CPU columns)")


def _time_835_model(conn: Any, repeat: int) -> None:
    """Time the 835-first model's write side: the registry rebuild (links the payments,
    then ``refresh_expected``), and ``derive_remit_lines`` / ``refresh_expected`` alone."""
    from assistant.stores.claim_model import derive_remit_lines
    from assistant.stores.registry import rebuild
    from assistant.stores.warehouse import refresh_expected

    t, cpu = time.perf_counter(), _cpu()
    rebuild(conn)
    print(f"registry rebuild (links payments, derives claim lines, refresh_expected): "
          f"{time.perf_counter() - t:.2f} s (CPU {_cpu() - cpu:.2f} s)")
    for name, fn in (("derive_remit_lines", derive_remit_lines),
                     ("refresh_expected", refresh_expected)):
        times, cpus = [], []
        for _ in range(repeat):
            conn.execute("BEGIN TRANSACTION")
            t, cpu = time.perf_counter(), _cpu()
            fn(conn)
            times.append(time.perf_counter() - t)
            cpus.append(_cpu() - cpu)
            conn.execute("COMMIT")
        print(f"{name}: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
              f"(CPU median {statistics.median(cpus):.2f} s) over {repeat} runs")



if __name__ == "__main__":
    main()
