"""Slack digest: pure Block Kit builders, posting to a fake Slack Web API, button clicks,
and the scheduler."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.errors import ConfigError, InputError
from assistant.monitor.digest import (
    ACTION_ACK,
    ACTION_DISPUTE,
    digest_blocks,
    handle_finding_action,
    post_digest,
)
from assistant.monitor.log import finding_history, get_finding


def test_digest_blocks_totals_first_then_buttons(monitored: tuple[Any, Any]) -> None:
    _, report = monitored
    blocks = digest_blocks(report)
    assert blocks[0]["type"] == "header"
    assert blocks[1]["block_id"] == "digest_totals"
    assert f"*{len(report.new)} new findings*" in blocks[1]["text"]["text"]
    actions = [b for b in blocks if b["type"] == "actions"]
    assert actions and len(blocks) <= 50
    ids = {f.finding_id for f in report.new}
    for a in actions:
        kinds = {e["action_id"] for e in a["elements"]}
        assert ACTION_ACK in kinds
        assert {e["value"] for e in a["elements"]} <= ids
    money = [b for b in blocks if b.get("block_id", "").startswith("finding_")]
    top = money[0]["block_id"].removeprefix("finding_")
    assert top == max(report.new, key=lambda f: f.amount or 0).finding_id
    disputable = [a for a in actions if any(e["action_id"] == ACTION_DISPUTE
                                           for e in a["elements"])]
    assert disputable


def test_post_digest_to_fake_slack_and_click(monitored: tuple[Any, Any], fake_slack: Any,
                                             mon_settings: Any) -> None:
    from slack_sdk import WebClient

    _, report = monitored
    settings = mon_settings.model_copy(update={"slack_digest_channel": "C-DIGEST"})
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    posted = post_digest(settings, report, client)
    assert posted["channel"] == "C-DIGEST" and posted["ts"]
    method, params = fake_slack.calls[-1]
    assert method == "chat.postMessage"
    assert params["channel"] == "C-DIGEST"
    assert params["blocks"] == digest_blocks(report)
    # the copy in mon_settings has no log yet: record the findings, then click a button
    from assistant.monitor.detect import run_monitor

    run_monitor(settings)
    button = next(e for b in params["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["action_id"] == ACTION_DISPUTE)
    f = handle_finding_action(settings, button["action_id"], button["value"], "U123")
    assert f.status == "disputed"
    assert get_finding(settings, button["value"]).status == "disputed"
    assert finding_history(settings, button["value"])[-1].user == "U123"
    with pytest.raises(InputError):
        handle_finding_action(settings, "finding_bogus", button["value"], "U123")


def test_post_digest_needs_channel(monitored: tuple[Any, Any]) -> None:
    settings, report = monitored
    with pytest.raises(ConfigError):
        post_digest(settings.model_copy(update={"slack_digest_channel": None}), report, object())


def test_scheduler_from_cron(monitored: tuple[Any, Any]) -> None:
    from assistant.monitor.schedule import JOB_ID, start_scheduler

    settings, _ = monitored
    with pytest.raises(ConfigError):
        start_scheduler(settings.model_copy(update={"monitor_cron": None}), lambda: None)
    with pytest.raises(ConfigError):
        start_scheduler(settings.model_copy(update={"monitor_cron": "every day"}), lambda: None)
    sched = start_scheduler(settings.model_copy(update={"monitor_cron": "0 7 * * 1-5"}),
                            lambda: None)
    try:
        job = sched.get_job(JOB_ID)
        assert job is not None and job.next_run_time.hour == 7
    finally:
        sched.shutdown(wait=False)
