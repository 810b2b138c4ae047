"""Reimbursement variance: expected (contract rate in force on the date of service,
amendments respected) vs allowed vs paid per claim line; underpayments listed and
totalled per payer, code and month; the date each underpayment pattern began."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
from pydantic import BaseModel

from assistant.analytics.common import (
    AnalyticsResult,
    line_where,
    money,
    period_filters,
    resolve_inputs,
    rows,
)
from assistant.analytics.periods import Period


class VarianceParams(BaseModel):
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


def _base_sql(where: str) -> str:
    return f"""
    WITH l AS (SELECT claim_id, line_no, payer_id, code, date_of_service, units, allowed,
                      paid, carc FROM claim_lines
               WHERE {where} AND coalesce(status, 'paid') <> 'denied'),
    fs AS (SELECT payer_id, code, effective_from, effective_to, rate, contract_id
           FROM fee_schedule WHERE modifier IS NULL OR modifier = ''),
    e AS (SELECT l.*, fs.rate, fs.effective_from AS rate_from, fs.contract_id,
                 CASE WHEN fs.effective_to IS NULL OR l.date_of_service <= fs.effective_to
                      THEN round(fs.rate * l.units, 2) END AS expected
          FROM l ASOF LEFT JOIN fs ON l.payer_id = fs.payer_id AND l.code = fs.code
                                  AND l.date_of_service >= fs.effective_from),
    s AS (SELECT *, expected - coalesce(allowed, paid) AS short,
                 expected - coalesce(allowed, paid) > ? AS below FROM e),
    v AS (SELECT *, below AND (carc IS NULL OR carc = '45') AS under,
                 below AND NOT (carc IS NULL OR carc = '45') AS adjusted FROM s)"""


def reimbursement_variance(conn: duckdb.DuckDBPyConnection,
                           params: VarianceParams) -> VarianceResult:
    """Compare every non-denied line with its contract rate; list and total underpayments."""
    payer_id, code = resolve_inputs(conn, params.payer, params.code)
    where, wparams = line_where(payer_id, code, params.period)
    base = _base_sql(where)
    p = wparams + [params.tolerance]
    tot = rows(conn, base + """ SELECT count(*) FILTER (expected IS NOT NULL) AS n,
        count(*) FILTER (expected IS NULL) AS no_rate, count(*) FILTER (under) AS nu,
        sum(expected) AS exp, sum(allowed) FILTER (expected IS NOT NULL) AS alw,
        sum(paid) FILTER (expected IS NOT NULL) AS pd, sum(short) FILTER (under) AS short,
        count(*) FILTER (adjusted) AS na, sum(short) FILTER (adjusted) AS ashort,
        count(*) AS total FROM v""", p)[0]

    def group(expr: str) -> list[VarianceTotal]:
        data = rows(conn, base + f""" SELECT {expr} AS key, count(*) AS lines,
            count(*) FILTER (under) AS nu, sum(expected) AS exp, sum(allowed) AS alw,
            sum(paid) AS pd, coalesce(sum(short) FILTER (under), 0) AS short
            FROM v WHERE expected IS NOT NULL GROUP BY 1 HAVING count(*) FILTER (under) > 0
            ORDER BY short DESC""", p)
        return [VarianceTotal(key=str(d["key"]), lines=d["lines"], underpaid_lines=d["nu"],
                              expected=money(d["exp"]), allowed=money(d["alw"]),
                              paid=money(d["pd"]), short=money(d["short"])) for d in data]

    listed = rows(conn, base + """ SELECT * FROM v WHERE under
        ORDER BY date_of_service, claim_id, line_no LIMIT ?""", p + [params.max_lines])
    lines = [UnderpaidLine(
        claim_id=d["claim_id"], line_no=d["line_no"], payer_id=d["payer_id"], code=d["code"],
        date_of_service=d["date_of_service"], units=float(d["units"]),
        contract_id=d["contract_id"], rate_effective_from=d["rate_from"],
        expected=money(d["expected"]),
        allowed=money(d["allowed"]) if d["allowed"] is not None else None,
        paid=money(d["paid"]), short=money(d["short"])) for d in listed]
    monthly = rows(conn, base + """ SELECT payer_id, code,
        strftime(date_of_service, '%Y-%m') AS month, count(*) AS n,
        count(*) FILTER (under) AS nu, min(date_of_service) FILTER (under) AS first_under,
        max(rate_from) FILTER (under) AS rate_from,
        coalesce(sum(short) FILTER (under), 0) AS short,
        sum(units) FILTER (under) AS units,
        sum(1 - coalesce(allowed, paid) / expected) FILTER (under) AS pct_sum
        FROM v WHERE expected IS NOT NULL AND expected > 0 GROUP BY ALL ORDER BY month""", p)
    filters = {"payer_id": payer_id, "code": code, "tolerance": params.tolerance,
               **period_filters(params.period)}
    return VarianceResult(
        function="reimbursement_variance", filters=filters, row_count=int(tot["total"]),
        lines_compared=int(tot["n"]), lines_without_contract_rate=int(tot["no_rate"]),
        underpaid_lines=int(tot["nu"]), adjusted_lines=int(tot["na"]),
        adjusted_short=money(tot["ashort"]), total_expected=money(tot["exp"]),
        total_allowed=money(tot["alw"]), total_paid=money(tot["pd"]),
        total_short=money(tot["short"]), lines=lines, by_payer=group("payer_id"),
        by_code=group("code"), by_month=group("strftime(date_of_service, '%Y-%m')"),
        patterns=_patterns(monthly, params))


def _patterns(monthly: list[dict], params: VarianceParams) -> list[UnderpaymentPattern]:
    """Earliest month from which every month's underpaid share stays above the threshold."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
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
