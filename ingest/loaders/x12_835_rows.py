"""The rows an 835 parse produces, held by column, and their bulk insert into DuckDB.

The parser appends values to one Python list per column (no object per row: a million
row lists would cost memory and cyclic-GC passes). Values are kept in the form DuckDB
casts fastest: amounts as canonical decimal strings (``str(Decimal(value))``), dates as
ISO strings, quantities as floats, list columns (modifiers, remark codes) as strings
joined by ``LIST_SEP``. ``insert_columns`` hands the lists to DuckDB as NumPy object
arrays in one ``INSERT … SELECT`` per table, casting each column there.

``Remittance.payments`` / ``.claims`` / ``.lines`` / ``.adjustments`` /
``.provider_adjustments`` give the rows back the way callers read them (lists of values
with ``Decimal`` amounts, ``date`` dates and list columns as lists).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any

import duckdb

LIST_SEP = "\x1f"  # joins a list column's items (ASCII unit separator: not X12 data)
PAYMENT_COLS = ("payment_id", "source_file", "st_control", "payer_name", "payer_id_code",
                "payee_name", "payee_id", "handling_code", "total_paid", "credit_debit",
                "payment_method", "payment_date", "trace_number", "production_date")
PAYMENT_TYPES = ("VARCHAR",) * 8 + ("DECIMAL(14,2)", "VARCHAR", "VARCHAR", "DATE",
                                     "VARCHAR", "DATE")
CLAIM_COLS = ("payment_id", "claim_seq", "claim_id", "status_code", "billed", "paid",
              "patient_resp", "filing_indicator", "payer_claim_control", "patient_hash",
              "received_date", "statement_from", "statement_to", "source_file")
CLAIM_TYPES = ("VARCHAR", "INTEGER", "VARCHAR", "VARCHAR", "DECIMAL(14,2)", "DECIMAL(14,2)",
               "DECIMAL(14,2)", "VARCHAR", "VARCHAR", "VARCHAR", "DATE", "DATE", "DATE",
               "VARCHAR")
LINE_COLS = ("payment_id", "claim_seq", "line_seq", "code_qualifier", "code", "modifiers",
             "billed", "paid", "revenue_code", "units", "original_code", "service_date",
             "service_date_end", "allowed", "line_control", "remark_codes", "source_file",
             "units_billed")
LINE_TYPES = ("VARCHAR", "INTEGER", "INTEGER", "VARCHAR", "VARCHAR", "VARCHAR[]",
              "DECIMAL(14,2)", "DECIMAL(14,2)", "VARCHAR", "DOUBLE", "VARCHAR", "DATE", "DATE",
              "DECIMAL(14,2)", "VARCHAR", "VARCHAR[]", "VARCHAR", "DOUBLE")
ADJ_COLS = ("payment_id", "claim_seq", "line_seq", "group_code", "carc", "amount", "quantity",
            "source_file")
ADJ_TYPES = ("VARCHAR", "INTEGER", "INTEGER", "VARCHAR", "VARCHAR", "DECIMAL(14,2)", "DOUBLE",
             "VARCHAR")
PLB_COLS = ("payment_id", "provider_id", "fiscal_period", "reason_code", "reference",
            "amount", "source_file")
PLB_TYPES = ("VARCHAR", "VARCHAR", "DATE", "VARCHAR", "VARCHAR", "DECIMAL(14,2)", "VARCHAR")

Columns = tuple[list[object], ...]


def _empty(width: int) -> Columns:
    return tuple([] for _ in range(width))


def join_list(items: Sequence[str]) -> str:
    """A list column's value as stored in the columns ('' for an empty list)."""
    return LIST_SEP.join(item.replace(LIST_SEP, " ") for item in items)


def _typed(types: Sequence[str]) -> list[Callable[[object], object] | None]:
    """Per column: how a stored value becomes the value callers read (None: as is)."""
    def amount(v: object) -> object:
        return None if v is None else Decimal(str(v))

    def day(v: object) -> object:
        return None if v is None else dt.date.fromisoformat(str(v))

    def items(v: object) -> object:
        return str(v).split(LIST_SEP) if v else []

    return [amount if t.startswith("DECIMAL") else day if t == "DATE"
            else items if t.endswith("[]") else None for t in types]


def _rows(columns: Columns, types: Sequence[str]) -> list[list[object]]:
    convert = _typed(types)
    return [[v if f is None else f(v) for f, v in zip(convert, row, strict=True)]
            for row in zip(*columns, strict=True)]


class Remittance:
    """Rows parsed from one 835 file (or one part of it), held by column."""

    def __init__(self) -> None:
        self.payment_rows: list[list[object]] = []  # few, and still changed while parsing
        self.claim_cols: Columns = _empty(len(CLAIM_COLS))
        self.line_cols: Columns = _empty(len(LINE_COLS))
        self.adj_cols: Columns = _empty(len(ADJ_COLS))
        self.plb_cols: Columns = _empty(len(PLB_COLS))
        self.warnings: list[str] = []

    def tables(self) -> tuple[Columns, ...]:
        """Column sets of the payments, claims, lines, adjustments and PLB tables."""
        pay = tuple(list(c) for c in zip(*self.payment_rows, strict=True)) \
            if self.payment_rows else _empty(len(PAYMENT_COLS))
        return pay, self.claim_cols, self.line_cols, self.adj_cols, self.plb_cols

    @property
    def line_count(self) -> int:
        """Service lines held."""
        return len(self.line_cols[0])

    @property
    def payments(self) -> list[list[object]]:
        """Payment rows (``PAYMENT_COLS``), typed."""
        return [[v if f is None else f(v) for f, v in zip(_typed(PAYMENT_TYPES), p,
                                                           strict=True)]
                for p in self.payment_rows]

    @property
    def claims(self) -> list[list[object]]:
        """Claim rows (``CLAIM_COLS``), typed."""
        return _rows(self.claim_cols, CLAIM_TYPES)

    @property
    def lines(self) -> list[list[object]]:
        """Service-line rows (``LINE_COLS``), typed."""
        return _rows(self.line_cols, LINE_TYPES)

    @property
    def adjustments(self) -> list[list[object]]:
        """CAS rows (``ADJ_COLS``), typed."""
        return _rows(self.adj_cols, ADJ_TYPES)

    @property
    def provider_adjustments(self) -> list[list[object]]:
        """PLB rows (``PLB_COLS``), typed."""
        return _rows(self.plb_cols, PLB_TYPES)

    def _lists(self) -> list[list[Any]]:
        return [self.payment_rows, self.warnings, *self.claim_cols, *self.line_cols,
                *self.adj_cols, *self.plb_cols]

    def mark(self) -> list[int]:
        """The length of every list, for ``truncate``."""
        return [len(values) for values in self._lists()]

    def truncate(self, mark: list[int]) -> None:
        """Drop everything appended since ``mark`` (a file that failed to parse)."""
        for values, n in zip(self._lists(), mark, strict=True):
            del values[n:]

    def fill_source(self, source: str) -> None:
        """Set ``source_file`` on the claim, line, adjustment and PLB rows that lack it
        (the parser leaves that column, the same for a whole file, to the end)."""
        for cols, names in ((self.claim_cols, CLAIM_COLS), (self.line_cols, LINE_COLS),
                            (self.adj_cols, ADJ_COLS), (self.plb_cols, PLB_COLS)):
            src = cols[names.index("source_file")]
            src.extend([source] * (len(cols[0]) - len(src)))

    def detach(self) -> Remittance:
        """Move the rows and warnings held so far into a new Remittance; this one is
        left empty (its column lists cleared in place, so bound appends stay valid)."""
        out = Remittance()
        out.payment_rows = self.payment_rows[:]
        out.warnings = self.warnings[:]
        self.payment_rows.clear()
        self.warnings.clear()
        for mine, theirs in ((self.claim_cols, out.claim_cols), (self.line_cols, out.line_cols),
                             (self.adj_cols, out.adj_cols), (self.plb_cols, out.plb_cols)):
            for a, b in zip(mine, theirs, strict=True):
                b.extend(a)
                a.clear()
        return out

    def extend(self, other: Remittance) -> None:
        """Append another Remittance's rows and warnings to this one."""
        self.payment_rows += other.payment_rows
        self.warnings += other.warnings
        for mine, theirs in ((self.claim_cols, other.claim_cols),
                             (self.line_cols, other.line_cols),
                             (self.adj_cols, other.adj_cols), (self.plb_cols, other.plb_cols)):
            for a, b in zip(mine, theirs, strict=True):
                a.extend(b)

    def drop_payments(self, payment_ids: Collection[object]) -> None:
        """Remove these payments and every row that belongs to them."""
        if not payment_ids:
            return
        self.payment_rows[:] = [p for p in self.payment_rows if p[0] not in payment_ids]
        for cols in (self.claim_cols, self.line_cols, self.adj_cols, self.plb_cols):
            keep = [pid not in payment_ids for pid in cols[0]]
            if all(keep):
                continue
            for col in cols:
                col[:] = list(itertools.compress(col, keep))


def _select(types: Sequence[str]) -> str:
    parts = []
    for i, t in enumerate(types):
        if t.endswith("[]"):
            parts.append(f"CASE WHEN c{i} IS NULL OR c{i}::VARCHAR = '' THEN []::VARCHAR[] "
                         f"ELSE string_split(c{i}::VARCHAR, chr(31)) END")
        else:
            parts.append(f"c{i}::{t}")
    return ", ".join(parts)


def insert_columns(conn: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str],
                   types: Sequence[str], values: Sequence[Sequence[object]]) -> int:
    """Insert column lists into ``table`` in one statement; returns the row count."""
    import numpy as np  # here, not at import: the CLI's start-up never pays for it

    count = len(values[0]) if values else 0
    if any(len(col) != count for col in values):
        raise ValueError(f"{table}: columns of different lengths")
    if count == 0:
        return 0
    data = {f"c{i}": np.fromiter(col, dtype=object, count=count)
            for i, col in enumerate(values)}
    view = f"_parley_{table}_rows"
    conn.register(view, data)
    try:
        conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) "
                     f"SELECT {_select(types)} FROM {view}")
    finally:
        conn.unregister(view)
    return count
