"""Payer mix and volume: claims, patients, revenue per payer and share; cost coverage
(paid vs. cost per service x units) per payer and per code."""

from __future__ import annotations

import datetime as dt

import duckdb
from pydantic import BaseModel

from assistant.analytics.common import (
    AnalyticsResult,
    ScopedParams,
    claim_facts_source,
    line_where,
    money,
    payer_names,
    period_filters,
    resolve_inputs,
    rows,
)
from assistant.periods import Period


class MixParams(ScopedParams):
    """Filters (a payer narrows the per-code cost coverage only; shares stay practice-wide).

    Scoped (``within``): rows, totals and cost coverage cover the visible payers only;
    shares of the practice are kept only when the hidden payers number at least
    ``assistant.scope.MIN_PEERS`` (else practice total minus visible is one payer's)."""

    period: Period | None = None
    payer: str | None = None


class PayerVolume(BaseModel):
    """One payer's volume and revenue."""

    payer_id: str
    payer_name: str
    lines: int
    claims: int
    patients: int
    billed: float
    allowed: float
    paid: float
    denied_lines: int
    share_of_claims: float | None  # percent of the practice; None: not shown at this scope
    share_of_paid: float | None  # percent
    cost: float  # cost per service x units, for codes with a cost
    cost_coverage: float | None  # paid / cost, percent


class CodeCoverage(BaseModel):
    """Paid vs cost for one code."""

    code: str
    units: float
    paid: float
    cost: float
    paid_per_unit: float
    cost_per_unit: float
    cost_coverage: float | None  # percent


class MixResult(AnalyticsResult):
    """Payer mix."""

    lines: int
    claims: int
    patients: int
    paid: float
    by_payer: list[PayerVolume]
    by_code: list[CodeCoverage]
    shares_shown: bool = True  # False: a scoped caller with too few hidden payers


def payer_mix(conn: duckdb.DuckDBPyConnection, params: MixParams) -> MixResult:
    """Volume, patients, revenue and cost coverage per payer."""
    scope = params.scope
    payer_id, _ = resolve_inputs(conn, params.payer, None, scope)
    src = claim_facts_source(conn)
    where, p = line_where(None, None, params.period, date_col="claim_date")
    swhere, sp = line_where(None, None, params.period, date_col="claim_date", scope=scope)
    # Per-claim facts: a claim counts in the period of its first date of service.
    data = rows(conn, f"""SELECT payer_id, sum(lines) AS lines, count(*) AS claims,
        count(DISTINCT patient_key) AS patients, sum(billed) AS billed,
        sum(allowed) AS allowed, sum(paid) AS paid, sum(denied_lines) AS denied,
        sum(cost) AS cost FROM {src} f WHERE {where} GROUP BY payer_id
        ORDER BY paid DESC""", p)
    tot = rows(conn, f"""SELECT coalesce(sum(lines), 0) AS lines, count(*) AS claims,
        count(DISTINCT patient_key) AS patients, sum(paid) AS paid FROM {src} f
        WHERE {swhere}""", sp)[0]
    lwhere, p = line_where(None, None, params.period, alias="l", scope=scope)
    base = f"""WITH l AS (SELECT l.code, l.units, l.paid, l.payer_id, k.cost AS unit_cost
               FROM claim_lines l JOIN costs k USING (code) WHERE {lwhere})"""
    names = payer_names(conn)
    # shares are of the whole practice; a scoped caller sees them only over enough peers
    shares = scope.enough_peers(d["payer_id"] for d in data)
    claims_total = sum(d["claims"] for d in data) or 1
    paid_total = sum(float(d["paid"] or 0) for d in data) or 1.0
    data = [d for d in data if scope.allows(d["payer_id"])]
    payers = [PayerVolume(
        payer_id=d["payer_id"], payer_name=names.get(d["payer_id"], d["payer_id"]),
        lines=int(d["lines"]), claims=d["claims"], patients=d["patients"],
        billed=money(d["billed"]),
        allowed=money(d["allowed"]), paid=money(d["paid"]), denied_lines=int(d["denied"]),
        share_of_claims=round(100 * d["claims"] / claims_total, 2) if shares else None,
        share_of_paid=round(100 * float(d["paid"] or 0) / paid_total, 2) if shares else None,
        cost=money(d["cost"]),
        cost_coverage=round(100 * float(d["paid"] or 0) / float(d["cost"]), 1)
        if d["cost"] else None) for d in data]
    cp = p + ([payer_id] if payer_id else [])
    codes = rows(conn, base + f""" SELECT code, sum(units) AS units, sum(paid) AS paid,
        sum(unit_cost * units) AS cost FROM l WHERE unit_cost IS NOT NULL
        {'AND payer_id = ?' if payer_id else ''} GROUP BY code ORDER BY code""", cp)
    by_code = [CodeCoverage(
        code=c["code"], units=float(c["units"]), paid=money(c["paid"]), cost=money(c["cost"]),
        paid_per_unit=money(float(c["paid"] or 0) / float(c["units"])) if c["units"] else 0.0,
        cost_per_unit=money(float(c["cost"] or 0) / float(c["units"])) if c["units"] else 0.0,
        cost_coverage=round(100 * float(c["paid"] or 0) / float(c["cost"]), 1)
        if c["cost"] else None) for c in codes]
    filters = {"payer_id": payer_id, **period_filters(params.period)}
    return MixResult(function="payer_mix", filters=filters, row_count=int(tot["lines"]),
                     lines=int(tot["lines"]), claims=int(tot["claims"]),
                     patients=int(tot["patients"]), paid=money(tot["paid"]),
                     by_payer=payers, by_code=by_code, shares_shown=shares)


class ReceiptsParams(ScopedParams):
    """Money received, by the date it was paid (not the date of service)."""

    period: Period | None = None
    payer: str | None = None


class PayerReceipts(BaseModel):
    """One payer's payments dated in the period."""

    payer_id: str
    payer_name: str
    paid: float  # service-line payments (835 SVC03, reversals netted; CSV paid)
    remitted: float | None  # 835 payment totals (BPR02, after provider adjustments)
    payments: int  # 835 payments (checks/EFTs), or distinct check numbers from a claims file
    first_payment: str | None
    last_payment: str | None
    date_basis: str  # which date the period was applied to


class ReceiptsResult(AnalyticsResult):
    """Payments received per payer in a period, by payment date."""

    paid: float
    by_payer: list[PayerReceipts]


RECEIPTS_835 = """
WITH pay AS (
    SELECT payment_id, payer_id, payment_date, total_paid FROM remit_payments
    WHERE payer_id IS NOT NULL AND payer_id <> '' AND payment_date IS NOT NULL
      AND payment_date BETWEEN ? AND ? AND (? IS NULL OR payer_id = ?)
      AND list_contains(coalesce(?::VARCHAR[], [payer_id]), payer_id)),
lines AS (SELECT p.payer_id, sum(l.paid) AS paid FROM remit_lines l JOIN pay p USING (payment_id)
          GROUP BY p.payer_id)
SELECT p.payer_id, coalesce(any_value(lines.paid), 0) AS paid, sum(p.total_paid) AS remitted,
       count(*) AS payments, min(p.payment_date) AS first_payment, max(p.payment_date) AS last_payment
FROM pay p LEFT JOIN lines USING (payer_id) GROUP BY p.payer_id"""
# Payers with no 835 at all: the claims file's paid lines by their paid date.
RECEIPTS_CSV = """
SELECT payer_id, sum(paid) AS paid, NULL AS remitted, count(DISTINCT check_number) AS payments,
       min(paid_date) AS first_payment, max(paid_date) AS last_payment
FROM claim_lines
WHERE paid_date IS NOT NULL AND paid_date BETWEEN ? AND ? AND (? IS NULL OR payer_id = ?)
  AND list_contains(coalesce(?::VARCHAR[], [payer_id]), payer_id)
  AND payer_id NOT IN (SELECT DISTINCT payer_id FROM remit_payments WHERE payer_id IS NOT NULL)
GROUP BY payer_id"""


def payments_received(conn: duckdb.DuckDBPyConnection, params: ReceiptsParams) -> ReceiptsResult:
    """What each payer paid us in a period, by payment date: the 835's payment date (BPR16)
    when the payer's remittances are loaded, else the claims file's paid date."""
    payer_id, _ = resolve_inputs(conn, params.payer, None, params.scope)
    start = params.period.start if params.period else dt.date(1900, 1, 1)
    end = params.period.end if params.period else dt.date(2199, 12, 31)
    args = [start, end, payer_id, payer_id, params.within]  # within: None = every payer
    found = [(r, "payment date (835 BPR16)") for r in rows(conn, RECEIPTS_835, args)]
    found += [(r, "paid date (claims file)") for r in rows(conn, RECEIPTS_CSV, args)]
    names = payer_names(conn)
    by_payer = sorted((PayerReceipts(
        payer_id=r["payer_id"], payer_name=names.get(r["payer_id"], r["payer_id"]),
        paid=money(r["paid"]), remitted=None if r["remitted"] is None else money(r["remitted"]),
        payments=int(r["payments"] or 0),
        first_payment=str(r["first_payment"]) if r["first_payment"] else None,
        last_payment=str(r["last_payment"]) if r["last_payment"] else None,
        date_basis=basis) for r, basis in found), key=lambda p: -p.paid)
    filters = {"payer_id": payer_id, "date_basis": "payment_date", **period_filters(params.period)}
    return ReceiptsResult(function="payments_received", filters=filters,
                          row_count=sum(p.payments for p in by_payer),
                          paid=money(sum(p.paid for p in by_payer)), by_payer=by_payer)
