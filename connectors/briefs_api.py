"""Negotiation briefs for both edges, from ``assistant.briefs``.

The builder stores each brief under ``settings.briefs_dir/<id>/``; these helpers add what
the edges need: the assistant's loaded embedder and retriever, a payer-scope guard and the
summary lines for Slack.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from assistant.briefs.build import build_brief, export_brief
from assistant.briefs.store import load_brief
from assistant.errors import NotFoundError, PermissionDenied
from assistant.settings import Settings

log = logging.getLogger("parley.briefs")
EXPORT_FORMATS = ("md", "html", "docx", "pdf")


def _prebuilt(assistant: Any) -> dict[str, Any]:
    """The assistant's embedder and retriever, so a brief does not load its own."""
    out: dict[str, Any] = {}
    if getattr(assistant, "embedder", None) is not None:
        out["embedder"] = assistant.embedder
    deps = getattr(assistant, "deps", None)
    if deps is not None:
        try:
            out["retriever"] = deps.retriever
        except Exception:
            log.warning("could not reuse the assistant's retriever", exc_info=True)
    return out


def check_scope(brief: Any, allowed_payers: list[str] | None) -> None:
    """Refuse a brief about a payer outside ``allowed_payers`` (as not found: no leak), and a
    brief built for a wider scope than the caller's (it names or ranks other payers)."""
    built_for = (getattr(brief, "facts", None) or {}).get("scope")
    if allowed_payers is not None and (
            getattr(brief, "payer_id", None) not in allowed_payers
            or built_for is None or not set(built_for) <= set(allowed_payers)):
        raise NotFoundError(f"No brief with id '{getattr(brief, 'brief_id', '?')}'")


def build(
    settings: Settings,
    assistant: Any,
    payer: str,
    allowed_payers: list[str] | None,
    as_of: dt.date | None = None,
    formats: tuple[str, ...] = ("md",),
) -> Any:
    """Build and store the brief for ``payer``; refuse payers outside the caller's scope."""
    brief = build_brief(settings, payer, as_of=as_of, formats=formats, allowed_payers=allowed_payers,
                        **_prebuilt(assistant))
    if allowed_payers is not None and brief.payer_id not in allowed_payers:
        raise PermissionDenied("You may not see briefs for that payer.")
    return brief


def load(settings: Settings, brief_id: str, allowed_payers: list[str] | None) -> Any:
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


def summary_lines(brief: Any, limit: int = 6) -> list[str]:
    """The headline asks as short Markdown lines (for the Slack summary)."""
    lines = []
    for ask in list(getattr(brief, "summary", []) or [])[:limit]:
        value = getattr(ask, "annual_value", None)
        money = f" (≈ ${value:,.0f}/yr)" if isinstance(value, int | float) else ""
        lines.append(f"• **{ask.title}**{money} — {ask.detail}")
    return lines
