"""Shared fixtures: one sample practice, generated and ingested once per test session.

Real parts only: the sample generator, the ingestion job, real Chroma on disk, real
sentence-transformers embeddings and a real DuckDB warehouse under pytest's tmp dirs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
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


# Hypothesis: the default run draws the same examples every time (derandomize: seeded from
# each test's own code; no example database), so CI cannot fail on a newly drawn shape it
# never saw before. HYPOTHESIS_PROFILE=explore draws at random and keeps failures in
# .hypothesis/ (tests/security/README.md says when to use it).
# (Not named "ci": that is Hypothesis' own profile, which it loads by itself on CI machines.)
hypothesis.settings.register_profile("deterministic", derandomize=True, database=None,
                                     print_blob=True)
hypothesis.settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


def onnx_cache_dir() -> Path:
    """Where test runs keep the int8 ONNX export of the embedding model (~20 s to make).

    Outside the checkout, so a fresh clone or venv on the same machine does not export again,
    and keyed by the exporting code (``assistant/onnx_embedder.py``) and ``requirements.lock``,
    so a changed exporter or package set exports afresh; the file name inside already carries
    the hash of the model's weights. ``PARLEY_ONNX_CACHE_DIR`` set by the caller wins."""
    digest = hashlib.sha256()
    spec = importlib.util.find_spec("assistant.onnx_embedder")
    for path in (Path(spec.origin) if spec and spec.origin else None,
                 Path(__file__).resolve().parent.parent / "requirements.lock"):
        if path is not None and path.is_file():
            digest.update(path.read_bytes())
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "parley-tests" / f"onnx-{digest.hexdigest()[:12]}"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker per CPU this process may run on (a VM's vCPUs count, which
    psutil's physical count can halve), at most 4: each worker builds its own ingested sample
    practices, so more workers cost memory and set-up for little gain."""
    from assistant.onnx_embedder import usable_cpus

    return max(1, min(usable_cpus(), 4))


def pytest_configure(config: pytest.Config) -> None:
    """One int8 ONNX export of the embedding model for every test's data dir and every run
    (each Settings() would otherwise export its own under its data dir). Under xdist each
    worker embeds and runs torch on its share of the CPUs, so two workers on two cores do
    not run four busy threads."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        from assistant.onnx_embedder import usable_cpus

        share = str(max(1, usable_cpus() // workers))
        os.environ.setdefault("PARLEY_EMBEDDING_THREADS", share)
        os.environ.setdefault("OMP_NUM_THREADS", share)
    if "PARLEY_ONNX_CACHE_DIR" not in os.environ:
        path = onnx_cache_dir()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only home: this run's temp folder still shares one export
            path = Path(tempfile.gettempdir()) / "parley-tests" / path.name
        os.environ["PARLEY_ONNX_CACHE_DIR"] = str(path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files holding a slow test first (stable otherwise): under xdist the long ones start
    at once on every worker instead of one of them ending the run alone."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


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
    # The router's fitted classifier cached under the data dir, as the assistant's first start
    # leaves it: every copy of the practice (for tests that write) then starts like a second
    # start-up instead of embedding the router's 738 exemplars again (~3-9 s per copy).
    from assistant.engines.router import SemanticRouter

    SemanticRouter(shared_embedder, settings.cache_dir)
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
