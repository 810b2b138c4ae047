"""A brief's build time is evidence: CI once failed because "built … 06:56 UTC" read as 56."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.briefs.build import build_brief
from eval.briefs import brief_evidence
from eval.metrics import support_check


@pytest.fixture(scope="module")
def brief(practice: Any) -> Any:
    return build_brief(practice.settings, "BSH", embedder=practice.embedder, formats=("md",))


@pytest.mark.parametrize("minute", [0, 7, 56, 59])
def test_the_build_time_in_the_header_is_never_an_unsupported_figure(brief: Any, minute: int) -> None:
    built = brief.created_at.replace(hour=6, minute=minute)
    stamp = re.compile(r"built \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
    assert stamp.search(brief.markdown), "the header states when the brief was built"
    text = stamp.sub(f"built {built:%Y-%m-%d %H:%M} UTC", brief.markdown)
    moved = brief.model_copy(update={"created_at": built, "markdown": text})
    s = support_check(text, brief_evidence(moved, brief.as_of), quotes=False)
    assert s.unsupported == [], s.unsupported
    assert s.total > 20  # the brief states many figures and every one is checked


def test_a_figure_not_in_the_brief_facts_is_still_caught(brief: Any) -> None:
    text = brief.markdown + "\n\nThe payer also owes us $987,654.32 in back interest."
    s = support_check(text, brief_evidence(brief, brief.as_of), quotes=False)
    assert "987,654.32" in " ".join(s.unsupported)


def test_a_rebuilt_brief_traces_what_it_compares_with(practice: Any, brief: Any) -> None:
    again = build_brief(practice.settings, "BSH", embedder=practice.embedder, formats=("md",))
    prev = again.facts["previous"]
    assert prev is not None and prev["brief_id"] == brief.brief_id
    assert f"Compared with brief {brief.brief_id} of {prev['built']} UTC" in again.markdown
    s = support_check(again.markdown, brief_evidence(again, again.as_of), quotes=False)
    assert s.unsupported == [], s.unsupported
