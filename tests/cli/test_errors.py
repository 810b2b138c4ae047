"""Every command exits non-zero with one line (no traceback) on bad arguments."""

from __future__ import annotations

import pytest

from assistant.cli import main


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["ask"], 2, "Missing argument"),
        (["no-such-command"], 2, "No such command"),
        (["sample"], 2, "--out"),
        (["--as-of", "2026-13-01", "deadlines"], 1, "--as-of must be a date"),
        (["ask", "x", "--payer"], 2, "requires an argument"),
        (["deadlines", "--within", "0"], 1, "--within must be a positive"),
    ],
)
def test_bad_arguments_give_one_line(
    argv: list[str], code: int, needle: str, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    rc = main(["--data-dir", str(tmp_path), *argv])
    err = capsys.readouterr().err.strip()
    assert rc == code
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for cmd in ("ask", "chat", "demo", "ingest", "sample", "deadlines"):
        assert cmd in out
