"""Programs (lines of business) in questions and in the offline writer's deadlines answer."""

from __future__ import annotations

from assistant.engines.entities import find_programs
from assistant.engines.writer import Writer


def test_programs_named_in_questions() -> None:
    assert find_programs("Medicaid timely filing for Tamarack") == ["Medicaid"]
    assert find_programs("What is the MA timely filing limit?") == ["Medicare Advantage"]
    assert find_programs("How fast must they pay Medicare Advantage claims?") == ["Medicare Advantage"]
    assert find_programs("How fast do they pay exchange claims?") == ["Exchange"]
    # a rate basis is not a program
    assert find_programs("Are they paying 110% of Medicare?") == []
    assert find_programs("Is that below the Medicare fee schedule?") == []
    assert find_programs("How much did they pay us in May?") == []


def test_deadlines_answer_lists_values_per_program() -> None:
    contract = {
        "payer_name": "Tamarack Valley", "contract_id": "TVHP-PPA-2025-0457",
        "expiration_date": "2027-12-31", "auto_renewal": True, "notice_days": 90,
        "notice_deadline": "2027-10-02", "days_until_notice_deadline": 488, "prep_start": None,
        "program_values": {"termination_without_cause_days": {"": 180.0, "Medicare Advantage": 90.0}},
    }
    art = {"data": {"contracts": [contract], "as_of": "2026-06-01"}, "filters": {}, "figures": []}
    text = Writer().write("deadlines?", [({"name": "deadlines", "args": {}}, art)])
    assert "| Tamarack Valley | TVHP-PPA-2025-0457 | 2027-12-31 |" in text
    assert "termination without cause: general 180 days; Medicare Advantage 90 days" in text
