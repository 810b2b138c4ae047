"""Rate comparison: contracted rate per code across payers, % of Medicare, rank, and the
volume-weighted annual revenue gap to a target (the best payer, or X% of Medicare)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
from pydantic import BaseModel

from assistant.analytics.common import (
    AnalyticsResult,
    annualise_factor,
    default_volume_period,
    medicare_locality,
    medicare_sql,
    money,
    payer_names,
    period_filters,
    rates_in_force_sql,
    resolve_inputs,
    rows,
)
from assistant.analytics.rate_sources import RateSource
from assistant.periods import Period


class RateParams(BaseModel):
    """What to compare. ``payer``/``code`` accept ids, names or aliases."""

    as_of: dt.date
    payer: str | None = None
    code: str | None = None
    target: Literal["best_payer", "medicare_pct"] = "best_payer"
    target_medicare_pct: float = 100.0  # used when target == "medicare_pct"
    volume_period: Period | None = None  # default: trailing 12 months before as_of
    locality: str | None = None


class RateRow(BaseModel):
    """One payer × code."""

    payer_id: str
    payer_name: str
    code: str
    rate: float
    effective_from: dt.date
    contract_id: str | None
    medicare_rate: float | None
    pct_of_medicare: float | None
    rank: int  # 1 = highest rate for this code
    payers_ranked: int
    annual_units: float
    target_rate: float | None
    annual_gap: float  # (target - rate) x annual units, 0 when at/above target
    source: RateSource | None = None  # the CSV line, contract exhibit row or rule cited


class RateComparison(AnalyticsResult):
    """Rates in force on ``as_of`` with benchmarks and gaps."""

    as_of: dt.date
    medicare_locality: str | None
    rows: list[RateRow]
    gap_by_payer: dict[str, float]
    total_gap: float


def compare_rates(conn: duckdb.DuckDBPyConnection, params: RateParams) -> RateComparison:
    """Contracted rates across payers (all payers are ranked even when one is asked for)."""
    payer_id, code = resolve_inputs(conn, params.payer, params.code)
    vol = params.volume_period or default_volume_period(params.as_of)
    loc = medicare_locality(conn, params.locality)
    factor = annualise_factor(vol)
    sql = f"""
    WITH r AS ({rates_in_force_sql()}),
    m AS ({medicare_sql()}),
    v AS (SELECT payer_id, code, sum(units) AS units, count(*) AS n FROM claim_lines
          WHERE date_of_service BETWEEN ? AND ? GROUP BY payer_id, code)
    SELECT r.payer_id, r.code, r.rate, r.effective_from, r.contract_id, m.medicare_rate,
           r.origin, r.source_file, r.page, r.section, r.quote, r.program, r.basis,
           rank() OVER (PARTITION BY r.code ORDER BY r.rate DESC) AS rank,
           count(*) OVER (PARTITION BY r.code) AS payers_ranked,
           max(r.rate) OVER (PARTITION BY r.code) AS best_rate,
           coalesce(v.units, 0) AS units, coalesce(v.n, 0) AS n
    FROM r LEFT JOIN m USING (code) LEFT JOIN v USING (payer_id, code)
    WHERE (? IS NULL OR r.code = ?)
    ORDER BY r.code, rank, r.payer_id"""
    data = rows(conn, sql, [params.as_of, params.as_of, loc, params.as_of.year,
                            vol.start, vol.end, code, code])
    names = payer_names(conn)
    out: list[RateRow] = []
    for d in data:
        if payer_id and d["payer_id"] != payer_id:
            continue
        if d["origin"] == "rule" and not code and not d["n"]:
            continue  # a percent-of-Medicare rule covers every code: list the billed ones
        rate = float(d["rate"])
        med = float(d["medicare_rate"]) if d["medicare_rate"] is not None else None
        target: float | None
        if params.target == "best_payer":
            target = float(d["best_rate"])
        else:
            target = med * params.target_medicare_pct / 100 if med is not None else None
        units = float(d["units"]) * factor
        gap = max(0.0, (target - rate)) * units if target is not None else 0.0
        out.append(RateRow(
            payer_id=d["payer_id"], payer_name=names.get(d["payer_id"], d["payer_id"]),
            code=d["code"], rate=money(rate), effective_from=d["effective_from"],
            contract_id=d["contract_id"], medicare_rate=med,
            pct_of_medicare=round(100 * rate / med, 1) if med else None,
            rank=int(d["rank"]), payers_ranked=int(d["payers_ranked"]),
            annual_units=round(units, 1),
            target_rate=money(target) if target is not None else None, annual_gap=money(gap),
            source=RateSource.from_row(d)))
    gap_by_payer: dict[str, float] = {}
    for r in out:
        gap_by_payer[r.payer_id] = money(gap_by_payer.get(r.payer_id, 0) + r.annual_gap)
    filters = {"as_of": params.as_of.isoformat(), "payer_id": payer_id, "code": code,
               "target": params.target, "medicare_locality": loc,
               **({"target_medicare_pct": params.target_medicare_pct}
                  if params.target == "medicare_pct" else {}),
               "volume": period_filters(vol)}
    return RateComparison(
        function="compare_rates", filters=filters,
        row_count=sum(int(d["n"]) for d in data
                      if not payer_id or d["payer_id"] == payer_id),
        as_of=params.as_of, medicare_locality=loc, rows=out, gap_by_payer=gap_by_payer,
        total_gap=money(sum(gap_by_payer.values())))
