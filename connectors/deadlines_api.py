"""Contract deadlines for both edges, from ``assistant.analytics.deadlines``."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from assistant.analytics.common import payer_names
from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
from assistant.settings import Settings
from assistant.stores.warehouse import open_warehouse

log = logging.getLogger("parley.deadlines")


def upcoming(
    settings: Settings,
    assistant: Any,
    as_of: dt.date | None,
    within_days: int | None,
    allowed_payers: list[str] | None,
) -> list[dict[str, Any]]:
    """Contracts whose notice deadline falls within the window, limited to
    ``allowed_payers`` when given (rows as JSON-ready dicts with ``payer_name``)."""
    deps = getattr(assistant, "deps", None)
    params = DeadlineParams(
        as_of=as_of or settings.today(),
        within_days=within_days or settings.deadline_window_days,
        prep_lead_days=settings.prep_lead_days,
    )
    conn = deps.warehouse_factory() if deps is not None else open_warehouse(settings, read_only=True)
    try:
        result = contract_deadlines(conn, params)
        names = payer_names(conn)
    finally:
        conn.close()
    rows = []
    for c in result.contracts:
        if allowed_payers is not None and c.payer_id not in allowed_payers:
            continue
        row = c.model_dump(mode="json")
        row["payer_name"] = names.get(c.payer_id or "", c.payer_id)
        rows.append(row)
    return rows
