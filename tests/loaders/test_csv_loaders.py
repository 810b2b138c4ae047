"""CSV, Medicare PFS, TiC and CARC loaders: routing, validation, idempotency, speed."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.warehouse import open_memory_warehouse
from ingest.loaders import find_loader, load_file

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
HEADER = ("claim_id,line_no,payer_id,patient_id,date_of_service,submitted_date,received_date,"
          "code,modifier,units,billed,allowed,paid,status,group_code,carc,rarc,paid_date,"
          "check_number")
LINES = [
    "C1,1,BSH,MRN001,2026-01-05,2026-01-06,2026-01-08,99213,,1,200.00,110.30,80.30,paid,,,,"
    "2026-02-01,EFT1",
    "C1,2,BSH,MRN001,2026-01-05,2026-01-06,2026-01-08,73030,,1,80.00,0,0,denied,CO,16,M51,,",
    "C2,1,KHP,MRN002,2026-01-07,2026-01-08,2026-01-09,99214,,1,300.00,140.00,140.00,paid,,,,"
    "2026-02-10,EFT2",
]


def write(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.fixture()
def settings() -> Settings:
    return Settings(patient_hash_key="k")  # type: ignore[arg-type]


def test_claims_load_hashes_patients_and_is_idempotent(tmp_path: Path,
                                                       settings: Settings) -> None:
    conn = open_memory_warehouse()
    path = write(tmp_path / "claims.csv", LINES)
    assert find_loader(path).name == "claims_csv"  # type: ignore[union-attr]
    report = load_file(path, conn, settings)
    assert report.rows_loaded == 3 and report.table == "claim_lines"
    assert "MRN001" not in str(conn.execute("SELECT * FROM claim_lines").fetchall())
    assert conn.execute("SELECT count(DISTINCT patient_hash) FROM claim_lines").fetchone() == (2,)
    assert load_file(path, conn, settings).unchanged
    assert conn.execute("SELECT count(*) FROM claim_lines").fetchone() == (3,)
    write(path, LINES[:2])  # re-sent with one line fewer
    again = load_file(path, conn, settings)
    assert again.rows_replaced == 3 and again.rows_loaded == 2
    assert conn.execute("SELECT count(*) FROM claim_lines").fetchone() == (2,)


@pytest.mark.parametrize("bad,reason", [
    (LINES[0].replace("2026-01-05", "2026-13-05", 1), "line 3: bad date"),
    (LINES[0].replace("2026-01-05", "01/05/2026", 1), "line 3: bad date"),
    (LINES[0].replace(",99213,,1,", ",99213,,-1,"), "line 3: negative value '-1' in column units"),
    (LINES[0].replace(",paid,", ",maybe,"), "line 3: value 'maybe' in column status"),
    (LINES[0].replace("C1,1,", ",1,"), "line 3: empty value in column claim_id"),
])
def test_bad_claim_row_rejects_the_whole_file(tmp_path: Path, settings: Settings, bad: str,
                                              reason: str) -> None:
    conn = open_memory_warehouse()
    path = write(tmp_path / "claims.csv", [LINES[2], bad])
    with pytest.raises(IngestError, match=reason):
        load_file(path, conn, settings)
    assert conn.execute("SELECT count(*) FROM claim_lines").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM loaded_files").fetchone() == (0,)


def test_missing_column_is_named(tmp_path: Path, settings: Settings) -> None:
    header = HEADER.replace(",units", "")
    lines = [",".join(x.split(",")[:9] + x.split(",")[10:]) for x in LINES]
    path = write(tmp_path / "claims_2026.csv", lines, header)
    with pytest.raises(IngestError, match="line 1: missing column.*units"):
        load_file(path, open_memory_warehouse(), settings)


def test_bad_file_keeps_previous_good_version(tmp_path: Path, settings: Settings) -> None:
    conn = open_memory_warehouse()
    path = write(tmp_path / "claims.csv", LINES)
    load_file(path, conn, settings)
    write(path, [LINES[0], LINES[1].replace(",1,80.00", ",x,80.00")])
    with pytest.raises(IngestError):
        load_file(path, conn, settings)
    assert conn.execute("SELECT count(*) FROM claim_lines").fetchone() == (3,)


def test_other_csv_formats(tmp_path: Path, settings: Settings) -> None:
    conn = open_memory_warehouse()
    fee = write(tmp_path / "fees.csv", ["BSH,C-1,99213,,110.30,2024-04-01,",
                                       "BSH,C-1,99214,,150.00,2024-04-01,2026-03-31"],
                "payer_id,contract_id,code,modifier,rate,effective_from,effective_to")
    costs = write(tmp_path / "costs.csv", ['99213,"Office visit, est",72.94'],
                  "code,description,cost")
    med = write(tmp_path / "bench.csv", ["99213,2025,national,88.95,63.72"],
                "code,year,locality,nonfacility_rate,facility_rate")
    payers = write(tmp_path / "payers.csv", ["BSH,Blue Summit Health,PPO,BSH|Blue Cross"],
                   "payer_id,name,plan_type,aliases")
    for path, table in ((fee, "fee_schedule"), (costs, "costs"), (med, "medicare_rates"),
                        (payers, "payer_overrides")):
        assert load_file(path, conn, settings).table == table
    from assistant.stores.registry import rebuild  # payers.csv overrides the registry

    rebuild(conn)
    assert conn.execute("SELECT aliases FROM payers").fetchone() == (["BSH", "Blue Cross"],)
    assert conn.execute("SELECT cost FROM costs").fetchone() == (Decimal("72.94"),)
    bad = write(tmp_path / "fees2.csv", ["BSH,C-1,99213,,110.30,2024-04-01,2023-01-01"],
                "payer_id,contract_id,code,modifier,rate,effective_from,effective_to")
    with pytest.raises(IngestError, match="effective_to is before effective_from"):
        load_file(bad, conn, settings)


def test_unknown_files_are_not_routed(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "x.json").write_text('{"foo": 1}')
    for name in ("notes.csv", "empty.csv", "x.json"):
        assert find_loader(tmp_path / name) is None


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data not present")
def test_medicare_pfs_national_and_locality(settings: Settings) -> None:
    path = SHARED / "mpfs" / "medicare_pfs_2025_national.csv"
    assert find_loader(SHARED / "mpfs" / "GPCI2025.csv") is None
    conn = open_memory_warehouse()
    local = Settings(medicare_locality="CA-54")  # type: ignore[call-arg]
    load_file(path, conn, local)
    got = dict(conn.execute("SELECT locality, nonfacility_rate FROM medicare_rates "
                            "WHERE code = '99213'").fetchall())
    # 99213: (1.30 x 1.017 + 1.36 x 1.093 + 0.09 x 0.662) x 32.3465, work/PE/MP RVUs per file
    assert got["national"] == Decimal("88.95")
    assert Decimal("85") < got["CA-54"] < Decimal("100") and got["CA-54"] != got["national"]
    from assistant.errors import ConfigError
    with pytest.raises(ConfigError, match="PARLEY_MEDICARE_LOCALITY"):
        load_file(path, open_memory_warehouse(),
                  Settings(medicare_locality="Atlantis"))  # type: ignore[call-arg]


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data not present")
def test_tic_and_carc(settings: Settings) -> None:
    conn = open_memory_warehouse()
    tic = SHARED / "cms_tic" / "examples" / "in-network-rates"
    n = 0
    for path in sorted(tic.glob("*.json")):
        n += load_file(path, conn, settings).rows_loaded
    assert n == conn.execute("SELECT count(*) FROM tic_rates").fetchone()[0] > 10
    assert find_loader(SHARED / "cms_tic" / "examples" / "table-of-contents"
                       / "table-of-contents-sample.json") is None
    carc = SHARED / "carc_rarc" / "carc_cms_bfd.csv"
    assert load_file(carc, conn, settings).rows_loaded == 407
    assert conn.execute("SELECT description FROM carc_codes WHERE code = '45'").fetchone()[0]


def test_claims_csv_speed(tmp_path: Path, settings: Settings) -> None:
    """A floor, not the target: the machine is shared, so this only catches a regression
    to row-by-row loading (the 50,000 lines/s target is measured by bench/)."""
    n = 200_000
    path = tmp_path / "claims.csv"
    with path.open("w") as fh:
        fh.write(HEADER + "\n")
        for i in range(n):
            fh.write(f"C{i // 2},{i % 2 + 1},BSH,MRN{i % 5000},2026-01-05,2026-01-06,"
                     f"2026-01-08,99213,,1,200.00,110.30,80.30,paid,,,,2026-02-01,EFT1\n")
    conn = open_memory_warehouse()
    start = time.perf_counter()
    assert load_file(path, conn, settings).rows_loaded == n
    rate = n / (time.perf_counter() - start)
    assert rate > 10_000, f"{rate:.0f} lines/s"
