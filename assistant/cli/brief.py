"""``parley brief``: build a negotiation brief for one payer, list or re-export stored ones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import parse_date_arg, settings_from


def register(app: typer.Typer) -> None:
    """Add the brief and briefs commands."""

    @app.command()
    def brief(
        ctx: typer.Context,
        payer: Annotated[str, typer.Argument(help="Payer name, alias or id, e.g. 'Blue Summit'.")],
        out: Annotated[
            Path | None, typer.Option(help="Also copy the brief's files into this folder.")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", help="Comma-separated: md,html,docx,pdf (md always).")
        ] = "md",
        model: Annotated[
            str | None,
            typer.Option(help="Chat model for the narrative, e.g. 'openai:gpt-4o-mini' "
                              "(default: the configured one; 'offline' = templates only)."),
        ] = None,
        as_of: Annotated[
            str | None, typer.Option(help="Build the brief as of this date (YYYY-MM-DD).")
        ] = None,
    ) -> None:
        """Draft the negotiation brief for a payer: asks, position, rates, compliance,
        contract language, walk-away and counteroffer, every figure and clause cited.

        Example: parley brief "Blue Summit" --format md,docx,pdf --out ./briefs
        """
        import shutil

        from assistant.briefs.build import build_brief, parse_formats

        settings = settings_from(ctx)
        day = parse_date_arg(as_of, "--as-of") if as_of else None
        result = build_brief(settings, payer, as_of=day, formats=parse_formats(fmt),
                             model_spec=model)
        folder = Path(result.files["md"]).parent
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder, out / result.brief_id, dirs_exist_ok=True)
            folder = out / result.brief_id
        typer.echo(f"Brief {result.brief_id} for {result.payer_name} (as of {result.as_of}), "
                   f"{result.timings.get('total', 0):.1f} s")
        for a in result.summary:
            value = f"${a.annual_value:,.2f}/yr" if a.annual_value is not None else "terms"
            typer.echo(f"  - {a.title}: {value}")
        for name in sorted(result.files):
            typer.echo(f"  {name}: {folder / Path(result.files[name]).name}")

    @app.command()
    def briefs(
        ctx: typer.Context,
        payer: Annotated[str | None, typer.Option(help="Only this payer (id or name).")] = None,
        export: Annotated[
            str | None, typer.Option(help="Brief id to export again (with --format).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="md, html, docx or pdf.")] = "pdf",
    ) -> None:
        """List stored briefs (newest first), or export a stored one again."""
        from assistant.briefs.build import export_brief, list_briefs

        settings = settings_from(ctx)
        if export:
            typer.echo(str(export_brief(settings, export, fmt)))
            return
        found = list_briefs(settings, payer)
        if not found:
            typer.echo("No stored briefs.")
        for b in found:
            typer.echo(f"{b.brief_id}  {b.payer_name}  as of {b.as_of}  built {b.created_at}")
