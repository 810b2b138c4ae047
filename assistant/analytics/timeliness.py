"""Payment timeliness: days from claim receipt (or submission) to payment per payer, the
share paid later than the contract's clean-claim days, and prompt-pay interest owed
(principal x annual rate x days late / 365) where the contract states a rate."""

from __future__ import annotations

from typing import Any, Literal

import duckdb
from pydantic import BaseModel

from assistant.analytics.common import (
    AnalyticsResult,
    ScopedParams,
    claim_facts_source,
    line_where,
    money,
    period_filters,
    resolve_inputs,
    rows,
)
from assistant.periods import Period

BUCKETS = ((0, 15), (16, 30), (31, 45), (46, 60), (61, 90), (91, 100000))


class TimelinessParams(ScopedParams):
    """Filters; fallbacks used for payers without a loaded contract term."""

    payer: str | None = None
    period: Period | None = None  # on the claim's received (or submitted) date
    basis: Literal["received", "submitted"] = "received"
    default_clean_claim_days: int = 30
    default_interest_pct: float | None = None  # annual %, when no term is loaded


class PayerTimeliness(BaseModel):
    """Days-to-pay of one payer's paid claims."""

    payer_id: str
    claims: int
    mean_days: float
    p50_days: float
    p90_days: float
    max_days: int
    clean_claim_days: int
    clean_claim_days_source: str  # contract_terms | parameter
    late_claims: int
    share_late: float  # percent of paid claims
    late_principal: float
    interest_pct: float | None
    interest_source: str | None  # contract_terms | parameter | None
    interest_owed: float
    histogram: dict[str, int]  # "0-15", "16-30", ... "91+"
    # Interest the payer already paid on its remittances (835 PLB adjustments with reason
    # L6, tied to these claims by the claim id in PLB03-2; unreferenced ones only when no
    # period is asked), and what is still owed.
    interest_paid: float = 0.0
    interest_outstanding: float = 0.0


class TimelinessResult(AnalyticsResult):
    """Timeliness per payer."""

    basis: str
    claims: int
    late_claims: int
    share_late: float
    interest_owed: float
    by_payer: list[PayerTimeliness]
    interest_paid: float = 0.0
    interest_outstanding: float = 0.0


def _term_sql(term: str) -> str:
    """Validity ranges [tf, tt) of one numeric term per payer (amendments end earlier rows).

    A range join on a handful of term rows is much faster here than DuckDB's ASOF join.
    """
    return f"""SELECT payer_id, coalesce(program, '') AS program,
               coalesce(effective_from, DATE '1900-01-01') AS tf,
               lead(coalesce(effective_from, DATE '1900-01-01'), 1, DATE '9999-12-31')
                   OVER (PARTITION BY payer_id, coalesce(program, '')
                         ORDER BY effective_from NULLS FIRST) AS tt,
               value_num AS v
               FROM contract_terms WHERE term = '{term}' AND value_num IS NOT NULL"""


def _term_per_key(alias: str) -> str:
    """Per (payer, program, start date) of the claims, the term in force on that date for
    that program (CLP06), else the agreement's general term, else the longest/highest of
    the programs' (a claim of unknown program is never called late under a stricter
    program's term). Terms vary only by payer, program and date, so this is worked out
    once per distinct key, not once per claim (680k claims → ~20k keys at 1M lines)."""
    return f"""SELECT k.payer_id, k.program, k.start_date,
               coalesce(max({alias}.v) FILTER ({alias}.program = k.program AND k.program <> ''),
                        max({alias}.v) FILTER ({alias}.program = ''), max({alias}.v)) AS v
               FROM keys k LEFT JOIN {alias} ON k.payer_id = {alias}.payer_id
                    AND k.start_date >= {alias}.tf AND k.start_date < {alias}.tt
               GROUP BY k.payer_id, k.program, k.start_date"""


def _interest_paid(conn: duckdb.DuckDBPyConnection, payer_id: str | None,
                   params: TimelinessParams, start_col: str) -> dict[str, float]:
    """Interest each payer paid through 835 provider adjustments (PLB reason L6; the
    amount is negative there because it adds to the payment)."""
    where = "p.payer_id = ?" if payer_id else "TRUE"
    p: list[Any] = [payer_id] if payer_id else []
    scoped, extra = params.scope.sql("p.payer_id")
    where, p = f"{where} AND {scoped}", p + extra
    claims_in_period = "TRUE"
    if params.period is not None:
        claims_in_period = (f"a.reference IN (SELECT claim_id FROM claim_facts WHERE "
                            f"{start_col} BETWEEN ? AND ?)")
        p = p + [params.period.start, params.period.end]
    got = conn.execute(f"""SELECT p.payer_id, -sum(a.amount)
        FROM remit_provider_adjustments a JOIN remit_payments p USING (payment_id)
        WHERE a.reason_code = 'L6' AND p.payer_id IS NOT NULL AND {where}
          AND {claims_in_period} GROUP BY 1""", p).fetchall()
    return {str(pid): float(v or 0) for pid, v in got}


def payment_timeliness(conn: duckdb.DuckDBPyConnection,
                       params: TimelinessParams) -> TimelinessResult:
    """Days to pay per claim; the clean-claim term in force on the received date applies."""
    payer_id, _ = resolve_inputs(conn, params.payer, None, params.scope)
    start_col = "t_received" if params.basis == "received" else "t_submitted"
    src = claim_facts_source(conn)
    where, p = line_where(payer_id, None, None, scope=params.scope)
    pwhere = "TRUE"
    if params.period is not None:
        pwhere = "c.start_date BETWEEN ? AND ?"
        p = p + [params.period.start, params.period.end]
    cases = ", ".join(
        f"count(*) FILTER (days BETWEEN {lo} AND {hi}) AS b{lo}" for lo, hi in BUCKETS)
    sql = f"""
    WITH c AS (SELECT claim_key, payer_id, coalesce(program, '') AS program,
                      {start_col} AS start_date,
                      t_paid_date AS paid_date, CAST(t_paid AS DOUBLE) AS paid, t_lines AS nl
               FROM {src} f WHERE {where} AND t_lines > 0),
    cc AS (SELECT * FROM c WHERE start_date IS NOT NULL AND {pwhere}),
    t1 AS ({_term_sql('clean_claim_payment_days')}),
    t2 AS ({_term_sql('prompt_pay_interest_pct')}),
    keys AS (SELECT DISTINCT payer_id, program, start_date FROM cc),
    d1 AS ({_term_per_key('t1')}),
    d2 AS ({_term_per_key('t2')}),
    j AS (SELECT cc.*, date_diff('day', cc.start_date, cc.paid_date) AS days,
                 d1.v AS term_days, d2.v AS term_pct
          FROM cc JOIN d1 ON cc.payer_id IS NOT DISTINCT FROM d1.payer_id
                   AND cc.program = d1.program AND cc.start_date = d1.start_date
               JOIN d2 ON cc.payer_id IS NOT DISTINCT FROM d2.payer_id
                   AND cc.program = d2.program AND cc.start_date = d2.start_date),
    k AS (SELECT *, coalesce(term_days, ?) AS limit_days,
                 coalesce(term_pct, ?) AS pct FROM j)
    SELECT payer_id, count(*) AS claims, avg(days) AS mean, median(days) AS p50,
           quantile_cont(days, 0.9) AS p90, max(days) AS mx,
           mode(limit_days) AS limit_days, bool_or(term_days IS NOT NULL) AS has_term,
           bool_or(term_pct IS NOT NULL) AS has_pct, mode(pct) AS pct,
           count(*) FILTER (days > limit_days) AS late,
           coalesce(sum(paid) FILTER (days > limit_days), 0) AS late_principal,
           coalesce(sum(round(paid * pct / 100 * (days - limit_days) / 365, 2))
                    FILTER (days > limit_days AND pct IS NOT NULL), 0) AS interest,
           sum(nl) AS nl, {cases}
    FROM k GROUP BY payer_id ORDER BY payer_id"""
    data = rows(conn, sql, p + [params.default_clean_claim_days, params.default_interest_pct])
    paid_interest = _interest_paid(conn, payer_id, params, start_col)
    out = []
    for d in data:
        hist = {(f"{lo}-{hi}" if hi < 100000 else f"{lo}+"): int(d[f"b{lo}"]) for lo, hi in BUCKETS}
        pct = float(d["pct"]) if d["pct"] is not None else None
        out.append(PayerTimeliness(
            payer_id=d["payer_id"], claims=d["claims"], mean_days=round(float(d["mean"]), 1),
            p50_days=float(d["p50"]), p90_days=round(float(d["p90"]), 1), max_days=d["mx"],
            clean_claim_days=int(d["limit_days"]),
            clean_claim_days_source="contract_terms" if d["has_term"] else "parameter",
            late_claims=d["late"], share_late=round(100 * d["late"] / d["claims"], 2),
            late_principal=money(d["late_principal"]), interest_pct=pct,
            interest_source=("contract_terms" if d["has_pct"] else
                             "parameter" if pct is not None else None),
            interest_owed=money(d["interest"]), histogram=hist,
            interest_paid=money(paid_interest.get(d["payer_id"], 0.0)),
            interest_outstanding=money(max(0.0, float(d["interest"])
                                           - paid_interest.get(d["payer_id"], 0.0)))))
    claims = sum(x.claims for x in out)
    late = sum(x.late_claims for x in out)
    filters = {"payer_id": payer_id, "basis": params.basis,
               "default_clean_claim_days": params.default_clean_claim_days,
               "default_interest_pct": params.default_interest_pct,
               **period_filters(params.period)}
    return TimelinessResult(
        function="payment_timeliness", filters=filters, row_count=sum(int(d["nl"]) for d in data),
        basis=params.basis, claims=claims, late_claims=late,
        share_late=round(100 * late / claims, 2) if claims else 0.0,
        interest_owed=money(sum(x.interest_owed for x in out)), by_payer=out,
        interest_paid=money(sum(x.interest_paid for x in out)),
        interest_outstanding=money(sum(x.interest_outstanding for x in out)))
