"""The DuckDB warehouse: schema, read-only query connections."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assistant.errors import ConfigError
from assistant.settings import Settings
from assistant.stores.warehouse import TABLES, open_warehouse

CONTRACT_TERMS = ["contract_id", "payer_id", "doc_id", "term", "value_num", "value_text",
                  "effective_from", "source_file", "page", "section", "chunk_id", "quote",
                  "ingested_at", "program"]


def test_schema_is_created_and_idempotent(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")  # type: ignore[call-arg]
    conn = open_warehouse(settings)
    conn.close()
    conn = open_warehouse(settings)  # second open: no error, nothing duplicated
    names = {r[0] for r in conn.execute("SHOW TABLES").fetchall()}
    assert set(TABLES) <= names
    cols = [r[0] for r in conn.execute("DESCRIBE contract_terms").fetchall()]
    assert cols == CONTRACT_TERMS
    assert [r[0] for r in conn.execute("DESCRIBE payers").fetchall()][:4] == [
        "payer_id", "name", "plan_type", "aliases"]
    conn.close()


def test_read_only_connection_cannot_write_or_read_files(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    ro = open_warehouse(settings, read_only=True)  # creates the file first
    assert ro.execute("SELECT count(*) FROM claim_lines").fetchone() == (0,)
    with pytest.raises(duckdb.Error):
        ro.execute("INSERT INTO costs VALUES ('x', 'y', 1, 'z')")
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(duckdb.Error):
        ro.execute("SELECT * FROM read_csv(?)", [str(secret)])
    ro2 = open_warehouse(settings, read_only=True)  # many readers at once
    ro2.close()
    ro.close()


def test_read_only_while_writer_open_is_a_clear_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.stores.warehouse as warehouse

    monkeypatch.setattr(warehouse, "READ_RETRY_S", 0.5)  # the wait itself, shortened
    settings = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    writer = open_warehouse(settings)
    with pytest.raises(ConfigError, match="busy"):
        open_warehouse(settings, read_only=True)
    writer.close()
    open_warehouse(settings, read_only=True).close()
