"""Brief checks of the sample suite: build the brief, score it like an answer.

Uses ``assistant.briefs.build.build_brief`` when it exists (returns None otherwise, and
the runner skips brief items with a note). A brief's "tool outputs" for faithfulness are
its own facts, asks and cited passages: every number and date in its Markdown must be
found there. Quoted passages are not checked (talking points are scripted speech in quotes).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from eval.dataset import Item
from eval.metrics import Evidence, citation_matches, figure_present, support_check
from eval.sample_suite import ItemResult, brief_builder


def make_brief_runner(
    settings: Any, embedder: Any, as_of: dt.date, model_spec: str | None = None
) -> Callable[[Item], ItemResult] | None:
    """A function scoring one brief item, or None when briefs are not built yet."""
    build = brief_builder()
    if build is None:
        return None

    def run(item: Item) -> ItemResult:
        res = ItemResult(id=item.id, category=item.category, question=item.question)
        started = time.perf_counter()
        try:
            brief = build(
                settings,
                item.expect["brief"]["payer_id"],
                as_of=as_of,
                model_spec=model_spec,
                embedder=embedder,
            )
        except Exception as exc:  # a failing brief is a failed item, not a crashed run
            res.problems.append(f"build_brief raised {type(exc).__name__}")
            res.refused, res.refusal_ok = True, False
            return res
        res.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        text = brief.markdown
        res.answer, res.refused, res.refusal_ok = text, False, True
        for f in item.figures:
            values = f.value if isinstance(f.value, list) else [f.value]
            res.figures.append(
                {
                    "path": f.path,
                    "expected": f.shown,
                    "ok": all(figure_present(text, v, f.format) for v in values),
                }
            )
        cites = [c for c in brief.citations if c.kind in ("clause", "note")]
        res.citations = [
            c.model_dump(include={"n", "source_path", "page", "section"}) for c in cites
        ]
        if item.clauses:
            res.citation_ok = any(citation_matches(c, t) for c in cites for t in item.clauses)
        evidence = brief_evidence(brief, as_of, item.question)
        s = support_check(text, evidence, quotes=False)
        res.support_total, res.support_ok, res.unsupported = s.total, s.supported, s.unsupported
        return res

    return run


def brief_evidence(brief: Any, as_of: dt.date, question: str = "") -> Evidence:
    """What a brief may state: its facts, citations and asks, its as-of date and build time.

    The header's "built YYYY-MM-DD HH:MM UTC" is a fact of the brief itself, not a figure
    from the data; it is evidence so the clock's minute is never read as an invented number.
    """
    return Evidence.collect(
        [
            brief.facts,
            [c.model_dump() for c in brief.citations],
            [a.model_dump() for a in brief.summary],
            {"as_of": as_of.isoformat(), "built": f"{brief.created_at:%Y-%m-%d %H:%M}"},
        ],
        question,
    )
