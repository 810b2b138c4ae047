"""X12 835 (5010, and 4010 leniently) remittance advice: a careful segment parser.

Separators come from the ISA header (element separator at position 3, component
separator ISA16, the segment terminator right after it; newlines around segments are
ignored). Files that start at ``ST`` without an envelope use ``*``, ``:`` and ``~``.
Patients (NM1*QC / NM1*IL) are replaced by a keyed hash; names and member ids are
never stored.

The parse is one loop over the file's segments (split with ``str.split`` on the file's
own separators, a block at a time), dispatching on the segment id, appending values to
column lists (``x12_835_rows``). Repeated amounts and dates are converted once.
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import duckdb

from assistant.errors import IngestError
from assistant.settings import Settings
from ingest.loaders.base import LoadReport, patient_hasher, transactional_load
from ingest.loaders.x12_835_parse import (  # noqa: F401 (x12_837 reads _split_composite)
    FLUSH_LINES,
    SPLIT_BLOCK,
    _split_composite,
    parse_segments,
)
from ingest.loaders.x12_835_rows import Remittance

__all__ = ["Remittance", "X12_835Loader", "parse_835", "sniff_x12"]

STREAM_BYTES = 16 << 20  # files above this are parsed and written in parts


def sniff_x12(head: str) -> bool:
    """True when text looks like an X12 interchange or a bare ST transaction."""
    text = head.lstrip("\ufeff \r\n\t")
    return text.startswith("ISA") or (text.startswith("ST") and
                                      ("835" in text[:12] or "837" in text[:12]))


def _separators(text: str, path: Path) -> tuple[str, str, str]:
    if text.startswith("ISA"):
        if len(text) < 106:
            raise IngestError(f"{path}: line 1: truncated ISA header (an interchange header "
                              "alone, or a cut-off file)")
        elem = text[3]
        idx, count = 0, 0
        while count < 16:
            idx = text.find(elem, idx + 1)
            if idx < 0:
                raise IngestError(f"{path}: line 1: truncated ISA header")
            count += 1
        comp = text[idx + 1]
        j = idx + 2
        while j < len(text) and text[j] == elem:
            j += 1
        if j >= len(text):
            raise IngestError(f"{path}: line 1: no segment terminator after ISA")
        return elem, comp, text[j]
    if text.startswith("ST"):
        return text[2], ":", "~"
    raise IngestError(f"{path}: line 1: not an X12 file (no ISA or ST segment)")


def parse_835(path: Path, settings: Settings, source: str | None = None,
              flush: Callable[[Remittance], None] | None = None,
              into: Remittance | None = None,
              hash_patient: Callable[[str | None], str | None] | None = None,
              data: bytes | None = None) -> Remittance:
    """Parse an 835 file into table rows; raise IngestError with the segment on bad input.

    With ``flush``, rows are handed over in parts while parsing (big files, every
    FLUSH_LINES service lines, at a claim boundary); the returned Remittance then holds
    only the last part. ``into``: append the rows to that Remittance (a batch of files;
    after an error, truncate it to its ``mark()`` from before). ``hash_patient``: a
    ``patient_hasher(settings)`` to share across the files of a batch. ``data``: the
    file's bytes when the caller has read them already.
    """
    hasher = hash_patient or patient_hasher(settings)
    name = source or path.name
    if data is not None:
        return _parse_text(data.decode("utf-8", errors="replace"), path, name, hasher,
                           flush, into)
    with path.open("rb") as fh:
        first = fh.read(SPLIT_BLOCK)
        if len(first) < SPLIT_BLOCK:  # the whole file
            return _parse_text(first.decode("utf-8", errors="replace"), path, name, hasher,
                               flush, into)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pieces = _decoded(fh, decoder, decoder.decode(first))
        head = ""
        for piece in pieces:  # the first block names the separators
            head = (head + piece).lstrip("\ufeff \r\n\t")
            if len(head) >= max(SPLIT_BLOCK, 1 << 16):
                break
        elem, comp, term = _separators(head, path)
        return parse_segments(_runs(itertools.chain([head], pieces), term), elem, comp, term,
                              path, name, hasher, flush, flush_lines=FLUSH_LINES, into=into)


def _parse_text(text: str, path: Path, source: str,
                hasher: Callable[[str | None], str | None],
                flush: Callable[[Remittance], None] | None,
                into: Remittance | None) -> Remittance:
    """``parse_835`` of a file's whole text."""
    text = text.lstrip("\ufeff \r\n\t")
    elem, comp, term = _separators(text, path)
    return parse_segments((text,), elem, comp, term, path, source, hasher, flush,
                          flush_lines=FLUSH_LINES, into=into)


def _decoded(fh: BinaryIO, decoder: codecs.IncrementalDecoder, first: str) -> Iterator[str]:
    """The file's text (UTF-8, bad bytes replaced), SPLIT_BLOCK bytes at a time, from
    ``first`` (the first block, decoded)."""
    if first:
        yield first
    while True:
        raw = fh.read(SPLIT_BLOCK)
        text = decoder.decode(raw, final=not raw)
        if text:
            yield text
        if not raw:
            return


def _runs(pieces: Iterable[str], term: str) -> Iterator[str]:
    """The text again, cut just before segment terminators (the terminator itself
    dropped): each run splits into whole segments, and a big file is never in memory
    whole (a list of every segment of a 100 MB file would cost more than its rows)."""
    carry = ""
    for piece in pieces:
        text = carry + piece if carry else piece
        cut = text.rfind(term)
        if cut < 0:
            carry = text
            continue
        yield text[:cut]
        carry = text[cut + 1:]
    if carry:
        yield carry


class X12_835Loader:  # noqa: N801
    """Loads an X12 835 file into the ``remit_*`` tables."""

    name = "x12_835"
    table = "remit_lines"
    tables = ("remit_lines", "remit_claims", "remit_payments", "remit_adjustments",
              "remit_provider_adjustments")

    def load(self, path: Path, conn: duckdb.DuckDBPyConnection,
             settings: Settings) -> LoadReport:
        """Parse then insert all rows of the file in one transaction (a big file is
        parsed inside the transaction and written in parts, so memory stays bounded)."""
        from ingest.loaders.remit_store import RemitWriter, link_payers

        writer = RemitWriter(conn)
        remit: Remittance | None = None
        if path.is_file() and path.stat().st_size <= STREAM_BYTES:
            remit = parse_835(path, settings)

        def body(c: duckdb.DuckDBPyConnection, source: str) -> int:
            rest = remit if remit is not None else parse_835(path, settings,
                                                              flush=writer.write)
            writer.write(rest)
            link_payers(c, [source])
            return writer.lines

        report = transactional_load(conn, path, self.name, self.tables, body)
        report.warnings.extend(writer.warnings)
        return report
