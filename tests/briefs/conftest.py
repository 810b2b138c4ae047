"""Briefs built once per session for the sample practice (real stores, offline engine)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def retriever(practice: Any) -> Any:
    """One retriever over the practice's Chroma store, with the shared embedder."""
    from assistant.retrieval import create_retriever

    return create_retriever(practice.settings, embedder=practice.embedder)


@pytest.fixture(scope="session")
def built(practice: Any, retriever: Any) -> dict[str, Any]:
    """Briefs for the payers carrying the planted findings; Blue Summit in every format."""
    from assistant.briefs.build import build_brief

    planted = practice.truth["planted"]
    out: dict[str, Any] = {}
    payers = {planted["late_payment"]["payer_id"], planted["underpayment"]["payer_id"],
              planted["denial_spike"]["payer_id"], "BSH"}
    for payer_id in sorted(payers):
        formats = ("md", "html", "docx", "pdf") if payer_id == "BSH" else ("md",)
        out[payer_id] = build_brief(practice.settings, payer_id, as_of=practice.as_of,
                                    formats=formats, retriever=retriever)
    return out
