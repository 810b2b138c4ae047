"""Write X12 835 5010 (005010X221A1) remittance files, one per payer payment run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.sample.facts import (
    PRACTICE_CITY,
    PRACTICE_NPI,
    PRACTICE_STATE,
    PRACTICE_TIN,
    Payer,
    money,
)

RECEIVER_ID = "LAKESIDEORTHO"
PRACTICE_X12_NAME = "LAKESIDE ORTHOPEDICS AND PRIMARY CARE PC"
PAYER_ADDRESSES = {
    "BSH": ("PO BOX 4400", "SAINT PAUL", "MN", "55101"),
    "KHP": ("1200 KEYSTONE PKWY", "BLOOMINGTON", "MN", "55425"),
    "NWM": ("PO BOX 88021", "DES MOINES", "IA", "50306"),
    "RCC": ("45 RIVER ST", "ROCHESTER", "MN", "55901"),
    "HWC": ("PO BOX 7300", "DULUTH", "MN", "55802"),
    "ESP": ("900 EVERGREEN WAY", "MINNEAPOLIS", "MN", "55402"),
}


@dataclass
class Line:
    """One service line with its adjustments (all money in cents)."""

    code: str
    units: int
    paid_units: int
    billed: int
    allowed: int
    paid: int
    adjustments: list[tuple[str, str, int]]  # (group, carc, amount)
    rarc: str


def check_number(payer: Payer, paid_date: dt.date) -> str:
    """EFT trace or check number of a payer's payment run on ``paid_date``."""
    if payer.payment_method == "CHK":
        return str(400000 + (paid_date - dt.date(2025, 1, 1)).days)
    return f"EFT{payer.payer_id}{paid_date:%Y%m%d}"


def _d(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


def claim_segments(claim_id: str, status: str, payer: Payer, payer_ctrl: str, mrn: str,
                   last: str, first: str, dos: dt.date, received: dt.date,
                   lines: list[Line]) -> list[str]:
    """The 2100/2110 loops of one claim."""
    billed = sum(li.billed for li in lines)
    paid = sum(li.paid for li in lines)
    pr = sum(a for li in lines for g, _c, a in li.adjustments if g == "PR")
    segs = [f"CLP*{claim_id}*{status}*{money(billed)}*{money(paid)}*{money(pr)}*"
            f"{payer.claim_filing}*{payer_ctrl}*11*1",
            f"NM1*QC*1*{last}*{first}****MR*{mrn}",
            f"DTM*232*{_d(dos)}", f"DTM*233*{_d(dos)}", f"DTM*050*{_d(received)}"]
    for n, li in enumerate(lines, 1):
        svc = f"SVC*HC:{li.code}*{money(li.billed)}*{money(li.paid)}**{li.paid_units}"
        if li.paid_units != li.units:
            svc += f"**{li.units}"
        segs += [svc, f"DTM*472*{_d(dos)}"]
        groups: dict[str, list[tuple[str, int]]] = {}
        for g, c, a in li.adjustments:
            if a:
                groups.setdefault(g, []).append((c, a))
        for g in ("CO", "OA", "PI", "PR"):
            if g in groups:
                segs.append(f"CAS*{g}*" + "**".join(f"{c}*{money(a)}" for c, a in groups[g]))
        segs.append(f"REF*6R*{claim_id}-{n}")
        if li.allowed:
            segs.append(f"AMT*B6*{money(li.allowed)}")
        if li.rarc:
            segs.append(f"LQ*HE*{li.rarc}")
    return segs


def render_835(payer: Payer, paid_date: dt.date, ctrl: int, claims: list[list[str]],
               total_paid: int) -> bytes:
    """A complete interchange for one payment run; ``claims`` are claim_segments lists."""
    trace = check_number(payer, paid_date)
    d8, d6 = _d(paid_date), f"{paid_date:%y%m%d}"
    if total_paid == 0:
        bpr = f"BPR*H*0*C*NON************{d8}"
    elif payer.payment_method == "CHK":
        bpr = f"BPR*I*{money(total_paid)}*C*CHK************{d8}"
    else:
        bpr = (f"BPR*I*{money(total_paid)}*C*ACH*CCP*01*091000019*DA*100200300*"
               f"1{payer.tin}**01*091000022*DA*700800900*{d8}")
    addr, city, state, zip_ = PAYER_ADDRESSES[payer.payer_id]
    name = payer.name.upper().replace("'", "")
    body = [
        "ST*835*0001",
        bpr,
        f"TRN*1*{trace}*1{payer.tin}",
        f"DTM*405*{d8}",
        f"N1*PR*{name}",
        f"N3*{addr}",
        f"N4*{city}*{state}*{zip_}",
        "PER*BL*EDI SUPPORT*TE*8005550100",
        f"N1*PE*{PRACTICE_X12_NAME}*XX*{PRACTICE_NPI}",
        "N3*100 LAKESIDE DR",
        f"N4*{PRACTICE_CITY.upper()}*{PRACTICE_STATE}*55613",
        f"REF*TJ*{PRACTICE_TIN}",
        "LX*1",
    ]
    for segs in claims:
        body.extend(segs)
    body.append(f"SE*{len(body) + 1}*0001")
    sender = payer.payer_id.ljust(15)
    head = [
        f"ISA*00*          *00*          *ZZ*{sender}*ZZ*{RECEIVER_ID.ljust(15)}*{d6}*0800*^*"
        f"00501*{ctrl:09d}*0*P*:",
        f"GS*HP*{payer.payer_id}*{RECEIVER_ID}*{d8}*0800*{ctrl}*X*005010X221A1",
    ]
    tail = [f"GE*1*{ctrl}", f"IEA*1*{ctrl:09d}"]
    return ("~\n".join(head + body + tail) + "~\n").encode("ascii")
