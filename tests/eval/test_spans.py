"""The spans suite: character-level P/R arithmetic, label location, span selection, and an
end-to-end run on two real CUAD contracts."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from assistant.retrieval import Hit
from assistant.spans import SPAN_RESULTS, SpanSelector, best_span, focus_question, sentences
from eval.cuad_data import Normalised
from eval.runner import DEFAULT_SHARED
from eval.spans import (
    KS,
    SPLITS,
    SYSTEMS,
    char_precision_recall,
    load_questions,
    locate_exact,
    run_spans,
    score_at_ks,
    split_of,
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
    selector = SpanSelector(shared_embedder)
    s, e = best_span(text, start, len(text), q, selector)
    assert start <= s < e <= len(text)
    assert "lower prices to the Buyer" in text[s:e]
    assert "Invoices" not in text[s:e]
    # ranked spans over hits: document offsets inside each hit, no overlaps, then the
    # hits whole; with one_per_chunk each hit once, a hit without a sentence kept whole
    chunk = text[start:]
    hit = Hit(chunk_id="c1", text=chunk, score=1.0, doc_id="d", title="T", source_path="t.txt",
              payer_id=None, payer_name=None, doc_type="contract", contract_id=None,
              effective_date=None, page_start=1, page_end=1, section="5.3",
              heading="Most Favored Nation", char_start=start, char_end=len(text))
    table = dataclasses.replace(hit, chunk_id="c2", text="| a | b |", char_start=0, char_end=9)
    ranked = selector.rank([hit, table], q)
    assert (ranked[0].span_start, ranked[0].span_end) == (s, e) and ranked[0].quote == text[s:e]
    spans = [r for r in ranked if r.has_span]
    assert 1 < len(spans) <= SPAN_RESULTS and ranked[len(spans):] == [hit, table]
    cover = sorted(r.quote_range for r in spans)
    assert all(a[1] <= b[0] for a, b in zip(cover, cover[1:], strict=False))
    once = selector.rank([hit, table], q, one_per_chunk=True)
    assert [r.chunk_id for r in once] == ["c1", "c2"] and once[0].quote == text[s:e]
    assert not once[1].has_span and once[1].quote == "| a | b |"


def test_contracts_split_in_two_stable_halves() -> None:
    names = [f"contract {i}.pdf" for i in range(200)]
    halves = [split_of(n) for n in names]
    assert set(halves) == set(SPLITS) and halves == [split_of(n) for n in names]
    assert 70 <= halves.count("dev") <= 130


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
    assert m["parley_recall@64"] > 0.8 and m["parley_chunks_recall@64"] > 0.8
    # the two halves of the contracts add up to the whole
    assert sum(r["questions_by_split"].values()) == r["queries"]
    assert all(f"parley_{h}_recall@8" in m for h in SPLITS)
    assert not list(tmp_path.iterdir())  # the temporary data dir is removed
