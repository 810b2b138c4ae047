"""CSV loaders: claims, fee schedules, costs, Medicare benchmark, payers, CARC codes.

Each file is read by DuckDB's CSV reader into a temporary all-text staging table,
validated by SQL (first bad row reported with its line and reason), then inserted with
casts — no Python loop over rows, so a million lines load in seconds. Patient ids are
hashed in SQL (HMAC-SHA256 built from DuckDB's sha256), so clear ids never leave the
temporary staging table (dropped after the load).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.registry import rebuild_in_transaction
from assistant.stores.warehouse import refresh_expected
from ingest.loaders.base import (
    LoadReport,
    hmac_pads,
    patient_hash_sql,
    short_reason,
    transactional_load,
)


@dataclass(frozen=True)
class Col:
    """One CSV column: its kind and the checks applied to every value."""

    name: str
    kind: str = "text"  # text | date | money | int | num | bool
    required: bool = True  # the column must be in the header
    not_null: bool = False
    nonneg: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CsvSpec:
    """A CSV format: columns, how to recognise it, and how to insert it."""

    name: str
    table: str
    columns: tuple[Col, ...]
    sniff: frozenset[str]  # header columns that identify the format
    insert_sql: str  # SELECT over temp table `stage` (all VARCHAR, rowid = order)
    key: tuple[str, ...] = ()  # natural key: rows with these keys from other files go


def _d(col: str) -> str:
    return f"CAST(NULLIF(trim({col}), '') AS DATE)"


def _m(col: str) -> str:
    return f"CAST(NULLIF(trim({col}), '') AS DECIMAL(12,2))"


def _t(col: str) -> str:
    return f"NULLIF(trim({col}), '')"


CLAIMS = CsvSpec(
    "claims_csv", "claim_lines",
    (Col("claim_id", not_null=True), Col("line_no", "int", not_null=True, nonneg=True),
     Col("payer_id", not_null=True), Col("patient_id"),
     Col("date_of_service", "date", not_null=True), Col("submitted_date", "date", False),
     Col("received_date", "date", False), Col("code", not_null=True),
     Col("modifier", required=False), Col("units", "num", nonneg=True),
     Col("billed", "money", nonneg=True), Col("allowed", "money", False, nonneg=True),
     Col("paid", "money", nonneg=True),
     Col("status", required=False, choices=("paid", "denied", "partial")),
     Col("group_code", required=False), Col("carc", required=False),
     Col("rarc", required=False), Col("paid_date", "date", False),
     Col("check_number", required=False)),
    frozenset({"claim_id", "line_no", "date_of_service", "code"}),
    f"""SELECT trim(s.claim_id), CAST(s.line_no AS INTEGER), trim(s.payer_id), pm.h,
        {_d('s.date_of_service')}, {_d('s.submitted_date')}, {_d('s.received_date')},
        trim(s.code), {_t('s.modifier')}, coalesce(CAST(NULLIF(trim(s.units), '') AS DOUBLE), 1),
        {_m('s.billed')}, {_m('s.allowed')}, {_m('s.paid')}, lower({_t('s.status')}),
        {_t('s.group_code')}, {_t('s.carc')}, {_t('s.rarc')}, {_d('s.paid_date')},
        {_t('s.check_number')}, ?, hash(trim(s.claim_id)), hash(pm.h), NULL, NULL, NULL,
        'csv', NULL FROM stage s LEFT JOIN patient_map pm ON pm.pid = trim(s.patient_id)""",
)

FEE_SCHEDULE = CsvSpec(
    "fee_schedule_csv", "fee_schedule",
    (Col("payer_id", not_null=True), Col("contract_id", required=False),
     Col("code", not_null=True), Col("modifier", required=False),
     Col("rate", "money", not_null=True, nonneg=True),
     Col("effective_from", "date", not_null=True), Col("effective_to", "date", False)),
    frozenset({"payer_id", "code", "rate", "effective_from"}),
    f"""SELECT trim(payer_id), {_t('contract_id')}, trim(code), {_t('modifier')},
        {_m('rate')}, {_d('effective_from')}, {_d('effective_to')}, ?,
        'csv', NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM stage""",
)

COSTS = CsvSpec(
    "costs_csv", "costs",
    (Col("code", not_null=True), Col("description", required=False),
     Col("cost", "money", not_null=True, nonneg=True)),
    frozenset({"code", "cost"}),
    f"SELECT trim(code), {_t('description')}, {_m('cost')}, ? FROM stage",
    key=("code",),
)

MEDICARE = CsvSpec(
    "medicare_benchmark_csv", "medicare_rates",
    (Col("code", not_null=True), Col("year", "int", not_null=True, nonneg=True),
     Col("locality", required=False), Col("nonfacility_rate", "money", nonneg=True),
     Col("facility_rate", "money", False, nonneg=True)),
    frozenset({"code", "year", "nonfacility_rate"}),
    f"""SELECT trim(code), CAST(year AS INTEGER), coalesce({_t('locality')}, 'national'),
        {_m('nonfacility_rate')}, {_m('facility_rate')}, ? FROM stage""",
    key=("code", "year", "locality"),
)

# payers.csv is an optional override of the payer registry (assistant/stores/registry.py):
# its rows land in payer_overrides; the registry's rebuild writes ``payers``.
PAYERS = CsvSpec(
    "payers_csv", "payer_overrides",
    (Col("payer_id", not_null=True), Col("name", not_null=True),
     Col("plan_type", required=False), Col("aliases", required=False)),
    frozenset({"payer_id", "name"}),
    f"""SELECT trim(payer_id), trim(name), {_t('plan_type')},
        CASE WHEN {_t('aliases')} IS NULL THEN []::VARCHAR[]
             ELSE list_transform(string_split(aliases, '|'), lambda x: trim(x)) END, ?
        FROM stage""",
    key=("payer_id",),
)

CARC = CsvSpec(
    "carc_csv", "carc_codes",
    (Col("code", not_null=True), Col("description", not_null=True),
     Col("inactive", "bool", False)),
    frozenset({"code", "description", "inactive"}),
    f"""SELECT trim(code), trim(description),
        coalesce(TRY_CAST({_t('inactive')} AS BOOLEAN), false), ? FROM stage""",
    key=("code",),
)

CSV_SPECS: tuple[CsvSpec, ...] = (CLAIMS, FEE_SCHEDULE, MEDICARE, COSTS, CARC, PAYERS)


def read_header(path: Path) -> list[str]:
    """The lower-cased header columns of a CSV file (empty list if unreadable)."""
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
            row = next(csv.reader(fh), [])
    except (OSError, csv.Error):
        return []
    return [c.strip().lower() for c in row]


def spec_for_header(header: list[str]) -> CsvSpec | None:
    """The first CSV format whose identifying columns are all in ``header``."""
    cols = set(header)
    for spec in CSV_SPECS:
        if spec.sniff <= cols:
            return spec
    return None


def _checks(col: Col) -> list[tuple[str, str]]:
    """(condition on a bad value, reason SQL expression) pairs for one column.

    DuckDB's reader already turns empty fields into NULL, so values are tested as read
    (no per-row trim: validation is the hot path of a million-line load).
    """
    c = col.name
    q = "'''"  # closes the quoted value inside the SQL reason string
    out: list[tuple[str, str]] = []
    if col.not_null:
        out.append((f"({c} IS NULL OR trim({c}) = '')", f"'empty value in column {c}'"))
    cast = {"date": "DATE", "money": "DECIMAL(18,4)", "num": "DOUBLE",
            "int": "BIGINT"}.get(col.kind)
    if col.kind == "date":
        out.append((f"({c} IS NOT NULL AND (TRY_CAST({c} AS DATE) IS NULL "
                    f"OR length({c}) <> 10 OR {c}[5] <> '-'))",
                    f"'bad date {q} || {c} || {q} in column {c} (want YYYY-MM-DD)'"))
    elif cast:
        out.append((f"({c} IS NOT NULL AND TRY_CAST({c} AS {cast}) IS NULL)",
                    f"'bad number {q} || {c} || {q} in column {c}'"))
    if col.nonneg and cast:
        out.append((f"TRY_CAST({c} AS {cast}) < 0",
                    f"'negative value {q} || {c} || {q} in column {c}'"))
    if col.choices:
        allowed = ", ".join(f"'{x}'" for x in col.choices)
        out.append((f"({c} IS NOT NULL AND lower({c}) NOT IN ({allowed}))",
                    f"'value {q} || {c} || {q} in column {c} is not one of "
                    f"{'/'.join(col.choices)}'"))
    return out


def validate_stage(conn: duckdb.DuckDBPyConnection, spec: CsvSpec, path: Path) -> None:
    """Raise IngestError naming the first bad line of the staged file.

    One scan finds the first bad row; only then are the reasons evaluated for that row.
    """
    checks = [(cond, reason) for col in spec.columns for cond, reason in _checks(col)]
    if spec is FEE_SCHEDULE:
        checks.append(("TRY_CAST(effective_to AS DATE) < TRY_CAST(effective_from AS DATE)",
                       "'effective_to is before effective_from'"))
    if not checks:
        return
    any_bad = " OR ".join(f"coalesce({cond}, false)" for cond, _ in checks)
    first = conn.execute(f"SELECT min(rowid) FROM stage WHERE {any_bad}").fetchone()
    if first is None or first[0] is None:
        return
    whens = " ".join(f"WHEN coalesce({cond}, false) THEN {reason}" for cond, reason in checks)
    why = conn.execute(f"SELECT CASE {whens} END FROM stage WHERE rowid = ?",
                       [first[0]]).fetchone()
    raise IngestError(f"{path}: line {int(first[0]) + 2}: {why[0] if why else 'bad value'}")


class CsvLoader:
    """Loads one CSV format (a ``CsvSpec``) into its warehouse table."""

    def __init__(self, spec: CsvSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.table = spec.table

    def load(self, path: Path, conn: duckdb.DuckDBPyConnection,
             settings: Settings) -> LoadReport:
        """Stage, validate and insert the file in one transaction."""
        spec = self.spec
        header = read_header(path)
        missing = [c.name for c in spec.columns if c.required and c.name not in header]
        if missing:
            raise IngestError(f"{path}: line 1: missing column(s) {', '.join(missing)}")

        # Staged and validated before the transaction so rowid is the line order.
        stage_file(conn, path, spec)
        try:
            validate_stage(conn, spec, path)
        except IngestError:
            conn.execute("DROP TABLE IF EXISTS stage")
            raise

        def body(c: duckdb.DuckDBPyConnection, source: str) -> int:
            if spec.key:
                src = spec.insert_sql.split("FROM stage")[0]
                # Rows for the same natural key loaded from another file are replaced.
                tcols = [r[0] for r in c.execute(f"DESCRIBE {spec.table}").fetchall()]
                c.execute(f"CREATE OR REPLACE TEMP TABLE stage_keys AS SELECT * FROM "
                          f"({src} FROM stage) AS k({', '.join(tcols)})", [source])
                cond = " AND ".join(f"t.{k} = k.{k}" for k in spec.key)
                c.execute(f"DELETE FROM {spec.table} t WHERE EXISTS "
                          f"(SELECT 1 FROM stage_keys k WHERE {cond})")
                c.execute(f"INSERT INTO {spec.table} SELECT * FROM stage_keys")
                c.execute("DROP TABLE stage_keys")
            else:
                if spec is CLAIMS:
                    # Hash each distinct id once (in SQL: clear ids stay in the temp stage).
                    c.execute("CREATE OR REPLACE TEMP TABLE patient_map AS SELECT pid, "
                              f"{patient_hash_sql('pid')} AS h FROM (SELECT DISTINCT "
                              "trim(patient_id) AS pid FROM stage)", list(hmac_pads(settings)))
                c.execute(f"INSERT INTO {spec.table} {spec.insert_sql}", [source])
            if spec is PAYERS:
                # Overrides change payers and links: rebuild the registry in this
                # transaction (it refreshes the derived lines too), so ``payers`` is current
                # for every caller; the ingest job then sets the chunks' payer.
                rebuild_in_transaction(c)
            elif spec is CLAIMS or spec is FEE_SCHEDULE or spec is COSTS:
                refresh_expected(c)
            n = c.execute("SELECT count(*) FROM stage").fetchone()[0]  # type: ignore[index]
            return int(n)

        try:
            return transactional_load(conn, path, self.name, (spec.table,), body)
        finally:
            conn.execute("DROP TABLE IF EXISTS stage")
            conn.execute("DROP TABLE IF EXISTS patient_map")


def _shown(cell: str) -> str:
    """A header cell as it may appear in a message: printable, at most 40 characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in cell)
    return text if len(text) <= 40 else text[:37] + "..."


def stage_columns(path: Path, spec: CsvSpec, header: list[str]) -> list[str]:
    """The names the file's columns are read under, in file order: the spec's own names
    (so no name written in a file ever reaches SQL text). Unknown or repeated header
    cells are rejected; empty ones (a trailing comma) are read as ignored columns."""
    known = {c.name for c in spec.columns}
    names: list[str] = []
    for i, cell in enumerate(header):
        if not cell:
            names.append(f"ignored_{i}")
        elif cell not in known:
            raise IngestError(
                f"{path}: line 1: unknown column '{_shown(cell)}' for a {spec.name} file "
                f"(expected: {', '.join(c.name for c in spec.columns)})")
        elif cell in names:
            raise IngestError(f"{path}: line 1: column '{_shown(cell)}' appears twice")
        else:
            names.append(cell)
    return names


def stage_file(conn: duckdb.DuckDBPyConnection, path: Path, spec: CsvSpec) -> None:
    """Read the CSV as text into temp table ``stage`` under the spec's column names."""
    names = stage_columns(path, spec, read_header(path))
    try:
        conn.execute("CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM read_csv(?, "
                     "header=true, all_varchar=true, names=?, delim=',', quote='\"', "
                     "escape='\"', null_padding=false)", [str(path), names])
    except duckdb.Error as exc:
        raise IngestError(f"{path}: could not read as CSV ({short_reason(exc)})") from None
    present = [r[0] for r in conn.execute("DESCRIBE stage").fetchall()]
    if present != names:  # the rows have more columns than the header names
        conn.execute("DROP TABLE IF EXISTS stage")
        raise IngestError(f"{path}: line 2: the rows have {len(present)} columns, the header "
                          f"{len(names)}")
    for col in spec.columns:  # names from the spec (our constants), never from the file
        if col.name not in names:
            conn.execute(f'ALTER TABLE stage ADD COLUMN "{col.name}" VARCHAR')
