"""Each section of a brief against the sample practice's ground truth."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assistant.engines.formatting import money, pct

SECTION_TITLES = ("1. Summary", "2. Our position", "3. Rates",
                  "4. Is the payer honouring the contract?", "5. Contract language",
                  "6. Beyond rates", "7. Walk-away analysis", "8. Counteroffer")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _section(brief: Any, key: str) -> str:
    return next(s.markdown for s in brief.sections if s.key == key)


def test_all_sections_and_citations_resolve(built: dict[str, Any]) -> None:
    for brief in built.values():
        for title in SECTION_TITLES:
            assert f"## {title}" in brief.markdown, (brief.payer_id, title)
        body = brief.markdown.split("## Sources")[0]
        used = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
        numbers = {c.n for c in brief.citations}
        assert used <= numbers, used - numbers
        assert numbers == set(range(1, len(numbers) + 1))


def test_summary_asks_carry_money_and_sources(built: dict[str, Any]) -> None:
    for brief in built.values():
        assert 3 <= len(brief.summary) <= 4, [a.title for a in brief.summary]
        for ask in brief.summary:
            assert ask.refs, ask
            assert ask.annual_value is None or ask.annual_value > 0
        assert any(a.annual_value for a in brief.summary)


def test_late_payment_vs_prompt_pay_clause(practice: Any, built: dict[str, Any]) -> None:
    truth = practice.truth["planted"]["late_payment"]
    text = _section(built[truth["payer_id"]], "compliance")
    assert pct(100 * truth["share_late"]) in text
    assert money(truth["interest_owed"]) in text
    assert money(truth["late_principal"]) in text
    assert f"{truth['late_claims']} of {truth['claims']} paid claims" in text
    assert "Clean Claim within thirty (30) days" in text  # the prompt-pay clause, quoted


def test_underpayment_code_size_and_start(practice: Any, built: dict[str, Any]) -> None:
    truth = practice.truth["planted"]["underpayment"]
    brief = built[truth["payer_id"]]
    text = _section(brief, "compliance")
    assert f"**{truth['code']} since {truth['start_date']}**" in text
    assert money(truth["total_short"]) in text
    assert pct(truth["pct_below"]) in text
    assert any(a.key == "underpayment" for a in brief.summary)


def test_denial_spike_quarter_and_reason(practice: Any, built: dict[str, Any]) -> None:
    truth = practice.truth["planted"]["denial_spike"]
    text = _section(built[truth["payer_id"]], "compliance")
    line = next((ln for ln in text.splitlines() if f"**{truth['quarter']}**" in ln
                 and f"CARC {truth['carc']}" in ln), None)
    assert line is not None, text
    assert (built[truth["payer_id"]].timings["total"]) > 0


def test_clause_quotes_are_verbatim_with_page_and_section(practice: Any, built: dict[str, Any],
                                                          retriever: Any) -> None:
    matched = 0
    for brief in built.values():
        truth = [c for c in practice.truth["clauses"] if c["payer_id"] == brief.payer_id]
        for ctype, c in brief.facts["clauses"].items():
            chunk = retriever.get_chunk(c["chunk_id"])
            assert chunk is not None and c["quote"] in chunk.text, (ctype, c)
            same = [t for t in truth if _norm(t["quote"]) == _norm(c["quote"])]
            if same:
                matched += 1
                assert same[0]["page"] == c["page"], (ctype, c, same[0])
                assert _norm(same[0]["section"]) == _norm(c["section"]), (ctype, c, same[0])
            assert f'"{_norm(c["quote"])}"' in _section(brief, "language")
    assert matched >= 20


def test_contract_quotes_match_ground_truth_for_blue_summit(practice: Any,
                                                            built: dict[str, Any]) -> None:
    clauses = built["BSH"].facts["clauses"]
    truth = {(c["clause_type"]): c for c in practice.truth["clauses"] if c["payer_id"] == "BSH"
             and c["section"].startswith("Section")}
    for ctype in ("termination_without_cause", "most_favored_nation", "hold_harmless",
                  "fee_schedule_updates", "timely_filing", "prompt_pay", "appeals",
                  "term_renewal", "prior_authorization", "dispute_resolution"):
        assert _norm(clauses[ctype]["quote"]) == _norm(truth[ctype]["quote"]), ctype
        assert clauses[ctype]["page"] == truth[ctype]["page"]


def test_deadline_days_as_of_reference_date(practice: Any, built: dict[str, Any]) -> None:
    for brief in built.values():
        d = next(x for x in practice.truth["deadlines"] if x["payer_id"] == brief.payer_id)
        days = (dt.date.fromisoformat(d["notice_deadline"]) - practice.as_of).days
        assert days == d["days_until_notice_deadline"]
        assert f"**{d['notice_deadline']}** — {days} days from {practice.as_of}" in \
            _section(brief, "summary")
        assert f"| **{d['notice_deadline']}** | **{days}** |" in _section(brief, "language")


def test_position_cites_notes_evidence(practice: Any, built: dict[str, Any]) -> None:
    text = _section(built["BSH"], "position")
    facts = {f["key"]: f for f in practice.truth["notes_facts"]}
    assert facts["bsh_network_gap"]["text"] in text
    assert facts["patient_satisfaction"]["text"] in text
    mix = built["BSH"].facts["me"]
    assert money(mix["paid"]) in text and pct(mix["share_of_paid"]) in text


def test_counteroffer_positions_are_priced(built: dict[str, Any]) -> None:
    brief = built["BSH"]
    groups = brief.facts["groups"]
    assert groups
    for g in groups:
        assert g["opening_pct"] > g["target_pct"] >= g["walkaway_pct"] >= 0
        effects = {k: v["annual_effect"] for k, v in g["results"].items()}
        assert effects["opening"] > effects["target"] >= effects["walkaway"]
        assert money(effects["target"]) in _section(brief, "counteroffer")
    text = _section(brief, "counteroffer")
    assert "Pitfalls checklist" in text and "Anti-Kickback" in text
    assert "Talking points" in text
    for line in text.split("### Talking points")[1].split("### Pitfalls")[0].splitlines():
        if line.startswith("- "):
            assert re.search(r"\[\d+\]", line), line


def test_walkaway_has_recommendation(built: dict[str, Any]) -> None:
    for brief in built.values():
        text = _section(brief, "walkaway")
        assert "**Recommendation:**" in text
        w = brief.facts["walkaway"]
        assert money(w["annual_revenue"]) in text
