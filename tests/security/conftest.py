"""The attack suite reuses the edge tests' real stack: uvicorn + the real offline assistant
over a private copy of the sample practice, a fake Slack Web API, signed Slack requests."""

from __future__ import annotations

from tests.connectors.conftest import stack  # noqa: F401  (fixture re-exported)
