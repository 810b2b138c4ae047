"""The asked-quantity reader: rules over families of phrasings, not single sentences."""

from __future__ import annotations

import itertools

import pytest

from assistant.engines.asked import (
    Asked,
    Part,
    has_kind,
    lead_with_asked,
    missing_note,
    next_intent,
    read_asked,
    steer,
    term_quote,
)

PAYERS = ["keystone", "Blue Summit", "bsh", "northwind", "the workers comp network"]


def _targets(q: str) -> list[str]:
    return read_asked(q).targets


@pytest.mark.parametrize(
    "notice,leave",
    itertools.product(
        ["how much notice", "how much warning do we owe", "how much heads up do we need to give",
         "how far in advance do we tell them", "how many days notice"],
        ["drop", "leave", "terminate", "get out of", "walk away from", "bail on", "exit"],
    ),
)
def test_notice_to_leave_is_the_termination_notice_term(notice: str, leave: str) -> None:
    for payer in PAYERS[:2]:
        a = read_asked(f"{notice} if we {leave} {payer}")
        assert a.targets == ["termination_notice"], a
        assert a.kind == "days"


@pytest.mark.parametrize(
    "when,tell,nonrenew",
    itertools.product(
        ["when do we have to", "when must we", "by when do we need to", "whats the last day to",
         "deadline to"],
        ["tell", "notify", "let", "send notice to"],
        ["we're not renewing", "we wont renew", "we don't want to renew", "of non-renewal"],
    ),
)
def test_when_to_tell_we_are_not_renewing_is_a_date(when: str, tell: str, nonrenew: str) -> None:
    a = read_asked(f"{when} {tell} keystone {nonrenew}")
    assert a.targets == ["renewal_notice_date"]
    assert a.kind == "date"


@pytest.mark.parametrize("nonrenew", ["if we don't renew", "to not renew", "for non-renewal",
                                      "if we're not renewing"])
def test_notice_days_for_not_renewing_is_the_non_renewal_term(nonrenew: str) -> None:
    a = read_asked(f"how much notice {nonrenew} with evergreen")
    assert a.targets == ["renewal_notice"] and a.kind == "days"


@pytest.mark.parametrize(
    "limit,claim,after",
    itertools.product(
        ["cutoff for", "deadline for", "how long do we have for", "time limit for", "how many days for"],
        ["getting a claim in", "submitting claims", "filing a claim", "sending claims"],
        ["after a visit", "after the dos", "after the date of service", ""],
    ),
)
def test_getting_a_claim_in_is_timely_filing_not_appeals(limit: str, claim: str, after: str) -> None:
    assert _targets(f"{limit} {claim} {after} w harborline") == ["filing_limit"]


@pytest.mark.parametrize("q", ["how long do we have to appeal a denial", "appeal deadline for bsh",
                               "days to contest a denied claim with keystone", "riverbend appeal window"])
def test_appeals_keep_their_own_window(q: str) -> None:
    assert _targets(q) == ["appeal_window"]


def test_a_labelled_abbreviation_reads_as_the_term() -> None:
    labels = ["harborline comp network: days to submit claims", "KHP: timely filing", "nwm term w/o cause"]
    for label in labels:
        a = read_asked(label)
        assert a.kind == "days" and a.targets, label


@pytest.mark.parametrize(
    "q",
    ["how much did {p} pay us in march", "{p} collections last month", "how much did we get from {p} in q2",
     "total paid us by {p} in 2026", "{p} payments for august"],
)
def test_money_received_in_a_period_is_a_payments_question(q: str) -> None:
    for p in PAYERS:
        a = read_asked(q.format(p=p))
        assert a.targets == ["payments_received"] and a.kind == "money", q


@pytest.mark.parametrize("q", ["did {p} pay us less than the contract in march",
                               "is {p} paying us late", "how much interest does {p} owe us"])
def test_paying_wrong_or_late_is_not_money_received(q: str) -> None:
    assert "payments_received" not in _targets(q.format(p="keystone"))


@pytest.mark.parametrize(
    "first,second,order",
    [
        ("how much notice to leave keystone", "what would we lose",
         ["termination_notice", "revenue_at_risk"]),
        ("what would we lose if we drop keystone", "how much notice do we need",
         ["revenue_at_risk", "termination_notice"]),
        ("how much notice if we bail on evergreen", "when's the renewal letter due",
         ["termination_notice", "renewal_notice_date"]),
    ],
)
def test_a_question_spanning_two_analyses_keeps_both_in_asked_order(
    first: str, second: str, order: list[str]
) -> None:
    for joint in (", and ", " and ", "; ", "? "):
        assert read_asked(first + joint + second).targets == order, joint


def test_kinds_without_a_known_object() -> None:
    assert read_asked("who pays best for 29881").kind == "comparison"
    assert read_asked("how many denials from riverbend").kind == "count"
    assert read_asked("is keystone shorting us on 99214").kind == "yes_no"
    assert read_asked("whats the payer mix").kind is None


def test_has_kind_reads_values_as_written() -> None:
    assert has_kind("Timely filing limit: 90 days [1].", "days")
    assert has_kind("Renewal term: 12 months.", "days")  # a duration answers "how long"
    assert not has_kind("The agreement has a timely filing section.", "days")
    assert has_kind("due by 2027-03-02", "date") and has_kind("by December 1, 2026.", "date")
    assert not has_kind("Notice of non-renewal: 120 days.", "date")
    assert has_kind("$1,550.34 short", "money") and not has_kind("1,550 lines", "money")
    assert has_kind("anything", None)


def test_missing_note_names_what_is_missing_and_nothing_else() -> None:
    asked = read_asked("when do we need to tell keystone we wont renew")
    note = missing_note(asked, "Notice of non-renewal: 120 days [1].")
    assert note and "a date" in note and "non-renewal" in note
    assert not any(ch.isdigit() for ch in note)  # a note never adds a figure
    assert missing_note(asked, "due by 2027-03-02") is None


def test_asked_value_leads_and_failed_parts_give_way() -> None:
    asked = read_asked("how much notice to leave keystone and what would we lose")
    walk = "If the Keystone contract ended: $291,909.24 a year would be at risk."
    terms = "**Keystone** — Termination without cause notice: 120 days [1]."
    assert lead_with_asked([walk, terms], asked) == [terms, walk]
    err = "I couldn't complete that: Say what the proposal is."
    found = "Please send your rate proposal by December 1, 2026."
    when = read_asked("when is our rate proposal due")
    assert lead_with_asked([err, found], when, [True, False]) == [found]
    assert lead_with_asked([err], when, [True]) == [err]  # nothing better: keep what we have


def test_term_quote_is_the_sentence_that_sets_the_value_never_a_heading() -> None:
    chunk = ("§ 4.5 Most-Favored-Nation Pricing. Provider shall not agree with any other payer to a "
             "reimbursement lower than this Agreement's. § 5.1 Reconsideration. A request for "
             "reconsideration must be filed within 90 days of the date of the initial determination.")
    assert term_quote("§ 4.5 Most-Favored-Nation Pricing.", 1, chunk, "bool").startswith("Provider shall")
    assert "90 days" in str(term_quote("§ 5.1 Reconsideration.", 90, chunk, "days"))
    ok = "Provider shall submit each claim within ninety (90) days after the date of service."
    assert term_quote(ok, 90, chunk, "days") == ok


def test_steer_routes_on_the_asked_object_whatever_the_topic() -> None:
    scores = {"walkaway": 0.7, "clause": 0.2, "deadlines": 0.1}
    asked = read_asked("how much warning do we owe harborline before we leave")
    assert steer(["walkaway"], scores, ["walkaway"], asked) == ["clause"]
    both = read_asked("how much notice to leave keystone and what would we lose")
    assert steer(["walkaway"], scores, ["walkaway"], both) == ["clause", "walkaway"]


def test_steer_puts_first_the_analysis_that_can_state_the_asked_kind() -> None:
    asked = Asked((Part("money"),))
    assert steer(["clause", "counteroffer"], {"clause": 0.6, "counteroffer": 0.5}, ["counteroffer"],
                 asked)[0] == "counteroffer"


def test_two_close_plans_are_two_readings_and_distant_ones_are_not() -> None:
    asked = Asked((Part(None),))
    close = {"rates": 0.42, "underpayments": 0.38, "clause": 0.2}
    assert steer(["rates"], close, [], asked) == ["rates", "underpayments"]
    far = {"rates": 0.7, "underpayments": 0.2, "clause": 0.1}
    assert steer(["rates"], far, [], asked) == ["rates"]
    # a close second reading that cannot state the asked kind is not run
    days = Asked((Part("days"),))
    assert steer(["clause"], {"clause": 0.4, "walkaway": 0.35}, [], days) == ["clause"]


def test_next_plan_is_the_best_untried_analysis_able_to_answer() -> None:
    scores = {"counteroffer": 0.5, "clause": 0.3, "deadlines": 0.15, "notes": 0.05}
    assert next_intent(scores, {"counteroffer"}, "date") == "clause"
    assert next_intent(scores, {"counteroffer", "clause", "deadlines", "notes"}, "date") is None
    assert next_intent(scores, {"counteroffer"}, None) is None
