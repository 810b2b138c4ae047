"""Charts of a brief as PNG files (matplotlib, Agg backend, imported on use).

Four charts, each drawn only when its data exists: rates as % of Medicare by code, the
denial rate by month vs the other payers, the days-to-pay distribution against the
clean-claim limit, and each payer's share of revenue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.briefs.facts import Facts
from assistant.briefs.models import Figure

DPI = 110
OURS, OTHERS, GREY = "#1f5f99", "#e39b3b", "#9aa5b1"


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def make_charts(facts: Facts, out_dir: Path) -> list[Figure]:
    """Draw the charts for ``facts`` into ``out_dir``; paths are relative to its parent."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plt = _plt()
    figures: list[Figure] = []
    for key, title, draw in (
        ("rates_vs_medicare", "Rates as % of Medicare, top codes", _rates),
        ("denial_trend", "Denial rate by month", _denials),
        ("days_to_pay", "Days to pay", _days),
        ("revenue_share", "Share of practice revenue, last 12 months", _share),
    ):
        fig, ax = plt.subplots(figsize=(7, 3.6))
        try:
            caption = draw(ax, facts)
            if caption is None:
                continue
            ax.set_title(title, fontsize=11, loc="left")
            ax.spines[["top", "right"]].set_visible(False)
            fig.tight_layout()
            path = out_dir / f"{key}.png"
            fig.savefig(path, dpi=DPI)
            figures.append(Figure(key=key, title=title, path=f"{out_dir.name}/{path.name}",
                                  caption=caption))
        finally:
            plt.close(fig)
    return figures


def _rates(ax: Any, f: Facts) -> str | None:
    pairs = [(r, float(r.medicare_rate)) for r in f.top_rates if r.medicare_rate]
    if not pairs:
        return None
    codes = [r.code for r, _ in pairs]
    mine = [100 * r.rate / mc for r, mc in pairs]
    med = [100 * f.others[r.code]["median"] / mc if r.code in f.others else 0 for r, mc in pairs]
    # a scoped reader's peers are a median only (assistant.scope): no best to plot
    best = [100 * f.others[r.code].get("max", 0) / mc if r.code in f.others else 0 for r, mc in pairs]
    x = range(len(codes))
    ax.bar([i - 0.2 for i in x], mine, width=0.4, color=OURS, label=f.payer_name)
    ax.bar([i + 0.2 for i in x], med, width=0.4, color=OTHERS, label="other payers (median)")
    if any(best):
        ax.scatter([i + 0.2 for i in x], best, marker="_", s=200, color="black",
                   label="other payers (best)", zorder=3)
    ax.axhline(100, color=GREY, linestyle="--", linewidth=1)
    ax.set_xticks(list(x), codes)
    ax.set_ylabel("% of Medicare")
    ax.set_ylim(0, max(mine + best + [100]) * 1.15)
    ax.legend(fontsize=8, frameon=False, loc="upper right", ncol=3)
    return f"{f.payer_name}'s rates in force on {f.as_of} as % of Medicare, by code."


def _denials(ax: Any, f: Facts) -> str | None:
    mine = {m.key: m.denial_rate for m in f.denials.by_month}
    if not mine:
        return None
    # pooled other payers per month from the all-payer result: all minus this payer
    all_m = {m.key: m for m in f.denials_all.by_month}
    own = {m.key: m for m in f.denials.by_month}
    months = sorted(mine)
    others = []
    for k in months:
        a, o = all_m.get(k), own.get(k)
        lines = (a.lines if a else 0) - (o.lines if o else 0)
        denied = (a.denied_lines if a else 0) - (o.denied_lines if o else 0)
        others.append(100 * denied / lines if lines else None)
    ax.plot(months, [mine[k] for k in months], color=OURS, marker="o", markersize=3,
            label=f.payer_name)
    ax.plot(months, others, color=OTHERS, linestyle="--", label="other payers")
    ax.set_ylabel("% of lines denied")
    step = max(1, len(months) // 9)
    ax.set_xticks(months[::step], months[::step], rotation=0, fontsize=8)
    ax.legend(fontsize=8, frameon=False)
    return "Share of claim lines denied per month of service."


def _days(ax: Any, f: Facts) -> str | None:
    t = f.my_timeliness
    if t is None or not t.histogram:
        return None
    labels = list(t.histogram)
    values = list(t.histogram.values())

    def late(label: str) -> bool:
        low = int(label.rstrip("+").split("-")[0])
        return low > t.clean_claim_days

    ax.bar(labels, values, color=[OTHERS if late(b) else OURS for b in labels])
    ax.set_xlabel("days from receipt to payment")
    ax.set_ylabel("claims")
    return (f"Paid claims by days to pay; orange buckets start after the "
            f"{t.clean_claim_days}-day clean-claim limit.")


def _share(ax: Any, f: Facts) -> str | None:
    rows = sorted(((p, share) for p in f.mix.by_payer
                   if p.paid > 0 and (share := p.share_of_paid) is not None), key=lambda r: r[0].paid)
    if not rows:
        return None
    ax.barh([p.payer_name for p, _ in rows], [s for _, s in rows],
            color=[OURS if p.payer_id == f.payer_id else GREY for p, _ in rows])
    for i, (_, share) in enumerate(rows):
        ax.text(share + 0.5, i, f"{share:.1f}%", va="center", fontsize=8)
    ax.set_xlabel("% of paid")
    ax.set_xlim(0, max(s for _, s in rows) * 1.2)
    ax.tick_params(axis="y", labelsize=8)
    return "Each payer's share of what the practice was paid in the last 12 months."
