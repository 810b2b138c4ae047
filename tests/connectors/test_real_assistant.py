"""The edges with a real ``Assistant`` (agent, checkpointer, grounding) whose chat model is
scripted: the Slack thread's follow-up reaches the model with the earlier turn in memory, and
a model that fails mid-answer reaches users as a sentence with a reference, never its text."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
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


def _scripted_stack(data: Path, model: ScriptedChatModel) -> Iterator[tuple[Stack, ScriptedChatModel]]:
    """The server and a real assistant over an empty data dir, whose chat model is ``model``."""
    slack = FakeSlackAPI()
    settings = Settings(
        data_dir=data,
        environment="test",
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
    )
    assistant = create_assistant(settings, model=model)
    key = KeyStore(keys_file(settings)).add("rita", "reader")
    server = Server(create_app(settings, assistant=assistant))
    with httpx.Client(base_url=server.url, timeout=20) as client:
        stack = Stack(server.url, client, None, slack, settings, {"reader": key}, {})  # type: ignore[arg-type]
        yield stack, model
    server.stop()
    slack.close()
    assistant.close()


def _mention_update(stack: Stack, shows: Callable[[dict], bool]) -> dict:
    """Mention the bot in a new thread; the first chat.update that ``shows`` accepts."""
    ts = f"{time.time():.6f}"
    ev = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C1", "ts": ts}
    stack.send_event(ev, f"Ev{uuid.uuid4().hex[:8]}")
    return stack.slack.wait_for(
        lambda: next((p for p in stack.slack.named("chat.update") if shows(p)), None),
        timeout=30,
    )


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, ScriptedChatModel]]:
    yield from _scripted_stack(tmp_path_factory.mktemp("real"), ScriptedChatModel())


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


SECRET = RuntimeError("provider exploded: token sk-test-not-real at /etc/passwd")


def _assert_no_secret(seen: object) -> None:
    """Nothing of SECRET's text reached the user."""
    assert "passwd" not in str(seen) and "sk-test" not in str(seen)


def test_provider_failure_is_502_naming_the_settings_never_the_exception(
    real: tuple[Stack, ScriptedChatModel],
) -> None:
    stack, model = real
    model.enqueue(SECRET)
    r = stack.client.post("/v1/ask", headers=stack.auth("reader"), json={"question": "Hi?"})
    assert r.status_code == 502, r.text
    assert "PARLEY_CHAT_MODEL" in r.json()["detail"] and r.json()["request_id"]
    _assert_no_secret(r.text)


def test_slack_provider_failure_is_a_sentence_not_the_exception(
    real: tuple[Stack, ScriptedChatModel],
) -> None:
    stack, model = real
    model.enqueue(SECRET)
    update = _mention_update(stack, lambda p: "PARLEY_CHAT_MODEL" in str(p))
    _assert_no_secret(update)


@pytest.fixture(scope="module")
def buggy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, ScriptedChatModel]]:
    """An engine with a bug: a chat model named like the built-in one raises mid-answer (the
    assistant re-raises the offline engine's own errors instead of blaming a provider)."""
    yield from _scripted_stack(tmp_path_factory.mktemp("buggy"), ScriptedChatModel(model_name="offline"))


def test_unexpected_error_is_500_with_a_reference(buggy: tuple[Stack, ScriptedChatModel]) -> None:
    stack, model = buggy
    model.enqueue(SECRET)
    boom = stack.client.post("/v1/ask", headers=stack.auth("reader"), json={"question": "Hi?"})
    assert boom.status_code == 500
    body = boom.json()
    _assert_no_secret(boom.text)
    assert body["request_id"] and body["request_id"] in body["detail"]


def test_unexpected_stream_error_is_an_error_event(buggy: tuple[Stack, ScriptedChatModel]) -> None:
    stack, model = buggy
    model.enqueue(SECRET)
    r = stack.client.post(
        "/v1/ask", headers=stack.auth("reader"), json={"question": "Hi?", "stream": True}
    )
    last = [c for c in r.text.strip().split("\n\n") if c][-1]
    fields = dict(line.split(": ", 1) for line in last.splitlines())
    assert fields["event"] == "error" and json.loads(fields["data"])["status"] == 500
    _assert_no_secret(r.text)


def test_unexpected_slack_error_is_sorry_with_a_reference(
    buggy: tuple[Stack, ScriptedChatModel],
) -> None:
    stack, model = buggy
    model.enqueue(SECRET)
    update = _mention_update(stack, lambda p: "reference" in p.get("text", ""))
    assert update["text"].startswith("Sorry")
    _assert_no_secret(update)
