"""Fixtures for the evaluation tests: the sample practice's golden items, resolved."""

from __future__ import annotations

from typing import Any

import pytest

from eval.dataset import Item, load_suite


@pytest.fixture(scope="session")
def golden(practice: Any) -> list[Item]:
    """Every golden question resolved against the session practice's ground truth."""
    return load_suite(practice.truth)


@pytest.fixture(scope="session")
def offline_assistant_eval(practice: Any) -> Any:
    """An offline assistant over the session practice (own instance: tests swap its retriever)."""
    from assistant.factory import create_assistant

    return create_assistant(practice.settings, embedder=practice.embedder)
