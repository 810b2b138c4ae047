"""The sample-practice suite: ask every golden question, score against the ground truth.

Scoring per item (``score_answer``): the refusal decision, each expected figure written
in the text, a citation that holds a ground-truth clause (or the expected note file),
the tool and period behind the figures, and faithfulness of every number, date and quote
to that turn's tool outputs. Separately, for items with an expected clause, the retriever
alone is asked the question (top 10 under the payer filter) for recall@k and MRR.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eval.dataset import Item
from eval.metrics import (
    Evidence,
    citation_matches,
    figure_present,
    mrr,
    norm,
    percentile,
    recall_at_k,
    support_check,
    token_overlap,
)

KS = (1, 3, 5, 10)


@dataclass
class ItemResult:
    """What happened on one golden question."""

    id: str
    category: str
    question: str
    answer: str = ""
    refused: bool | None = None
    refusal_ok: bool | None = None
    figures: list[dict[str, Any]] = field(default_factory=list)
    citation_ok: bool | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    routing_ok: bool | None = None
    support_total: int = 0
    support_ok: int = 0
    unsupported: list[str] = field(default_factory=list)
    retrieval_rank: int | None = None
    retrieval_checked: bool = False
    latency_ms: float = 0.0
    tools: list[str] = field(default_factory=list)
    skipped: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every check that applies passed."""
        checks = [self.refusal_ok, self.citation_ok, self.routing_ok]
        return (
            self.skipped is None
            and all(c is not False for c in checks)
            and all(f["ok"] for f in self.figures)
            and not self.unsupported
        )


def turn_artifacts(assistant: Any, thread_id: str) -> list[dict[str, Any]]:
    """The tool outputs of the latest turn of ``thread_id`` (from the agent's memory)."""
    from langchain_core.messages import HumanMessage, ToolMessage

    state = assistant.agent.get_state({"configurable": {"thread_id": thread_id}})
    messages = list(state.values.get("messages", []))
    last = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    return [
        m.artifact
        for m in messages[last + 1 :]
        if isinstance(m, ToolMessage) and isinstance(m.artifact, dict)
    ]


def score_answer(item: Item, answer: Any, artifacts: list[dict[str, Any]]) -> ItemResult:
    """Score one ``Answer`` against the item's resolved expectations."""
    r = ItemResult(
        id=item.id,
        category=item.category,
        question=item.question,
        answer=answer.text,
        refused=answer.refused,
        latency_ms=answer.latency_ms,
        tools=list(answer.tools_used),
        citations=[
            c.model_dump(include={"n", "source_path", "page", "section", "payer_id"})
            for c in answer.citations
        ],
    )
    text = answer.text
    if item.injection:
        obeyed = any(norm(t) in norm(text) for t in item.expect.get("text_absent", []))
        r.refusal_ok = not obeyed
    else:
        r.refusal_ok = answer.refused == item.must_refuse
        for bad in item.expect.get("text_absent", []):
            if norm(bad) in norm(text):
                r.problems.append(f"says '{bad}'")
                r.refusal_ok = False
    if item.must_refuse:
        return _faithful(r, answer, artifacts, item)
    for f in item.figures:
        values = f.value if isinstance(f.value, list) else [f.value]
        ok = all(figure_present(text, v, f.format) for v in values)
        r.figures.append({"path": f.path, "expected": f.shown, "ok": ok})
    if item.clauses:
        r.citation_ok = any(citation_matches(c, t) for c in answer.citations for t in item.clauses)
    if item.source_file:
        hit = any(
            str(c.source_path or "").replace("\\", "/").endswith(item.source_file)
            for c in answer.citations
        )
        r.citation_ok = hit if r.citation_ok is None else (r.citation_ok and hit)
    r.routing_ok = _routing(item, answer)
    return _faithful(r, answer, artifacts, item)


def _routing(item: Item, answer: Any) -> bool | None:
    tools = item.expect.get("tools")
    if not tools and not item.period:
        return None
    ok = not tools or any(t in answer.tools_used for t in tools)
    if item.period:
        start, end = item.period
        ok = ok and any(
            str(f.filters.get("start")) == start and str(f.filters.get("end")) == end
            for f in answer.figures
        )
    return ok


def _faithful(
    r: ItemResult, answer: Any, artifacts: list[dict[str, Any]], item: Item
) -> ItemResult:
    support = support_check(answer.text, Evidence.collect(artifacts, item.question), answer.flagged)
    r.support_total, r.support_ok, r.unsupported = (
        support.total,
        support.supported,
        support.unsupported,
    )
    return r


def retrieval_rank(retriever: Any, item: Item, k: int = 10) -> int | None:
    """1-based rank of the first chunk holding a ground-truth quote (None if not in top k)."""
    payer = item.expect.get("clause", {}).get("payer_id")
    hits = retriever.search(item.question, k=k, payer_ids=[payer] if payer else None)
    quotes = [norm(c["quote"]) for c in item.clauses]
    for rank, h in enumerate(hits, 1):
        text = norm(h.text)
        if any(q in text or token_overlap(q, text) >= 0.9 for q in quotes):
            return rank
    return None


def brief_builder() -> Callable[..., Any] | None:
    """``assistant.briefs.build.build_brief`` when that module exists, else None."""
    try:
        module = importlib.import_module("assistant.briefs.build")
    except ImportError:
        return None
    return getattr(module, "build_brief", None)


def run_items(
    assistant: Any,
    items: list[Item],
    as_of: Any,
    on_item: Callable[[ItemResult], None] | None = None,
    run_brief: Callable[[Item], ItemResult] | None = None,
) -> list[ItemResult]:
    """Ask every item in order (conversation turns share one thread) and score it."""
    run_id = uuid.uuid4().hex[:8]
    retriever = assistant.deps.retriever  # built once, before tools run in parallel threads
    results = []
    for item in items:
        if item.errors:
            res = ItemResult(
                id=item.id,
                category=item.category,
                question=item.question,
                skipped="dataset error: " + "; ".join(item.errors),
            )
        elif item.expect.get("brief"):
            res = (
                run_brief(item)
                if run_brief
                else ItemResult(
                    id=item.id,
                    category=item.category,
                    question=item.question,
                    skipped="brief builder (assistant/briefs/build.py build_brief) not available",
                )
            )
        else:
            thread = f"eval-{run_id}-{item.conversation or item.id}"
            answer = assistant.ask(item.question, conversation_id=thread, as_of=as_of)
            res = score_answer(item, answer, turn_artifacts(assistant, thread))
            if item.clauses and not item.must_refuse:
                res.retrieval_checked = True
                res.retrieval_rank = retrieval_rank(retriever, item)
        results.append(res)
        if on_item:
            on_item(res)
    return results


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(results: list[ItemResult]) -> dict[str, Any]:
    """Suite-level metrics from item results."""
    done = [r for r in results if r.skipped is None]
    figs = [f["ok"] for r in done for f in r.figures]
    ranks = [r.retrieval_rank for r in done if r.retrieval_checked]
    support_total = sum(r.support_total for r in done)
    lat = [r.latency_ms for r in done if r.latency_ms]
    metrics: dict[str, Any] = {
        "items": len(results),
        "scored": len(done),
        "skipped": len(results) - len(done),
        "passed_items": _share([r.passed for r in done]),
        "numeric_exactness": _share(figs),
        "figures_checked": len(figs),
        "citation_accuracy": _share([r.citation_ok for r in done if r.citation_ok is not None]),
        "faithfulness": round(sum(r.support_ok for r in done) / support_total, 4)
        if support_total
        else 1.0,
        "faithful_answers": _share([not r.unsupported for r in done]),
        "refusal_accuracy": _share([bool(r.refusal_ok) for r in done]),
        "refusal_recall": _share([bool(r.refused) for r in done if r.category == "refuse"]),
        "false_refusals": sum(
            1 for r in done if r.refused and r.category not in ("refuse", "injection")
        ),
        "routing_accuracy": _share([r.routing_ok for r in done if r.routing_ok is not None]),
        "latency_p50_ms": round(percentile(lat, 50), 1),
        "latency_p95_ms": round(percentile(lat, 95), 1),
    }
    for k in KS:
        metrics[f"retrieval_recall@{k}"] = round(recall_at_k(ranks, k), 4) if ranks else None
    metrics["retrieval_mrr"] = round(mrr(ranks), 4) if ranks else None
    by_cat: dict[str, list[ItemResult]] = {}
    for r in done:
        by_cat.setdefault(r.category, []).append(r)
    metrics["by_category"] = {
        c: {"items": len(rs), "passed": _share([r.passed for r in rs])}
        for c, rs in sorted(by_cat.items())
    }
    return metrics
