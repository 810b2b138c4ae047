"""Cedar Ridge Health Plan: the participating provider agreement and Amendment No. 1.

The agreement opens with a provider information / W-9 signature form, covers two
products (Commercial and Medicare Advantage) with different filing and prompt-pay days,
and prints its fee schedule (Exhibit B) as a ruled table with a modifier row.
"""

from __future__ import annotations

import datetime as dt

from assistant.sample.riverbend import model as M
from assistant.sample.riverbend.doc_model import (
    Block,
    Doc,
    FeeRow,
    article,
    clause,
    long_date,
    para,
    spelled,
)

P = M.PAYER_BY_ID["CRHP"]
HP = "Health Plan"


def _form() -> list[Block]:
    street, city, state, zip_ = M.PRACTICE_ADDRESS
    rows = [["Name According to W-9 Form with d/b/a:", f"{M.PRACTICE_LEGAL} d/b/a "
             f"{M.PRACTICE_NAME}"],
            ["Federal Tax Identification Number (TIN):", f"{M.PRACTICE_TIN[:2]}-"
             f"{M.PRACTICE_TIN[2:]}"],
            ["Group NPI:", M.PRACTICE_NPI],
            ["Primary Service Location:", f"{street}, {city}, {state} {zip_}"],
            ["Specialty:", "Family Medicine; Sports Medicine; Physical Therapy"],
            ["Products (check all that apply):", "[X] Commercial   [X] Medicare Advantage"],
            ["Requested Effective Date:", "09/01/2023"],
            ["Authorized Signature:", "______________________________"],
            ["Printed Name / Title:", "Dr. Annika Solberg, Managing Member"]]
    return [Block("center", "CEDAR RIDGE HEALTH PLAN, INC."),
            Block("center", "PROVIDER INFORMATION AND SIGNATURE FORM"),
            para("Complete every field exactly as it appears on the provider's IRS Form W-9. "
                 "This form is part of the Participating Provider Agreement that follows."),
            Block("form", rows=rows), Block("pagebreak")]


def _claims_articles() -> list[Block]:
    com, ma = P.program(M.COMMERCIAL), P.program(M.MEDICARE_ADV)
    tf_q = (f"Provider shall submit each claim for Covered Services rendered to a Member of a "
            f"Commercial Product within {spelled(com.timely_filing_days)} days after the date "
            f"of service.")
    pay_q = (f"{HP} shall pay each Clean Claim for Covered Services rendered to a Member of a "
             f"Commercial Product within {spelled(com.clean_claim_payment_days)} days after "
             f"{HP} receives it.")
    int_q = (f"If {HP} fails to pay a Clean Claim within that period, {HP} shall pay interest "
             f"on the unpaid amount at {com.interest_text}, computed from the day after the "
             f"payment was due until the date of payment.")
    ma_tf = (f"Claims for Covered Services rendered to Medicare Advantage Members must be "
             f"received by {HP} no later than {spelled(ma.timely_filing_days)} days from the "
             f"date of service.")
    ma_pay = (f"{HP} shall pay Clean Claims for Medicare Advantage Members within "
              f"{spelled(ma.clean_claim_payment_days)} days of receipt.")
    return [
        article("ARTICLE III", "CLAIMS SUBMISSION AND PAYMENT"),
        clause("3.1", "Claim Submission", [
            "Provider shall submit claims electronically in the ASC X12 837P format through "
            f"{HP}'s designated clearinghouse, using current CPT, HCPCS and ICD-10-CM codes "
            "and the Provider's NPI and TIN as shown on the Provider Information Form.",
            f"{HP} may return as incomplete any claim lacking information reasonably "
            "necessary to adjudicate it."], "claims_submission"),
        clause("3.2", "Timely Filing - Commercial Products", [
            tf_q + " Claims received after that period will be denied, and Provider shall not "
            "bill the Member for a claim denied for untimely filing."], "timely_filing", tf_q,
            M.COMMERCIAL, timely_filing_days=com.timely_filing_days),
        clause("3.3", "Payment of Clean Claims - Commercial Products", [
            pay_q + " " + int_q,
            "Interest is not owed on claims that are contested in good faith, or on claims for "
            "which additional information was requested, until that information is received."],
            "prompt_pay", pay_q, M.COMMERCIAL,
            clean_claim_payment_days=com.clean_claim_payment_days,
            prompt_pay_interest_pct=com.prompt_pay_interest_pct),
        clause("3.4", "Overpayments and Offsets", [
            f"{HP} may recover an overpayment by offsetting the amount against later payments "
            "to Provider after giving Provider thirty (30) days' written notice identifying "
            "the claim and the reason for the recovery."]),
        article("ARTICLE IV", "MEDICARE ADVANTAGE PRODUCTS"),
        clause("4.1", "Applicability", [
            "This Article applies only to Covered Services rendered to Members enrolled in a "
            "Medicare Advantage Product. Where this Article conflicts with another provision "
            "of this Agreement, this Article controls for those Members."]),
        clause("4.2", "Submission of Medicare Advantage Claims", [
            ma_tf + " Provider shall follow CMS coding and billing guidelines for these "
                    "claims."], "timely_filing", ma_tf, M.MEDICARE_ADV,
            timely_filing_days=ma.timely_filing_days),
        clause("4.3", "Prompt Payment of Medicare Advantage Claims", [
            ma_pay + " Interest on late Medicare Advantage payments is paid as required by "
                     "42 C.F.R. 422.520."], "prompt_pay", ma_pay, M.MEDICARE_ADV,
            clean_claim_payment_days=ma.clean_claim_payment_days),
        clause("4.4", "Record Retention", [
            "Provider shall retain books and records relating to Medicare Advantage Members "
            "for ten (10) years after the end of the final contract period, and shall make "
            "them available to CMS, the Department of Health and Human Services and the "
            "Comptroller General."]),
    ]


def _compensation() -> list[Block]:
    upd = (f"{HP} may revise Exhibit B by giving Provider at least "
           f"{spelled(P.payer_amendment_notice_days)} days' prior written notice of the "
           "revision and its effective date.")
    mfn = ("Provider represents that the compensation in Exhibit B is, and will remain during "
           "the term, no less favorable to Health Plan than the compensation Provider accepts "
           "from any other commercial health benefit plan, third-party administrator or "
           "self-funded employer for the same Covered Services.")
    appeal = (f"Provider may ask {HP} to reconsider the payment or denial of a claim by "
              f"submitting a written request within {spelled(P.appeal_window_days)} days of "
              "the date of the remittance advice on which the claim appeared.")
    return [
        article("ARTICLE V", "COMPENSATION"),
        clause("5.1", "Compensation", [
            f"For Covered Services rendered to Members of all Products, {HP} shall pay "
            "Provider the lesser of Provider's billed charges or the allowable set out in "
            "Exhibit B (Professional Fee Schedule), less any Member cost-sharing."],
            "fee_schedule", fee_schedule_basis=P.fee_schedule_basis),
        clause("5.2", "Changes to the Fee Schedule", [
            upd + " A revision that reduces the allowables by more than three percent (3%) in "
                  "the aggregate permits Provider to terminate this Agreement on sixty (60) "
                  "days' notice."], "fee_schedule_updates", upd,
            payer_amendment_notice_days=P.payer_amendment_notice_days),
        clause("5.3", "Rate Parity", [
            mfn, "If Provider agrees to more favorable compensation with any such entity, "
                 "Provider shall notify Health Plan within thirty (30) days and Exhibit B shall "
                 "be adjusted to match from the date of that agreement."],
            "most_favored_nation", mfn, mfn_present=True),
        article("ARTICLE VI", "RECONSIDERATION AND DISPUTES"),
        clause("6.1", "Provider Reconsideration Requests", [
            appeal + " Requests received after that period will not be considered."],
            "appeals", appeal, appeal_window_days=P.appeal_window_days),
        clause("6.2", "Dispute Resolution", [
            "Disputes not resolved through reconsideration shall first be escalated to "
            "executives of each party and, if unresolved within sixty (60) days, submitted to "
            "binding arbitration administered by the American Arbitration Association under "
            "its Healthcare Payor Provider Arbitration Rules."], "dispute_resolution"),
    ]


def _term() -> list[Block]:
    end = M.add_months(P.effective_date, P.initial_term_months) - dt.timedelta(days=1)
    term_q = (f"Unless terminated earlier, this Agreement shall automatically renew for "
              f"successive {spelled(P.renewal_term_months)} month terms unless either party "
              f"provides written notice of non-renewal no fewer than "
              f"{spelled(P.non_renewal_notice_days or 0)} days before the end of the "
              "then-current term.")
    twoc = (f"Either party may terminate this Agreement without cause effective no sooner than "
            f"{spelled(P.termination_without_cause_days)} days after delivering written "
            "notice of termination to the other party.")
    return [
        article("ARTICLE VII", "TERM AND TERMINATION"),
        clause("7.1", "Term", [
            f"This Agreement begins on the Effective Date and continues through "
            f"{long_date(end)} (the \"Initial Term\").", term_q], "term_renewal", term_q,
            effective_date=P.effective_date.isoformat(),
            initial_term_months=P.initial_term_months, auto_renewal=True,
            renewal_term_months=P.renewal_term_months,
            non_renewal_notice_days=P.non_renewal_notice_days),
        clause("7.2", "Termination Without Cause", [twoc], "termination_without_cause", twoc,
               termination_without_cause_days=P.termination_without_cause_days),
        clause("7.3", "Termination for Cause", [
            "Either party may terminate this Agreement if the other party materially breaches "
            "it and does not cure the breach within sixty (60) days after receiving written "
            f"notice of it. {HP} may terminate immediately on the suspension or revocation of "
            "Provider's license or Provider's exclusion from a federal health care program."],
            "termination_for_cause"),
        article("ARTICLE VIII", "GENERAL PROVISIONS"),
        clause("8.1", "Confidentiality", [
            "Each party shall keep the compensation terms of this Agreement confidential and "
            "shall not disclose them to any third party except as required by law or to its "
            "attorneys, accountants and regulators."], "confidentiality"),
        clause("8.2", "Assignment", [
            "Neither party may assign this Agreement without the prior written consent of the "
            f"other, except that {HP} may assign it to an Affiliate upon notice to Provider."],
            "assignment"),
        clause("8.3", "Governing Law", [
            "This Agreement is governed by the laws of the State of Wisconsin, without regard "
            "to its conflict of law rules, and by applicable federal law."], "governing_law"),
        clause("8.4", "Access to Records", [
            f"Upon fifteen (15) business days' notice, {HP} may audit Provider's medical and "
            "billing records relating to Members during normal business hours."],
            "audit_rights"),
    ]


def fee_rows() -> list[FeeRow]:
    """Exhibit B rows (base agreement rates, modifier row included)."""
    rows = [r for r in M.fee_schedule(M.medicare_nonfacility())
            if r.payer_id == "CRHP" and r.effective_from == P.effective_date]
    return [FeeRow(r, M.CODE_BY_ID[r.code].description if not r.modifier else
                   "Arthrocentesis or injection, major joint, bilateral procedure")
            for r in rows]


def agreement() -> Doc:
    """The base participating provider agreement."""
    blocks = _form() + [
        Block("title", "PARTICIPATING PROVIDER AGREEMENT"),
        Block("center", f"Agreement No. {P.contract_id}"),
        para(f"This Participating Provider Agreement (\"Agreement\") is entered into by "
             f"{P.legal_name}, a Wisconsin nonprofit corporation (\"{HP}\"), and "
             f"{M.PRACTICE_LEGAL} (\"Provider\"), and is effective as of "
             f"{long_date(P.effective_date)} (the \"Effective Date\")."),
        article("ARTICLE I", "DEFINITIONS"),
        clause("1.1", "Clean Claim", [
            "\"Clean Claim\" means a claim that has no defect or impropriety, includes all "
            "substantiating documentation required by the Provider Manual, and does not "
            "require special treatment that prevents timely payment."]),
        clause("1.2", "Covered Services", [
            "\"Covered Services\" means medically necessary health care services covered "
            "under a Member's benefit plan and rendered by Provider within the scope of its "
            "license."]),
        clause("1.3", "Product", [
            "\"Product\" means a health benefit program offered or administered by Health "
            "Plan and listed in Exhibit A, including Commercial Products and Medicare "
            "Advantage Products."]),
        clause("1.4", "Member", [
            "\"Member\" means an individual enrolled in a Product and eligible for Covered "
            "Services on the date they are rendered."]),
        article("ARTICLE II", "PROVIDER OBLIGATIONS"),
        clause("2.1", "Precertification", [
            "Provider shall obtain precertification from Health Plan or its designated "
            "radiology benefit manager before rendering advanced diagnostic imaging, "
            "including MRI, CT and PET scans, to a Member. Claims for services that required "
            "precertification and did not receive it may be denied, and Provider may not "
            "bill the Member for them."], "prior_authorization"),
        clause("2.2", "Member Hold Harmless", [
            "Provider shall not bill, charge or seek payment from a Member for Covered "
            "Services, other than applicable copayments, coinsurance and deductibles, even "
            "if Health Plan becomes insolvent or fails to pay Provider."], "hold_harmless"),
        *_claims_articles(), *_compensation(), *_term(),
        Block("signatures"), Block("pagebreak"),
        Block("article", "EXHIBIT A - PRODUCTS"),
        para("Commercial Products: Cedar Ridge Choice PPO; Cedar Ridge Select EPO. Medicare "
             "Advantage Products: Cedar Ridge Advantage HMO; Cedar Ridge Advantage PPO."),
        Block("pagebreak"),
        Block("article", "EXHIBIT B - PROFESSIONAL FEE SCHEDULE"),
        para("The allowables below apply to Covered Services rendered to Members of all "
             "Products on and after the Effective Date. Payment is the lesser of billed "
             "charges or the allowable, per unit, less Member cost-sharing. A code billed "
             "with a modifier not listed is paid at the allowable for the code."),
        Block("grid", fees=fee_rows(), section="Exhibit B"),
    ]
    return Doc(P.contract_file, "CRHP", "contract", "Participating Provider Agreement",
               P.contract_id, P.effective_date, blocks,
               f"Cedar Ridge Health Plan, Inc. | Agreement No. {P.contract_id} | Confidential",
               [(P.legal_name, "Marguerite Lindahl", "Vice President, Network Management"),
                (M.PRACTICE_LEGAL, "Annika Solberg, MD", "Managing Member")])


def amendment() -> Doc:
    """Amendment No. 1: a new 99214 allowable from its effective date."""
    rates = M.fee_schedule(M.medicare_nonfacility())
    old = next(r for r in rates if r.payer_id == "CRHP" and r.code == "99214"
               and r.effective_to is not None)
    new = next(r for r in rates if r.payer_id == "CRHP" and r.code == "99214"
               and r.effective_from == M.CRHP_AMENDMENT_DATE)
    eff = long_date(M.CRHP_AMENDMENT_DATE)
    blocks = [
        Block("title", "AMENDMENT NO. 1 TO PARTICIPATING PROVIDER AGREEMENT"),
        Block("center", f"Agreement No. {P.contract_id}"),
        para(f"This Amendment No. 1 (\"Amendment\") amends the Participating Provider "
             f"Agreement effective {long_date(P.effective_date)} between {P.legal_name} "
             f"(\"{HP}\") and {M.PRACTICE_LEGAL} (\"Provider\"), and is effective "
             f"{eff} (the \"Amendment Effective Date\")."),
        clause("1", "Revised Allowable", [
            f"For Covered Services rendered on or after {eff}, the Exhibit B allowable for "
            "the code below is replaced as shown. The prior allowable continues to apply to "
            "services rendered before that date."], "fee_schedule_updates"),
        Block("pipe", fees=[FeeRow(new, "Office visit, established patient, moderate")],
              rows=[[old.code, "", "Office visit, established patient, moderate",
                     M.dollars(old.rate), M.dollars(new.rate)]], section="Amendment No. 1"),
        clause("2", "Effect of Amendment", [
            "Except as amended here, the Agreement remains in full force and effect. If this "
            "Amendment conflicts with the Agreement, this Amendment controls."]),
        Block("signatures"),
    ]
    return Doc(M.CRHP_AMENDMENT_FILE, "CRHP", "amendment",
               "Amendment No. 1 to Participating Provider Agreement", M.CRHP_AMENDMENT_ID,
               M.CRHP_AMENDMENT_DATE, blocks,
               f"Cedar Ridge Health Plan, Inc. | Amendment No. 1 to {P.contract_id}",
               [(P.legal_name, "Marguerite Lindahl", "Vice President, Network Management"),
                (M.PRACTICE_LEGAL, "Annika Solberg, MD", "Managing Member")])
