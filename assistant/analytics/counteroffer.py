"""Counteroffer model: the annual revenue effect of a proposal ("+6% on E/M codes, 105% of
Medicare on imaging") against the payer's current volume."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
from pydantic import BaseModel, Field, model_validator

from assistant.analytics.common import (
    AnalyticsResult,
    annualise_factor,
    default_volume_period,
    medicare_locality,
    medicare_sql,
    money,
    period_filters,
    rates_in_force_sql,
    rows,
)
from assistant.analytics.vocabulary import Vocabulary
from assistant.errors import InputError
from assistant.periods import Period


class ProposalItem(BaseModel):
    """One term of a proposal: which codes, and how their rate changes.

    ``kind``: ``pct_increase`` (value = +6 for +6%), ``pct_of_medicare`` (value = 105),
    ``fixed_rate`` (value = dollars per unit). Codes by list or by category
    (``em``, ``imaging``, ``lab``, ``surgery``, ``medicine``, ``therapy``, ``all``)."""

    kind: Literal["pct_increase", "pct_of_medicare", "fixed_rate"]
    value: float
    codes: list[str] = Field(default_factory=list)
    category: str | None = None

    @model_validator(mode="after")
    def _has_scope(self) -> ProposalItem:
        if not self.codes and not self.category:
            raise ValueError("a proposal item needs codes or a category")
        return self


class Proposal(BaseModel):
    """A counteroffer: items applied in order (the first item naming a code wins)."""

    items: list[ProposalItem]


class CounterofferParams(BaseModel):
    """Payer, proposal and the volume basis."""

    payer: str
    proposal: Proposal
    as_of: dt.date
    volume_period: Period | None = None  # default trailing 12 months
    locality: str | None = None


class CodeEffect(BaseModel):
    """Effect on one code."""

    code: str
    item: int  # index of the proposal item applied
    annual_units: float
    current_rate: float
    current_rate_source: str  # fee_schedule | average_allowed
    proposed_rate: float
    medicare_rate: float | None
    annual_current: float
    annual_proposed: float
    annual_effect: float


class CounterofferResult(AnalyticsResult):
    """Annual effect of a proposal."""

    payer_id: str
    codes: list[CodeEffect]
    annual_current: float
    annual_proposed: float
    annual_effect: float
    pct_change: float
    codes_without_volume: list[str]


def _scope(item: ProposalItem, vocab: Vocabulary) -> list[str]:
    if item.codes:
        return [vocab.resolve_code(c) for c in item.codes]
    if item.category and item.category.lower() == "all":
        return list(vocab.codes)
    return vocab.codes_in_category(item.category or "")


def model_counteroffer(conn: duckdb.DuckDBPyConnection,
                       params: CounterofferParams) -> CounterofferResult:
    """Apply the proposal to the rates in force on ``as_of`` and the trailing volume."""
    vocab = Vocabulary.load(conn)
    payer_id = vocab.resolve_payer(params.payer)
    chosen: dict[str, int] = {}
    for i, item in enumerate(params.proposal.items):
        for code in _scope(item, vocab):
            chosen.setdefault(code, i)
    if not chosen:
        raise InputError("The proposal names no known code.")
    vol = params.volume_period or default_volume_period(params.as_of)
    factor = annualise_factor(vol)
    loc = medicare_locality(conn, params.locality)
    data = rows(conn, f"""
        WITH r AS ({rates_in_force_sql()}), m AS ({medicare_sql()}),
        v AS (SELECT code, sum(units) AS units, count(*) AS n,
                     sum(allowed) / nullif(sum(units), 0) AS avg_allowed
              FROM claim_lines WHERE payer_id = ? AND date_of_service BETWEEN ? AND ?
                AND coalesce(status, 'paid') <> 'denied' GROUP BY code)
        SELECT c.code, v.units, v.n, v.avg_allowed, r.rate, m.medicare_rate
        FROM (SELECT unnest(?::VARCHAR[]) AS code) c
        LEFT JOIN v USING (code) LEFT JOIN m USING (code)
        LEFT JOIN (SELECT * FROM r WHERE payer_id = ?) r USING (code) ORDER BY c.code""",
        [params.as_of, params.as_of, loc, params.as_of.year, payer_id, vol.start, vol.end,
         sorted(chosen), payer_id])
    effects: list[CodeEffect] = []
    missing: list[str] = []
    n_rows = 0
    for d in data:
        n_rows += int(d["n"] or 0)
        if not d["units"]:
            missing.append(d["code"])
            continue
        item_no = chosen[d["code"]]
        item = params.proposal.items[item_no]
        cur = float(d["rate"]) if d["rate"] is not None else float(d["avg_allowed"] or 0)
        med = float(d["medicare_rate"]) if d["medicare_rate"] is not None else None
        if item.kind == "pct_increase":
            new = cur * (1 + item.value / 100)
        elif item.kind == "fixed_rate":
            new = item.value
        else:
            if med is None:
                raise InputError(f"No Medicare rate is loaded for code {d['code']}.")
            new = med * item.value / 100
        units = float(d["units"]) * factor
        effects.append(CodeEffect(
            code=d["code"], item=item_no, annual_units=round(units, 1),
            current_rate=money(cur),
            current_rate_source="fee_schedule" if d["rate"] is not None else "average_allowed",
            proposed_rate=money(new), medicare_rate=med, annual_current=money(cur * units),
            annual_proposed=money(new * units), annual_effect=money((new - cur) * units)))
    current = sum(e.annual_current for e in effects)
    proposed = sum(e.annual_proposed for e in effects)
    filters = {"payer_id": payer_id, "as_of": params.as_of.isoformat(),
               "proposal": params.proposal.model_dump(), "medicare_locality": loc,
               "volume": period_filters(vol)}
    return CounterofferResult(
        function="model_counteroffer", filters=filters, row_count=n_rows, payer_id=payer_id,
        codes=effects, annual_current=money(current), annual_proposed=money(proposed),
        annual_effect=money(proposed - current),
        pct_change=round(100 * (proposed - current) / current, 2) if current else 0.0,
        codes_without_volume=missing)
