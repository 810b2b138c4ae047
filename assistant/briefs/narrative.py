"""Model-written narrative: a capable chat model rewrites the Summary's opening and the
talking points from the computed facts; every sentence is checked with
``assistant.grounding`` and any violation keeps the templated text."""

from __future__ import annotations

import json
import logging
from typing import Any

from assistant.grounding import Evidence, check
from assistant.prompts import load_prompt

log = logging.getLogger(__name__)


def wants_model(settings: Any, model_spec: str | None) -> bool:
    """True when a non-offline chat model is configured or asked for."""
    spec = (model_spec or settings.chat_model or "offline").strip()
    return spec != "offline"


def write_grounded(chat_model: Any, what: str, facts: dict[str, Any], practice: str,
                   payer_name: str, max_items: int = 8) -> str | None:
    """Ask the model for ``what``; return its Markdown only if every number and quote is
    supported by ``facts`` (None otherwise, or on any model error)."""
    prompt = load_prompt("brief/narrative.md.j2", what=what, practice=practice,
                         payer_name=payer_name, max_items=max_items,
                         facts_json=json.dumps(facts, default=str, indent=1))
    try:
        reply = chat_model.invoke(prompt)
    except Exception:  # a provider failure must not fail the brief
        log.warning("brief narrative: model call failed; keeping templated text", exc_info=True)
        return None
    text = getattr(reply, "content", reply)
    if isinstance(text, list):
        text = "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in text)
    text = str(text).strip()
    if not text:
        return None
    report = check(text, Evidence.from_artifacts([facts]))
    if not report.ok:
        log.info("brief narrative rejected: numbers %s quotes %s",
                 report.unsupported_numbers, report.unsupported_quotes)
        return None
    return text
