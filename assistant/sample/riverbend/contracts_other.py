"""Tamarack (DOCX, aligned-column schedule), Sandhill (PDF, dotted leaders) and Granite
Peak (PDF, a percentage of Medicare) agreements, each in its own house style."""

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


def _rows(pid: str) -> list[FeeRow]:
    out = []
    for r in M.fee_schedule(M.medicare_nonfacility()):
        if r.payer_id == pid:
            desc = M.CODE_BY_ID[r.code].description
            if r.modifier == "25":
                desc = ("Office visit, established patient, moderate complexity, significant "
                        "and separately identifiable E/M on the day of a procedure")
            out.append(FeeRow(r, desc))
    return out


def tamarack() -> Doc:
    p = M.PAYER_BY_ID["TMIC"]
    t = p.program(M.COMMERCIAL)
    tf = (f"Tamarack must receive a claim within {spelled(t.timely_filing_days)} days after "
          "the date on which the service was rendered.")
    pay = (f"Tamarack will pay or deny each Complete Claim within "
           f"{spelled(t.clean_claim_payment_days)} calendar days after receiving it.")
    interest = (f"A Complete Claim not paid within that time accrues simple interest at "
                f"{t.interest_text} from the day after payment was due until it is paid.")
    appeal = (f"Physician Group may request review of a claim determination by a written "
              f"request submitted within {spelled(p.appeal_window_days)} days after the date of "
              "the explanation of payment.")
    renew = (f"This Agreement then renews automatically for additional one-year periods unless "
             f"either party notifies the other in writing of its election not to renew at "
             f"least {spelled(p.non_renewal_notice_days or 0)} days before the anniversary "
             "date.")
    twoc = (f"Either party may terminate this Agreement at any time, with or without cause, "
            f"by giving the other party {spelled(p.termination_without_cause_days)} days' "
            "prior written notice.")
    upd = (f"Tamarack may amend Schedule 1 upon {spelled(p.payer_amendment_notice_days)} days' "
           "written notice to Physician Group.")
    blocks = [
        Block("title", "PHYSICIAN SERVICES AGREEMENT"),
        Block("center", f"Tamarack Mutual Insurance Company - Contract {p.contract_id}"),
        para(f"THIS PHYSICIAN SERVICES AGREEMENT is made as of {long_date(p.effective_date)} "
             f"between {p.legal_name}, a mutual insurance company organized under the laws of "
             f"Wisconsin (\"Tamarack\"), and {M.PRACTICE_LEGAL} (\"Physician Group\")."),
        article("Section 1.", "Definitions"),
        clause("1.1", "Complete Claim", [
            "\"Complete Claim\" means a claim submitted on a standard form or electronic "
            "format with all data elements required by Tamarack's billing guide, for which "
            "no further information is needed to decide it."]),
        clause("1.2", "Insured", [
            "\"Insured\" means a person covered under a Tamarack health insurance policy "
            "who is eligible for benefits on the date of service."]),
        article("Section 2.", "Services and Authorizations"),
        clause("2.1", "Services", [
            "Physician Group will provide primary care, sports medicine and rehabilitation "
            "services to Insureds in accordance with generally accepted standards of care."]),
        clause("2.2", "Pre-Service Review", [
            "Physician Group will obtain Tamarack's pre-service review for MRI, CT and "
            "elective surgical procedures; services rendered without a required review may "
            "be denied."], "prior_authorization"),
        clause("2.3", "No Balance Billing", [
            "Physician Group will look only to Tamarack for payment of covered services, "
            "except for deductibles, coinsurance and copayments, and will not bill an Insured "
            "for amounts Tamarack fails to pay."], "hold_harmless"),
        article("Section 3.", "Claims"),
        clause("3.1", "Submission", [
            "Claims are submitted electronically using the HIPAA standard professional claim "
            "transaction.", tf + " Claims received later are not payable."], "timely_filing",
            tf, M.COMMERCIAL, timely_filing_days=t.timely_filing_days),
        clause("3.2", "Payment", [pay + " " + interest], "prompt_pay", pay, M.COMMERCIAL,
               clean_claim_payment_days=t.clean_claim_payment_days,
               prompt_pay_interest_pct=t.prompt_pay_interest_pct),
        clause("3.3", "Review of Claim Determinations", [appeal], "appeals", appeal,
               appeal_window_days=p.appeal_window_days),
        article("Section 4.", "Compensation"),
        clause("4.1", "Rates", [
            "Tamarack will pay the lesser of Physician Group's usual charge or the rate shown "
            "in Schedule 1 for each covered service, minus the Insured's cost-sharing."],
            "fee_schedule", fee_schedule_basis=p.fee_schedule_basis),
        clause("4.2", "Schedule Changes", [upd + " No change applies to services rendered "
                                                 "before its effective date."],
               "fee_schedule_updates", upd,
               payer_amendment_notice_days=p.payer_amendment_notice_days),
        article("Section 5.", "Term and Termination"),
        clause("5.1", "Term", [
            f"The initial term of this Agreement is {spelled(p.initial_term_months)} months "
            "from the date first written above.", renew], "term_renewal", renew,
            effective_date=p.effective_date.isoformat(),
            initial_term_months=p.initial_term_months, auto_renewal=True,
            renewal_term_months=p.renewal_term_months,
            non_renewal_notice_days=p.non_renewal_notice_days),
        clause("5.2", "Termination Without Cause", [twoc], "termination_without_cause", twoc,
               termination_without_cause_days=p.termination_without_cause_days),
        clause("5.3", "Other Terms", [
            "This Agreement is governed by Wisconsin law. Neither party may assign it without "
            "the other's written consent. Disputes are resolved by non-binding mediation in "
            "Marathon County, Wisconsin, followed by litigation if mediation fails."],
            "governing_law"),
        Block("signatures"), Block("pagebreak"),
        Block("article", "SCHEDULE 1 - PHYSICIAN FEE SCHEDULE"),
        para("Rates are per unit of service for dates of service on and after the effective "
             "date of this Agreement."),
        Block("aligned", fees=_rows("TMIC"), section="Schedule 1"),
    ]
    return Doc(p.contract_file, "TMIC", "contract", "Physician Services Agreement",
               p.contract_id, p.effective_date, blocks, "",
               [(p.legal_name, "Gordon Akerlund", "Director, Provider Contracting"),
                (M.PRACTICE_LEGAL, "Annika Solberg, MD", "Managing Member")])


def sandhill() -> Doc:
    p = M.PAYER_BY_ID["SCH"]
    t = p.program(M.COMMERCIAL)
    tf = (f"Participating Provider shall submit claims no later than "
          f"{spelled(t.timely_filing_days)} days following the date of service.")
    pay = (f"SCH shall adjudicate and pay Clean Claims within "
           f"{spelled(t.clean_claim_payment_days)} days of receipt.")
    appeal = (f"A Participating Provider who disagrees with a claim decision may file a "
              f"provider appeal within {spelled(p.appeal_window_days)} days of the date of "
              "the remittance advice.")
    mfn = ("Participating Provider shall not accept from any other health maintenance "
           "organization or cooperative plan a rate for a Covered Service lower than the rate "
           "in Appendix 2 unless Participating Provider offers SCH the same lower rate.")
    renew = (f"Thereafter it renews for consecutive terms of {spelled(p.renewal_term_months)} "
             f"months unless either party gives at least {spelled(p.non_renewal_notice_days or 0)}"
             " days' written notice of non-renewal before the end of a term.")
    twoc = (f"Either party may terminate this Agreement for convenience upon "
            f"{spelled(p.termination_without_cause_days)} days' written notice.")
    upd = (f"SCH may modify Appendix 2 upon {spelled(p.payer_amendment_notice_days)} days' "
           "advance written notice.")
    blocks = [
        Block("title", "PROVIDER NETWORK PARTICIPATION AGREEMENT"),
        Block("center", f"{p.legal_name} - Agreement {p.contract_id}"),
        para(f"This Agreement is made effective {long_date(p.effective_date)} by and between "
             f"{p.legal_name} (\"SCH\"), a cooperative health plan, and {M.PRACTICE_LEGAL} "
             "(\"Participating Provider\")."),
        article("Article 1", "Definitions"),
        clause("Section 1.01", "Clean Claim", [
            "\"Clean Claim\" has the meaning given in Wis. Stat. 628.46 and SCH's provider "
            "manual."]),
        clause("Section 1.02", "Enrollee", [
            "\"Enrollee\" means a member of SCH entitled to health care benefits."]),
        article("Article 2", "Utilization Management"),
        clause("Section 2.01", "Prior Authorization", [
            "Advanced imaging (MRI, CT, PET) requires prior authorization through SCH's "
            "radiology benefit manager. SCH may deny claims for services rendered without a "
            "required authorization."], "prior_authorization"),
        clause("Section 2.02", "Enrollee Protection", [
            "Participating Provider shall not hold an Enrollee liable for sums owed by SCH "
            "under any circumstances, including SCH's insolvency."], "hold_harmless"),
        article("Article 3", "Claims and Payment"),
        clause("Section 3.01", "Filing Limit", [tf + " SCH may deny claims filed late."],
               "timely_filing", tf, M.COMMERCIAL, timely_filing_days=t.timely_filing_days),
        clause("Section 3.02", "Prompt Payment", [
            pay + f" Clean Claims paid later bear interest at {t.interest_text}."],
            "prompt_pay", pay, M.COMMERCIAL,
            clean_claim_payment_days=t.clean_claim_payment_days,
            prompt_pay_interest_pct=t.prompt_pay_interest_pct),
        clause("Section 3.03", "Provider Appeals", [appeal], "appeals", appeal,
               appeal_window_days=p.appeal_window_days),
        clause("Section 3.04", "Compensation", [
            "SCH shall pay Covered Services at the lesser of billed charges or the amounts "
            "listed in Appendix 2."], "fee_schedule", fee_schedule_basis=p.fee_schedule_basis),
        clause("Section 3.05", "Modification of Rates", [upd], "fee_schedule_updates", upd,
               payer_amendment_notice_days=p.payer_amendment_notice_days),
        clause("Section 3.06", "Rate Parity", [mfn], "most_favored_nation", mfn,
               mfn_present=True),
        article("Article 4", "Term"),
        clause("Section 4.01", "Term and Renewal", [
            f"This Agreement has an initial term of {spelled(p.initial_term_months)} months "
            "from its effective date.", renew], "term_renewal", renew,
            effective_date=p.effective_date.isoformat(),
            initial_term_months=p.initial_term_months, auto_renewal=True,
            renewal_term_months=p.renewal_term_months,
            non_renewal_notice_days=p.non_renewal_notice_days),
        clause("Section 4.02", "Termination for Convenience", [twoc],
               "termination_without_cause", twoc,
               termination_without_cause_days=p.termination_without_cause_days),
        clause("Section 4.03", "Governing Law", [
            "The laws of the State of Wisconsin govern this Agreement."], "governing_law"),
        Block("signatures"), Block("pagebreak"),
        Block("article", "APPENDIX 2 - COMPENSATION SCHEDULE"),
        para("Maximum allowable amounts per unit, effective for dates of service on and after "
             f"{long_date(p.effective_date)}."),
        Block("leaders", fees=_rows("SCH"), section="Appendix 2"),
    ]
    return Doc(p.contract_file, "SCH", "contract", "Provider Network Participation Agreement",
               p.contract_id, p.effective_date, blocks,
               f"SCH Agreement {p.contract_id}",
               [(p.legal_name, "Ruth Ellingboe", "Chief Network Officer"),
                (M.PRACTICE_LEGAL, "Annika Solberg, MD", "Managing Member")])


def granite_peak() -> Doc:
    p = M.PAYER_BY_ID["GPHI"]
    t = p.program(M.COMMERCIAL)
    end = M.add_months(p.effective_date, p.initial_term_months) - dt.timedelta(days=1)
    term_q = (f"This Agreement begins on {long_date(p.effective_date)} and expires on "
              f"{long_date(end)}; it does not renew automatically, and any extension requires "
              "a written amendment signed by both parties.")
    rate_q = (f"Granite Peak shall reimburse Covered Services at the lesser of (a) Provider's "
              f"billed charges or (b) {spelled(M.GPHI_PCT)} percent of the 2025 Medicare "
              "Physician Fee Schedule, national, non-facility amount published by CMS for the "
              "code, rounded to the nearest cent.")
    tf = (f"Claims must be filed within {spelled(t.timely_filing_days)} days of the date of "
          "service.")
    pay = (f"Granite Peak will pay Clean Claims within {spelled(t.clean_claim_payment_days)} "
           "days of receipt and will pay interest on late Clean Claims as required by "
           "applicable state law.")
    appeal = (f"Provider may appeal an adverse claim determination within "
              f"{spelled(p.appeal_window_days)} days of the remittance date.")
    twoc = (f"Either party may end this Agreement without cause on "
            f"{spelled(p.termination_without_cause_days)} days' written notice.")
    upd = (f"Granite Peak may change its reimbursement policies upon "
           f"{spelled(p.payer_amendment_notice_days)} days' notice, but may not change the "
           "percentage in Exhibit 1 without Provider's written agreement.")
    blocks = [
        Block("title", "PREFERRED PROVIDER AGREEMENT"),
        Block("center", f"Granite Peak Health Insurance Company | No. {p.contract_id}"),
        para(f"This Preferred Provider Agreement is entered into between {p.legal_name} "
             f"(\"Granite Peak\") and {M.PRACTICE_LEGAL} (\"Provider\")."),
        article("1.", "DEFINITIONS"),
        clause("1.1", "Clean Claim", [
            "\"Clean Claim\" means a claim with all information needed to process it."]),
        clause("1.2", "Medicare Fee Schedule", [
            "\"Medicare Physician Fee Schedule\" means the fee schedule CMS publishes under "
            "42 U.S.C. 1395w-4 for the calendar year stated."]),
        article("2.", "TERM"),
        clause("2.1", "Term", [term_q], "term_renewal", term_q,
               effective_date=p.effective_date.isoformat(),
               initial_term_months=p.initial_term_months, auto_renewal=False),
        clause("2.2", "Termination Without Cause", [twoc], "termination_without_cause", twoc,
               termination_without_cause_days=p.termination_without_cause_days),
        article("3.", "CLAIMS"),
        clause("3.1", "Filing", [tf], "timely_filing", tf, M.COMMERCIAL,
               timely_filing_days=t.timely_filing_days),
        clause("3.2", "Payment", [pay], "prompt_pay", pay, M.COMMERCIAL,
               clean_claim_payment_days=t.clean_claim_payment_days),
        clause("3.3", "Appeals", [appeal], "appeals", appeal,
               appeal_window_days=p.appeal_window_days),
        clause("3.4", "Reimbursement Policies", [upd], "fee_schedule_updates", upd,
               payer_amendment_notice_days=p.payer_amendment_notice_days),
        article("4.", "GENERAL"),
        clause("4.1", "Governing Law", ["Colorado law governs this Agreement."],
               "governing_law"),
        Block("signatures"), Block("pagebreak"),
        Block("article", "EXHIBIT 1 - REIMBURSEMENT"),
        clause("Exhibit 1", "Reimbursement", [
            rate_q, "Codes for which CMS publishes no national amount are paid at sixty "
                    "percent (60%) of billed charges. Member cost-sharing is deducted from "
                    "the amount payable."], "fee_schedule", rate_q,
            fee_schedule_basis=p.fee_schedule_basis),
    ]
    return Doc(p.contract_file, "GPHI", "contract", "Preferred Provider Agreement",
               p.contract_id, p.effective_date, blocks,
               f"Granite Peak Health Insurance Company - {p.contract_id}",
               [(p.legal_name, "Teodor Vance", "VP, Provider Networks"),
                (M.PRACTICE_LEGAL, "Annika Solberg, MD", "Managing Member")])
