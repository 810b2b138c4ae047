"""X12 835 (005010X221A1) files as a clearinghouse delivers them.

Waypoint Clearinghouse delivers twice a week (Tuesday and Friday) one interchange holding
every payment issued since the previous delivery: one functional group (GS/GE) per payer,
one transaction (ST/SE) per payment, so a file carries several payers. One payment is
delivered again later under another file name (same payer, same TRN02).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.sample.riverbend import model as M
from assistant.sample.riverbend.claims import FILING, Claim, Payment

RECEIVER = "RIVERBENDFSM"
DELIVERY_WEEKDAYS = (1, 4)  # Tuesday, Friday
PAYER_TIN = {"CRHP": "391457220", "TMIC": "390655148", "SCH": "391880432",
             "GPHI": "841203377"}
PAYER_ADDRESS = {"CRHP": ("PO BOX 30117", "LA CROSSE", "WI", "54602"),
                 "TMIC": ("800 TAMARACK WAY", "WAUSAU", "WI", "54401"),
                 "SCH": ("PO BOX 2290", "STEVENS POINT", "WI", "54481"),
                 "GPHI": ("PO BOX 66410", "DENVER", "CO", "80206")}
MA_FILING = "16"
RESEND_PAYER, RESEND_FROM = "TMIC", dt.date(2026, 5, 1)


@dataclass
class EraFile:
    """One delivered file: its name, delivery date and the payments inside."""

    name: str
    delivered: dt.date
    control: int
    payments: list[Payment]
    resend_of: str | None = None


def _d(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


def _m(c: int) -> str:
    return M.money(c)


def delivery_day(paid: dt.date) -> dt.date:
    """The first delivery day strictly after the payment date."""
    day = paid + dt.timedelta(days=1)
    while day.weekday() not in DELIVERY_WEEKDAYS:
        day += dt.timedelta(days=1)
    return day


def plan_files(payments: list[Payment]) -> list[EraFile]:
    """Group payments into deliveries; add the re-sent copy of one payment."""
    by_day: dict[dt.date, list[Payment]] = {}
    for p in payments:
        by_day.setdefault(delivery_day(p.paid_date), []).append(p)
    files: list[EraFile] = []
    for n, day in enumerate(sorted(by_day), 1):
        pays = sorted(by_day[day], key=lambda p: (p.payer_id, p.program, p.paid_date))
        files.append(EraFile(f"era/{day:%Y}/WPC835_{day:%Y%m%d}_{n:04d}.835", day, n, pays))
    target = next(p for f in files for p in f.payments
                  if p.payer_id == RESEND_PAYER and p.paid_date >= RESEND_FROM)
    orig = next(f for f in files if target in f.payments)
    again = orig.delivered + dt.timedelta(days=6)
    files.append(EraFile(f"era/{again:%Y}/{RESEND_PAYER}_ERA_redownload_{again:%Y%m%d}.835",
                         again, len(files) + 1, [target], resend_of=orig.name))
    return files


def claim_segments(claim: Claim) -> list[str]:
    """CLP loop (2100) with its service lines (2110)."""
    filing = MA_FILING if claim.program == M.MEDICARE_ADV else FILING[claim.payer_id]
    segs = [f"CLP*{claim.claim_id}*{claim.status}*{_m(claim.billed)}*{_m(claim.paid)}*"
            f"{_m(claim.patient_resp)}*{filing}*{claim.payer_ctrl}*11*{claim.frequency}"]
    for g in ("CO", "PR", "OA"):
        adj = [(c, a) for gg, c, a in claim.claim_adjustments if gg == g]
        if adj:
            segs.append(f"CAS*{g}*" + "**".join(f"{c}*{_m(a)}" for c, a in adj))
    segs.append(f"NM1*QC*1*{claim.last}*{claim.first}****MI*{claim.member_id}")
    if claim.claim_rarc:
        segs.append(f"MOA***{claim.claim_rarc}")
    segs += [f"DTM*232*{_d(claim.dos)}", f"DTM*233*{_d(claim.dos)}",
             f"DTM*050*{_d(claim.received)}"]
    if not claim.lines_in_835:
        return segs
    for n, li in enumerate(claim.lines, 1):
        proc = f"HC:{li.code}" + (f":{li.modifier}" if li.modifier else "")
        segs += [f"SVC*{proc}*{_m(li.billed)}*{_m(li.paid)}**{li.units}",
                 f"DTM*472*{_d(claim.dos)}"]
        for g in ("CO", "PR", "OA"):
            adj = [(c, a) for gg, c, a in li.adjustments if gg == g and a]
            for i in range(0, len(adj), 6):
                segs.append(f"CAS*{g}*" + "**".join(f"{c}*{_m(a)}" for c, a in adj[i:i + 6]))
        segs.append(f"REF*6R*{claim.claim_id}-{n}")
        if li.allowed:
            segs.append(f"AMT*B6*{_m(li.allowed)}")
        if li.rarc:
            segs.append(f"LQ*HE*{li.rarc}")
    return segs


def transaction(pay: Payment, st: int) -> list[str]:
    """One ST..SE payment transaction."""
    p = M.PAYER_BY_ID[pay.payer_id]
    tin, d8 = PAYER_TIN[p.payer_id], _d(pay.paid_date)
    total = pay.total
    if total == 0:
        bpr = f"BPR*H*0*C*NON************{d8}"
    else:
        bpr = (f"BPR*I*{_m(total)}*C*ACH*CCP*01*075911988*DA*{tin[:6]}0021*1{tin}**01*"
               f"075000051*DA*4471902266*{d8}")
    addr, city, state, zip_ = PAYER_ADDRESS[p.payer_id]
    street, pcity, pstate, pzip = M.PRACTICE_ADDRESS
    body = [f"ST*835*{st:04d}", bpr, f"TRN*1*{pay.trace}*1{tin}", f"DTM*405*{d8}",
            f"N1*PR*{p.x12_name}*XV*{p.x12_id}", f"N3*{addr}", f"N4*{city}*{state}*{zip_}",
            f"REF*2U*{p.x12_id}", "PER*BL*PROVIDER SERVICES*TE*8005550199",
            f"N1*PE*{M.PRACTICE_X12}*XX*{M.PRACTICE_NPI}", f"N3*{street.upper()}",
            f"N4*{pcity.upper()}*{pstate}*{pzip}", f"REF*TJ*{M.PRACTICE_TIN}", "LX*1"]
    for claim in pay.claims:
        body += claim_segments(claim)
    for reason, ref, amount in pay.plb:
        body.append(f"PLB*{M.PRACTICE_NPI}*{pay.paid_date.year}1231*{reason}:{ref}*{_m(amount)}")
    body.append(f"SE*{len(body) + 1}*{st:04d}")
    return body


def render(f: EraFile) -> bytes:
    """The whole interchange of one delivered file."""
    d6, d8 = f"{f.delivered:%y%m%d}", _d(f.delivered)
    segs = [f"ISA*00*          *00*          *ZZ*{M.CLEARINGHOUSE_ID.ljust(15)}*ZZ*"
            f"{RECEIVER.ljust(15)}*{d6}*0615*^*00501*{f.control:09d}*0*P*:"]
    groups: dict[str, list[Payment]] = {}
    for p in f.payments:
        groups.setdefault(p.payer_id, []).append(p)
    st = 0
    for g, pid in enumerate(sorted(groups), 1):
        gs = f.control * 10 + g
        segs.append(f"GS*HP*{M.PAYER_BY_ID[pid].x12_id}*{RECEIVER}*{d8}*0615*{gs}*X*005010X221A1")
        for pay in groups[pid]:
            st += 1
            segs += transaction(pay, st)
        segs.append(f"GE*{len(groups[pid])}*{gs}")
    segs.append(f"IEA*{len(groups)}*{f.control:09d}")
    return ("~\n".join(segs) + "~\n").encode("ascii")
