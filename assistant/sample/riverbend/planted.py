"""Fixed (seed-independent) claims and provider adjustments planted into the claim model.

- RB9000001 (Granite Peak): paid as 99213, then reversed (CLP02 22, negative amounts) and
  re-adjudicated as 99214 after the practice's corrected claim, in a later payment.
- RB9000002 (Cedar Ridge): knee MRI denied CO-197 / N54 (no precertification).
- RB9000004 (Cedar Ridge): a new-patient visit in the payment that also carries a PLB WO
  overpayment recovery of $25.00 for claim RB9000003.
- Tamarack: interest paid through PLB L6 on the first late claims paid from June 2026.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING

from assistant.sample.riverbend import model as M

if TYPE_CHECKING:
    from assistant.sample.riverbend.claims import Claim, ClaimModel

REVERSED_CLAIM = "RB9000001"
REVERSAL_DATES = (dt.date(2026, 2, 3), dt.date(2026, 3, 3))  # original, reversal + corrected
MRI_DENIED_CLAIM = "RB9000002"
MRI_DENIAL_DOS = dt.date(2026, 4, 14)
WO_CLAIM, WO_CARRIER_CLAIM, WO_AMOUNT = "RB9000003", "RB9000004", 2500
WO_DATE = dt.date(2026, 1, 14)
INTEREST_FROM, INTEREST_CLAIMS = dt.date(2026, 6, 1), 3


def _claim(model: ClaimModel, claim_id: str, payer_id: str, k: int, dos: dt.date,
           visit: list[tuple[str, str, int]], program: str = M.COMMERCIAL) -> Claim:
    from assistant.sample.riverbend.claims import Claim, new_line

    member, last, first, dob = model.patient_no(payer_id, k)
    lines = [new_line(code, mod, units, model.charges[code]) for code, mod, units in visit]
    return Claim(claim_id, payer_id, program, member, last, first, dob, dos,
                 dos + dt.timedelta(days=2), dos + dt.timedelta(days=3), lines)


def plant(model: ClaimModel) -> None:
    """Add the planted claims and adjustments to ``model`` (after the random claims)."""
    _reversal(model)
    crhp = M.PAYER_BY_ID["CRHP"]
    mri = _claim(model, MRI_DENIED_CLAIM, "CRHP", 5, MRI_DENIAL_DOS,
                 [("99213", "", 1), ("73721", "", 1)])
    model.price(crhp, mri.lines[0], mri.dos, 0, crhp.copay)
    model.deny_line(mri.lines[1], "CO", "197", "N54")
    model.pay(mri, dt.date(2026, 5, 6))

    first = _claim(model, WO_CLAIM, "CRHP", 9, dt.date(2025, 10, 6), [("99213", "", 1)])
    model.price(crhp, first.lines[0], first.dos, 0, crhp.copay)
    model.pay(first, dt.date(2025, 10, 29))
    carrier = _claim(model, WO_CARRIER_CLAIM, "CRHP", 11, dt.date(2025, 12, 15),
                     [("99204", "", 1)])
    model.price(crhp, carrier.lines[0], carrier.dos, 0, 0)
    pay = model.pay(carrier, WO_DATE)
    pay.plb.append(("WO", WO_CLAIM, WO_AMOUNT))
    _interest(model)


def _reversal(model: ClaimModel) -> None:
    gphi = M.PAYER_BY_ID["GPHI"]
    dos = dt.date(2026, 1, 12)
    original = _claim(model, REVERSED_CLAIM, "GPHI", 3, dos, [("99213", "", 1)])
    model.price(gphi, original.lines[0], dos, 0, 0)
    model.pay(original, REVERSAL_DATES[0])
    reversal = copy.deepcopy(original)
    reversal.status = "22"
    for li in reversal.lines:
        li.billed, li.allowed, li.paid, li.contract = -li.billed, -li.allowed, -li.paid, \
            -li.contract
        li.adjustments = [(g, c, -a) for g, c, a in li.adjustments]
    corrected = _claim(model, REVERSED_CLAIM, "GPHI", 3, dos, [("99214", "", 1)])
    corrected.frequency = "7"
    corrected.submitted, corrected.received = dt.date(2026, 2, 9), dt.date(2026, 2, 10)
    model.price(gphi, corrected.lines[0], dos, 0, 0)
    corrected.payer_ctrl = original.payer_ctrl[:-1] + "R"
    model.pay(reversal, REVERSAL_DATES[1])
    model.pay(corrected, REVERSAL_DATES[1])


def interest_cents(paid: int, annual_pct: float, days_late: int) -> int:
    """Simple interest in cents, rounded half up: paid x rate x days late / 365."""
    return int(paid * annual_pct / 100 * days_late / 365 + 0.5)


def days_late(claim: Claim, paid_date: dt.date) -> int:
    """Days past the clean-claim deadline (received date + clean-claim days)."""
    terms = M.PAYER_BY_ID[claim.payer_id].program(claim.program)
    return (paid_date - claim.received).days - terms.clean_claim_payment_days


def _interest(model: ClaimModel) -> None:
    tmic = M.PAYER_BY_ID["TMIC"].program(M.COMMERCIAL)
    assert tmic.prompt_pay_interest_pct is not None
    done = 0
    for key in sorted(model.payments):
        pay = model.payments[key]
        if pay.payer_id != "TMIC" or pay.paid_date < INTEREST_FROM:
            continue
        for claim in pay.claims:
            late = days_late(claim, pay.paid_date)
            amount = interest_cents(claim.paid, tmic.prompt_pay_interest_pct, late)
            if late > 0 and claim.paid > 0 and amount > 0 and done < INTEREST_CLAIMS:
                pay.plb.append(("L6", claim.claim_id, -amount))
                done += 1
