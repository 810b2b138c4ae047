"""``parley monitor`` (find what is new, optionally post the Slack digest) and
``parley findings`` (list the discrepancy log, change a finding's status)."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import settings_from


def _money(x: float | None) -> str:
    return f"${x:,.2f}" if x is not None else ""


def register(app: typer.Typer) -> None:
    """Add the monitor command and the findings group."""

    @app.command()
    def monitor(
        ctx: typer.Context,
        post: Annotated[bool, typer.Option("--post", help="Post the digest to Slack.")] = False,
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Check payments against the contracts as of --as-of (default today): underpaid
        lines, late payments with interest owed, denial changes and deadlines coming due.
        Records new findings in the discrepancy log; re-runs never duplicate them."""
        from rich.console import Console
        from rich.table import Table

        from assistant.monitor.detect import run_monitor
        from assistant.monitor.digest import create_web_client, post_digest

        settings = settings_from(ctx)
        client = create_web_client(settings) if post else None  # fail before the run
        report = run_monitor(settings)
        posted = post_digest(settings, report, client) if client is not None else None
        if json_out:
            payload = report.model_dump(mode="json")
            payload["totals"] = report.totals
            payload["posted"] = posted
            typer.echo(__import__("json").dumps(payload, indent=2, default=str))
            return
        console = Console()
        t = report.totals
        console.print(f"Monitor as of {report.as_of}: {t['new']} new findings "
                      f"({_money(t['amount_new'])} at stake), {t['updated']} updated, "
                      f"{t['open']} open — {report.seconds:.2f} s")
        if report.new:
            table = Table(title="New findings")
            for col in ("id", "kind", "payer", "amount", "finding"):
                table.add_column(col)
            for f in report.new:
                table.add_row(f.finding_id, f.kind, f.payer_id or "", _money(f.amount), f.title)
            console.print(table)
        if posted:
            console.print(f"Digest posted to {posted['channel']}.")

    findings_app = typer.Typer(help="The discrepancy log: list findings, change a status.",
                               invoke_without_command=True, no_args_is_help=False)

    @findings_app.callback()
    def findings(
        ctx: typer.Context,
        status: Annotated[list[str] | None, typer.Option(
            help="Only these statuses (new, acknowledged, disputed, recovered, written_off).")
        ] = None,
        payer: Annotated[str | None, typer.Option(help="Only this payer id.")] = None,
        kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List findings (largest amount first)."""
        if ctx.invoked_subcommand is not None:
            return
        from rich.console import Console
        from rich.table import Table

        from assistant.monitor.log import list_findings

        settings = settings_from(ctx)
        got = list_findings(settings, status=status or None, payer_id=payer, kind=kind)
        if json_out:
            typer.echo("[" + ",\n".join(f.model_dump_json(exclude={"evidence"}) for f in got)
                       + "]")
            return
        table = Table(title=f"Findings ({len(got)})")
        for col in ("id", "status", "kind", "payer", "amount", "first seen", "finding"):
            table.add_column(col)
        for f in got:
            table.add_row(f.finding_id, f.status, f.kind, f.payer_id or "", _money(f.amount),
                          str(f.first_seen or ""), f.title)
        Console().print(table)
        if not got:
            Console().print("No findings: run 'parley monitor' first.")

    @findings_app.command("set")
    def set_cmd(
        ctx: typer.Context,
        finding_id: Annotated[str, typer.Argument(help="Finding id, e.g. UND-91f47df74e9a.")],
        status: Annotated[str, typer.Argument(
            help="new, acknowledged, disputed, recovered or written_off.")],
        note: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
        user: Annotated[str, typer.Option(help="Who makes the change.")] = "cli",
    ) -> None:
        """Change a finding's status (recorded with who, when and the note)."""
        from assistant.monitor.log import set_status

        f = set_status(settings_from(ctx), finding_id, status, user, note)
        typer.echo(f"{f.finding_id}: {f.status}")

    app.add_typer(findings_app, name="findings")
