"""Denials: rate by payer, code, CARC group, reason and month; top recurring reasons with
their CARC descriptions; pattern changes (a quarter departing from its trailing baseline)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import duckdb
from pydantic import BaseModel

from assistant.analytics.common import (
    AnalyticsResult,
    ScopedParams,
    line_where,
    money,
    period_filters,
    resolve_inputs,
    rows,
)
from assistant.periods import Period

if TYPE_CHECKING:
    from assistant.settings import Settings


class DenialParams(ScopedParams):
    """Filters; pattern-change thresholds (change in percentage points and ratio)."""

    payer: str | None = None
    code: str | None = None
    period: Period | None = None
    top_n: int = 10
    baseline_quarters: int = 4
    min_change_pp: float = 2.0
    min_ratio: float = 1.5
    min_lines: int = 30
    # A reason concentrated on a few codes is diluted in the payer's all-code rate: where a
    # reason rose for a payer, each code is tested alone and the codes that rose are
    # reported as one change over them. A code has few lines a quarter, so the test is the
    # exact binomial tail P(X >= denied | lines, baseline rate), not the normal z.
    min_code_lines: int = 5
    max_code_p: float = 0.001


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
    """A quarter whose denial rate (for a payer, optionally one reason, optionally some
    codes) departs from the rate of the preceding ``baseline_quarters`` quarters; sorted by
    |z_score|."""

    payer_id: str
    carc: str | None  # None = all reasons
    description: str | None
    quarter: str
    rate: float  # percent of the payer's lines (of ``codes`` when set) that quarter
    baseline_rate: float
    change_pp: float
    ratio: float | None
    z_score: float  # binomial z of the quarter's rate against the (smoothed) baseline
    denied_lines: int
    lines: int
    codes: list[str] | None = None  # None = all codes


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
    """Denial rates, top reasons and pattern changes over the filtered claim lines.

    One scan builds a payer x code x reason x month cube; every breakdown is summed from it.
    """
    payer_id, code = resolve_inputs(conn, params.payer, params.code, params.scope)
    where, p = line_where(payer_id, code, params.period, scope=params.scope)
    cube = rows(conn, f"""SELECT payer_id, code, CASE WHEN status = 'denied' THEN group_code
        END AS grp, CASE WHEN status = 'denied' THEN carc END AS carc,
        date_trunc('month', date_of_service) AS month, count(*) AS n,
        count(*) FILTER (status = 'denied') AS d,
        coalesce(sum(billed) FILTER (status = 'denied'), 0) AS b
        FROM claim_lines WHERE {where} GROUP BY ALL""", p)
    for c in cube:
        m = c["month"]
        c["month"] = m.strftime("%Y-%m")
        c["qk"] = m.year * 10 + (m.month - 1) // 3 + 1

    def by(key: str, limit: int | None = None, denied_only: bool = False) -> list[DenialRate]:
        acc: dict[str, list[float]] = {}
        for c in cube:
            k = str(c[key]) if c[key] is not None else "none"
            a = acc.setdefault(k, [0, 0, 0.0])
            a[0] += c["n"]
            a[1] += c["d"]
            a[2] += float(c["b"])
        out = [DenialRate(key=k, lines=int(a[0]), denied_lines=int(a[1]),
                          denial_rate=round(100 * a[1] / a[0], 2) if a[0] else 0,
                          denied_billed=money(a[2]))
               for k, a in acc.items() if a[1] > 0 or not denied_only]
        if limit:
            return sorted(out, key=lambda r: (-r.denied_lines, r.key))[:limit]
        return sorted(out, key=lambda r: r.key)

    n_lines = sum(c["n"] for c in cube)
    denied = sum(c["d"] for c in cube)
    reasons: dict[tuple[str | None, str | None], int] = {}
    for c in cube:
        if c["d"]:
            reasons[(c["grp"], c["carc"])] = reasons.get((c["grp"], c["carc"]), 0) + c["d"]
    descs = dict(conn.execute("SELECT code, description FROM carc_codes").fetchall())
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0][1] or ""))[:params.top_n]
    top = [DenialReason(group_code=g, carc=r, description=descs.get(r) if r else None,
                        denied_lines=n,
                        share_of_denials=round(100 * n / denied, 2) if denied else 0)
           for (g, r), n in ranked]
    filters = {"payer_id": payer_id, "code": code, **period_filters(params.period)}
    return DenialResult(
        function="denial_analysis", filters=filters, row_count=n_lines,
        lines=n_lines, denied_lines=denied,
        denial_rate=round(100 * denied / n_lines, 2) if n_lines else 0.0,
        by_payer=by("payer_id"), by_code=by("code", limit=50, denied_only=True),
        by_group=by("grp", denied_only=True), by_month=by("month"), top_reasons=top,
        changes=_changes(cube, descs, params))


def _changes(cube: list[dict[str, Any]], descs: dict[str, str], params: DenialParams
             ) -> list[DenialChange]:
    lines_by: dict[tuple[str, int], int] = {}
    code_lines: dict[tuple[str, str, int], int] = {}
    counts: dict[tuple[str, str | None], dict[int, int]] = {}
    code_counts: dict[tuple[str, str, str], dict[int, int]] = {}
    for c in cube:
        key = (c["payer_id"], c["qk"])
        lines_by[key] = lines_by.get(key, 0) + c["n"]
        ck = (c["payer_id"], c["code"], c["qk"])
        code_lines[ck] = code_lines.get(ck, 0) + c["n"]
        if c["d"]:
            for carc in (None, c["carc"]) if c["carc"] is not None else (None,):
                by_q = counts.setdefault((c["payer_id"], carc), {})
                by_q[c["qk"]] = by_q.get(c["qk"], 0) + c["d"]
            if c["carc"] is not None:
                by_q = code_counts.setdefault((c["payer_id"], c["carc"], c["code"]), {})
                by_q[c["qk"]] = by_q.get(c["qk"], 0) + c["d"]
    qkeys: dict[str, list[int]] = {}
    for payer, qk in sorted(lines_by):
        qkeys.setdefault(payer, []).append(qk)
    out: list[DenialChange] = []
    for (payer, carc), by_q in counts.items():
        out += _test(payer, carc, None, qkeys.get(payer, []), by_q,
                     lambda q, p=payer: lines_by[(p, q)], descs, params, params.min_lines)
    # Drill down where a reason rose for the payer: the codes that rose with it, as one
    # change over them (only there, so thousands of payer x reason x code x quarter series
    # do not throw up chance clusters).
    rose = {(c.payer_id, c.carc, int(c.quarter[:4]) * 10 + int(c.quarter[-1]))
            for c in out if c.carc is not None and c.change_pp > 0}
    spiked: dict[tuple[str, str, int], list[str]] = {}
    for (payer, carc, code), by_q in code_counts.items():
        for qk in sorted(q for p, r, q in rose if p == payer and r == carc):
            if _test(payer, carc, [code], qkeys.get(payer, []), by_q,
                     lambda q, p=payer, c=code: code_lines.get((p, c, q), 0), descs, params,
                     params.min_code_lines, params.max_code_p, only=qk):
                spiked.setdefault((payer, carc, qk), []).append(code)
    for (payer, carc, qk), codes in spiked.items():
        merged: dict[int, int] = {}
        for code in codes:
            for k, d in code_counts[(payer, carc, code)].items():
                merged[k] = merged.get(k, 0) + d
        found = _test(payer, carc, sorted(codes), qkeys.get(payer, []), merged,
                      lambda q, p=payer, cs=codes: sum(code_lines.get((p, c, q), 0) for c in cs),
                      descs, params, params.min_code_lines, params.max_code_p, only=qk)
        out += found
    return sorted(out, key=lambda c: -abs(c.z_score))


def _test(payer: str, carc: str | None, codes: list[str] | None, quarters: list[int],
          by_q: dict[int, int], lines_in: Any, descs: dict[str, str], params: DenialParams,
          min_lines: int, max_p: float | None = None, only: int | None = None
          ) -> list[DenialChange]:
    """Quarters whose denial rate departs from the preceding ``baseline_quarters``; with
    ``max_p``, only rises whose binomial tail probability is at most ``max_p``."""
    out: list[DenialChange] = []
    ks = sorted(quarters)
    for i, qk in enumerate(ks):
        if only is not None and qk != only:
            continue
        prev = ks[max(0, i - params.baseline_quarters):i]
        n = lines_in(qk)
        base_n = sum(lines_in(k) for k in prev)
        if len(prev) < 2 or n < min_lines or base_n == 0:
            continue
        rate = 100 * by_q.get(qk, 0) / n
        base_rate = 100 * sum(by_q.get(k, 0) for k in prev) / base_n
        p0 = (sum(by_q.get(k, 0) for k in prev) + 0.5) / (base_n + 1)
        z = (rate / 100 - p0) / math.sqrt(p0 * (1 - p0) / n)
        change = rate - base_rate
        ratio = rate / base_rate if base_rate else None
        if max_p is not None and (change <= 0 or _tail(by_q.get(qk, 0), n, p0) > max_p):
            continue
        if abs(change) >= params.min_change_pp and (
                ratio is None or ratio >= params.min_ratio or ratio <= 1 / params.min_ratio):
            out.append(DenialChange(
                payer_id=payer, carc=carc, description=descs.get(carc) if carc else None,
                quarter=f"{qk // 10}Q{qk % 10}", rate=round(rate, 2),
                baseline_rate=round(base_rate, 2), change_pp=round(change, 2),
                ratio=round(ratio, 2) if ratio is not None else None, z_score=round(z, 2),
                denied_lines=by_q.get(qk, 0), lines=n, codes=codes))
    return out


def import_heavy_libraries(settings: Settings | None = None) -> None:
    """Import torch (when the embedder runs on it) and then scipy.stats on the calling
    thread. Call it once before starting threads that may import either: scipy.stats reads
    ``sys.modules["torch"].Tensor`` while it imports and on first calls (array-api-compat),
    and a torch that another thread is still importing has no ``Tensor`` yet -- the
    intermittent "partially initialized module 'torch'" crash of a brief after an ingest."""
    import importlib.util

    uses_torch = settings is None or settings.embedding_backend == "torch"
    if uses_torch and importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401
    import scipy.stats  # noqa: F401


def _tail(denied: int, lines: int, p0: float) -> float:
    """P(X >= denied) for X ~ Binomial(lines, p0)."""
    from scipy.stats import binom

    return float(binom.sf(denied - 1, lines, p0))
