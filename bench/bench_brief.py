"""Benchmark: build the negotiation brief for the sample practice with the offline engine.

Generates and ingests the sample practice (seed 7) into a temp folder unless
``--data-dir`` points at an ingested one, then times ``build_brief`` per payer, charts
included: a cold first build (embedding model loaded, retriever built) and warm builds
that reuse them, as a server or the Slack app would. Prints p50 / p95 per phase.

    python bench/bench_brief.py [--data-dir DIR] [--as-of 2026-11-27] [--runs 6] [--formats md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--formats", default="md")
    ap.add_argument("--lines", type=int, default=3000)
    args = ap.parse_args()

    from assistant.briefs.build import build_brief, parse_formats
    from assistant.embeddings import create_embedder
    from assistant.retrieval import create_retriever
    from assistant.settings import Settings

    tmp = None
    if args.data_dir is None:
        from assistant.sample.generate import generate
        from ingest.job import run_ingest

        tmp = Path(tempfile.mkdtemp(prefix="parley_bench_brief_"))
        generate(tmp / "source", seed=7, n_lines=args.lines)
        truth = json.loads((tmp / "source" / "ground_truth.json").read_text(encoding="utf-8"))
        as_of = dt.date.fromisoformat(args.as_of or truth["reference_date"])
        settings = Settings(data_dir=tmp / "data", as_of=as_of)
        t = time.perf_counter()
        run_ingest(settings, [tmp / "source"])
        print(f"sample practice ingested in {time.perf_counter() - t:.1f} s ({tmp})")
    else:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
        settings = Settings(data_dir=args.data_dir, as_of=as_of)
    formats = parse_formats(args.formats)

    t = time.perf_counter()
    embedder = create_embedder(settings)
    first = build_brief(settings, "BSH", as_of=as_of, formats=formats, embedder=embedder)
    cold = time.perf_counter() - t
    print(f"cold build (model load + retriever + brief): {cold:.2f} s "
          f"phases {first.timings}")

    retriever = create_retriever(settings, embedder=embedder)
    retriever.search("warm up", k=1)
    payers = ["BSH", "KHP", "NWM", "RCC", "HWC", "ESP"]
    totals: list[float] = []
    phases: dict[str, list[float]] = {}
    for i in range(args.runs):
        payer = payers[i % len(payers)]
        t = time.perf_counter()
        brief = build_brief(settings, payer, as_of=as_of, formats=formats, retriever=retriever)
        totals.append(time.perf_counter() - t)
        for k, v in brief.timings.items():
            phases.setdefault(k, []).append(v)
        print(f"  {payer}: {totals[-1]:.2f} s  {brief.timings}")
    print(f"warm builds ({args.runs}, formats {','.join(formats)}): "
          f"p50 {statistics.median(totals):.2f} s  p95 {_percentile(totals, 0.95):.2f} s")
    for k, v in phases.items():
        print(f"  {k:10s} p50 {statistics.median(v):.2f} s  p95 {_percentile(v, 0.95):.2f} s")


if __name__ == "__main__":
    main()
