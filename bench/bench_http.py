"""Benchmark the edges against the real offline assistant: Slack acknowledgement latency under
/v1/ask load, and /v1/ask throughput and latency at 1, 8 and 32 concurrent clients.

Runs the real FastAPI app (real assistant, offline engine) under uvicorn on a loopback port in
this process; only Slack's Web API is faked, by a local server that records calls
(bench/edge_servers.py). With ``--data-dir`` the app serves that ingested practice; without
it the sample practice is generated and ingested into a temp folder first (timed).

    python -m bench.bench_http                       (from the repo root; --claims 2500)
    parley sample --out /tmp/lp && parley --data-dir /tmp/lpd ingest /tmp/lp
    python -m bench.bench_http --data-dir /tmp/lpd --as-of 2026-11-27

Targets: Slack acknowledgement p99 < 300 ms for app_mention events and /parley commands
while /v1/ask load runs; /v1/ask throughput bound by the cores, not by a lock. For each
concurrency the process CPU (psutil; 200 % = both cores) and the time its threads spend
runnable but waiting for a core (Linux schedstat) tell which: near 2 cores busy, or threads
queued for a core, is core-bound; CPU low with no queue while latency grows is lock-bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil

from assistant.settings import Settings
from bench.edge_servers import FakeSlackWebAPI, Server
from connectors.http.app import create_app
from connectors.http.auth import KeyStore

SECRET = "bench-signing-secret"
ACK_TARGET_MS = 300.0
QUESTIONS = [
    "What's Keystone's timely filing limit?",
    "What does Keystone pay for 99214?",
    "Compare rates for 99213 across payers",
    "What is Blue Summit's denial rate?",
    "Which contracts renew in the next 120 days?",
    "How fast does Northwind pay?",
    "What's the termination notice for Riverbend?",
    "Is Evergreen paying 99214 at contract?",
]


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


def signed(body: str, content_type: str) -> dict[str, str]:
    """Headers Slack would send with ``body``."""
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


def mention_body(i: int) -> tuple[str, str]:
    """A signed-ready app_mention event callback."""
    event = {
        "type": "app_mention",
        "user": "U1",
        "channel": "C1",
        "ts": f"{time.time():.6f}",
        "text": f"<@UBOT> {QUESTIONS[i % len(QUESTIONS)]}",
    }
    body = {"type": "event_callback", "team_id": "T1", "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event": event}
    return json.dumps(body), "application/json"


def slash_body(i: int) -> tuple[str, str]:
    """A ``/parley ask …`` slash command."""
    body = urlencode({"team_id": "T1", "channel_id": "C1", "user_id": "U1", "command": "/parley",
                      "text": f"ask {QUESTIONS[i % len(QUESTIONS)]}", "trigger_id": "t"})
    return body, "application/x-www-form-urlencoded"


def bench_acks(client: httpx.Client, n: int, make: Callable[[int], tuple[str, str]]) -> list[float]:
    """Seconds from sending each signed Slack request to its 200 (the answer runs behind it)."""
    times = []
    for i in range(n):
        body, ctype = make(i)
        started = time.perf_counter()
        r = client.post("/slack/events", content=body.encode(), headers=signed(body, ctype))
        times.append(time.perf_counter() - started)
        if r.status_code != 200:
            raise RuntimeError(f"Slack request answered {r.status_code}")
        time.sleep(0.05)
    return times


def ask_worker(url: str, key: str, take: Callable[[], int | None],
               record: Callable[[float, int], None]) -> None:
    """One client: POST /v1/ask for every index ``take()`` hands out, until it says None."""
    with httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {key}"}) as c:
        while (i := take()) is not None:
            started = time.perf_counter()
            r = c.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
            record(time.perf_counter() - started, r.status_code)


class SchedSampler:
    """Sums, over this process's threads, CPU time and time spent runnable but waiting for a
    core (Linux ``/proc/self/task/*/schedstat``). A thread blocked on a lock (the GIL too) is
    in neither: so low CPU with little run-queue wait means a lock, much wait means cores."""

    def __init__(self, every_s: float = 0.2) -> None:
        self.cpu_s = self.wait_s = 0.0
        self._seen: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._every = every_s
        self._sample()
        self.cpu_s = self.wait_s = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        for task in Path("/proc/self/task").iterdir():
            try:
                run_ns, wait_ns, _ = map(int, (task / "schedstat").read_text().split())
            except (OSError, ValueError):
                continue
            old = self._seen.get(task.name, (0, 0))  # a thread born in the window counts from 0
            self.cpu_s += (run_ns - old[0]) / 1e9
            self.wait_s += (wait_ns - old[1]) / 1e9
            self._seen[task.name] = (run_ns, wait_ns)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def stop(self) -> tuple[float, float]:
        """(CPU seconds, run-queue wait seconds) since the start."""
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.cpu_s, self.wait_s


@dataclass
class LoadResult:
    latencies: list[float]
    wall: float
    errors: int
    proc_cpu: float  # this process (server + client threads), % of one core
    host_cpu: float  # the whole machine, % of all cores
    runq_wait: float  # average number of this process's threads runnable but without a core


def bench_ask(url: str, key: str, total: int, concurrency: int) -> LoadResult:
    """``total`` POST /v1/ask requests from ``concurrency`` clients, with CPU measured."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def take() -> int | None:
        with lock:
            return next(counter, None)

    def record(elapsed: float, status: int) -> None:
        with lock:
            latencies.append(elapsed)
            errors[0] += status != 200

    proc = psutil.Process()
    psutil.cpu_percent(None)
    cpu0 = proc.cpu_times()
    sched = SchedSampler()
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(ask_worker, url, key, take, record)
    wall = time.perf_counter() - started
    _, waited = sched.stop()
    cpu1 = proc.cpu_times()
    used = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return LoadResult(latencies, wall, errors[0], 100 * used / wall, psutil.cpu_percent(None),
                      waited / wall)


class BackgroundLoad:
    """``clients`` /v1/ask clients asking in rotation until stopped."""

    def __init__(self, url: str, key: str, clients: int) -> None:
        self.stop_flag = threading.Event()
        self.latencies: list[float] = []
        self.errors = 0
        self._lock = threading.Lock()
        self._next = 0
        self.threads = [
            threading.Thread(target=ask_worker, args=(url, key, self._take, self._record), daemon=True)
            for _ in range(clients)
        ]
        for t in self.threads:
            t.start()

    def _take(self) -> int | None:
        if self.stop_flag.is_set():
            return None
        with self._lock:
            self._next += 1
            return self._next

    def _record(self, elapsed: float, status: int) -> None:
        with self._lock:
            self.latencies.append(elapsed)
            self.errors += status != 200

    def stop(self) -> None:
        self.stop_flag.set()
        for t in self.threads:
            t.join(300)


def prepare_practice(args: argparse.Namespace, scratch: Path) -> tuple[Path, dt.date | None]:
    """The data dir to serve: ``--data-dir``, or the sample practice ingested into ``scratch``."""
    if args.data_dir is not None:
        return args.data_dir, args.as_of
    from assistant.sample.generate import generate
    from ingest.job import run_ingest

    t0 = time.perf_counter()
    generate(scratch / "sample", n_lines=args.claims)
    truth = json.loads((scratch / "sample" / "ground_truth.json").read_text(encoding="utf-8"))
    as_of = args.as_of or dt.date.fromisoformat(truth["reference_date"])
    t1 = time.perf_counter()
    summary = run_ingest(Settings(data_dir=scratch / "data", as_of=as_of), [scratch / "sample"])
    t2 = time.perf_counter()
    failed = summary.count("failed")
    print(f"sample practice ({args.claims} claim lines, default seed): generated in {t1 - t0:.1f} s, "
          f"ingested in {t2 - t1:.1f} s ({failed} files failed) -> {scratch / 'data'}")
    return scratch / "data", as_of


def print_acks(name: str, times: list[float]) -> None:
    p99 = pct(times, 99)
    verdict = "met" if p99 < ACK_TARGET_MS else "MISSED"
    print(f"{name}: n={len(times)} p50={pct(times, 50):.1f} ms p95={pct(times, 95):.1f} ms "
          f"p99={p99:.1f} ms max={max(times) * 1000:.1f} ms (target p99 < {ACK_TARGET_MS:.0f} ms: "
          f"{verdict})")


def bound_by(r: LoadResult, scaling: float, clients: int) -> str:
    """Core-bound when the process keeps ~2 cores busy, or its threads queue for a core (the
    cores shared with other processes); lock-bound when CPU is low and threads do not queue
    for a core while latency grows with the clients (they wait on a lock, the GIL included)."""
    cores = psutil.cpu_count() or 2
    if clients == 1:
        return "baseline"
    if r.proc_cpu >= 80 * cores:
        return "core-bound (the process keeps the cores busy)"
    if r.runq_wait >= 0.5:
        shared = ", shared with other processes" if r.host_cpu >= 85 else ""
        return f"core-bound (threads queue for a core{shared})"
    if scaling < 0.8 * min(clients, cores):
        return "lock-bound (CPU low, threads not queued for a core)"
    return "neither (scales with the clients)"


def main() -> None:
    """Ingest (if needed), start the app, measure Slack acks under load, then /v1/ask levels."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, help="An ingested practice (else the sample is made).")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, help="Reference date (YYYY-MM-DD).")
    ap.add_argument("--claims", type=int, default=2500, help="Sample claim lines when generating.")
    ap.add_argument("--slack-events", type=int, default=100, help="app_mentions; half as many /parley.")
    ap.add_argument("--load-clients", type=int, default=8, help="/v1/ask clients during Slack acks.")
    ap.add_argument("--asks", type=int, default=64, help="/v1/ask requests per level (>= 3 per client).")
    ap.add_argument("--levels", default="1,8,32", help="Concurrent /v1/ask clients to measure.")
    args = ap.parse_args()

    print(f"host: {psutil.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    scratch = Path(tempfile.mkdtemp(prefix="parley-bench-http-"))
    data_dir, as_of = prepare_practice(args, scratch)
    slack = FakeSlackWebAPI()
    settings = Settings(
        data_dir=data_dir, as_of=as_of, environment="test", api_keys_file=scratch / "keys.json",
        slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=slack.base_url,
    )
    key = KeyStore(scratch / "keys.json").add("bench", "reader")
    built = time.perf_counter()
    server = Server(create_app(settings), start_timeout_s=600)  # the real assistant, built at start
    print(f"engine: real offline assistant over {data_dir}; server ready in "
          f"{time.perf_counter() - built:.1f} s")

    with httpx.Client(base_url=server.url, timeout=300) as client:
        warm = client.post("/v1/ask", json={"question": QUESTIONS[0]},
                           headers={"Authorization": f"Bearer {key}"})
        if warm.status_code != 200:
            raise RuntimeError(f"warm-up ask answered {warm.status_code}")
        load = BackgroundLoad(server.url, key, args.load_clients)
        acks = bench_acks(client, args.slack_events, mention_body)
        slash = bench_acks(client, args.slack_events // 2, slash_body)
        load.stop()
    print(f"Slack acknowledgements while {args.load_clients} /v1/ask clients ran "
          f"({len(load.latencies)} asks, errors={load.errors}, "
          f"ask p50={pct(load.latencies, 50):.0f} ms):")
    print_acks("  app_mention event ack", acks)
    print_acks("  /parley slash command ack", slash)
    waited = time.perf_counter()
    expected = len(acks) + len(slash)
    slack.wait_for(lambda: slack.finished_answers() >= expected, timeout=1800)
    print(f"  all {expected} Slack answers landed {time.perf_counter() - waited:.1f} s after the acks")

    results: dict[int, LoadResult] = {}
    for clients in [int(c) for c in args.levels.split(",")]:
        r = bench_ask(server.url, key, max(args.asks, 3 * clients), clients)
        results[clients] = r
        rps = len(r.latencies) / r.wall
        base = results.get(1)
        scaling = rps / (len(base.latencies) / base.wall) if base else 1.0
        print(f"/v1/ask {clients:>2} clients: {len(r.latencies)} requests in {r.wall:.1f} s -> "
              f"{rps:.2f} req/s (x{scaling:.2f} of 1 client); p50={pct(r.latencies, 50):.0f} ms "
              f"p95={pct(r.latencies, 95):.0f} ms mean={statistics.mean(r.latencies) * 1000:.0f} ms; "
              f"errors={r.errors}\n    process CPU {r.proc_cpu:.0f} % (200 % = 2 cores), "
              f"{r.proc_cpu / 100 * r.wall / len(r.latencies) * 1000:.0f} ms CPU/request, "
              f"threads waiting for a core {r.runq_wait:.2f} on average, machine CPU "
              f"{r.host_cpu:.0f} % -> {bound_by(r, scaling, clients)}")
    server.stop()
    slack.close()
    shutil.rmtree(scratch, ignore_errors=True)  # keys, and the sample practice if generated
    print(f"host load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
