"""Seeded claims and payer payments for Riverbend, with the planted patterns.

The model here is what the 835 and 837 writers render and what ground truth is computed
from: claims (with service lines and adjustments) grouped into payments (one per payer
payment run and program stream), plus provider-level adjustments (PLB).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from assistant.sample.riverbend import model as M
from assistant.sample.riverbend.planted import plant

UNDERPAY_PAYER, UNDERPAY_CODE = "CRHP", "99214"
SPIKE_PAYER, SPIKE_CARC = "SCH", "197"
SPIKE_START, SPIKE_END, SPIKE_PROB = dt.date(2026, 4, 1), dt.date(2026, 6, 30), 0.45
LATE_PAYER, LATE_SHARE = "TMIC", 0.35
MA_SHARE = 0.25  # of Cedar Ridge claims
FIRST = ("AVERY", "BRYN", "CALLUM", "DESTA", "ELOISE", "FINN", "GRETA", "HOLLIS", "IMANI",
         "JONAH", "KESTREL", "LIESEL", "MARISOL", "NILES", "ODETTE", "PERRIN", "QUINLAN",
         "ROWAN", "SAOIRSE", "TOBIAS", "ULLA", "VESPER", "WREN", "XAVIA", "YORICK", "ZINNIA")
LAST = ("ASHGROVE", "BRACKENRIDGE", "COLDWATER", "DUNMORE", "ELDERBERRY", "FALLOWAY",
        "GLENNAIRE", "HOLLOWELL", "IRONSIDE", "JUNIPERO", "KETTLEBY", "LARKSPUR", "MOSSBANK",
        "NETTLEFIELD", "ORCHARDSON", "PEBBLEWORTH", "QUILLAN", "REEDMORE", "STONEBRIDGE",
        "THISTLEDOWN", "UPTONVALE", "VARNHOLT", "WILLOWMERE", "YARROWAY")
MEMBER_PREFIX = {"CRHP": "CRH", "TMIC": "TM", "SCH": "SC", "GPHI": "GPK"}
FILING = {"CRHP": "CI", "TMIC": "CI", "SCH": "HM", "GPHI": "12"}
KINDS = ("new", "est", "inj", "imaging", "therapy", "ecg")
KIND_WEIGHTS = {"CRHP": (14, 48, 12, 8, 12, 6), "TMIC": (14, 46, 12, 8, 14, 6),
                "SCH": (12, 40, 10, 22, 12, 4), "GPHI": (16, 48, 10, 8, 12, 6)}


@dataclass
class Line:
    """One service line as adjudicated (money in cents)."""

    code: str
    modifier: str
    units: int
    billed: int
    allowed: int = 0
    paid: int = 0
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    rarc: str = ""
    contract: int = 0  # contracted allowed amount in force on the date of service


@dataclass
class Claim:
    """One claim; ``status`` is CLP02 (1 paid, 4 denied, 22 reversal)."""

    claim_id: str
    payer_id: str
    program: str
    member_id: str
    last: str
    first: str
    dob: dt.date
    dos: dt.date
    submitted: dt.date
    received: dt.date
    lines: list[Line]
    status: str = "1"
    claim_adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    claim_rarc: str = ""
    payer_ctrl: str = ""
    lines_in_835: bool = True
    frequency: str = "1"

    @property
    def billed(self) -> int:
        return sum(li.billed for li in self.lines)

    @property
    def paid(self) -> int:
        return sum(li.paid for li in self.lines)

    @property
    def patient_resp(self) -> int:
        return sum(a for li in self.lines for g, _c, a in li.adjustments if g == "PR")


@dataclass
class Payment:
    """One payer payment (an ST/SE transaction): claims and provider adjustments."""

    payer_id: str
    program: str
    paid_date: dt.date
    claims: list[Claim] = field(default_factory=list)
    plb: list[tuple[str, str, int]] = field(default_factory=list)  # (reason, ref, amount)

    @property
    def trace(self) -> str:
        tag = "M" if self.program == M.MEDICARE_ADV else ""
        return f"{M.PAYER_BY_ID[self.payer_id].x12_id}{tag}{self.paid_date:%y%m%d}"

    @property
    def total(self) -> int:
        return sum(c.paid for c in self.claims) - sum(a for _r, _f, a in self.plb)


class RateBook:
    """Contracted rate (cents per unit) for payer, code, modifier and date of service."""

    def __init__(self, rows: list[M.RateRow]) -> None:
        self.rows = rows

    def rate(self, payer_id: str, code: str, modifier: str, dos: dt.date) -> int:
        """The row in force on ``dos``; a modifier without its own row uses the code's."""
        for mod in (modifier, ""):
            for r in self.rows:
                if (r.payer_id, r.code, r.modifier) == (payer_id, code, mod) and \
                        r.effective_from <= dos and (r.effective_to is None or
                                                     dos <= r.effective_to):
                    return r.rate
        raise KeyError((payer_id, code, modifier, dos))


class ClaimModel:
    """Generates claims for ``n_lines`` service lines and groups them into payments."""

    def __init__(self, seed: int, n_lines: int) -> None:
        self.rnd = random.Random(seed)
        self.n_lines = n_lines
        self.medicare = M.medicare_nonfacility()
        self.rates = M.fee_schedule(self.medicare)
        self.book = RateBook(self.rates)
        self.charges = M.charges(self.medicare)
        self.payments: dict[tuple[str, str, dt.date], Payment] = {}
        self.claims: list[Claim] = []
        self.seq = 0
        n_pat = max(80, n_lines // 6)
        self.pools = {p.payer_id: max(20, int(n_pat * p.share)) for p in M.PAYERS}

    # -- generation -------------------------------------------------------------
    def run(self) -> list[Payment]:
        days = [M.PERIOD_START + dt.timedelta(days=i)
                for i in range((M.PERIOD_END - M.PERIOD_START).days + 1)]
        days = [d for d in days if d.weekday() < 5]
        base, extra = divmod(self.n_lines, len(days))
        shares = [p.share for p in M.PAYERS]
        for i, day in enumerate(days):
            budget = base + (1 if i < extra else 0)
            while budget > 0:
                payer = self.rnd.choices(M.PAYERS, shares)[0]
                visit = self._visit(self.rnd.choices(KINDS, KIND_WEIGHTS[payer.payer_id])[0])[:budget]
                budget -= len(visit)
                self._claim(payer, day, visit)
        plant(self)
        return [self.payments[k] for k in sorted(self.payments)]

    def _visit(self, kind: str) -> list[tuple[str, str, int]]:
        rnd = self.rnd
        if kind == "new":
            return [(rnd.choice(("99203", "99203", "99204")), "", 1)]
        if kind == "ecg":
            return [(rnd.choice(("99213", "99214", "99215")), "25", 1), ("93000", "", 1)]
        if kind == "inj":
            side = rnd.choice(("RT", "LT", "RT", "LT", "50"))
            return [(rnd.choice(("99213", "99214")), "25", 1), ("20610", side, 1)]
        if kind == "imaging":
            return [(rnd.choices(M.MRI_CODES, (65, 35))[0], "", 1)]
        if kind == "therapy":
            lines = [("97110", "GP", rnd.choice((1, 2, 2, 3)))]
            if rnd.random() < 0.55:
                lines.append(("97140", "GP", rnd.choice((1, 1, 2))))
            return lines
        lines = [(rnd.choices(("99212", "99213", "99214", "99215"), (10, 44, 36, 10))[0], "", 1)]
        if rnd.random() < 0.22:
            lines.append((rnd.choice(("73560", "73610")), "", 1))
        return lines

    def patient(self, payer_id: str) -> tuple[str, str, str, dt.date]:
        """(member id, last, first, date of birth) of a random patient in the payer's pool."""
        k = self.rnd.randrange(self.pools[payer_id])
        return self.patient_no(payer_id, k)

    @staticmethod
    def patient_no(payer_id: str, k: int) -> tuple[str, str, str, dt.date]:
        salt = sum(map(ord, payer_id))
        n = (k * 7919 + salt * 104729) % 90_000_000 + 10_000_000
        member = f"{MEMBER_PREFIX[payer_id]}{n}"
        dob = dt.date(1948, 1, 1) + dt.timedelta(days=(k * 3571 + salt) % 24000)
        return member, LAST[(k + salt) % len(LAST)], FIRST[(k * 5 + salt) % len(FIRST)], dob

    def next_id(self) -> str:
        self.seq += 1
        return f"RB{self.seq:07d}"

    def _claim(self, payer: M.Payer, dos: dt.date, visit: list[tuple[str, str, int]]) -> None:
        rnd, pid = self.rnd, payer.payer_id
        program = M.COMMERCIAL
        if pid == "CRHP" and rnd.random() < MA_SHARE:
            program = M.MEDICARE_ADV
        member, last, first, dob = self.patient(pid)
        submitted = dos + dt.timedelta(days=rnd.randint(1, 6))
        received = submitted + dt.timedelta(days=rnd.randint(1, 3))
        lines = [new_line(code, mod, units, self.charges[code]) for code, mod, units in visit]
        claim = Claim(self.next_id(), pid, program, member, last, first, dob, dos, submitted,
                      received, lines)
        if rnd.random() < 0.012:
            self.deny_claim(claim, "16", "MA130")
        else:
            deductible = rnd.randint(40, 300) * 100 if rnd.random() < payer.deductible_prob \
                else 0
            copay = payer.copay
            for li in lines:
                denial = self._line_denial(pid, li.code, dos)
                if denial:
                    self.deny_line(li, *denial)
                else:
                    deductible, copay = self.price(payer, li, dos, deductible, copay)
        self.pay(claim, self.payment_date(payer, program, received))

    def _line_denial(self, pid: str, code: str, dos: dt.date) -> tuple[str, str, str] | None:
        rnd = self.rnd
        cat = M.CODE_BY_ID[code].category
        if pid == SPIKE_PAYER and cat == "mri" and SPIKE_START <= dos <= SPIKE_END \
                and rnd.random() < SPIKE_PROB:
            return ("CO", "197", "N54")
        if cat == "mri" and rnd.random() < 0.03:
            return ("CO", "197", "N54")
        if code in ("97140", "93000") and rnd.random() < 0.03:
            return ("CO", "97", "M15")
        if cat in ("em_est", "em_new") and rnd.random() < 0.01:
            return ("CO", "16", "M51")
        if rnd.random() < 0.004:
            return ("CO", "18", "N522")
        return None

    # -- adjudication helpers (also used by the planted claims) ---------------------
    @staticmethod
    def deny_line(li: Line, group: str, carc: str, rarc: str) -> None:
        li.allowed, li.paid, li.adjustments, li.rarc = 0, 0, [(group, carc, li.billed)], rarc

    @staticmethod
    def deny_claim(claim: Claim, carc: str, rarc: str) -> None:
        """A whole claim denied at claim level: CLP02 4, claim CAS, no service lines."""
        claim.status, claim.lines_in_835 = "4", False
        claim.claim_adjustments = [("CO", carc, claim.billed)]
        claim.claim_rarc = rarc

    def price(self, payer: M.Payer, li: Line, dos: dt.date, deductible: int,
              copay: int, applied: int | None = None) -> tuple[int, int]:
        """Allowed at the contract rate (or ``applied`` per unit), CO-45 and PR sharing."""
        contract = self.book.rate(payer.payer_id, li.code, li.modifier, dos)
        if applied is None:
            applied = contract
            if payer.payer_id == UNDERPAY_PAYER and li.code == UNDERPAY_CODE \
                    and dos >= M.CRHP_AMENDMENT_DATE:
                applied = self.book.rate(payer.payer_id, li.code, li.modifier,
                                         M.CRHP_AMENDMENT_DATE - dt.timedelta(days=1))
        cat = M.CODE_BY_ID[li.code].category
        li.contract = contract * li.units
        li.allowed = applied * li.units
        left = li.allowed
        ded = min(deductible, left)
        left -= ded
        coins = left * payer.coins_pct // 100 if cat == "mri" else 0
        left -= coins
        cop = min(copay, left) if cat in ("em_new", "em_est") else 0
        left -= cop
        li.paid = left
        li.adjustments = [(g, c, a) for g, c, a in (
            ("CO", "45", li.billed - li.allowed), ("PR", "1", ded), ("PR", "2", coins),
            ("PR", "3", cop)) if a]
        return deductible - ded, copay - cop

    def payment_date(self, payer: M.Payer, program: str, received: dt.date) -> dt.date:
        clean = payer.program(program).clean_claim_payment_days
        if payer.payer_id == LATE_PAYER and self.rnd.random() < LATE_SHARE:
            target = self.rnd.randint(clean + 3, clean + 40)
        else:
            target = self.rnd.randint(7, clean - 7)
        day = received + dt.timedelta(days=target)
        day += dt.timedelta(days=(payer.run_weekday - day.weekday()) % 7)
        while day > M.LAST_PAYMENT:
            day -= dt.timedelta(days=7)
        return day

    def pay(self, claim: Claim, paid_date: dt.date) -> Payment:
        """Put ``claim`` into its payer's payment of ``paid_date`` (created if needed)."""
        key = (claim.payer_id, claim.program, paid_date)
        pay = self.payments.setdefault(key, Payment(claim.payer_id, claim.program, paid_date))
        if claim.status == "1" and all(li.allowed == 0 for li in claim.lines):
            claim.status = "4"
        claim.payer_ctrl = claim.payer_ctrl or \
            f"{paid_date:%y%j}{len(self.claims) % 100000:05d}{claim.payer_id[0]}"
        pay.claims.append(claim)
        self.claims.append(claim)
        return pay


def new_line(code: str, modifier: str, units: int, charge: int) -> Line:
    """A fresh unadjudicated line at the chargemaster price."""
    return Line(code, modifier, units, charge * units)
