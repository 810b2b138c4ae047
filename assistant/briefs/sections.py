"""Templated sections 1-4: the summary asks, our position, rates, contract compliance.

Each ``*_section`` function turns facts into the variables of its Jinja template under
``prompts/brief/`` and renders it; prose lives in the templates, numbers in the facts,
and every figure or quote carries a footnote number from ``Citations``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.briefs.cite import Citations, refs
from assistant.briefs.evidence import Passage, _load
from assistant.briefs.facts import Facts, tic_result
from assistant.briefs.models import Ask, Section
from assistant.engines import formatting
from assistant.prompts import load_prompt

FMT: dict[str, Any] = {"money": formatting.money, "pct": formatting.pct, "num": formatting.num,
                       "share": formatting.share, "term_value": formatting.term_value,
                       "refs": refs}

TITLES = {
    "summary": "1. Summary", "position": "2. Our position", "rates": "3. Rates",
    "compliance": "4. Is the payer honouring the contract?", "language": "5. Contract language",
    "beyond": "6. Beyond rates", "walkaway": "7. Walk-away analysis",
    "counteroffer": "8. Counteroffer", "changes": "Changes since the last brief",
}


@dataclass
class Ctx:
    """What every section builder needs."""

    facts: Facts
    cites: Citations
    clauses: dict[str, Passage]
    notes: dict[str, list[Passage]]
    fig: dict[str, int] = field(default_factory=dict)  # figure citation numbers by key
    derived: dict[str, Any] = field(default_factory=dict)  # figures computed from the facts

    def clause_ref(self, ctype: str) -> int | None:
        """Footnote number of a clause passage (None when the clause was not found)."""
        p = self.clauses.get(ctype)
        return self.cites.passage(p) if p else None

    def note_items(self, kind: str) -> list[dict[str, Any]]:
        """Note sentences of one kind, each with its footnote number."""
        return [{"text": p.flat, "ref": self.cites.passage(p, kind="note")}
                for p in self.notes.get(kind, [])]


def _plain(value: Any) -> Any:
    """JSON-ready copy of a template variable (models dumped, dates as text)."""
    import datetime as _dt

    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def render(key: str, ctx: Ctx, missing: list[str], **variables: Any) -> Section:
    """Render ``prompts/brief/<key>.md.j2`` into a Section."""
    text = load_prompt(f"brief/{key}.md.j2", f=ctx.facts, missing=missing, **FMT, **variables)
    # Figures a section computes from the facts (totals, cushions, medians) are recorded so
    # every number in the brief can be traced to brief.json.
    ctx.derived[key] = {k: _plain(v) for k, v in variables.items() if k not in ("f", "missing")}
    return Section(key=key, title=TITLES[key], markdown=text.strip(), missing=missing)


def cite_figures(ctx: Ctx) -> None:
    """Register the analytics results as numbered sources, in reading order."""
    f, c = ctx.facts, ctx.cites
    ctx.fig["mix"] = c.figure("Payer mix, last 12 months", f.mix)
    ctx.fig["rates"] = c.figure("Contracted rates in force vs other payers and Medicare", f.rates)
    ctx.fig["variance"] = c.figure("Paid vs contracted, all claim lines", f.variance)
    ctx.fig["timeliness"] = c.figure("Days to pay vs the clean-claim term", f.timeliness)
    ctx.fig["timeliness_year"] = c.figure("Days to pay, last 12 months", f.timeliness_year)
    ctx.fig["denials"] = c.figure("Denials of this payer", f.denials)
    ctx.fig["denials_all"] = c.figure("Denials across payers", f.denials_all)
    ctx.fig["denials_year"] = c.figure("Denials across payers, last 12 months",
                                       f.denials_year_all)
    ctx.fig["deadlines"] = c.figure("Contract deadlines", f.deadlines)
    if f.tic:
        ctx.fig["tic"] = c.figure("Market negotiated rates, Transparency-in-Coverage files",
                                  tic_result(f))
    if f.walkaway:
        ctx.fig["walkaway"] = c.figure("Walk-away impact, no patients retained", f.walkaway)
    if f.walkaway_retained:
        ctx.fig["walkaway_r"] = c.figure("Walk-away impact, with retention",
                                         f.walkaway_retained)
    for g in f.groups:
        for pos, res in g.results.items():
            ctx.fig[f"co:{g.group}:{pos}"] = c.figure(f"Counteroffer {g.label}, {pos}", res)


# ---------- derived figures used by several sections ----------

def carc_names() -> dict[str, str]:
    """Fallback CARC descriptions (prompts/brief/carc.json)."""
    return _load("carc.json")


def underpayment_run_rate(f: Facts) -> float:
    """Annual underpayment at the run-rate since the main pattern began (0 without one)."""
    if not f.variance.patterns:
        return 0.0
    start = f.variance.patterns[0].start_month
    months = [m for m in f.variance.by_month if m.key >= start]
    if not months:
        return 0.0
    last = max(m.key for m in months)
    span = (int(last[:4]) - int(start[:4])) * 12 + int(last[5:]) - int(start[5:]) + 1
    return round(sum(m.short for m in months) / span * 12, 2)


def denial_comparison(f: Facts) -> dict[str, Any]:
    """This payer's 12-month denial rate vs the other payers' pooled rate, excess billed."""
    mine = next((r for r in f.denials_year_all.by_payer if r.key == f.payer_id), None)
    other = [r for r in f.denials_year_all.by_payer if r.key != f.payer_id]
    o_lines = sum(r.lines for r in other)
    o_rate = round(100 * sum(r.denied_lines for r in other) / o_lines, 2) if o_lines else None
    excess = 0.0
    if mine and o_rate is not None and mine.denial_rate > o_rate > 0:
        excess = round(mine.denied_billed * (1 - o_rate / mine.denial_rate), 2)
    return {"mine": mine, "others_rate": o_rate, "excess_billed": excess}


def build_asks(ctx: Ctx) -> list[Ask]:
    """The 3-4 asks of the Summary, largest money at stake first."""
    f = ctx.facts
    money_asks: list[Ask] = []
    target = round(sum(g.results["target"].annual_effect for g in f.groups), 2)
    if target > 0:
        money_asks.append(Ask(key="rates", title="Raise rates to the target", detail="",
                              annual_value=target,
                              refs=[ctx.fig[f"co:{g.group}:target"] for g in f.groups]))
    run = underpayment_run_rate(f)
    if run > 0:
        money_asks.append(Ask(key="underpayment", title="Pay the contract rate",
                              detail="", annual_value=run, refs=[ctx.fig["variance"]]))
    t = f.timeliness_year.by_payer[0] if f.timeliness_year.by_payer else None
    if t and t.late_claims:
        money_asks.append(Ask(key="prompt_pay", title="Pay on time, with interest", detail="",
                              annual_value=t.interest_owed,
                              refs=[ctx.fig["timeliness_year"], ctx.clause_ref("prompt_pay") or 0]))
    den = denial_comparison(f)
    if den["excess_billed"] > 0:
        money_asks.append(Ask(key="denials", title="Bring denials down to our other payers'",
                              detail="", annual_value=den["excess_billed"],
                              refs=[ctx.fig["denials_year"]]))
    money_asks.sort(key=lambda a: -(a.annual_value or 0))
    asks = money_asks[:3]
    for ctype, key, title in (("most_favored_nation", "mfn", "Strike the MFN clause"),
                              ("fee_schedule_updates", "amendments",
                               "No rate changes without our signature")):
        if len(asks) >= 4 or ctype not in ctx.clauses:
            continue
        if ctype == "most_favored_nation" and not _yes(f.term("mfn_present")):
            continue
        asks.append(Ask(key=key, title=title, detail="", refs=[ctx.clause_ref(ctype) or 0]))
    for a in asks:
        a.refs = [r for r in a.refs if r]
        a.detail = load_prompt("brief/ask_detail.md.j2", a=a, f=f, den=den, run=run, t=t,
                               clauses=ctx.clauses, **FMT).strip()
    return asks


def _yes(term: dict[str, Any] | None) -> bool:
    return term is not None and str(term.get("value_text", "")).lower() in ("true", "1", "yes")


# ---------- sections ----------

def summary_section(ctx: Ctx, asks: list[Ask]) -> Section:
    """1. The asks with the money at stake per year and the next deadline."""
    f = ctx.facts
    missing = [] if f.has_claims else ["claims"]
    if not f.has_contract:
        missing.append("contract")
    total = round(sum(a.annual_value or 0 for a in asks), 2)
    deadline = f.deadlines.contracts[0] if f.deadlines.contracts else None
    return render("summary", ctx, missing, asks=asks, total=total, deadline=deadline,
                  dref=ctx.fig["deadlines"], nref=ctx.clause_ref("term_renewal"))


def position_section(ctx: Ctx) -> Section:
    """2. Volume, patients, revenue and share; sole-provider and quality evidence."""
    f = ctx.facts
    missing = [] if f.has_claims else ["claims"]
    ranked = sorted(f.mix.by_payer, key=lambda p: -p.paid)
    rank = next((i + 1 for i, p in enumerate(ranked) if p.payer_id == f.payer_id), None)
    if f.scope is not None:
        rank = None  # a rank among payers the reader cannot see tells where they stand
    leverage, quality = ctx.note_items("leverage"), ctx.note_items("quality")
    if not leverage:
        missing.append("leverage notes")
    return render("position", ctx, missing, me=f.me, rank=rank, n_payers=len(ranked),
                  ref=ctx.fig["mix"], leverage=leverage, quality=quality,
                  offers=ctx.note_items("offer"))


def rates_section(ctx: Ctx) -> Section:
    """3. Top codes by volume vs other payers, Medicare and the market; the annual gap."""
    f = ctx.facts
    missing = [] if f.top_rates else ["fee schedule"]
    gap = f.rates.gap_by_payer.get(f.payer_id, 0.0)
    tic = {t["code"]: t for t in f.tic}
    return render("rates", ctx, missing, rows=f.top_rates, others=f.others, gap=gap, tic=tic,
                  ref=ctx.fig["rates"], tic_ref=ctx.fig.get("tic"), groups=f.groups)


def compliance_section(ctx: Ctx) -> Section:
    """4. Underpayments, late payments vs the prompt-pay clause, denials vs other payers."""
    f = ctx.facts
    missing = [] if f.has_claims else ["claims"]
    pp = ctx.clauses.get("prompt_pay")
    den = denial_comparison(f)
    recent = f.denials.by_month[-6:]
    return render("compliance", ctx, missing, v=f.variance, run=underpayment_run_rate(f),
                  t=f.my_timeliness, pp=pp, pp_ref=ctx.clause_ref("prompt_pay"),
                  den=den, d=f.denials, recent=recent, fig=ctx.fig, carc=carc_names(),
                  fs_ref=ctx.clause_ref("appeals"))
