"""Writing parsed 835 remittances to the warehouse: one file, or many per transaction.

* ``RemitWriter`` inserts a ``Remittance``'s rows with bulk inserts and drops payments
  already stored (same payer, TRN02 trace number, amount and payment date, whether
  re-sent under another file name or repeated in the same batch): a payment is counted
  once, and the skipped copy is named in the report's warnings.
* ``load_835_batch`` loads many small files in one transaction — a clearinghouse folder
  holds thousands of one-payment files, and a transaction per file costs more than the
  parse. Unchanged files (same content hash) are skipped, files that do not parse are
  reported and left out, and if the batch's transaction fails the files are loaded one at
  a time, so one bad file never loses the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import duckdb

from assistant.errors import IngestError, ParleyError
from assistant.settings import Settings
from ingest.loaders.base import LoadReport, patient_hasher
from ingest.loaders.x12_835 import X12_835Loader, parse_835
from ingest.loaders.x12_835_rows import (
    ADJ_COLS,
    ADJ_TYPES,
    CLAIM_COLS,
    CLAIM_TYPES,
    LINE_COLS,
    LINE_TYPES,
    PAYMENT_COLS,
    PAYMENT_TYPES,
    PLB_COLS,
    PLB_TYPES,
    Remittance,
    insert_columns,
)

log = logging.getLogger(__name__)
LOADED_COLS = ("source_file", "file_hash", "loader", "table_name", "rows_loaded", "loaded_at")
LOADED_TYPES = ("VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "TIMESTAMP")


def payer_key(name: object, ident: object) -> str:
    """A payer's identity for duplicate checks: its N1*PR id, else its name's letters."""
    if ident:
        return "ID:" + str(ident).strip().upper()
    return "NM:" + "".join(ch for ch in str(name or "").upper() if ch.isalnum())


def _payment_key(name: object, ident: object, trace: object, total: object,
                 day: object) -> tuple[str, str, str, str]:
    """Same payer, trace number (TRN02), amount (BPR02) and payment date: the same
    payment. Sample files reuse placeholder trace numbers for different payments, so the
    trace alone is not enough."""
    amount = f"{Decimal(str(total)):.2f}" if total is not None else ""
    return payer_key(name, ident), str(trace), amount, str(day or "")


class RemitWriter:
    """Inserts remittance rows in the caller's transaction, each payment once."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self.seen: dict[tuple[str, str, str, str], str] = {}
        self.checked: set[str] = set()
        self.dropped: set[object] = set()  # payment ids skipped (later parts of a file too)
        self.lines = 0
        self.warnings: list[str] = []

    def prefetch(self, traces: set[str]) -> None:
        """Read the stored payments with these trace numbers (one query for a batch)."""
        fresh = sorted(traces - self.checked)
        if fresh:
            stored = self.conn.execute(
                "SELECT payer_name, payer_id_code, trace_number, total_paid, payment_date, "
                "source_file FROM remit_payments "
                "WHERE trace_number IN (SELECT unnest(?::VARCHAR[]))", [fresh]).fetchall()
            for name, ident, trace, total, day, src in stored:
                self.seen.setdefault(_payment_key(name, ident, trace, total, day), str(src))
            self.checked.update(fresh)

    def drop_duplicates(self, remit: Remittance) -> None:
        """Remove payments (and their rows) already stored or already written."""
        self.prefetch({str(p[12]) for p in remit.payment_rows if p[12]})
        for p in remit.payment_rows:
            if not p[12]:
                continue
            key = _payment_key(p[3], p[4], p[12], p[8], p[11])
            if key in self.seen:
                self.dropped.add(p[0])
                self.warnings.append(
                    f"payment {p[12]} from {p[3] or 'the payer'} in {p[1]} repeats one already "
                    f"loaded from {self.seen[key]}; counted once (this copy skipped)")
            else:
                self.seen[key] = str(p[1])
        remit.drop_payments(self.dropped)

    def write(self, remit: Remittance, dedup: bool = True) -> None:
        """Insert one parsed part (flush target of ``parse_835``); ``dedup=False`` when
        ``drop_duplicates`` already ran on it."""
        self.warnings.extend(remit.warnings)
        remit.warnings.clear()
        if dedup:
            self.drop_duplicates(remit)
        c = self.conn
        pay, claims, lines, adjustments, plb = remit.tables()
        insert_columns(c, "remit_payments", PAYMENT_COLS, PAYMENT_TYPES, pay)
        insert_columns(c, "remit_claims", CLAIM_COLS, CLAIM_TYPES, claims)
        insert_columns(c, "remit_adjustments", ADJ_COLS, ADJ_TYPES, adjustments)
        insert_columns(c, "remit_provider_adjustments", PLB_COLS, PLB_TYPES, plb)
        self.lines += insert_columns(c, "remit_lines", LINE_COLS, LINE_TYPES, lines)


def link_payers(conn: duckdb.DuckDBPyConnection, sources: Sequence[str]) -> None:
    """Record these files' payers (N1*PR name, N1*PR04 / REF*2U id) in the payer registry.
    Its rebuild links the payments (``assistant.stores.registry``), so the order files
    arrive in never matters."""
    from assistant.stores.registry import record_remit_mentions

    record_remit_mentions(conn, list(sources))


def load_835_batch(paths: Sequence[Path], conn: duckdb.DuckDBPyConnection,
                   settings: Settings) -> list[LoadReport | ParleyError]:
    """Load many 835 files in one transaction; one result per path, in order."""
    loader = X12_835Loader()
    results: dict[int, LoadReport | ParleyError] = {}
    digests: dict[int, str] = {}
    contents: dict[int, bytes] = {}  # read once: hashed, then parsed
    for i, path in enumerate(paths):
        try:
            contents[i] = path.read_bytes()
        except OSError:
            results[i] = IngestError(f"{path}: file not found or unreadable")
            continue
        digests[i] = hashlib.sha256(contents[i]).hexdigest()  # as file_sha256
    known = {r[0] for r in conn.execute(
        "SELECT file_hash FROM loaded_files WHERE loader = ? AND file_hash IN "
        "(SELECT unnest(?::VARCHAR[]))", [loader.name, sorted(set(digests.values()))]
    ).fetchall()}
    batch = Remittance()  # every parsed file's rows, appended in path order
    hasher = patient_hasher(settings)
    parsed: list[int] = []
    names: set[str] = set()
    hashes: set[str] = set()
    single: list[int] = []
    for i, path in enumerate(paths):
        if i in results:
            continue
        if digests[i] in known or digests[i] in hashes:
            results[i] = LoadReport(path.name, loader.name, loader.table, digests[i],
                                    unchanged=True)
            continue
        if path.name in names:  # same file name twice: the later one replaces, alone
            single.append(i)
            continue
        mark = batch.mark()
        try:
            parse_835(path, settings, into=batch, hash_patient=hasher,
                      data=contents.pop(i))
        except ParleyError as exc:
            batch.truncate(mark)  # nothing of a file that does not parse
            results[i] = exc
            continue
        names.add(path.name)
        hashes.add(digests[i])
        parsed.append(i)
    contents.clear()
    if parsed:
        try:
            results.update(_write_batch(conn, paths, parsed, batch, digests, loader))
        except (duckdb.Error, ParleyError):
            log.info("835 batch of %d files failed; loading one at a time", len(parsed),
                     exc_info=True)
            single = sorted(single + parsed)
    for i in single:
        try:
            results[i] = loader.load(paths[i], conn, settings)
        except ParleyError as exc:
            results[i] = exc
    return [results[i] for i in range(len(paths))]


def _write_batch(conn: duckdb.DuckDBPyConnection, paths: Sequence[Path], parsed: list[int],
                 batch: Remittance, digests: dict[int, str],
                 loader: X12_835Loader) -> dict[int, LoadReport]:
    sources = [paths[i].name for i in parsed]
    conn.execute("BEGIN TRANSACTION")
    try:
        replaced: dict[str, int] = {}
        # Only files loaded before have rows to replace (every load records its file in
        # loaded_files, as transactional_load assumes too): the tables are not scanned
        # for a folder of new files, however big the warehouse already is.
        again = sorted({str(r[0]) for r in conn.execute(
            "SELECT source_file FROM loaded_files WHERE source_file IN "
            "(SELECT unnest(?::VARCHAR[]))", [sources]).fetchall()})
        for table in loader.tables if again else ():
            for src, n in conn.execute(
                    f"SELECT source_file, count(*) FROM {table} WHERE source_file IN "
                    "(SELECT unnest(?::VARCHAR[])) GROUP BY 1", [again]).fetchall():
                replaced[src] = replaced.get(src, 0) + int(n)
            conn.execute(f"DELETE FROM {table} WHERE source_file IN "
                         "(SELECT unnest(?::VARCHAR[]))", [again])
        writer = RemitWriter(conn)
        writer.drop_duplicates(batch)  # payments in file order: the first copy is kept
        per_file = Counter(batch.line_cols[LINE_COLS.index("source_file")])
        writer.write(batch, dedup=False)
        link_payers(conn, sources)
        now = dt.datetime.now().isoformat(sep=" ")
        if again:
            conn.execute("DELETE FROM loaded_files WHERE source_file IN "
                         "(SELECT unnest(?::VARCHAR[]))", [again])
        insert_columns(conn, "loaded_files", LOADED_COLS, LOADED_TYPES, (
            sources, [digests[i] for i in parsed], [loader.name] * len(parsed),
            [loader.table] * len(parsed), [per_file[name] for name in sources],
            [now] * len(parsed)))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    out: dict[int, LoadReport] = {}
    for i, name in zip(parsed, sources, strict=True):
        out[i] = LoadReport(name, loader.name, loader.table, digests[i],
                            rows_loaded=per_file[name], rows_replaced=replaced.get(name, 0),
                            warnings=[w for w in writer.warnings if f" in {name} " in w
                                      or w.startswith(f"{name}:")])
    return out
