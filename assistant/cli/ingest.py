"""``parley ingest PATH... [--prune] [--json]``: contracts and notes into the stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ingest.job import IngestSummary
    from ingest.results import DocResult


def _print_summary(summary: IngestSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    data = summary.to_dict()
    counts = data["counts"]
    table = Table(title="Ingestion summary", show_lines=False)
    table.add_column("status")
    table.add_column("file")
    table.add_column("pages", justify="right")
    table.add_column("chunks", justify="right")
    table.add_column("reason / note")
    order = {
        "failed": 0,
        "skipped": 1,
        "pruned": 2,
        "replaced": 3,
        "ingested": 4,
        "loaded": 5,
        "unchanged": 6,
    }
    shown = sorted(summary.results, key=lambda r: (order.get(r.status, 9), r.path))
    many = len(shown) > 40
    quiet_loads = 0
    for r in shown:
        if r.status == "unchanged" and many:
            continue
        note = r.reason or "; ".join(r.warnings)
        if many and r.status == "loaded" and "warning" not in note:
            quiet_loads += 1  # a clearinghouse folder holds thousands: counted, not listed
            continue
        style = {"failed": "red", "skipped": "yellow", "pruned": "magenta"}.get(r.status, "")
        table.add_row(
            r.status, Path(r.path).name, str(r.pages or ""), str(r.chunks or ""), note, style=style
        )
    if quiet_loads:
        table.add_row("loaded", f"{quiet_loads} structured files", "", "",
                      "835s, CSVs and rate files without warnings (--json lists each)")
    console.print(table)
    line = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    console.print(
        f"{line or 'nothing to do'} — {data['pages']} pages, {data['chunks']} chunks, "
        f"{data['embedded']} embedded"
    )
    for w in data["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {w}")


def register(app: typer.Typer) -> None:
    """Add the ``ingest`` command."""

    @app.command("ingest")
    def ingest_command(
        ctx: typer.Context,
        paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
        prune: Annotated[
            bool, typer.Option("--prune", help="Remove documents gone from these folders.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
        reembed: Annotated[
            bool, typer.Option("--reembed", help="First re-embed every stored chunk with the "
                               "configured embedding backend (after changing "
                               "PARLEY_EMBEDDING_BACKEND); no file is parsed again for it.")
        ] = False,
    ) -> None:
        """Ingest contracts, amendments and notes (PDF, DOCX, text, Markdown, e-mail).

        Unchanged files are skipped without re-embedding; changed ones are replaced; a file
        that fails is reported and its last good version stays searchable.
        """
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from assistant.cli import settings_from
        from ingest.job import IngestJob

        settings = settings_from(ctx)
        totals = {"pages": 0, "chunks": 0}
        parts: dict[str, Any] = {}
        if reembed:
            from assistant.embeddings import create_embedder
            from assistant.stores.vectors import create_vector_store

            parts["embedder"] = create_embedder(settings)
            parts["store"] = create_vector_store(settings, parts["embedder"], reembed=True)
            n = parts["store"].reembed(parts["embedder"], settings.embedding_model)
            typer.echo(f"re-embedded {n} stored chunks with the "
                       f"{settings.embedding_backend} backend", err=as_json)
        if as_json:
            job = IngestJob(settings, **parts)
            summary = job.run(list(paths), prune=prune)
            typer.echo(json.dumps(summary.to_dict(), indent=2, default=str))
            return
        with Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[pages]} pages · {task.fields[chunks]} chunks"),
            TextColumn("[dim]{task.description}"),
            transient=True,
        ) as progress:
            task = progress.add_task("", total=None, pages=0, chunks=0)

            def on_result(result: DocResult) -> None:
                totals["pages"] += result.pages
                totals["chunks"] += result.chunks
                progress.update(
                    task,
                    advance=1,
                    description=Path(result.path).name[:40],
                    pages=totals["pages"],
                    chunks=totals["chunks"],
                )

            job = IngestJob(settings, on_result=on_result, **parts)
            files, _ = job.plan(list(paths))
            progress.update(task, total=len(files))
            summary = job.run(list(paths), prune=prune)
        _print_summary(summary)
