"""The spans suite: character-level P/R arithmetic, label location, span selection, and an
end-to-end run on two real CUAD contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.spans import best_span, focus_question, rank_spans, sentences
from eval.cuad_data import Normalised
from eval.runner import DEFAULT_SHARED
from eval.spans import (
    KS,
    SYSTEMS,
    char_precision_recall,
    load_questions,
    locate_exact,
    run_spans,
    score_at_ks,
)

CUAD = DEFAULT_SHARED / "cuad"
needs_cuad = pytest.mark.skipif(not CUAD.is_dir(), reason="shared CUAD data not present")


def test_char_precision_recall_on_a_hand_made_example() -> None:
    # doc a: retrieved [0,10) and [5,20) → union [0,20); doc b: [0,10); gold a [10,30)
    retrieved = [("a", 0, 10), ("a", 5, 20), ("b", 0, 10)]
    gold = [("a", 10, 30)]
    p, r = char_precision_recall(retrieved, gold)
    assert p == pytest.approx(10 / 30)
    assert r == pytest.approx(10 / 20)
    at = score_at_ks(retrieved, gold, ks=(1, 2, 3))
    assert at[1] == (0.0, 0.0)
    assert at[2] == pytest.approx((0.5, 0.5))
    assert at[3] == pytest.approx((1 / 3, 0.5))
    # same offsets in another document do not count; nothing retrieved scores zero
    assert char_precision_recall([("b", 10, 30)], gold) == (0.0, 0.0)
    assert char_precision_recall([], gold) == (0.0, 0.0)
    # two gold spans, one fully retrieved by an exact range
    p, r = char_precision_recall([("a", 40, 50)], [("a", 10, 30), ("a", 40, 50)])
    assert (p, r) == (1.0, pytest.approx(10 / 30))


def test_labels_are_located_through_whitespace_and_case_only() -> None:
    doc = Normalised.of("1. Term.\n\nThis  Agreement shall\n renew annually.  End")
    assert locate_exact("this agreement shall renew annually.", doc) == (10, 48)
    assert locate_exact("This Agreement renews annually", doc) is None


def test_best_span_picks_the_obligation_not_the_heading(shared_embedder: Any) -> None:
    text = (
        "PREAMBLE TEXT THAT IS NOT PART OF THE CHUNK. "
        "5.3 Most Favored Nation.\n\n"
        "The Supplier shall deliver the goods to the warehouse named in each purchase order. "
        "If the Supplier offers any other customer lower prices for the same products, the "
        "Supplier shall offer those lower prices to the Buyer. "
        "Invoices are payable within thirty days of receipt."
    )
    start = text.index("5.3")
    units = sentences(text, start, len(text))
    # the bare heading is context, never a candidate answer
    assert text[units[0][0]:].startswith("The Supplier shall deliver")
    assert all(s >= start for s, _ in units) and len(units) == 3
    q = "Consider the Supply Agreement between Acme and Beta; Is there a most favored nation clause?"
    assert focus_question(q) == "Is there a most favored nation clause?"
    s, e = best_span(text, start, len(text), q, shared_embedder)
    assert start <= s < e <= len(text)
    assert "lower prices to the Buyer" in text[s:e]
    assert "Invoices" not in text[s:e]
    # ranked spans: one per chunk, inside it; an unknown document's chunk stays whole
    ranged = rank_spans([("d", start, len(text)), ("x", 0, 5)], {"d": text}, q, shared_embedder)
    assert ranged == [("d", s, e), ("x", 0, 5)]


@needs_cuad
def test_questions_are_deterministic_and_name_the_document() -> None:
    a, b = load_questions(CUAD, limit=2), load_questions(CUAD, limit=2)
    assert a == b and len({q.contract for q in a}) == 2
    assert all(q.question.startswith("Consider the ") and "; " in q.question for q in a)
    assert all(q.labels for q in a)


@needs_cuad
def test_suite_runs_end_to_end_on_two_contracts(shared_embedder: Any, tmp_path: Path) -> None:
    r = run_spans(CUAD, shared_embedder, limit=2, work_dir=tmp_path)
    assert r["contracts"] == 2 and r["failed_ingest"] == 0
    assert r["queries"] >= 10
    m = r["metrics"]
    for s in SYSTEMS:
        recalls = [m[f"{s}_recall@{k}"] for k in KS]
        assert recalls == sorted(recalls)  # recall cannot fall as k grows
        assert all(0.0 <= m[f"{s}_precision@{k}"] <= 1.0 for k in KS)
    # two contracts: at k = 64 the whole corpus's labelled text is mostly retrieved
    assert m["parley_recall@64"] > 0.8
    # the selector keeps only part of each chunk
    assert m["parley_span_precision@8"] >= m["parley_precision@8"]
    assert not list(tmp_path.iterdir())  # the temporary data dir is removed
