"""The computed facts of a brief: analytics results for one payer and the practice.

Nothing here writes prose. ``gather_facts`` runs the analytics functions on one read-only
warehouse connection and returns their typed results plus a few derived figures (code
groups, annualised run-rates) computed from them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

import duckdb

from assistant.analytics.counteroffer import (
    CounterofferParams,
    CounterofferResult,
    Proposal,
    ProposalItem,
    model_counteroffer,
)
from assistant.analytics.deadlines import DeadlineParams, DeadlineResult, contract_deadlines
from assistant.analytics.denials import DenialParams, DenialResult, denial_analysis
from assistant.analytics.mix import MixParams, MixResult, PayerVolume, payer_mix
from assistant.analytics.rates import RateComparison, RateParams, RateRow, compare_rates
from assistant.analytics.timeliness import (
    PayerTimeliness,
    TimelinessParams,
    TimelinessResult,
    payment_timeliness,
)
from assistant.analytics.variance import VarianceParams, VarianceResult, reimbursement_variance
from assistant.analytics.vocabulary import code_in_category
from assistant.analytics.walkaway import WalkawayParams, WalkawayResult, walkaway_impact
from assistant.errors import PermissionDenied
from assistant.periods import Period, resolve_period
from assistant.scope import OUT_OF_SCOPE, Scope, enough_peers, peer_aggregate

GROUPS = (("em", "E/M visits"), ("imaging", "Imaging"), ("surgery", "Surgery"),
          ("therapy", "Therapy"), ("lab", "Lab"), ("medicine", "Medicine"))
TOP_CODES = 8


@dataclass
class BriefPolicy:
    """Negotiation assumptions, stated in the brief where they are used."""

    anchor_pp: float = 5.0  # opening ask above target, percentage points of rate increase
    min_spread_pp: float = 3.0  # target at least this far above the walk-away point
    retention_share: float = 0.5  # walk-away scenario: patients kept via other payers
    transition_months: int = 6  # cash cushion: months of lost revenue to bridge


@dataclass
class GroupOffer:
    """Counteroffer for one code group, with the revenue effect of each position."""

    group: str
    label: str
    codes: list[str]
    annual_units: float
    pct_of_medicare: float | None
    gap_to_median_pct: float
    gap_to_best_pct: float
    opening_pct: float
    target_pct: float
    walkaway_pct: float
    results: dict[str, CounterofferResult] = field(default_factory=dict)  # opening/target/walkaway


@dataclass
class Facts:
    """Everything a brief states, as analytics results."""

    payer_id: str
    payer_name: str
    plan_type: str | None
    as_of: dt.date
    year: Period
    mix: MixResult
    me: PayerVolume | None
    rates: RateComparison
    top_rates: list[RateRow]
    others: dict[str, dict[str, float]]  # code -> {min, median, max, n}; scoped: {median, n}
    variance: VarianceResult
    timeliness: TimelinessResult
    timeliness_year: TimelinessResult
    denials: DenialResult
    denials_all: DenialResult
    denials_year_all: DenialResult
    walkaway: WalkawayResult | None
    walkaway_retained: WalkawayResult | None
    deadlines: DeadlineResult
    terms: list[dict[str, Any]]
    tic: list[dict[str, Any]]
    groups: list[GroupOffer]
    policy: BriefPolicy
    scope: list[str] | None = None  # payers the reader may see; None = every payer

    @property
    def has_claims(self) -> bool:
        """True when the warehouse holds claim lines for the payer."""
        return bool(self.me and self.me.lines)

    @property
    def has_contract(self) -> bool:
        """True when contract terms or a fee schedule are loaded for the payer."""
        return bool(self.terms) or any(r.payer_id == self.payer_id for r in self.rates.rows)

    @property
    def my_timeliness(self) -> PayerTimeliness | None:
        """The payer's row of the all-time timeliness result."""
        return next((p for p in self.timeliness.by_payer if p.payer_id == self.payer_id), None)

    def term(self, key: str) -> dict[str, Any] | None:
        """The contract term row in force, or None."""
        return next((t for t in self.terms if t["term"] == key), None)


def gather_facts(conn: duckdb.DuckDBPyConnection, payer_id: str, payer_name: str,
                 plan_type: str | None, as_of: dt.date, terms: list[dict[str, Any]],
                 policy: BriefPolicy | None = None, allowed: list[str] | None = None) -> Facts:
    """Run every analytics function a brief needs for ``payer_id`` as of ``as_of``.

    For a reader scoped to ``allowed`` payers, other payers enter only as aggregates over
    at least three hidden payers (``assistant.scope``): the facts are filtered here, before
    any section, chart or brief.json is built from them.
    """
    policy = policy or BriefPolicy()
    scope = Scope.of(allowed)
    if not scope.allows(payer_id):
        raise PermissionDenied(OUT_OF_SCOPE)
    year = resolve_period("last 12 months", as_of)
    mix = payer_mix(conn, MixParams(period=year))
    rates = compare_rates(conn, RateParams(as_of=as_of))
    others = (_other_stats(rates.rows, payer_id) if allowed is None
              else _peer_stats(rates.rows, allowed))
    totals = enough_peers([p.payer_id for p in mix.by_payer], allowed)
    # Denials "across payers" include the hidden payers: a scoped reader gets them only
    # when they pool at least three hidden payers, else over its own payers (a SQL filter;
    # all-minus-this-payer would otherwise be one or two hidden payers' monthly rates).
    pool = None if totals else scope.allowed
    denials_all = denial_analysis(conn, DenialParams(within=pool))
    denials_year_all = denial_analysis(conn, DenialParams(period=year, within=pool))
    if allowed is not None:
        mix, rates, denials_all, denials_year_all = _in_scope(
            allowed, others, mix, rates, denials_all, denials_year_all)
    me = next((p for p in mix.by_payer if p.payer_id == payer_id), None)
    mine = [r for r in rates.rows if r.payer_id == payer_id]
    top = sorted(mine, key=lambda r: (-r.annual_units, r.code))[:TOP_CODES]
    has_lines = bool(me and me.lines)
    walk = walk_r = None
    if has_lines:
        walk = walkaway_impact(conn, WalkawayParams(
            payer=payer_id, as_of=as_of, retention_share=0.0, retained_revenue_ratio=1.0))
        walk_r = walkaway_impact(conn, WalkawayParams(
            payer=payer_id, as_of=as_of, retention_share=policy.retention_share,
            retained_revenue_ratio=1.0))
        if not totals:  # practice revenue minus this payer's would be one or two payers'
            hide = {"practice_annual_revenue": None, "share_of_revenue": None}
            walk, walk_r = walk.model_copy(update=hide), walk_r.model_copy(update=hide)
    return Facts(
        payer_id=payer_id, payer_name=payer_name, plan_type=plan_type, as_of=as_of, year=year,
        mix=mix, me=me, rates=rates, top_rates=top, others=others,
        variance=reimbursement_variance(conn, VarianceParams(payer=payer_id, within=scope.allowed)),
        timeliness=payment_timeliness(conn, TimelinessParams(payer=payer_id, within=scope.allowed)),
        timeliness_year=payment_timeliness(conn, TimelinessParams(payer=payer_id, period=year,
                                                                  within=scope.allowed)),
        denials=denial_analysis(conn, DenialParams(payer=payer_id, within=scope.allowed)),
        denials_all=denials_all,
        denials_year_all=denials_year_all,
        walkaway=walk, walkaway_retained=walk_r,
        deadlines=contract_deadlines(conn, DeadlineParams(as_of=as_of, payer=payer_id,
                                                          within=scope.allowed)),
        terms=terms, tic=_tic(conn, [r.code for r in top], as_of),
        groups=_groups(conn, payer_id, mine, others, as_of, policy) if has_lines else [],
        policy=policy, scope=list(allowed) if allowed is not None else None)


def _peer_stats(rows: list[RateRow], allowed: list[str]) -> dict[str, dict[str, float]]:
    """Per code, the median and count of the hidden payers' rates (none below three)."""
    by_code: dict[str, dict[str, float]] = {}
    for r in rows:
        by_code.setdefault(r.code, {})[r.payer_id] = r.rate
    out: dict[str, dict[str, float]] = {}
    for code, values in by_code.items():
        agg = peer_aggregate(values, allowed)
        if agg is not None:
            out[code] = {"median": agg["median"], "n": agg["count"]}
    return out


def _in_scope(allowed: list[str], others: dict[str, dict[str, float]], mix: MixResult,
              rates: RateComparison, denials_all: DenialResult,
              denials_year_all: DenialResult) -> tuple[MixResult, RateComparison, DenialResult,
                                                       DenialResult]:
    """The practice-wide results cut to the visible payers: no hidden payer's row, rank,
    share or gap to the best payer; rate targets and gaps are to the peer median."""
    totals = enough_peers([p.payer_id for p in mix.by_payer], allowed)
    mix_rows = [p if totals else p.model_copy(update={"share_of_claims": None, "share_of_paid": None})
                for p in mix.by_payer if p.payer_id in allowed]
    mix = mix.model_copy(update={"by_payer": mix_rows} if totals else
                         {"by_payer": mix_rows, "lines": None, "claims": None, "patients": None,
                          "paid": None, "by_code": []})
    rows = []
    for r in rates.rows:
        if r.payer_id not in allowed:
            continue
        o = others.get(r.code)
        gap = round(max(0.0, o["median"] - r.rate) * r.annual_units, 2) if o else 0.0
        rows.append(r.model_copy(update={"rank": 0, "payers_ranked": 0, "annual_gap": gap,
                                         "target_rate": o["median"] if o else None}))
    gaps: dict[str, float] = {}
    for r in rows:
        gaps[r.payer_id] = round(gaps.get(r.payer_id, 0.0) + r.annual_gap, 2)
    rates = rates.model_copy(update={"rows": rows, "gap_by_payer": gaps,
                                     "total_gap": round(sum(gaps.values()), 2)})
    den = [d.model_copy(update={"by_payer": [p for p in d.by_payer if p.key in allowed]})
           for d in (denials_all, denials_year_all)]
    return mix, rates, den[0], den[1]


def _other_stats(rows: list[RateRow], payer_id: str) -> dict[str, dict[str, float]]:
    by_code: dict[str, list[float]] = {}
    for r in rows:
        if r.payer_id != payer_id:
            by_code.setdefault(r.code, []).append(r.rate)
    return {code: {"min": min(v), "median": round(statistics.median(v), 2), "max": max(v),
                   "n": len(v)} for code, v in by_code.items()}


# Only TiC prices comparable to a practice's contracted fee per unit: dollar amounts
# (not "percentage" of billed charges, not institutional "per diem"), fee-for-service (not
# bundles or capitation), professional claims, the global code (a -26/-TC modifier is a
# component), not expired on the as-of date.
TIC_COMPARABLE = {"negotiated_types": ["negotiated", "fee schedule", "derived"],
                  "negotiation_arrangement": "ffs", "billing_class": "professional",
                  "modifier": "none", "expiration": "on or after as-of"}


def _tic(conn: duckdb.DuckDBPyConnection, codes: list[str], as_of: dt.date) -> list[dict[str, Any]]:
    """Market negotiated rates per code from loaded Transparency-in-Coverage files (only
    prices comparable to a contracted professional fee, see ``TIC_COMPARABLE``)."""
    if not codes:
        return []
    cur = conn.execute(
        """SELECT billing_code AS code, count(*) AS n, min(negotiated_rate) AS min,
                  round(median(negotiated_rate), 2) AS median, max(negotiated_rate) AS max,
                  count(DISTINCT reporting_entity) AS entities
           FROM tic_rates WHERE billing_code IN (SELECT unnest(?::VARCHAR[]))
             AND negotiated_rate IS NOT NULL
             AND lower(trim(coalesce(negotiated_type, 'negotiated'))) IN (SELECT unnest(?))
             AND lower(coalesce(negotiation_arrangement, ?)) = ?
             AND lower(coalesce(billing_class, ?)) = ?
             AND billing_code_modifier IS NULL
             AND (expiration_date IS NULL OR expiration_date >= ?)
           GROUP BY 1 ORDER BY 1""",
        [codes, TIC_COMPARABLE["negotiated_types"], *[TIC_COMPARABLE["negotiation_arrangement"]] * 2,
         *[TIC_COMPARABLE["billing_class"]] * 2, as_of])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def tic_result(f: Facts) -> dict[str, Any]:
    """The market rates as a citable result (function, filters, row count)."""
    return {"function": "tic_market_rates",
            "filters": {"codes": [t["code"] for t in f.tic], "as_of": f.as_of.isoformat(),
                        **TIC_COMPARABLE},
            "row_count": sum(int(t["n"]) for t in f.tic)}


def group_of(code: str) -> tuple[str, str]:
    """(key, label) of the code group a CPT code falls in."""
    for key, label in GROUPS:
        if code_in_category(code, key):
            return key, label
    return "other", "Other services"


def _round_half(x: float) -> float:
    return round(x * 2) / 2


def _groups(conn: duckdb.DuckDBPyConnection, payer_id: str, mine: list[RateRow],
            others: dict[str, dict[str, float]], as_of: dt.date,
            policy: BriefPolicy) -> list[GroupOffer]:
    """Opening / target / walk-away rate increase per code group, each priced."""
    acc: dict[str, dict[str, Any]] = {}
    for r in mine:
        if r.annual_units <= 0:
            continue
        key, label = group_of(r.code)
        a = acc.setdefault(key, {"label": label, "codes": [], "units": 0.0, "cur": 0.0,
                                 "med": 0.0, "best": 0.0, "mc": 0.0, "mc_cur": 0.0})
        o = others.get(r.code, {"median": r.rate, "max": r.rate})
        o = {"max": o["median"], **o}  # a scoped reader's peers have no max: target the median
        a["codes"].append(r.code)
        a["units"] += r.annual_units
        a["cur"] += r.rate * r.annual_units
        a["med"] += o["median"] * r.annual_units
        a["best"] += max(o["max"], r.rate) * r.annual_units
        if r.medicare_rate:
            a["mc"] += r.medicare_rate * r.annual_units
            a["mc_cur"] += r.rate * r.annual_units
    out: list[GroupOffer] = []
    for key, a in sorted(acc.items(), key=lambda kv: -kv[1]["cur"]):
        gap_med = 100 * (a["med"] / a["cur"] - 1) if a["cur"] else 0.0
        gap_best = 100 * (a["best"] / a["cur"] - 1) if a["cur"] else 0.0
        walk = max(0.0, _round_half(gap_med))
        target = max(walk + policy.min_spread_pp, _round_half(gap_best))
        g = GroupOffer(
            group=key, label=a["label"], codes=sorted(a["codes"]),
            annual_units=round(a["units"], 1),
            pct_of_medicare=round(100 * a["mc_cur"] / a["mc"], 1) if a["mc"] else None,
            gap_to_median_pct=round(gap_med, 1), gap_to_best_pct=round(gap_best, 1),
            opening_pct=target + policy.anchor_pp, target_pct=target, walkaway_pct=walk)
        for pos, value in (("opening", g.opening_pct), ("target", g.target_pct),
                           ("walkaway", g.walkaway_pct)):
            g.results[pos] = model_counteroffer(conn, CounterofferParams(
                payer=payer_id, as_of=as_of, proposal=Proposal(items=[ProposalItem(
                    kind="pct_increase", value=value, codes=g.codes)])))
        out.append(g)
    return out
