"""Warehouse benchmark (prints figures; not a test).

    python bench/bench_warehouse.py --claims 1000000            # generate, load, query
    python bench/bench_warehouse.py --dir /tmp/sample1m         # reuse a generated sample

Reports: CSV and 835 load time and lines/s, p50/p95 of each analytics call on a
read-only connection, and peak RSS of this process (generation runs in a subprocess).
Targets (issue 4): p95 < 200 ms at 1M lines, CSV >= 50k lines/s, peak RSS < 2 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, help="existing sample folder to reuse")
    ap.add_argument("--work", type=Path, help="folder for the sample and the warehouse")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--skip-835", action="store_true")
    args = ap.parse_args()

    from assistant.settings import Settings
    from assistant.stores.warehouse import open_warehouse
    from ingest.loaders import load_file

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
        t1 = time.perf_counter()
        r = load_file(path, conn, settings)
        if r.table == "claim_lines":
            n_claims = r.rows_loaded
            secs = time.perf_counter() - t1
            print(f"claims.csv: {n_claims:,} lines in {secs:.2f}s = {n_claims / secs:,.0f} lines/s")
    print(f"all CSV: {time.perf_counter() - t:.2f}s")

    if not args.skip_835:
        files = sorted((sample / "remittances").glob("*.835"))
        t = time.perf_counter()
        lines = sum(load_file(p, conn, settings).rows_loaded for p in files)
        secs = time.perf_counter() - t
        print(
            f"835: {len(files)} files, {lines:,} service lines in {secs:.1f}s = "
            f"{lines / secs:,.0f} lines/s"
        )
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
    print(f"\n{'analytics call':<38}{'p50 ms':>9}{'p95 ms':>9}{'rows':>11}")
    for name, fn in calls.items():
        fn(ro)  # warm-up
        times = []
        rows = 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            rows = fn(ro).row_count
            times.append((time.perf_counter() - t) * 1000)
        print(f"{name:<38}{statistics.median(times):>9.1f}{_pct(times, 0.95):>9.1f}{rows:>11,}")
    t = time.perf_counter()
    open_warehouse(settings, read_only=True).close()
    print(f"\nopen read-only connection: {(time.perf_counter() - t) * 1000:.1f} ms")
    print(f"peak RSS: {_rss_mb():.0f} MB   (claim lines: {n_claims:,})")


if __name__ == "__main__":
    main()
