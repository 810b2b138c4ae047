"""Negotiation briefs for both edges, from ``assistant.briefs``.

The builder stores each brief under ``settings.briefs_dir/<id>/``; these helpers add what
the edges need: the assistant's loaded embedder and retriever, a payer-scope guard and the
summary lines for Slack.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.briefs.build import build_brief, export_brief
from assistant.briefs.models import Brief
from assistant.briefs.store import load_brief
from assistant.errors import NotFoundError, PermissionDenied
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger("parley.briefs")
EXPORT_FORMATS = ("md", "html", "docx", "pdf")


def _prebuilt(assistant: Assistant) -> dict[str, Any]:
    """The assistant's embedder and retriever, so a brief does not load its own."""
    out: dict[str, Any] = {}
    if assistant.embedder is not None:
        out["embedder"] = assistant.embedder
    try:
        out["retriever"] = assistant.deps.retriever
    except Exception:  # the brief then opens its own
        log.warning("could not reuse the assistant's retriever", exc_info=True)
    return out


def check_scope(brief: Brief, allowed_payers: list[str] | None) -> None:
    """Refuse a brief about a payer outside ``allowed_payers`` (as not found: no leak), and a
    brief built for a wider scope than the caller's (it names or ranks other payers)."""
    built_for = brief.facts.get("scope")
    if allowed_payers is not None and (
            brief.payer_id not in allowed_payers
            or built_for is None or not set(built_for) <= set(allowed_payers)):
        raise NotFoundError(f"No brief with id '{brief.brief_id}'")


def build(
    settings: Settings,
    assistant: Assistant,
    payer: str,
    allowed_payers: list[str] | None,
    as_of: dt.date | None = None,
    formats: tuple[str, ...] = ("md",),
) -> Brief:
    """Build and store the brief for ``payer``; refuse payers outside the caller's scope."""
    brief = build_brief(settings, payer, as_of=as_of, formats=formats, allowed_payers=allowed_payers,
                        **_prebuilt(assistant))
    if allowed_payers is not None and brief.payer_id not in allowed_payers:
        raise PermissionDenied("You may not see briefs for that payer.")
    return brief


def load(settings: Settings, brief_id: str, allowed_payers: list[str] | None) -> Brief:
    """A stored brief by id, within the caller's payer scope."""
    brief = load_brief(settings, brief_id)
    check_scope(brief, allowed_payers)
    return brief


def export(settings: Settings, brief_id: str, fmt: str, allowed_payers: list[str] | None) -> Path:
    """The brief as ``fmt`` (md, html, docx, pdf), written next to it on first request."""
    if fmt not in EXPORT_FORMATS:
        raise NotFoundError(f"Unknown export format '{fmt}'; use {', '.join(EXPORT_FORMATS)}.")
    load(settings, brief_id, allowed_payers)
    return Path(export_brief(settings, brief_id, fmt))


def summary_lines(brief: Brief, limit: int = 6) -> list[str]:
    """The headline asks as short Markdown lines (for the Slack summary)."""
    lines = []
    for ask in brief.summary[:limit]:
        value = ask.annual_value
        money = f" (≈ ${value:,.0f}/yr)" if value is not None else ""
        lines.append(f"• **{ask.title}**{money} — {ask.detail}")
    return lines
