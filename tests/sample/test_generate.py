"""Determinism, scaling and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.errors import InputError
from assistant.sample.generate import generate


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_same_seed_gives_identical_bytes(sample_dir: Path, tmp_path: Path,
                                         truth: dict[str, Any]) -> None:
    generate(tmp_path / "again", seed=truth["seed"], n_lines=truth["claim_lines"])
    a, b = _files(sample_dir), _files(tmp_path / "again")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert any(k.endswith(".docx") for k in a) and any(k.endswith(".835") for k in a)


def test_other_seed_changes_claims_not_contracts(sample_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path / "s8", seed=8, n_lines=1000)
    a, b = _files(sample_dir), _files(tmp_path / "s8")
    assert a["data/claims.csv"] != b["data/claims.csv"]
    for k in a:
        if k.startswith(("contracts/", "notes/")) or k in ("data/fee_schedules.csv",):
            assert a[k] == b[k], k


def test_refuses_non_empty_folder_without_force(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="--force"):
        generate(tmp_path, n_lines=100)
    assert (tmp_path / "keep.txt").read_text() == "mine"
    generate(tmp_path, n_lines=100, force=True)
    assert (tmp_path / "ground_truth.json").exists()


def test_cli_refuses_overwrite_in_one_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").write_text("x")
    code = main(["sample", "--out", str(tmp_path), "--claims", "100"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "--force" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "-5"])
def test_cli_rejects_bad_claim_count(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     value: str) -> None:
    code = main(["sample", "--out", str(tmp_path / "o"), "--claims", value])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "--claims" in err
    assert not (tmp_path / "o").exists()


def test_cli_writes_sample_and_summary(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sample", "--out", str(tmp_path / "p"), "--claims", "300", "--seed", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "300 claim lines" in out and "ground_truth.json" in out
    lines = (tmp_path / "p/data/claims.csv").read_text().splitlines()
    assert len(lines) == 301
