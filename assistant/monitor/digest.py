"""The Slack digest of a monitor run: pure Block Kit builders (testable without Slack) and
``post_digest`` which sends them with a ``slack_sdk`` WebClient given by the caller.

Buttons: ``finding_ack`` (→ acknowledged) and ``finding_dispute`` (→ disputed), each
carrying the finding id in ``value``; ``handle_finding_action`` applies a click to the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError, InputError
from assistant.monitor.findings import Finding
from assistant.scope import Scope
from assistant.settings import Settings

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from assistant.monitor.detect import MonitorReport

ACTION_ACK = "finding_ack"
ACTION_DISPUTE = "finding_dispute"
ACTION_STATUS: dict[str, str] = {ACTION_ACK: "acknowledged", ACTION_DISPUTE: "disputed"}
KIND_LABELS = {"underpayment": "Underpayments", "late_payment": "Late payments",
               "denial_change": "Denial changes", "deadline": "Deadlines"}
MAX_TEXT = 2900  # Slack section text limit is 3000


def _money(x: float | None) -> str:
    return f"${x:,.2f}" if x is not None else "—"


def totals_block(report: MonitorReport) -> dict[str, Any]:
    """The first section: counts and dollars at stake per kind."""
    t = report.totals
    parts = [f"*{t['new']} new findings* ({_money(t['amount_new'])} at stake), "
             f"{t['updated']} updated, {t['open']} open in the log."]
    for kind, label in KIND_LABELS.items():
        if kind in t:
            amount = f", {_money(t[kind]['amount'])}" if kind != "deadline" else ""
            parts.append(f"• {label}: {t[kind]['count']}{amount}")
    return {"type": "section", "block_id": "digest_totals",
            "text": {"type": "mrkdwn", "text": "\n".join(parts)[:MAX_TEXT]}}


def finding_blocks(f: Finding) -> list[dict[str, Any]]:
    """One finding: title, key figures, the first clause cited, and the two buttons."""
    lines = [f"*{f.title}*"]
    if f.amount is not None:
        lines.append(f"Amount: {_money(f.amount)} · status: {f.status} · id `{f.finding_id}`")
    else:
        lines.append(f"Date: {f.details.get('date')} · status: {f.status} · id "
                     f"`{f.finding_id}`")
    if f.evidence.clauses:
        c = f.evidence.clauses[0]
        where = ", ".join(x for x in (c.document, c.section, f"p. {c.page}" if c.page else None)
                          if x)
        lines.append(f"> {c.quote[:300]}\n_{where}_")
    buttons = [{"type": "button", "action_id": ACTION_ACK, "value": f.finding_id,
                "text": {"type": "plain_text", "text": "Acknowledge"}}]
    if f.kind != "deadline":
        buttons.append({"type": "button", "action_id": ACTION_DISPUTE, "value": f.finding_id,
                        "style": "danger",
                        "text": {"type": "plain_text", "text": "Start dispute"}})
    return [{"type": "section", "block_id": f"finding_{f.finding_id}",
             "text": {"type": "mrkdwn", "text": "\n".join(lines)[:MAX_TEXT]}},
            {"type": "actions", "block_id": f"actions_{f.finding_id}", "elements": buttons}]


def digest_blocks(report: MonitorReport, max_findings: int = 10) -> list[dict[str, Any]]:
    """The digest: header, totals first, then the top new findings (money first, then the
    soonest deadlines). Slack allows 50 blocks; each finding takes 2 (+1 divider)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text",
                                    "text": f"Payer monitor — {report.as_of.isoformat()}"}},
        totals_block(report)]
    money = sorted((f for f in report.new if f.amount), key=lambda f: -(f.amount or 0))
    dates = sorted((f for f in report.new if not f.amount),
                   key=lambda f: str(f.details.get("date") or ""))
    top = (money + dates)[:max(0, min(max_findings, 15))]
    for f in top:
        blocks.append({"type": "divider"})
        blocks.extend(finding_blocks(f))
    if len(report.new) > len(top):
        blocks.append({"type": "context", "elements": [{
            "type": "mrkdwn",
            "text": f"{len(report.new) - len(top)} more: run `parley findings --status new`."}]})
    if not report.new:
        blocks.append({"type": "context", "elements": [{
            "type": "mrkdwn", "text": "Nothing new since the last run."}]})
    return blocks


def digest_text(report: MonitorReport) -> str:
    """Plain-text fallback of the digest (notifications, screen readers)."""
    t = report.totals
    return (f"Payer monitor {report.as_of.isoformat()}: {t['new']} new findings, "
            f"{_money(t['amount_new'])} at stake")


def channel_scope(settings: Settings, channel: str) -> Scope:
    """What every member of ``channel`` may see, from the Slack visibility file (every
    payer without one; nothing for a channel the file does not map)."""
    from assistant.visibility import Visibility

    return Visibility.load(settings.slack_visibility_file).channel(channel)


def open_in_scope(settings: Settings, scope: Scope) -> int:
    """Open findings (new, acknowledged, disputed) of the payers ``scope`` may see."""
    from assistant.monitor.log import list_findings

    found = list_findings(settings, status=["new", "acknowledged", "disputed"])
    return len(scope.keep(found, lambda f: f.payer_id))


def post_digest(settings: Settings, report: MonitorReport, client: WebClient,
                channel: str | None = None) -> dict[str, Any]:
    """Post the digest to ``channel`` or ``settings.slack_digest_channel`` with ``client``
    (a ``slack_sdk.WebClient``); returns {channel, ts}. The digest holds only the findings
    of the payers that channel may see (the Slack visibility file), and its totals are
    theirs; a channel that may see no payer gets nothing posted."""
    target = channel or settings.slack_digest_channel
    if not target:
        raise ConfigError("Set PARLEY_SLACK_DIGEST_CHANNEL to post the monitor digest.")
    scope = channel_scope(settings, target)
    if scope.empty:
        return {"channel": target, "ts": None, "skipped": "the channel may see no payer"}
    if scope.scoped:
        report = report.seen_by(scope, open_in_scope(settings, scope))
    resp = client.chat_postMessage(channel=target, text=digest_text(report),
                                   blocks=digest_blocks(report))
    return {"channel": resp.get("channel", target), "ts": resp.get("ts")}


def handle_finding_action(settings: Settings, action_id: str, finding_id: str, user: str,
                          note: str | None = None) -> Finding:
    """Apply a digest button click (``finding_ack`` / ``finding_dispute``) to the log."""
    from assistant.monitor.log import set_status

    status = ACTION_STATUS.get(action_id)
    if status is None:
        raise InputError(f"Unknown digest action '{action_id}'.")
    return set_status(settings, finding_id, status, user, note)


def create_web_client(settings: Settings) -> Any:
    """A slack_sdk WebClient from the settings (bot token, optional API base URL)."""
    if settings.slack_bot_token is None:
        raise ConfigError("Slack is not configured: set PARLEY_SLACK_BOT_TOKEN "
                          "(and PARLEY_SLACK_DIGEST_CHANNEL) to post the digest.")
    if not settings.slack_digest_channel:
        raise ConfigError("Set PARLEY_SLACK_DIGEST_CHANNEL to post the monitor digest.")
    from slack_sdk import WebClient

    kwargs: dict[str, Any] = {"token": settings.slack_bot_token.get_secret_value()}
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(**kwargs)
