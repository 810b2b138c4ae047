"""``parley demo``: the whole job on the embedded defaults, in one command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import settings_from


def register(app: typer.Typer) -> None:
    """Add the demo command."""

    @app.command()
    def demo(
        ctx: typer.Context,
        claims: Annotated[int, typer.Option(help="Claim lines to generate.")] = 24000,
        seed: Annotated[int, typer.Option(help="Random seed of the sample practice.")] = 7,
        skip_brief: Annotated[bool, typer.Option("--skip-brief", help="Do not write a brief.")] = False,
    ) -> None:
        """Generate the sample practice, ingest it, answer a few questions and write a brief.

        Everything runs offline: no API key, no model download. The sample goes to
        DATA_DIR/sample; the stores and the brief to DATA_DIR (default ./.parley).
        """
        import datetime as dt
        import time

        from rich.console import Console
        from rich.markdown import Markdown
        from rich.rule import Rule

        from assistant.embeddings import create_embedder
        from assistant.factory import create_assistant
        from assistant.prompts import PROMPTS_DIR
        from assistant.sample.generate import generate
        from ingest.job import run_ingest

        console = Console()
        settings = settings_from(ctx)
        source = settings.data_dir / "sample"
        console.print(Rule("1. Sample practice"))
        generate(source, seed=seed, n_lines=claims, force=True)
        truth = json.loads((source / "ground_truth.json").read_text(encoding="utf-8"))
        if settings.as_of is None:  # the sample is written for its reference date
            settings = settings.model_copy(update={"as_of": dt.date.fromisoformat(truth["reference_date"])})
        console.print(f"Wrote {source} ({claims:,} claim lines); as-of date {settings.today()}")

        console.print(Rule("2. Ingest"))
        embedder = create_embedder(settings)
        t0 = time.perf_counter()
        summary = run_ingest(settings, [source], prune=True, embedder=embedder).to_dict()
        counts = ", ".join(f"{n} {s}" for s, n in summary["counts"].items() if n)
        console.print(
            f"{counts} — {summary['chunks']} chunks, {summary['embedded']} embedded "
            f"in {time.perf_counter() - t0:.1f}s"
        )

        console.print(Rule("3. Questions"))
        spec = json.loads((PROMPTS_DIR / "demo_questions.json").read_text(encoding="utf-8"))
        assistant = create_assistant(settings, embedder=embedder)
        for q in spec["questions"]:
            answer = assistant.ask(q)
            console.print(f"[bold]Q: {q}[/bold]  [dim]({answer.latency_ms:.0f} ms)[/dim]")
            console.print(Markdown(answer.to_markdown()))
            console.print()

        if skip_brief:
            return
        console.print(Rule("4. Negotiation brief"))
        try:
            from assistant.briefs.build import build_brief
        except ImportError:
            console.print("Briefs are not available in this build.")
            return
        brief = build_brief(
            settings, spec["brief_payer"], formats=("md", "html", "docx", "pdf"), embedder=embedder
        )
        console.print(f"Brief {brief.brief_id} for {brief.payer_name}:")
        for fmt, path in sorted(brief.files.items()):
            console.print(f"  {fmt}: {Path(path)}")
