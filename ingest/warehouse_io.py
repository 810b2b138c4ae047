"""What the ingestion job reads from and writes to the DuckDB warehouse.

What documents say about payers (for the payer registry, rebuilt once per run),
``contract_terms`` rows, and structured files
handed to the warehouse loaders in ``ingest.loaders`` when that package provides them.
The write connection is opened per file (``session()``: one file's writes, then closed), so
questions are answered from the last committed state while a run parses and embeds; if the
warehouse stays busy the job carries on without it and says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from assistant.errors import ParleyError
from ingest.metadata import DocMeta
from ingest.results import DocResult

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.settings import Settings
    from assistant.stores.vectors import VectorStore
    from ingest.discovery import SourceFile
    from ingest.fee_rules import FeeRule
    from ingest.fee_tables import FeeRow
    from ingest.terms import Term

log = logging.getLogger(__name__)
WRITE_RETRY_S = 10.0  # how long a write waits for readers' connections to close


class WarehouseLink:
    """A lazily opened write connection to the warehouse for one run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._conn: Any = None
        self._failed = False
        self._schema_ok = False
        self.warnings: list[str] = []

    @property
    def conn(self) -> Any:
        """The connection, or None when the warehouse cannot be opened. Opened on first
        use; the job holds it only inside ``session()`` (one file's writes)."""
        if self._conn is None and not self._failed:
            try:
                self._conn = self._open()
            except ParleyError as exc:
                self._failed = True
                self.warnings.append(f"warehouse not written: {exc.user_message}")
            except ImportError:
                self._failed = True
                self.warnings.append("warehouse module not available; terms not stored")
        return self._conn

    def _open(self) -> Any:
        """A write connection; while readers hold the file (a query's few ms, from any
        process), wait and retry for up to ``WRITE_RETRY_S``."""
        from assistant.errors import ConfigError
        from assistant.stores.warehouse import open_warehouse

        delay, waited = 0.05, 0.0
        while True:
            try:
                conn = open_warehouse(self.settings, schema=not self._schema_ok)
                self._schema_ok = True
                return conn
            except ConfigError:
                if waited >= WRITE_RETRY_S:
                    raise
                time.sleep(delay)
                waited, delay = waited + delay, min(delay * 2, 1.0)

    @contextmanager
    def session(self) -> Iterator[Any]:
        """Hold the write connection for one file's writes, then close it, so that readers
        (other processes too) wait for one short write, never for parsing or embedding."""
        held = self._conn is not None
        try:
            yield self.conn
        finally:
            if not held:
                self.release()

    def release(self) -> None:
        """Close the connection now; the next write reopens it (``close`` ends the run)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """End the run: recompute expected amounts if rates changed, then release."""
        if self._rates_changed and self.conn is not None:
            self.refresh_rates()
        self.release()

    _rates_changed = False

    def refresh_rates(self) -> None:
        """Recompute claim lines' expected amounts once for the run's new contract rates."""
        from assistant.stores.warehouse import refresh_expected

        self._rates_changed = False
        self.conn.execute("BEGIN")
        try:
            refresh_expected(self.conn)
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise

    def replace_fee_rows(self, sf: SourceFile, meta: DocMeta, rows: list[FeeRow],
                         rules: list[FeeRule]) -> int:
        """Replace this document's contract fee rows (``fee_schedule`` origin 'contract')
        and rate rules (``fee_rules``); CSV rows and other documents' rows stay. Rows apply
        from the document's effective date (an amendment's from its own)."""
        if self.conn is None:
            return 0
        from assistant.stores.fee_sources import UNDATED

        had = self.conn.execute(
            "SELECT (SELECT count(*) FROM fee_schedule WHERE doc_id = ?) "
            "+ (SELECT count(*) FROM fee_rules WHERE doc_id = ?)", [sf.doc_id, sf.doc_id]
        ).fetchone()[0]
        if not rows and not rules and not had:
            return 0
        payer = meta.payer_id or ""
        contract_id = meta.contract_id or sf.doc_id
        eff = meta.effective_date
        src = str(sf.path)
        fee = [(payer, contract_id, r.code, ",".join(r.modifiers) or None, r.rate, eff or UNDATED,
                src, "contract", sf.doc_id, r.program, r.page, r.section or None, r.quote,
                _row_basis(r), r.facility_rate) for r in rows]
        rule_rows = [(sf.doc_id, payer, contract_id, r.program, r.kind, r.pct, r.year,
                      r.locality, r.setting, eff, src, r.page, r.section or None, r.quote,
                      r.note or None) for r in rules]
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("DELETE FROM fee_schedule WHERE doc_id = ? AND origin <> 'csv'",
                              [sf.doc_id])
            self.conn.execute("DELETE FROM fee_rules WHERE doc_id = ?", [sf.doc_id])
            if fee:
                self.conn.executemany(
                    "INSERT INTO fee_schedule (payer_id, contract_id, code, modifier, rate, "
                    "effective_from, source_file, origin, doc_id, program, page, section, quote, "
                    "basis, facility_rate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    fee)
            if rule_rows:
                self.conn.executemany(
                    "INSERT INTO fee_rules (doc_id, payer_id, contract_id, program, kind, pct, "
                    "year, locality, setting, effective_from, source_file, page, section, quote, "
                    "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rule_rows)
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        self._rates_changed = True
        return len(fee) + len(rule_rows)

    def record_document(self, sf: SourceFile, meta: DocMeta, text: str) -> None:
        """Tell the payer registry what a document says (its counterparty and contract
        number) and keep its opening for name matching at rebuild time."""
        if self.conn is None:
            return
        from assistant.stores.registry import (
            KINDS,
            PayerMention,
            record_mentions,
            record_opening,
        )
        from ingest.metadata import opening_of

        kind = meta.doc_type if meta.doc_type in KINDS else "note"  # other kinds only link
        self.conn.execute("BEGIN")
        try:
            record_mentions(self.conn, source_file=str(sf.path), kind=kind,
                            doc_id=sf.doc_id, mentions=[PayerMention(
                                "counterparty", meta.payer_name, contract_ref=meta.contract_id)])
            record_opening(self.conn, sf.doc_id, str(sf.path),
                           opening_of(sf.path, text, meta.title))
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise

    def register_unchanged(self, sf: SourceFile, store: VectorStore, text_file: Path) -> None:
        """An unchanged document the registry has not seen (ingested before it existed):
        register it from its stored text and chunk metadata, without parsing again."""
        from assistant.stores.registry import has_opening
        from ingest.metadata import describe
        from ingest.parsers import ParsedDoc

        if self.conn is None or has_opening(self.conn, sf.doc_id):
            return
        ids = store.doc_chunk_ids(sf.doc_id)
        try:
            text = text_file.read_text(encoding="utf-8")
        except OSError:
            return
        if not ids:
            return
        stored = store.get(ids[:1])[0].metadata
        meta = describe(sf.path, ParsedDoc(text=text, format="text"))
        meta.title = str(stored.get("title") or meta.title)
        meta.doc_type = str(stored.get("doc_type") or meta.doc_type)
        meta.contract_id = str(stored.get("contract_id") or "")
        self.record_document(sf, meta, text)

    def forget_document(self, doc_id: str, path: str) -> None:
        """Drop a pruned document from the payer registry."""
        if self.conn is not None:
            from assistant.stores.registry import forget

            forget(self.conn, source_file=path, doc_id=doc_id)

    def rebuild_registry(self, store: VectorStore | None) -> int:
        """Rebuild the payer registry once for the run (re-linking terms, fee rows and
        remittances) and set the payer on the chunks of every document whose link changed,
        without re-embedding. Returns how many documents were re-linked."""
        from assistant.stores.registry import rebuild, record_chunk_sync

        try:
            with self.session():
                if self.conn is None:
                    return 0
                result = rebuild(self.conn)
                self._rates_changed = False  # the rebuild refreshed the derived claim lines
            if not result.changed:
                return 0
            # The chunk store is updated with the warehouse released: readers are not held
            # up by Chroma writes (the sync record below lets a killed run finish this).
            if store is not None:
                for doc_id in result.changed:
                    store.set_doc_payer(doc_id, *result.links[doc_id])
            with self.session():
                return record_chunk_sync(self.conn, result)
        except Exception:  # the run's documents are stored; the next run rebuilds again
            log.warning("payer registry rebuild failed", exc_info=True)
            self.warnings.append("payers not re-linked (unexpected error); run the ingest "
                                 "again to retry")
            return 0

    def replace_terms(
        self, sf: SourceFile, meta: DocMeta, terms: list[Term], chunk_ids: dict[int, str]
    ) -> int:
        """Replace this document's ``contract_terms`` rows; other documents' rows stay."""
        if self.conn is None:
            return 0
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        contract_id = meta.contract_id or sf.doc_id
        rows = [
            (
                contract_id,
                meta.payer_id or None,
                sf.doc_id,
                t.term,
                t.value_num,
                t.value_text,
                meta.effective_date,
                str(sf.path),
                t.chunk.page_start if t.chunk else None,
                (t.chunk.section or None) if t.chunk else None,
                chunk_ids[t.chunk.index] if t.chunk else None,
                t.quote or None,
                now,
                t.program or "",
            )
            for t in terms
        ]
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("DELETE FROM contract_terms WHERE doc_id = ?", [sf.doc_id])
            if rows:
                self.conn.executemany(
                    "INSERT INTO contract_terms (contract_id, payer_id, doc_id, term, value_num, "
                    "value_text, effective_from, source_file, page, section, chunk_id, quote, "
                    "ingested_at, program) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        return len(rows)

    def delete_terms(self, doc_id: str) -> None:
        """Remove a pruned document's terms, contract fee rows and rate rules."""
        if self.conn is not None:
            self.conn.execute("DELETE FROM contract_terms WHERE doc_id = ?", [doc_id])
            gone = self.conn.execute(
                "SELECT count(*) FROM fee_rules WHERE doc_id = ?", [doc_id]).fetchone()[0]
            gone += self.conn.execute("SELECT count(*) FROM fee_schedule WHERE doc_id = ? "
                                      "AND origin <> 'csv'", [doc_id]).fetchone()[0]
            if gone:
                self.conn.execute("DELETE FROM fee_schedule WHERE doc_id = ? AND origin <> 'csv'",
                                  [doc_id])
                self.conn.execute("DELETE FROM fee_rules WHERE doc_id = ?", [doc_id])
                self._rates_changed = True

    def load_structured(self, sf: SourceFile) -> DocResult:
        """Hand a CSV/835/JSON file to its warehouse loader, or list it as skipped."""
        return self.load_structured_many([sf])[0]

    def load_structured_many(self, sfs: list[SourceFile]) -> list[DocResult]:
        """Load structured files (one result each, in order): runs of 835s go in batches
        of files per transaction (``ingest.loaders.load_files``), a bad file never loses
        the others, and files no loader recognises are listed as skipped."""
        from ingest.loaders import find_loader, load_files

        found = [(sf, find_loader(sf.path)) for sf in sfs]
        known = [(sf, loader) for sf, loader in found if loader is not None]
        if known and self.conn is None:
            reports: list[Any] = [None] * len(known)
        else:
            try:
                reports = load_files([sf.path for sf, _ in known], self.conn, self.settings,
                                     loaders=[loader for _, loader in known])
            except Exception:  # a loader bug must not stop the run
                log.warning("structured load failed", exc_info=True)
                reports = [RuntimeError()] * len(known)
        by_path = {str(sf.path): r for (sf, _), r in zip(known, reports, strict=True)}
        out: list[DocResult] = []
        for sf in sfs:
            path = str(sf.path)
            if path not in by_path:
                out.append(DocResult(path, "skipped", "no loader recognises this file"))
                continue
            report = by_path[path]
            if report is None:
                out.append(DocResult(path, "failed", "warehouse unavailable"))
            elif isinstance(report, ParleyError):
                out.append(DocResult(path, "failed", report.user_message))
            elif isinstance(report, Exception):
                out.append(DocResult(path, "failed",
                                     "could not be loaded (unexpected loader error)"))
            elif report.unchanged:
                out.append(DocResult(path, "unchanged", f"{report.table}: unchanged"))
            else:
                note = f"{report.rows_loaded} rows into {report.table}" + (
                    f"; {len(report.errors)} rows rejected" if report.errors else "")
                if report.warnings:
                    note += "; warning: " + "; ".join(report.warnings[:3]) + (
                        f" (and {len(report.warnings) - 3} more)"
                        if len(report.warnings) > 3 else "")
                out.append(DocResult(path, "loaded", note))
        return out


def _row_basis(row: FeeRow) -> str:
    """What the stored rate is, and the other rate columns as written."""
    others = "; ".join(f"{k} {v}" for k, v in row.columns.items())
    return f"{row.basis} [{others}]" if len(row.columns) > 1 else row.basis
