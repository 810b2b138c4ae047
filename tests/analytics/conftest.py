"""One generated sample practice per session, loaded into a warehouse, queried read-only."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from assistant.settings import Settings
from assistant.stores.warehouse import open_warehouse
from ingest.loaders import load_file

SAMPLE_LINES = 3000
CARC = Path(__file__).resolve().parents[3] / "shared" / "data" / "carc_rarc" / "carc_cms_bfd.csv"


def insert_terms(conn: duckdb.DuckDBPyConnection, terms: list[dict[str, Any]]) -> None:
    """Fill contract_terms from ground_truth['terms'] (the ingestion job does this for real)."""
    for t in terms:
        v = t["value"]
        num = (float(v) if isinstance(v, bool) else
               float(v) if isinstance(v, (int, float)) else None)
        conn.execute(
            "INSERT INTO contract_terms (contract_id, payer_id, doc_id, term, value_num, "
            "value_text, effective_from, source_file, page, section, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
            [t["contract_id"], t["payer_id"], t["file"], t["term"], num, str(v),
             t["effective_from"], t["file"], t["page"], t["section"]])


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The generated sample folder and its ground truth."""
    from assistant.sample.generate import generate

    out = tmp_path_factory.mktemp("analytics") / "practice"
    generate(out, seed=7, n_lines=SAMPLE_LINES)
    return out, json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def truth(sample: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    """ground_truth.json."""
    return sample[1]


@pytest.fixture(scope="session")
def as_of(truth: dict[str, Any]) -> dt.date:
    """The sample's fixed reference date."""
    return dt.date.fromisoformat(truth["reference_date"])


@pytest.fixture(scope="session")
def wh_settings(sample: tuple[Path, dict[str, Any]],
                tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose warehouse holds the loaded sample (CSV files, CARC codes, terms)."""
    folder, truth = sample
    settings = Settings(data_dir=tmp_path_factory.mktemp("wh"),  # type: ignore[call-arg]
                        patient_hash_key="test-key")
    conn = open_warehouse(settings)
    for path in sorted((folder / "data").glob("*.csv")):
        load_file(path, conn, settings)
    if CARC.is_file():
        load_file(CARC, conn, settings)
    insert_terms(conn, truth["terms"])
    conn.close()
    return settings


@pytest.fixture(scope="session")
def ro(wh_settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only query connection (external access disabled)."""
    conn = open_warehouse(wh_settings, read_only=True)
    yield conn
    conn.close()
