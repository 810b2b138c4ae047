"""CUAD suite: clause retrieval and clause tagging on real contracts vs expert labels.

For each picked contract and each mapped CUAD category with a located label, the
category's generic question is asked of three retrievers, each restricted to that
contract, and the rank of the first chunk overlapping a labelled span is recorded:

- ``parley``: Parley's ingestion (structure-aware chunks) and hybrid retriever, asked
  for its top ``depth`` hits with its ``doc_ids`` filter set to the contract (as the
  baselines rank that contract's chunks alone; ``doc_filter`` in the report says so).
  Until 2026-11-29 it post-filtered the top 300 hits of the whole collection, which cost
  Parley hits as the collection grew (37 of 90 queries truncated at 20 contracts);
- ``fixed_dense``: RecursiveCharacterTextSplitter(1000/200) chunks of the raw text, the
  same embedding model, numpy cosine within the contract;
- ``bm25``: rank-bm25 (Okapi) alone over those same fixed chunks of the contract.

Clause tagging is scored at document level (a contract is tagged with a clause type when
any of its chunks is; gold when it has a label in a category mapped to that type) and at
chunk level (a chunk tagged vs. a chunk overlapping a labelled span of a mapped category).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from eval.cuad_data import (
    QUESTIONS,
    Normalised,
    contract_path,
    fixed_chunks,
    ingest_contracts,
    load_labels,
    locate,
    mapped_categories,
    pick_contracts,
)
from eval.metrics import mrr, recall_at_k, span_overlaps

KS = (1, 3, 5, 10)
SYSTEMS = ("parley", "fixed_dense", "bm25")


def _first_rank(chunks: list[tuple[int, int]], spans: list[tuple[int, int]]) -> int | None:
    for rank, (s, e) in enumerate(chunks, 1):
        if any(span_overlaps(s, e, a, b) for a, b in spans):
            return rank
    return None


def _scores(ranks: list[int | None]) -> dict[str, float]:
    out = {f"recall@{k}": round(recall_at_k(ranks, k), 4) for k in KS}
    out["mrr"] = round(mrr(ranks), 4)
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return {
        "precision": round(p, 4) if p is not None else None,
        "recall": round(r, 4) if r is not None else None,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def run_cuad(
    cuad_dir: Path,
    embedder: Any,
    limit: int | None = 40,
    depth: int = 50,
    work_dir: Path | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """Ingest ``limit`` CUAD contracts (all when None; only those of at most ``max_bytes``
    when given) and score retrieval and tagging."""
    from assistant.local_index import tokenize
    from ingest.job import text_path

    progress = on_progress or (lambda stage, done, total: None)
    labels = load_labels(cuad_dir)
    names = pick_contracts(labels, cuad_dir, limit, max_bytes)
    tmp = Path(tempfile.mkdtemp(prefix="parley-cuad-", dir=work_dir))
    try:
        progress("ingest", 0, len(names))
        ingested = ingest_contracts(cuad_dir, names, tmp, embedder)
        settings, doc_ids, retriever = ingested.settings, ingested.doc_ids, ingested.retriever
        summary = ingested.summary
        by_doc: dict[str, list[dict[str, Any]]] = {}
        for c in retriever.store.iter_all():
            by_doc.setdefault(str(c.metadata.get("doc_id")), []).append(c.metadata)
        cats = mapped_categories()
        qvec = {c: np.asarray(embedder.embed_query(q)) for c, q in QUESTIONS.items()}
        ranks: dict[str, dict[str, list[int | None]]] = {s: {c: [] for c in cats} for s in SYSTEMS}
        stats = {
            "labels": 0,
            "unlocated": 0,
            "queries": 0,
            "failed_ingest": 0,
        }
        tag = {ct: [0, 0, 0] for ct in set(cats.values())}
        chunk_tag = {ct: [0, 0, 0] for ct in set(cats.values())}
        for i, name in enumerate(names):
            progress("query", i, len(names))
            fname = contract_path(cuad_dir, name).name  # type: ignore[union-attr]
            doc_id = doc_ids.get(fname)
            if not doc_id or doc_id not in by_doc:
                stats["failed_ingest"] += 1
                continue
            raw = contract_path(cuad_dir, name).read_text(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
            parsed = text_path(settings, doc_id).read_text(encoding="utf-8")
            n_raw, n_parsed = Normalised.of(raw), Normalised.of(parsed)
            metas = sorted(by_doc[doc_id], key=lambda m: int(m.get("char_start", 0)))
            fixed = fixed_chunks(raw)
            fvec = np.asarray(embedder.embed_documents([t for _, _, t in fixed]))
            fvec /= np.linalg.norm(fvec, axis=1, keepdims=True) + 1e-12
            from rank_bm25 import BM25Okapi  # type: ignore[import-untyped]

            bm25 = BM25Okapi([tokenize(t) or ["_"] for _, _, t in fixed])
            gold_spans: dict[str, list[tuple[int, int]]] = {}
            for cat, texts in labels[name].items():
                p_spans, r_spans = [], []
                for t in texts:
                    stats["labels"] += 1
                    ps, rs = locate(t, n_parsed), locate(t, n_raw)
                    if ps is None or rs is None:
                        stats["unlocated"] += 1
                    if ps:
                        p_spans.append(ps)
                    if rs:
                        r_spans.append(rs)
                gold_spans.setdefault(cats[cat], []).extend(p_spans)
                if not p_spans or not r_spans:
                    continue
                stats["queries"] += 1
                hits = retriever.search(QUESTIONS[cat], k=depth, doc_ids=[doc_id])
                ranks["parley"][cat].append(
                    _first_rank([(h.char_start, h.char_end) for h in hits], p_spans)
                )
                q = qvec[cat] / (np.linalg.norm(qvec[cat]) + 1e-12)
                order = np.argsort(-(fvec @ q), kind="stable")
                ranks["fixed_dense"][cat].append(
                    _first_rank([fixed[j][:2] for j in order], r_spans)
                )
                border = np.argsort(-bm25.get_scores(tokenize(QUESTIONS[cat])), kind="stable")
                ranks["bm25"][cat].append(_first_rank([fixed[j][:2] for j in border], r_spans))
            _score_tags(metas, gold_spans, tag, chunk_tag)
        progress("done", len(names), len(names))
        return {**_report(names, stats, ranks, tag, chunk_tag, depth, summary),
                "max_bytes": max_bytes}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _score_tags(
    metas: list[dict[str, Any]],
    gold: dict[str, list[tuple[int, int]]],
    tag: dict[str, list[int]],
    chunk_tag: dict[str, list[int]],
) -> None:
    """Update tp/fp/fn at document level (``tag``) and chunk level (``chunk_tag``)."""
    for ct in tag:
        spans = gold.get(ct, [])
        predicted_doc = False
        for m in metas:
            tagged = ct in str(m.get("clause_types", "")).split(",")
            predicted_doc |= tagged
            is_gold = any(
                span_overlaps(int(m.get("char_start", 0)), int(m.get("char_end", 0)), a, b)
                for a, b in spans
            )
            chunk_tag[ct][0] += tagged and is_gold
            chunk_tag[ct][1] += tagged and not is_gold
            chunk_tag[ct][2] += is_gold and not tagged
        has_gold = bool(spans)
        tag[ct][0] += predicted_doc and has_gold
        tag[ct][1] += predicted_doc and not has_gold
        tag[ct][2] += has_gold and not predicted_doc


def _report(
    names: list[str],
    stats: dict[str, int],
    ranks: dict[str, dict[str, list[int | None]]],
    tag: dict[str, list[int]],
    chunk_tag: dict[str, list[int]],
    depth: int,
    summary: Any,
) -> dict[str, Any]:
    overall = {s: _scores([r for rs in ranks[s].values() for r in rs]) for s in SYSTEMS}
    by_cat = {
        c: {"queries": len(ranks["parley"][c]), **{s: _scores(ranks[s][c]) for s in SYSTEMS}}
        for c in ranks["parley"]
        if ranks["parley"][c]
    }
    return {
        "suite": "cuad",
        "contracts": len(names),
        **stats,
        "chunks_parley": sum(r.chunks for r in summary.results),
        "doc_filter": f"Parley's retriever filtered to the contract (doc_ids), top {depth} hits; "
        "the baselines rank that contract's chunks alone",
        "metrics": {
            **{f"{s}_{k}": v for s in SYSTEMS for k, v in overall[s].items()},
            "label_located_share": round(1 - stats["unlocated"] / stats["labels"], 4)
            if stats["labels"]
            else None,
            "recall@5_gain_vs_best_baseline": round(
                overall["parley"]["recall@5"]
                - max(overall["fixed_dense"]["recall@5"], overall["bm25"]["recall@5"]),
                4,
            ),
        },
        "by_category": by_cat,
        "tagging": {
            "document_level": {ct: _prf(*v) for ct, v in sorted(tag.items())},
            "chunk_level": {ct: _prf(*v) for ct, v in sorted(chunk_tag.items())},
        },
    }
