"""``parley load``: one line per file, failures reported, exit code 1 on a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main
from tests.loaders.test_csv_loaders import HEADER, LINES, write


def test_parley_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    src.mkdir()
    write(src / "claims.csv", LINES)
    data_dir = tmp_path / "d"
    assert main(["--data-dir", str(data_dir), "load", str(src)]) == 0
    out = capsys.readouterr()
    assert "loaded     claims.csv: 3 rows -> claim_lines" in out.out
    write(src / "claims2.csv", [LINES[0].replace("2026-01-05", "2026-02-30", 1)], HEADER)
    assert main(["--data-dir", str(data_dir), "load", str(src)]) == 1
    out = capsys.readouterr()
    assert "unchanged" in out.out and "claims2.csv: line 2: bad date" in out.err
    assert main(["--data-dir", str(data_dir), "load", str(tmp_path / "nope")]) == 1
