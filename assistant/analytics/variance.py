"""Reimbursement variance: expected (contract rate in force on the date of service,
amendments respected) vs allowed vs paid per claim line; underpayments listed and
totalled per payer, code and month; the date each underpayment pattern began."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

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
from assistant.analytics.rate_sources import RateSource, rate_sources
from assistant.periods import Period
from assistant.stores.fee_sources import EFFECTIVE_FEE_SQL, expected_sql


class VarianceParams(ScopedParams):
    """Filters and thresholds. A line is underpaid when allowed (or paid when no allowed
    amount) is below expected by more than ``tolerance`` dollars and carries no adjustment
    reason other than CO-45 (lines reduced with a stated reason, e.g. units cut with
    CO-151, are counted as ``adjusted`` instead)."""

    payer: str | None = None
    code: str | None = None
    period: Period | None = None
    tolerance: float = 0.01
    max_lines: int = 200
    pattern_min_share: float = 0.5  # monthly share of underpaid lines that makes a pattern
    pattern_min_lines: int = 3


class UnderpaidLine(BaseModel):
    """One underpaid claim line."""

    claim_id: str
    line_no: int
    payer_id: str
    code: str
    date_of_service: dt.date
    units: float
    contract_id: str | None
    rate_effective_from: dt.date
    expected: float
    allowed: float | None
    paid: float
    short: float


class VarianceTotal(BaseModel):
    """Underpayment total of one group (payer, code or month)."""

    key: str
    lines: int
    underpaid_lines: int
    expected: float
    allowed: float
    paid: float
    short: float


class UnderpaymentPattern(BaseModel):
    """A payer × code whose lines are underpaid every month since ``start_date``."""

    payer_id: str
    code: str
    start_date: dt.date  # first underpaid date of service of the pattern
    start_month: str
    rate_effective_from: dt.date | None  # the contract rate the pattern fails to pay
                                         # took effect on this date (e.g. an amendment)
    underpaid_lines: int
    short: float
    mean_short_per_unit: float
    mean_pct_below_contract: float  # 100 x (1 - allowed / expected), averaged


class VarianceResult(AnalyticsResult):
    """Expected vs allowed vs paid, with underpayments."""

    lines_compared: int
    lines_without_contract_rate: int
    underpaid_lines: int
    adjusted_lines: int  # below contract with a stated non-contractual reason (e.g. CO-151)
    adjusted_short: float
    total_expected: float
    total_allowed: float
    total_paid: float
    total_short: float
    lines: list[UnderpaidLine]  # first ``max_lines`` by date of service
    by_payer: list[VarianceTotal]
    by_code: list[VarianceTotal]
    by_month: list[VarianceTotal]
    patterns: list[UnderpaymentPattern]
    # where each contract rate behind ``patterns`` and ``lines`` comes from (file, page,
    # section, the exhibit row or rule as written, or the fee-schedule CSV line)
    rate_sources: list[RateSource] = []


def _base_sql(where: str, fresh: bool, pick: tuple[str, str] = ("", "")) -> str:
    # claim_lines.expected is kept by the loaders (refresh_expected): no join needed. Rows
    # written without that refresh get the same figures from an ASOF join on the fly.
    if fresh:
        lines = f"""SELECT claim_id, line_no, payer_id, code, date_of_service, units,
                      allowed, paid, carc, expected, rate_from, rate_contract_id AS contract_id
               FROM claim_lines WHERE {where} AND coalesce(status, 'paid') <> 'denied'"""
    else:
        lines = f"""SELECT l.claim_id, l.line_no, l.payer_id, l.code, l.date_of_service,
                      l.units, l.allowed, l.paid, l.carc, l.e AS expected,
                      l.rf AS rate_from, l.rc AS contract_id
               FROM (SELECT l.*, {pick[0]} FROM (SELECT * FROM claim_lines WHERE {where}
                     AND coalesce(status, 'paid') <> 'denied') l
                     ASOF LEFT JOIN ({EFFECTIVE_FEE_SQL}) fs
                       ON l.payer_id = fs.payer_id AND l.code = fs.code
                      AND l.date_of_service >= fs.effective_from {pick[1]}) l"""
    return f"""
    WITH l AS ({lines}),
    s AS (SELECT *, expected - coalesce(allowed, paid) AS short,
                 expected - coalesce(allowed, paid) > ? AS below FROM l),
    v AS (SELECT *, below AND (carc IS NULL OR carc = '45') AS under,
                 below AND NOT (carc IS NULL OR carc = '45') AS adjusted FROM s)"""


def reimbursement_variance(conn: duckdb.DuckDBPyConnection,
                           params: VarianceParams) -> VarianceResult:
    """Compare every non-denied line with its contract rate; list and total underpayments."""
    payer_id, code = resolve_inputs(conn, params.payer, params.code, params.scope)
    where, wparams = line_where(payer_id, code, params.period, scope=params.scope)
    fresh = claim_facts_source(conn) == "claim_facts"
    base = _base_sql(where, fresh, ("", "") if fresh else expected_sql(conn))
    p = wparams + [params.tolerance]
    # One pass builds a payer x code x month cube; every total is summed from it.
    cube = rows(conn, base + """ SELECT payer_id, code,
        date_trunc('month', date_of_service) AS month, count(*) AS total,
        count(*) FILTER (expected IS NOT NULL) AS n, count(*) FILTER (expected IS NULL) AS no_rate,
        count(*) FILTER (under) AS nu, count(*) FILTER (adjusted) AS na,
        coalesce(sum(expected), 0) AS exp,
        coalesce(sum(allowed) FILTER (expected IS NOT NULL), 0) AS alw,
        coalesce(sum(paid) FILTER (expected IS NOT NULL), 0) AS pd,
        coalesce(sum(short) FILTER (under), 0) AS short,
        coalesce(sum(short) FILTER (adjusted), 0) AS ashort,
        min(date_of_service) FILTER (under) AS first_under,
        max(rate_from) FILTER (under) AS rate_from, sum(units) FILTER (under) AS units,
        sum(1 - coalesce(allowed, paid) / expected) FILTER (under AND expected > 0) AS pct_sum
        FROM v GROUP BY ALL ORDER BY month""", p)
    for c in cube:
        c["month"] = c["month"].strftime("%Y-%m")
    tot = {k: sum(float(c[k]) for c in cube)
           for k in ("total", "n", "no_rate", "nu", "na", "exp", "alw", "pd", "short", "ashort")}

    def group(key: str) -> list[VarianceTotal]:
        acc: dict[str, dict[str, float]] = {}
        for c in cube:
            a = acc.setdefault(str(c[key]), dict.fromkeys(("n", "nu", "exp", "alw", "pd",
                                                            "short"), 0.0))
            for k in a:
                a[k] += float(c[k])
        out = [VarianceTotal(key=k, lines=int(a["n"]), underpaid_lines=int(a["nu"]),
                             expected=money(a["exp"]), allowed=money(a["alw"]),
                             paid=money(a["pd"]), short=money(a["short"]))
               for k, a in acc.items() if a["nu"] > 0]
        return sorted(out, key=lambda t: -t.short)

    listed = rows(conn, base + """ SELECT * FROM v WHERE under
        ORDER BY date_of_service, claim_id, line_no LIMIT ?""", p + [params.max_lines])
    lines = [UnderpaidLine(
        claim_id=d["claim_id"], line_no=d["line_no"], payer_id=d["payer_id"], code=d["code"],
        date_of_service=d["date_of_service"], units=float(d["units"]),
        contract_id=d["contract_id"], rate_effective_from=d["rate_from"],
        expected=money(d["expected"]),
        allowed=money(d["allowed"]) if d["allowed"] is not None else None,
        paid=money(d["paid"]), short=money(d["short"])) for d in listed]
    monthly = [c for c in cube if c["n"]]
    patterns = _patterns(monthly, params)
    sources = rate_sources(conn, [(p.payer_id, p.code, p.rate_effective_from) for p in patterns]
                           + [(ln.payer_id, ln.code, ln.rate_effective_from) for ln in lines])
    filters = {"payer_id": payer_id, "code": code, "tolerance": params.tolerance,
               **period_filters(params.period)}
    return VarianceResult(
        function="reimbursement_variance", filters=filters, row_count=int(tot["total"]),
        lines_compared=int(tot["n"]), lines_without_contract_rate=int(tot["no_rate"]),
        underpaid_lines=int(tot["nu"]), adjusted_lines=int(tot["na"]),
        adjusted_short=money(tot["ashort"]), total_expected=money(tot["exp"]),
        total_allowed=money(tot["alw"]), total_paid=money(tot["pd"]),
        total_short=money(tot["short"]), lines=lines, by_payer=group("payer_id"),
        by_code=group("code"), by_month=group("month"),
        patterns=patterns, rate_sources=list(sources.values()))


def _patterns(monthly: list[dict[str, Any]], params: VarianceParams) -> list[UnderpaymentPattern]:
    """Earliest month from which every month's underpaid share stays above the threshold."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for m in monthly:
        groups[(m["payer_id"], m["code"])].append(m)
    out: list[UnderpaymentPattern] = []
    for (payer, code), months in groups.items():
        start = None
        for i in range(len(months) - 1, -1, -1):
            if months[i]["n"] and months[i]["nu"] / months[i]["n"] >= params.pattern_min_share:
                start = i
            else:
                break
        if start is None:
            continue
        tail = months[start:]
        nu = sum(m["nu"] for m in tail)
        if nu < params.pattern_min_lines:
            continue
        short = sum(float(m["short"]) for m in tail)
        units = sum(float(m["units"] or 0) for m in tail)
        out.append(UnderpaymentPattern(
            payer_id=payer, code=code, start_date=tail[0]["first_under"],
            start_month=tail[0]["month"], rate_effective_from=tail[0]["rate_from"],
            underpaid_lines=nu, short=money(short),
            mean_short_per_unit=money(short / units if units else 0),
            mean_pct_below_contract=round(100 * sum(float(m["pct_sum"]) for m in tail) / nu, 2)))
    return sorted(out, key=lambda x: -x.short)
