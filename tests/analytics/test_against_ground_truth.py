"""Every analytics function against what the sample generator planted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest

from assistant.analytics.counteroffer import (
    CounterofferParams,
    Proposal,
    ProposalItem,
    model_counteroffer,
)
from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
from assistant.analytics.denials import DenialParams, denial_analysis
from assistant.analytics.mix import MixParams, payer_mix
from assistant.analytics.rates import RateParams, compare_rates
from assistant.analytics.timeliness import TimelinessParams, payment_timeliness
from assistant.analytics.variance import VarianceParams, reimbursement_variance
from assistant.analytics.walkaway import WalkawayParams, walkaway_impact
from assistant.errors import UnknownEntityError
from assistant.periods import resolve_period


def test_underpayment_found_with_code_size_and_start(ro: duckdb.DuckDBPyConnection,
                                                      truth: dict[str, Any]) -> None:
    planted = truth["planted"]["underpayment"]
    result = reimbursement_variance(ro, VarianceParams())
    top = result.patterns[0]
    assert (top.payer_id, top.code) == (planted["payer_id"], planted["code"])
    start = dt.date.fromisoformat(planted["start_date"])
    assert top.rate_effective_from == start
    assert start <= top.start_date < start + dt.timedelta(days=62)
    assert top.underpaid_lines == planted["lines"]
    assert top.short == pytest.approx(planted["total_short"], abs=0.01)
    assert top.mean_pct_below_contract == pytest.approx(planted["pct_below"], abs=0.05)
    assert result.underpaid_lines == planted["lines"]  # nothing else is underpaid
    assert result.row_count > 0 and result.filters["payer_id"] is None
    # Filtered by payer name and code, the same figures.
    one = reimbursement_variance(ro, VarianceParams(payer="Keystone", code=planted["code"]))
    assert one.total_short == pytest.approx(planted["total_short"], abs=0.01)
    assert one.filters["payer_id"] == "KHP"
    assert all(line.short > 0 for line in one.lines)


def test_denial_spike_quarter_and_reason(ro: duckdb.DuckDBPyConnection,
                                         truth: dict[str, Any]) -> None:
    spike = truth["planted"]["denial_spike"]
    result = denial_analysis(ro, DenialParams())
    top = result.changes[0]
    assert (top.payer_id, top.quarter, top.carc) == (spike["payer_id"], spike["quarter"],
                                                     spike["carc"])
    assert top.change_pp > 0 and top.description
    assert any(r.carc == spike["carc"] and r.description for r in result.top_reasons)
    # Over the spike's codes, the rate matches the planted definition.
    q = resolve_period(spike["quarter"], dt.date(2030, 1, 1))
    per_code: dict[str, tuple[int, int]] = {}
    for code in spike["codes"]:
        r = denial_analysis(ro, DenialParams(payer=spike["payer_id"], code=code, period=q))
        per_code[code] = (r.lines, sum(x.denied_lines for x in r.top_reasons
                                       if x.carc == spike["carc"]))
    lines, denied = (sum(v[i] for v in per_code.values()) for i in (0, 1))
    assert (lines, denied) == (spike["lines"], spike["denied_lines"])
    # ... and the analysis finds those codes by itself: the rise concentrated on them is
    # reported over them, at the planted rate (diluted in the payer's all-code rate).
    found = [c for c in result.changes if c.codes and c.payer_id == spike["payer_id"]
             and c.quarter == spike["quarter"] and c.carc == spike["carc"]]
    # (a planted code whose few lines that quarter happened to escape the 40% draw is not
    # part of the rise, and is rightly left out)
    assert len(found) == 1 and found[0].codes and set(found[0].codes) <= set(spike["codes"])
    got = found[0]
    assert (got.lines, got.denied_lines) == tuple(
        sum(per_code[c][i] for c in got.codes) for i in (0, 1))
    if set(got.codes) == set(spike["codes"]):
        assert got.rate == round(100 * spike["spike_rate"], 2)
    # no code-level change elsewhere in the practice's (random, unplanted) denials
    drilled = [(c.payer_id, c.quarter, c.carc, c.codes) for c in result.changes if c.codes]
    assert all(d[0] == spike["payer_id"] for d in drilled), drilled


def test_late_payment_share_and_interest(ro: duckdb.DuckDBPyConnection,
                                         truth: dict[str, Any]) -> None:
    late = truth["planted"]["late_payment"]
    result = payment_timeliness(ro, TimelinessParams(payer=late["payer_id"]))
    (p,) = result.by_payer
    assert p.clean_claim_days == late["clean_claim_days"]
    assert p.clean_claim_days_source == "contract_terms"
    assert (p.claims, p.late_claims) == (late["claims"], late["late_claims"])
    assert p.share_late / 100 == pytest.approx(late["share_late"], abs=1e-4)
    assert p.late_principal == pytest.approx(late["late_principal"], abs=0.01)
    assert p.interest_owed == pytest.approx(late["interest_owed"], abs=0.01)
    others = payment_timeliness(ro, TimelinessParams())
    assert max(x.share_late for x in others.by_payer) == p.share_late


def test_timeliness_falls_back_to_parameter_without_terms() -> None:
    from assistant.stores.warehouse import open_memory_warehouse

    conn = open_memory_warehouse()
    conn.execute("INSERT INTO claim_lines (claim_id, line_no, payer_id, date_of_service, "
                 "received_date, code, units, paid, paid_date) VALUES "
                 "('A', 1, 'X', '2026-01-01', '2026-01-02', '99213', 1, 100, '2026-03-03')")
    r = payment_timeliness(conn, TimelinessParams(default_clean_claim_days=30,
                                                  default_interest_pct=10))
    (p,) = r.by_payer
    assert p.clean_claim_days_source == "parameter" and p.late_claims == 1
    assert p.interest_owed == pytest.approx(round(100 * 0.10 * 30 / 365, 2))


def test_mix_totals_per_payer(ro: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> None:
    result = payer_mix(ro, MixParams())
    got = {p.payer_id: p for p in result.by_payer}
    assert set(got) == set(truth["totals"])
    for payer_id, t in truth["totals"].items():
        p = got[payer_id]
        assert (p.lines, p.claims, p.patients, p.denied_lines) == (
            t["lines"], t["claims"], t["patients"], t["denied_lines"])
        for key in ("billed", "allowed", "paid"):
            assert getattr(p, key) == pytest.approx(t[key], abs=0.01)
        assert p.cost_coverage and p.cost > 0
    assert sum(p.share_of_paid for p in result.by_payer) == pytest.approx(100, abs=0.1)


def test_deadlines_match_ground_truth(ro: duckdb.DuckDBPyConnection, truth: dict[str, Any],
                                      as_of: dt.date) -> None:
    result = contract_deadlines(ro, DeadlineParams(as_of=as_of, prep_lead_days=60))
    got = {c.payer_id: c for c in result.contracts}
    for d in truth["deadlines"]:
        c = got[d["payer_id"]]
        assert c.expiration_date.isoformat() == d["expiration_date"]  # type: ignore[union-attr]
        assert c.notice_deadline.isoformat() == d["notice_deadline"]  # type: ignore[union-attr]
        assert c.days_until_notice_deadline == d["days_until_notice_deadline"]
        assert c.prep_start == c.notice_deadline - dt.timedelta(days=60)  # type: ignore[operator]
        assert c.termination_without_cause_days == d["termination_without_cause_days"]
        assert c.sources["non_renewal_notice_days"]["source_file"]
    soon = contract_deadlines(ro, DeadlineParams(as_of=as_of, within_days=60))
    assert {c.payer_id for c in soon.contracts} == {
        d["payer_id"] for d in truth["deadlines"] if d["days_until_notice_deadline"] <= 60}


def test_rates_rank_medicare_and_gap(ro: duckdb.DuckDBPyConnection, truth: dict[str, Any],
                                     as_of: dt.date) -> None:
    result = compare_rates(ro, RateParams(as_of=as_of, code="99213"))
    expected = {r["payer_id"]: r["rate"] for r in truth["fee_schedule"]
                if r["code"] == "99213" and r["effective_from"] <= as_of.isoformat()
                and (not r["effective_to"] or r["effective_to"] >= as_of.isoformat())}
    assert {r.payer_id: r.rate for r in result.rows} == pytest.approx(expected)
    assert [r.rank for r in result.rows] == sorted(r.rank for r in result.rows)
    best = result.rows[0]
    assert best.annual_gap == 0 and all(r.annual_gap >= 0 for r in result.rows)
    nwm = next(r for r in result.rows if r.payer_id == "NWM")
    assert nwm.pct_of_medicare == pytest.approx(100.0)
    target = compare_rates(ro, RateParams(as_of=as_of, payer="RCC", target="medicare_pct",
                                          target_medicare_pct=100))
    assert target.total_gap > 0 and {r.payer_id for r in target.rows} == {"RCC"}


def test_walkaway_and_counteroffer(ro: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
    full = walkaway_impact(ro, WalkawayParams(payer="Blue Summit", as_of=as_of))
    kept = walkaway_impact(ro, WalkawayParams(payer="BSH", as_of=as_of, retention_share=0.5))
    assert full.revenue_lost == pytest.approx(full.annual_revenue)
    assert kept.revenue_lost == pytest.approx(full.annual_revenue / 2, abs=0.02)
    assert 0 < full.share_of_revenue < 100 and full.patients > 0
    proposal = Proposal(items=[ProposalItem(kind="pct_increase", value=6, category="E/M"),
                               ProposalItem(kind="pct_of_medicare", value=105,
                                            category="imaging")])
    result = model_counteroffer(ro, CounterofferParams(payer="KHP", proposal=proposal,
                                                       as_of=as_of))
    em = [c for c in result.codes if c.code.startswith("992")]
    assert em and all(c.proposed_rate == pytest.approx(c.current_rate * 1.06, abs=0.01)
                      for c in em)
    img = [c for c in result.codes if c.code.startswith("7")]
    assert img and all(c.proposed_rate == pytest.approx(c.medicare_rate * 1.05, abs=0.01)
                       for c in img)
    assert result.annual_effect == pytest.approx(sum(c.annual_effect for c in result.codes),
                                                 abs=0.05)


def test_unknown_payer_or_code_names_closest(ro: duckdb.DuckDBPyConnection,
                                             as_of: dt.date) -> None:
    typo = denial_analysis(ro, DenialParams(payer="Keystne Helth"))
    assert typo.filters["payer_id"] == "KHP"
    with pytest.raises(UnknownEntityError) as err:
        denial_analysis(ro, DenialParams(payer="Acme Insurance"))
    assert len(err.value.suggestions) >= 1
    with pytest.raises(UnknownEntityError) as err:
        compare_rates(ro, RateParams(as_of=as_of, code="99299"))
    assert err.value.suggestions
    with pytest.raises(UnknownEntityError):
        payer_mix(ro, MixParams(payer="Zzyzx"))


def test_hand_written_lines_still_compared(truth: dict[str, Any]) -> None:
    """claim_lines written without refresh_expected: figures computed on the fly."""
    from assistant.stores.warehouse import open_memory_warehouse

    conn = open_memory_warehouse()
    conn.execute("INSERT INTO fee_schedule (payer_id, contract_id, code, modifier, rate, "
                 "effective_from, effective_to, source_file) VALUES ('X', 'C', '99213', NULL, "
                 "100, '2026-01-01', NULL, 'f')")
    conn.execute("INSERT INTO claim_lines (claim_id, line_no, payer_id, patient_hash, "
                 "date_of_service, code, units, allowed, paid, status) VALUES "
                 "('A', 1, 'X', 'p1', '2026-02-01', '99213', 1, 90, 90, 'paid'), "
                 "('B', 1, 'X', 'p2', '2026-02-02', '99213', 1, 100, 100, 'paid')")
    v = reimbursement_variance(conn, VarianceParams())
    assert (v.underpaid_lines, v.total_short) == (1, 10.0)
    m = payer_mix(conn, MixParams())
    assert (m.claims, m.patients, m.lines) == (2, 2, 2)
