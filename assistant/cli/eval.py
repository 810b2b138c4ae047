"""``parley eval``: run the evaluation suites, print a table, write JSON + HTML reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import settings_from


def register(app: typer.Typer) -> None:
    """Add the eval command."""

    @app.command("eval")
    def eval_(
        ctx: typer.Context,
        suite: Annotated[
            str, typer.Option(help="sample, riverbend, cuad, x835, routing, spans or all.")
        ] = "sample",
        model: Annotated[str | None, typer.Option(help="Chat model (default: offline).")] = None,
        baseline: Annotated[
            Path | None,
            typer.Option(
                help="A previous report.json or eval/baselines/<suite>.json to compare with."
            ),
        ] = None,
        fail_under: Annotated[
            list[str] | None,
            typer.Option(
                "--fail-under",
                help="metric=value; exit 1 when below, e.g. numeric_exactness=0.95 "
                "or cuad.parley_recall@5=0.6.",
            ),
        ] = None,
        limit: Annotated[
            int | None, typer.Option(help="Sample suite: only the first N questions.")
        ] = None,
        cuad_limit: Annotated[int, typer.Option(help="CUAD contracts to use (0 = all 510).")] = 40,
        spans_limit: Annotated[
            int, typer.Option(help="Spans suite: CUAD contracts to use (0 = all eligible).")
        ] = 20,
        out: Annotated[Path, typer.Option(help="Folder for report.json and report.html.")] = Path(
            "eval-report"
        ),
        seed: Annotated[int, typer.Option(help="Sample (and riverbend) practice seed.")] = 7,
        claims: Annotated[int, typer.Option(help="Sample practice claim lines.")] = 2500,
        cuad_dir: Annotated[
            Path | None, typer.Option(help="CUAD folder (default ../shared/data/cuad).")
        ] = None,
        x835_dir: Annotated[Path | None, typer.Option(help="X12 835 samples folder.")] = None,
        judge: Annotated[
            str | None,
            typer.Option(
                help="Optional judge chat model (e.g. openai:gpt-4o-mini) for a 1-5 score."
            ),
        ] = None,
        save_baselines: Annotated[
            Path | None,
            typer.Option(
                help="Also write <suite>.json baselines (metrics only) here, e.g. eval/baselines."
            ),
        ] = None,
    ) -> None:
        """Measure answers, citations, figures, refusals and retrieval; compare with a baseline.

        Example: parley eval --suite all --baseline eval/baselines/sample.json
        --fail-under numeric_exactness=0.95
        """
        from rich.console import Console
        from rich.table import Table

        from eval.runner import EvalConfig, EvalRegression, parse_thresholds, run_eval

        console = Console(stderr=True)
        suites = (
            ["sample", "riverbend", "cuad", "x835", "routing"]
            if suite == "all"
            else [s.strip() for s in suite.split(",")]
        )
        config = EvalConfig(
            suites=suites,
            model=model,
            limit=limit,
            out=out,
            baseline=baseline,
            fail_under=parse_thresholds(fail_under or []),
            seed=seed,
            claims=claims,
            cuad_limit=cuad_limit or None,
            spans_limit=spans_limit or None,
            judge=judge,
        )
        if cuad_dir:
            config.cuad_dir = cuad_dir
        if x835_dir:
            config.x835_dir = x835_dir
        with console.status("evaluating…") as status:
            report = run_eval(
                settings_from(ctx), config, progress=lambda s, msg: status.update(f"[{s}] {msg}")
            )
        if save_baselines:
            import json

            from eval.runner import baseline_of

            save_baselines.mkdir(parents=True, exist_ok=True)
            for name in report["suites"]:
                (save_baselines / f"{name}.json").write_text(
                    json.dumps(baseline_of(report, name), indent=2, default=str) + "\n",
                    encoding="utf-8",
                )
        comparison = report.get("comparison", {})
        table = Table(title=f"Parley evaluation — {report['model']}")
        for col in ("metric", "value", "baseline", "delta"):
            table.add_column(col, justify="left" if col == "metric" else "right")
        from eval.runner import flat_metrics

        for key, value in flat_metrics(report).items():
            c = comparison.get(key)
            table.add_row(
                key,
                f"{value:.4g}",
                f"{c['baseline']:.4g}" if c else "",
                f"{c['delta']:+.4g}" if c else "",
            )
        Console().print(table)
        console.print(f"reports: {out / 'report.json'}, {out / 'report.html'}")
        failures = report["thresholds"]["failures"]
        if failures:
            raise EvalRegression("eval below threshold: " + "; ".join(failures))
