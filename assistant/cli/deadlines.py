"""``parley deadlines``: renewal and notice dates per contract, with days left."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import settings_from


def register(app: typer.Typer) -> None:
    """Add the deadlines command."""

    @app.command()
    def deadlines(
        ctx: typer.Context,
        within: Annotated[int | None, typer.Option(help="Only deadlines within this many days.")] = None,
        payer: Annotated[str | None, typer.Option(help="Only this payer.")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List each contract's term end, renewal, notice-of-non-renewal deadline (days left)
        and the date to start preparing the next negotiation."""
        from rich.console import Console
        from rich.table import Table

        from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
        from assistant.errors import InputError
        from assistant.stores.warehouse import open_warehouse

        settings = settings_from(ctx)
        if within is not None and within <= 0:
            raise InputError("--within must be a positive number of days")
        conn = open_warehouse(settings, read_only=True)
        try:
            res = contract_deadlines(
                conn,
                DeadlineParams(
                    as_of=settings.today(),
                    payer=payer,
                    within_days=within,
                    prep_lead_days=settings.prep_lead_days,
                ),
            )
            names = dict(conn.execute("SELECT payer_id, name FROM payers").fetchall())
        finally:
            conn.close()
        if json_out:
            typer.echo(res.model_dump_json(indent=2))
            return
        table = Table(title=f"Contract deadlines as of {settings.today()}")
        for col in (
            "payer",
            "contract",
            "term ends",
            "notice",
            "notice deadline",
            "days left",
            "start preparing",
            "terminate w/o cause",
        ):
            table.add_column(col)
        rows = sorted(
            res.contracts,
            key=lambda c: (c.days_until_notice_deadline is None, c.days_until_notice_deadline or 0),
        )
        for c in rows:
            left = c.days_until_notice_deadline
            style = (
                "red"
                if left is not None and 0 <= left <= 45
                else ("dim" if left is not None and left < 0 else "")
            )
            table.add_row(
                names.get(c.payer_id or "", c.payer_id or "?"),
                c.contract_id or "",
                str(c.expiration_date or "not stated"),
                f"{c.notice_days} days" if c.notice_days is not None else "not stated",
                str(c.notice_deadline or "n/a"),
                "passed" if left is not None and left < 0 else str(left if left is not None else "n/a"),
                str(c.prep_start or "n/a"),
                f"{c.termination_without_cause_days} days"
                if c.termination_without_cause_days
                else "not stated",
                style=style,
            )
        Console().print(table)
        if not rows:
            Console().print("No contract terms loaded yet: run 'parley ingest' on your contracts.")
