"""No identifier from a CSV file ever reaches SQL text (issue 15, item 1): unknown and
duplicate header cells are rejected with the file and line, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.registry import rebuild
from assistant.stores.warehouse import open_memory_warehouse, open_warehouse
from ingest.loaders import load_file

EVIL = 'extra" TO "extra2"; CREATE TABLE pwned AS SELECT 42 AS x; DELETE FROM payers; --'
PAYERS = "payer_id,name,plan_type,aliases\nBSH,Blue Summit Health,PPO,BSH|Blue Cross\n"


def _evil_csv(path: Path) -> Path:
    cell = '"' + EVIL.replace('"', '""') + '"'
    path.write_text(f"payer_id,name,{cell}\nKHP,Keystone Health Plan,x\n")
    return path


def _tables(conn) -> set[str]:  # type: ignore[no-untyped-def]
    return {r[0] for r in conn.execute("SHOW TABLES").fetchall()}


def test_injected_header_is_rejected_and_nothing_is_lost(tmp_path: Path) -> None:
    settings = Settings(patient_hash_key="k")  # type: ignore[call-arg]
    conn = open_memory_warehouse()
    good = tmp_path / "payers.csv"
    good.write_text(PAYERS)
    load_file(good, conn, settings)
    rebuild(conn)
    evil = _evil_csv(tmp_path / "payers_2.csv")
    with pytest.raises(IngestError) as err:
        load_file(evil, conn, settings)
    msg = err.value.user_message
    assert "payers_2.csv: line 1: unknown column" in msg and "expected: payer_id" in msg
    assert "pwned" not in _tables(conn)
    assert conn.execute("SELECT payer_id FROM payers").fetchall() == [("BSH",)]
    assert conn.execute("SELECT count(*) FROM payer_overrides").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM loaded_files WHERE source_file = "
                        "'payers_2.csv'").fetchone() == (0,)


@pytest.mark.parametrize(("header", "reason"), [
    ("payer_id,name,Name", "column 'name' appears twice"),
    ("payer_id,name,plan_type,colour", "unknown column 'colour'"),
    ('payer_id,name,"a\x00b"', "unknown column 'a?b'"),
])
def test_duplicate_and_unknown_headers_name_file_and_line(tmp_path: Path, header: str,
                                                          reason: str) -> None:
    path = tmp_path / "payers.csv"
    path.write_text(header + "\nBSH,Blue Summit,x" + ",x" * (header.count(",") - 2) + "\n")
    with pytest.raises(IngestError) as err:
        load_file(path, open_memory_warehouse(), Settings(patient_hash_key="k"))  # type: ignore[call-arg]
    assert f"payers.csv: line 1: {reason}" in err.value.user_message


def test_header_case_spaces_and_trailing_comma_still_load(tmp_path: Path) -> None:
    path = tmp_path / "payers.csv"
    path.write_text(" Payer_ID ,NAME,plan_type,aliases,\nBSH,Blue Summit Health,PPO,BSH,\n")
    conn = open_memory_warehouse()
    assert load_file(path, conn, Settings(patient_hash_key="k")).rows_loaded == 1  # type: ignore[call-arg]
    assert conn.execute("SELECT payer_id, name FROM payer_overrides").fetchall() == [
        ("BSH", "Blue Summit Health")]


def test_rows_wider_than_the_header_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_text("code,description,cost\n99213,Office visit,72.94,extra\n")
    with pytest.raises(IngestError, match="costs.csv"):
        load_file(path, open_memory_warehouse(), Settings(patient_hash_key="k"))  # type: ignore[call-arg]


def test_parley_load_reports_the_injection_and_keeps_the_payers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "payers.csv").write_text(PAYERS)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "load", str(src)]) == 0
    _evil_csv(src / "payers_2.csv")
    capsys.readouterr()
    assert main(["--data-dir", str(data), "load", str(src)]) == 1
    err = capsys.readouterr().err
    assert "payers_2.csv: line 1: unknown column" in err and "Traceback" not in err
    conn = open_warehouse(Settings(data_dir=data, environment="test"), read_only=True)
    try:
        assert "pwned" not in _tables(conn)
        assert conn.execute("SELECT payer_id, name FROM payers").fetchall() == [
            ("BSH", "Blue Summit Health")]
    finally:
        conn.close()
