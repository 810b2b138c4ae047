"""Templated sections 5-8 and the change log: contract language, beyond rates, walk-away,
counteroffer with talking points and pitfalls, and changes since the previous brief."""

from __future__ import annotations

from typing import Any

from assistant.briefs.evidence import clause_guidance
from assistant.briefs.models import Brief, Section
from assistant.briefs.sections import Ctx, denial_comparison, render, underpayment_run_rate
from assistant.vocabulary import CLAUSE_TYPES, TERM_KEYS

PRIOR_AUTH_CARCS = {"197", "15", "62", "39"}
FILING_CARCS = {"29"}


def language_section(ctx: Ctx) -> Section:
    """5. Deadlines with days left, then each clause quoted and cited with risk and ask."""
    f = ctx.facts
    items: list[dict[str, Any]] = []
    absent: list[str] = []
    for ctype, guide in clause_guidance().items():
        p = ctx.clauses.get(ctype)
        label = CLAUSE_TYPES[ctype].label if ctype in CLAUSE_TYPES else ctype
        if p is None:
            absent.append(label)
            continue
        values = []
        for key in guide["terms"]:
            row = f.term(key)
            if row is not None:
                value = row["value_num"] if row["value_num"] is not None else row["value_text"]
                values.append({"label": TERM_KEYS[key].label, "value": value,
                               "unit": TERM_KEYS[key].unit})
        items.append({"type": ctype, "label": label, "quote": p.flat, "hit": p.hit,
                      "doc": p.document,
                      "ref": ctx.clause_ref(ctype), "risk": guide["risk"], "ask": guide["ask"],
                      "in_force": values})
    missing = [] if items else ["contract"]
    return render("language", ctx, missing, items=items, absent=absent,
                  deadlines=f.deadlines.contracts, dref=ctx.fig["deadlines"])


def beyond_section(ctx: Ctx) -> Section:
    """6. Payment timing, claims requirements, prior-auth burden, dispute resolution."""
    f = ctx.facts
    reasons = f.denials.top_reasons
    denied = max(f.denials.denied_lines, 1)
    auth = [r for r in reasons if (r.carc or "") in PRIOR_AUTH_CARCS]
    filing = [r for r in reasons if (r.carc or "") in FILING_CARCS]
    auth_lines = sum(r.denied_lines for r in auth)
    return render(
        "beyond", ctx, [] if f.has_claims else ["claims"], t=f.my_timeliness,
        auth=auth, auth_lines=auth_lines, auth_share=round(100 * auth_lines / denied, 1),
        filing=filing, fig=ctx.fig, terms={k: f.term(k) for k in TERM_KEYS},
        cref={k: ctx.clause_ref(k) for k in ("prompt_pay", "timely_filing", "claims_submission",
                                               "prior_authorization", "appeals",
                                               "dispute_resolution")})


def recommendation(ctx: Ctx) -> str:
    """credible | prepared | not_credible: can we credibly walk away from this payer?"""
    w = ctx.facts.walkaway
    if w is None or w.share_of_revenue is None:  # None: not shown at the reader's scope
        return "unknown"
    leverage = bool(ctx.notes.get("leverage"))
    if w.share_of_revenue < 10 or (w.share_of_revenue < 20 and leverage):
        return "credible"
    if w.share_of_revenue < 25 or (w.share_of_revenue < 40 and leverage):
        return "prepared"
    return "not_credible"


def walkaway_section(ctx: Ctx) -> Section:
    """7. Revenue and patients at risk, what alternatives absorb, cushion, recommendation."""
    f = ctx.facts
    w, wr = f.walkaway, f.walkaway_retained
    cushion = round(wr.revenue_lost / 12 * f.policy.transition_months, 2) if wr else None
    return render("walkaway", ctx, [] if w else ["claims"], w=w, wr=wr, cushion=cushion,
                  policy=f.policy, rec=recommendation(ctx), fig=ctx.fig,
                  tw=f.term("termination_without_cause_days"),
                  tw_ref=ctx.clause_ref("termination_without_cause"),
                  leverage=ctx.note_items("leverage"), walk_notes=ctx.note_items("walkaway"))


def talking_points(ctx: Ctx) -> list[dict[str, Any]]:
    """Facts for the talking points, each with the footnotes that support it."""
    f = ctx.facts
    pts: list[dict[str, Any]] = []
    below = [g for g in f.groups if g.gap_to_median_pct > 0]
    if below:
        pts.append({"kind": "rates", "groups": below, "refs": [ctx.fig["rates"]]})
    behind = [g for g in f.groups if g.gap_to_median_pct <= 0 < g.gap_to_best_pct]
    if behind:
        pts.append({"kind": "rates_best", "groups": behind, "refs": [ctx.fig["rates"]]})
    for n in ctx.note_items("leverage")[:2]:
        pts.append({"kind": "leverage", "note": n, "refs": [n["ref"]]})
    for n in ctx.note_items("quality")[:2]:
        pts.append({"kind": "quality", "note": n, "refs": [n["ref"]]})
    if f.variance.patterns:
        pts.append({"kind": "underpayment", "p": f.variance.patterns[0],
                    "total": f.variance.total_short, "run": underpayment_run_rate(f),
                    "refs": [ctx.fig["variance"]]})
    t = f.my_timeliness
    if t and t.late_claims:
        pts.append({"kind": "late", "t": t, "quote": ctx.clauses.get("prompt_pay"),
                    "refs": [ctx.fig["timeliness"], ctx.clause_ref("prompt_pay")]})
    den = denial_comparison(f)
    if den["excess_billed"] > 0:
        pts.append({"kind": "denials", "den": den, "refs": [ctx.fig["denials_year"]]})
    if "most_favored_nation" in ctx.clauses:
        pts.append({"kind": "mfn", "quote": ctx.clauses["most_favored_nation"],
                    "refs": [ctx.clause_ref("most_favored_nation")]})
    d = f.deadlines.contracts[0] if f.deadlines.contracts else None
    if d and d.notice_deadline:
        pts.append({"kind": "deadline", "d": d,
                    "refs": [ctx.fig["deadlines"], ctx.clause_ref("term_renewal")]})
    for p in pts:
        p["refs"] = [r for r in p["refs"] if r]
    return pts


def counteroffer_section(ctx: Ctx, written_points: str | None = None) -> Section:
    """8. Opening / target / walk-away per code group with revenue effects, talking points
    (templated, or model-written and grounding-checked) and the pitfalls checklist."""
    f = ctx.facts
    return render("counteroffer", ctx, [] if f.groups else ["claims or fee schedule"],
                  groups=f.groups, fig=ctx.fig, points=talking_points(ctx),
                  written_points=written_points, policy=f.policy, rec=recommendation(ctx),
                  offers=ctx.note_items("offer"), has_leverage=bool(ctx.notes.get("leverage")))


def headline_figures(ctx: Ctx) -> dict[str, float | int | None]:
    """The figures compared between two briefs of the same payer."""
    f = ctx.facts
    t = f.my_timeliness
    d = f.deadlines.contracts[0] if f.deadlines.contracts else None
    den = denial_comparison(f)
    return {
        "Annual revenue (paid, last 12 months)": f.me.paid if f.me else None,
        "Share of practice revenue (%)": f.me.share_of_paid if f.me else None,
        ("Annual rate gap to best payer" if f.scope is None
         else "Annual rate gap to other payers' median"): f.rates.gap_by_payer.get(f.payer_id),
        "Underpaid total": f.variance.total_short,
        "Late-paid share of claims (%)": t.share_late if t else None,
        "Prompt-pay interest owed": t.interest_owed if t else None,
        "Denial rate, last 12 months (%)": den["mine"].denial_rate if den["mine"] else None,
        "Days to the notice deadline": d.days_until_notice_deadline if d else None,
    }


def changes_section(ctx: Ctx, previous: Brief | None, current: dict[str, Any],
                    ask_keys: list[str]) -> Section | None:
    """What moved since the previous brief for this payer (None when there is none)."""
    if previous is None:
        return None
    before = previous.facts.get("headline", {})
    rows = [{"label": k, "before": before.get(k), "after": v} for k, v in current.items()
            if before.get(k) != v]
    old_asks = {a.key for a in previous.summary}
    return render("changes", ctx, [], previous=previous, rows=rows,
                  new_asks=[k for k in ask_keys if k not in old_asks],
                  dropped_asks=[a.title for a in previous.summary if a.key not in ask_keys])
