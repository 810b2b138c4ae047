"""``parley rates review PAYER``: the fee-schedule rows and rate rules read from a payer's
contracts, with file, page, section, dates and program, for a person to confirm."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli import settings_from

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

REVIEW_SQL = """
WITH c AS (SELECT f.*, lead(f.effective_from) OVER (PARTITION BY f.payer_id, f.code,
                  coalesce(f.modifier, ''), coalesce(f.program, '')
                  ORDER BY f.effective_from) AS superseded_from
           FROM fee_schedule f WHERE f.payer_id = ? AND f.origin = 'contract')
SELECT c.code, c.modifier, c.rate, c.facility_rate, c.basis, c.program, c.effective_from,
       c.superseded_from, c.contract_id, c.source_file, c.page, c.section, c.quote,
       EXISTS (SELECT 1 FROM fee_schedule s WHERE coalesce(s.origin, 'csv') = 'csv'
               AND s.payer_id = c.payer_id AND s.code = c.code) AS csv_override
FROM c ORDER BY c.effective_from, c.source_file, c.code, c.modifier NULLS FIRST"""

RULES_SQL = """SELECT r.kind, r.pct, r.year, r.locality, r.setting, r.program, r.effective_from,
       r.contract_id, r.source_file, r.page, r.section, r.quote, r.note,
       (SELECT count(*) FROM fee_schedule f WHERE f.origin = 'rule' AND f.doc_id = r.doc_id
        AND f.payer_id = r.payer_id AND f.quote = r.quote) AS codes,
       (SELECT any_value(f.basis) FROM fee_schedule f WHERE f.origin = 'rule'
        AND f.doc_id = r.doc_id AND f.payer_id = r.payer_id AND f.quote = r.quote) AS basis
FROM fee_rules r WHERE r.payer_id = ? ORDER BY r.effective_from, r.source_file, r.kind"""


def review(conn: DuckDBPyConnection, payer: str) -> dict[str, Any]:
    """Everything read from the payer's contracts about its rates (JSON-ready)."""
    from assistant.analytics.common import rows as records
    from assistant.analytics.common import scalar
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.stores.fee_sources import UNDATED, medicare_needs

    payer_id = Vocabulary.load(conn).resolve_payer(payer)
    rows = records(conn, REVIEW_SQL, [payer_id])
    rules = records(conn, RULES_SQL, [payer_id])
    for r in rows + rules:
        r["file"] = PurePath(str(r.pop("source_file") or "")).name
        r["effective_from"] = None if r["effective_from"] == UNDATED else r["effective_from"]
        for k in ("rate", "facility_rate"):
            if r.get(k) is not None:
                r[k] = float(r[k])
    csv_rows = scalar(
        conn,
        "SELECT count(*) FROM fee_schedule WHERE payer_id = ? AND coalesce(origin, 'csv') = 'csv'",
        [payer_id])
    name = scalar(conn, "SELECT any_value(name) FROM payers WHERE payer_id = ?", [payer_id])
    return {"payer_id": payer_id, "payer_name": name or payer_id, "rows": rows, "rules": rules,
            "csv_rows": int(csv_rows), "medicare_needed": medicare_needs(conn, payer_id)}


def _rule_text(r: dict[str, Any]) -> str:
    if r["kind"] == "medicare_pct":
        parts = [f"{r['pct']:g}% of {r['year'] or 'current'} Medicare PFS"]
        if r["locality"]:
            parts.append(f"locality {r['locality']}")
        if r["setting"]:
            parts.append(r["setting"])
        return ", ".join(parts)
    if r["kind"] == "billed_pct":
        return f"{r['pct']:g}% of billed charges"
    return f"not computed: {r['note'] or r['quote'][:80]}"


def register(app: typer.Typer) -> None:
    """Add the rates command group."""
    rates_app = typer.Typer(help="Contract rates read from your contracts.", no_args_is_help=True)

    @rates_app.command("review")
    def review_cmd(
        ctx: typer.Context,
        payer: Annotated[str, typer.Argument(help="Payer name, alias or id.")],
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Show every fee-schedule row and rate rule read from the payer's contracts: file,
        page, section, effective dates, program, and whether a fee-schedule CSV overrides it."""
        import json

        from rich.console import Console
        from rich.table import Table

        from assistant.stores.warehouse import open_warehouse

        conn = open_warehouse(settings_from(ctx), read_only=True)
        try:
            data = review(conn, payer)
        finally:
            conn.close()
        if json_out:
            typer.echo(json.dumps(data, indent=2, default=str))
            return
        console = Console()
        title = f"Rates read from {data['payer_name']}'s contracts ({data['payer_id']})"
        table = Table(title=title)
        for col in ("code", "mod", "rate", "program", "from", "until", "file", "page", "section",
                    "row as written", "CSV overrides"):
            table.add_column(col, overflow="fold")
        for r in data["rows"]:
            table.add_row(
                r["code"], r["modifier"] or "", f"{r['rate']:,.2f}", r["program"] or "all",
                str(r["effective_from"] or "not stated"), str(r["superseded_from"] or ""),
                r["file"], str(r["page"] or ""), r["section"] or "", " ".join(r["quote"].split()),
                "yes" if r["csv_override"] else "")
        console.print(table)
        if not data["rows"]:
            console.print("No rate table rows were read from this payer's contracts.")
        for r in data["rules"]:
            applied = (f"{r['codes']} codes ({r['basis']})" if r["codes"]
                       else "applied to each claim line" if r["kind"] == "billed_pct" else
                       "not applied")
            console.print(f"Rule: {_rule_text(r)} — program {r['program'] or 'all'}, from "
                          f"{r['effective_from'] or 'not stated'}; {r['file']} p. {r['page']} "
                          f"{r['section'] or ''}: \u201c{' '.join(r['quote'].split())}\u201d — {applied}")
        for need in data["medicare_needed"]:
            console.print(f"[yellow]{need}[/yellow]")
        if data["csv_rows"]:
            console.print(f"{data['csv_rows']} fee-schedule CSV rows exist for this payer; a CSV "
                          "row overrides the contract's rows for the same code.")

    app.add_typer(rates_app, name="rates")
