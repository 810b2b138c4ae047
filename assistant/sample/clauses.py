"""Clause wording per clause type, in two house styles, as real contracts differ.

Each builder returns ``(heading, paragraphs, quote, term_keys)``; ``quote`` is one
sentence of the paragraphs that states the term and is cited in ground truth. Quotes stay
plain ASCII with no hyphenated line-break risks.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.sample.contract_model import long_date, num
from assistant.sample.facts import PRACTICE_LEGAL, Payer

Clause = tuple[str, list[str], str, tuple[str, ...]]


def _days(n: int, w: bool) -> str:
    return f"{num(n, w)} days"


def term_renewal(p: Payer, v: int, w: bool) -> Clause:
    t = p.terms
    if v == 0:
        q = (f'This Agreement shall commence on {long_date(t.effective_date)} (the "Effective '
             f'Date") and shall continue for an initial term of {num(t.initial_term_months, w)} '
             f"months.")
        rest = (f"Thereafter, this Agreement shall automatically renew for successive renewal "
                f"terms of {num(t.renewal_term_months, w)} months each unless either party gives "
                f"written notice of non-renewal at least {_days(t.non_renewal_notice_days, w)} "
                f"before the end of the then-current term.")
        return "Term and Renewal", [q + " " + rest], rest, (
            "effective_date", "initial_term_months", "auto_renewal", "renewal_term_months",
            "non_renewal_notice_days")
    q = (f"The initial term of this Agreement begins on the Effective Date of "
         f"{long_date(t.effective_date)} and ends {num(t.initial_term_months, w)} months later.")
    rest = (f"The Agreement renews automatically for additional {num(t.renewal_term_months, w)} "
            f"month periods unless a party delivers written notice of its intent not to renew "
            f"no later than {_days(t.non_renewal_notice_days, w)} prior to the expiration of "
            f"the current term.")
    return "Duration; Automatic Renewal", [q, rest], rest, (
        "effective_date", "initial_term_months", "auto_renewal", "renewal_term_months",
        "non_renewal_notice_days")


def termination_without_cause(p: Payer, v: int, w: bool) -> Clause:
    d = _days(p.terms.termination_without_cause_days, w)
    if v == 0:
        q = (f"Either party may terminate this Agreement without cause upon {d} prior written "
             f"notice to the other party.")
        return "Termination Without Cause", [q + " Termination shall not affect obligations "
                                             "for Covered Services rendered before the "
                                             "termination date."], q, (
            "termination_without_cause_days",)
    q = (f"This Agreement may be terminated by either party for any reason or no reason by "
         f"giving at least {d} advance written notice.")
    return "Termination for Convenience", [q], q, ("termination_without_cause_days",)


def termination_for_cause(p: Payer, v: int, w: bool) -> Clause:
    d = _days(p.terms.cure_days, w)
    q = (f"If a party materially breaches this Agreement and fails to cure the breach within "
         f"{d} after receiving written notice describing it, the other party may terminate "
         f"this Agreement immediately.")
    extra = ("Payer may terminate immediately if Provider loses its license, is excluded from "
             "a federal health care program, or commits fraud.")
    return ("Termination for Cause" if v == 0 else "Breach; Immediate Termination",
            [q + " " + extra], q, ())


def most_favored_nation(p: Payer, v: int, w: bool) -> Clause:
    if v == 0:
        q = ("Provider agrees that the rates payable by Payer under this Agreement shall be no "
             "greater than the lowest rates Provider accepts from any other health plan for "
             "the same services.")
        return "Most Favored Rates", [q + " Payer may request reasonable documentation of "
                                      "compliance once per contract year."], q, ("mfn_present",)
    q = ("Provider shall not agree with any other payer to reimbursement for Covered Services "
         "lower than the reimbursement set out in this Agreement without offering the same "
         "rates to Payer.")
    return "Most-Favored-Nation Pricing", [q], q, ("mfn_present",)


def hold_harmless(p: Payer, v: int, w: bool) -> Clause:
    q = ("Provider shall not bill, charge, or seek compensation from any Member for Covered "
         "Services, other than applicable copayments, coinsurance and deductibles, even if "
         "Payer fails to pay Provider.")
    return ("Member Hold Harmless" if v == 0 else "Hold Harmless", [
        q + " This provision survives termination of this Agreement."], q, ())


def timely_filing(p: Payer, v: int, w: bool) -> Clause:
    d = _days(p.terms.timely_filing_days, w)
    if v == 0:
        q = (f"Provider shall submit each claim within {d} after the date of service.")
        return "Timely Filing", [q + " Claims received after this period will be denied and "
                                 "may not be billed to the Member."], q, (
            "timely_filing_days",)
    q = (f"Claims must be received by Payer no later than {d} from the date on which the "
         f"service was provided.")
    return "Filing Limit", [q, "Late claims are not payable."], q, ("timely_filing_days",)


def prompt_pay(p: Payer, v: int, w: bool) -> Clause:
    t = p.terms
    d = _days(t.clean_claim_payment_days, w)
    rate = f"{t.prompt_pay_interest_pct:g} percent ({t.prompt_pay_interest_pct:g}%) per annum"
    if v == 0:
        q = f"Payer shall pay each Clean Claim within {d} after Payer receives it."
        rest = (f"If Payer fails to do so, Payer shall pay interest on the amount due at the "
                f"rate of {rate} from the thirty-first day until payment is made."
                if t.clean_claim_payment_days == 30 else
                f"Clean Claims not paid within that period accrue interest at {rate}.")
        return "Payment of Clean Claims", [q + " " + rest], q, (
            "clean_claim_payment_days", "prompt_pay_interest_pct")
    q = (f"Payer will adjudicate and pay Clean Claims within {d} of receipt, and will pay "
         f"interest at {rate} on any Clean Claim paid after that period.")
    return "Prompt Payment", [q], q, ("clean_claim_payment_days", "prompt_pay_interest_pct")


def fee_schedule(p: Payer, v: int, w: bool, exhibit: str) -> Clause:
    if p.payer_id == "NWM":
        q = ("Payer shall pay Provider for Covered Services one hundred percent (100%) of the "
             "2025 Medicare Physician Fee Schedule national non-facility amount for each code.")
        return "Compensation", [q + f" Illustrative rates appear in {exhibit}."], q, (
            "fee_schedule_basis",)
    q = (f"Payer shall pay Provider the lesser of billed charges or the rate for each code set "
         f"out in {exhibit}.")
    return ("Compensation" if v == 0 else "Reimbursement", [
        q + " Rates are per unit of service and exclude Member cost sharing."], q, (
        "fee_schedule_basis",))


def fee_schedule_updates(p: Payer, v: int, w: bool) -> Clause:
    d = _days(p.terms.payer_amendment_notice_days, w)
    if v == 0:
        q = (f"Payer may amend the fee schedule upon {d} prior written notice to Provider.")
        return "Changes to Fee Schedule", [q + " No annual escalator applies to the rates "
                                           "unless the parties agree in writing."], q, (
            "payer_amendment_notice_days",)
    q = (f"Payer may modify its payment policies or rates by giving Provider at least {d} "
         f"written notice before the change takes effect.")
    return "Amendments by Payer", [q, "Provider may terminate if it rejects the change."], q, (
        "payer_amendment_notice_days",)


def prior_authorization(p: Payer, v: int, w: bool, exhibit: str) -> Clause:
    q = (f"Provider shall obtain prior authorization before performing any service listed in "
         f"{exhibit}.")
    return ("Prior Authorization" if v == 0 else "Utilization Management", [
        q + " Services performed without a required authorization will be denied and the "
            "Member held harmless."], q, ())


def claims_submission(p: Payer, v: int, w: bool) -> Clause:
    q = ("Provider shall submit claims electronically in the HIPAA standard 837P format using "
         "current CPT and HCPCS codes.")
    return ("Submission of Claims" if v == 0 else "Claims Requirements", [q], q, ())


def appeals(p: Payer, v: int, w: bool) -> Clause:
    d = _days(p.terms.appeal_window_days, w)
    if v == 0:
        q = (f"Provider may appeal any payment determination in writing within {d} after the "
             f"date of the remittance advice.")
    else:
        q = (f"A request for reconsideration must be filed within {d} of the date of the "
             f"initial claim determination.")
    return ("Provider Appeals" if v == 0 else "Reconsideration", [q], q, ("appeal_window_days",))


def dispute_resolution(p: Payer, v: int, w: bool) -> Clause:
    q = ("Any dispute not resolved through the appeal process shall be settled by binding "
         "arbitration administered by the American Arbitration Association.")
    return "Dispute Resolution" if v == 0 else "Arbitration", [
        "The parties shall first meet and confer in good faith. " + q], q, ()


def confidentiality(p: Payer, v: int, w: bool) -> Clause:
    q = ("Neither party shall disclose the rates or terms of this Agreement to any third party "
         "except as required by law.")
    return "Confidentiality", [q], q, ()


def assignment(p: Payer, v: int, w: bool) -> Clause:
    q = ("Neither party may assign this Agreement without the prior written consent of the "
         "other party, which shall not be unreasonably withheld.")
    return "Assignment", [q], q, ()


def governing_law(p: Payer, v: int, w: bool) -> Clause:
    q = f"This Agreement shall be governed by the laws of the State of {p.state_law}."
    return "Governing Law", [q], q, ()


def audit_rights(p: Payer, v: int, w: bool) -> Clause:
    q = ("Payer may audit Provider's records relating to Covered Services upon thirty (30) "
         "days' notice, no more than once per calendar year." if w else
         "Payer may audit Provider's medical and billing records on 30 days' notice, no more "
         "than once in any twelve month period.")
    return "Audit of Records" if v == 0 else "Records and Audit", [q], q, ()


SIMPLE: dict[str, Callable[[Payer, int, bool], Clause]] = {
    "term_renewal": term_renewal,
    "termination_without_cause": termination_without_cause,
    "termination_for_cause": termination_for_cause,
    "most_favored_nation": most_favored_nation,
    "hold_harmless": hold_harmless,
    "timely_filing": timely_filing,
    "prompt_pay": prompt_pay,
    "fee_schedule_updates": fee_schedule_updates,
    "claims_submission": claims_submission,
    "appeals": appeals,
    "dispute_resolution": dispute_resolution,
    "confidentiality": confidentiality,
    "assignment": assignment,
    "governing_law": governing_law,
    "audit_rights": audit_rights,
}


def clean_claim_definition(p: Payer, v: int) -> str:
    """The payer's definition of a Clean Claim (wording differs by payer)."""
    if v == 0:
        return ('"Clean Claim" means a claim for Covered Services that has no defect or '
                "impropriety, includes all substantiating documentation, and requires no "
                "special treatment that prevents timely payment.")
    return ('"Clean Claim" means a claim submitted on the standard form with all required data '
            "elements that Payer can adjudicate without obtaining additional information from "
            f"{PRACTICE_LEGAL} or a third party.")
