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
from assistant.errors import NotFoundError
from assistant.scope import Scope
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


def check_scope(brief: Brief, scope: Scope) -> None:
    """Refuse a brief about a payer outside ``scope`` (as not found: no leak), and a
    brief built for a wider scope than the caller's (it names or ranks other payers)."""
    built_for = brief.facts.get("scope")
    if scope.scoped and (
            not scope.allows(brief.payer_id)
            or built_for is None or not all(scope.allows(p) for p in built_for)):
        raise NotFoundError(f"No brief with id '{brief.brief_id}'")


def build(
    settings: Settings,
    assistant: Assistant,
    payer: str,
    scope: Scope,
    as_of: dt.date | None = None,
    formats: tuple[str, ...] = ("md",),
) -> Brief:
    """Build and store the brief for ``payer``: the payer is resolved within the caller's
    scope before anything is computed (a hidden or unknown payer: PermissionDenied)."""
    return build_brief(settings, payer, as_of=as_of, formats=formats, scope=scope,
                       **_prebuilt(assistant))


def load(settings: Settings, brief_id: str, scope: Scope) -> Brief:
    """A stored brief by id, within the caller's payer scope."""
    brief = load_brief(settings, brief_id)
    check_scope(brief, scope)
    return brief


def export(settings: Settings, brief_id: str, fmt: str, scope: Scope) -> Path:
    """The brief as ``fmt`` (md, html, docx, pdf), written next to it on first request."""
    if fmt not in EXPORT_FORMATS:
        raise NotFoundError(f"Unknown export format '{fmt}'; use {', '.join(EXPORT_FORMATS)}.")
    load(settings, brief_id, scope)
    return Path(export_brief(settings, brief_id, fmt))


def summary_lines(brief: Brief, limit: int = 6) -> list[str]:
    """The headline asks as short Markdown lines (for the Slack summary)."""
    lines = []
    for ask in brief.summary[:limit]:
        value = ask.annual_value
        money = f" (≈ ${value:,.0f}/yr)" if value is not None else ""
        lines.append(f"• **{ask.title}**{money} — {ask.detail}")
    return lines
