"""What the ingestion job reads from and writes to the DuckDB warehouse.

Payers (to match documents to payers), ``contract_terms`` rows, and structured files
handed to the warehouse loaders in ``ingest.loaders`` when that package provides them.
The connection is opened lazily and held for the run only; if the warehouse is busy the
job carries on without it and says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from assistant.errors import ParleyError
from ingest.metadata import DocMeta, PayerRef

if TYPE_CHECKING:
    from assistant.settings import Settings
    from ingest.discovery import SourceFile
    from ingest.job import DocResult
    from ingest.terms import Term

log = logging.getLogger(__name__)


class WarehouseLink:
    """A lazily opened write connection to the warehouse for one run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._conn: Any = None
        self._failed = False
        self.warnings: list[str] = []

    @property
    def conn(self) -> Any:
        """The connection, or None when the warehouse cannot be opened."""
        if self._conn is None and not self._failed:
            try:
                from assistant.stores.warehouse import open_warehouse

                self._conn = open_warehouse(self.settings)
            except ParleyError as exc:
                self._failed = True
                self.warnings.append(f"warehouse not written: {exc.user_message}")
            except ImportError:
                self._failed = True
                self.warnings.append("warehouse module not available; terms not stored")
        return self._conn

    def close(self) -> None:
        """Release the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def payers(self) -> list[PayerRef]:
        """Payers and aliases known to the warehouse (empty if none)."""
        if self.conn is None:
            return []
        rows = self.conn.execute("SELECT payer_id, name, aliases FROM payers").fetchall()
        return [PayerRef(str(r[0]), str(r[1]), [str(a) for a in (r[2] or [])]) for r in rows]

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
                    "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            self.conn.execute("COMMIT")
        except Exception:
            self.conn.execute("ROLLBACK")
            raise
        return len(rows)

    def delete_terms(self, doc_id: str) -> None:
        """Remove a pruned document's terms."""
        if self.conn is not None:
            self.conn.execute("DELETE FROM contract_terms WHERE doc_id = ?", [doc_id])

    def load_structured(self, sf: SourceFile) -> DocResult:
        """Hand a CSV/835/JSON file to its warehouse loader, or list it as skipped."""
        from ingest.job import DocResult

        try:
            from ingest.loaders import find_loader  # type: ignore[attr-defined]
        except ImportError:
            return DocResult(str(sf.path), "skipped", "structured file: no warehouse loaders yet")
        loader = find_loader(sf.path)
        if loader is None:
            return DocResult(str(sf.path), "skipped", "no loader recognises this file")
        if self.conn is None:
            return DocResult(str(sf.path), "failed", "warehouse unavailable")
        try:
            report = loader.load(sf.path, self.conn, self.settings)
        except ParleyError as exc:
            return DocResult(str(sf.path), "failed", exc.user_message)
        except Exception:  # a loader bug must not stop the batch
            log.warning("loader failed on %s", sf.path, exc_info=True)
            return DocResult(
                str(sf.path), "failed", "could not be loaded (unexpected loader error)"
            )
        rows = int(getattr(report, "rows_loaded", 0) or 0)
        table = getattr(report, "table", "")
        if getattr(report, "unchanged", False):
            return DocResult(str(sf.path), "unchanged", f"{table}: unchanged")
        errors = list(getattr(report, "errors", []) or [])
        note = f"{rows} rows into {table}" + (f"; {len(errors)} rows rejected" if errors else "")
        warnings = list(report.warnings)
        if warnings:
            note += "; warning: " + "; ".join(warnings[:3]) + (
                f" (and {len(warnings) - 3} more)" if len(warnings) > 3 else "")
        return DocResult(str(sf.path), "loaded", note)
