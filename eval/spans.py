"""Spans suite: character-level precision and recall@k of retrieved text vs CUAD answer spans.

In the style of LegalBench-RAG (Pipitone & Alami 2024): for ``limit`` CUAD contracts picked
deterministically (hash of the file name, text files under ``MAX_CHARS`` bytes), every CUAD
category the contract has a label for becomes one question
``"Consider the <document name> between <parties>; <category question>"`` (the question is
CUAD's own category description). Each question is searched over the whole corpus of those
contracts, not within one contract.

Scoring, per question, for the top ``k`` results (k in ``KS``): the retrieved characters are
the union of the results' ``[start, end)`` ranges per document; precision is the share of
them inside the labelled spans, recall the share of labelled characters retrieved; both are
averaged over questions. A label is located in the document text by exact match after
collapsing whitespace and case (no fuzzy match); unlocated labels are counted and left out.

Systems, in one run:

- ``parley``: Parley's ingestion (structure-aware chunks) into a temporary data dir, its
  hybrid retriever (a question naming its document is restricted to it) and answer spans
  (``assistant.spans.search_spans``, several windows per chunk): the first
  ``SPAN_RESULTS`` results are sentence windows (``span_start``/``span_end`` in the parsed
  text), the retriever's chunks follow whole;
- ``parley_chunks``: the same retriever's hits as whole chunks (``char_start``/``char_end``);
- ``naive``: RecursiveCharacterTextSplitter(chunk_size=500, overlap 0) over the raw .txt,
  the same embedder, cosine top-k over all chunks of all contracts.

Contracts are split in two halves by a hash of the file name (``split_of``): span settings
were chosen on ``dev`` only; the report gives Parley's figures per half as well
(``parley_dev_*``, ``parley_heldout_*``).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.cuad_data import Normalised, contract_path, ingest_contracts

KS = (1, 2, 4, 8, 16, 32, 64)
SYSTEMS = ("parley", "parley_chunks", "naive")
SPLITS = ("dev", "heldout")
MAX_CHARS = 120_000
NAIVE_CHUNK = 500
SKIP_CATEGORIES = {"document name", "parties"}

Interval = tuple[str, int, int]  # (document key, start, end)


@dataclass(frozen=True)
class SpanQuestion:
    """One benchmark question and where its answer is labelled."""

    contract: str  # CUAD file name (the .pdf name in master_clauses.csv)
    category: str
    question: str
    labels: tuple[str, ...]


def split_of(contract: str) -> str:
    """``dev`` or ``heldout``: the half a contract's questions belong to (hash of its name,
    independent of the hash that picks the contracts)."""
    return "dev" if int(hashlib.sha1(f"split:{contract}".encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def category_questions(cuad_dir: Path) -> dict[str, str]:
    """``{category (lower case): question}`` from CUAD's ``category_descriptions.csv``."""
    out: dict[str, str] = {}
    with (cuad_dir / "category_descriptions.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 2 or not row[0].startswith("Category:"):
                continue
            cat = row[0].removeprefix("Category:").strip().lower()
            desc = row[1].removeprefix("Description:").strip()
            if cat not in SKIP_CATEGORIES and desc:
                out[cat] = desc
    return out


def _labels(raw: str) -> list[str]:
    raw = raw.strip()
    try:
        vals = ast.literal_eval(raw) if raw.startswith("[") else [raw]
    except (ValueError, SyntaxError):
        vals = [raw]
    return [v for v in vals if isinstance(v, str) and v.strip()]


def _parties(answer: str) -> str:
    names = [re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", "", p)).strip(" ,.;") for p in answer.split(";")]
    names = [n for n in names if n]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def load_questions(cuad_dir: Path, limit: int | None = 20) -> list[SpanQuestion]:
    """Questions for ``limit`` contracts (all eligible when None), deterministic order."""
    csv.field_size_limit(sys.maxsize)
    cats = category_questions(cuad_dir)
    rows: dict[str, dict[str, str]] = {}
    with (cuad_dir / "master_clauses.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows[row["Filename"]] = row
    names = []
    for name in sorted(rows, key=lambda n: hashlib.sha1(n.encode()).hexdigest()):
        path = contract_path(cuad_dir, name)
        if path is None or path.stat().st_size > MAX_CHARS:
            continue
        names.append(name)
        if limit and len(names) >= limit:
            break
    out = []
    for name in names:
        row = rows[name]
        title = (row.get("Document Name-Answer") or "").strip() or "agreement"
        parties = _parties(row.get("Parties-Answer") or "")
        subject = f"{title} between {parties}" if parties else title
        for col, value in row.items():
            q = cats.get(col.strip().lower())
            if q is None or col.endswith("Answer"):
                continue
            if labels := _labels(value or ""):
                text = re.sub(r"\s+", " ", f"Consider the {subject}; {q}")
                out.append(SpanQuestion(name, col, text, tuple(labels)))
    return out


def locate_exact(label: str, doc: Normalised) -> tuple[int, int] | None:
    """Original-text span of ``label`` (whitespace and case collapsed), or None."""
    needle = re.sub(r"\s+", " ", label).strip().lower()
    i = doc.text.find(needle) if needle else -1
    if i < 0:
        return None
    return doc.offsets[i], doc.offsets[i + len(needle) - 1] + 1


def _union(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _by_doc(items: Iterable[Interval]) -> dict[str, list[tuple[int, int]]]:
    grouped: dict[str, list[tuple[int, int]]] = {}
    for doc, s, e in items:
        grouped.setdefault(doc, []).append((s, e))
    return {d: _union(v) for d, v in grouped.items()}


def char_precision_recall(
    retrieved: Iterable[Interval], gold: Iterable[Interval]
) -> tuple[float, float]:
    """Character-level (precision, recall) of retrieved ranges vs gold ranges (unions)."""
    r, g = _by_doc(retrieved), _by_doc(gold)
    r_len = sum(e - s for v in r.values() for s, e in v)
    g_len = sum(e - s for v in g.values() for s, e in v)
    inter = 0
    for doc, rs in r.items():
        for s, e in rs:
            for a, b in g.get(doc, []):
                inter += max(0, min(e, b) - max(s, a))
    return (inter / r_len if r_len else 0.0, inter / g_len if g_len else 0.0)


def score_at_ks(
    ranked: list[Interval], gold: list[Interval], ks: Iterable[int] = KS
) -> dict[int, tuple[float, float]]:
    """``{k: (precision, recall)}`` of the first k ranked results."""
    return {k: char_precision_recall(ranked[:k], gold) for k in ks}


class NaiveIndex:
    """RecursiveCharacterTextSplitter(500, overlap 0) chunks + the embedder, cosine top-k."""

    def __init__(self, texts: dict[str, str], embedder: Any, size: int = NAIVE_CHUNK) -> None:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=size, chunk_overlap=0, add_start_index=True
        )
        self.chunks: list[Interval] = []
        contents: list[str] = []
        for key, text in texts.items():
            for d in splitter.create_documents([text]):
                start = int(d.metadata.get("start_index", -1))
                if start < 0:
                    start = max(0, text.find(d.page_content))
                self.chunks.append((key, start, start + len(d.page_content)))
                contents.append(d.page_content)
        vecs = np.asarray(embedder.embed_documents(contents), dtype=np.float32)
        self.vectors = vecs / (np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12)
        self.embedder = embedder

    def search(self, query: str, k: int) -> list[Interval]:
        q = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        q /= np.linalg.norm(q) + 1e-12
        order = np.argsort(-(self.vectors @ q), kind="stable")[:k]
        return [self.chunks[int(i)] for i in order]


def _mean(scores: list[dict[int, tuple[float, float]]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in KS:
        out[f"precision@{k}"] = round(float(np.mean([s[k][0] for s in scores])), 4) if scores else 0.0
        out[f"recall@{k}"] = round(float(np.mean([s[k][1] for s in scores])), 4) if scores else 0.0
    return out


def run_spans(
    cuad_dir: Path,
    embedder: Any,
    limit: int | None = 20,
    work_dir: Path | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Ingest the picked contracts, ask every question of every system, score P/R@k."""
    from assistant.spans import search_spans
    from ingest.job import text_path

    progress = on_progress or (lambda stage, done, total: None)
    t0 = time.perf_counter()
    questions = load_questions(cuad_dir, limit)
    names = sorted({q.contract for q in questions})
    tmp = Path(tempfile.mkdtemp(prefix="parley-spans-", dir=work_dir))
    try:
        progress("ingest", 0, len(names))
        ingested = ingest_contracts(cuad_dir, names, tmp, embedder)
        settings, doc_ids, retriever = ingested.settings, ingested.doc_ids, ingested.retriever
        summary = ingested.summary
        raw: dict[str, str] = {}
        parsed: dict[str, str] = {}  # by doc_id
        for n in names:
            fname = contract_path(cuad_dir, n).name  # type: ignore[union-attr]
            raw[n] = contract_path(cuad_dir, n).read_text(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
            if doc_id := doc_ids.get(fname):
                parsed[doc_id] = text_path(settings, doc_id).read_text(encoding="utf-8")
        progress("naive index", 0, len(names))
        naive = NaiveIndex(raw, embedder)
        t_index = time.perf_counter() - t0
        norm_raw = {n: Normalised.of(t) for n, t in raw.items()}
        norm_parsed = {d: Normalised.of(t) for d, t in parsed.items()}
        stats = {"labels": 0, "unlocated_raw": 0, "unlocated_parsed": 0, "queries": 0,
                 "top1_wrong_document": 0, "failed_ingest": len(names) - len(parsed)}
        scores: dict[str, list[dict[int, tuple[float, float]]]] = {
            s: [] for s in (*SYSTEMS, *(f"parley_{h}" for h in SPLITS))}
        kmax = max(KS)
        for i, q in enumerate(questions):
            if i % 20 == 0:
                progress("query", i, len(questions))
            fname = contract_path(cuad_dir, q.contract).name  # type: ignore[union-attr]
            doc_id = doc_ids.get(fname)
            if doc_id not in parsed:
                continue
            g_raw, g_parsed = [], []
            for label in q.labels:
                stats["labels"] += 1
                rs, ps = locate_exact(label, norm_raw[q.contract]), locate_exact(label, norm_parsed[doc_id])
                stats["unlocated_raw"] += rs is None
                stats["unlocated_parsed"] += ps is None
                if rs:
                    g_raw.append((q.contract, *rs))
                if ps:
                    g_parsed.append((doc_id, *ps))
            if not g_raw or not g_parsed:
                continue
            stats["queries"] += 1
            hits = retriever.search(q.question, k=kmax)
            stats["top1_wrong_document"] += bool(hits) and hits[0].doc_id != doc_id
            scores["parley_chunks"].append(
                score_at_ks([(h.doc_id, h.char_start, h.char_end) for h in hits], g_parsed))
            spans = search_spans(retriever, q.question, k=kmax, one_per_chunk=False)
            at = score_at_ks([(h.doc_id, *h.quote_range) for h in spans], g_parsed)
            scores["parley"].append(at)
            scores[f"parley_{split_of(q.contract)}"].append(at)
            scores["naive"].append(score_at_ks(naive.search(q.question, kmax), g_raw))
        progress("done", len(questions), len(questions))
        metrics = {f"{s}_{m}": v for s in scores for m, v in _mean(scores[s]).items()}
        return {
            "suite": "spans",
            "contracts": len(names),
            "questions": len(questions),
            "questions_by_split": {h: len(scores[f"parley_{h}"]) for h in SPLITS},
            **stats,
            "chunks_parley": sum(r.chunks for r in summary.results),
            "chunks_naive": len(naive.chunks),
            "seconds_index": round(t_index, 1),
            "seconds_total": round(time.perf_counter() - t0, 1),
            "scoring": "character-level P/R over the union of the top-k ranges, mean over "
            "questions; labels located by exact whitespace/case-collapsed match",
            "metrics": metrics,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
