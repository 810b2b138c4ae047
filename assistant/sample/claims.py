"""Seeded claim lines with planted patterns, streamed to claims.csv and 835 files.

Claims are generated day of service by day of service; each claim waits in a buffer keyed
by its payment run and is written to that run's 835 file as soon as no later claim can be
paid in that run, so memory stays bounded at a million lines.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.sample import x12
from assistant.sample.facts import (
    CODE_BY_ID,
    KHP_AMENDMENT_DATE,
    PAYER_BY_ID,
    PAYERS,
    PERIOD_END,
    PERIOD_START,
    REFERENCE_DATE,
    Payer,
    RateRow,
    money,
)
from assistant.sample.stats import Stats

UNDERPAY_PAYER, UNDERPAY_CODE, UNDERPAY_FACTOR = "KHP", "99214", 0.96
SPIKE_PAYER, SPIKE_CODES = "NWM", ("73721", "72148")
SPIKE_START, SPIKE_END, SPIKE_PROB = dt.date(2026, 4, 1), dt.date(2026, 6, 30), 0.40
LATE_PAYER, LATE_SHARE = "BSH", 0.33
LAST_RUN = REFERENCE_DATE - dt.timedelta(days=1)

FIRST = ("JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA",
         "DAVID", "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA",
         "THOMAS", "SARAH", "CHARLES", "KAREN", "DANIEL", "NANCY", "MATTHEW", "LISA", "ANTHONY",
         "BETTY", "MARK", "SANDRA", "PAUL", "ASHLEY", "STEVEN", "EMILY", "KEVIN", "DONNA")
LAST = ("ANDERSON", "NGUYEN", "JOHNSON", "OLSON", "PETERSON", "LARSON", "HANSEN", "MILLER",
        "SCHMIDT", "NELSON", "CARLSON", "JOHNSTON", "SWANSON", "GARCIA", "LEE", "THOMPSON",
        "MARTIN", "WALKER", "HALL", "YOUNG", "KING", "WRIGHT", "LOPEZ", "HILL", "SCOTT",
        "GREEN", "ADAMS", "BAKER", "CAMPBELL", "PARKER", "EVANS", "EDWARDS", "COLLINS", "BERG",
        "LINDQUIST", "SORENSEN", "DAHL")
# Visit templates per payer: (weight, kind)
KINDS = ("office_new", "office_est", "imaging", "therapy", "surgery")
KIND_WEIGHTS = {"BSH": (18, 50, 10, 16, 6), "KHP": (16, 56, 8, 16, 4),
                "NWM": (12, 54, 14, 16, 4), "RCC": (18, 58, 6, 14, 4),
                "HWC": (14, 30, 18, 34, 4), "ESP": (18, 52, 10, 15, 5)}
CSV_HEADER = ("claim_id,line_no,payer_id,patient_id,date_of_service,submitted_date,"
              "received_date,code,modifier,units,billed,allowed,paid,status,group_code,carc,"
              "rarc,paid_date,check_number\n")


@dataclass
class Run:
    """Claims waiting for one payer payment run."""

    claims: list[list[str]] = field(default_factory=list)
    paid: int = 0


class RateBook:
    """Contracted rate (cents per unit) in force for a payer, code and date of service."""

    def __init__(self, rows: list[RateRow]) -> None:
        self._rows: dict[tuple[str, str], list[RateRow]] = {}
        for r in rows:
            self._rows.setdefault((r.payer_id, r.code), []).append(r)

    def rate(self, payer_id: str, code: str, dos: dt.date) -> int:
        """The rate in force on ``dos``."""
        for r in self._rows[(payer_id, code)]:
            if r.effective_from <= dos and (r.effective_to is None or dos <= r.effective_to):
                return r.rate
        raise KeyError((payer_id, code, dos))


def _next_run(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _visit_lines(rnd: random.Random, kind: str) -> list[tuple[str, int]]:
    if kind == "office_new":
        lines = [(rnd.choices(("99202", "99203", "99204", "99205"), (10, 40, 38, 12))[0], 1)]
    elif kind == "office_est":
        lines = [(rnd.choices(("99212", "99213", "99214", "99215"), (10, 42, 38, 10))[0], 1)]
    elif kind == "imaging":
        return [(rnd.choices(("73721", "72148"), (60, 40))[0], 1)]
    elif kind == "therapy":
        lines = [("97110", rnd.choice((2, 2, 3, 3, 4)))]
        if rnd.random() < 0.6:
            lines.append(("97140", rnd.choice((1, 1, 2))))
        return lines
    else:
        return [("29881", 1)]
    r = rnd.random()
    if r < 0.25:
        lines.append((rnd.choice(("73030", "73562")), 1))
    elif r < 0.40:
        lines.append(("20610", 1))
    return lines


class ClaimGenerator:
    """Generates ``n_lines`` claim lines and writes CSV rows and 835 files via callbacks."""

    def __init__(self, seed: int, n_lines: int, rates: list[RateRow], charges: dict[str, int],
                 write_csv: Callable[[str], object],
                 write_835: Callable[[str, bytes], None]) -> None:
        self.rnd = random.Random(seed)
        self.n_lines = n_lines
        self.book = RateBook(rates)
        self.charges = charges
        self.write_csv = write_csv
        self.write_835 = write_835
        self.stats = Stats()
        self.pending: dict[tuple[dt.date, str], Run] = {}
        self.ctrl = 0
        self.claim_seq = 0
        self.files: list[str] = []
        n_pat = max(120, n_lines // 7)
        self.pools: dict[str, tuple[int, int]] = {}
        start = 0
        for p in PAYERS:
            size = max(20, int(n_pat * p.share))
            self.pools[p.payer_id] = (start, size)
            start += size

    def run(self) -> Stats:
        """Generate everything; returns the accumulated statistics."""
        days = [PERIOD_START + dt.timedelta(days=i)
                for i in range((PERIOD_END - PERIOD_START).days + 1)]
        days = [d for d in days if d.weekday() < 5]
        base, extra = divmod(self.n_lines, len(days))
        shares = [p.share for p in PAYERS]
        for i, day in enumerate(days):
            budget = base + (1 if i < extra else 0)
            while budget > 0:
                payer = self.rnd.choices(PAYERS, shares)[0]
                lines = _visit_lines(self.rnd, self.rnd.choices(KINDS, KIND_WEIGHTS[
                    payer.payer_id])[0])[:budget]
                budget -= len(lines)
                self._claim(payer, day, lines)
            self._flush(day)
        self._flush(None)
        return self.stats

    def _payment_date(self, payer: Payer, received: dt.date) -> dt.date:
        clean = payer.terms.clean_claim_payment_days
        if payer.payer_id == LATE_PAYER and self.rnd.random() < LATE_SHARE:
            target = self.rnd.randint(clean + 3, clean + 45)
        else:
            target = self.rnd.randint(7, clean - 7)
        day = _next_run(received + dt.timedelta(days=target), payer.run_weekday)
        while day > LAST_RUN:
            day -= dt.timedelta(days=7)
        return day

    def _claim(self, payer: Payer, dos: dt.date, visit: list[tuple[str, int]]) -> None:
        rnd, pid = self.rnd, payer.payer_id
        self.claim_seq += 1
        claim_id = f"LOC{self.claim_seq:08d}"
        start, size = self.pools[pid]
        pat = start + rnd.randrange(size)
        mrn = f"MRN{1000000 + pat * 37 % 9000000:07d}"
        submitted = dos + dt.timedelta(days=rnd.randint(1, 5))
        claim_denial: tuple[str, str, str] | None = None
        if rnd.random() < 0.015 * payer.denial_factor:
            carc = rnd.choice(("16", "18", "29"))
            tf = payer.terms.timely_filing_days
            if carc == "29" and dos + dt.timedelta(days=tf + 60) < LAST_RUN:
                submitted = dos + dt.timedelta(days=tf + rnd.randint(3, 20))
            elif carc == "29":
                carc = "16"
            claim_denial = ("CO", carc, {"16": "MA130", "18": "", "29": ""}[carc])
        received = submitted + dt.timedelta(days=rnd.randint(1, 3))
        paid_date = self._payment_date(payer, received)
        deductible = (rnd.randint(50, 250) * 100 if rnd.random() < payer.deductible_prob
                      else 0)
        copay_left = payer.copay_cents
        lines: list[x12.Line] = []
        statuses: list[tuple[str, str, str, str]] = []
        for code, units in visit:
            cat = CODE_BY_ID[code].category
            charge = self.charges[code]
            billed = charge * units
            denial = claim_denial
            if denial is None:
                denial = self._line_denial(payer, code, cat, dos)
            if denial is not None:
                g, c, r = denial
                lines.append(x12.Line(code, units, 0, billed, 0, 0, [(g, c, billed)], r))
                statuses.append(("denied", g, c, r))
                continue
            line, status, deductible, copay_left = self._price(
                payer, code, units, dos, deductible, copay_left)
            lines.append(line)
            statuses.append(status)
        self._emit(payer, claim_id, mrn, pat, dos, submitted, received, paid_date, lines,
                   statuses)

    def _price(self, payer: Payer, code: str, units: int, dos: dt.date, deductible: int,
               copay_left: int) -> tuple[x12.Line, tuple[str, str, str, str], int, int]:
        """Price one paid line: contract rate (or the planted underpayment), cost sharing."""
        pid, cat, charge = payer.payer_id, CODE_BY_ID[code].category, self.charges[code]
        contract = self.book.rate(pid, code, dos)
        applied = contract
        if pid == UNDERPAY_PAYER and code == UNDERPAY_CODE and dos >= KHP_AMENDMENT_DATE:
            applied = int(contract * UNDERPAY_FACTOR + 0.5)
            self.stats.underpaid(contract, applied, units)
        paid_units = units
        status = ("paid", "", "", "")
        if cat == "pt" and units >= 3 and self.rnd.random() < 0.03:
            paid_units = units - 1
            status = ("partial", "CO", "151", "N362")
        allowed = applied * paid_units
        adj = [("CO", "45", charge * paid_units - allowed)]
        if paid_units != units:
            adj.append(("CO", "151", charge * (units - paid_units)))
        left = allowed
        ded = min(deductible, left)
        left -= ded
        coins = left * payer.coins_pct // 100 if cat in ("mri", "surg") else 0
        left -= coins
        copay = min(copay_left, left) if cat in ("em_new", "em_est") else 0
        left -= copay
        adj += [("PR", "1", ded), ("PR", "2", coins), ("PR", "3", copay)]
        line = x12.Line(code, units, paid_units, charge * units, allowed, left, adj, status[3])
        return line, status, deductible - ded, copay_left - copay

    def _line_denial(self, payer: Payer, code: str, cat: str,
                     dos: dt.date) -> tuple[str, str, str] | None:
        rnd = self.rnd
        if (payer.payer_id == SPIKE_PAYER and code in SPIKE_CODES
                and SPIKE_START <= dos <= SPIKE_END and rnd.random() < SPIKE_PROB):
            return ("CO", "197", "N54")
        if cat in ("mri", "surg") and rnd.random() < 0.025:
            return ("CO", "197", "N54")
        if rnd.random() < 0.03 * payer.denial_factor:
            if cat in ("inj", "xray") or code == "97140":
                return ("CO", "97", "M15")
            if cat == "pt":
                return ("PR", "204", "N130")
            if cat in ("mri", "surg"):
                return ("CO", "50", "")
            return ("CO", "16", "M51")
        return None

    def _emit(self, payer: Payer, claim_id: str, mrn: str, pat: int, dos: dt.date,
              submitted: dt.date, received: dt.date, paid_date: dt.date,
              lines: list[x12.Line], statuses: list[tuple[str, str, str, str]]) -> None:
        pid = payer.payer_id
        check = x12.check_number(payer, paid_date)
        rows = []
        for n, (li, (status, g, c, r)) in enumerate(zip(lines, statuses, strict=True), 1):
            rows.append(f"{claim_id},{n},{pid},{mrn},{dos},{submitted},{received},{li.code},,"
                        f"{li.units},{money(li.billed)},{money(li.allowed)},{money(li.paid)},"
                        f"{status},{g},{c},{r},{paid_date},{check}\n")
            self.stats.line(pid, li, status, c, dos)
        self.write_csv("".join(rows))
        paid = sum(li.paid for li in lines)
        self.stats.claim(payer, mrn, paid, received, paid_date)
        clp_status = "1" if paid > 0 else "4"
        segs = x12.claim_segments(claim_id, clp_status, payer, f"{pid}{self.claim_seq:010d}",
                                  mrn, LAST[pat * 7 % len(LAST)], FIRST[pat * 11 % len(FIRST)],
                                  dos, received, lines)
        run = self.pending.setdefault((paid_date, pid), Run())
        run.claims.append(segs)
        run.paid += paid

    def _flush(self, upto: dt.date | None) -> None:
        for key in sorted(k for k in self.pending if upto is None or k[0] <= upto):
            run = self.pending.pop(key)
            paid_date, pid = key
            payer = PAYER_BY_ID[pid]
            self.ctrl += 1
            name = f"remittances/{pid}_{paid_date:%Y%m%d}_{x12.check_number(payer, paid_date)}.835"
            self.write_835(name, x12.render_835(payer, paid_date, self.ctrl, run.claims,
                                                run.paid))
            self.files.append(name)
