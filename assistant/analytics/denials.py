"""Denials: rate by payer, code, CARC group, reason and month; top recurring reasons with
their CARC descriptions; pattern changes (a quarter departing from its trailing baseline)."""

from __future__ import annotations

import math

import duckdb
from pydantic import BaseModel

from assistant.analytics.common import (
    AnalyticsResult,
    line_where,
    money,
    period_filters,
    resolve_inputs,
    rows,
)
from assistant.analytics.periods import Period


class DenialParams(BaseModel):
    """Filters; pattern-change thresholds (change in percentage points and ratio)."""

    payer: str | None = None
    code: str | None = None
    period: Period | None = None
    top_n: int = 10
    baseline_quarters: int = 4
    min_change_pp: float = 2.0
    min_ratio: float = 1.5
    min_lines: int = 30


class DenialRate(BaseModel):
    """Denials of one group."""

    key: str
    lines: int
    denied_lines: int
    denial_rate: float  # percent
    denied_billed: float


class DenialReason(BaseModel):
    """A recurring denial reason."""

    group_code: str | None
    carc: str | None
    description: str | None
    denied_lines: int
    share_of_denials: float  # percent


class DenialChange(BaseModel):
    """A quarter whose denial rate (for a payer, optionally one reason) departs from the
    rate of the preceding ``baseline_quarters`` quarters; sorted by |z_score|."""

    payer_id: str
    carc: str | None  # None = all reasons
    description: str | None
    quarter: str
    rate: float  # percent of the payer's lines that quarter
    baseline_rate: float
    change_pp: float
    ratio: float | None
    z_score: float  # binomial z of the quarter's rate against the (smoothed) baseline
    denied_lines: int
    lines: int


class DenialResult(AnalyticsResult):
    """Denial figures."""

    lines: int
    denied_lines: int
    denial_rate: float
    by_payer: list[DenialRate]
    by_code: list[DenialRate]
    by_group: list[DenialRate]
    by_month: list[DenialRate]
    top_reasons: list[DenialReason]
    changes: list[DenialChange]


def denial_analysis(conn: duckdb.DuckDBPyConnection, params: DenialParams) -> DenialResult:
    """Denial rates, top reasons and pattern changes over the filtered claim lines."""
    payer_id, code = resolve_inputs(conn, params.payer, params.code)
    where, p = line_where(payer_id, code, params.period)
    base = f"WITH l AS (SELECT *, status = 'denied' AS den FROM claim_lines WHERE {where})"

    def by(expr: str, limit: int | None = None, denied_only: bool = False) -> list[DenialRate]:
        having = "HAVING count(*) FILTER (den) > 0" if denied_only else ""
        order = "denied DESC" if limit else "1"
        data = rows(conn, base + f""" SELECT {expr} AS key, count(*) AS n,
            count(*) FILTER (den) AS denied, coalesce(sum(billed) FILTER (den), 0) AS billed
            FROM l GROUP BY 1 {having} ORDER BY {order}{f' LIMIT {int(limit)}' if limit else ''}""",
            p)
        return [DenialRate(key=str(d["key"]), lines=d["n"], denied_lines=d["denied"],
                           denial_rate=round(100 * d["denied"] / d["n"], 2) if d["n"] else 0,
                           denied_billed=money(d["billed"])) for d in data]

    tot = rows(conn, base + " SELECT count(*) AS n, count(*) FILTER (den) AS d FROM l", p)[0]
    reasons = rows(conn, base + """ SELECT l.group_code, l.carc, c.description,
        count(*) AS n FROM l LEFT JOIN carc_codes c ON c.code = l.carc WHERE den
        GROUP BY ALL ORDER BY n DESC, l.carc LIMIT ?""", p + [params.top_n])
    denied = int(tot["d"])
    top = [DenialReason(group_code=r["group_code"], carc=r["carc"], description=r["description"],
                        denied_lines=r["n"],
                        share_of_denials=round(100 * r["n"] / denied, 2) if denied else 0)
           for r in reasons]
    filters = {"payer_id": payer_id, "code": code, **period_filters(params.period)}
    return DenialResult(
        function="denial_analysis", filters=filters, row_count=int(tot["n"]),
        lines=int(tot["n"]), denied_lines=denied,
        denial_rate=round(100 * denied / tot["n"], 2) if tot["n"] else 0.0,
        by_payer=by("payer_id"), by_code=by("code", limit=50, denied_only=True),
        by_group=by("coalesce(group_code, 'none')", denied_only=True),
        by_month=by("strftime(date_of_service, '%Y-%m')"), top_reasons=top,
        changes=_changes(conn, base, p, params))


def _changes(conn: duckdb.DuckDBPyConnection, base: str, p: list, params: DenialParams
             ) -> list[DenialChange]:
    data = rows(conn, base + """ SELECT payer_id,
        year(date_of_service) * 10 + quarter(date_of_service) AS qk, NULL AS carc,
        count(*) AS dn FROM l WHERE den GROUP BY ALL
        UNION ALL SELECT payer_id, year(date_of_service) * 10 + quarter(date_of_service),
        carc, count(*) FROM l WHERE den AND carc IS NOT NULL GROUP BY ALL""", p)
    quarters = rows(conn, base + """ SELECT DISTINCT payer_id,
        year(date_of_service) * 10 + quarter(date_of_service) AS qk, count(*) AS n
        FROM l GROUP BY ALL ORDER BY qk""", p)
    lines_by = {(r["payer_id"], r["qk"]): r["n"] for r in quarters}
    qkeys: dict[str, list[int]] = {}
    for r in quarters:
        qkeys.setdefault(r["payer_id"], []).append(r["qk"])
    counts: dict[tuple[str, str | None], dict[int, int]] = {}
    for r in data:
        counts.setdefault((r["payer_id"], r["carc"]), {})[r["qk"]] = r["dn"]
    descs = dict(conn.execute("SELECT code, description FROM carc_codes").fetchall())
    out: list[DenialChange] = []
    for (payer, carc), by_q in counts.items():
        ks = sorted(qkeys.get(payer, []))
        for i, qk in enumerate(ks):
            prev = ks[max(0, i - params.baseline_quarters):i]
            n = lines_by[(payer, qk)]
            if len(prev) < 2 or n < params.min_lines:
                continue
            rate = 100 * by_q.get(qk, 0) / n
            base_rate = 100 * sum(by_q.get(k, 0) for k in prev) / sum(lines_by[(payer, k)]
                                                                      for k in prev)
            base_n = sum(lines_by[(payer, k)] for k in prev)
            p0 = (sum(by_q.get(k, 0) for k in prev) + 0.5) / (base_n + 1)
            z = (rate / 100 - p0) / math.sqrt(p0 * (1 - p0) / n)
            change = rate - base_rate
            ratio = rate / base_rate if base_rate else None
            if abs(change) >= params.min_change_pp and (ratio is None or ratio >= params.min_ratio
                                                        or ratio <= 1 / params.min_ratio):
                out.append(DenialChange(
                    payer_id=payer, carc=carc, description=descs.get(carc) if carc else None,
                    quarter=f"{qk // 10}Q{qk % 10}", rate=round(rate, 2),
                    baseline_rate=round(base_rate, 2), change_pp=round(change, 2),
                    ratio=round(ratio, 2) if ratio is not None else None, z_score=round(z, 2),
                    denied_lines=by_q.get(qk, 0), lines=n))
    return sorted(out, key=lambda c: -abs(c.z_score))
