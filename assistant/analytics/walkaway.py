"""Walk-away impact: revenue and patients at risk if a payer's contract ends, with
assumptions the user can change (share of patients retained through other payers or
self-pay, and at what share of today's revenue per patient)."""

from __future__ import annotations

import datetime as dt

import duckdb
from pydantic import BaseModel, Field

from assistant.analytics.common import (
    AnalyticsResult,
    annualise_factor,
    claim_facts_source,
    default_volume_period,
    money,
    period_filters,
    resolve_inputs,
    rows,
)
from assistant.periods import Period


class WalkawayParams(BaseModel):
    """The payer to walk away from and the retention assumptions."""

    payer: str
    as_of: dt.date
    period: Period | None = None  # volume basis; default trailing 12 months
    retention_share: float = Field(0.0, ge=0, le=1)  # patients kept via other payers/self-pay
    retained_revenue_ratio: float = Field(1.0, ge=0)  # their revenue vs today's per patient


class WalkawayResult(AnalyticsResult):
    """Annualised figures for one payer."""

    payer_id: str
    patients: int
    claims: int
    annual_revenue: float  # paid, annualised
    practice_annual_revenue: float
    share_of_revenue: float  # percent
    retention_share: float
    retained_revenue_ratio: float
    patients_lost: int
    revenue_retained: float
    revenue_lost: float
    cost_avoided: float  # cost per service of the lost volume (0 without costs)
    margin_lost: float  # revenue lost - cost avoided


def walkaway_impact(conn: duckdb.DuckDBPyConnection, params: WalkawayParams) -> WalkawayResult:
    """Revenue, patients and margin at risk if the payer's contract ends."""
    payer_id, _ = resolve_inputs(conn, params.payer, None)
    assert payer_id is not None
    period = params.period or default_volume_period(params.as_of)
    factor = annualise_factor(period)
    src = claim_facts_source(conn)
    d = rows(conn, f"""SELECT coalesce(sum(lines) FILTER (payer_id = ?), 0) AS n,
        count(DISTINCT patient_key) FILTER (payer_id = ?) AS patients,
        count(*) FILTER (payer_id = ?) AS claims,
        coalesce(sum(paid) FILTER (payer_id = ?), 0) AS paid,
        coalesce(sum(paid), 0) AS all_paid,
        coalesce(sum(cost) FILTER (payer_id = ?), 0) AS cost
        FROM {src} f WHERE claim_date BETWEEN ? AND ?""",
        [payer_id] * 5 + [period.start, period.end])[0]
    revenue = float(d["paid"]) * factor
    practice = float(d["all_paid"]) * factor
    kept = params.retention_share
    retained = revenue * kept * params.retained_revenue_ratio
    lost = revenue - retained
    cost_avoided = float(d["cost"]) * factor * (1 - kept)
    filters = {"payer_id": payer_id, "as_of": params.as_of.isoformat(),
               "retention_share": kept, "retained_revenue_ratio": params.retained_revenue_ratio,
               "volume": period_filters(period)}
    return WalkawayResult(
        function="walkaway_impact", filters=filters, row_count=int(d["n"]), payer_id=payer_id,
        patients=int(d["patients"]), claims=int(d["claims"]), annual_revenue=money(revenue),
        practice_annual_revenue=money(practice),
        share_of_revenue=round(100 * revenue / practice, 2) if practice else 0.0,
        retention_share=kept, retained_revenue_ratio=params.retained_revenue_ratio,
        patients_lost=round(int(d["patients"]) * (1 - kept)),
        revenue_retained=money(retained), revenue_lost=money(lost),
        cost_avoided=money(cost_avoided), margin_lost=money(lost - cost_avoided))
