"""835 files loaded many per transaction (``load_files``) and big files in parts.

A batch must store exactly what loading the files one at a time stores; a file that does
not parse is reported and leaves nothing behind while the others load; a file name seen
before replaces its rows; and a payment already stored is dropped from every part of a
big file read in parts, not only from the part that holds its BPR.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import ingest.loaders.x12_835 as x12_835
from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.warehouse import open_memory_warehouse
from ingest.loaders import load_file, load_files

TABLES = ("remit_payments", "remit_claims", "remit_lines", "remit_adjustments",
          "remit_provider_adjustments")


@pytest.fixture()
def settings() -> Settings:
    return Settings(patient_hash_key="batch-key")  # type: ignore[arg-type]


@pytest.fixture()
def remits(riverbend_dir: Path, tmp_path: Path) -> list[Path]:
    """A copy of 40 of Riverbend's clearinghouse files (several payers each)."""
    out = tmp_path / "era"
    out.mkdir()
    files = sorted((riverbend_dir / "era").rglob("*.835"))[:40]
    return [Path(shutil.copy(p, out / p.name)) for p in files]


def _dump(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
            for t in TABLES}


def test_a_batch_stores_what_one_file_at_a_time_stores(remits: list[Path],
                                                       settings: Settings) -> None:
    batched = open_memory_warehouse()
    reports = load_files(remits, batched, settings)
    single = open_memory_warehouse()
    for path, report in zip(remits, reports, strict=True):
        alone = load_file(path, single, settings)
        assert not isinstance(report, Exception)
        assert (report.rows_loaded, sorted(report.warnings)) == (
            alone.rows_loaded, sorted(alone.warnings)), path.name
    assert _dump(batched) == _dump(single)
    lines = batched.execute("SELECT count(*), count(*) FILTER (len(modifiers) = 0), "
                            "count(*) FILTER (modifiers IS NULL) FROM remit_lines").fetchone()
    assert lines is not None and lines[0] > 1000 and lines[1] > 0 and lines[2] == 0


def test_a_bad_file_in_a_batch_loses_nothing_else(remits: list[Path], tmp_path: Path,
                                                  settings: Settings) -> None:
    bad = tmp_path / "era" / "zz_bad_amount.835"
    text = remits[0].read_text()
    clp = text.index("CLP*")
    end = text.index("~", clp)
    fields = text[clp:end].split("*")
    fields[3] = "12x4"
    bad.write_text(text[:clp] + "*".join(fields) + text[end:])
    files = remits[:10] + [bad] + remits[10:20]
    conn = open_memory_warehouse()
    reports = load_files(files, conn, settings)
    assert isinstance(reports[10], IngestError)
    assert "bad amount '12x4' in CLP03" in reports[10].user_message
    assert all(not isinstance(r, Exception) and r.rows_loaded > 0
               for i, r in enumerate(reports) if i != 10)
    for table in TABLES:
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE source_file = ?",
                            [bad.name]).fetchone() == (0,)
    good = open_memory_warehouse()
    load_files(remits[:20], good, settings)
    assert _dump(conn) == _dump(good)


def test_a_batch_replaces_the_rows_of_a_file_loaded_before(remits: list[Path],
                                                           settings: Settings) -> None:
    conn = open_memory_warehouse()
    load_files(remits[:3], conn, settings)
    first = remits[0]
    before = conn.execute("SELECT count(*) FROM remit_lines WHERE source_file = ?",
                          [first.name]).fetchone()
    text = first.read_text()
    svc = text.index("SVC*")
    first.write_text(text[:svc] + text[svc:].replace("~", "~LQ*HE*N130~", 1))
    reports = load_files([first, remits[3]], conn, settings)
    report = reports[0]
    assert not isinstance(report, Exception) and before is not None
    assert report.rows_replaced > before[0] and report.rows_loaded == before[0]
    assert conn.execute("SELECT count(*) FROM remit_lines WHERE source_file = ?",
                        [first.name]).fetchone() == before
    assert conn.execute("SELECT count(*) FROM remit_lines WHERE list_contains("
                        "remark_codes, 'N130')").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM loaded_files").fetchone() == (4,)


def test_a_repeated_payment_is_dropped_from_every_part_of_a_big_file(
        remits: list[Path], tmp_path: Path, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    conn = open_memory_warehouse()
    original = max(remits, key=lambda p: p.stat().st_size)
    load_file(original, conn, settings)
    stored = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone() for t in TABLES}
    # The same payments again under another name (one extra segment outside every
    # transaction, so the content differs), read in parts of 5 service lines.
    copy = tmp_path / "resent.835"
    text = original.read_text()
    iea = text.rindex("IEA*")
    copy.write_text(text[:iea] + "ZZZ*1~" + text[iea:])
    monkeypatch.setattr(x12_835, "STREAM_BYTES", 0)
    monkeypatch.setattr(x12_835, "FLUSH_LINES", 5)
    report = load_file(copy, conn, settings)
    assert report.rows_loaded == 0
    assert report.warnings and all("counted once" in w for w in report.warnings)
    assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone() for t in TABLES} == stored
