"""Unit tests of the evaluation metrics, the ground-truth resolver and the thresholds."""

from __future__ import annotations

import pytest

from eval.metrics import (
    Evidence,
    citation_matches,
    dates_in,
    figure_present,
    mrr,
    numbers_in,
    percentile,
    recall_at_k,
    support_check,
)
from eval.runner import check_thresholds, compare, parse_thresholds
from eval.truth import TruthError, resolve

TRUTH = {
    "reference_date": "2026-11-27",
    "totals": {"A": {"paid": 100.0}, "B": {"paid": 300.0}},
    "terms": [
        {"payer_id": "K", "term": "tf", "value": 120, "effective_from": "2024-07-01"},
        {"payer_id": "K", "term": "tf", "value": 90, "effective_from": "2026-04-01"},
        {"payer_id": "N", "term": "tf", "value": 365, "effective_from": "2025-01-01"},
    ],
    "fee": [
        {
            "payer_id": "K",
            "code": "1",
            "rate": 140.2,
            "effective_from": "2024-07-01",
            "effective_to": "2026-03-31",
        },
        {
            "payer_id": "K",
            "code": "1",
            "rate": 148.61,
            "effective_from": "2026-04-01",
            "effective_to": None,
        },
        {
            "payer_id": "N",
            "code": "1",
            "rate": 150.0,
            "effective_from": "2025-01-01",
            "effective_to": None,
        },
    ],
}


def test_resolve_paths_functions_and_amendments() -> None:
    assert resolve(TRUTH, "totals.B.paid") == 300.0
    assert resolve(TRUTH, "terms[payer_id=K,term=tf].value") == 90  # the amendment wins
    assert resolve(TRUTH, "fee[payer_id=K,code=1].rate") == 148.61  # the old rate has ended
    assert sorted(resolve(TRUTH, "terms[term=tf].value")) == [90, 365]
    assert resolve(TRUTH, "ratio(totals.A.paid,sum(totals.*.paid))") == pytest.approx(0.25)
    assert resolve(TRUTH, "max(fee[code=1].rate)") == 150.0
    with pytest.raises(TruthError):
        resolve(TRUTH, "totals.C.paid")


def test_numbers_and_dates_are_read_as_written() -> None:
    text = (
        "Keystone paid $53,485.61 [1] (18.0% of revenue) by 2026-12-15 or December 31, 2026; "
        "2026Q3."
    )
    assert [n.value for n in numbers_in(text)] == [53485.61, 18.0]
    assert dates_in(text) == {"2026-12-15", "2026-12-31"}


@pytest.mark.parametrize(
    ("text", "value", "fmt", "ok"),
    [
        ("short by $148.50 on 25 lines", 148.5, "money", True),
        ("short by $148.51", 148.5, "money", True),
        ("short by $148.52", 148.5, "money", False),
        ("34.9% paid late", 0.3493, "share_pct1", True),
        ("35.1% paid late", 0.3493, "share_pct1", False),
        ("4.0% below contract", 4.0, "pct1", True),
        ("limit: 90 days", 90, "days", True),
        ("limit: 120 days", 90, "days", False),
        ("deadline 2026-12-15", "2026-12-15", "date", True),
        ("reason CO-197", "197", "text", True),
    ],
)
def test_figure_present(text: str, value: object, fmt: str, ok: bool) -> None:
    assert figure_present(text, value, fmt) is ok


def test_x12_names_are_not_figures() -> None:
    text = "EFT with 835 remittances; X12 835 files; 837P claims; we paid 835 claims"
    assert [n.value for n in numbers_in(text)] == [835.0]


def test_citation_matches_by_quote_or_by_place() -> None:
    gt = {
        "quote": "Claims must be received  within 90 days.",
        "file": "contracts/K.pdf",
        "page": 2,
        "section": "§ 4.3",
    }
    assert citation_matches(
        {"quote": "4.3 Filing. Claims must be received within 90 days. More."}, gt
    )
    assert citation_matches(
        {"quote": "other", "source_path": "/x/contracts/K.pdf", "page": 2, "section": "§ 4.3"}, gt
    )
    assert not citation_matches(
        {
            "quote": "Payer shall pay within 30 days.",
            "source_path": "/x/contracts/K.pdf",
            "page": 1,
            "section": "§ 4.4",
        },
        gt,
    )


def test_support_check_catches_invented_numbers_quotes_and_dropped_sentences() -> None:
    ev = Evidence.collect(
        [
            {
                "figures": [{"value": 0.3493}, {"value": 313.49}],
                "citations": [
                    {"quote": "Payer shall pay each Clean Claim within thirty (30) days."}
                ],
                "filters": {"as_of": "2026-11-27"},
            }
        ],
        "late since 2026?",
    )
    good = (
        "As of 2026-11-27, 34.9% were late; interest $313.49. "
        '"Payer shall pay each Clean Claim within thirty (30) days." [1]'
    )
    s = support_check(good, ev)
    assert (s.total, s.supported, s.unsupported) == (s.supported, s.total, [])
    bad = support_check(
        '45.0% late, owed $999.00 by 2027-01-01. "Payer shall pay every claim in ten days."',
        ev,
        flagged=["An unsupported sentence."],
    )
    assert bad.supported == 0 and len(bad.unsupported) == 5


def test_rank_metrics_and_percentile() -> None:
    ranks = [1, 3, None, 2]
    assert recall_at_k(ranks, 1) == 0.25 and recall_at_k(ranks, 3) == 0.75
    assert mrr(ranks) == pytest.approx((1 + 1 / 3 + 0.5) / 4)
    assert percentile([10, 20, 30, 40], 50) == 25 and percentile([], 95) == 0


def test_thresholds_and_comparison() -> None:
    report = {
        "suites": {
            "sample": {"metrics": {"numeric_exactness": 0.9, "faithfulness": 1.0}},
            "cuad": {"metrics": {"parley_recall@5": 0.7}},
        }
    }
    th = parse_thresholds(["numeric_exactness=0.95", "cuad.parley_recall@5=0.5", "faithfulness=1"])
    assert check_thresholds(report, th) == ["sample.numeric_exactness 0.9 < 0.95"]
    assert check_thresholds(report, {"nope": 1.0}) == ["nope not measured"]
    base = {"suites": {"sample": {"metrics": {"numeric_exactness": 0.8}}}}
    assert compare(report, base) == {
        "sample.numeric_exactness": {"baseline": 0.8, "current": 0.9, "delta": 0.1}
    }
    from assistant.errors import InputError

    with pytest.raises(InputError):
        parse_thresholds(["numeric_exactness"])
