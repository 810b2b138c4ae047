"""The shared vocabulary: clause types and contract-term keys.

One place for the names that ingestion (tagger, term extraction), the warehouse, the
tools, the briefs and the evaluation all use. Keys are stable identifiers; labels are
what users read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClauseType:
    """One clause type of the taxonomy."""

    key: str
    label: str
    description: str
    cuad_categories: tuple[str, ...] = ()


CLAUSE_TYPES: dict[str, ClauseType] = {
    c.key: c
    for c in (
        ClauseType("term_renewal", "Term and renewal",
                   "Initial term, automatic renewal, renewal term, notice of non-renewal.",
                   ("Renewal Term", "Notice Period To Terminate Renewal", "Expiration Date")),
        ClauseType("termination_without_cause", "Termination without cause",
                   "Either party may end the agreement without cause on notice.",
                   ("Termination For Convenience",)),
        ClauseType("termination_for_cause", "Termination for cause",
                   "Termination for breach, cure periods, immediate termination events."),
        ClauseType("most_favored_nation", "Most-favored-nation",
                   "Rates no higher than those given to any other payer / best-price terms.",
                   ("Most Favored Nation",)),
        ClauseType("hold_harmless", "Hold harmless",
                   "Provider may not bill members beyond cost sharing if the payer fails to pay."),
        ClauseType("timely_filing", "Timely filing",
                   "Deadline for submitting claims after the date of service."),
        ClauseType("prompt_pay", "Clean-claim payment / prompt pay",
                   "Days to pay a clean claim and interest on late payment."),
        ClauseType("fee_schedule", "Fee schedule / compensation",
                   "How services are paid: rates per code, percent of Medicare, exhibits."),
        ClauseType("fee_schedule_updates", "Fee-schedule updates / payer amendments",
                   "Payer's right to change rates or policies on notice; escalators."),
        ClauseType("prior_authorization", "Prior authorization",
                   "Services needing prior authorization and the effect of missing it."),
        ClauseType("claims_submission", "Claims submission",
                   "Claim format, coding, required data, electronic submission."),
        ClauseType("appeals", "Appeals",
                   "Provider appeal or reconsideration of payment decisions and its window."),
        ClauseType("dispute_resolution", "Dispute resolution / arbitration",
                   "Escalation, mediation, arbitration of disputes."),
        ClauseType("confidentiality", "Confidentiality",
                   "Confidential treatment of rates and agreement terms."),
        ClauseType("assignment", "Assignment",
                   "Whether the agreement may be assigned or transferred.",
                   ("Anti-Assignment",)),
        ClauseType("governing_law", "Governing law", "Which state's law governs.",
                   ("Governing Law",)),
        ClauseType("audit_rights", "Audit rights", "Right to audit records.",
                   ("Audit Rights",)),
    )
}


@dataclass(frozen=True)
class TermKey:
    """One contract term tracked in the warehouse ``contract_terms`` table."""

    key: str
    label: str
    unit: str  # days | months | date | bool | text | percent


TERM_KEYS: dict[str, TermKey] = {
    t.key: t
    for t in (
        TermKey("effective_date", "Effective date", "date"),
        TermKey("initial_term_months", "Initial term", "months"),
        TermKey("auto_renewal", "Automatic renewal", "bool"),
        TermKey("renewal_term_months", "Renewal term", "months"),
        TermKey("non_renewal_notice_days", "Notice of non-renewal", "days"),
        TermKey("termination_without_cause_days", "Termination without cause notice", "days"),
        TermKey("timely_filing_days", "Timely filing limit", "days"),
        TermKey("clean_claim_payment_days", "Clean-claim payment", "days"),
        TermKey("prompt_pay_interest_pct", "Prompt-pay interest (annual)", "percent"),
        TermKey("appeal_window_days", "Appeal window", "days"),
        TermKey("mfn_present", "Most-favored-nation clause", "bool"),
        TermKey("fee_schedule_basis", "Fee-schedule basis", "text"),
        TermKey("payer_amendment_notice_days", "Payer amendment notice", "days"),
    )
}

DOC_TYPES = ("contract", "amendment", "exhibit", "note", "email")
