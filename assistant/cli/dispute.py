"""``parley dispute PAYER``: draft the dispute letter / appeal packet from the payer's
open underpayment and late-payment findings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import settings_from


def register(app: typer.Typer) -> None:
    """Add the dispute command."""

    @app.command()
    def dispute(
        ctx: typer.Context,
        payer: Annotated[str, typer.Argument(help="Payer name, alias or id.")],
        finding: Annotated[list[str] | None, typer.Option(
            "--finding", help="Finding id to include (repeatable); default: all open.")] = None,
        out: Annotated[Path | None, typer.Option(help="Folder for the files.")] = None,
        fmt: Annotated[str, typer.Option("--format", help="md,docx,pdf (md is always written).")
                       ] = "md",
        practice: Annotated[str | None, typer.Option(help="Practice name for the letter.")
                            ] = None,
        signer: Annotated[str | None, typer.Option(help="Name and title of the signer.")
                          ] = None,
    ) -> None:
        """Draft the letter: claim lines, totals, contract language with section and page,
        interest owed and the appeal deadline. No patient identifiers."""
        from assistant.monitor.dispute import draft_dispute

        d = draft_dispute(settings_from(ctx), payer, finding_ids=finding or None,
                          formats=fmt, out_dir=out, practice_name=practice, signer=signer)
        typer.echo(f"Dispute for {d.payer_name}: {len(d.underpaid_lines)} underpaid lines "
                   f"(${d.total_short:,.2f}), {len(d.late_claims)} late claims "
                   f"(${d.interest_owed:,.2f} interest); appeal deadline "
                   f"{d.appeal_deadline or 'passed or not stated'}.")
        for kind, path in d.files.items():
            typer.echo(f"  {kind}: {path}")
