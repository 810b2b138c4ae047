"""Pure Block Kit builders: data in, blocks out (no Slack client, no I/O)."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer import Answer, Citation

SECTION_MAX = 2900  # Slack: 3,000 characters per section text
CONTEXT_MAX = 1900  # Slack: 2,000 characters per context element
CONTEXT_ELEMENTS = 10  # Slack: 10 elements per context block
MAX_BLOCKS = 50  # Slack: 50 blocks per message
DEADLINES_SHOWN = 40
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


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def section(text: str) -> Block:
    """A mrkdwn section, clipped to Slack's limit (short, known-size texts)."""
    return _section(_clip(text or " ", SECTION_MAX))


def split_text(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a paragraph break, else a line break,
    else a space (in the second half of the piece), else hard."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut >= limit // 2:
                break
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [p for p in pieces if p.strip()] or [" "]


def sections(text: str) -> list[Block]:
    """Long mrkdwn as as many sections as it needs, so nothing is cut off."""
    return [_section(p) for p in split_text(text)]


def context(*texts: str) -> Block:
    """A context block of up to ten mrkdwn elements."""
    return {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": _clip(t, CONTEXT_MAX)} for t in texts[:CONTEXT_ELEMENTS]
        ],
    }


def contexts(header: str, lines: list[str]) -> list[Block]:
    """A header and every line, over as many context blocks as ten-element blocks need."""
    items = [header, *lines]
    return [context(*items[i : i + CONTEXT_ELEMENTS]) for i in range(0, len(items), CONTEXT_ELEMENTS)]


QUOTE_MAX = 300  # characters of a citation's quote (the answering span) shown in Slack


def cite_line(c: Citation) -> str:
    """``[1] Keystone agreement (keystone.pdf), p. 4, § 7.2 — “quote…”``: document, file
    name when the title is not already it, page (range), section, and the answering span."""
    pages = f"pp. {c.page}–{c.page_end}" if c.page and c.page_end and c.page_end > c.page else (
        f"p. {c.page}" if c.page else "")
    doc = c.document
    if c.file and c.file != c.document:
        doc = f"{doc} ({c.file})" if doc else c.file
    where = ", ".join(p for p in (doc, pages, f"§ {c.section}" if c.section else "") if p)
    quote = _clip(" ".join(c.quote.split()), QUOTE_MAX)
    return f"[{c.n}] {where}" + (f" — “{quote}”" if quote else "")


def progress_blocks(label: str) -> list[Block]:
    """The placeholder shown while an answer is being worked on."""
    return [context(f":hourglass_flowing_sand: {label}")]


def answer_blocks(answer: Answer, note: str | None = None) -> list[Block]:
    """Text (split over sections when long), every source, figure provenance, and 👍/👎."""
    blocks: list[Block] = sections(to_mrkdwn(answer.text))
    if answer.citations:
        blocks.extend(contexts("*Sources*", [cite_line(c) for c in answer.citations]))
    if answer.figures:
        seen: list[str] = []
        for f in answer.figures:
            filters = ", ".join(f"{k}={v}" for k, v in f.filters.items() if v not in (None, ""))
            line = f"{f.tool}({filters})" + (f" over {f.rows} rows" if f.rows else "")
            if line not in seen:
                seen.append(line)
        blocks.extend(contexts("*Figures from*", seen))
    if note:
        blocks.append(context(note))
    if len(blocks) > MAX_BLOCKS - 1:  # only a book-length answer gets here
        blocks = blocks[: MAX_BLOCKS - 2] + [
            context("Shortened for Slack; ask the CLI or the HTTP API for the full answer.")
        ]
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
    shown = rows[:DEADLINES_SHOWN]
    for r in shown:
        who = r.get("payer_name") or r.get("payer_id") or "?"
        when = r.get("notice_deadline") or r.get("deadline") or r.get("date") or "?"
        what = r.get("kind") or r.get("term") or "notice deadline"
        extra = f" (expires {r['expiration_date']})" if r.get("expiration_date") else ""
        lines.append(f"• *{who}* — {what}: *{when}*{extra}")
    if len(rows) > len(shown):
        lines.append(f"…and {len(rows) - len(shown)} more; ask about one payer to see its own.")
    return [section(f"*Contract deadlines* (as of {as_of})"), *sections("\n".join(lines))]


def brief_summary_blocks(payer: str, asks: list[str], brief_id: str) -> list[Block]:
    """The brief's headline asks, with a pointer to the uploaded full document."""
    body = "\n".join(asks) or "The full brief is attached."
    return [
        section(f"*Negotiation brief — {payer}*"),
        *sections(to_mrkdwn(body)),
        context(f"Full brief attached in the thread · id `{brief_id}`"),
    ]
