"""One X12 837P (005010X222A1) file: the claims the practice submitted in one month.

One interchange, one functional group, one transaction per submission day (BHT04 is that
day); per claim the subscriber (NM1*IL with the member id the 835 repeats in NM1*QC), the
payer as the practice's billing system names it, CLM01 = the claim id the payer returns
in CLP01, and per line SV1 with DTP*472 (date of service) and REF*6R.
"""

from __future__ import annotations

import datetime as dt

from assistant.sample.riverbend import model as M
from assistant.sample.riverbend.claims import Claim

MONTH = (2026, 3)
FILE = "billing/837P_out/RFSM_837P_2026-03.837"
DIAGNOSES = {"em_new": "M25561", "em_est": "J069", "inj": "M1711", "xray": "S8390XA",
             "mri": "M5416", "pt": "M6281", "ecg": "R0789"}


def submitted_in_month(claims: list[Claim]) -> list[Claim]:
    """First submissions (not reversals) with a submitted date in ``MONTH``."""
    return [c for c in claims if c.status != "22"
            and (c.submitted.year, c.submitted.month) == MONTH]


def _d(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


def _claim(c: Claim, hl: int) -> list[str]:
    p = M.PAYER_BY_ID[c.payer_id]
    filing = "16" if c.program == M.MEDICARE_ADV else "CI"
    diag = DIAGNOSES[M.CODE_BY_ID[c.lines[0].code].category]
    segs = [f"HL*{hl}*1*22*0", f"SBR*P*18*******{filing}",
            f"NM1*IL*1*{c.last}*{c.first}****MI*{c.member_id}",
            "N3*410 ORCHARD LANE", "N4*HALVORSEN*WI*54881",
            f"DMG*D8*{_d(c.dob)}*{'F' if len(c.first) % 2 else 'M'}",
            f"NM1*PR*2*{p.pm_name}*****PI*{p.x12_id}",
            f"CLM*{c.claim_id}*{M.money(c.billed)}***11:B:{c.frequency}*Y*A*Y*Y",
            f"HI*ABK:{diag}"]
    for n, li in enumerate(c.lines, 1):
        proc = f"HC:{li.code}" + (f":{li.modifier}" if li.modifier else "")
        segs += [f"LX*{n}", f"SV1*{proc}*{M.money(li.billed)}*UN*{li.units}***1",
                 f"DTP*472*D8*{_d(c.dos)}", f"REF*6R*{c.claim_id}-{n}"]
    return segs


def render(claims: list[Claim]) -> bytes:
    """The 837P interchange for ``claims`` (grouped by submitted date)."""
    by_day: dict[dt.date, list[Claim]] = {}
    for c in sorted(claims, key=lambda c: (c.submitted, c.claim_id)):
        by_day.setdefault(c.submitted, []).append(c)
    first = min(by_day)
    street, city, state, zip_ = M.PRACTICE_ADDRESS
    segs = [f"ISA*00*          *00*          *ZZ*{'RIVERBENDFSM'.ljust(15)}*ZZ*"
            f"{M.CLEARINGHOUSE_ID.ljust(15)}*{first:%y%m%d}*1702*^*00501*000000301*1*P*:",
            f"GS*HC*RIVERBENDFSM*{M.CLEARINGHOUSE_ID}*{_d(first)}*1702*301*X*005010X222A1"]
    for st, day in enumerate(sorted(by_day), 1):
        body = [f"ST*837*{st:04d}*005010X222A1",
                f"BHT*0019*00*RB{day:%y%m%d}*{_d(day)}*1702*CH",
                f"NM1*41*2*{M.PRACTICE_X12}*****46*RIVERBENDFSM",
                "PER*IC*BILLING OFFICE*TE*7155550142",
                f"NM1*40*2*{M.CLEARINGHOUSE}*****46*{M.CLEARINGHOUSE_ID}",
                "HL*1**20*1", f"NM1*85*2*{M.PRACTICE_X12}*****XX*{M.PRACTICE_NPI}",
                f"N3*{street.upper()}", f"N4*{city.upper()}*{state}*{zip_}",
                f"REF*EI*{M.PRACTICE_TIN}"]
        for n, c in enumerate(by_day[day], 2):
            body += _claim(c, n)
        body.append(f"SE*{len(body) + 1}*{st:04d}")
        segs += body
    segs += [f"GE*{len(by_day)}*301", "IEA*1*000000301"]
    return ("~\n".join(segs) + "~\n").encode("ascii")
