"""Real servers for the edge tests: the FastAPI app under uvicorn on a loopback port with the
real assistant (offline engine) over a private copy of the sample practice, a fake Slack Web
API (the one external service replaced), and helpers that sign Slack requests like Slack."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from assistant.settings import Settings
from bench.edge_servers import Server
from connectors.http.app import create_app
from connectors.http.auth import KeyStore, keys_file
from tests.connectors.fakes import FakeSlackAPI, Recorder

SIGNING_SECRET = "test-signing-secret"
# The sample practice's payers: KHP = Keystone Health Plan, NWM = Northwind Medicare Advantage.
VISIBILITY = {
    "channels": {"CGEN": ["KHP"], "CNEG": ["KHP", "NWM"]},
    "users": {"UALICE": ["KHP", "NWM"], "UBOB": ["KHP"]},
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "schemathesis: property-based API fuzzing (slower)")


@dataclass
class Stack:
    """Everything a test talks to."""

    url: str
    client: httpx.Client
    assistant: Recorder
    slack: FakeSlackAPI
    settings: Settings
    keys: dict[str, str]
    truth: dict[str, Any]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def slack_post(
        self,
        body: str,
        content_type: str,
        ts: int | None = None,
        secret: str = SIGNING_SECRET,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        stamp = str(int(time.time()) if ts is None else ts)
        sig = (
            "v0="
            + hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        )
        return self.client.post(
            "/slack/events",
            content=body.encode(),
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": sig,
                **(headers or {}),
            },
        )

    def send_event(self, event: dict[str, Any], event_id: str, **kw: Any) -> httpx.Response:
        body = json.dumps(
            {
                "token": "x",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return self.slack_post(body, "application/json", **kw)

    def send_command(
        self, text: str, channel: str = "CGEN", user: str = "UALICE"
    ) -> httpx.Response:
        body = urlencode(
            {
                "token": "x",
                "team_id": "T1",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "command": "/parley",
                "text": text,
                "response_url": f"{self.slack.base_url}response",
                "trigger_id": "t",
            }
        )
        return self.slack_post(body, "application/x-www-form-urlencoded")

    def send_action(
        self, action_id: str, value: str, user: str = "UALICE", channel: str = "CGEN"
    ) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user},
            "api_app_id": "A1",
            "token": "x",
            "channel": {"id": channel},
            "container": {"type": "message"},
            "trigger_id": "t",
            "response_url": f"{self.slack.base_url}response",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "type": "button",
                    "action_ts": "1",
                }
            ],
        }
        return self.slack_post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )


def practice_copy(practice: Any, root: Path, **settings: Any) -> Settings:
    """Settings over a private copy of the session's ingested practice (tests may write)."""
    shutil.copytree(practice.settings.data_dir, root / "data")
    return Settings(
        data_dir=root / "data", environment="test", as_of=practice.settings.as_of, **settings
    )


@pytest.fixture(scope="module")
def stack(practice: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from assistant.factory import create_assistant

    root = tmp_path_factory.mktemp("edge")
    slack = FakeSlackAPI()
    vis = root / "visibility.json"
    vis.write_text(json.dumps(VISIBILITY))
    settings = practice_copy(
        practice,
        root,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        slack_visibility_file=vis,
        max_upload_mb=0.05,
    )
    store = KeyStore(keys_file(settings))
    keys = {
        "reader": store.add("rita", "reader"),
        "negotiator": store.add("ned", "negotiator"),
        "admin": store.add("ada", "admin"),
        "scoped": store.add("sam", "reader", ["KHP"]),
        "scopedneg": store.add("sue", "negotiator", ["KHP"]),
        "scopedadmin": store.add("sid", "admin", ["KHP"]),
    }
    assistant = Recorder(create_assistant(settings, embedder=practice.embedder))
    server = Server(create_app(settings, assistant=assistant))
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield Stack(server.url, client, assistant, slack, settings, keys, practice.truth)
    server.stop()
    slack.close()
    assistant.close()
