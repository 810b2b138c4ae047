"""Shared fixtures: one sample practice, generated and ingested once per test session.

Real parts only: the sample generator, the ingestion job, real Chroma on disk, real
sentence-transformers embeddings and a real DuckDB warehouse under pytest's tmp dirs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
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


def pytest_configure(config: pytest.Config) -> None:
    """One int8 ONNX export of the embedding model for every test's data dir (the export
    takes ~20 s; each Settings() would otherwise cache its own under its data dir)."""
    assert config.cache is not None
    os.environ.setdefault("PARLEY_ONNX_CACHE_DIR", str(config.cache.mkdir("onnx-models")))


@pytest.fixture(scope="session")
def shared_embedder() -> Any:
    """One loaded embedding model (the configured default backend) for the whole session."""
    from assistant.embeddings import create_embedder

    return create_embedder(Settings())


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


@pytest.fixture(scope="session")
def riverbend_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Riverbend practice (no CSVs: PDF/DOCX contracts, clearinghouse 835s, an 837P),
    generated once per session (seed 7, 4,000 service lines, ~2 s). Read-only: copy it
    before changing files."""
    from assistant.sample.riverbend.generate import generate

    out = tmp_path_factory.mktemp("riverbend") / "practice"
    generate(out, seed=7)
    return out


@pytest.fixture(scope="session")
def riverbend_truth(riverbend_dir: Path) -> dict[str, Any]:
    """Riverbend's parsed ground_truth.json."""
    return json.loads((riverbend_dir / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def riverbend_practice(
    tmp_path_factory: pytest.TempPathFactory, riverbend_dir: Path, shared_embedder: Any
) -> Practice:
    """Riverbend ingested with the real job into its own data dir (built on first use)."""
    from ingest.job import run_ingest

    truth = json.loads((riverbend_dir / "ground_truth.json").read_text(encoding="utf-8"))
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("riverbend-data"), environment="test",
        as_of=dt.date.fromisoformat(truth["reference_date"]),
    )
    run_ingest(settings, [riverbend_dir], embedder=shared_embedder)
    return Practice(source=riverbend_dir, settings=settings, truth=truth,
                    embedder=shared_embedder)
