"""Fixtures for ingestion tests: settings in tmp_path, real store, counting embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.ingest.helpers import CountingEmbedder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with every store under tmp_path; short parse timeout for tests."""
    return Settings(data_dir=tmp_path / "data", parse_timeout_s=60, environment="test")


@pytest.fixture
def embedder() -> CountingEmbedder:
    """Real embeddings, counted."""
    return CountingEmbedder()


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """An empty source folder."""
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


@pytest.fixture
def job(settings: Settings, embedder: CountingEmbedder):  # type: ignore[no-untyped-def]
    """An ingestion job over the tmp stores."""
    from ingest.job import IngestJob

    return IngestJob(settings, embedder=embedder)  # type: ignore[arg-type]
