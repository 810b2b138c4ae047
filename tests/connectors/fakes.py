"""Test doubles for the edges: a recorder around the real assistant, and a local fake Slack
Web API server (the one external service the tests may replace)."""

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


class Recorder:
    """The real assistant, with every ask() recorded (arguments and the answer it gave).

    Not a fake: each question is answered by the wrapped ``Assistant`` (offline engine over
    the sample practice). The record lets tests check what an edge passed on (scope, thread).
    """

    def __init__(self, assistant: Any) -> None:
        self.inner = assistant
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def ask(self, question: str, **kwargs: Any) -> Any:
        call = {"question": question, **kwargs, "answer": None}
        call.pop("on_progress", None)
        with self._lock:
            self.calls.append(call)
        answer = self.inner.ask(question, **kwargs)
        call["answer"] = answer
        return answer

    def called(self, question: str) -> dict[str, Any] | None:
        """The recorded call for ``question`` (None until it was asked)."""
        with self._lock:
            return next((c for c in self.calls if c["question"] == question), None)


class FakeSlackAPI:
    """A local HTTP server speaking enough of Slack's Web API; records every call."""

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
