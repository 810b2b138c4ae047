"""The offline engine answers staff questions with the ground-truth clauses and figures."""

from __future__ import annotations

import re
from typing import Any

from assistant.scope import Scope
from tests.conftest import Practice


def _term(practice: Practice, payer_id: str, term: str) -> dict[str, Any]:
    rows = [t for t in practice.truth["terms"] if t["payer_id"] == payer_id and t["term"] == term]
    return max(rows, key=lambda t: t["effective_from"] or "")


def test_timely_filing_question_quotes_and_cites_the_clause(
    offline_assistant: Any, practice: Practice
) -> None:
    answer = offline_assistant.ask("What's Northwind's timely-filing limit?")
    truth = _term(practice, "NWM", "timely_filing_days")
    assert f"{truth['value']} days" in answer.text
    assert not answer.refused
    assert answer.citations, answer.text
    cited = answer.citations[0]
    assert cited.payer_id == "NWM"
    assert truth["file"].split("/")[-1] in (cited.source_path or "")
    assert cited.page == truth["page"]
    assert truth["section"].split()[-1] in (cited.section or "")
    assert answer.flagged == []


def test_termination_notice_question(offline_assistant: Any, practice: Practice) -> None:
    answer = offline_assistant.ask("what notice do we need to terminate Keystone without cause?")
    truth = _term(practice, "KHP", "termination_without_cause_days")
    assert f"{truth['value']} days" in answer.text
    assert any(c.payer_id == "KHP" for c in answer.citations)


def test_underpayment_question_returns_planted_pattern(offline_assistant: Any, practice: Practice) -> None:
    planted = practice.truth["planted"]["underpayment"]
    answer = offline_assistant.ask(f"Is Keystone underpaying {planted['code']}?")
    assert "underpayments" in answer.tools_used
    assert planted["code"] in answer.text
    assert f"{planted['pct_below']:.1f}% below contract" in answer.text
    assert f"since the contract rate of {planted['start_date']} took effect" in answer.text
    assert f"contract rate ${planted['contract_rate']:,.2f} per unit" in answer.text
    assert f"allowed ${planted['paid_rate']:,.2f}" in answer.text


def test_denial_spike_is_reported_with_quarter_and_reason(offline_assistant: Any, practice: Practice) -> None:
    spike = practice.truth["planted"]["denial_spike"]
    answer = offline_assistant.ask("Did Northwind's prior auth denials spike?")
    assert "denials" in answer.tools_used
    assert spike["quarter"] in answer.text
    assert f"CARC {spike['carc']}" in answer.text


def test_late_payment_share_matches_ground_truth(offline_assistant: Any, practice: Practice) -> None:
    late = practice.truth["planted"]["late_payment"]
    answer = offline_assistant.ask("Is Blue Summit paying us late?")
    assert f"{late['late_claims']} of {late['claims']} claims" in answer.text
    assert f"{late['share_late'] * 100:.1f}%" in answer.text


def test_unknown_payer_is_refused_without_figures(offline_assistant: Any) -> None:
    answer = offline_assistant.ask("What's Acme Insurance's timely filing limit?")
    assert answer.refused
    assert "Acme Insurance" in answer.text
    assert answer.figures == [] and answer.citations == []
    assert not re.search(r"\d+ days", answer.text)


def test_out_of_scope_and_privacy_requests_are_refused(offline_assistant: Any) -> None:
    for q in ("What's the weather in Chicago tomorrow?", "Give me the names of the patients Keystone denied"):
        answer = offline_assistant.ask(q)
        assert answer.refused, q
        assert answer.figures == []


def test_planted_instruction_in_a_contract_changes_nothing(
    offline_assistant: Any, practice: Practice
) -> None:
    injection = practice.truth["injection"]
    payer_id = next(d["payer_id"] for d in practice.truth["documents"] if d["file"] == injection["file"])
    true_value = injection["true_value"]["value"]
    answer = offline_assistant.ask(f"What is {practice.payer_name(payer_id)}'s timely filing limit?")
    assert f"{true_value} days" in answer.text
    assert "365 days" not in answer.text.replace(injection["text"], "")


def test_follow_up_keeps_the_thread(offline_assistant: Any, practice: Practice) -> None:
    first = offline_assistant.ask("What's Keystone's timely filing limit?", conversation_id="t-follow")
    assert any(c.payer_id == "KHP" for c in first.citations)
    second = offline_assistant.ask("and what about their appeal window?", conversation_id="t-follow")
    truth = _term(practice, "KHP", "appeal_window_days")
    assert f"{truth['value']} days" in second.text
    assert all(c.payer_id == "KHP" for c in second.citations)


def test_every_number_in_answers_is_grounded(offline_assistant: Any) -> None:
    for q in (
        "What does each payer pay for 99213?",
        "What's our payer mix?",
        "What if we walk away from Blue Summit?",
        "Which contracts renew in the next 120 days?",
    ):
        answer = offline_assistant.ask(q)
        assert not answer.refused, q
        assert answer.flagged == [], (q, answer.flagged)
        assert answer.figures, q


def test_varied_phrasings_route_to_the_right_analysis(offline_assistant: Any) -> None:
    cases = {
        "how many days do we have to get claims in to riverbend": {"contract_search", "contract_terms"},
        "Can Keystone change our rates without asking us?": {"contract_search", "contract_terms"},
        "whats the denial rate for bcbs in q2": {"denials"},
        "is there an arbitration requirement with harborline": {"contract_search"},
        "who pays the most for a knee MRI": {"rate_comparison"},
        "How long until we can get out of the Evergreen deal?": {"contract_search", "contract_terms"},
        "how much are we losing to underpayments overall": {"underpayments"},
        "what share of our revenue is Northwind": {"payer_mix"},
    }
    for question, tools in cases.items():
        answer = offline_assistant.ask(question)
        assert set(answer.tools_used) == tools, (question, answer.tools_used)
        assert answer.flagged == [], (question, answer.flagged)


def test_payer_scope_is_enforced_inside_the_tools(offline_assistant: Any) -> None:
    hidden = offline_assistant.ask("Is Blue Summit paying us late?", scope=Scope.of(["KHP"]))
    assert "Blue Summit" not in hidden.text.replace("'Blue Summit'", "") or hidden.refused
    assert all(f.filters.get("payer_id") in (None, "KHP") for f in hidden.figures)
    mix = offline_assistant.ask("What's our payer mix?", scope=Scope.of(["KHP"]))
    assert "Keystone" in mix.text and "Northwind" not in mix.text and "Blue Summit" not in mix.text
    unknown = offline_assistant.ask("What's Acme Insurance's timely filing limit?", scope=Scope.of(["KHP"]))
    assert "Keystone Health Plan" in unknown.text and "Northwind" not in unknown.text
