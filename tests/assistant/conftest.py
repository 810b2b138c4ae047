"""An offline assistant over the session's sample practice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Practice


@pytest.fixture(scope="session")
def offline_assistant(practice: Practice) -> Any:
    """The real agent loop with the offline engine, real Chroma and DuckDB."""
    from assistant.factory import create_assistant

    return create_assistant(practice.settings, embedder=practice.embedder)
