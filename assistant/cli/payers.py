"""``parley payers``: review the payer registry and correct it (merge, rename, alias)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli import settings_from

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb

    from assistant.stores.registry_edits import EditOutcome

SHOWN_REMITS = 3  # remittance file names listed per payer (the rest are counted)

PAYER_ARG = "Payer id, name or alias (close spellings are accepted)."


def register(app: typer.Typer) -> None:
    """Add the ``payers`` command group."""
    group = typer.Typer(
        help=(
            "List the payers Parley found in your contracts, 835 remittances and optional "
            "payers.csv, with their aliases and the files behind each; merge, rename or add "
            "an alias. Every change re-links contract terms, fee rows, remittances and "
            "document chunks at once (nothing is re-embedded)."
        ),
        no_args_is_help=False,
    )

    @group.callback(invoke_without_command=True)
    def payers(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List each payer with its aliases and the files behind it."""
        if ctx.invoked_subcommand is not None:
            return
        import json

        from assistant.stores.registry_edits import listing
        from assistant.stores.warehouse import open_warehouse

        conn = open_warehouse(settings_from(ctx), read_only=True)
        try:
            items = listing(conn)
        finally:
            conn.close()
        if as_json:
            typer.echo(json.dumps([_as_dict(i) for i in items], indent=2))
            return
        if not items:
            typer.echo("No payers yet. Ingest contracts or 835 remittances (parley ingest "
                       "FOLDER), or load a payers.csv.")
            return
        for item in items:
            kind = f" ({item.plan_type})" if item.plan_type else ""
            origin = f"  [from {Path(item.from_csv).name}]" if item.from_csv else ""
            typer.echo(f"{item.payer_id}  {item.name}{kind}{origin}")
            if item.aliases:
                typer.echo(f"    aliases: {', '.join(item.aliases)}")
            for src in item.files:
                why = item.linked_by.get(src, "")
                typer.echo(f"    {Path(src).name}" + (f"  ({why})" if why else ""))
            remits = item.remittance_files
            if remits:
                more = f" and {len(remits) - SHOWN_REMITS} more" if len(remits) > SHOWN_REMITS else ""
                typer.echo(f"    835: {', '.join(Path(r).name for r in remits[:SHOWN_REMITS])}"
                           f"{more}")
        typer.echo(f"{len(items)} payer(s).")

    @group.command("merge")
    def merge(
        ctx: typer.Context,
        payer: Annotated[str, typer.Argument(help="The payer to merge away. " + PAYER_ARG)],
        into: Annotated[str, typer.Argument(help="The payer that stays. " + PAYER_ARG)],
        by: Annotated[str, typer.Option(help="Who made the change (recorded).")] = "cli",
    ) -> None:
        """Merge PAYER into INTO: INTO keeps its id and name, PAYER's spellings become its
        aliases, and everything linked to PAYER moves to INTO."""
        from assistant.stores import registry_edits

        _apply(ctx, lambda conn: registry_edits.merge(conn, payer, into, by))

    @group.command("rename")
    def rename(
        ctx: typer.Context,
        payer: Annotated[str, typer.Argument(help=PAYER_ARG)],
        name: Annotated[str, typer.Argument(help="The new name.")],
        by: Annotated[str, typer.Option(help="Who made the change (recorded).")] = "cli",
    ) -> None:
        """Show PAYER under NAME (its id stays; the old name stays an alias)."""
        from assistant.stores import registry_edits

        _apply(ctx, lambda conn: registry_edits.rename(conn, payer, name, by))

    @group.command("alias")
    def alias(
        ctx: typer.Context,
        payer: Annotated[str, typer.Argument(help=PAYER_ARG)],
        alias_name: Annotated[str, typer.Argument(metavar="ALIAS",
                                                  help="Another spelling of the payer.")],
        by: Annotated[str, typer.Option(help="Who made the change (recorded).")] = "cli",
    ) -> None:
        """Add ALIAS as a spelling of PAYER: documents naming it link to PAYER, and a payer
        already known by that spelling is merged into PAYER."""
        from assistant.stores import registry_edits

        _apply(ctx, lambda conn: registry_edits.alias(conn, payer, alias_name, by))

    app.add_typer(group, name="payers")


def _apply(ctx: typer.Context, edit: Callable[[duckdb.DuckDBPyConnection], EditOutcome]) -> None:
    """Run one edit on the write connection, update the chunks, print what changed."""
    from assistant.stores.registry import sync_configured_chunks
    from assistant.stores.warehouse import open_warehouse

    settings = settings_from(ctx)
    conn = open_warehouse(settings)
    try:
        outcome = edit(conn)
        docs = sync_configured_chunks(conn, settings, outcome.result)
    finally:
        conn.close()
    rows = outcome.result.relinked_rows
    typer.echo(outcome.message)
    typer.echo(f"Re-linked {docs} document(s), {rows.get('contract_terms', 0)} contract "
               f"term(s), {rows.get('fee_schedule', 0) + rows.get('fee_rules', 0)} fee row(s) "
               f"and {rows.get('remit_payments', 0)} 835 payment(s); "
               f"{outcome.result.payers} payer(s) now.")


def _as_dict(item: object) -> dict[str, object]:
    from dataclasses import asdict

    out = asdict(item)  # type: ignore[call-overload]
    out["files"] = [Path(f).name for f in out["files"]]
    out["linked_by"] = {Path(k).name: v for k, v in out["linked_by"].items()}
    out["from_csv"] = Path(out["from_csv"]).name if out["from_csv"] else ""
    return out
