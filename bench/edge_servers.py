"""Servers for the edge benchmarks and tests: the FastAPI app under uvicorn in a background
thread, and a local stand-in for Slack's Web API (the one external service they may replace).
The edge tests import both from here, so the benchmark's servers are the tested ones.

The assistant behind the app is always the real one; only Slack's side is faked, and every
call it receives is recorded so a benchmark can wait for the answers to land.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
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
    """A loopback HTTP server speaking enough of Slack's Web API (``auth.test``,
    ``chat.*``, file uploads) answering ``ok``; records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.uploads: list[bytes] = []
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path.startswith("/upload/"):
                    fake.uploads.append(raw)
                    self._send(200, b"OK", "text/plain")
                    return
                method = self.path.removeprefix("/api/")
                params = fake._params(raw, self.headers.get("content-type", ""))
                self._send(
                    200, json.dumps(fake._respond(method, params)).encode(), "application/json"
                )

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def _params(raw: bytes, ctype: str) -> dict[str, Any]:
        if "json" in ctype:
            return json.loads(raw or b"{}")
        params: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        for key in ("blocks", "files"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _respond(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            ts = f"1700000000.{next(self._ts):06d}"
            self.calls.append((method, {**params, "_returned_ts": ts}))
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T1",
                "user": "parley",
            }
        if method == "files.getUploadURLExternal":
            fid = f"F{uuid.uuid4().hex[:8].upper()}"
            return {
                "ok": True,
                "file_id": fid,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/{fid}",
            }
        if method == "files.completeUploadExternal":
            return {
                "ok": True,
                "files": [
                    {"id": f["id"], "title": f.get("title", "")} for f in params.get("files", [])
                ],
            }
        return {
            "ok": True,
            "channel": params.get("channel"),
            "ts": params.get("ts") or ts,
            "message_ts": ts,
        }

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
        """Poll until ``predicate()`` is truthy; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out; calls so far: {[m for m, _ in self.calls]}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
