"""Servers for the edge benchmarks: the FastAPI app under uvicorn in a background thread, and a
minimal local stand-in for Slack's Web API (the one external service a benchmark may replace).

The assistant behind the app is always the real one; only Slack's side is faked, and every
call it receives is recorded so a benchmark can wait for the answers to land.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import uvicorn


class Server:
    """uvicorn in a background thread on an ephemeral loopback port."""

    def __init__(self, app: Any, start_timeout_s: float = 20.0) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + start_timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class FakeSlackWebAPI:
    """A loopback HTTP server answering Slack Web API methods (``auth.test``,
    ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``, …) with ``ok``; records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                method = self.path.removeprefix("/api/")
                params = fake._params(raw, self.headers.get("content-type", ""))
                body = json.dumps(fake._respond(method, params)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def _params(raw: bytes, ctype: str) -> dict[str, Any]:
        if "json" in ctype:
            return json.loads(raw or b"{}")
        params: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if isinstance(params.get("blocks"), str):
            params["blocks"] = json.loads(params["blocks"])
        return params

    def _respond(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            ts = f"1700000000.{next(self._ts):06d}"
            self.calls.append((method, params))
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "parley"}
        return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts") or ts,
                "message_ts": ts}

    def named(self, method: str) -> list[dict[str, Any]]:
        """Recorded parameters of every call to ``method``."""
        with self._lock:
            return [p for m, p in self.calls if m == method]

    def finished_answers(self) -> int:
        """``chat.update`` calls that put a final answer (feedback buttons) or an error in place."""
        done = 0
        for p in self.named("chat.update"):
            kinds = [b.get("type") for b in p.get("blocks") or []]
            text = str(p.get("text") or "")
            done += "actions" in kinds or "(reference " in text
        return done

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Poll until ``predicate()`` is truthy; raise after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(f"timed out after {timeout:.0f} s; {len(self.calls)} Slack calls so far")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
