"""Benchmark the edges: Slack acknowledgement latency and /v1/ask under 8 concurrent clients.

Runs the real FastAPI app under uvicorn on a loopback port, with Slack's Web API faked
locally. With ``--data-dir`` (an ingested sample practice) the assistant is the real
offline engine; without it, a canned fake assistant (measures the edge alone).

    parley sample --out /tmp/lp && parley --data-dir /tmp/lpd ingest /tmp/lp
    python -m bench.bench_http --data-dir /tmp/lpd      (from the repo root)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from assistant.settings import Settings
from connectors.http.app import create_app
from connectors.http.auth import KeyStore
from tests.connectors.conftest import Server
from tests.connectors.fakes import FakeAssistant, FakeSlackAPI

SECRET = "bench-signing-secret"
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
    """The p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


def signed(body: str) -> dict[str, str]:
    """Headers Slack would send with ``body``."""
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


def bench_slack_ack(client: httpx.Client, n: int) -> list[float]:
    """Time from sending a signed app_mention to Slack's 200 (answers run behind it)."""
    times = []
    for i in range(n):
        event = {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": f"{time.time():.6f}",
            "text": f"<@UBOT> {QUESTIONS[i % len(QUESTIONS)]}",
        }
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "event_id": f"Ev{uuid.uuid4().hex[:10]}",
                "event": event,
            }
        )
        started = time.perf_counter()
        r = client.post("/slack/events", content=body.encode(), headers=signed(body))
        times.append(time.perf_counter() - started)
        assert r.status_code == 200, r.text
        time.sleep(0.05)
    return times


def bench_slash_ack(client: httpx.Client, n: int) -> list[float]:
    """Time from a signed ``/parley ask`` to Slack's 200 (the answer runs behind it)."""
    times = []
    for i in range(n):
        body = urlencode(
            {
                "team_id": "T1",
                "channel_id": "C1",
                "user_id": "U1",
                "command": "/parley",
                "text": f"ask {QUESTIONS[i % len(QUESTIONS)]}",
                "trigger_id": "t",
            }
        )
        headers = {**signed(body), "Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        r = client.post("/slack/events", content=body.encode(), headers=headers)
        times.append(time.perf_counter() - started)
        assert r.status_code == 200, r.text
        time.sleep(0.05)
    return times


def bench_ask(url: str, key: str, total: int, concurrency: int) -> tuple[list[float], float, int]:
    """``total`` POST /v1/ask requests from ``concurrency`` clients; (latencies, wall, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        with httpx.Client(
            base_url=url, timeout=120, headers={"Authorization": f"Bearer {key}"}
        ) as c:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                started = time.perf_counter()
                r = c.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors[0] += r.status_code != 200

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(worker)
    return latencies, time.perf_counter() - started, errors[0]


def main() -> None:
    """Run both benchmarks and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, help="Ingested sample practice (real offline engine).")
    ap.add_argument("--slack-events", type=int, default=100)
    ap.add_argument("--asks", type=int, default=80)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    slack = FakeSlackAPI()
    settings = Settings(
        data_dir=args.data_dir or scratch,
        environment="test",
        api_keys_file=scratch / "keys.json",
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=slack.base_url,
    )
    key = KeyStore(scratch / "keys.json").add("bench", "reader")
    assistant: Any = None
    engine = "offline engine over " + str(args.data_dir)
    if args.data_dir is None:
        assistant, engine = FakeAssistant(), "fake assistant (edge only)"
    built = time.perf_counter()
    server = Server(create_app(settings, assistant=assistant), start_timeout_s=300)
    print(f"engine: {engine}; server ready in {time.perf_counter() - built:.1f} s")

    with httpx.Client(base_url=server.url, timeout=60) as client:
        warm = client.post(
            "/v1/ask", json={"question": QUESTIONS[0]}, headers={"Authorization": f"Bearer {key}"}
        )
        assert warm.status_code == 200, warm.text
        acks = bench_slack_ack(client, args.slack_events)
        slash = bench_slash_ack(client, args.slack_events // 2)
    for name, times in (("slack event ack", acks), ("slash command ack", slash)):
        print(
            f"{name}: n={len(times)} p50={pct(times, 50):.1f} ms p95={pct(times, 95):.1f} ms "
            f"p99={pct(times, 99):.1f} ms max={max(times) * 1000:.1f} ms (target p99 < 300 ms)"
        )
    answered = len(acks) + len(slash)
    slack.wait_for(
        lambda: (
            sum(
                any(b["type"] == "actions" for b in p.get("blocks") or [])
                for p in slack.named("chat.update")
            )
            >= answered
        ),
        timeout=900,
    )
    lat, wall, errors = bench_ask(server.url, key, args.asks, args.concurrency)
    print(
        f"/v1/ask: {len(lat)} requests, {args.concurrency} clients, {wall:.1f} s -> "
        f"{len(lat) / wall:.2f} req/s; p50={pct(lat, 50):.0f} ms p95={pct(lat, 95):.0f} ms "
        f"mean={statistics.mean(lat) * 1000:.0f} ms; errors={errors}"
    )
    server.stop()
    slack.close()


if __name__ == "__main__":
    main()
