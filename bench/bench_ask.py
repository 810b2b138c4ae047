"""Offline-engine latency per question (p50/p95) over an ingested sample practice.

Usage: python bench/bench_ask.py [DATA_DIR] [--rounds N]
With no DATA_DIR it generates and ingests a 24,000-line sample practice in a temp dir.
Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "What's Northwind's timely-filing limit?",
    "what notice do we need to terminate Keystone without cause?",
    "Does Blue Summit have a most favored nation clause?",
    "Is Keystone underpaying 99214?",
    "Top denial reasons for Northwind last quarter",
    "Is Blue Summit paying us late?",
    "What's our payer mix?",
    "What if we walk away from Blue Summit?",
    "What would +6% on E/M codes be worth with Blue Summit?",
    "Which contracts renew in the next 120 days?",
    "What does each payer pay for 99213?",
    "What's the weather tomorrow?",
]


def main() -> None:
    """Run the benchmark and print p50/p95 per question and overall."""
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", nargs="?")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from assistant.embeddings import create_embedder
    from assistant.factory import create_assistant
    from assistant.settings import Settings

    as_of = dt.date(2026, 11, 27)
    if args.data_dir:
        settings = Settings(data_dir=Path(args.data_dir), as_of=as_of)
    else:
        from assistant.sample.generate import generate
        from ingest.job import run_ingest

        root = Path(tempfile.mkdtemp(prefix="parley-bench-"))
        generate(root / "sample", n_lines=24000)
        settings = Settings(data_dir=root / "data", as_of=as_of)
        run_ingest(settings, [root / "sample"])
    embedder = create_embedder(settings)
    t0 = time.perf_counter()
    assistant = create_assistant(settings, embedder=embedder)
    assistant.ask("warm-up: What's Keystone's timely filing limit?")
    print(f"start-up incl. model load and first answer: {time.perf_counter() - t0:.2f} s")
    all_ms: list[float] = []
    for q in QUESTIONS:
        ms = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            assistant.ask(q)
            ms.append((time.perf_counter() - t) * 1000)
        all_ms += ms
        print(f"{statistics.median(ms):8.0f} ms  {q}")
    all_ms.sort()
    p95 = all_ms[int(0.95 * (len(all_ms) - 1))]
    print(f"overall: n={len(all_ms)} p50={statistics.median(all_ms):.0f} ms p95={p95:.0f} ms")


if __name__ == "__main__":
    main()
