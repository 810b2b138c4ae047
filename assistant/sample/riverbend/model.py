"""Riverbend Family & Sports Medicine: the practice's facts as data (seed-independent).

A fictional practice whose files look like a real one's: contracts only as PDF and DOCX,
a CMS-layout Medicare file, notes and e-mails, clearinghouse 835s and one 837P. Nothing in
Parley's own CSV layout. Money is held in integer cents.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

PRACTICE_NAME = "Riverbend Family & Sports Medicine"
PRACTICE_LEGAL = "Riverbend Family & Sports Medicine, PLLC"
PRACTICE_X12 = "RIVERBEND FAMILY AND SPORTS MEDICINE PLLC"
PRACTICE_NPI = "1427093816"
PRACTICE_TIN = "862045173"
PRACTICE_ADDRESS = ("2200 Millrace Road, Suite 140", "Halvorsen", "WI", "54881")
CLEARINGHOUSE = "WAYPOINT CLEARINGHOUSE"
CLEARINGHOUSE_ID = "WAYPOINTEDI"

PERIOD_START = dt.date(2025, 7, 1)
PERIOD_END = dt.date(2026, 9, 30)
REFERENCE_DATE = dt.date(2026, 11, 20)
LAST_PAYMENT = dt.date(2026, 11, 13)
DEFAULT_SEED = 7
DEFAULT_LINES = 4000
MEDICARE_YEAR = 2025
MEDICARE_FILE = "medicare/PFS2025_national_nonfacility_subset.csv"
MEDICARE_COLUMNS = ("hcpcs,status,work_rvu,nonfacility_pe_rvu,facility_pe_rvu,mp_rvu,"
                    "nonfacility_total_rvu,facility_total_rvu,global_days,conversion_factor,"
                    "nonfacility_amount,facility_amount")
# Real CMS 2025 national rows (public domain) copied from
# ../shared/data/mpfs/medicare_pfs_2025_national.csv; tests check them against that file.
MPFS_2025: dict[str, str] = {
    "99203": "A,1.60,1.61,0.69,0.16,3.37,2.45,XXX,32.3465,109.01,79.25",
    "99204": "A,2.60,2.21,1.15,0.24,5.05,3.99,XXX,32.3465,163.35,129.06",
    "99212": "A,0.70,0.95,0.30,0.05,1.70,1.05,XXX,32.3465,54.99,33.96",
    "99213": "A,1.30,1.35,0.57,0.10,2.75,1.97,XXX,32.3465,88.95,63.72",
    "99214": "A,1.92,1.80,0.83,0.15,3.87,2.90,XXX,32.3465,125.18,93.80",
    "99215": "A,2.80,2.42,1.28,0.21,5.43,4.29,XXX,32.3465,175.64,138.77",
    "20610": "A,0.79,1.04,0.44,0.13,1.96,1.36,000,32.3465,63.40,43.99",
    "73560": "A,0.16,0.84,0.84,0.02,1.02,1.02,XXX,32.3465,32.99,32.99",
    "73610": "A,0.17,0.90,0.90,0.02,1.09,1.09,XXX,32.3465,35.26,35.26",
    "73721": "A,1.35,4.75,4.75,0.09,6.19,6.19,XXX,32.3465,200.22,200.22",
    "72148": "A,1.48,4.25,4.25,0.09,5.82,5.82,XXX,32.3465,188.26,188.26",
    "97110": "A,0.45,0.43,0.43,0.01,0.89,0.89,XXX,32.3465,28.79,28.79",
    "97140": "A,0.43,0.40,0.40,0.01,0.84,0.84,XXX,32.3465,27.17,27.17",
    "93000": "A,0.17,0.24,0.24,0.02,0.43,0.43,XXX,32.3465,13.91,13.91",
}


@dataclass(frozen=True)
class Code:
    """A billed service with the practice's own plain-English description."""

    code: str
    description: str
    category: str  # em_new | em_est | inj | xray | mri | pt | ecg


CODES: tuple[Code, ...] = (
    Code("99203", "Office or outpatient visit, new patient, low level of medical decision "
                  "making", "em_new"),
    Code("99204", "Office or outpatient visit, new patient, moderate level of medical "
                  "decision making", "em_new"),
    Code("99212", "Office visit, established patient, straightforward", "em_est"),
    Code("99213", "Office visit, established patient, low complexity", "em_est"),
    Code("99214", "Office visit, established patient, moderate complexity", "em_est"),
    Code("99215", "Office visit, established patient, high complexity", "em_est"),
    Code("20610", "Aspiration and/or injection of a major joint or bursa (knee, shoulder, "
                  "hip) without ultrasound guidance", "inj"),
    Code("73560", "Radiologic exam, knee, one or two views", "xray"),
    Code("73610", "Radiologic exam, ankle, complete, minimum of three views", "xray"),
    Code("73721", "MRI, any joint of lower extremity, without contrast material", "mri"),
    Code("72148", "MRI, lumbar spine, without contrast material", "mri"),
    Code("97110", "Therapeutic exercises to develop strength, endurance, range of motion "
                  "and flexibility, each 15 minutes", "pt"),
    Code("97140", "Manual therapy techniques, one or more regions, each 15 minutes", "pt"),
    Code("93000", "Electrocardiogram, routine, at least 12 leads, with interpretation and "
                  "report", "ecg"),
)
CODE_BY_ID = {c.code: c for c in CODES}
MRI_CODES = ("73721", "72148")


def medicare_nonfacility() -> dict[str, int]:
    """Code -> 2025 national non-facility amount in cents."""
    return {c: cents(row.split(",")[-2]) for c, row in MPFS_2025.items()}


def cents(text: str) -> int:
    """'88.95' -> 8895."""
    return int(round(float(text) * 100))


def money(c: int) -> str:
    """Cents as a two-decimal string."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def dollars(c: int) -> str:
    """'$1,234.50'."""
    return f"${c / 100:,.2f}"


def scale(c: int, factor: float) -> int:
    """Cents times a factor, rounded half up to the cent."""
    return int(math.floor(c * factor + 0.5))


@dataclass(frozen=True)
class ProgramTerms:
    """Claim and payment terms of one program (product line) of an agreement."""

    program: str
    timely_filing_days: int
    clean_claim_payment_days: int
    prompt_pay_interest_pct: float | None  # annual percent; None = "as state law requires"
    interest_text: str = ""


@dataclass(frozen=True)
class Payer:
    """One fictional payer, its agreement terms and how it shows up in files."""

    payer_id: str
    name: str
    legal_name: str
    plan_type: str
    informal: tuple[str, ...]  # how staff write it in notes and e-mails
    x12_name: str  # N1*PR as the payer's 835s spell it
    x12_id: str  # N1*PR04 (qualifier XV) and REF*2U
    pm_name: str  # how the practice's billing system writes it in 837s
    contract_id: str
    contract_file: str
    effective_date: dt.date
    initial_term_months: int
    auto_renewal: bool
    renewal_term_months: int
    non_renewal_notice_days: int | None
    termination_without_cause_days: int
    appeal_window_days: int
    mfn_present: bool
    payer_amendment_notice_days: int
    fee_schedule_basis: str
    programs: tuple[ProgramTerms, ...]
    share: float
    run_weekday: int
    multipliers: dict[str, float] = field(default_factory=dict)
    copay: int = 0
    coins_pct: int = 0
    deductible_prob: float = 0.0

    @property
    def aliases(self) -> list[str]:
        """Every other spelling of the payer found in the practice's files."""
        out = [self.legal_name, self.x12_name, self.pm_name, *self.informal]
        return [a for i, a in enumerate(out) if a != self.name and a not in out[:i]]

    def program(self, name: str) -> ProgramTerms:
        """Terms of one program."""
        return next(p for p in self.programs if p.program == name)


COMMERCIAL, MEDICARE_ADV = "Commercial", "Medicare Advantage"

PAYERS: tuple[Payer, ...] = (
    Payer("CRHP", "Cedar Ridge Health Plan", "Cedar Ridge Health Plan, Inc.",
          "Commercial and Medicare Advantage", ("Cedar Ridge", "CRHP", "Cedar Ridge HP"),
          "CEDAR RIDGE HEALTH PLAN", "73159", "CEDAR RIDGE HLTH PLN",
          "CRHP-PPA-23-04417", "contracts/Cedar Ridge - Participating Provider Agreement "
          "(executed).pdf", dt.date(2023, 9, 1), 36, True, 12, 120, 180, 180, True, 90,
          "Fee schedule per code (Exhibit B)",
          (ProgramTerms(COMMERCIAL, 180, 30, 12.0, "one percent (1%) per month"),
           ProgramTerms(MEDICARE_ADV, 90, 45, None)),
          0.38, 2, {"em_new": 1.24, "em_est": 1.21, "inj": 1.18, "xray": 1.10, "mri": 1.12,
                    "pt": 1.05, "ecg": 1.15}, 3000, 20, 0.10),
    Payer("TMIC", "Tamarack Mutual Insurance Company", "Tamarack Mutual Insurance Company",
          "Commercial PPO", ("Tamarack", "Tamarack Mutual", "TMIC"),
          "TAMARACK MUTUAL INS CO", "41822", "TAMARACK MUTUAL",
          "TMIC-PSA-0932", "contracts/Tamarack Mutual Physician Services Agreement.docx",
          dt.date(2024, 2, 1), 24, True, 12, 60, 90, 90, False, 60,
          "Fee schedule per code (Schedule 1)",
          (ProgramTerms(COMMERCIAL, 120, 30, 12.0, "twelve percent (12%) per annum"),),
          0.25, 3, {"em_new": 1.31, "em_est": 1.28, "inj": 1.25, "xray": 1.20, "mri": 1.22,
                    "pt": 1.15, "ecg": 1.20}, 2500, 20, 0.12),
    Payer("SCH", "Sandhill Cooperative Health", "Sandhill Cooperative Health Association",
          "Cooperative HMO", ("Sandhill", "Sandhill Co-op", "SCH"),
          "SANDHILL COOP HEALTH", "SH004", "SANDHILL COOPERATIVE",
          "SCH-2025-118", "contracts/Sandhill_Provider_Network_Agreement_2025.pdf",
          dt.date(2025, 1, 1), 12, True, 12, 90, 120, 60, True, 45,
          "Fee schedule per code (Appendix 2)",
          (ProgramTerms(COMMERCIAL, 90, 45, 10.0, "ten percent (10%) per annum"),),
          0.20, 0, {"em_new": 1.12, "em_est": 1.12, "inj": 1.08, "xray": 1.05, "mri": 1.06,
                    "pt": 1.00, "ecg": 1.05}, 2000, 0, 0.0),
    Payer("GPHI", "Granite Peak Health Insurance", "Granite Peak Health Insurance Company",
          "Commercial PPO", ("Granite Peak", "GPHI", "Granite Peak PPO"),
          "GRANITE PEAK HEALTH INS CO", "GP770", "GRANITE PEAK PPO",
          "GP-PPO-2024-0061", "contracts/GPHI_PPO_Agreement_signed.pdf",
          dt.date(2024, 1, 1), 36, False, 0, None, 90, 120, False, 30,
          "115% of the 2025 Medicare Physician Fee Schedule (national, non-facility)",
          (ProgramTerms(COMMERCIAL, 365, 30, None),),
          0.17, 1, {}, 3500, 20, 0.15),
)
PAYER_BY_ID = {p.payer_id: p for p in PAYERS}
GPHI_PCT = 115

CRHP_AMENDMENT_FILE = "contracts/Cedar Ridge - Amendment 1 (eff 2026-03-01).pdf"
CRHP_AMENDMENT_ID = "CRHP-PPA-23-04417-A1"
CRHP_AMENDMENT_DATE = dt.date(2026, 3, 1)
CRHP_AMENDED = {"99214": 1.07}  # code -> raise factor from the amendment date
CRHP_BILATERAL_PCT = 150  # Exhibit B's modifier-50 row for 20610
SCH_25_CODE = "99214"  # Appendix 2 lists 99214-25 at the same rate as 99214


@dataclass(frozen=True)
class RateRow:
    """One contracted rate (cents) in force over a date range."""

    payer_id: str
    contract_id: str
    code: str
    modifier: str
    rate: int
    effective_from: dt.date
    effective_to: dt.date | None
    source: str  # the file that states it


def fee_schedule(medicare: dict[str, int]) -> list[RateRow]:
    """Every payer's contracted rates, amendment and modifier rows included."""
    rows: list[RateRow] = []
    for p in PAYERS:
        for c in CODES:
            if p.payer_id == "GPHI":
                base = scale(medicare[c.code], GPHI_PCT / 100)
            else:
                base = scale(medicare[c.code], p.multipliers[c.category])
            eff, src = p.effective_date, p.contract_file
            if p.payer_id == "CRHP" and c.code in CRHP_AMENDED:
                end = CRHP_AMENDMENT_DATE - dt.timedelta(days=1)
                rows.append(RateRow(p.payer_id, p.contract_id, c.code, "", base, eff, end, src))
                rows.append(RateRow(p.payer_id, p.contract_id, c.code, "",
                                    scale(base, CRHP_AMENDED[c.code]), CRHP_AMENDMENT_DATE,
                                    None, CRHP_AMENDMENT_FILE))
                continue
            rows.append(RateRow(p.payer_id, p.contract_id, c.code, "", base, eff, None, src))
            if p.payer_id == "CRHP" and c.code == "20610":
                rows.append(RateRow(p.payer_id, p.contract_id, c.code, "50",
                                    scale(base, CRHP_BILATERAL_PCT / 100), eff, None, src))
            if p.payer_id == "SCH" and c.code == SCH_25_CODE:
                rows.append(RateRow(p.payer_id, p.contract_id, c.code, "25", base, eff, None,
                                    src))
    return rows


def charges(medicare: dict[str, int]) -> dict[str, int]:
    """The practice's chargemaster (cents), above every payer's rate."""
    return {c: int(math.ceil(v * 2.4 / 500.0)) * 500 for c, v in medicare.items()}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's last day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def term_end_and_notice(p: Payer, as_of: dt.date) -> tuple[dt.date, dt.date | None]:
    """Current term end and notice deadline (the first term end whose notice date is on
    or after ``as_of``); a contract that does not renew just expires."""
    end = add_months(p.effective_date, p.initial_term_months) - dt.timedelta(days=1)
    if not p.auto_renewal or p.non_renewal_notice_days is None:
        return end, None
    while end - dt.timedelta(days=p.non_renewal_notice_days) < as_of:
        end = add_months(end + dt.timedelta(days=1), p.renewal_term_months) \
            - dt.timedelta(days=1)
    return end, end - dt.timedelta(days=p.non_renewal_notice_days)
