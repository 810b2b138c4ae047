"""The Bolt app in HTTP mode on the real server, receiving signed requests and answering with
the real assistant over the sample practice; Slack's Web API is a local fake that records
calls."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from connectors.slack.blocks import FEEDBACK_UP
from connectors.slack.feedback import FeedbackStore, feedback_file
from tests.connectors.conftest import Stack


def _mention(
    text: str, channel: str = "CGEN", user: str = "UALICE", thread_ts: str | None = None
) -> dict:
    ev = {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {text}",
        "channel": channel,
        "ts": f"{time.time():.6f}",
        "event_ts": "1",
    }
    if thread_ts:
        ev["thread_ts"] = thread_ts
    return ev


def _final_update(stack: Stack, channel: str, ts: str) -> dict:
    def done() -> dict | None:
        for p in stack.slack.named("chat.update"):
            if (
                p["channel"] == channel
                and p["ts"] == ts
                and any(b["type"] == "actions" for b in p.get("blocks") or [])
            ):
                return p
        return None

    return stack.slack.wait_for(done)


def _placeholder(stack: Stack, channel: str, thread_ts: str) -> dict:
    return stack.slack.wait_for(
        lambda: next(
            (
                p
                for p in stack.slack.named("chat.postMessage")
                if p["channel"] == channel and p.get("thread_ts") == thread_ts
            ),
            None,
        )
    )


def _answered(stack: Stack, question: str) -> dict:
    """The recorded call once the assistant has answered ``question``."""
    return stack.slack.wait_for(
        lambda: (c := stack.assistant.called(question)) and c["answer"] is not None and c,
        timeout=60,
    )


def test_mention_answers_in_thread_with_sources(stack: Stack) -> None:
    ev = _mention("What's Keystone's timely filing limit?")
    started = time.perf_counter()
    r = stack.send_event(ev, f"Ev{uuid.uuid4().hex[:8]}")
    assert r.status_code == 200 and time.perf_counter() - started < 1.0
    placeholder = _placeholder(stack, "CGEN", ev["ts"])
    assert placeholder["text"] == "searching…"
    final = _final_update(stack, "CGEN", placeholder["_returned_ts"])
    kinds = [b["type"] for b in final["blocks"]]
    # Keystone's amendment cut timely filing to 90 days (ground truth); **bold** → *mrkdwn*
    text = final["blocks"][0]["text"]["text"]
    assert kinds[0] == "section" and "90 days" in text and "**" not in text, text
    assert text.startswith("*Keystone Health Plan*")
    sources = next(b for b in final["blocks"] if b["type"] == "context")
    assert sources["elements"][0]["text"] == "*Sources*"
    assert "Keystone" in sources["elements"][1]["text"] and "p. 1" in sources["elements"][1]["text"]
    call = _answered(stack, "What's Keystone's timely filing limit?")
    assert call["scope"].allowed == ["KHP"]
    assert call["conversation_id"] == f"slack:T1:CGEN:{ev['ts']}"


def test_follow_up_in_thread_keeps_the_conversation(stack: Stack) -> None:
    first = _mention("Keystone timely filing?", channel="CNEG")
    stack.send_event(first, f"Ev{uuid.uuid4().hex[:8]}")
    _answered(stack, "Keystone timely filing?")
    follow = _mention("and Northwind's?", channel="CNEG", thread_ts=first["ts"])
    stack.send_event(follow, f"Ev{uuid.uuid4().hex[:8]}")
    second = _answered(stack, "and Northwind's?")
    assert second["conversation_id"] == f"slack:T1:CNEG:{first['ts']}"
    # the follow-up is read with the thread's topic: Northwind's timely filing is 365 days
    assert "365 days" in second["answer"].text, second["answer"].text


def test_retried_delivery_answers_once(stack: Stack) -> None:
    ev = _mention("What does Keystone pay for 99213?")
    event_id = f"Ev{uuid.uuid4().hex[:8]}"
    assert stack.send_event(ev, event_id).status_code == 200
    again = stack.send_event(
        ev, event_id, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert again.status_code == 200
    # Same message, new event id (e.g. also delivered as another event type): still once.
    stack.send_event(ev, f"Ev{uuid.uuid4().hex[:8]}")
    _placeholder(stack, "CGEN", ev["ts"])
    _answered(stack, "What does Keystone pay for 99213?")
    time.sleep(0.5)
    asked = [c for c in stack.assistant.calls if c["question"] == "What does Keystone pay for 99213?"]
    assert len(asked) == 1
    assert (
        len([p for p in stack.slack.named("chat.postMessage") if p.get("thread_ts") == ev["ts"]])
        == 1
    )


@pytest.mark.parametrize(
    "case",
    [
        "forged",
        "stale",
        "future",
        "missing_ts",
        "non_numeric_ts",
        "missing_sig",
        "malformed_sig",
        "not_utf8",
    ],
)
def test_bad_signatures_are_401(stack: Stack, case: str) -> None:
    body = '{"type":"event_callback","event_id":"EvBAD","event":{"type":"app_mention"}}'
    now = int(time.time())
    if case == "forged":
        r = stack.slack_post(body, "application/json", secret="not-the-secret")
    elif case in ("stale", "future"):
        r = stack.slack_post(body, "application/json", ts=now + (-600 if case == "stale" else 600))
    else:
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": "v0=" + "0" * 64,
        }
        if case == "missing_ts":
            del headers["X-Slack-Request-Timestamp"]
        elif case == "non_numeric_ts":
            headers["X-Slack-Request-Timestamp"] = "12ab"
        elif case == "missing_sig":
            del headers["X-Slack-Signature"]
        elif case == "malformed_sig":
            headers["X-Slack-Signature"] = "v0=zz"
        content = b"\xff\xfe" if case == "not_utf8" else body.encode()
        r = stack.client.post("/slack/events", content=content, headers=headers)
    assert r.status_code == 401, (case, r.status_code, r.text)


def test_slash_command_ask_acks_fast_and_answers(stack: Stack) -> None:
    started = time.perf_counter()
    r = stack.send_command("ask What does Keystone pay for 99214?")
    assert r.status_code == 200 and time.perf_counter() - started < 1.0
    posted = stack.slack.wait_for(
        lambda: next(
            (
                p
                for p in stack.slack.named("chat.postMessage")
                if p.get("text") == "<@UALICE> asked: What does Keystone pay for 99214?"
            ),
            None,
        )
    )
    assert posted["channel"] == "CGEN"
    call = _answered(stack, "What does Keystone pay for 99214?")
    assert call["scope"].allowed == ["KHP"]
    # the contracted rate in force (amendment of 2026-04-01) is in the answer
    rate = max(
        (r for r in stack.truth["fee_schedule"] if r["payer_id"] == "KHP" and r["code"] == "99214"),
        key=lambda r: r["effective_from"],
    )
    assert f"{float(rate['rate']):,.2f}" in call["answer"].text, call["answer"].text


def test_channel_question_about_hidden_payer_is_answered_privately(stack: Stack) -> None:
    ev = _mention("What are Northwind's rates for 99214?", channel="CGEN", user="UALICE")
    stack.send_event(ev, f"Ev{uuid.uuid4().hex[:8]}")
    private = stack.slack.wait_for(
        lambda: next(
            (
                p
                for p in stack.slack.named("chat.postEphemeral")
                if p.get("user") == "UALICE"
                and any(b["type"] == "actions" for b in p.get("blocks") or [])
                and p.get("thread_ts") == ev["ts"]
            ),
            None,
        ),
        timeout=60,
    )
    assert private["channel"] == "CGEN" and "Northwind" in json.dumps(private["blocks"])
    assert not [p for p in stack.slack.named("chat.postMessage") if p.get("thread_ts") == ev["ts"]]
    call = _answered(stack, ev["text"].split("> ", 1)[1])
    assert call["scope"].allowed == ["KHP", "NWM"]
    assert call["conversation_id"].endswith(":private:UALICE")


def test_hidden_payer_and_user_without_access_is_refused(stack: Stack) -> None:
    ev = _mention("Northwind denial rate?", channel="CGEN", user="UBOB")
    stack.send_event(ev, f"Ev{uuid.uuid4().hex[:8]}")
    msg = stack.slack.wait_for(
        lambda: next(
            (p for p in stack.slack.named("chat.postEphemeral") if p.get("user") == "UBOB"), None
        )
    )
    # refused privately, without the payer's name (reads like a name no payer has)
    assert "not visible to you here" in msg["text"] and "Northwind" not in msg["text"]
    assert stack.assistant.called("Northwind denial rate?") is None


def test_feedback_click_is_stored(stack: Stack) -> None:
    assert stack.send_action(FEEDBACK_UP, "abc123def456").status_code == 200
    store = FeedbackStore(feedback_file(stack.settings.data_dir))
    votes = stack.slack.wait_for(
        lambda: [v for v in store.votes() if v["answer_id"] == "abc123def456"]
    )
    assert votes[0]["user_id"] == "UALICE" and votes[0]["vote"] == 1


def test_slash_deadlines_lists_only_what_the_channel_may_see(stack: Stack) -> None:
    stack.send_command("deadlines", channel="CGEN", user="UBOB")
    posted = stack.slack.wait_for(
        lambda: next(
            (
                p
                for p in stack.slack.named("chat.postMessage")
                if p.get("text") == "Contract deadlines" and p.get("channel") == "CGEN"
            ),
            None,
        ),
        timeout=30,
    )
    shown = json.dumps(posted["blocks"])
    dates = {d["payer_id"]: d["notice_deadline"] for d in stack.truth["deadlines"]}
    assert dates["KHP"] in shown
    assert dates["BSH"] not in shown and "Blue Summit" not in shown


def test_direct_message_is_answered_in_the_users_scope(stack: Stack) -> None:
    ev = {
        "type": "message",
        "channel_type": "im",
        "channel": "DBOB",
        "user": "UBOB",
        "text": "Keystone prompt pay?",
        "ts": f"{time.time():.6f}",
    }
    stack.send_event(ev, f"Ev{uuid.uuid4().hex[:8]}")
    placeholder = _placeholder(stack, "DBOB", ev["ts"])
    _final_update(stack, "DBOB", placeholder["_returned_ts"])
    call = _answered(stack, "Keystone prompt pay?")
    assert call["scope"].allowed == ["KHP"]
    # bot messages and channel chatter are acknowledged and ignored
    bot = {**ev, "bot_id": "BBOT", "ts": f"{time.time():.6f}", "text": "bot says"}
    assert stack.send_event(bot, f"Ev{uuid.uuid4().hex[:8]}").status_code == 200
    assert stack.assistant.called("bot says") is None


def test_slash_brief_posts_summary_and_uploads_the_pdf(stack: Stack) -> None:
    stack.send_command("brief Keystone", channel="CNEG", user="UALICE")
    summary = stack.slack.wait_for(
        lambda: next(
            (
                p
                for p in stack.slack.named("chat.postMessage")
                if p.get("text") == "Negotiation brief — Keystone Health Plan"
            ),
            None,
        ),
        timeout=120,
    )
    assert "$" in json.dumps(summary["blocks"])  # the asks carry the money at stake
    done = stack.slack.wait_for(lambda: stack.slack.named("files.completeUploadExternal"), 120)
    assert done[0]["thread_ts"] == summary["_returned_ts"] and done[0]["channel_id"] == "CNEG"
    assert any(u.startswith(b"%PDF") for u in stack.slack.uploads)


def test_slash_brief_for_a_payer_the_channel_may_not_see_is_refused(stack: Stack) -> None:
    before = len(stack.slack.named("chat.postEphemeral"))
    stack.send_command("brief Northwind", channel="CGEN", user="UALICE")
    msg = stack.slack.wait_for(
        lambda: next(
            (
                p
                for p in stack.slack.named("chat.postEphemeral")[before:]
                if "not visible to you here" in p.get("text", "")
            ),
            None,
        )
    )
    assert msg["user"] == "UALICE"
