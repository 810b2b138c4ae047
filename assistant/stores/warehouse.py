"""The DuckDB warehouse: schema and connections.

Two kinds of connection:

* **write** (``open_warehouse(settings)``): used by loaders and the ingestion job. Creates
  the folder and the schema. DuckDB allows one writer *process* per file.
* **read-only query** (``open_warehouse(settings, read_only=True)``): used by analytics and
  tools, with ``enable_external_access=false`` so no query can read or write files.

Concurrency limitation: DuckDB locks the file per process. A read-only connection
cannot be opened while another process holds a write connection, and inside one process
connections with different configurations cannot coexist. A server therefore opens a
short-lived read-only connection per request (cheap: a few ms) and ingestion runs keep
their write connection open only for the duration of a load. While a load runs, query
connections fail with a ``ConfigError`` ("warehouse busy"); callers may retry. A team
that needs concurrent writes and reads moves the warehouse to Postgres (see DESIGN.md).
"""

from __future__ import annotations

import logging
import time

import duckdb

from assistant.errors import ConfigError
from assistant.settings import Settings
from assistant.stores.claim_model import SUBMISSIONS_DDL, derive_remit_lines

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# One row per claim, derived from claim_lines (rebuilt by ``refresh_expected``). The t_*
# columns cover the lines with a payment (paid > 0 and a paid date): payment timeliness.
CLAIM_FACTS_SQL = """SELECT l.claim_key AS claim_key, any_value(l.claim_id) AS claim_id,
    any_value(l.payer_id) AS payer_id, any_value(l.patient_key) AS patient_key,
    min(l.date_of_service) AS claim_date, count(*) AS lines, sum(l.billed) AS billed,
    sum(l.allowed) AS allowed, sum(l.paid) AS paid,
    count(*) FILTER (l.status = 'denied') AS denied_lines, sum(k.cost * l.units) AS cost,
    min(l.received_date) FILTER (l.paid > 0 AND l.paid_date IS NOT NULL) AS t_received,
    min(l.submitted_date) FILTER (l.paid > 0 AND l.paid_date IS NOT NULL) AS t_submitted,
    max(l.paid_date) FILTER (l.paid > 0 AND l.paid_date IS NOT NULL) AS t_paid_date,
    sum(l.paid) FILTER (l.paid > 0 AND l.paid_date IS NOT NULL) AS t_paid,
    count(*) FILTER (l.paid > 0 AND l.paid_date IS NOT NULL) AS t_lines,
    coalesce(any_value(l.program), '') AS program
    FROM claim_lines l LEFT JOIN costs k ON k.code = l.code
    GROUP BY l.claim_key"""

SCHEMA_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS payers (
        payer_id VARCHAR NOT NULL, name VARCHAR NOT NULL, plan_type VARCHAR,
        aliases VARCHAR[], source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS fee_schedule (
        payer_id VARCHAR NOT NULL, contract_id VARCHAR, code VARCHAR NOT NULL,
        modifier VARCHAR, rate DECIMAL(12,2) NOT NULL, effective_from DATE NOT NULL,
        effective_to DATE, source_file VARCHAR, origin VARCHAR DEFAULT 'csv', doc_id VARCHAR,
        program VARCHAR, page INTEGER, section VARCHAR, quote VARCHAR, basis VARCHAR,
        facility_rate DECIMAL(12,2))""",
    # Rates by reference read from contracts (ingest.fee_rules); see stores/fee_sources.py.
    """CREATE TABLE IF NOT EXISTS fee_rules (
        doc_id VARCHAR, payer_id VARCHAR, contract_id VARCHAR, program VARCHAR,
        kind VARCHAR NOT NULL, pct DOUBLE, year INTEGER, locality VARCHAR, setting VARCHAR,
        effective_from DATE, source_file VARCHAR, page INTEGER, section VARCHAR,
        quote VARCHAR, note VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS claim_lines (
        claim_id VARCHAR NOT NULL, line_no INTEGER NOT NULL, payer_id VARCHAR NOT NULL,
        patient_hash VARCHAR, date_of_service DATE NOT NULL, submitted_date DATE,
        received_date DATE, code VARCHAR NOT NULL, modifier VARCHAR, units DOUBLE,
        billed DECIMAL(12,2), allowed DECIMAL(12,2), paid DECIMAL(12,2), status VARCHAR,
        group_code VARCHAR, carc VARCHAR, rarc VARCHAR, paid_date DATE,
        check_number VARCHAR, source_file VARCHAR,
        claim_key UBIGINT, patient_key UBIGINT,
        expected DECIMAL(12,2), rate_from DATE, rate_contract_id VARCHAR, origin VARCHAR,
        program VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS remit_payments (
        payment_id VARCHAR NOT NULL, source_file VARCHAR, st_control VARCHAR,
        payer_name VARCHAR, payer_id_code VARCHAR, payee_name VARCHAR, payee_id VARCHAR,
        handling_code VARCHAR, total_paid DECIMAL(14,2), credit_debit VARCHAR,
        payment_method VARCHAR, payment_date DATE, trace_number VARCHAR,
        production_date DATE, payer_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS remit_claims (
        payment_id VARCHAR NOT NULL, claim_seq INTEGER NOT NULL, claim_id VARCHAR,
        status_code VARCHAR, billed DECIMAL(14,2), paid DECIMAL(14,2),
        patient_resp DECIMAL(14,2), filing_indicator VARCHAR, payer_claim_control VARCHAR,
        patient_hash VARCHAR, received_date DATE, statement_from DATE, statement_to DATE,
        source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS remit_lines (
        payment_id VARCHAR NOT NULL, claim_seq INTEGER NOT NULL, line_seq INTEGER NOT NULL,
        code_qualifier VARCHAR, code VARCHAR, modifiers VARCHAR[], billed DECIMAL(14,2),
        paid DECIMAL(14,2), revenue_code VARCHAR, units DOUBLE, original_code VARCHAR,
        service_date DATE, service_date_end DATE, allowed DECIMAL(14,2),
        line_control VARCHAR, remark_codes VARCHAR[], source_file VARCHAR,
        units_billed DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS remit_adjustments (
        payment_id VARCHAR NOT NULL, claim_seq INTEGER NOT NULL, line_seq INTEGER,
        group_code VARCHAR NOT NULL, carc VARCHAR NOT NULL, amount DECIMAL(14,2),
        quantity DOUBLE, source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS remit_provider_adjustments (
        payment_id VARCHAR NOT NULL, provider_id VARCHAR, fiscal_period DATE,
        reason_code VARCHAR, reference VARCHAR, amount DECIMAL(14,2), source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS costs (
        code VARCHAR NOT NULL, description VARCHAR, cost DECIMAL(12,2) NOT NULL,
        source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS medicare_rates (
        code VARCHAR NOT NULL, year INTEGER NOT NULL, locality VARCHAR NOT NULL,
        nonfacility_rate DECIMAL(12,2), facility_rate DECIMAL(12,2), source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS tic_rates (
        reporting_entity VARCHAR, billing_code_type VARCHAR, billing_code VARCHAR,
        billing_code_modifier VARCHAR, negotiation_arrangement VARCHAR,
        negotiated_type VARCHAR, negotiated_rate DOUBLE, billing_class VARCHAR,
        expiration_date DATE, tins VARCHAR[], npis VARCHAR[], source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS carc_codes (
        code VARCHAR NOT NULL, description VARCHAR, inactive BOOLEAN,
        source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS contract_terms (
        contract_id VARCHAR, payer_id VARCHAR, doc_id VARCHAR, term VARCHAR NOT NULL,
        value_num DOUBLE, value_text VARCHAR, effective_from DATE, source_file VARCHAR,
        page INTEGER, section VARCHAR, chunk_id VARCHAR, quote VARCHAR,
        ingested_at TIMESTAMP, program VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS loaded_files (
        source_file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL, loader VARCHAR,
        table_name VARCHAR, rows_loaded BIGINT, loaded_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS schema_info (version INTEGER)""",
    SUBMISSIONS_DDL,
    f"CREATE TABLE IF NOT EXISTS claim_facts AS {CLAIM_FACTS_SQL} LIMIT 0",
)

# No ART indexes or primary keys: they slow bulk loads and DuckDB's zone maps serve
# these scans; loaders keep natural keys unique (delete-then-insert per file / key).
INDEX_DDL: tuple[str, ...] = ()

TABLES: tuple[str, ...] = (
    "payers", "fee_schedule", "claim_lines", "remit_payments", "remit_claims",
    "remit_lines", "remit_adjustments", "remit_provider_adjustments", "costs",
    "medicare_rates", "tic_rates", "carc_codes", "contract_terms", "loaded_files",
    "claim_facts", "claim_submissions", "fee_rules",
    "payer_mentions", "doc_openings", "payer_overrides", "payer_edits", "payer_links",
    "payer_chunk_sync",  # the payer registry's (assistant/stores/registry.py)
)


# Columns added after a table was first released: warehouses created earlier get them on
# the next write connection (then refresh_expected fills the derived ones).
MIGRATIONS: tuple[tuple[str, str, str], ...] = (
    ("claim_lines", "claim_key", "UBIGINT"),
    ("claim_lines", "patient_key", "UBIGINT"),
    ("claim_lines", "expected", "DECIMAL(12,2)"),
    ("claim_lines", "rate_from", "DATE"),
    ("claim_lines", "rate_contract_id", "VARCHAR"),
    ("claim_lines", "origin", "VARCHAR"),
    ("claim_lines", "program", "VARCHAR"),
    ("remit_lines", "units_billed", "DOUBLE"),
    ("fee_schedule", "origin", "VARCHAR DEFAULT 'csv'"),  # csv | contract | rule
    ("fee_schedule", "doc_id", "VARCHAR"),
    ("fee_schedule", "program", "VARCHAR"),
    ("fee_schedule", "page", "INTEGER"),
    ("fee_schedule", "section", "VARCHAR"),
    ("fee_schedule", "quote", "VARCHAR"),
    ("fee_schedule", "basis", "VARCHAR"),
    ("fee_schedule", "facility_rate", "DECIMAL(12,2)"),
    ("contract_terms", "program", "VARCHAR"),  # "" = general; see ingest/programs.py
)


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create every warehouse table and column that does not exist yet (idempotent)."""
    derived = [d for d in SCHEMA_DDL if "claim_facts" in d]
    for ddl in SCHEMA_DDL:
        if ddl not in derived:
            conn.execute(ddl)
    added = False
    for table, column, kind in MIGRATIONS:
        present = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
            [table, column],
        ).fetchone()[0]  # type: ignore[index]
        if not present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            added = True
    for ddl in derived:
        conn.execute(ddl)
    if added:
        refresh_expected(conn)
    for ddl in INDEX_DDL:
        conn.execute(ddl)
    if conn.execute("SELECT count(*) FROM schema_info").fetchone()[0] == 0:  # type: ignore[index]
        conn.execute("INSERT INTO schema_info VALUES (?)", [SCHEMA_VERSION])
    from assistant.stores.registry import ensure_registry_schema  # payer registry tables

    ensure_registry_schema(conn)


def refresh_expected(conn: duckdb.DuckDBPyConnection) -> None:
    """Re-derive the 835 claim lines (``claim_model.derive_remit_lines``), then recompute
    ``claim_lines.expected`` (contract rate in force on the date of service x
    units), ``rate_from`` and ``rate_contract_id`` from ``fee_schedule``, the integer
    claim/patient keys, and the per-claim ``claim_facts`` table.

    Loaders call this after loading claims or fee schedules (inside their transaction) so
    analytics need no join at query time. Call it after writing claim_lines otherwise.
    """
    derive_remit_lines(conn)
    from assistant.stores.fee_sources import EFFECTIVE_FEE_SQL, expected_sql, materialise_rule_rates

    materialise_rule_rates(conn)
    pick, billed_join = expected_sql(conn)
    # An UPDATE joined on rowid rewrites only the derived columns (4x faster than a copy).
    conn.execute(f"""UPDATE claim_lines SET expected = x.e, rate_from = x.rf,
            rate_contract_id = x.rc, claim_key = x.ck, patient_key = x.pk
        FROM (SELECT l.rowid AS rid, {pick},
                     coalesce(l.claim_key, hash(l.claim_id)) AS ck,
                     coalesce(l.patient_key, hash(l.patient_hash)) AS pk
              FROM claim_lines l
              ASOF LEFT JOIN ({EFFECTIVE_FEE_SQL}) fs
                ON l.payer_id = fs.payer_id AND l.code = fs.code
               AND l.date_of_service >= fs.effective_from {billed_join}) x
        WHERE claim_lines.rowid = x.rid""")
    # Re-created rather than emptied, so a warehouse made before a claim_facts column was
    # added gets it here.
    conn.execute(f"CREATE OR REPLACE TABLE claim_facts AS {CLAIM_FACTS_SQL}")


def open_warehouse(
    settings: Settings, read_only: bool = False, *, schema: bool = True
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file named by ``settings.warehouse_file``.

    A write connection creates the folder and the schema (``schema=False`` skips the
    ~0.1 s schema check for a writer that already ran it). A read-only connection has
    external file access disabled; if the file does not exist yet it is created (with
    the schema) first so queries see empty tables rather than an error. A read-only open
    retries for a few hundred ms while a writer holds the file (writes are short).
    """
    path = settings.warehouse_file
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(str(path), read_only=False, config={})
        if schema:
            ensure_schema(conn)
        return conn
    if not path.exists():
        open_warehouse(settings, read_only=False).close()
    return _connect(str(path), read_only=True, config={"enable_external_access": False},
                    retry_s=READ_RETRY_S)


def open_memory_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the schema (tests, throw-away analyses)."""
    conn = duckdb.connect(":memory:")
    ensure_schema(conn)
    return conn


# A read-only open waits up to ~6 s (backoff 20 ms doubling to 320 ms, then every 320 ms)
# for a write to end: the per-file writes of an ingest are short, but a commit that
# checkpoints the WAL can hold the file for over half a second, and the payer registry's
# rebuild after an ingest held it 2.9 s at a million claim lines (bench_warehouse.py).
READ_RETRY_S = 6.0
MAX_RETRY_DELAY_S = 0.32


def _connect(
    path: str, read_only: bool, config: dict[str, object], retry_s: float = 0.0
) -> duckdb.DuckDBPyConnection:
    delay, waited = 0.02, 0.0
    while True:
        try:
            return duckdb.connect(path, read_only=read_only, config=config)  # type: ignore[arg-type]
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if waited + delay <= retry_s:
                time.sleep(delay)
                waited, delay = waited + delay, min(delay * 2, MAX_RETRY_DELAY_S)
                continue
            log.info("warehouse open failed: %s", exc)
            raise ConfigError(
                "The warehouse is busy (a load is running or another process holds it); "
                "retry in a moment."
            ) from None
