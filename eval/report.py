"""Write an evaluation report as JSON and as one self-contained HTML page with charts."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

SAMPLE_KEYS = (
    "numeric_exactness",
    "citation_accuracy",
    "faithfulness",
    "refusal_accuracy",
    "routing_accuracy",
    "retrieval_recall@5",
    "passed_items",
)


def write_reports(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """``out/report.json`` and ``out/report.html``; returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    jpath, hpath = out / "report.json", out / "report.html"
    jpath.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    hpath.write_text(render_html(report), encoding="utf-8")
    return jpath, hpath


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _charts(report: dict[str, Any]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts: list[tuple[str, str]] = []
    suites = report.get("suites", {})
    if sample := suites.get("sample"):
        m = sample["metrics"]
        keys = [k for k in SAMPLE_KEYS if m.get(k) is not None]
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.barh(keys, [m[k] for k in keys], color="#3b6ea5")
        base = report.get("comparison", {})
        for i, k in enumerate(keys):
            if f"sample.{k}" in base:
                ax.plot(base[f"sample.{k}"]["baseline"], i, "k|", markersize=18)
        ax.set_xlim(0, 1)
        ax.set_title("Sample-practice suite (| = baseline)")
        charts.append(("Sample suite metrics", _png(fig)))
        lat = [i["latency_ms"] for i in sample.get("items", []) if i.get("latency_ms")]
        if lat:
            fig, ax = plt.subplots(figsize=(7, 2.5))
            ax.hist(lat, bins=30, color="#777")
            ax.set_xlabel("latency (ms)")
            ax.set_title(f"Latency p50 {m['latency_p50_ms']} ms, p95 {m['latency_p95_ms']} ms")
            charts.append(("Latency", _png(fig)))
    if cuad := suites.get("cuad"):
        m = cuad["metrics"]
        fig, ax = plt.subplots(figsize=(6, 3))
        for system in ("parley", "fixed_dense", "bm25"):
            ax.plot(
                [1, 3, 5, 10],
                [m[f"{system}_recall@{k}"] for k in (1, 3, 5, 10)],
                marker="o",
                label=system,
            )
        ax.set_xlabel("k")
        ax.set_ylabel("recall@k")
        ax.set_ylim(0, 1)
        ax.legend()
        ax.set_title(
            f"CUAD clause retrieval ({cuad['contracts']} contracts, {cuad['queries']} queries)"
        )
        charts.append(("CUAD recall@k", _png(fig)))
        cats = list(cuad["by_category"])
        if cats:
            fig, ax = plt.subplots(figsize=(8, 3.5))
            width = 0.27
            for j, system in enumerate(("parley", "fixed_dense", "bm25")):
                ax.bar(
                    [i + j * width for i in range(len(cats))],
                    [cuad["by_category"][c][system]["recall@5"] for c in cats],
                    width,
                    label=system,
                )
            ax.set_xticks([i + width for i in range(len(cats))])
            ax.set_xticklabels(cats, rotation=30, ha="right", fontsize=8)
            ax.set_ylim(0, 1)
            ax.legend(fontsize=8)
            ax.set_title("CUAD recall@5 per category")
            charts.append(("CUAD recall@5 per category", _png(fig)))
    return charts


def _table(rows: list[list[Any]], head: list[str]) -> str:
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><tr>{th}</tr>{body}</table>"


def render_html(report: dict[str, Any]) -> str:
    """The report as one HTML page (charts embedded as PNG data URIs)."""
    parts = [
        f"<h1>Parley evaluation</h1><p>model <b>{html.escape(str(report.get('model')))}</b>, "
        f"started {html.escape(str(report.get('started')))}</p>"
    ]
    fails = report.get("thresholds", {}).get("failures") or []
    if fails:
        parts.append("<p class=bad>Below threshold: " + html.escape("; ".join(fails)) + "</p>")
    for name, res in report.get("suites", {}).items():
        metrics = {k: v for k, v in (res.get("metrics") or {}).items() if not isinstance(v, dict)}
        parts.append(
            f"<h2>{html.escape(name)}</h2>"
            + _table([[k, v] for k, v in metrics.items()], ["metric", "value"])
        )
        if name == "sample":
            bad = [i for i in res.get("items", []) if not i.get("passed")]
            parts.append(
                f"<h3>Items not passing ({len(bad)})</h3>"
                + _table(
                    [
                        [
                            i["id"],
                            i["question"],
                            "; ".join(f["expected"] for f in i["figures"] if not f["ok"]),
                            i.get("citation_ok"),
                            i.get("refused"),
                            i.get("skipped") or "",
                            (i.get("answer") or "")[:240],
                        ]
                        for i in bad
                    ],
                    [
                        "id",
                        "question",
                        "missing figures",
                        "citation ok",
                        "refused",
                        "skipped",
                        "answer",
                    ],
                )
            )
        if name == "cuad":
            rows = [
                [
                    c,
                    d["queries"],
                    *(d[s]["recall@5"] for s in ("parley", "fixed_dense", "bm25")),
                    d["parley"]["mrr"],
                ]
                for c, d in res.get("by_category", {}).items()
            ]
            parts.append(
                _table(
                    rows,
                    ["category", "queries", "parley r@5", "fixed r@5", "bm25 r@5", "parley MRR"],
                )
            )
            parts.append("<p>" + html.escape(res.get("doc_filter", "")) + "</p>")
    if comp := report.get("comparison"):
        parts.append(
            "<h2>Against baseline</h2>"
            + _table(
                [[k, v["baseline"], v["current"], v["delta"]] for k, v in comp.items()],
                ["metric", "baseline", "current", "delta"],
            )
        )
    if fb := report.get("feedback"):
        parts.append(
            f"<h2>Slack feedback</h2><p>{fb['up']} 👍 / {fb['down']} 👎 of {fb['votes']} votes</p>"
        )
    for title, uri in _charts(report):
        parts.append(f"<h3>{html.escape(title)}</h3><img src='{uri}' alt='{html.escape(title)}'>")
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:"
        "collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}"
        ".bad{color:#b00;font-weight:bold}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Parley evaluation</title>"
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )
