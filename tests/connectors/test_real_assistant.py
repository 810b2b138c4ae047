"""The edges with a real ``Assistant`` (agent, checkpointer, grounding) whose chat model is
scripted: the Slack thread's follow-up reaches the model with the earlier turn in memory."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage

from assistant.factory import create_assistant
from assistant.settings import Settings
from connectors.http.app import create_app
from connectors.http.auth import KeyStore, keys_file
from tests.connectors.conftest import SIGNING_SECRET, Server, Stack
from tests.connectors.fakes import FakeSlackAPI
from tests.fakes.chat import ScriptedChatModel


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, ScriptedChatModel]]:
    data: Path = tmp_path_factory.mktemp("real")
    slack = FakeSlackAPI()
    settings = Settings(
        data_dir=data,
        environment="test",
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
    )
    model = ScriptedChatModel()
    assistant = create_assistant(settings, model=model)
    key = KeyStore(keys_file(settings)).add("rita", "reader")
    server = Server(create_app(settings, assistant=assistant))
    with httpx.Client(base_url=server.url, timeout=20) as client:
        yield Stack(server.url, client, None, slack, settings, {"reader": key}, []), model  # type: ignore[arg-type]
    server.stop()
    slack.close()
    assistant.close()


def test_http_ask_with_real_assistant(real: tuple[Stack, ScriptedChatModel]) -> None:
    stack, model = real
    model.enqueue(AIMessage("I couldn't find that in the contracts."))
    r = stack.client.post("/v1/ask", headers=stack.auth("reader"), json={"question": "Anything?"})
    assert r.status_code == 200, r.text
    assert r.json()["refused"] is True and r.json()["model"] == "scripted"


def test_slack_follow_up_reaches_the_model_with_history(
    real: tuple[Stack, ScriptedChatModel],
) -> None:
    stack, model = real
    model.enqueue(AIMessage("First reply."), AIMessage("Second reply."))
    base = len(model.seen)
    ts = f"{time.time():.6f}"
    first = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> first question",
        "channel": "C1",
        "ts": ts,
    }
    stack.send_event(first, f"Ev{uuid.uuid4().hex[:8]}")
    stack.slack.wait_for(lambda: stack.slack.named("chat.update"), timeout=30)
    follow = {
        **first,
        "text": "<@UBOT> second question",
        "ts": f"{time.time():.6f}",
        "thread_ts": ts,
    }
    stack.send_event(follow, f"Ev{uuid.uuid4().hex[:8]}")
    stack.slack.wait_for(lambda: len(model.seen) >= base + 2, timeout=30)
    humans = [m.content for m in model.seen[-1] if isinstance(m, HumanMessage)]
    assert humans[-2:] == ["first question", "second question"], json.dumps(humans)
