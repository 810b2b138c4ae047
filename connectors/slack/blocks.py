"""Pure Block Kit builders: data in, blocks out (no Slack client, no I/O)."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer import Answer, Citation

SECTION_MAX = 2900
CONTEXT_MAX = 1900
FEEDBACK_UP = "parley_feedback_up"
FEEDBACK_DOWN = "parley_feedback_down"

Block = dict[str, Any]


def to_mrkdwn(markdown: str) -> str:
    """Markdown → Slack mrkdwn: **bold** → *bold*, headings → bold lines, [t](u) → <u|t>."""
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", markdown)
    text = re.sub(r"^#{1,6}\s*(.+)$", r"*\1*", text, flags=re.M)
    return re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"<\2|\1>", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    """A mrkdwn section, clipped to Slack's limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text or " ", SECTION_MAX)}}


def context(*texts: str) -> Block:
    """A context block of up to ten mrkdwn elements."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _clip(t, CONTEXT_MAX)} for t in texts[:10]],
    }


def cite_line(c: Citation) -> str:
    """``[1] Keystone agreement, p. 4, § 7.2 — “quote…”``."""
    where = ", ".join(
        p
        for p in (
            c.document,
            f"p. {c.page}" if c.page else "",
            f"§ {c.section}" if c.section else "",
        )
        if p
    )
    quote = _clip(" ".join(c.quote.split()), 160)
    return f"[{c.n}] {where}" + (f" — “{quote}”" if quote else "")


def progress_blocks(label: str) -> list[Block]:
    """The placeholder shown while an answer is being worked on."""
    return [context(f":hourglass_flowing_sand: {label}")]


def answer_blocks(answer: Answer, note: str | None = None) -> list[Block]:
    """Text, a "Sources" context, figure provenance, and 👍/👎 buttons."""
    blocks: list[Block] = [section(to_mrkdwn(answer.text))]
    if answer.citations:
        blocks.append(context("*Sources*", *[cite_line(c) for c in answer.citations[:9]]))
    if answer.figures:
        seen: list[str] = []
        for f in answer.figures:
            filters = ", ".join(f"{k}={v}" for k, v in f.filters.items() if v not in (None, ""))
            line = f"{f.tool}({filters})" + (f" over {f.rows} rows" if f.rows else "")
            if line not in seen:
                seen.append(line)
        blocks.append(context("*Figures from*", *seen[:9]))
    if note:
        blocks.append(context(note))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"feedback:{answer.answer_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": FEEDBACK_UP,
                    "value": answer.answer_id,
                    "text": {"type": "plain_text", "text": "👍", "emoji": True},
                },
                {
                    "type": "button",
                    "action_id": FEEDBACK_DOWN,
                    "value": answer.answer_id,
                    "text": {"type": "plain_text", "text": "👎", "emoji": True},
                },
            ],
        }
    )
    return blocks


def answer_fallback(answer: Answer) -> str:
    """Plain text for notifications and clients without blocks."""
    return _clip(answer.text, 3000)


def error_blocks(message: str, ref: str) -> list[Block]:
    """A friendly sentence and the reference id to quote."""
    return [section(f":warning: {message}"), context(f"Reference: `{ref}`")]


def deadlines_blocks(rows: list[dict[str, Any]], as_of: str) -> list[Block]:
    """A compact list of upcoming contract deadlines."""
    if not rows:
        return [section(f"No contract deadlines coming due (as of {as_of}).")]
    lines = []
    for r in rows[:40]:
        who = r.get("payer_name") or r.get("payer_id") or "?"
        when = r.get("notice_deadline") or r.get("deadline") or r.get("date") or "?"
        what = r.get("kind") or r.get("term") or "notice deadline"
        extra = f" (expires {r['expiration_date']})" if r.get("expiration_date") else ""
        lines.append(f"• *{who}* — {what}: *{when}*{extra}")
    return [section(f"*Contract deadlines* (as of {as_of})"), section("\n".join(lines))]


def brief_summary_blocks(payer: str, asks: list[str], brief_id: str) -> list[Block]:
    """The brief's headline asks, with a pointer to the uploaded full document."""
    body = "\n".join(asks) or "The full brief is attached."
    return [
        section(f"*Negotiation brief — {payer}*"),
        section(to_mrkdwn(body)),
        context(f"Full brief attached in the thread · id `{brief_id}`"),
    ]
