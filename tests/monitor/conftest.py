"""Fixtures of the monitor tests: a private copy of the sample practice's data folder (so
writing the discrepancy log never touches the shared one) and a local fake Slack Web API."""

from __future__ import annotations

import csv
import json
import shutil
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from assistant.settings import Settings


def copy_practice(practice: Any, dest: Path) -> Settings:
    """Copy the practice's data folder to ``dest``; settings pointing at the copy."""
    shutil.copytree(practice.settings.data_dir, dest)
    return practice.settings.model_copy(update={"data_dir": dest})


@pytest.fixture
def mon_settings(practice: Any, tmp_path: Path) -> Settings:
    """A fresh copy of the practice for one test."""
    return copy_practice(practice, tmp_path / "data")


@pytest.fixture(scope="module")
def monitored(practice: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Any]:
    """A copy of the practice with one monitor run done: (settings, first report)."""
    from assistant.monitor.detect import run_monitor

    settings = copy_practice(practice, tmp_path_factory.mktemp("monitored") / "data")
    return settings, run_monitor(settings)


@pytest.fixture(scope="session")
def claim_rows(practice: Any) -> list[dict[str, str]]:
    """The sample's claims.csv rows (with the raw patient ids the letter must not show)."""
    with (practice.source / "data" / "claims.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass
class FakeSlack:
    """A local Slack Web API that records every call and answers ok."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"


@pytest.fixture
def fake_slack() -> Any:
    """Serve the fake on a free port in a thread for one test."""
    fake = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype:
                params = json.loads(raw or b"{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                if isinstance(params.get("blocks"), str):
                    params["blocks"] = json.loads(params["blocks"])
            method = self.path.rsplit("/", 1)[-1]
            fake.calls.append((method, params))
            body = json.dumps({"ok": True, "channel": params.get("channel", "C0"),
                               "ts": f"1700000000.{len(fake.calls):06d}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
