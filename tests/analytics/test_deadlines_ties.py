"""Contract deadlines are the same on every run when two term rows share a date."""

from __future__ import annotations

import datetime as dt

from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
from assistant.stores.warehouse import open_memory_warehouse

BASE = dt.date(2025, 1, 1)


def _term(term: str, num: float | None, text: str | None, page: int, program: str | None = None,
          effective: dt.date = BASE) -> tuple:
    return ("C1", "ACME", "d1", term, num, text, effective, "acme_agreement.pdf", page,
            f"{page}.1", f"d1:{page}", "quote", None, program)


def test_terms_of_one_date_resolve_the_same_way_every_run() -> None:
    conn = open_memory_warehouse()
    conn.execute("SET threads = 4")
    rows = [
        _term("effective_date", None, "2025-01-01", 1),
        _term("initial_term_months", 24, None, 2),
        _term("auto_renewal", None, "yes", 3),
        _term("renewal_term_months", 12, None, 3),
        # the same notice stated twice on one date (body and a summary exhibit): 90 and 60
        _term("non_renewal_notice_days", 90, None, 4),
        _term("non_renewal_notice_days", 60, None, 41),
        _term("termination_without_cause_days", 180, None, 5),
        _term("termination_without_cause_days", 90, None, 6, program="Medicare Advantage"),
        _term("termination_without_cause_days", 120, None, 7, program="Medicaid"),
    ]
    conn.executemany("INSERT INTO contract_terms VALUES (" + ", ".join("?" * 14) + ")", rows)
    params = DeadlineParams(as_of=dt.date(2026, 6, 1))
    results = [contract_deadlines(conn, params) for _ in range(20)]
    dumps = {r.model_dump_json() for r in results}
    assert len(dumps) == 1  # identical, field order included
    [c] = results[0].contracts
    # Of two rows of one date the later in the document wins, value and source together.
    assert c.notice_days == 60 and c.sources["non_renewal_notice_days"]["page"] == 41
    assert list(c.program_values["termination_without_cause_days"]) == [
        "", "Medicaid", "Medicare Advantage"]
    assert c.termination_without_cause_days == 180  # the general value
    assert c.expiration_date == dt.date(2026, 12, 31)
