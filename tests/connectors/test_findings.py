"""The monitor at the edges: /v1/findings and /v1/disputes over real HTTP, the digest's
buttons through signed Slack requests, and the scheduler in the server's lifespan. The data
is a private copy of the sample practice with one monitor run done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from assistant.monitor.detect import MonitorReport, run_monitor
from assistant.monitor.digest import ACTION_ACK, ACTION_DISPUTE, digest_blocks
from assistant.monitor.findings import Finding
from assistant.monitor.log import finding_history, list_findings
from assistant.settings import Settings
from connectors.http.app import create_app
from connectors.http.auth import KeyStore, keys_file
from connectors.slack.listeners.findings import updated_digest
from tests.connectors.conftest import SIGNING_SECRET, Server, Stack, practice_copy
from tests.connectors.fakes import FakeSlackAPI, Recorder


class Monitored(Stack):
    """The edge stack over a monitored copy of the practice."""

    report: MonitorReport
    under: str  # the planted underpayment's payer
    other: str  # any other payer


@pytest.fixture(scope="module")
def mon(practice: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Monitored]:
    root = tmp_path_factory.mktemp("findings")
    under = practice.truth["planted"]["underpayment"]["payer_id"]
    payers = [p["payer_id"] for p in practice.truth["payers"]]
    other = next(p for p in payers if p != under)
    vis = root / "visibility.json"
    vis.write_text(json.dumps({"channels": {}, "users": {"UALL": payers, "UNARROW": [other]}}))
    slack = FakeSlackAPI()
    settings = practice_copy(
        practice,
        root,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        slack_visibility_file=vis,
    )
    report = run_monitor(settings)
    store = KeyStore(keys_file(settings))
    keys = {
        "reader": store.add("rita", "reader"),
        "negotiator": store.add("ned", "negotiator"),
        "scoped": store.add("sam", "reader", [under]),
        "otherneg": store.add("olga", "negotiator", [other]),
    }
    from assistant.factory import create_assistant

    assistant = Recorder(create_assistant(settings, embedder=practice.embedder))
    server = Server(create_app(settings, assistant=assistant))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        stack = Monitored(server.url, client, assistant, slack, settings, keys, practice.truth)
        stack.report, stack.under, stack.other = report, under, other
        yield stack
    server.stop()
    slack.close()
    assistant.close()


def _planted(mon: Monitored) -> Finding:
    return next(f for f in mon.report.new if f.kind == "underpayment" and f.payer_id == mon.under)


def _not_planted(mon: Monitored, index: int) -> Finding:
    planted = _planted(mon).finding_id
    return [f for f in mon.report.new if f.finding_id != planted][index]


# --- GET /v1/findings ----------------------------------------------------------------------


def test_findings_need_a_key(mon: Monitored) -> None:
    assert mon.client.get("/v1/findings").status_code == 401
    bad = mon.client.get("/v1/findings", headers={"Authorization": "Bearer pk_nope"})
    assert bad.status_code == 401
    assert set(bad.json()) == {"detail", "request_id"}


def test_reader_lists_findings_and_filters(mon: Monitored) -> None:
    got = mon.client.get("/v1/findings", headers=mon.auth("reader"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["count"] == len(body["findings"]) >= len(mon.report.new) > 0
    ids = {f["finding_id"] for f in body["findings"]}
    assert _planted(mon).finding_id in ids
    unders = mon.client.get(
        "/v1/findings",
        params={"kind": "underpayment", "payer": mon.under},
        headers=mon.auth("reader"),
    ).json()["findings"]
    assert unders and {(f["kind"], f["payer_id"]) for f in unders} == {("underpayment", mon.under)}
    bad = mon.client.get("/v1/findings", params={"status": "lost"}, headers=mon.auth("reader"))
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"].startswith("query.status")


def test_scoped_key_sees_only_its_payer(mon: Monitored) -> None:
    got = mon.client.get("/v1/findings", headers=mon.auth("scoped")).json()["findings"]
    expected = {f.finding_id for f in list_findings(mon.settings, payer_id=mon.under)}
    assert {f["finding_id"] for f in got} == expected
    assert {f["payer_id"] for f in got} == {mon.under}
    other = mon.client.get("/v1/findings", params={"payer": mon.other}, headers=mon.auth("scoped"))
    assert other.status_code == 403


# --- PATCH /v1/findings/{id} --------------------------------------------------------------


def test_patch_status_roles_errors_and_persistence(mon: Monitored) -> None:
    target = _not_planted(mon, 0)
    url = f"/v1/findings/{target.finding_id}"
    body = {"status": "acknowledged", "note": "calling the rep"}
    assert mon.client.patch(url, json=body).status_code == 401
    assert mon.client.patch(url, json=body, headers=mon.auth("reader")).status_code == 403
    bad = mon.client.patch(url, json={"status": "lost"}, headers=mon.auth("negotiator"))
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "status"
    missing = mon.client.patch(
        "/v1/findings/UND-000000000000", json=body, headers=mon.auth("negotiator")
    )
    assert missing.status_code == 404
    planted = f"/v1/findings/{_planted(mon).finding_id}"
    # another payer's finding reads like an unknown id (ids are guessable hashes)
    hidden = mon.client.patch(planted, json=body, headers=mon.auth("otherneg"))
    assert hidden.status_code == 404 and hidden.json()["detail"] == missing.json()["detail"].replace(
        "UND-000000000000", _planted(mon).finding_id)

    ok = mon.client.patch(url, json=body, headers=mon.auth("negotiator"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "acknowledged"
    listed = mon.client.get(
        "/v1/findings", params={"status": "acknowledged"}, headers=mon.auth("reader")
    ).json()["findings"]
    assert target.finding_id in {f["finding_id"] for f in listed}
    last = finding_history(mon.settings, target.finding_id)[-1]
    assert (last.user, last.from_status, last.to_status, last.note) == (
        "ned",
        "new",
        "acknowledged",
        "calling the rep",
    )


# --- POST /v1/disputes --------------------------------------------------------------------


def test_dispute_for_the_planted_underpayment(mon: Monitored, practice: Any) -> None:
    planted = _planted(mon)
    body = {
        "payer": practice.payer_name(mon.under),
        "finding_ids": [planted.finding_id],
        "formats": ["md", "docx"],
    }
    assert mon.client.post("/v1/disputes", json=body, headers=mon.auth("reader")).status_code == 403
    assert (
        mon.client.post("/v1/disputes", json=body, headers=mon.auth("otherneg")).status_code == 403
    )
    got = mon.client.post("/v1/disputes", json=body, headers=mon.auth("negotiator"))
    assert got.status_code == 201, got.text
    draft = got.json()
    assert draft["payer_id"] == mon.under and draft["finding_ids"] == [planted.finding_id]
    lines = planted.evidence.lines
    assert lines
    for ln in lines:
        assert ln.claim_id in draft["markdown"]
    assert draft["total_short"] == pytest.approx(sum(ln.short or 0 for ln in lines), abs=0.01)
    assert set(draft["files"]) == {"md", "docx"}
    folder = mon.settings.data_dir / "disputes" / draft["dispute_id"]
    assert (folder / "dispute.json").exists()

    md = mon.client.get(draft["files"]["md"], headers=mon.auth("negotiator"))
    assert md.status_code == 200 and md.text == draft["markdown"]
    docx = mon.client.get(draft["files"]["docx"], headers=mon.auth("negotiator"))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = mon.client.get(
        f"/v1/disputes/{draft['dispute_id']}/export.pdf", headers=mon.auth("negotiator")
    )
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    hidden = mon.client.get(draft["files"]["md"], headers=mon.auth("otherneg"))
    assert hidden.status_code == 404
    assert (
        mon.client.get(
            "/v1/disputes/0123456789ab/export.md", headers=mon.auth("negotiator")
        ).status_code
        == 404
    )


def test_dispute_body_errors(mon: Monitored) -> None:
    h = mon.auth("negotiator")
    bad = mon.client.post("/v1/disputes", json={"payer": mon.under, "formats": ["rtf"]}, headers=h)
    assert bad.status_code == 422
    unknown = mon.client.post("/v1/disputes", json={"payer": "No Such Payer Inc"}, headers=h)
    assert unknown.status_code == 422
    missing = mon.client.post(
        "/v1/disputes", json={"payer": mon.under, "finding_ids": ["UND-000000000000"]}, headers=h
    )
    assert missing.status_code == 404


# --- Slack buttons -------------------------------------------------------------------------


def _click(mon: Monitored, action_id: str, finding_id: str, user: str) -> httpx.Response:
    blocks = digest_blocks(mon.report, max_findings=15)
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "token": "x",
        "channel": {"id": "CDIGEST"},
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": "CDIGEST",
        },
        "message": {"ts": "1700000000.000001", "text": "Payer monitor", "blocks": blocks},
        "trigger_id": "t",
        "response_url": f"{mon.slack.base_url}response",
        "actions": [
            {
                "action_id": action_id,
                "block_id": f"actions_{finding_id}",
                "value": finding_id,
                "type": "button",
                "action_ts": "1",
            }
        ],
    }
    return mon.slack_post(
        urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    )


def _in_digest(mon: Monitored) -> list[str]:
    blocks = digest_blocks(mon.report, max_findings=15)
    return [
        b["block_id"].removeprefix("finding_")
        for b in blocks
        if b.get("block_id", "").startswith("finding_")
    ]


def test_slack_ack_button_updates_log_and_message(mon: Monitored) -> None:
    target = next(
        fid
        for fid in _in_digest(mon)
        if fid != _not_planted(mon, 0).finding_id and fid != _planted(mon).finding_id
    )
    assert _click(mon, ACTION_ACK, target, "UALL").status_code == 200

    def updated() -> dict | None:
        return next(
            (
                p
                for p in mon.slack.named("chat.update")
                if any(b.get("block_id") == f"status_{target}" for b in p["blocks"])
            ),
            None,
        )

    call = mon.slack.wait_for(updated)
    assert call["channel"] == "CDIGEST" and call["ts"] == "1700000000.000001"
    section = next(b for b in call["blocks"] if b.get("block_id") == f"finding_{target}")
    assert "status: acknowledged" in section["text"]["text"]
    assert [f.status for f in list_findings(mon.settings, finding_ids=[target])] == ["acknowledged"]
    assert finding_history(mon.settings, target)[-1].user == "UALL"


def test_slack_button_refused_outside_the_users_payers(mon: Monitored) -> None:
    planted = _planted(mon)
    before = list_findings(mon.settings, finding_ids=[planted.finding_id])[0].status
    assert _click(mon, ACTION_DISPUTE, planted.finding_id, "UNARROW").status_code == 200
    refusal = mon.slack.wait_for(
        lambda: [p for p in mon.slack.named("chat.postEphemeral") if p["user"] == "UNARROW"]
    )
    assert refusal[0]["text"] == "That finding is no longer in the log."  # like an unknown id
    assert list_findings(mon.settings, finding_ids=[planted.finding_id])[0].status == before


def test_updated_digest_redraws_one_finding(mon: Monitored) -> None:
    blocks = digest_blocks(mon.report, max_findings=15)
    fid = _in_digest(mon)[0]
    finding = next(f for f in mon.report.new if f.finding_id == fid)
    out = updated_digest(blocks, finding.model_copy(update={"status": "disputed"}), "UX")
    assert len(out) == len(blocks) + 1
    section = next(b for b in out if b.get("block_id") == f"finding_{fid}")
    assert "status: disputed" in section["text"]["text"]
    note = out[out.index(section) + 2]
    assert note["block_id"] == f"status_{fid}" and "<@UX>" in note["elements"][0]["text"]
    again = updated_digest(out, finding.model_copy(update={"status": "acknowledged"}), "UY")
    assert len(again) == len(out)


# --- the scheduler in the lifespan ---------------------------------------------------------


def _serve(tmp: Path, cron: str | None, embedder: Any) -> tuple[Any, bool]:
    """Start and stop a server; (its scheduler, whether it ran the monitor job while
    serving)."""
    from assistant.factory import create_assistant

    settings = Settings(data_dir=tmp, environment="test", monitor_cron=cron)
    assistant = create_assistant(settings, embedder=embedder)
    app = create_app(settings, assistant=assistant)
    server = Server(app)
    sched = app.state.scheduler
    running = bool(sched is not None and sched.running and sched.get_job("parley_monitor"))
    server.stop()
    assistant.close()
    return sched, running


def test_scheduler_runs_only_when_cron_is_set(tmp_path: Path, shared_embedder: Any) -> None:
    assert _serve(tmp_path / "a", None, shared_embedder) == (None, False)
    sched, running = _serve(tmp_path / "b", "0 7 * * 1-5", shared_embedder)
    assert running
    assert not sched.running  # shut down with the server
