"""The sample practice's facts as data: payers, contract terms, codes, rates, costs.

Everything here is independent of the seed, so contracts and fee schedules are the same
for every run; only the claims (and what is computed from them) depend on the seed.
Money is held in integer cents.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

PRACTICE_NAME = "Lakeside Orthopedics & Primary Care"
PRACTICE_LEGAL = "Lakeside Orthopedics & Primary Care, P.C."
PRACTICE_NPI = "1588667799"
PRACTICE_TIN = "471234567"
PRACTICE_CITY = "Cedar Falls"
PRACTICE_STATE = "MN"

PERIOD_START = dt.date(2025, 5, 1)
PERIOD_END = dt.date(2026, 10, 31)
REFERENCE_DATE = dt.date(2026, 11, 27)
DEFAULT_SEED = 7
DEFAULT_CLAIM_LINES = 24_000
MEDICARE_YEAR = 2025

# National 2025 MPFS amounts (non-facility, facility) copied from the shared
# ``mpfs/medicare_pfs_2025_national.csv`` so the generator runs on a fresh machine;
# tests/sample checks them against that file when it is present.
MEDICARE_2025: dict[str, tuple[str, str]] = {
    "99202": ("69.87", "45.29"),
    "99203": ("109.01", "79.25"),
    "99204": ("163.35", "129.06"),
    "99205": ("215.75", "175.64"),
    "99212": ("54.99", "33.96"),
    "99213": ("88.95", "63.72"),
    "99214": ("125.18", "93.80"),
    "99215": ("175.64", "138.77"),
    "20610": ("63.40", "43.99"),
    "73030": ("33.64", "33.64"),
    "73562": ("39.46", "39.46"),
    "73721": ("200.22", "200.22"),
    "72148": ("188.26", "188.26"),
    "97110": ("28.79", "28.79"),
    "97140": ("27.17", "27.17"),
    "29881": ("538.25", "538.25"),
}


@dataclass(frozen=True)
class Code:
    """One billed service: plain-English description and category."""

    code: str
    description: str
    category: str  # em_new | em_est | inj | xray | mri | pt | surg


CODES: tuple[Code, ...] = (
    Code("99202", "New patient office visit, straightforward", "em_new"),
    Code("99203", "New patient office visit, low complexity", "em_new"),
    Code("99204", "New patient office visit, moderate complexity", "em_new"),
    Code("99205", "New patient office visit, high complexity", "em_new"),
    Code("99212", "Established patient office visit, straightforward", "em_est"),
    Code("99213", "Established patient office visit, low complexity", "em_est"),
    Code("99214", "Established patient office visit, moderate complexity", "em_est"),
    Code("99215", "Established patient office visit, high complexity", "em_est"),
    Code("20610", "Joint injection or aspiration, large joint", "inj"),
    Code("73030", "Shoulder X-ray, two or more views", "xray"),
    Code("73562", "Knee X-ray, three views", "xray"),
    Code("73721", "MRI of a lower-limb joint without contrast", "mri"),
    Code("72148", "MRI of the lower back without contrast", "mri"),
    Code("97110", "Therapeutic exercise, each 15 minutes", "pt"),
    Code("97140", "Manual therapy, each 15 minutes", "pt"),
    Code("29881", "Knee arthroscopy with partial meniscectomy", "surg"),
)
CODE_BY_ID = {c.code: c for c in CODES}
PRIOR_AUTH_CODES = ("73721", "72148", "29881")

# Percent-of-Medicare multipliers per payer and code category (fixed, not seeded).
RATE_MULTIPLIERS: dict[str, dict[str, float]] = {
    "BSH": {"em_new": 1.30, "em_est": 1.24, "inj": 1.20, "xray": 1.15, "mri": 1.18,
            "pt": 1.08, "surg": 1.40},
    "KHP": {"em_new": 1.15, "em_est": 1.12, "inj": 1.10, "xray": 1.08, "mri": 1.05,
            "pt": 1.00, "surg": 1.22},
    "NWM": {k: 1.00 for k in ("em_new", "em_est", "inj", "xray", "mri", "pt", "surg")},
    "RCC": {"em_new": 0.75, "em_est": 0.72, "inj": 0.70, "xray": 0.68, "mri": 0.66,
            "pt": 0.70, "surg": 0.70},
    "HWC": {"em_new": 1.45, "em_est": 1.40, "inj": 1.35, "xray": 1.30, "mri": 1.35,
            "pt": 1.38, "surg": 1.50},
    "ESP": {"em_new": 1.12, "em_est": 1.08, "inj": 1.05, "xray": 1.02, "mri": 1.04,
            "pt": 0.98, "surg": 1.15},
}
# Keystone Amendment No. 1 raises these codes by these factors from its effective date.
KHP_AMENDMENT_RAISES = {"99213": 1.04, "99214": 1.06, "99215": 1.05, "20610": 1.03}
KHP_AMENDMENT_DATE = dt.date(2026, 4, 1)
COST_FACTORS = {"em_new": 0.80, "em_est": 0.82, "inj": 0.70, "xray": 0.62, "mri": 0.58,
                "pt": 0.84, "surg": 0.72}
CHARGE_FACTOR = 2.2


@dataclass(frozen=True)
class Terms:
    """The contract terms of one payer agreement (values of ``TERM_KEYS``)."""

    effective_date: dt.date
    initial_term_months: int
    auto_renewal: bool
    renewal_term_months: int
    non_renewal_notice_days: int
    termination_without_cause_days: int
    timely_filing_days: int
    clean_claim_payment_days: int
    prompt_pay_interest_pct: float
    appeal_window_days: int
    mfn_present: bool
    fee_schedule_basis: str
    payer_amendment_notice_days: int
    cure_days: int = 30


@dataclass(frozen=True)
class Payer:
    """One fictional payer and its agreement with the practice."""

    payer_id: str
    name: str
    legal_name: str
    plan_type: str
    aliases: tuple[str, ...]
    contract_id: str
    contract_file: str
    contract_format: str  # pdf | docx | txt
    terms: Terms
    state_law: str
    share: float  # share of claims
    run_weekday: int  # weekday of the weekly payment run (Mon=0)
    payment_method: str  # ACH | CHK
    claim_filing: str  # CLP06 claim filing indicator
    tin: str
    copay_cents: int = 0
    coins_pct: int = 0  # coinsurance on imaging and surgery
    deductible_prob: float = 0.0
    denial_factor: float = 1.0
    rep: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _t(eff: str, init: int, notice: int, twc: int, tf: int, clean: int, interest: float,
       appeal: int, mfn: bool, basis: str, amend: int, renew: int = 12) -> Terms:
    return Terms(dt.date.fromisoformat(eff), init, True, renew, notice, twc, tf, clean,
                 interest, appeal, mfn, basis, amend)


PAYERS: tuple[Payer, ...] = (
    Payer("BSH", "Blue Summit Health", "Blue Summit Health Plan, Inc.", "Commercial PPO",
          ("BSH", "BCBS", "Blue Cross", "Blue Summit", "Blue Summit Health PPO"),
          "BSH-2024-0147", "contracts/BSH_Blue_Summit_Health_PPO_Agreement.pdf", "pdf",
          _t("2024-04-01", 36, 90, 180, 90, 30, 12.0, 180, True,
             "Fee schedule per code (Exhibit A)", 60),
          "Minnesota", 0.30, 3, "ACH", "12", "410987654", 3000, 20, 0.12, 0.8,
          "Dana Whitfield"),
    Payer("KHP", "Keystone Health Plan", "Keystone Health Plan HMO, LLC", "HMO",
          ("KHP", "Keystone", "Keystone HMO", "Keystone Health"),
          "KHP-HMO-2024-0388", "contracts/KHP_Keystone_HMO_Provider_Agreement.pdf", "pdf",
          _t("2024-07-01", 36, 120, 120, 120, 45, 10.0, 90, True,
             "Fee schedule per code (Schedule 1)", 30),
          "Minnesota", 0.18, 1, "ACH", "HM", "412223344", 2500, 0, 0.0, 1.1,
          "Marcus Lee"),
    Payer("NWM", "Northwind Medicare Advantage", "Northwind Senior Health Plans, Inc.",
          "Medicare Advantage", ("NWM", "Northwind", "Northwind MA", "Northwind Medicare"),
          "NWM-MA-2025-0021", "contracts/NWM_Northwind_Medicare_Advantage_Agreement.pdf",
          "pdf",
          _t("2025-01-01", 36, 180, 180, 365, 30, 8.0, 60, False,
             "100% of the 2025 Medicare Physician Fee Schedule (national, non-facility)",
             30),
          "Minnesota", 0.20, 2, "ACH", "16", "413334455", 2000, 20, 0.0, 1.0,
          "Priya Raman"),
    Payer("RCC", "Riverbend Community Care", "Riverbend Community Care Organization",
          "Medicaid managed care", ("RCC", "Riverbend", "Riverbend Medicaid", "Riverbend CCO"),
          "RCC-MCD-2025-0310", "contracts/RCC_Riverbend_Medicaid_Participation_Agreement.docx",
          "docx",
          _t("2025-05-01", 12, 60, 90, 180, 30, 18.0, 90, False,
             "Fee schedule per code (Attachment C)", 30),
          "Minnesota", 0.12, 4, "ACH", "MC", "414445566", 0, 0, 0.0, 1.4,
          "Tomas Ortega"),
    Payer("HWC", "Harborline Workers' Compensation Network",
          "Harborline Comp Network Services, LLC", "Workers' compensation network",
          ("HWC", "Harborline", "Harborline Comp", "Harborline WC", "workers comp"),
          "HWC-WC-2023-0912", "contracts/HWC_Harborline_Workers_Comp_Network_Agreement.txt",
          "txt",
          _t("2023-10-01", 12, 30, 60, 180, 45, 10.0, 60, True,
             "Fee schedule per code (Schedule A)", 45),
          "Minnesota", 0.08, 0, "CHK", "WC", "415556677", 0, 0, 0.0, 0.9,
          "Gail Brennan"),
    Payer("ESP", "Evergreen Select Plan", "Evergreen Select Health Company",
          "Narrow-network commercial", ("ESP", "Evergreen", "Evergreen Select", "Evergreen Plan"),
          "ESP-2025-0056", "contracts/ESP_Evergreen_Select_Network_Agreement.pdf", "pdf",
          _t("2025-03-01", 24, 75, 90, 120, 30, 15.0, 120, False,
             "Fee schedule per code (Exhibit 2)", 90),
          "Minnesota", 0.12, 3, "ACH", "12", "416667788", 3500, 20, 0.15, 1.0,
          "Owen Park"),
)
PAYER_BY_ID = {p.payer_id: p for p in PAYERS}
KHP_AMENDMENT_FILE = "contracts/KHP_Keystone_Amendment_No_1_2026-04-01.pdf"
KHP_AMENDMENT_ID = "KHP-HMO-2024-0388-A1"
KHP_AMENDED_TIMELY_FILING = 90


@dataclass(frozen=True)
class RateRow:
    """One row of data/fee_schedules.csv (rate in cents)."""

    payer_id: str
    contract_id: str
    code: str
    rate: int
    effective_from: dt.date
    effective_to: dt.date | None


def load_medicare() -> dict[str, tuple[int, int]]:
    """National 2025 MPFS amounts: code -> (non-facility cents, facility cents)."""
    return {code: (_cents(nf), _cents(f)) for code, (nf, f) in MEDICARE_2025.items()}


def _cents(text: str) -> int:
    return int(round(float(text) * 100))


def _scale(cents: int, factor: float) -> int:
    return int(math.floor(cents * factor + 0.5))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (days past month end clamp to the last day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def fee_schedule(medicare: dict[str, tuple[int, int]]) -> list[RateRow]:
    """Every payer's contracted rates, including Keystone's amendment rows."""
    rows: list[RateRow] = []
    for payer in PAYERS:
        mult = RATE_MULTIPLIERS[payer.payer_id]
        for code in CODES:
            base = _scale(medicare[code.code][0], mult[code.category])
            eff = payer.terms.effective_date
            if payer.payer_id == "KHP" and code.code in KHP_AMENDMENT_RAISES:
                rows.append(RateRow("KHP", payer.contract_id, code.code, base, eff,
                                    KHP_AMENDMENT_DATE - dt.timedelta(days=1)))
                new = _scale(base, KHP_AMENDMENT_RAISES[code.code])
                rows.append(RateRow("KHP", payer.contract_id, code.code, new,
                                    KHP_AMENDMENT_DATE, None))
            else:
                rows.append(RateRow(payer.payer_id, payer.contract_id, code.code, base,
                                    eff, None))
    return rows


def charges(medicare: dict[str, tuple[int, int]]) -> dict[str, int]:
    """The practice chargemaster (cents), above every payer's rate."""
    return {c: int(math.ceil(nf * CHARGE_FACTOR / 500.0)) * 500
            for c, (nf, _f) in medicare.items()}


def costs(medicare: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Cost per service (cents)."""
    return {c.code: _scale(medicare[c.code][0], COST_FACTORS[c.category]) for c in CODES}


def money(cents: int) -> str:
    """Cents as a two-decimal string."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def expiration_and_deadline(terms: Terms, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Current term end and notice deadline: the first term end whose notice date is
    on or after ``as_of`` (earlier terms renewed automatically)."""
    end = add_months(terms.effective_date, terms.initial_term_months) - dt.timedelta(days=1)
    while end - dt.timedelta(days=terms.non_renewal_notice_days) < as_of:
        end = add_months(end + dt.timedelta(days=1), terms.renewal_term_months) \
            - dt.timedelta(days=1)
    return end, end - dt.timedelta(days=terms.non_renewal_notice_days)
