"""Contract fee rows and rules in the warehouse: what a claim line is expected to be paid.

Real DuckDB file, the real MPFS loader over the shared CMS national file, the real claims
CSV loader and ``WarehouseLink.replace_fee_rows`` as the ingest job calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.analytics.variance import VarianceParams, reimbursement_variance
from assistant.settings import Settings
from assistant.stores.fee_sources import medicare_needs
from assistant.stores.warehouse import refresh_expected
from ingest.discovery import SourceFile
from ingest.fee_rules import FeeExtract, extract_fees
from ingest.job import CONTRACT_DOC_TYPES
from ingest.loaders import load_file
from ingest.metadata import DocMeta
from ingest.parsers import ParsedDoc
from ingest.warehouse_io import WarehouseLink

MPFS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "mpfs"
        / "medicare_pfs_2025_national.csv")
CLAIM_HEADER = ("claim_id,line_no,payer_id,patient_id,date_of_service,submitted_date,"
                "received_date,code,modifier,units,billed,allowed,paid,status,group_code,carc,"
                "rarc,paid_date,check_number\n")

BASE = """PROVIDER AGREEMENT
EXHIBIT A - FEE SCHEDULE
| CPT | Description | Rate |
|---|---|---|
| 99213 | Office visit, established, low | $100.00 |
| 99214 | Office visit, established, moderate | $150.00 |

All other Covered Services are paid at one hundred twelve percent (112%) of the 2025 Medicare
Physician Fee Schedule.
"""
AMENDMENT = """AMENDMENT NO. 1
SCHEDULE A-1 - AMENDED RATES
| CPT | Description | Rate |
|---|---|---|
| 99213 | Office visit, established, low | $110.00 |
| 99215 | Office visit, established, high | $210.00 |
"""


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[WarehouseLink]:
    link = WarehouseLink(Settings(data_dir=tmp_path / "data", environment="test",
                                  patient_hash_key="test-not-a-secret"))  # type: ignore[call-arg]
    yield link
    link.close()


def _doc(tmp_path: Path, name: str, text: str) -> tuple[SourceFile, ParsedDoc]:
    path = tmp_path / name
    path.write_text(text)
    return SourceFile(path.resolve(), "document"), ParsedDoc(text=text, format="text")


def _store(wh: WarehouseLink, tmp_path: Path, name: str, text: str, eff: dt.date | None,
           doc_type: str = "contract") -> SourceFile:
    sf, doc = _doc(tmp_path, name, text)
    ex = extract_fees(doc) if doc_type in CONTRACT_DOC_TYPES else FeeExtract()  # as the job does
    meta = DocMeta(title=name, doc_type=doc_type, payer_id="CRH", contract_id="CRH-1",
                   effective_date=eff)
    wh.replace_fee_rows(sf, meta, ex.rows, ex.rules)
    return sf


def _claims(wh: WarehouseLink, tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(CLAIM_HEADER + "\n".join(lines) + "\n")
    load_file(path, wh.conn, wh.settings)


def _line(n: int, dos: str, code: str, billed: str = "300.00", allowed: str = "100.00") -> str:
    return (f"C{n},1,CRH,MRN{n},{dos},{dos},{dos},{code},,1,{billed},{allowed},{allowed},paid,,,,"
            f"{dos},CHK{n}")


def _expected(wh: WarehouseLink) -> dict[str, tuple[Decimal | None, dt.date | None]]:
    return {r[0]: (r[1], r[2]) for r in wh.conn.execute(
        "SELECT claim_id, expected, rate_from FROM claim_lines").fetchall()}


def test_percent_of_medicare_rule_materialised_from_the_cms_file(wh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _store(wh, tmp_path, "base.txt", BASE, dt.date(2025, 1, 1))
    load_file(MPFS, wh.conn, wh.settings)
    refresh_expected(wh.conn)
    n, codes = wh.conn.execute("SELECT count(*), count(DISTINCT code) FROM fee_schedule "
                               "WHERE origin = 'rule'").fetchone()
    assert n == codes == 72  # every code of the CMS file
    rate, basis, quote, section = wh.conn.execute(
        "SELECT rate, basis, quote, section FROM fee_schedule WHERE origin = 'rule' "
        "AND code = '99215'").fetchone()
    nonfacility = wh.conn.execute("SELECT nonfacility_rate FROM medicare_rates WHERE "
                                  "code = '99215' AND year = 2025").fetchone()[0]
    assert rate == (nonfacility * Decimal("1.12")).quantize(Decimal("0.01"))
    assert "112% of 2025 Medicare non-facility" in basis and "national" in basis
    assert quote.startswith("All other Covered Services") and section == "Exhibit A"
    assert medicare_needs(wh.conn, "CRH") == []


def test_missing_medicare_file_is_named_then_order_does_not_matter(wh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _store(wh, tmp_path, "base.txt", BASE, dt.date(2025, 1, 1))
    _claims(wh, tmp_path, [_line(1, "2025-03-03", "99215")])
    assert wh.conn.execute("SELECT count(*) FROM fee_schedule WHERE origin = 'rule'"
                           ).fetchone()[0] == 0
    (need,) = medicare_needs(wh.conn, "CRH")
    assert "112% of the 2025 Medicare Physician Fee Schedule" in need
    assert "medicare_pfs_2025_national.csv" in need and "parley ingest" in need
    assert _expected(wh)["C1"] == (None, None)
    load_file(MPFS, wh.conn, wh.settings)  # the Medicare file arrives after the contract
    refresh_expected(wh.conn)
    assert _expected(wh)["C1"][0] == Decimal("196.72")  # 112% x 175.64


def test_amendment_rates_apply_from_its_effective_date(wh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _store(wh, tmp_path, "base.txt", BASE, dt.date(2025, 1, 1))
    _store(wh, tmp_path, "amendment.txt", AMENDMENT, dt.date(2025, 7, 1), "amendment")
    _claims(wh, tmp_path, [_line(1, "2025-03-03", "99213"), _line(2, "2025-08-04", "99213"),
                           _line(3, "2025-08-04", "99214"), _line(4, "2025-06-30", "99215"),
                           _line(5, "2025-07-01", "99215")])
    got = _expected(wh)
    assert got["C1"] == (Decimal("100.00"), dt.date(2025, 1, 1))
    assert got["C2"] == (Decimal("110.00"), dt.date(2025, 7, 1))
    assert got["C3"] == (Decimal("150.00"), dt.date(2025, 1, 1))  # not amended
    assert got["C4"] == (None, None)  # no Medicare file: the base rule is not computable
    assert got["C5"] == (Decimal("210.00"), dt.date(2025, 7, 1))
    # Re-storing one document replaces its own rows only.
    _store(wh, tmp_path, "amendment.txt", AMENDMENT.replace("$110.00", "$115.00"),
           dt.date(2025, 7, 1), "amendment")
    rows = wh.conn.execute("SELECT code, rate FROM fee_schedule WHERE origin = 'contract' "
                           "ORDER BY effective_from, code").fetchall()
    assert rows == [("99213", Decimal("100.00")), ("99214", Decimal("150.00")),
                    ("99213", Decimal("115.00")), ("99215", Decimal("210.00"))]


def test_csv_overrides_contract_and_table_overrides_rule(wh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _store(wh, tmp_path, "base.txt", BASE, dt.date(2025, 1, 1))
    load_file(MPFS, wh.conn, wh.settings)
    fees = tmp_path / "fee_schedules.csv"
    fees.write_text("payer_id,contract_id,code,modifier,rate,effective_from,effective_to\n"
                    "CRH,CRH-1,99213,,95.00,2024-01-01,\n")
    load_file(fees, wh.conn, wh.settings)
    _claims(wh, tmp_path, [_line(1, "2025-03-03", "99213"), _line(2, "2025-03-03", "99214"),
                           _line(3, "2025-03-03", "99215")])
    got = _expected(wh)
    assert got["C1"] == (Decimal("95.00"), dt.date(2024, 1, 1))  # the CSV line wins
    assert got["C2"] == (Decimal("150.00"), dt.date(2025, 1, 1))  # table beats the rule
    assert got["C3"] == (Decimal("196.72"), dt.date(2025, 1, 1))  # the rule: 112% x 175.64
    res = reimbursement_variance(wh.conn, VarianceParams(payer="CRH"))
    assert res.underpaid_lines == 2  # 99214 (150 vs 100) and 99215 (196.72 vs 100)
    sources = {s.code: s for s in res.rate_sources}
    assert sources["99214"].origin == "contract" and sources["99214"].section == "Exhibit A"
    assert sources["99214"].quote == "| 99214 | Office visit, established, moderate | $150.00 |"
    assert sources["99214"].file == "base.txt" and sources["99214"].page == 1
    assert sources["99215"].origin == "rule" and "112%" in sources["99215"].citation


def test_percent_of_billed_charges(wh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ("COMPENSATION SCHEDULE\nPayer shall pay Provider sixty percent (60%) of billed "
            "charges for all Covered Services.\n")
    _store(wh, tmp_path, "billed.txt", text, dt.date(2025, 1, 1))
    _claims(wh, tmp_path, [_line(1, "2025-03-03", "99213", billed="250.00", allowed="120.00"),
                           _line(2, "2024-12-31", "99213", billed="250.00")])
    got = _expected(wh)
    assert got["C1"] == (Decimal("150.00"), dt.date(2025, 1, 1))
    assert got["C2"] == (None, None)  # before the contract
    res = reimbursement_variance(wh.conn, VarianceParams(payer="CRH"))
    assert res.underpaid_lines == 1 and res.total_short == 30.0
    (src,) = res.rate_sources
    assert src.origin == "billed_rule" and src.code is None and "60" in src.basis


def test_pruned_contract_takes_its_rates_with_it(wh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _store(wh, tmp_path, "base.txt", BASE, dt.date(2025, 1, 1))
    _store(wh, tmp_path, "notes.txt", BASE, None, "note")  # a note's tables are not rates
    assert wh.conn.execute("SELECT count(DISTINCT doc_id) FROM fee_schedule").fetchone()[0] == 1
    _store(wh, tmp_path, "base.txt", BASE, None, "note")  # re-read as a note: rows go
    assert wh.conn.execute("SELECT count(*) FROM fee_schedule").fetchone()[0] == 0
    sf = _store(wh, tmp_path, "base.txt", BASE, dt.date(2025, 1, 1))
    wh.delete_terms(sf.doc_id)
    assert wh.conn.execute("SELECT count(*) FROM fee_schedule").fetchone()[0] == 0
    assert wh.conn.execute("SELECT count(*) FROM fee_rules").fetchone()[0] == 0
