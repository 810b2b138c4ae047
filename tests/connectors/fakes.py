"""Fakes for the edge tests: a canned assistant and a local fake Slack Web API server."""

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

from assistant.answer import Answer, Citation, Figure
from assistant.engines.entities import PayerName, Vocabulary
from assistant.errors import InputError

PAYERS = [
    PayerName("KEYSTONE", "Keystone Health", ("Keystone",)),
    PayerName("NORTHWIND", "Northwind Mutual", ("Northwind",)),
]


class FakeAssistant:
    """Same ask()/vocabulary() surface as ``Assistant``; returns canned answers, records calls."""

    model_name = "fake"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.delay_s = delay_s
        self._lock = threading.Lock()

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(payers=list(PAYERS), codes={"99213", "99214"})

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        allowed_payers: list[str] | None = None,
        payer: str | None = None,
        as_of: Any = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> Answer:
        with self._lock:
            self.calls.append(
                {
                    "question": question,
                    "conversation_id": conversation_id,
                    "allowed_payers": allowed_payers,
                    "payer": payer,
                    "as_of": as_of,
                }
            )
        if "explode" in question:
            raise RuntimeError("secret internal detail /etc/passwd")
        if "invalid" in question:
            raise InputError("That question cannot be answered as asked.")
        if on_progress:
            on_progress("searching contracts…")
            on_progress("reading contract terms…")
        if self.delay_s:
            time.sleep(self.delay_s)
        return Answer(
            answer_id=uuid.uuid4().hex[:12],
            question=question,
            text="Keystone's timely filing limit is **90 days** [1].",
            citations=[
                Citation(
                    n=1,
                    document="Keystone Agreement",
                    page=4,
                    section="7.2",
                    quote="Claims must be submitted within ninety (90) days.",
                    payer_id="KEYSTONE",
                )
            ],
            figures=[
                Figure(
                    label="timely filing",
                    value=90,
                    unit="days",
                    tool="contract_terms",
                    filters={"payer_id": "KEYSTONE"},
                    rows=1,
                )
            ],
            tools_used=["contract_terms"],
            model="fake",
            latency_ms=1.0,
            conversation_id=conversation_id,
        )


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


class FakeAsk:
    """A headline ask of a brief."""

    def __init__(self, title: str, detail: str, annual_value: float | None) -> None:
        self.title, self.detail, self.annual_value = title, detail, annual_value


class FakeBrief:
    """What the brief builder returns, reduced to what the edges read."""

    def __init__(self, brief_id: str, payer_id: str, payer_name: str, markdown: str) -> None:
        self.brief_id, self.payer_id, self.payer_name, self.markdown = (
            brief_id,
            payer_id,
            payer_name,
            markdown,
        )
        self.summary = [FakeAsk("Raise 99214 to 125% of Medicare", "we are paid 118.7%", 12520.8)]

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {
            "brief_id": self.brief_id,
            "payer_id": self.payer_id,
            "payer_name": self.payer_name,
            "markdown": self.markdown,
        }


def fake_brief_modules(folder: Any) -> dict[str, Any]:
    """Stand-ins for ``assistant.briefs.build`` and ``.store`` (install in sys.modules)."""
    import types
    from pathlib import Path

    from assistant.errors import NotFoundError

    briefs: dict[str, FakeBrief] = {}
    build, store = types.ModuleType("fake_build"), types.ModuleType("fake_store")

    def build_brief(
        settings: Any, payer: str, as_of: Any = None, formats: Any = ("md",), **_: Any
    ) -> FakeBrief:
        pid = next(p.payer_id for p in PAYERS if payer.lower() in (n.lower() for n in p.names()))
        brief = FakeBrief(f"{pid}-{uuid.uuid4().hex[:6]}", pid, payer, f"# Brief: {payer}\n\n+6%.")
        briefs[brief.brief_id] = brief
        return brief

    def load_brief(settings: Any, brief_id: str) -> FakeBrief:
        if brief_id not in briefs:
            raise NotFoundError(f"No brief with id '{brief_id}'")
        return briefs[brief_id]

    def export_brief(settings: Any, brief_id: str, fmt: str) -> Path:
        path = Path(folder) / f"{brief_id}.{fmt}"
        path.write_bytes(b"%PDF-1.4 fake" if fmt == "pdf" else briefs[brief_id].markdown.encode())
        return path

    build.build_brief, build.export_brief = build_brief, export_brief  # type: ignore[attr-defined]
    store.load_brief = load_brief  # type: ignore[attr-defined]
    return {"assistant.briefs.build": build, "assistant.briefs.store": store}
