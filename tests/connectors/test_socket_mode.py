"""``parley slack`` (Socket Mode): the same listeners, fed through Bolt's Socket Mode
handler with a socket client that records acknowledgements instead of a websocket, answered
by the real assistant over a copy of the sample practice."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.request import SocketModeRequest

from assistant.factory import create_assistant
from connectors.slack.app import create_slack_app
from tests.connectors.conftest import practice_copy
from tests.connectors.fakes import FakeSlackAPI, Recorder


class RecordingSocket:
    """Stands in for the websocket client: records envelope acknowledgements."""

    def __init__(self) -> None:
        self.acks: list[Any] = []
        self.logger = logging.getLogger("tests.socket")

    def send_socket_mode_response(self, response: Any) -> None:
        self.acks.append(response)


def test_socket_mode_mention_is_acked_and_answered(practice: Any, tmp_path: Path) -> None:
    slack = FakeSlackAPI()
    try:
        settings = practice_copy(
            practice,
            tmp_path,
            slack_bot_token="xoxb-t",
            slack_app_token="xapp-t",
            slack_api_url=slack.base_url,
        )
        assistant = Recorder(create_assistant(settings, embedder=practice.embedder))
        app = create_slack_app(settings, assistant=assistant, socket_mode=True)
        handler = SocketModeHandler(app, "xapp-t")
        socket = RecordingSocket()
        ts = f"{time.time():.6f}"
        payload = {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": "EvSOCK1",
            "event": {
                "type": "app_mention",
                "user": "U1",
                "channel": "C1",
                "ts": ts,
                "text": "<@UBOT> Keystone timely filing?",
            },
        }
        for _ in range(2):  # a redelivery is acknowledged but not answered again
            handler.handle(
                socket, SocketModeRequest(type="events_api", envelope_id="env1", payload=payload)
            )  # type: ignore[arg-type]
        assert [a.envelope_id for a in socket.acks] == ["env1", "env1"]
        final = slack.wait_for(
            lambda: next(
                (
                    p
                    for p in slack.named("chat.update")
                    if any(b["type"] == "actions" for b in p["blocks"])
                ),
                None,
            ),
            timeout=60,
        )
        assert "90 days" in final["blocks"][0]["text"]["text"]  # Keystone, amended (truth)
        assert [c["conversation_id"] for c in assistant.calls] == [f"slack:T1:C1:{ts}"]
        assistant.close()
    finally:
        slack.close()
