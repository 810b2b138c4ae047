"""Answers state the asked value, over the ingested sample practice: the offline engine
(payments by payment date, the term's value and clause, two readings, the next plan) and
the agent path with a scripted chat model (no real model is at hand in tests)."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from tests.conftest import Practice
from tests.fakes.chat import ScriptedChatModel, tool_call


@pytest.fixture(scope="module")
def offline(practice: Practice) -> Any:
    from assistant.factory import create_assistant

    return create_assistant(practice.settings, embedder=practice.embedder)


def _paid_by_paid_date(practice: Practice, payer: str, month: str) -> float:
    with (practice.source / "data" / "claims.csv").open(encoding="utf-8") as fh:
        return round(sum(float(r["paid"] or 0) for r in csv.DictReader(fh)
                         if r["payer_id"] == payer and r["paid_date"][:7] == month), 2)


def test_payments_received_are_counted_by_payment_date(practice: Practice) -> None:
    from assistant.analytics.mix import ReceiptsParams, payments_received
    from assistant.periods import resolve_period
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(practice.settings, read_only=True)
    try:
        march = resolve_period("2026-03", practice.as_of)
        res = payments_received(conn, ReceiptsParams(period=march, payer="Harborline"))
        everyone = payments_received(conn, ReceiptsParams(period=march))
    finally:
        conn.close()
    [hwc] = res.by_payer
    assert hwc.paid == _paid_by_paid_date(practice, "HWC", "2026-03")
    assert hwc.payments > 0 and hwc.first_payment >= "2026-03-01" and hwc.last_payment <= "2026-03-31"
    assert "payment date" in hwc.date_basis
    assert {p.payer_id for p in everyone.by_payer} >= {"HWC", "BSH"}
    assert everyone.paid == pytest.approx(sum(_paid_by_paid_date(practice, p.payer_id, "2026-03")
                                              for p in everyone.by_payer), abs=0.01)


def test_paid_in_a_month_answer_says_which_date_it_used(practice: Practice, offline: Any) -> None:
    answer = offline.ask("how much did harborline pay us in march", as_of=practice.as_of)
    assert answer.tools_used == ["payer_mix"]
    assert f"${_paid_by_paid_date(practice, 'HWC', '2026-03'):,.2f}" in answer.text
    assert "payment date" in answer.text


def test_a_yes_no_term_quotes_the_clause_not_its_heading(practice: Practice, offline: Any) -> None:
    answer = offline.ask("does keystone have an mfn", as_of=practice.as_of)
    quoted = [line for line in answer.text.splitlines() if line.startswith(">")]
    assert quoted and "shall" in quoted[0], answer.text
    assert "yes" in answer.text.split("\n")[0]


@pytest.mark.parametrize("payer,name", [("KHP", "keystone"), ("ESP", "evergreen")])
def test_two_readings_one_answer_asked_value_first(practice: Practice, offline: Any, payer: str,
                                                   name: str) -> None:
    days = next(t["value"] for t in practice.truth["terms"]
                if t["payer_id"] == payer and t["term"] == "termination_without_cause_days")
    answer = offline.ask(f"how much notice to leave {name} and what would we lose", as_of=practice.as_of)
    assert {"contract_terms", "walkaway"} <= set(answer.tools_used)
    assert f"{days} days" in answer.text and "$" in answer.text
    assert answer.text.index(f"{days} days") < answer.text.index("$")


def test_an_answer_lacking_the_asked_value_tries_the_next_plan(practice: Practice, offline: Any) -> None:
    due = next(n["value"] for n in practice.truth["notes_facts"] if n["key"] == "bsh_proposal_due")
    answer = offline.ask("when is our bsh rate proposal due", as_of=practice.as_of)
    assert "contract_search" in answer.tools_used
    from eval.metrics import dates_in

    assert due in dates_in(answer.text), answer.text
    assert not answer.text.startswith("I couldn't complete that")  # the asked value leads


def _scripted(practice: Practice, model: ScriptedChatModel) -> Any:
    from assistant.factory import create_assistant

    return create_assistant(practice.settings, embedder=practice.embedder, model=model)


def test_agent_answer_without_the_asked_value_is_asked_once_more(practice: Practice) -> None:
    days = next(t["value"] for t in practice.truth["terms"]
                if t["payer_id"] == "HWC" and t["term"] == "timely_filing_days")
    model = ScriptedChatModel()
    model.enqueue(
        tool_call("contract_search", {"query": "timely filing", "payer": "Harborline"}),
        AIMessage(content="Harborline's agreement has a section on submitting claims."),
        # asked for the missing value, the model calls the terms tool and states it
        tool_call("contract_terms", {"payer": "Harborline", "terms": ["timely_filing_days"]}, "call_2"),
        AIMessage(content=f"Harborline gives us {days} days after the date of service to file."),
    )
    answer = _scripted(practice, model).ask("harborline comp network: days to submit claims")
    assert f"{days} days" in answer.text
    assert answer.tools_used == ["contract_search", "contract_terms"]
    asked_prompt = str(model.seen[2][-1].content)
    assert "a number of days" in asked_prompt and "timely filing" in asked_prompt


def test_agent_answer_still_without_it_says_what_is_missing(practice: Practice) -> None:
    model = ScriptedChatModel()
    model.enqueue(
        tool_call("contract_search", {"query": "non-renewal notice", "payer": "Keystone"}),
        AIMessage(content="Keystone's agreement renews automatically."),
        AIMessage(content="The agreement renews automatically each year."),
    )
    answer = _scripted(practice, model).ask("when do we have to tell keystone we're not renewing")
    assert "renews automatically" in answer.text
    assert "I couldn't find a date for the date the non-renewal notice is due" in answer.text
