"""X12 837P professional claims (005010X222A1): billed lines and submitted dates.

An 837P is what the practice sent; the 835 is what the payer answered. Parley reads the
837 only for what remittances lack: the date the claim was submitted (BHT04, the
file's creation date) and the billed units, keyed by the practice's claim id (CLM01,
which payers echo in CLP01), procedure code and date of service. Rows go to
``claim_submissions``; ``claim_model.derive_remit_lines`` joins them to the 835 lines.

Patients (NM1*QC / NM1*IL) are replaced by the same keyed hash as in the 835 loader;
names, member ids, addresses and birth dates are never stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from assistant.errors import IngestError
from assistant.settings import Settings
from ingest.loaders.base import LoadReport, bulk_insert, patient_hasher, transactional_load
from ingest.loaders.x12_835 import _separators, _split_composite

COLS = ("claim_id", "line_no", "payer_name", "payer_ident", "patient_hash", "date_of_service",
        "submitted_date", "code", "modifier", "units", "billed", "source_file")
TYPES = ("VARCHAR", "INTEGER", "VARCHAR", "VARCHAR", "VARCHAR", "DATE", "DATE", "VARCHAR",
         "VARCHAR", "DOUBLE", "DECIMAL(14,2)", "VARCHAR")


def sniff_837(head: str) -> bool:
    """True when an X12 interchange's first transaction is an 837."""
    text = head.lstrip("\ufeff \r\n\t")
    elem = text[3] if text.startswith("ISA") and len(text) > 3 else "*"
    return f"ST{elem}837{elem}" in text[:4096]


def _date(value: str, path: Path, seg_no: int) -> dt.date:
    raw = value.split("-")[0]  # RD8 ranges: the first day
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise IngestError(f"{path}: segment {seg_no}: bad date '{value[:20]}'") from None


def parse_837(path: Path, settings: Settings) -> list[list[object]]:
    """Rows of ``claim_submissions`` from one 837P file; IngestError on bad input."""
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
    elem, comp, term = _separators(text, path)
    hash_patient = patient_hasher(settings)
    strip = "\r\n\t ~" if term in "\r\n" else "\r\n\t "
    rows: list[list[object]] = []
    submitted: dt.date | None = None
    payer_name = payer_ident = patient = None
    claim_id: str | None = None
    claim_dos: dt.date | None = None
    line: list[object] | None = None
    n_st = line_no = 0
    for seg_no, chunk in enumerate(text.split(term), 1):
        e = chunk.strip(strip).split(elem) + [""] * 12
        tag = e[0]
        if tag == "ST":
            if e[1] != "837":
                raise IngestError(f"{path}: segment {seg_no}: transaction set {e[1] or '?'} "
                                  "is not an 837 claim")
            n_st += 1
            claim_id = line = None
        elif tag == "BHT":
            submitted = _date(e[4], path, seg_no) if e[4] else None
        elif tag == "HL" and e[3] == "22":
            payer_name = payer_ident = patient = None
        elif tag == "NM1" and e[1] == "PR":
            payer_name, payer_ident = e[3] or None, e[9] or None
        elif tag == "NM1" and e[1] in ("IL", "QC"):
            # The member id alone when sent, so it hashes like the 835's NM1*QC/IL.
            ident = e[9] if e[9].strip() else f"NAME:{e[3]},{e[4]}"
            if e[1] == "QC" or patient is None:
                patient = hash_patient(ident)
        elif tag == "CLM":
            if not e[1]:
                raise IngestError(f"{path}: segment {seg_no}: CLM without a claim id")
            claim_id, claim_dos, line, line_no = e[1], None, None, 0
        elif tag == "DTP" and claim_id and e[1] in ("472", "434"):
            when = _date(e[3], path, seg_no)
            if line is not None and e[1] == "472":
                line[5] = when
            else:
                claim_dos = when
        elif tag == "SV1":
            if claim_id is None:
                raise IngestError(f"{path}: segment {seg_no}: SV1 outside a claim (no CLM)")
            proc = _split_composite(e[1], comp)
            if len(proc) < 2 or not proc[1]:
                raise IngestError(f"{path}: segment {seg_no}: SV101 has no procedure code")
            try:
                billed = round(float(e[2] or 0), 2)
                units = float(e[4] or 1)
            except ValueError:
                raise IngestError(f"{path}: segment {seg_no}: bad amount or units") from None
            line_no += 1
            line = [claim_id, line_no, payer_name, payer_ident, patient, claim_dos, submitted,
                    proc[1], proc[2] if len(proc) > 2 and proc[2] else None, units, billed,
                    path.name]
            rows.append(line)
        elif tag == "LX":
            line = None
    if n_st == 0:
        raise IngestError(f"{path}: no ST*837 transaction found")
    missing = [r for r in rows if r[5] is None]
    if missing:
        raise IngestError(f"{path}: claim {missing[0][0]}: a service line without a date of "
                          "service (DTP*472)")
    return rows


class X12_837Loader:  # noqa: N801
    """Loads an X12 837P file into ``claim_submissions``."""

    name = "x12_837"
    table = "claim_submissions"
    tables = ("claim_submissions",)

    def load(self, path: Path, conn: duckdb.DuckDBPyConnection,
             settings: Settings) -> LoadReport:
        """Parse then insert the file's service lines in one transaction."""
        rows = parse_837(path, settings)

        def body(c: duckdb.DuckDBPyConnection, source: str) -> int:
            for r in rows:
                r[11] = source
            return bulk_insert(c, "claim_submissions", COLS, TYPES, rows)

        return transactional_load(conn, path, self.name, self.tables, body)
