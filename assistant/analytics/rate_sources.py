"""Where a contract rate comes from: a fee-schedule CSV row, a contract exhibit row (file,
page, section, the row as written) or a rate rule ("112% of the 2025 MPFS", "60% of billed
charges"), so every rate an answer states can be cited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

import duckdb
from pydantic import BaseModel

from assistant.stores.fee_sources import EFFECTIVE_FEE_SQL, UNDATED


class RateSource(BaseModel):
    """The source of one contract rate."""

    payer_id: str
    code: str | None  # None for a payer-wide rule (percent of billed charges)
    effective_from: dt.date | None  # None: the contract states no effective date
    origin: str  # csv | contract | rule | billed_rule
    file: str  # file name
    page: int | None = None
    section: str = ""
    quote: str = ""
    program: str = ""
    basis: str = ""
    citation: str  # one line: file, page, section and the row or sentence

    @classmethod
    def from_row(cls, d: dict[str, Any]) -> RateSource:
        """Build from a row with origin/source_file/page/section/quote/program/basis."""
        origin = str(d.get("origin") or "csv")
        name = PurePath(str(d.get("source_file") or "")).name or "fee schedule"
        eff = d.get("effective_from")
        quote = " ".join(str(d.get("quote") or "").split())
        where = ", ".join(x for x in (f"p. {d['page']}" if d.get("page") else "",
                                      str(d.get("section") or "")) if x)
        if origin == "csv":
            citation = (f"{name} (fee-schedule CSV line: {d['payer_id']} {d.get('code') or ''} "
                        f"from {eff})")
        else:
            citation = f"{name}{', ' + where if where else ''}: \u201c{quote}\u201d"
            if d.get("basis") and origin != "contract":
                citation += f" ({d['basis']})"
        return cls(payer_id=str(d["payer_id"]), code=d.get("code"),
                   effective_from=None if eff == UNDATED else eff, origin=origin, file=name,
                   page=d.get("page"), section=str(d.get("section") or ""), quote=quote,
                   program=str(d.get("program") or ""), basis=str(d.get("basis") or ""),
                   citation=citation)


def rate_sources(conn: duckdb.DuckDBPyConnection,
                 keys: Iterable[tuple[str, str, dt.date | None]],
                 limit: int = 50) -> dict[tuple[str, str, dt.date | None], RateSource]:
    """The source of each (payer_id, code, rate effective_from) used for expected amounts:
    the code's fee-schedule row, else the payer's percent-of-billed rule of that date."""
    out: dict[tuple[str, str, dt.date | None], RateSource] = {}
    for key in list(dict.fromkeys(keys))[:limit]:
        payer, code, eff = key
        if eff is None:
            continue
        cur = conn.execute(f"""SELECT * FROM ({EFFECTIVE_FEE_SQL})
                               WHERE payer_id = ? AND code = ? AND effective_from = ?""",
                           [payer, code, eff])
        names = [c[0] for c in cur.description]
        row = cur.fetchone()
        if row is None:
            cur = conn.execute("""SELECT payer_id, NULL AS code, coalesce(effective_from,
                    DATE '1900-01-01') AS effective_from, 'billed_rule' AS origin, source_file,
                    page, section, quote, program, pct || '% of billed charges' AS basis
                    FROM fee_rules WHERE kind = 'billed_pct' AND payer_id = ?
                      AND coalesce(effective_from, DATE '1900-01-01') = ?
                    ORDER BY coalesce(program, '') <> '', pct LIMIT 1""", [payer, eff])
            names = [c[0] for c in cur.description]
            row = cur.fetchone()
        if row is not None:
            out[key] = RateSource.from_row(dict(zip(names, row, strict=True)))
    return out


def payer_rules(conn: duckdb.DuckDBPyConnection, payer_id: str | None) -> list[dict[str, Any]]:
    """The payer's rate rules as read from its contracts (every kind, with citations)."""
    cur = conn.execute("""SELECT payer_id, kind, pct, year, locality, setting, program,
            effective_from, source_file, page, section, quote, note FROM fee_rules
            WHERE ? IS NULL OR payer_id = ? ORDER BY payer_id, effective_from, source_file""",
                       [payer_id, payer_id])
    names = [c[0] for c in cur.description]
    out = []
    for r in cur.fetchall():
        d = dict(zip(names, r, strict=True))
        d["file"] = PurePath(str(d.pop("source_file") or "")).name
        if d["effective_from"] == UNDATED:
            d["effective_from"] = None
        out.append(d)
    return out
