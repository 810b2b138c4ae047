"""The per-file outcome of an ingest run, shared by the job and the warehouse loader (a module of
its own so that neither imports the other for it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DocResult:
    """What happened to one source file."""

    path: str
    status: str  # ingested | replaced | unchanged | failed | skipped | loaded | pruned
    reason: str = ""
    doc_id: str = ""
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    terms: int = 0
    warnings: list[str] = field(default_factory=list)
