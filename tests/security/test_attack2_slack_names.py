"""Second attack pass, Slack: a user who may see Keystone only (UBOB), in a channel scoped
to Keystone (CGEN) or in a DM, learns other payers' existence and full names.

- A near miss ("harbrline", "blu sumit") is answered "Sorry — you don't have access to
  Harborline Workers' Compensation Network data.": the hidden payer's canonical name, from a
  typo (connectors/slack/answering.py, ``_answer_privately``).
- ``/parley brief <hidden>`` says "This channel may not see ...", ``/parley brief <unknown>``
  starts building (connectors/slack/listeners/command.py, ``run_brief``).
- In a DM a hidden payer is "not visible to you here", an unknown one "I don't find a payer
  called ..." (the planner refuses unknown names before any tool runs).

Note: ``test_slack_attacks.py::test_typo_of_a_hidden_payer_is_refused_like_the_name`` asserts
that the refusal names "Blue Summit"; for a user who may not see Blue Summit that is the leak
these tests pin.
"""

from __future__ import annotations

import time
from typing import Any

from tests.connectors.conftest import Stack


def _ephemerals_after(stack: Stack, before: int, count: int = 1) -> list[dict[str, Any]]:
    def got() -> list[dict[str, Any]] | None:
        found = [p for m, p in stack.slack.calls[before:] if m == "chat.postEphemeral"]
        return found if len(found) >= count else None

    return stack.slack.wait_for(got, timeout=30)


def _all_text_after(stack: Stack, before: int) -> str:
    return "\n".join(str(p.get("text") or "") + str(p.get("blocks") or "")
                     for _, p in stack.slack.calls[before:])


def test_typo_of_a_hidden_payer_does_not_reveal_its_full_name(stack: Stack) -> None:
    hidden = next(p for p in stack.truth["payers"] if p["payer_id"] == "HWC")
    question = "harbrline 99213 rate"  # a typo: the user never wrote the payer's name
    before = len(stack.slack.calls)
    r = stack.send_event(
        {"type": "app_mention", "user": "UBOB", "text": f"<@UBOT> {question}",
         "channel": "CGEN", "ts": f"{time.time():.6f}", "event_ts": "1"},
        event_id=f"Ev-attack2-typo-{time.time()}",
    )
    assert r.status_code == 200
    _ephemerals_after(stack, before)
    time.sleep(0.5)
    said = _all_text_after(stack, before).lower()
    assert hidden["name"].lower() not in said and "harborline" not in said, said[:300]


def test_slash_brief_for_a_hidden_payer_reads_like_an_unknown_one(stack: Stack) -> None:
    def first_reply(payer: str) -> str:
        before = len(stack.slack.calls)
        assert stack.send_command(f"brief {payer}", channel="CGEN", user="UBOB").status_code == 200
        text = str(_ephemerals_after(stack, before)[0]["text"])
        time.sleep(1.0)  # let a started build finish before the next command
        return text.replace(payer, "<NAME>")

    assert first_reply("Northwind") == first_reply("Zenith Vale")


def test_dm_cannot_tell_hidden_payers_from_unknown_ones(stack: Stack) -> None:
    def final_text(name: str) -> str:
        question = f"What's {name}'s 99214 rate?"
        before = len(stack.slack.calls)
        r = stack.send_event(
            {"type": "message", "channel_type": "im", "user": "UBOB", "text": question,
             "channel": "D0BOB", "ts": f"{time.time():.6f}", "event_ts": "1"},
            event_id=f"Ev-attack2-dm-{name}-{time.time()}",
        )
        assert r.status_code == 200

        def done() -> str | None:
            for m, p in reversed(stack.slack.calls[before:]):
                text = str(p.get("text") or "")
                if m == "chat.update" and not text.endswith("…"):
                    return text
            return None

        return str(stack.slack.wait_for(done, timeout=60)).replace(name, "<NAME>")

    assert final_text("Northwind") == final_text("Zenith Vale")
