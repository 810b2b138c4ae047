"""Running statistics over generated claims: totals and the planted patterns' values."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.sample.facts import Payer
    from assistant.sample.x12 import Line

SPIKE_PAYER, SPIKE_CODES, SPIKE_CARC = "NWM", ("73721", "72148"), "197"
LATE_PAYER = "BSH"


def quarter(day: dt.date) -> str:
    """'2026Q2'."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


class Stats:
    """Accumulates per-payer totals and the planted patterns while claims stream by."""

    def __init__(self) -> None:
        self.totals: dict[str, dict[str, Any]] = defaultdict(lambda: {
            "lines": 0, "claims": 0, "patients": set(), "billed": 0, "allowed": 0, "paid": 0,
            "denied_lines": 0})
        self.under = {"lines": 0, "short": 0, "contract": 0, "applied": 0}
        self.spike: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # quarter -> [n, denied]
        self.late = {"claims": 0, "late": 0, "interest": 0.0, "interest_cents": 0,
                     "principal_late": 0}
        self.interest_rate = 0.12
        self.clean_days = 30

    def underpaid(self, contract: int, applied: int, units: int) -> None:
        """Record one underpaid line (KHP 99214 after the amendment)."""
        u = self.under
        u["lines"] += 1
        u["short"] += (contract - applied) * units
        u["contract"], u["applied"] = contract, applied

    def line(self, pid: str, li: Line, status: str, carc: str, dos: dt.date) -> None:
        """Record one claim line."""
        t = self.totals[pid]
        t["lines"] += 1
        t["billed"] += li.billed
        t["allowed"] += li.allowed
        t["paid"] += li.paid
        if status == "denied":
            t["denied_lines"] += 1
        if pid == SPIKE_PAYER and li.code in SPIKE_CODES:
            s = self.spike[quarter(dos)]
            s[0] += 1
            if status == "denied" and carc == SPIKE_CARC:
                s[1] += 1

    def claim(self, payer: Payer, mrn: str, paid: int, received: dt.date,
              paid_date: dt.date) -> None:
        """Record one claim (after its lines)."""
        t = self.totals[payer.payer_id]
        t["claims"] += 1
        t["patients"].add(mrn)
        if payer.payer_id != LATE_PAYER or paid <= 0:
            return
        self.clean_days = payer.terms.clean_claim_payment_days
        self.interest_rate = payer.terms.prompt_pay_interest_pct / 100
        self.late["claims"] += 1
        days_late = (paid_date - received).days - self.clean_days
        if days_late > 0:
            self.late["late"] += 1
            self.late["principal_late"] += paid
            cents = round(paid * self.interest_rate * days_late / 365)
            self.late["interest_cents"] += cents

    def totals_json(self) -> dict[str, dict[str, Any]]:
        """Per-payer totals with money in dollars."""
        out = {}
        for pid in sorted(self.totals):
            t = self.totals[pid]
            out[pid] = {"lines": t["lines"], "claims": t["claims"],
                        "patients": len(t["patients"]), "billed": t["billed"] / 100,
                        "allowed": t["allowed"] / 100, "paid": t["paid"] / 100,
                        "denied_lines": t["denied_lines"]}
        return out
