"""``parley load PATH...``: load structured files (835, CSV, TiC JSON) into the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

STRUCTURED_SUFFIXES = {".835", ".csv", ".json", ".txt", ".edi", ".x12", ""}


def register(app: typer.Typer) -> None:
    """Add the ``load`` command to the ``parley`` app."""

    @app.command("load")
    def load(
        ctx: typer.Context,
        paths: Annotated[list[Path], typer.Argument(help="Files or folders to load.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line per "
                                              "file.")] = False,
    ) -> None:
        """Load remittances (X12 835), claims / fee-schedule / cost / Medicare / payer CSVs
        and TiC in-network JSON into the warehouse. Each file is one transaction; a bad
        file is reported and skipped; unchanged files are skipped. Payers are then rebuilt
        from every file loaded (see 'parley payers')."""
        import json

        from assistant.cli import settings_from
        from assistant.errors import IngestError, InputError
        from assistant.stores.warehouse import open_warehouse
        from ingest.loaders import find_loader

        settings = settings_from(ctx)
        files: list[Path] = []
        for p in paths:
            if p.is_dir():
                files += sorted(f for f in p.rglob("*") if f.is_file()
                                and f.suffix.lower() in STRUCTURED_SUFFIXES)
            elif p.is_file():
                files.append(p)
            else:
                raise InputError(f"No such file or folder: {p}")
        conn = open_warehouse(settings)
        loaded = unchanged = failed = skipped = rows = 0
        try:
            for f in files:
                loader = find_loader(f)
                if loader is None:
                    skipped += 1
                    continue
                try:
                    report = loader.load(f, conn, settings)
                except IngestError as exc:
                    failed += 1
                    out: dict[str, object] = {"file": str(f), "status": "failed",
                                              "reason": exc.user_message}
                else:
                    status = "unchanged" if report.unchanged else "loaded"
                    unchanged += report.unchanged
                    loaded += not report.unchanged
                    rows += report.rows_loaded
                    out = {"file": str(f), "status": status, "loader": report.loader,
                           "table": report.table, "rows": report.rows_loaded,
                           "replaced": report.rows_replaced}
                if as_json:
                    typer.echo(json.dumps(out))
                elif out["status"] == "failed":
                    typer.echo(f"failed     {out['reason']}", err=True)
                else:
                    typer.echo(f"{out['status']:<10} {f.name}: {out['rows']} rows -> "
                               f"{out['table']}")
            if loaded:  # payers and links follow from every file loaded so far
                from assistant.stores.registry import rebuild, sync_configured_chunks

                sync_configured_chunks(conn, settings, rebuild(conn))
        finally:
            conn.close()
        typer.echo(f"{loaded} loaded ({rows} rows), {unchanged} unchanged, {failed} failed, "
                   f"{skipped} not structured", err=as_json)
        if failed:
            raise typer.Exit(1)
