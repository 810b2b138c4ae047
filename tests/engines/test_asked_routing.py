"""The planner routes on topic and asked quantity together (real MiniLM router, sample
vocabulary): rules checked over every payer and several wordings, not single phrasings."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from assistant.engines.planner import Planner
from assistant.engines.router import SemanticRouter
from eval.routing import sample_vocabulary

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def planner(shared_embedder: Any) -> Planner:
    vocab = sample_vocabulary()
    return Planner(SemanticRouter(shared_embedder), lambda: vocab)


@pytest.fixture(scope="module")
def payers() -> list[tuple[str, str]]:
    """(payer id, a name staff would type) for every sample payer."""
    return [(p.payer_id, p.aliases[1] if len(p.aliases) > 1 else p.name) for p in sample_vocabulary().payers]


def _names(plan: Any) -> list[str]:
    return [c["name"] for c in plan.calls]


@pytest.mark.parametrize("template", [
    "how much notice if we drop {p}", "how much warning do we owe {p} before we leave",
    "if we want out of the {p} contract how much notice do we need to give",
    "how far in advance do we have to tell {p} if we terminate",
])
def test_notice_to_leave_asks_the_termination_term_not_the_walkaway(
    planner: Planner, payers: list[tuple[str, str]], template: str
) -> None:
    for pid, name in payers:
        plan = planner.plan(template.format(p=name), AS_OF, [])
        assert "walkaway" not in _names(plan), (name, _names(plan))
        terms = [c for c in plan.calls if c["name"] == "contract_terms"]
        assert terms and terms[0]["args"]["payer"] == pid
        assert terms[0]["args"]["terms"][0] == "termination_without_cause_days"
        searched = {c["args"].get("clause_type") for c in plan.calls if c["name"] == "contract_search"}
        assert searched <= {"termination_without_cause"}


@pytest.mark.parametrize("template", [
    "when do we have to tell {p} we're not renewing", "deadline to send the non renewal letter to {p}",
    "by when must we notify {p} that we wont renew",
])
def test_when_to_send_non_renewal_is_the_deadlines_date(
    planner: Planner, payers: list[tuple[str, str]], template: str
) -> None:
    for pid, name in payers:
        plan = planner.plan(template.format(p=name), AS_OF, [])
        assert _names(plan) == ["deadlines"], (name, _names(plan))
        assert plan.calls[0]["args"]["payer"] == pid


@pytest.mark.parametrize("limit,after", itertools.product(
    ["cutoff for getting a claim in", "how long do we have to submit claims", "deadline to file a claim"],
    ["after a visit", "after the date of service"]))
def test_claim_cutoff_after_a_visit_is_timely_filing_not_appeals(
    planner: Planner, payers: list[tuple[str, str]], limit: str, after: str
) -> None:
    for _pid, name in payers[:3]:
        plan = planner.plan(f"{name} {limit} {after}", AS_OF, [])
        searched = [c["args"].get("clause_type") for c in plan.calls if c["name"] == "contract_search"]
        assert searched and set(searched) == {"timely_filing"}, (name, searched)
        terms = [c["args"]["terms"] for c in plan.calls if c["name"] == "contract_terms"]
        assert terms and terms[0][0] == "timely_filing_days"


@pytest.mark.parametrize("template,start,end", [
    ("how much did {p} pay us in march", "2026-03-01", "2026-03-31"),
    ("total collections from {p} last month", "2026-10-01", "2026-10-31"),
    ("how much did we get from {p} in q2", "2026-04-01", "2026-06-30"),
])
def test_money_received_in_a_period_is_payer_mix_by_payment_date(
    planner: Planner, payers: list[tuple[str, str]], template: str, start: str, end: str
) -> None:
    for pid, name in payers:
        plan = planner.plan(template.format(p=name), AS_OF, [])
        assert _names(plan) == ["payer_mix"], (name, _names(plan))
        args = plan.calls[0]["args"]
        assert (args["by"], args["payer"], args["start"], args["end"]) == ("payment", pid, start, end)


def test_underpaid_in_march_is_still_the_underpayment_analysis(planner: Planner) -> None:
    plan = planner.plan("did keystone pay us less than the contract rate in march", AS_OF, [])
    assert _names(plan)[0] == "underpayments"


@pytest.mark.parametrize("question", [
    "how much notice to leave {p} and what would we lose",
    "what would we lose if we drop {p}, and how much notice do we need",
])
def test_two_analyses_in_one_question_run_both(
    planner: Planner, payers: list[tuple[str, str]], question: str
) -> None:
    for _pid, name in payers[:3]:
        names = _names(planner.plan(question.format(p=name), AS_OF, []))
        assert "walkaway" in names and "contract_terms" in names, names


def test_an_answer_without_the_asked_value_gets_the_next_plan(planner: Planner) -> None:
    question = "when is our blue summit rate proposal due"
    first = planner.plan(question, AS_OF, [])
    done = [{"name": c["name"], "args": c["args"]} for c in first.calls]
    lacking = "I couldn't complete that: Say what the proposal is."
    more = planner.next_calls(question, AS_OF, [], done, lacking)
    assert more and {c["name"] for c in more}.isdisjoint({c["name"] for c in first.calls})
    # an answer that has the asked kind of value needs no other plan
    assert planner.next_calls(question, AS_OF, [], done, "Send it by December 1, 2026.") == []


def test_proposal_percent_in_words(planner: Planner) -> None:
    plan = planner.plan("model a 5 pct bump on e/m for keystone", AS_OF, [])
    counter = [c for c in plan.calls if c["name"] == "counteroffer"]
    assert counter and counter[0]["args"]["terms"][0]["value"] == 5.0
