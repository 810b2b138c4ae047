"""``run_monitor``: compute every finding as of a date, record it in the discrepancy log and
report what is new since the last run.

Detectors (each over data up to the as-of date, figures from the analytics functions):
underpaid claim lines vs the contract rate in force on the date of service
(``reimbursement_variance``), claims paid later than the contract's clean-claim days with
the interest owed (``payment_timeliness``), denial-rate changes by reason
(``denial_analysis``), and deadlines coming due (``assistant.monitor.due``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any

import duckdb
from pydantic import BaseModel, Field

from assistant.analytics.common import money, rows
from assistant.analytics.denials import DenialParams, denial_analysis
from assistant.analytics.timeliness import TimelinessParams, payment_timeliness
from assistant.analytics.variance import VarianceParams, reimbursement_variance
from assistant.monitor.clauses import ClauseFinder
from assistant.monitor.due import appeal_deadline_findings, deadline_findings, line_appeal_deadlines
from assistant.monitor.findings import Evidence, EvidenceLine, Finding, finding_id
from assistant.monitor.followup import split_after_closed
from assistant.monitor.log import ensure_log_schema, query_findings, record_run, upsert_findings
from assistant.periods import Period, quarter_range
from assistant.scope import Scope
from assistant.settings import Settings


class MonitorParams(BaseModel):
    """Thresholds of the detectors."""

    max_underpaid_lines: int = 200_000
    denial_min_z: float = 3.0
    denial_min_lines: int = 5  # denied lines in the quarter
    max_evidence_claims: int = 5_000


class MonitorReport(BaseModel):
    """What one monitor run found."""

    as_of: dt.date
    new: list[Finding] = Field(default_factory=list)
    updated: list[Finding] = Field(default_factory=list)
    open_findings: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = Field(default_factory=dict)

    @property
    def totals(self) -> dict[str, Any]:
        """New findings by kind, with dollars at stake."""
        out: dict[str, Any] = {"new": len(self.new), "updated": len(self.updated),
                               "open": self.open_findings,
                               "amount_new": money(sum(f.amount or 0 for f in self.new))}
        for f in self.new:
            k = out.setdefault(f.kind, {"count": 0, "amount": 0.0})
            k["count"] += 1
            k["amount"] = money(k["amount"] + (f.amount or 0))
        return out

    def seen_by(self, scope: Scope, open_findings: int) -> MonitorReport:
        """This report as a reader of ``scope`` may see it: only the visible payers'
        findings (a finding without a payer is practice-wide: unscoped readers only), and
        ``open_findings`` counted by the caller over those payers."""
        return self.model_copy(update={
            "new": scope.keep(self.new, lambda f: f.payer_id),
            "updated": scope.keep(self.updated, lambda f: f.payer_id),
            "open_findings": open_findings})


def _to_as_of(as_of: dt.date) -> Period:
    return Period(start=dt.date(1900, 1, 1), end=as_of, label=f"through {as_of.isoformat()}")


def underpayment_findings(conn: duckdb.DuckDBPyConnection, as_of: dt.date,
                          clauses: ClauseFinder, params: MonitorParams) -> list[Finding]:
    """One finding per payer × code × contract rate not honoured (e.g. an amendment's rate)."""
    period = _to_as_of(as_of)
    res = reimbursement_variance(conn, VarianceParams(period=period,
                                                      max_lines=params.max_underpaid_lines))
    groups: dict[tuple[str, str, dt.date], list[Any]] = defaultdict(list)
    for ln in res.lines:
        groups[(ln.payer_id, ln.code, ln.rate_effective_from)].append(ln)
    paid_dates = {(r["claim_id"], r["line_no"]): r["paid_date"] for r in rows(conn, """
        SELECT l.claim_id, l.line_no, l.paid_date FROM claim_lines l
        JOIN (SELECT unnest(?::VARCHAR[]) AS c, unnest(?::INTEGER[]) AS n) k
          ON l.claim_id = k.c AND l.line_no = k.n""",
        [[ln.claim_id for ln in res.lines], [ln.line_no for ln in res.lines]])}
    patterns = {(p.payer_id, p.code): p for p in res.patterns}
    out: list[Finding] = []
    for (payer, code, rate_from), lines in groups.items():
        short = money(sum(ln.short for ln in lines))
        units = sum(ln.units for ln in lines)
        expected_rate = money(sum(ln.expected for ln in lines) / units) if units else None
        paid_rate = money(sum(ln.allowed if ln.allowed is not None else ln.paid
                              for ln in lines) / units) if units else None
        ev_lines = [EvidenceLine(claim_id=ln.claim_id, line_no=ln.line_no,
                                 date_of_service=ln.date_of_service, code=ln.code,
                                 expected=ln.expected, allowed=ln.allowed, paid=ln.paid,
                                 short=ln.short,
                                 paid_date=paid_dates.get((ln.claim_id, ln.line_no)))
                    for ln in lines]
        line_appeal_deadlines(clauses, payer, ev_lines)
        pat = patterns.get((payer, code))
        cites = clauses.rate_clauses(payer, code, rate_from)
        _, appeal = clauses.term(payer, "appeal_window_days", as_of)
        details = {
            "code": code, "start_date": rate_from.isoformat(),
            "first_date_of_service": min(ln.date_of_service for ln in lines).isoformat(),
            "last_date_of_service": max(ln.date_of_service for ln in lines).isoformat(),
            "lines": len(lines), "total_short": short, "contract_rate": expected_rate,
            "paid_rate": paid_rate, "contract_id": lines[0].contract_id,
            "pattern": pat is not None,
            "pct_below_contract": pat.mean_pct_below_contract if pat else None}
        out.append(Finding(
            finding_id=finding_id("underpayment", payer, code, rate_from.isoformat()),
            kind="underpayment", payer_id=payer, amount=short, details=details,
            title=f"{payer} paid {code} below contract since {rate_from.isoformat()}: "
                  f"{len(lines)} lines, ${short:,.2f} short",
            evidence=Evidence(lines=ev_lines, figures=details,
                              source={"function": res.function, "filters": res.filters},
                              clauses=cites + ([appeal] if appeal else []))))
    return out


_LATE_SQL = """
WITH c AS (SELECT claim_id, payer_id, min(received_date) AS received_date,
                  min(date_of_service) AS dos, max(paid_date) AS paid_date, sum(paid) AS paid
           FROM claim_lines WHERE payer_id = ? AND paid > 0 AND paid_date IS NOT NULL
           GROUP BY claim_id, payer_id)
SELECT claim_id, dos, received_date, paid_date, paid,
       date_diff('day', received_date, paid_date) AS days
FROM c WHERE received_date IS NOT NULL AND received_date <= ?
  AND date_diff('day', received_date, paid_date) > ?
ORDER BY paid_date DESC, claim_id DESC LIMIT ?"""


def late_payment_findings(conn: duckdb.DuckDBPyConnection, as_of: dt.date,
                          clauses: ClauseFinder, params: MonitorParams) -> list[Finding]:
    """One finding per payer with claims paid after the contract's clean-claim days."""
    res = payment_timeliness(conn, TimelinessParams(period=_to_as_of(as_of)))
    out: list[Finding] = []
    for p in res.by_payer:
        if p.late_claims == 0 or p.clean_claim_days_source != "contract_terms":
            continue
        _, days_cite = clauses.term(p.payer_id, "clean_claim_payment_days", as_of)
        _, pct_cite = clauses.term(p.payer_id, "prompt_pay_interest_pct", as_of)
        pct = p.interest_pct if p.interest_source == "contract_terms" else None
        claims = rows(conn, _LATE_SQL, [p.payer_id, as_of, p.clean_claim_days,
                                        params.max_evidence_claims])[::-1]  # latest N
        ev_lines = []
        for c in claims:
            late = int(c["days"]) - p.clean_claim_days
            interest = money(float(c["paid"]) * pct / 100 * late / 365) if pct else None
            ev_lines.append(EvidenceLine(
                claim_id=c["claim_id"], date_of_service=c["dos"],
                received_date=c["received_date"], paid_date=c["paid_date"],
                paid=money(c["paid"]), days_to_pay=int(c["days"]), days_late=late,
                interest=interest))
        line_appeal_deadlines(clauses, p.payer_id, ev_lines)
        _, appeal = clauses.term(p.payer_id, "appeal_window_days", as_of)
        # what is still owed: interest the payer already paid on its remittances (PLB L6)
        # is not asked for again
        interest_owed = p.interest_outstanding if pct else 0.0
        details: dict[str, Any] = {"clean_claim_days": p.clean_claim_days, "interest_pct": pct,
                   "claims": p.claims, "late_claims": p.late_claims,
                   "share_late": p.share_late, "late_principal": p.late_principal,
                   "interest_owed": interest_owed,
                   "interest_accrued": p.interest_owed if pct else 0.0,
                   "interest_already_paid": p.interest_paid,
                   "listed_claims": len(claims),
                   "formula": "sum over late claims of round(paid x annual rate x days late"
                              " / 365, 2)"}
        cites = [c for c in (days_cite, pct_cite) if c is not None]
        if len(cites) == 2 and cites[0].chunk_id == cites[1].chunk_id \
                and cites[0].quote == cites[1].quote:
            cites = cites[:1]
        cites += [appeal] if appeal else []
        out.append(Finding(
            finding_id=finding_id("late_payment", p.payer_id, p.clean_claim_days, pct),
            kind="late_payment", payer_id=p.payer_id, amount=interest_owed,
            details=details,
            title=f"{p.payer_id} paid {p.late_claims} claims after {p.clean_claim_days} days"
                  + (f": ${interest_owed:,.2f} interest owed" if pct else ""),
            evidence=Evidence(lines=ev_lines, figures=details,
                              source={"function": res.function, "filters": res.filters},
                              clauses=cites)))
    return out


def denial_findings(conn: duckdb.DuckDBPyConnection, as_of: dt.date, clauses: ClauseFinder,
                    params: MonitorParams) -> list[Finding]:
    """One finding per payer × denial reason × quarter whose rate rose above its baseline."""
    res = denial_analysis(conn, DenialParams(period=_to_as_of(as_of)))
    out: list[Finding] = []
    for ch in res.changes:
        # one finding per payer x reason x quarter: the all-code change (its codes are listed)
        if ch.codes or ch.carc is None or ch.change_pp <= 0 or ch.z_score < params.denial_min_z \
                or ch.denied_lines < params.denial_min_lines:
            continue
        start, end = quarter_range(int(ch.quarter[:4]), int(ch.quarter[-1]))
        end = min(end, as_of)
        denied = rows(conn, """SELECT claim_id, line_no, date_of_service, code, group_code,
            carc, billed FROM claim_lines WHERE payer_id = ? AND carc = ? AND status = 'denied'
            AND date_of_service BETWEEN ? AND ? ORDER BY date_of_service, claim_id, line_no""",
                      [ch.payer_id, ch.carc, start, end])
        codes = sorted({d["code"] for d in denied})
        first = denied[0]["date_of_service"] if denied else start
        billed = money(sum(float(d["billed"] or 0) for d in denied))
        details = {"carc": ch.carc, "description": ch.description, "quarter": ch.quarter,
                   "rate": ch.rate, "baseline_rate": ch.baseline_rate,
                   "change_pp": ch.change_pp, "ratio": ch.ratio, "z_score": ch.z_score,
                   "denied_lines": ch.denied_lines, "lines": ch.lines, "codes": codes,
                   "start_date": first.isoformat(), "denied_billed": billed,
                   "group_code": denied[0]["group_code"] if denied else None}
        out.append(Finding(
            finding_id=finding_id("denial_change", ch.payer_id, ch.carc, ch.quarter),
            kind="denial_change", payer_id=ch.payer_id, amount=billed, details=details,
            title=f"{ch.payer_id} denials for CARC {ch.carc} rose to {ch.rate:g}% in "
                  f"{ch.quarter} (baseline {ch.baseline_rate:g}%)",
            evidence=Evidence(
                lines=[EvidenceLine(claim_id=d["claim_id"], line_no=d["line_no"],
                                    date_of_service=d["date_of_service"], code=d["code"],
                                    carc=d["carc"], group_code=d["group_code"])
                       for d in denied],
                figures=details, source={"function": res.function, "filters": res.filters},
                clauses=clauses.denial_clauses(ch.payer_id, ch.carc, codes, end))))
    return out


def detect(conn: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date,
           params: MonitorParams, clauses: ClauseFinder | None = None,
           timings: dict[str, float] | None = None) -> list[Finding]:
    """Every finding as of ``as_of`` (nothing written)."""
    clauses = clauses or ClauseFinder(settings, conn)
    timings = timings if timings is not None else {}
    found: list[Finding] = []
    for name, fn in (("underpayment", underpayment_findings), ("late_payment",
                     late_payment_findings), ("denial_change", denial_findings)):
        t0 = time.perf_counter()
        found += fn(conn, as_of, clauses, params)
        timings[name] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    logged = query_findings(conn)
    statuses = {f.finding_id: f.status for f in logged}
    found = split_after_closed(found, logged)
    found += deadline_findings(conn, settings, as_of, clauses)
    found += appeal_deadline_findings(
        [f for f in found if f.kind == "underpayment"
         and statuses.get(f.finding_id, "new") in ("new", "acknowledged")],
        as_of, settings.deadline_window_days)
    timings["deadline"] = round(time.perf_counter() - t0, 3)
    return found


def run_monitor(settings: Settings, as_of: dt.date | None = None,
                params: MonitorParams | None = None, store: Any | None = None) -> MonitorReport:
    """Detect, log and report what is new since the last run (opens a write connection)."""
    from assistant.stores.warehouse import open_warehouse

    day = as_of or settings.today()
    t0 = time.perf_counter()
    conn = open_warehouse(settings)
    try:
        ensure_log_schema(conn)
        timings: dict[str, float] = {}
        found = detect(conn, settings, day, params or MonitorParams(),
                       ClauseFinder(settings, conn, store), timings)
        new, updated = upsert_findings(conn, found, day)
        seconds = round(time.perf_counter() - t0, 3)
        open_n = record_run(conn, day, len(new), len(updated), seconds)
    finally:
        conn.close()
    return MonitorReport(as_of=day, new=new, updated=updated, open_findings=open_n,
                         seconds=seconds, timings=timings)
