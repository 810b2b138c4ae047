"""Attacks through Slack: validly signed but malformed payloads (6, fuzzed with hypothesis),
an over-long ``/parley ask`` (7), and a typo of a hidden payer in a scoped channel (14)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.connectors.conftest import Stack

MALFORMED_JSON = [
    "[]",
    "[1, 2]",
    '"a string"',
    "42",
    "null",
    "{not json",
    '{"type": "event_callback", "event_id": "Ev1", "event": null}',
    '{"type": "event_callback", "event_id": "Ev2", "event": {"type": "app_mention", "channel": 123}}',
    '{"type": "event_callback", "event_id": "Ev3", "event": {"type": "message", "channel": ["x"],'
    ' "channel_type": "im", "user": {"a": 1}, "text": 5, "ts": null}}',
    '{"type": "event_callback", "event_id": ["x"], "event": {"type": "app_mention"}}',
    '{"type": 7}',
    '{"type": "url_verification"}',
    '{"type": "event_callback", "event_id": "Ev4", "event": []}',
    # found by the fuzz below in CI: Bolt read the top-level user id of any envelope
    '{"type": "", "user": false}',
    '{"type": "block_actions", "user": 5, "team": [1]}',
]
MALFORMED_FORM = [
    urlencode({"payload": "{bad json"}),
    urlencode({"payload": "[1, 2]"}),
    urlencode({"payload": '"str"'}),
    urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}),
    urlencode({"payload": json.dumps({"type": "block_actions", "actions": None, "user": 5})}),
    urlencode({"payload": json.dumps({"type": "block_actions", "actions": [5],
                                      "user": {"id": "UALICE"}, "channel": "x"})}),
    urlencode({"payload": json.dumps({"type": "block_actions", "actions": [{"action_id": 5}]})}),
    urlencode({"command": "/parley", "text": ["x"], "channel_id": ""}),
    urlencode({"command": "/parley", "text": "ask hi"}),
    "payload=%ff%fe",
    "&&&===",
]


@pytest.mark.parametrize("body", MALFORMED_JSON)
def test_signed_malformed_json_is_never_a_500(stack: Stack, body: str) -> None:
    r = stack.slack_post(body, "application/json")
    assert r.status_code in (200, 400), (body, r.status_code, r.text[:200])


@pytest.mark.parametrize("body", MALFORMED_FORM)
def test_signed_malformed_form_is_never_a_500(stack: Stack, body: str) -> None:
    r = stack.slack_post(body, "application/x-www-form-urlencoded")
    assert r.status_code in (200, 400), (body, r.status_code, r.text[:200])


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
ENVELOPE = st.fixed_dictionaries(
    {"type": st.sampled_from(["event_callback", "block_actions", "url_verification"]) | JSONISH},
    optional={
        "event_id": JSONISH,
        "team_id": JSONISH,
        "event": st.fixed_dictionaries(
            {}, optional={"type": st.sampled_from(["app_mention", "message"]) | JSONISH,
                          "channel": JSONISH, "user": JSONISH, "text": JSONISH, "ts": JSONISH,
                          "thread_ts": JSONISH, "channel_type": JSONISH}
        ) | JSONISH,
        "actions": JSONISH,
        "user": JSONISH,
        "channel": JSONISH,
    },
)


@given(payload=ENVELOPE | JSONISH, as_form=st.booleans())
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzed_signed_payloads_are_never_a_500(stack: Stack, payload: Any, as_form: bool) -> None:
    text = json.dumps(payload)
    if as_form:
        r = stack.slack_post(urlencode({"payload": text}), "application/x-www-form-urlencoded")
    else:
        r = stack.slack_post(text, "application/json")
    assert r.status_code in (200, 400), (text[:300], r.status_code, r.text[:200])


def test_long_slash_ask_is_refused_privately_and_echoes_nothing(stack: Stack) -> None:
    marker = "ZQXJ" + "lorem ipsum dolor " * 300
    before = len(stack.slack.calls)
    r = stack.send_command(f"ask {marker}", channel="CNEG", user="UALICE")
    assert r.status_code == 200
    refusal = stack.slack.wait_for(
        lambda: next((p for m, p in stack.slack.calls[before:] if m == "chat.postEphemeral"), None)
    )
    assert "2,000" in refusal["text"] and "ZQXJ" not in json.dumps(refusal)
    time.sleep(0.5)
    for method, params in stack.slack.calls[before:]:
        assert "ZQXJ" not in json.dumps(params), (method, params)
    assert stack.assistant.called(marker) is None


@pytest.mark.parametrize("name", ["Blue Summit", "blu sumit", "Blue Summitt"])
def test_typo_of_a_hidden_payer_is_refused_like_the_name(stack: Stack, name: str) -> None:
    question = f"What's {name}'s timely filing limit?"
    before = len(stack.slack.calls)
    r = stack.send_event(
        {"type": "app_mention", "user": "UBOB", "text": f"<@UBOT> {question}",
         "channel": "CGEN", "ts": f"{time.time():.6f}", "event_ts": "1"},
        event_id=f"Ev-typo-{name}-{time.time()}",
    )
    assert r.status_code == 200
    refusal = stack.slack.wait_for(
        lambda: next((p for m, p in stack.slack.calls[before:] if m == "chat.postEphemeral"), None)
    )
    # refused without naming the payer (a near miss must not reveal the name it resembles;
    # second attack pass), in the words given for a name no payer has
    assert "not visible to you" in refusal["text"] and "Blue Summit" not in refusal["text"], refusal
    time.sleep(0.5)
    assert stack.assistant.called(question) is None
    assert not any(m == "chat.postMessage" for m, _ in stack.slack.calls[before:])
