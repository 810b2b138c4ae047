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
        claims: Annotated[int, typer.Option(help="Number of claim lines to generate.")] = 24000,
        force: Annotated[bool, typer.Option("--force", help="Overwrite a folder that is not "
                                            "empty.")] = False,
    ) -> None:
        """Generate 'Lakeside Orthopedics & Primary Care': contracts, notes, fee schedules,
        claims, 835 remittances and ground_truth.json."""
        from assistant.sample.generate import generate

        summary = generate(out, seed=seed, n_lines=claims, force=force)
        typer.echo(f"Wrote {summary.files} files to {summary.out} in {summary.seconds:.1f}s: "
                   f"{summary.claim_lines} claim lines in {summary.claims} claims, "
                   f"{summary.remittance_files} 835 remittance files.")
        typer.echo(f"Ground truth: {summary.ground_truth}")
