"""``parley sample``: write the fictional sample practice to a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``sample`` command to the ``parley`` app."""

    @app.command("sample")
    def sample(
        out: Annotated[Path, typer.Option("--out", help="Folder to write the sample practice "
                                          "into (created if missing).")],
        seed: Annotated[int, typer.Option(help="Random seed; the same seed gives identical "
                                          "files.")] = 7,
        claims: Annotated[int | None, typer.Option(help="Number of claim lines to generate "
                                                   "(default 24000; riverbend 4000).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite a folder that is not "
                                            "empty.")] = False,
        practice: Annotated[str, typer.Option(help="'lakeside' (the sample, with CSVs) or "
                                              "'riverbend' (contracts, 835s and an 837P "
                                              "only).")] = "lakeside",
    ) -> None:
        """Generate 'Lakeside Orthopedics & Primary Care': contracts, notes, fee schedules,
        claims, 835 remittances and ground_truth.json. With --practice riverbend, 'Riverbend
        Family & Sports Medicine': PDF/DOCX contracts, notes, clearinghouse 835s, an 837P and
        a Medicare file, no CSV in Parley's layout."""
        from assistant.errors import InputError
        from assistant.sample.generate import generate

        if practice == "riverbend":
            from assistant.sample.riverbend.generate import generate as generate_riverbend

            summary = generate_riverbend(out, seed=seed, n_lines=4000 if claims is None else claims,
                                         force=force)
        elif practice == "lakeside":
            summary = generate(out, seed=seed, n_lines=24000 if claims is None else claims,
                               force=force)
        else:
            raise InputError(f"Unknown practice '{practice}'; choose lakeside or riverbend")
        typer.echo(f"Wrote {summary.files} files to {summary.out} in {summary.seconds:.1f}s: "
                   f"{summary.claim_lines} claim lines in {summary.claims} claims, "
                   f"{summary.remittance_files} 835 remittance files.")
        typer.echo(f"Ground truth: {summary.ground_truth}")
