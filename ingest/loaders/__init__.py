"""Structured-file loaders into the DuckDB warehouse.

``find_loader(path)`` picks a loader by content (X12 envelope, JSON keys, CSV header)
and file name; ``loader.load(path, conn, settings)`` loads the file in one transaction
and returns a ``LoadReport``. ``load_file`` does both. The document-ingestion job calls
``find_loader`` for CSV / 835 / JSON files and skips files it returns ``None`` for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from assistant.errors import IngestError, ParleyError
from assistant.settings import Settings
from ingest.loaders.base import Loader, LoadReport, file_sha256, patient_hasher
from ingest.loaders.csv_tables import CSV_SPECS, CsvLoader, read_header, spec_for_header
from ingest.loaders.mpfs import MPFS_COLUMNS, MpfsLoader
from ingest.loaders.tic import TicLoader, sniff_tic
from ingest.loaders.x12_835 import X12_835Loader, sniff_x12
from ingest.loaders.x12_837 import X12_837Loader, sniff_837

__all__ = ["Loader", "LoadReport", "find_loader", "load_file", "load_files", "file_sha256",
           "patient_hasher", "LOADER_NAMES"]

SNIFF_BYTES = 65536
BATCH_FILES = 5000  # 835 files per transaction in load_files
BATCH_BYTES = 32 << 20  # and at most this many bytes of them (bounds the batch's memory)
BATCH_FILE_BYTES = 2 << 20  # bigger 835 files load alone
LOADER_NAMES = ("x12_835", "x12_837", "tic_json", "mpfs_csv") + tuple(s.name for s in CSV_SPECS)
_NAME_HINTS = {"claim": "claims_csv", "fee": "fee_schedule_csv", "cost": "costs_csv",
               "medicare": "medicare_benchmark_csv", "benchmark": "medicare_benchmark_csv",
               "payer": "payers_csv", "carc": "carc_csv"}


def _head(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def find_loader(path: Path) -> Loader | None:
    """The loader for ``path``, or None when it is not a structured file we know.

    X12 by content (``ISA`` / ``ST*835`` / ``ST*837``) whatever the extension; TiC by JSON keys; CSV by
    header columns, then by file-name hint (so a claims file missing a column is still
    routed to the claims loader and rejected with the missing column named).
    """
    path = Path(path)
    head = _head(path)
    if not head.strip():
        return None
    if sniff_x12(head):
        return X12_837Loader() if sniff_837(head) else X12_835Loader()
    if path.suffix.lower() == ".json" or head.lstrip().startswith("{"):
        return TicLoader() if sniff_tic(head) else None
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ""):
        return None
    header = read_header(path)
    if set(MPFS_COLUMNS) <= set(header):
        return MpfsLoader()
    spec = spec_for_header(header)
    if spec is None and path.suffix.lower() == ".csv" and len(header) > 1:
        stem = path.stem.lower()
        for hint, name in _NAME_HINTS.items():
            if hint in stem:
                spec = next(s for s in CSV_SPECS if s.name == name)
                break
    return CsvLoader(spec) if spec is not None else None


def load_files(paths: Sequence[Path], conn: duckdb.DuckDBPyConnection, settings: Settings,
               loaders: Sequence[Loader | None] | None = None) -> list[LoadReport | ParleyError]:
    """Load many files; one result per path, in order (a LoadReport, or the error that
    file raised). Runs of 835 files go in batches of files per transaction
    (``remit_store.load_835_batch``); everything else one file at a time. ``loaders``:
    each path's ``find_loader`` result when the caller already has it (not sniffed again)."""
    from ingest.loaders.remit_store import load_835_batch

    results: list[LoadReport | ParleyError] = []
    batch: list[Path] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if batch:
            results.extend(load_835_batch(batch, conn, settings))
            batch.clear()
            size = 0

    found = list(loaders) if loaders is not None else [find_loader(Path(p)) for p in paths]
    for raw, loader in zip(paths, found, strict=True):
        path = Path(raw)
        if isinstance(loader, X12_835Loader) and path.stat().st_size <= BATCH_FILE_BYTES:
            batch.append(path)
            size += path.stat().st_size
            if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
                flush()
            continue
        flush()
        try:
            if loader is None:
                raise IngestError(f"{path.name}: not a structured file Parley can load")
            results.append(loader.load(path, conn, settings))
        except ParleyError as exc:
            results.append(exc)
    flush()
    return results


def load_file(path: Path, conn: duckdb.DuckDBPyConnection, settings: Settings) -> LoadReport:
    """Find the loader for ``path`` and load it; IngestError if no loader fits."""
    loader = find_loader(Path(path))
    if loader is None:
        raise IngestError(f"{path}: not a structured file Parley can load "
                          "(835, claims/fee-schedule/costs/Medicare/payers CSV, TiC JSON)")
    return loader.load(Path(path), conn, settings)
