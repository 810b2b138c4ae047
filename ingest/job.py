"""The ingestion job: discover → parse → chunk → tag → extract terms → embed → upsert.

Crash safety: chunk ids are deterministic (doc id + content hash + index); new chunks
go in first (only the missing ones are embedded), then the stale chunks of the document
are deleted by metadata, then the terms and the ledger row are written. Killed anywhere,
the next run finds the ledger behind the store and completes the same steps without
re-embedding.

Embedding runs alone: parsing the next group in a thread beside the model looked free but
cost more than it saved: torch's OpenMP pool waits for its slowest thread. With the thread,
the model took 8% (40 CUAD contracts) and 13% (510) longer than the same texts embedded
alone; without it, 0% (40 contracts; bench/bench_ingest.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IngestError
from ingest.chunking import Chunk, chunk_document
from ingest.clauses import tag_clauses
from ingest.discovery import X12_REFUSAL, SourceFile, discover, has_x12_segments, looks_like_injection
from ingest.fee_rules import FeeExtract, extract_fees
from ingest.ledger import Ledger, LedgerRow
from ingest.metadata import DocMeta, describe
from ingest.parsers import DOCUMENT_EXTENSIONS, ParsedDoc, parse_file
from ingest.results import DocResult  # also importable from here, as before
from ingest.terms import extract_terms
from ingest.warehouse_io import WarehouseLink

if TYPE_CHECKING:
    from assistant.embeddings import TextEmbedder
    from assistant.settings import Settings
    from assistant.stores.vectors import VectorStore

log = logging.getLogger(__name__)

#: Document types whose terms go to ``contract_terms`` (notes and e-mails only discuss them).
CONTRACT_DOC_TYPES = ("contract", "amendment", "exhibit")


@dataclass
class IngestSummary:
    """The outcome of a run."""

    results: list[DocResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with ``status``."""
        return sum(r.status == status for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        statuses = ("ingested", "replaced", "unchanged", "failed", "skipped", "loaded", "pruned")
        return {
            "counts": {s: self.count(s) for s in statuses},
            "pages": sum(r.pages for r in self.results),
            "chunks": sum(r.chunks for r in self.results),
            "embedded": sum(r.embedded for r in self.results),
            "warnings": self.warnings,
            "documents": [asdict(r) for r in self.results],
        }


# Chunks embedded per model call across documents. Sorted by length inside the call, a
# group of 256 CUAD chunks pads to 14% more tokens than their sum, 1,024 to 5%, the whole
# corpus to 2%; memory stays bounded (one group's texts and vectors at a time).
EMBED_GROUP_CHUNKS = 1024


@dataclass
class Prepared:
    """A parsed, chunked and tagged document waiting for its embeddings."""

    sf: SourceFile
    previous: LedgerRow | None
    content_hash: str
    doc: ParsedDoc
    meta: DocMeta
    chunks: list[Chunk]
    tags: list[list[str]]
    ids: list[str]
    todo: list[int]


def text_path(settings: Settings, doc_id: str) -> Path:
    """Where a document's extracted full text is kept."""
    return settings.data_dir / "texts" / f"{doc_id}.txt"


def chunk_metadata(
    sf: SourceFile, meta: DocMeta, chunk: Chunk, tags: list[str], content_hash: str, chunk_id: str
) -> dict[str, Any]:
    """The Chroma metadata of one chunk (see docs/ARCHITECTURE.md, Chunks)."""
    eff = meta.effective_date
    md: dict[str, Any] = {
        "chunk_id": chunk_id,
        "doc_id": sf.doc_id,
        "source_path": str(sf.path),
        "title": meta.title,
        "payer_id": meta.payer_id,
        "payer_name": meta.payer_name,
        "doc_type": meta.doc_type,
        "contract_id": meta.contract_id,
        "effective_date": eff.isoformat() if eff else "",
        "effective_ord": int(eff.strftime("%Y%m%d")) if eff else 0,
        "page_start": chunk.page_start,
        "page_end": chunk.page_end,
        "section": chunk.section,
        "heading": chunk.heading,
        "context": chunk.context,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "chunk_index": chunk.index,
        "content_hash": content_hash,
        "clause_types": ",".join(tags),
        "suspicious": looks_like_injection(chunk.text),
    }
    for tag in tags:
        md[f"ct_{tag}"] = True
    return md


STRUCTURED_PER_SESSION = 200  # structured files loaded per hold of the warehouse


class IngestJob:
    """One ingestion run over some source paths."""

    def __init__(
        self,
        settings: Settings,
        embedder: TextEmbedder | None = None,
        store: VectorStore | None = None,
        on_result: Callable[[DocResult], None] | None = None,
    ) -> None:
        from assistant.embeddings import create_embedder
        from assistant.stores.vectors import create_vector_store

        self.settings = settings
        self.embedder = embedder or create_embedder(settings)
        self.store = store or create_vector_store(settings, self.embedder)
        self.on_result = on_result or (lambda r: None)

    def plan(self, paths: list[Path]) -> tuple[list[SourceFile], list[Path]]:
        """Discover the files a run would touch (for progress totals)."""
        for p in paths:
            if not p.exists() and not p.is_symlink():
                from assistant.errors import InputError

                raise InputError(f"no such file or folder: {p}")
        return discover(paths)

    def run(self, paths: list[Path], prune: bool = False) -> IngestSummary:
        """Ingest every file under ``paths``; never stops on one bad file."""
        files, roots = self.plan(paths)
        summary = IngestSummary()
        ledger = Ledger(self.settings.ledger_file)
        wh = WarehouseLink(self.settings)
        try:
            structured = [sf for sf in files if sf.kind == "structured"]
            for i in range(0, len(structured), STRUCTURED_PER_SESSION):
                # one short write per batch of files (readers wait only for it); 835s go
                # many per transaction
                with wh.session():
                    for result in wh.load_structured_many(
                            structured[i:i + STRUCTURED_PER_SESSION]):
                        self._emit(summary, result)
            for sf in files:
                if sf.kind == "skipped":
                    if sf.path.suffix.lower() in DOCUMENT_EXTENSIONS:
                        ledger.record_failure(str(sf.path), sf.doc_id, sf.reason, "skipped")
                    self._emit(summary, DocResult(str(sf.path), "skipped", sf.reason))
            group: list[Prepared] = []
            for sf in files:
                if sf.kind != "document":
                    continue
                prepared = self._prepare(sf, ledger)
                if isinstance(prepared, DocResult):
                    if prepared.status == "unchanged":
                        with wh.session():
                            wh.register_unchanged(sf, self.store, text_path(self.settings, sf.doc_id))
                    self._emit(summary, prepared)
                    continue
                group.append(prepared)
                if sum(len(g.todo) for g in group) >= EMBED_GROUP_CHUNKS:
                    self._store_group(group, self._embed(group), summary, ledger, wh)
                    group = []
            self._store_group(group, self._embed(group), summary, ledger, wh)
            if prune:
                seen = {str(sf.path) for sf in files}
                for row in ledger.all():
                    if row.path not in seen and any(
                        Path(row.path).is_relative_to(r) for r in roots
                    ):
                        self._emit(summary, self._prune(row, ledger, wh))
            # Once per run, whatever arrived: payers and every document's link are decided
            # from all the files together, so the order files arrive in never matters.
            wh.rebuild_registry(self.store)  # short warehouse sessions of its own
            summary.warnings.extend(wh.warnings)
        finally:
            wh.close()
            ledger.close()
        return summary

    def _emit(self, summary: IngestSummary, result: DocResult) -> None:
        summary.results.append(result)
        self.on_result(result)

    def _prepare(self, sf: SourceFile, ledger: Ledger) -> Prepared | DocResult:
        """Read, parse, chunk and tag one document (no embedding yet), or its outcome."""
        path = str(sf.path)
        previous = ledger.get(path)
        try:
            size = sf.path.stat().st_size
            if size > self.settings.max_file_mb * 1024 * 1024:
                raise IngestError(
                    f"file too large ({size / 1048576:.0f} MB > "
                    f"PARLEY_MAX_FILE_MB={self.settings.max_file_mb:g})"
                )
            content_hash = hashlib.sha256(sf.path.read_bytes()).hexdigest()
        except OSError:
            return self._fail(sf, ledger, "file cannot be read")
        except IngestError as exc:
            return self._fail(sf, ledger, exc.user_message)
        if previous and previous.status == "ok" and previous.content_hash == content_hash:
            return DocResult(
                path,
                "unchanged",
                doc_id=sf.doc_id,
                pages=previous.pages or 0,
                chunks=len(previous.chunk_ids),
            )
        try:
            doc = parse_file(sf.path, self.settings)
            if has_x12_segments(doc.text):  # never store or quote patient segments
                raise IngestError(X12_REFUSAL)
            meta = describe(sf.path, doc)
            chunks = chunk_document(doc, title=meta.title)
            if not chunks:
                raise IngestError("no extractable text")
        except IngestError as exc:
            return self._fail(sf, ledger, exc.user_message)
        except Exception:  # a parser bug must not stop the batch
            log.warning("unexpected parse failure for %s", path, exc_info=True)
            return self._fail(sf, ledger, "could not be parsed (unexpected parser error)")
        tags = [tag_clauses(c.text, c.heading) for c in chunks]
        ids = [f"{sf.doc_id}-{content_hash[:12]}-{c.index:04d}" for c in chunks]
        existing = self.store.existing_ids(ids)
        todo = [i for i, cid in enumerate(ids) if cid not in existing]
        return Prepared(sf, previous, content_hash, doc, meta, chunks, tags, ids, todo)

    def _embed(self, group: list[Prepared]) -> list[list[float]]:
        """Embed the new chunks of several documents in one call (the model sorts them by
        length, so fewer padding tokens than per-document batches)."""
        texts = [g.chunks[i].embed_text for g in group for i in g.todo]
        return self.embedder.embed_documents(texts) if texts else []

    def _store_group(self, group: list[Prepared], vectors: list[list[float]],
                     summary: IngestSummary, ledger: Ledger, wh: WarehouseLink) -> None:
        """Store each document of an embedded group, in order."""
        at = 0
        for g in group:
            self._emit(summary, self._commit(g, vectors[at : at + len(g.todo)], ledger, wh))
            at += len(g.todo)

    def _commit(self, g: Prepared, vectors: list[list[float]], ledger: Ledger,
                wh: WarehouseLink) -> DocResult:
        """Upsert a prepared document, then its text, stale-chunk removal, terms, ledger."""
        sf, chunks, ids, todo = g.sf, g.chunks, g.ids, g.todo
        if todo:
            self.store.upsert(
                [ids[i] for i in todo],
                [chunks[i].text for i in todo],
                vectors,
                [chunk_metadata(sf, g.meta, chunks[i], g.tags[i], g.content_hash, ids[i])
                 for i in todo],
            )
        self._write_text(sf.doc_id, g.doc.text)
        self.store.delete_doc(sf.doc_id, keep_hash=g.content_hash)
        terms = (
            extract_terms(chunks, g.tags, g.meta.effective_date, g.meta.doc_type == "contract")
            if g.meta.doc_type in CONTRACT_DOC_TYPES
            else []
        )
        # A chunk flagged as addressing an AI is stored as data, never a source of terms.
        terms = [t for t in terms if t.chunk is None or not looks_like_injection(t.chunk.text)]
        fees = extract_fees(g.doc) if g.meta.doc_type in CONTRACT_DOC_TYPES else FeeExtract()
        with wh.session():  # the document's warehouse rows in one short hold of the file
            n_terms = wh.replace_terms(
                sf, g.meta, terms, {c.index: cid for c, cid in zip(chunks, ids, strict=True)}
            )
            wh.replace_fee_rows(sf, g.meta, fees.rows, fees.rules)
            wh.record_document(sf, g.meta, g.doc.text)
        ledger.record_ok(
            LedgerRow(
                str(sf.path),
                sf.doc_id,
                g.content_hash,
                "ok",
                chunk_ids=ids,
                pages=g.doc.pages,
                title=g.meta.title,
                warnings=g.doc.warnings,
            )
        )
        status = "replaced" if g.previous and g.previous.content_hash else "ingested"
        return DocResult(
            str(sf.path),
            status,
            doc_id=sf.doc_id,
            pages=g.doc.pages,
            chunks=len(chunks),
            embedded=len(todo),
            terms=n_terms,
            warnings=g.doc.warnings,
        )

    def _fail(self, sf: SourceFile, ledger: Ledger, reason: str) -> DocResult:
        ledger.record_failure(str(sf.path), sf.doc_id, reason)
        previous = ledger.get(str(sf.path))
        kept = previous is not None and previous.content_hash is not None
        note = "; last good version kept" if kept else ""
        return DocResult(str(sf.path), "failed", reason + note, doc_id=sf.doc_id)

    def _write_text(self, doc_id: str, text: str) -> None:
        target = text_path(self.settings, doc_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)

    def _prune(self, row: LedgerRow, ledger: Ledger, wh: WarehouseLink) -> DocResult:
        self.store.delete_doc(row.doc_id)
        with wh.session():
            wh.delete_terms(row.doc_id)
            wh.forget_document(row.doc_id, row.path)
        text_path(self.settings, row.doc_id).unlink(missing_ok=True)
        ledger.delete(row.path)
        return DocResult(row.path, "pruned", "gone from the source", doc_id=row.doc_id)


def run_ingest(
    settings: Settings, paths: list[Path], prune: bool = False, *,
    embedder: TextEmbedder | None = None, store: VectorStore | None = None,
    on_result: Callable[[DocResult], None] | None = None,
) -> IngestSummary:
    """Convenience wrapper: build a job and run it."""
    return IngestJob(settings, embedder=embedder, store=store, on_result=on_result).run(
        paths, prune=prune)
