"""Optional LLM-judged answer quality (1-5), only when a judge model is configured.

Never required to pass: the figure, citation, faithfulness and refusal metrics are
computed without any model. The prompt is ``eval/judge_prompt.md``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

PROMPT = Path(__file__).with_name("judge_prompt.md")


def judge_items(settings: Any, spec: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Score each scored item's answer with the judge model; mean score and per-item scores."""
    from langchain_core.messages import HumanMessage

    from assistant.engines.providers import create_chat_model

    model = create_chat_model(settings, spec)
    template = PROMPT.read_text(encoding="utf-8")
    scores: dict[str, int] = {}
    for it in items:
        if it.get("skipped"):
            continue
        expected = ", ".join(f["expected"] for f in it.get("figures", [])) or "(none listed)"
        prompt = template.format(
            question=it["question"],
            expected=expected,
            answer=(it.get("answer") or "")[:4000],
            should_refuse="yes" if it["category"] == "refuse" else "no",
        )
        try:
            reply = str(model.invoke([HumanMessage(prompt)]).content)
        except Exception:  # a judge outage must not fail the evaluation
            continue
        if m := re.search(r"[1-5]", reply):
            scores[it["id"]] = int(m.group(0))
    mean = round(sum(scores.values()) / len(scores), 3) if scores else None
    return {"judge_model": spec, "judged": len(scores), "judge_mean_score": mean, "scores": scores}
