"""The finding model of the monitoring loop: one discrepancy or deadline, its evidence and
its status in the discrepancy log.

A finding's id is derived from its kind, its payer and the facts that identify it (e.g. the
code and the contract rate it fails to pay), so running the monitor again finds the same
id and never files a duplicate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal["underpayment", "late_payment", "denial_change", "deadline"]
Status = Literal["new", "acknowledged", "disputed", "recovered", "written_off"]

KINDS: tuple[str, ...] = ("underpayment", "late_payment", "denial_change", "deadline")
STATUSES: tuple[str, ...] = ("new", "acknowledged", "disputed", "recovered", "written_off")
OPEN_STATUSES: tuple[str, ...] = ("new", "acknowledged", "disputed")
CLOSED_STATUSES: tuple[str, ...] = ("recovered", "written_off")


class ClauseCitation(BaseModel):
    """The contract language behind a finding, quoted with where it stands."""

    document: str
    page: int | None = None
    section: str | None = None
    chunk_id: str | None = None
    quote: str
    term: str | None = None  # the contract_terms key, when the quote states one


class EvidenceLine(BaseModel):
    """One claim line (or claim) behind a finding. No patient identifiers."""

    claim_id: str
    line_no: int | None = None
    date_of_service: dt.date | None = None
    code: str | None = None
    expected: float | None = None
    allowed: float | None = None
    paid: float | None = None
    short: float | None = None
    received_date: dt.date | None = None
    paid_date: dt.date | None = None
    days_to_pay: int | None = None
    days_late: int | None = None
    interest: float | None = None
    carc: str | None = None
    group_code: str | None = None
    appeal_deadline: dt.date | None = None


class Evidence(BaseModel):
    """Claim lines, figures (each with the function and filters behind it) and clauses."""

    lines: list[EvidenceLine] = Field(default_factory=list)
    figures: dict[str, Any] = Field(default_factory=dict)
    source: dict[str, Any] = Field(default_factory=dict)  # analytics function + filters
    clauses: list[ClauseCitation] = Field(default_factory=list)


class Finding(BaseModel):
    """One entry of the discrepancy log."""

    finding_id: str
    kind: Kind
    payer_id: str | None
    title: str
    amount: float | None = None  # dollars at stake (short, interest); None for deadlines
    details: dict[str, Any] = Field(default_factory=dict)
    evidence: Evidence = Field(default_factory=Evidence)
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    status: Status = "new"
    updated_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        """True while the finding still needs work."""
        return self.status in OPEN_STATUSES


class FindingEvent(BaseModel):
    """One status change of a finding."""

    finding_id: str
    at: dt.datetime
    user: str
    from_status: str | None
    to_status: str
    note: str | None = None


def finding_id(kind: str, payer_id: str | None, *facts: object) -> str:
    """Deterministic id: ``<kind prefix>-<12 hex>`` from the kind, payer and key facts."""
    raw = "|".join([kind, payer_id or ""] + [str(f) for f in facts])
    prefix = {"underpayment": "UND", "late_payment": "LATE", "denial_change": "DEN",
              "deadline": "DL"}.get(kind, "F")
    return f"{prefix}-{hashlib.sha256(raw.encode('utf-8')).hexdigest()[:12]}"
