"""``parley ask`` as a whole process, and offline-engine latency per question (p50/p95),
over an ingested sample practice.

Usage: python bench/bench_ask.py [DATA_DIR] [--rounds N] [--process-runs N] [--only-process]
                                 [--importtime]
With no DATA_DIR it generates and ingests a 24,000-line sample practice in a temp dir.

First the whole process (issue 18: under 2 s; ``parley --help`` under 0.5 s): one untimed
``parley ask`` (it saves the index and records the store version, as the first question
after an ingest does), then ``--process-runs`` timed runs of each command, median and
range, with the load average (the machine should be idle). ``--importtime`` adds the
slowest imports of one ask (``python -X importtime``). Then, in one process, per-question
latency. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
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


def _parley() -> list[str]:
    """The ``parley`` command (this interpreter's console script, else ``-m assistant``)."""
    script = Path(sys.executable).with_name("parley")
    found = str(script) if script.exists() else shutil.which("parley")
    return [found] if found else [sys.executable, "-m", "assistant"]


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[-2:])} failed: {done.stderr.strip()[-300:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _report(label: str, runs: list[tuple[float, float]], target: float) -> None:
    """Median wall time against the target, and the CPU time (on a busy machine the wall
    time waits for the cores; the CPU time is what an idle machine would mostly spend)."""
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    med = statistics.median(walls)
    print(f"{label}: median {med:.2f} s of {len(walls)} (min {min(walls):.2f}, "
          f"max {max(walls):.2f}; target < {target} s: {'met' if med < target else 'NOT met'}); "
          f"CPU median {statistics.median(cpus):.2f} s")
    print("  wall: " + " ".join(f"{t:.2f}" for t in walls) + "   cpu: "
          + " ".join(f"{t:.2f}" for t in cpus))


def whole_process(data_dir: Path, as_of: dt.date, runs: int, importtime: bool) -> None:
    """Time ``parley ask`` and ``parley --help`` as whole processes; print the figures."""
    ask = [*_parley(), "--data-dir", str(data_dir), "--as-of", as_of.isoformat(), "ask",
           QUESTIONS[0]]
    _timed(ask)  # untimed: saves the index and records the store version if not yet done
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    _report(f"parley ask {QUESTIONS[0]!r} (whole process)", [_timed(ask) for _ in range(runs)], 2.0)
    _report("parley --help (whole process)", [_timed([*_parley(), "--help"]) for _ in range(runs)],
            0.5)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if importtime:
        code = "import sys; from assistant.cli import main; sys.exit(main(sys.argv[1:]))"
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *ask[len(_parley()):]],
                              capture_output=True, text=True, check=False)
        rows = []
        for line in done.stderr.splitlines():
            parts = line.split("|")
            if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit():
                rows.append((int(parts[1]), parts[2].rstrip()))
        print("slowest imports of one ask (cumulative ms, nesting as printed):")
        for us, name in sorted(rows, reverse=True)[:15]:
            print(f"{us / 1000:9.0f}  {name}")


def main() -> None:
    """Run the benchmark and print the whole-process times and p50/p95 per question."""
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", nargs="?")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--process-runs", type=int, default=6, help="timed runs per command (0: skip)")
    ap.add_argument("--only-process", action="store_true", help="skip the in-process latencies")
    ap.add_argument("--importtime", action="store_true", help="print one ask's slowest imports")
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
    if args.process_runs > 0:
        whole_process(settings.data_dir, as_of, args.process_runs, args.importtime)
    if args.only_process:
        return
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
