"""Contract deadlines for both edges, from ``assistant.analytics.deadlines``."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from assistant.analytics.common import payer_names
from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
from assistant.scope import Scope
from assistant.settings import Settings
from connectors.redact import replace_paths

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger("parley.deadlines")


def upcoming(
    settings: Settings,
    assistant: Assistant,
    as_of: dt.date | None,
    within_days: int | None,
    scope: Scope,
) -> list[dict[str, Any]]:
    """Contracts whose notice deadline falls within the window, of the payers ``scope``
    may see (a SQL filter; rows as JSON-ready dicts with ``payer_name``)."""
    params = DeadlineParams(
        as_of=as_of or settings.today(),
        within_days=within_days or settings.deadline_window_days,
        prep_lead_days=settings.prep_lead_days,
        within=scope.allowed,
    )
    conn = assistant.deps.connect()
    try:
        result = contract_deadlines(conn, params)
        names = payer_names(conn)
    finally:
        conn.close()
    rows = []
    for c in result.contracts:
        row = replace_paths(c.model_dump(mode="json"), {})  # file names, not server paths
        row["payer_name"] = names.get(c.payer_id or "", c.payer_id)
        rows.append(row)
    return rows
