"""Deadlines the monitor raises: contract notice dates (non-renewal, termination without
cause), the date to start preparing the next negotiation, fee-schedule amendments about to
take effect, and appeal windows of open underpayments about to close."""

from __future__ import annotations

import datetime as dt

import duckdb

from assistant.analytics.common import rows
from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
from assistant.monitor.clauses import ClauseFinder
from assistant.monitor.findings import Evidence, EvidenceLine, Finding, finding_id
from assistant.settings import Settings


def line_appeal_deadlines(clauses: ClauseFinder, payer_id: str,
                          lines: list[EvidenceLine]) -> None:
    """Set each line's appeal deadline: its remittance (paid) date + the contract's appeal
    window in force on that date. Lines without a paid date or a window keep None."""
    for ln in lines:
        if ln.paid_date is None:
            continue
        days, _ = clauses.term(payer_id, "appeal_window_days", ln.paid_date)
        if days is not None:
            ln.appeal_deadline = ln.paid_date + dt.timedelta(days=int(days))


def next_appeal_deadline(lines: list[EvidenceLine], as_of: dt.date) -> dt.date | None:
    """The earliest appeal deadline on or after ``as_of`` among the lines."""
    due = [ln.appeal_deadline for ln in lines
           if ln.appeal_deadline is not None and ln.appeal_deadline >= as_of]
    return min(due) if due else None


def _deadline(payer: str | None, what: str, day: dt.date, as_of: dt.date, title: str,
              details: dict[str, object], clauses: list, ref: str) -> Finding:
    return Finding(
        finding_id=finding_id("deadline", payer, what, ref, day.isoformat()), kind="deadline",
        payer_id=payer, title=title, amount=None,
        details={"deadline_type": what, "date": day.isoformat(),
                 "days_left": (day - as_of).days, **details},
        evidence=Evidence(figures={"date": day.isoformat(), "days_left": (day - as_of).days},
                          clauses=[c for c in clauses if c is not None]))


def deadline_findings(conn: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date,
                      clauses: ClauseFinder) -> list[Finding]:
    """Contract dates falling within ``settings.deadline_window_days`` of ``as_of``."""
    horizon = as_of + dt.timedelta(days=settings.deadline_window_days)
    res = contract_deadlines(conn, DeadlineParams(as_of=as_of,
                                                  prep_lead_days=settings.prep_lead_days))
    out: list[Finding] = []
    for c in res.contracts:
        payer, cid = c.payer_id, c.contract_id or c.payer_id or ""
        base = {"contract_id": c.contract_id, "expiration_date":
                c.expiration_date.isoformat() if c.expiration_date else None,
                "source": {"function": res.function, "filters": res.filters}}
        _, notice_cite = clauses.term(payer or "", "non_renewal_notice_days", as_of)
        _, twc_cite = clauses.term(payer or "", "termination_without_cause_days", as_of)
        if c.notice_deadline and as_of <= c.notice_deadline <= horizon:
            out.append(_deadline(
                payer, "non_renewal_notice", c.notice_deadline, as_of,
                f"{payer} {cid}: notice of non-renewal due {c.notice_deadline.isoformat()} "
                f"({c.notice_days} days before the term ends {c.expiration_date})",
                {**base, "notice_days": c.notice_days}, [notice_cite], cid))
        if c.prep_start and c.notice_deadline and as_of <= c.prep_start <= horizon:
            out.append(_deadline(
                payer, "prep_start", c.prep_start, as_of,
                f"{payer} {cid}: start preparing the next negotiation by "
                f"{c.prep_start.isoformat()} (notice deadline {c.notice_deadline.isoformat()})",
                {**base, "notice_deadline": c.notice_deadline.isoformat(),
                 "prep_lead_days": settings.prep_lead_days}, [notice_cite], cid))
        if c.expiration_date and c.termination_without_cause_days:
            day = c.expiration_date - dt.timedelta(days=c.termination_without_cause_days)
            if as_of <= day <= horizon:
                out.append(_deadline(
                    payer, "termination_notice", day, as_of,
                    f"{payer} {cid}: last day to give {c.termination_without_cause_days}-day "
                    f"termination notice effective at term end {c.expiration_date}: "
                    f"{day.isoformat()}",
                    {**base, "termination_without_cause_days":
                     c.termination_without_cause_days}, [twc_cite], cid))
    for r in rows(conn, """SELECT payer_id, contract_id, effective_from, count(*) AS codes,
                          any_value(source_file) AS src FROM fee_schedule
                          WHERE effective_from > ? AND effective_from <= ? GROUP BY ALL
                          ORDER BY effective_from""", [as_of, horizon]):
        out.append(_deadline(
            r["payer_id"], "fee_schedule_change", r["effective_from"], as_of,
            f"{r['payer_id']}: new rates for {r['codes']} codes take effect "
            f"{r['effective_from'].isoformat()}",
            {"contract_id": r["contract_id"], "codes": r["codes"]}, [],
            str(r["contract_id"] or "")))
    return out


def appeal_deadline_findings(underpayments: list[Finding], as_of: dt.date,
                             window_days: int) -> list[Finding]:
    """For each open underpayment, the next line appeal deadline if it falls in the window."""
    horizon = as_of + dt.timedelta(days=window_days)
    out: list[Finding] = []
    for f in underpayments:
        day = next_appeal_deadline(f.evidence.lines, as_of)
        if day is None or day > horizon:
            continue
        closing = [ln for ln in f.evidence.lines if ln.appeal_deadline == day]
        at_stake = round(sum(ln.short or 0 for ln in closing), 2)
        appeal = [c for c in f.evidence.clauses if c.term == "appeal_window_days"]
        out.append(_deadline(
            f.payer_id, "appeal_window", day, as_of,
            f"{f.payer_id}: appeal window for {len(closing)} underpaid "
            f"{f.details.get('code')} lines (${at_stake:,.2f}) closes {day.isoformat()}",
            {"underpayment_id": f.finding_id, "lines": len(closing), "short": at_stake},
            appeal, f.finding_id))
    return out
