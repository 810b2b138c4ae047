"""Property-based fuzzing of the CSV loaders: random headers (quotes, semicolons, SQL) and
cells must end in a load or a named ``IngestError`` -- never another exception, and never
SQL of the file's making (no new table, the payers untouched). Bounded for CI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.warehouse import open_warehouse
from ingest.loaders import find_loader

KNOWN = ["payer_id", "name", "plan_type", "aliases", "code", "description", "cost",
         "contract_id", "modifier", "rate", "effective_from", "effective_to"]
NASTY = ['extra" TO "extra2"; CREATE TABLE pwned AS SELECT 42 AS x; DELETE FROM payers; --',
         "a'b", '"', "; DROP TABLE payers", "x\" VARCHAR); DELETE FROM payers; --", "",
         "payer_id", "ｐａｙｅｒ_ｉｄ", "rate\x00", "\u202e" + "code"]
HEADER = st.lists(st.sampled_from(KNOWN + NASTY) | st.text(max_size=12), min_size=1, max_size=7)
CELL = st.sampled_from(["KHP", "99214", "12.50", "-3", "2026-01-01", "", "NaN", "1e308",
                        "x'); DELETE FROM payers; --"]) | st.text(max_size=15)


def _canary(settings: Settings) -> tuple[list, list]:
    conn = open_warehouse(settings, read_only=True)
    try:
        tables = sorted(r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables").fetchall())
        payers = conn.execute("SELECT payer_id, name FROM payers ORDER BY 1").fetchall()
    finally:
        conn.close()
    return tables, payers


@given(header=HEADER, rows=st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=5),
       stem=st.sampled_from(["payers", "costs", "fee_schedule", "misc"]))
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_random_csv_is_loaded_or_named_never_executed(
    tmp_path_factory, header: list[str], rows: list[list[str]], stem: str  # type: ignore[no-untyped-def]
) -> None:
    root = tmp_path_factory.mktemp("fuzzcsv")
    settings = Settings(data_dir=root, environment="test")
    conn = open_warehouse(settings)
    conn.execute("INSERT INTO payers (payer_id, name, plan_type, aliases, source_file) "
                 "VALUES ('CAN', 'Canary Health', 'PPO', ['Canary'], 'seed.csv')")
    conn.close()
    tables, payers = _canary(settings)
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    path = Path(root) / f"{stem}.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    loader = find_loader(path)
    if loader is not None:
        conn = open_warehouse(settings)
        try:
            loader.load(path, conn, settings)
        except IngestError as exc:
            assert exc.user_message and "Traceback" not in exc.user_message
        finally:
            conn.close()
    after_tables, after_payers = _canary(settings)
    assert after_tables == tables and "pwned" not in after_tables
    assert ("CAN", "Canary Health") in after_payers
