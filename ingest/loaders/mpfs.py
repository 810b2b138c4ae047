"""The CMS Medicare physician fee schedule (RVU-based national amounts) + GPCI localities.

``medicare_pfs_*.csv`` (columns hcpcs, work_rvu, nonfacility_pe_rvu, facility_pe_rvu,
mp_rvu, conversion_factor, nonfacility_amount, facility_amount) loads as locality
``national``; when ``settings.medicare_locality`` is set and a ``GPCI*.csv`` sits next to
the file, a second set of rows is stored under that locality string with
``(work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor``.
Locality accepted as ``STATE-NUMBER`` (``CA-54``), ``MAC-NUMBER`` (``01112-54``) or the
locality name (``BAKERSFIELD``).
"""

from __future__ import annotations

import csv
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import duckdb

from assistant.errors import ConfigError, IngestError
from assistant.settings import Settings
from ingest.loaders.base import LoadReport, bulk_insert, transactional_load

MPFS_COLUMNS = ("hcpcs", "work_rvu", "nonfacility_pe_rvu", "facility_pe_rvu", "mp_rvu",
                "conversion_factor", "nonfacility_amount", "facility_amount")
CENT = Decimal("0.01")


def find_gpci(locality: str, gpci_file: Path) -> tuple[Decimal, Decimal, Decimal]:
    """(work, PE, MP) GPCI of ``locality`` from a CMS Addendum E CSV."""
    want = locality.strip().upper()
    rows: list[list[str]] = []
    with gpci_file.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        for row in csv.reader(fh):
            if len(row) >= 7 and row[0].strip().isdigit():
                rows.append([c.strip() for c in row])
    names = []
    for mac, state, num, name, pw, pe, mp in (r[:7] for r in rows):
        clean = re.sub(r"\*+$", "", name).strip().upper()
        names.append(f"{state}-{num} {clean}")
        keys = {f"{state}-{int(num)}", f"{state}:{int(num)}", f"{int(mac)}-{int(num)}",
                f"{mac.zfill(5)}-{num.zfill(2)}", clean}
        if want in keys:
            return Decimal(pw), Decimal(pe), Decimal(mp)
    raise ConfigError(f"PARLEY_MEDICARE_LOCALITY '{locality}' is not a locality in "
                      f"{gpci_file.name} (e.g. {', '.join(names[:3])})")


class MpfsLoader:
    """Loads the national MPFS amounts (and the configured locality) into medicare_rates."""

    name = "mpfs_csv"
    table = "medicare_rates"

    def load(self, path: Path, conn: duckdb.DuckDBPyConnection,
             settings: Settings) -> LoadReport:
        """Parse the small RVU file in Python, insert national (+ locality) rows."""
        year_match = re.search(r"(20\d\d)", path.name)
        year = int(year_match.group(1)) if year_match else settings.today().year
        gpci = None
        if settings.medicare_locality:
            gpci_files = sorted(path.parent.glob("GPCI*.csv"))
            if not gpci_files:
                raise IngestError(f"{path}: locality set but no GPCI*.csv next to the file")
            gpci = find_gpci(settings.medicare_locality, gpci_files[-1])
        rows: list[list[object]] = []
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in MPFS_COLUMNS if c not in header]
            if missing:
                raise IngestError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
            for line_no, raw in enumerate(reader, start=2):
                r = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
                try:
                    nf, fac = Decimal(r["nonfacility_amount"]), Decimal(r["facility_amount"])
                    work, mp = Decimal(r["work_rvu"]), Decimal(r["mp_rvu"])
                    pe_nf, pe_f = Decimal(r["nonfacility_pe_rvu"]), Decimal(r["facility_pe_rvu"])
                    cf = Decimal(r["conversion_factor"])
                except InvalidOperation:
                    raise IngestError(f"{path}: line {line_no}: bad number") from None
                if min(nf, fac, work, mp, pe_nf, pe_f, cf) < 0:
                    raise IngestError(f"{path}: line {line_no}: negative value")
                rows.append([r["hcpcs"], year, "national", nf, fac])
                if gpci is not None:
                    gw, gpe, gmp = gpci
                    lnf = ((work * gw + pe_nf * gpe + mp * gmp) * cf).quantize(CENT, ROUND_HALF_UP)
                    lf = ((work * gw + pe_f * gpe + mp * gmp) * cf).quantize(CENT, ROUND_HALF_UP)
                    rows.append([r["hcpcs"], year, settings.medicare_locality, lnf, lf])

        def body(c: duckdb.DuckDBPyConnection, source: str) -> int:
            for row in rows:
                row.append(source)
            c.execute("DELETE FROM medicare_rates WHERE year = ? AND code IN "
                      "(SELECT unnest(?)) AND locality IN (SELECT unnest(?))",
                      [year, [r[0] for r in rows], sorted({str(r[2]) for r in rows})])
            return bulk_insert(c, "medicare_rates",
                               ("code", "year", "locality", "nonfacility_rate",
                                "facility_rate", "source_file"),
                               ("VARCHAR", "INTEGER", "VARCHAR", "DECIMAL(12,2)",
                                "DECIMAL(12,2)", "VARCHAR"), rows)

        return transactional_load(conn, path, self.name, (self.table,), body)
