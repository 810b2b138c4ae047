"""The staff-phrasing scorer: expectations resolve from a practice's truth, and routing and
end-to-end verdicts are separate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.routing import DATASETS, judge_tools, load_rows
from eval.staff import Truth, check_spec, load_staff_rows, score_row


@pytest.fixture()
def truth(tmp_path: Path) -> Truth:
    data = {
        "reference_date": "2026-11-27",
        "payers": [{"payer_id": "KHP", "name": "Keystone Health Plan"},
                   {"payer_id": "BSH", "name": "Blue Summit Health"}],
        "terms": [
            {"payer_id": "KHP", "term": "timely_filing_days", "value": 120, "effective_from": "2024-07-01"},
            {"payer_id": "KHP", "term": "timely_filing_days", "value": 90, "effective_from": "2026-04-01"},
            {"payer_id": "KHP", "term": "mfn_present", "value": True, "effective_from": "2024-07-01"},
        ],
        "deadlines": [{"payer_id": "KHP", "notice_deadline": "2027-03-02"}],
        "fee_schedule": [
            {"payer_id": "KHP", "code": "99214", "rate": 140.0, "effective_from": "2024-07-01",
             "effective_to": "2026-03-31"},
            {"payer_id": "KHP", "code": "99214", "rate": 148.61, "effective_from": "2026-04-01",
             "effective_to": None},
            {"payer_id": "BSH", "code": "99214", "rate": 150.0, "effective_from": "2024-04-01",
             "effective_to": None},
        ],
        "planted": {"underpayment": {"total_short": 1550.34}},
        "notes_facts": [{"key": "due", "value": "2026-12-01"}],
        "totals": {"KHP": {"lines": 200, "denied_lines": 13}},
    }
    (tmp_path / "data").mkdir()
    (tmp_path / "ground_truth.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "data" / "claims.csv").write_text(
        "payer_id,paid,paid_date\nKHP,100.50,2026-03-02\nKHP,20.00,2026-04-01\nBSH,5.00,2026-03-09\n"
        "KHP,0.00,\n", encoding="utf-8")
    return Truth(tmp_path)


def test_specs_resolve_from_truth_at_the_reference_date(truth: Truth) -> None:
    assert check_spec({"term": "KHP.timely_filing_days"}, "Timely filing: 90 days", truth)[0]
    assert not check_spec({"term": "KHP.timely_filing_days"}, "Timely filing: 120 days", truth)[0]
    assert check_spec({"deadline": "KHP.notice_deadline"}, "due by March 2, 2027", truth)[0]
    assert check_spec({"fee": "KHP.99214"}, "Keystone $148.61", truth)[0]
    assert check_spec({"top_fee_payer": "99214"}, "Blue Summit Health pays most", truth)[0]
    assert check_spec({"paid_in": "KHP", "month": "2026-03"}, "paid us $100.50", truth)[0]
    assert check_spec({"paid_in": "KHP", "month": "2026-03..2026-04"}, "paid us $120.50", truth)[0]
    assert check_spec({"planted": "underpayment.total_short", "unit": "money"}, "$1,550.34 short", truth)[0]
    assert check_spec({"note": "due", "unit": "date"}, "by December 1, 2026.", truth)[0]
    assert check_spec({"ratio": ["totals.KHP.denied_lines", "totals.KHP.lines"]}, "(6.5%)", truth)[0]
    assert check_spec({"any_of": [{"number": 7}, {"any_text": ["arbitration"]}]}, "binding arbitration",
                      truth)[0]
    assert not check_spec({"kind": "money"}, "no dollars here", truth)[0]


def test_routing_and_end_to_end_are_scored_separately(truth: Truth) -> None:
    class Answer:
        def __init__(self, text: str, tools: list[str], refused: bool = False) -> None:
            self.text, self.tools_used, self.refused = text, tools, refused

    row: dict[str, Any] = {"id": "x", "question": "q", "tools": ["contract_terms"], "alt": ["deadlines"],
                           "expect": [{"term": "KHP.timely_filing_days"}]}
    right_tool = score_row(row, Answer("Filing limit section 4.3", ["contract_terms"]), truth)
    assert right_tool["routing_ok"] and not right_tool["e2e_ok"] and right_tool["missing"] == ["90"]
    alt = score_row(row, Answer("90 days", ["deadlines"]), truth)
    assert alt["routing_ok"] and alt["e2e_ok"]
    refuse = {"id": "r", "question": "q", "tools": ["refuse"], "expect": []}
    assert score_row(refuse, Answer("no", [], refused=True), truth)["e2e_ok"]


def test_staff_c_is_a_held_out_set_of_at_least_sixty_rows() -> None:
    path = next(p for p in DATASETS if p.name == "routing_staff_c.jsonl")
    rows = load_staff_rows(path)
    assert len(rows) >= 60 and len({r["id"] for r in rows}) == len(rows)
    assert all(r["expect"] or r["tools"] == ["refuse"] for r in rows)
    assert sum(len(r["tools"]) > 1 for r in rows) >= 2  # questions spanning two analyses
    assert {r["want"] for r in load_rows([path])} >= {"contract_terms", "deadlines", "payer_mix", "refuse"}


def test_judge_tools_wants_every_tool_of_a_two_reading_row() -> None:
    class Plan:
        def __init__(self, names: list[str]) -> None:
            self.calls = [{"name": n, "args": {}} for n in names]
            self.refusal = None

    row = {"tools": ["contract_terms", "walkaway"]}
    assert judge_tools(Plan(["contract_search", "contract_terms", "walkaway"]), row)[0]
    assert not judge_tools(Plan(["walkaway"]), row)[0]
    assert judge_tools(Plan(["deadlines"]), {"tools": ["contract_terms"], "alt": ["deadlines"]})[0]
