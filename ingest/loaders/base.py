"""Shared machinery of the structured-file loaders.

Every load is one transaction keyed by the file's name (``source_file``) and content
hash: the same content again is a no-op, a re-sent file (same name, new content)
replaces the rows it loaded before, and any error rolls everything back so nothing from
a bad file lands.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import logging
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

from assistant.errors import IngestError
from assistant.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class LoadReport:
    """What one load did."""

    source_file: str
    loader: str
    table: str
    file_hash: str
    rows_loaded: int = 0
    rows_replaced: int = 0
    unchanged: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Loader(Protocol):
    """A structured-file loader: ``load(path, conn, settings) -> LoadReport``."""

    name: str
    table: str

    def load(self, path: Path, conn: duckdb.DuckDBPyConnection,
             settings: Settings) -> LoadReport:
        """Load ``path`` into the warehouse in one transaction."""
        ...


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def patient_hasher(settings: Settings) -> Callable[[str | None], str | None]:
    """A keyed HMAC-SHA256 of a patient identifier (normalised: trimmed, upper case)."""
    # One keyed HMAC object, copied per value (building one per value re-derives the key
    # pads: ~50 us, most of an 835's parse time); the same id hashes once per hasher.
    keyed = hmac.new(settings.patient_hash_key.get_secret_value().encode(),
                     digestmod=hashlib.sha256)
    memo: dict[str, str] = {}

    def _hash(value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        found = memo.get(value)
        if found is None:
            mac = keyed.copy()
            mac.update(" ".join(value.strip().upper().split()).encode())
            found = mac.hexdigest()[:32]
            if len(memo) < 200_000:
                memo[value] = found
        return found

    return _hash


def hmac_pads(settings: Settings) -> tuple[bytes, bytes]:
    """(outer, inner) HMAC-SHA256 key pads, for computing the patient hash in SQL."""
    key = settings.patient_hash_key.get_secret_value().encode()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x5C for b in key), bytes(b ^ 0x36 for b in key)


def patient_hash_sql(column: str) -> str:
    """SQL computing ``patient_hasher`` (same value) over a VARCHAR column; two BLOB
    parameters follow: the outer and inner pads from ``hmac_pads``."""
    norm = f"upper(regexp_replace(trim({column}), '\\s+', ' ', 'g'))"
    return (f"CASE WHEN NULLIF(trim({column}), '') IS NULL THEN NULL ELSE "
            f"left(sha256(?::BLOB || unhex(sha256(?::BLOB || encode({norm})))), 32) END")


def transactional_load(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    loader: str,
    tables: Sequence[str],
    body: Callable[[duckdb.DuckDBPyConnection, str], int],
) -> LoadReport:
    """Run ``body(conn, source_file) -> rows`` in one transaction replacing the file's rows."""
    if not path.is_file():
        raise IngestError(f"{path}: file not found")
    source = path.name
    digest = file_sha256(path)
    report = LoadReport(source_file=source, loader=loader, table=tables[0], file_hash=digest)
    known = conn.execute(
        "SELECT source_file FROM loaded_files WHERE file_hash = ? AND loader = ?",
        [digest, loader]).fetchall()
    if known:
        report.unchanged = True
        return report
    seen_before = conn.execute("SELECT count(*) FROM loaded_files WHERE source_file = ?",
                               [source]).fetchone()[0]  # type: ignore[index]
    conn.execute("BEGIN TRANSACTION")
    try:
        for table in tables if seen_before else ():
            n = conn.execute(f"SELECT count(*) FROM {table} WHERE source_file = ?",
                             [source]).fetchone()[0]  # type: ignore[index]
            report.rows_replaced += int(n)
            if n:
                conn.execute(f"DELETE FROM {table} WHERE source_file = ?", [source])
        report.rows_loaded = body(conn, source)
        conn.execute("DELETE FROM loaded_files WHERE source_file = ?", [source])
        conn.execute(
            "INSERT INTO loaded_files VALUES (?, ?, ?, ?, ?, ?)",
            [source, digest, loader, tables[0], report.rows_loaded, dt.datetime.now()])
        conn.execute("COMMIT")
    except IngestError:
        conn.execute("ROLLBACK")
        raise
    except duckdb.Error as exc:
        conn.execute("ROLLBACK")
        log.info("load of %s failed: %s", path, exc)
        raise IngestError(f"{path}: could not load ({short_reason(exc)})") from None
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return report


def short_reason(exc: Exception) -> str:
    """A reason safe to show: the kind of failure and a line number, no library text."""
    match = re.search(r"[Ll]ine:? (\d+)", str(exc))
    where = f" at line {match.group(1)}" if match else ""
    if isinstance(exc, duckdb.ConversionException):
        return f"a value could not be converted{where}"
    if isinstance(exc, (duckdb.InvalidInputException, duckdb.ParserException)):
        return f"malformed file{where}"
    return f"database error {type(exc).__name__}{where}"


SMALL_BATCH = 100  # larger batches are faster through the CSV reader


def bulk_insert(conn: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str],
                types: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Insert many Python rows fast.

    Small batches go in as one multi-row VALUES statement; large ones via a temporary
    CSV read by DuckDB's reader (list-typed columns '|'-joined and split in SQL).
    """
    if not isinstance(rows, list):
        rows = list(rows)
    if not rows:
        return 0
    if len(rows) <= SMALL_BATCH:
        width = len(columns)
        holder = "(" + ", ".join("?" * width) + ")"
        for i in range(0, len(rows), 500):
            batch = rows[i:i + 500]
            params: list[object] = [v for row in batch for v in row]
            conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                         + ", ".join([holder] * len(batch)), params)
        return len(rows)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", delete=True,
                                     encoding="utf-8") as tmp:
        writer = csv.writer(tmp)
        count = 0
        for row in rows:
            writer.writerow(["" if v is None else ("|".join(v) if isinstance(v, list) else v)
                             for v in row])
            count += 1
        tmp.flush()
        if count == 0:
            return 0
        col_types = ", ".join(
            f"'c{i}': '{'VARCHAR' if t.endswith('[]') else t}'" for i, t in enumerate(types))
        select = ", ".join(
            (f"CASE WHEN c{i} IS NULL THEN NULL ELSE string_split(c{i}, '|') END"
             if t.endswith("[]") else f"c{i}")
            for i, t in enumerate(types))
        conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM read_csv("
            f"?, header=false, columns={{{col_types}}}, quote='\"', escape='\"', "
            f"nullstr='', auto_detect=false)", [tmp.name])
    return count
