"""The 835 loader against the real samples in ../shared/data/x12_835/."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.warehouse import open_memory_warehouse
from ingest.loaders import find_loader, load_file
from ingest.loaders.x12_835 import X12_835Loader, parse_835

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "x12_835"
SAMPLES = sorted(p for p in DATA.glob("*/*")
                 if p.is_file() and "LICENSE" not in p.name and p.suffix != ".csv")
# Not loadable, by design: a 999 acknowledgement, and a payment date of month 23.
# Every 835 loads (managed-care.835's unreadable BPR16 date is a warning, see
# tests/stores/test_claim_model.py); the 999 acknowledgment is not a remittance.
REJECTED = {"managed-care.835.997": "transaction set 999 is not an 835"}

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared x12 data not present")


@pytest.fixture()
def settings() -> Settings:
    return Settings(patient_hash_key="test-key")  # type: ignore[arg-type]


def test_all_samples_are_routed_to_the_835_loader() -> None:
    assert len(SAMPLES) == 16  # 15 remittances + one 999 acknowledgement
    for path in SAMPLES:
        assert isinstance(find_loader(path), X12_835Loader), path.name


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_each_sample_loads_or_is_rejected_clearly(path: Path, settings: Settings) -> None:
    conn = open_memory_warehouse()
    if path.name in REJECTED:
        with pytest.raises(IngestError) as err:
            load_file(path, conn, settings)
        assert REJECTED[path.name] in err.value.user_message
        assert path.name in err.value.user_message and "segment" in err.value.user_message
        assert conn.execute("SELECT count(*) FROM remit_payments").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM loaded_files").fetchone() == (0,)
        return
    report = load_file(path, conn, settings)
    claims = conn.execute("SELECT count(*) FROM remit_claims").fetchone()[0]
    assert claims > 0 and report.rows_loaded == conn.execute(
        "SELECT count(*) FROM remit_lines").fetchone()[0]
    # Idempotent: the same file again changes nothing.
    again = load_file(path, conn, settings)
    assert again.unchanged and again.rows_loaded == 0
    assert conn.execute("SELECT count(*) FROM remit_claims").fetchone()[0] == claims


def test_amounts_match_edi_835_parser_expected(settings: Settings) -> None:
    folder = DATA / "edi-835-parser"
    conn = open_memory_warehouse()
    for path in folder.glob("*.txt"):
        load_file(path, conn, settings)
    got = conn.execute("""SELECT c.claim_id, l.code, l.line_seq, l.billed, l.allowed, l.paid
        FROM remit_lines l JOIN remit_claims c USING (payment_id, claim_seq)
        ORDER BY l.source_file, c.claim_seq, l.line_seq""").fetchall()
    by_key: dict[tuple[str, str], list[tuple]] = {}
    for claim_id, code, _seq, billed, allowed, paid in got:
        by_key.setdefault((claim_id, code), []).append((billed, allowed, paid))
    seen: dict[tuple[str, str], int] = {}
    compared = 0
    with (folder / "expected_all_samples.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row["marker"], row["code"])
            i = seen.get(key, 0)
            seen[key] = i + 1
            billed, allowed, paid = by_key[key][i]
            for col, value in (("charge_amount", billed), ("allowed_amount", allowed),
                               ("paid_amount", paid)):
                if row[col]:
                    assert value is not None and Decimal(row[col]) == value, (key, col)
                    compared += 1
    assert compared >= 45


def test_patients_are_hashed_never_stored_in_clear(settings: Settings) -> None:
    path = DATA / "edi-835-parser" / "blue_cross_nc_sample.txt"
    conn = open_memory_warehouse()
    load_file(path, conn, settings)
    (h,) = conn.execute("SELECT patient_hash FROM remit_claims").fetchone()
    assert h and len(h) == 32
    for table in ("remit_claims", "remit_lines", "remit_payments", "remit_adjustments"):
        dump = str(conn.execute(f"SELECT * FROM {table}").fetchall())
        assert "Dough" not in dump and "YPB123456789001" not in dump
    other = parse_835(path, Settings(patient_hash_key="another-key"))  # type: ignore[arg-type]
    assert other.claims[0][9] != h


def test_claim_and_line_details(settings: Settings) -> None:
    remit = parse_835(DATA / "edi-835-parser" / "blue_cross_nc_sample.txt", settings)
    pay = remit.payments[0]
    assert pay[3] == "BLUE CROSS AND BLUE SHIELD OF NORTH CAROLINA"
    assert str(pay[8]) == "1922.86" and str(pay[11]) == "2011-01-08" and pay[12] == "02790758"
    assert [(a[3], a[4], str(a[5])) for a in remit.adjustments[:2]] == [
        ("CO", "42", "34.6"), ("PR", "2", "117.54")]
    mult = parse_835(DATA / "pyx12" / "835_mult_loops.txt", settings)
    assert mult.lines[0][15] == ["N14"]  # LQ remark code


def test_malformed_segment_rolls_back(tmp_path: Path, settings: Settings) -> None:
    good = (DATA / "edi-835-parser" / "blue_cross_nc_sample.txt").read_text()
    bad = tmp_path / "bad.835"
    bad.write_text(good.replace("SVC*HC:59440*890*865", "SVC*HC:59440*8x0*865"))
    conn = open_memory_warehouse()
    with pytest.raises(IngestError, match=r"bad.835: segment \d+: bad amount '8x0'"):
        load_file(bad, conn, settings)
    assert conn.execute("SELECT count(*) FROM remit_lines").fetchone() == (0,)


def test_resent_file_replaces_its_rows(tmp_path: Path, settings: Settings) -> None:
    src = (DATA / "edi-835-parser" / "blue_cross_nc_sample.txt").read_text()
    path = tmp_path / "remit.835"
    path.write_text(src)
    conn = open_memory_warehouse()
    load_file(path, conn, settings)
    path.write_text(src.replace("SVC*HC:59440*890*865", "SVC*HC:59440*890*800"))
    report = load_file(path, conn, settings)
    assert report.rows_replaced > 0 and report.rows_loaded == 3
    assert conn.execute("SELECT count(*) FROM remit_lines").fetchone() == (3,)
    assert conn.execute("SELECT paid FROM remit_lines WHERE code = '59440'").fetchone() == (
        Decimal("800.00"),)
