"""Deadlines from the extracted contract terms: current term end (expiration), next
renewal, notice-of-non-renewal deadline, days left as of a date, and the date to start
preparing the next negotiation (notice deadline - prep lead days)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
from pydantic import BaseModel

from assistant.analytics.common import AnalyticsResult, ScopedParams, resolve_inputs, rows

TERMS = ("effective_date", "initial_term_months", "auto_renewal", "renewal_term_months",
         "non_renewal_notice_days", "termination_without_cause_days")


class DeadlineParams(ScopedParams):
    """As-of date, optional payer and window (only deadlines within N days)."""

    as_of: dt.date
    payer: str | None = None
    within_days: int | None = None
    prep_lead_days: int = 60


class ContractDeadline(BaseModel):
    """Deadlines of one contract; ``missing_terms`` lists what could not be found."""

    contract_id: str | None
    payer_id: str | None
    effective_date: dt.date | None
    auto_renewal: bool | None
    expiration_date: dt.date | None  # end of the current term
    next_renewal_date: dt.date | None  # first day of the next term, if it renews
    notice_days: int | None
    notice_deadline: dt.date | None
    days_until_notice_deadline: int | None
    prep_start: dt.date | None
    days_until_prep_start: int | None
    termination_without_cause_days: int | None
    sources: dict[str, dict[str, Any]]  # term -> {source_file, page, section, chunk_id}
    missing_terms: list[str]
    # term -> {program: value} where the contract states a term per program (Medicaid,
    # Medicare Advantage ...); the dates above use the general value, else the longest.
    program_values: dict[str, dict[str, float | str | None]] = {}


class DeadlineResult(AnalyticsResult):
    """Deadlines per contract, soonest notice deadline first."""

    as_of: dt.date
    contracts: list[ContractDeadline]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's last day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _bool(v: Any, text: str | None) -> bool | None:
    if v is not None:
        return bool(v)
    if text is None:
        return None
    return text.strip().lower() in ("true", "yes", "1", "y")


def _date(v: Any, text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None


def term_end(effective: dt.date, initial: int, renewal: int | None, auto: bool | None,
             notice: int, as_of: dt.date) -> dt.date:
    """The first term end whose notice deadline is on or after ``as_of`` (earlier terms
    renewed automatically); without auto-renewal, the initial term's end."""
    end = add_months(effective, initial) - dt.timedelta(days=1)
    if not auto or not renewal:
        return end
    while end - dt.timedelta(days=notice) < as_of:
        end = add_months(end + dt.timedelta(days=1), renewal) - dt.timedelta(days=1)
    return end


def _one_value(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One term's row for the dates: the general one (program ""), else the longest day
    count among the programs' (its notice deadline comes first, so none is missed)."""
    general = [r for r in rows if not r["program"]]
    if general:
        return general[0]
    return max(rows, key=lambda r: (r["v"] is not None, r["v"] or 0))


def contract_deadlines(conn: duckdb.DuckDBPyConnection,
                       params: DeadlineParams) -> DeadlineResult:
    """Per contract, the term values in force on ``as_of`` turned into dates."""
    payer_id, _ = resolve_inputs(conn, params.payer, None, params.scope)
    scoped, extra = params.scope.sql("payer_id")
    data = rows(conn, f"""
        SELECT coalesce(contract_id, payer_id) AS ck, contract_id, payer_id, term,
               coalesce(program, '') AS program,
               arg_max(value_num, k) AS v, arg_max(value_text, k) AS t,
               arg_min(value_num, k) AS v_first, arg_min(value_text, k) AS t_first,
               arg_max(source_file, k) AS src, arg_max(page, k) AS page,
               arg_max(section, k) AS section, arg_max(chunk_id, k) AS chunk_id,
               count(*) AS n
        -- k orders the rows totally (by date, then by source), so that two rows of one date
        -- resolve the same way on every run (arg_max skips a NULL value, as before)
        FROM (SELECT *, (eff, coalesce(source_file, ''), coalesce(page, 0),
                         coalesce(chunk_id, '')) AS k
              FROM (SELECT *, coalesce(effective_from, DATE '1900-01-01') AS eff
                    FROM contract_terms))
        WHERE term IN (SELECT unnest(?::VARCHAR[]))
          AND eff <= ?
          AND (? IS NULL OR payer_id = ?) AND {scoped}
        GROUP BY ALL ORDER BY ck, term, program""",
        [list(TERMS), params.as_of, payer_id, payer_id, *extra])
    by_program: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for d in data:
        by_program.setdefault(d["ck"], {}).setdefault(d["term"], []).append(d)
    out: list[ContractDeadline] = []
    for per_term in by_program.values():
        terms = {t: _one_value(rs) for t, rs in per_term.items()}
        programs = {t: {r["program"]: r["v"] if r["v"] is not None else r["t"] for r in rs}
                    for t, rs in per_term.items() if any(r["program"] for r in rs)}
        first = next(iter(terms.values()))
        def get(key: str, terms: dict[str, dict[str, Any]] = terms) -> dict[str, Any]:
            return terms.get(key, {})

        # The term runs from the base contract's effective date: an amendment's own
        # effective date changes what it amends, it does not restart the term.
        eff = _date(get("effective_date").get("v_first"), get("effective_date").get("t_first"))
        initial = get("initial_term_months").get("v")
        renewal = get("renewal_term_months").get("v")
        auto = _bool(get("auto_renewal").get("v"), get("auto_renewal").get("t"))
        notice = get("non_renewal_notice_days").get("v")
        twc = get("termination_without_cause_days").get("v")
        missing = [k for k in TERMS if k not in terms]
        end = deadline = prep = renew = None
        if eff and initial:
            end = term_end(eff, int(initial), int(renewal) if renewal else None, auto,
                           int(notice or 0), params.as_of)
            renew = end + dt.timedelta(days=1) if auto else None
            if notice is not None:
                deadline = end - dt.timedelta(days=int(notice))
                prep = deadline - dt.timedelta(days=params.prep_lead_days)
        out.append(ContractDeadline(
            contract_id=first["contract_id"], payer_id=first["payer_id"], effective_date=eff,
            auto_renewal=auto, expiration_date=end, next_renewal_date=renew,
            notice_days=int(notice) if notice is not None else None,
            notice_deadline=deadline,
            days_until_notice_deadline=(deadline - params.as_of).days if deadline else None,
            prep_start=prep, days_until_prep_start=(prep - params.as_of).days if prep else None,
            termination_without_cause_days=int(twc) if twc is not None else None,
            sources={k: {"source_file": v["src"], "page": v["page"], "section": v["section"],
                         "chunk_id": v["chunk_id"], "program": v["program"]}
                     for k, v in terms.items()},
            missing_terms=missing, program_values=programs))
    if params.within_days is not None:
        out = [c for c in out if c.days_until_notice_deadline is not None
               and 0 <= c.days_until_notice_deadline <= params.within_days]
    out.sort(key=lambda c: (c.notice_deadline or dt.date.max, c.contract_id or ""))
    filters = {"as_of": params.as_of.isoformat(), "payer_id": payer_id,
               "within_days": params.within_days, "prep_lead_days": params.prep_lead_days}
    return DeadlineResult(function="contract_deadlines", filters=filters,
                          row_count=sum(int(d["n"]) for d in data), as_of=params.as_of,
                          contracts=out)
