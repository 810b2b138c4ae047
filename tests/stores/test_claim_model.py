"""835 remittances alone feed the claim-line model every analysis reads.

The sample practice ships both a claims CSV and the 835s its payers sent for the same
lines, so the CSV is an independent answer key: every line derived from the 835s alone
must agree with it, and loading both must count each line once.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.registry import rebuild
from assistant.stores.warehouse import open_memory_warehouse
from ingest.loaders import load_file
from ingest.loaders.x12_835 import X12_835Loader

SETTINGS = Settings(patient_hash_key="test-not-a-secret")  # type: ignore[call-arg]
COLS = ("payer_id", "date_of_service", "received_date", "code", "units", "billed", "allowed",
        "paid", "status", "group_code", "carc", "rarc", "paid_date", "check_number",
        "patient_hash")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.sample.generate import generate

    out = tmp_path_factory.mktemp("claim_model") / "practice"
    generate(out, seed=5, n_lines=1500)
    return out


def _load(sample: Path, with_claims: bool):  # type: ignore[no-untyped-def]
    conn = open_memory_warehouse()
    for path in sorted((sample / "data").glob("*.csv")):
        if with_claims or "claims" not in path.name:
            load_file(path, conn, SETTINGS)
    for path in sorted((sample / "remittances").glob("*.835")):
        load_file(path, conn, SETTINGS)
    rebuild(conn)
    return conn


def _lines(conn, where: str) -> dict[tuple[str, int], tuple[object, ...]]:  # type: ignore[no-untyped-def]
    rows = conn.execute(f"SELECT claim_id, line_no, {', '.join(COLS)} FROM claim_lines "
                        f"WHERE {where}").fetchall()
    return {(r[0], int(r[1])): tuple(r[2:]) for r in rows}


def test_lines_from_835s_alone_match_the_claims_csv(sample: Path) -> None:
    csv_conn = open_memory_warehouse()
    for path in sorted((sample / "data").glob("*.csv")):
        load_file(path, csv_conn, SETTINGS)
    expected = _lines(csv_conn, "TRUE")
    remit_conn = _load(sample, with_claims=False)
    got = _lines(remit_conn, "origin = '835'")
    assert len(got) == len(expected) > 1000
    kinds = {v[8] for v in expected.values()}
    assert kinds == {"paid", "denied", "partial"}
    mismatched = [(k, expected[k], got.get(k)) for k in expected if got.get(k) != expected[k]]
    assert not mismatched, mismatched[:3]
    # The registry linked every remittance to the payers.csv ids.
    # The derived lines are priced against the fee schedule like CSV lines.
    priced = remit_conn.execute("SELECT count(*) FROM claim_lines WHERE expected IS NOT NULL"
                                ).fetchone()[0]
    assert priced == csv_conn.execute("SELECT count(*) FROM claim_lines "
                                      "WHERE expected IS NOT NULL").fetchone()[0] > 0
    facts = remit_conn.execute("SELECT count(*), sum(paid) FROM claim_facts").fetchone()
    csv_facts = csv_conn.execute("SELECT count(*), sum(paid) FROM claim_facts").fetchone()
    assert facts == csv_facts


def test_csv_and_835_lines_are_counted_once(sample: Path) -> None:
    conn = _load(sample, with_claims=True)
    n_csv, n_835 = conn.execute("SELECT count(*) FILTER (origin = 'csv'), "
                                "count(*) FILTER (origin = '835') FROM claim_lines").fetchone()
    assert n_csv > 1000 and n_835 == 0


ENVELOPE = ("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*PRACTICE       *260401*"
            "0800*^*00501*000000101*0*P*:~GS*HP*CH*PR*20260401*0800*101*X*005010X221A1~")


def _payment(trace: str, paid_date: str, claims: list[str], total: str = "100.00") -> str:
    body = [f"BPR*I*{total}*C*ACH************{paid_date}", f"TRN*1*{trace}*1999999999",
            "N1*PR*CEDAR RIDGE HEALTH PLAN*XV*CRHP01", "N1*PE*RIVER CLINIC*XX*1234567893",
            "LX*1", *[seg for claim in claims for seg in claim.split("~")]]
    segs = ["ST*835*0001", *body]
    segs.append(f"SE*{len(segs) + 1}*0001")
    return "~".join(segs) + "~"


def _claim(status: str, billed: str, paid: str, allowed: str, sign: str = "") -> str:
    return "~".join([
        f"CLP*CLM100*{status}*{sign}{billed}*{sign}{paid}**12*PCN100",
        "NM1*QC*1*DOE*JANE****MI*M123", "DTM*050*20260310",
        f"SVC*HC:99214*{sign}{billed}*{sign}{paid}**1", "DTM*472*20260305",
        f"CAS*CO*45*{sign}{Decimal(billed) - Decimal(allowed)}",
        f"AMT*B6*{sign}{allowed}"])


def _write(tmp: Path, name: str, *payments: str) -> Path:
    path = tmp / name
    path.write_text(ENVELOPE + "".join(payments) + "GE*1*101~IEA*1*000000101~")
    return path


def _remit_conn():  # type: ignore[no-untyped-def]
    return open_memory_warehouse()  # the 835's N1*PR makes the payer (registry rebuild)


def test_a_reversal_and_its_correction_leave_the_final_adjudication(tmp_path: Path) -> None:
    conn = _remit_conn()
    first = _write(tmp_path, "march.835",
                   _payment("T1", "20260320", [_claim("1", "200.00", "90.00", "90.00")]))
    fix = _write(tmp_path, "april.835", _payment("T2", "20260415", [
        _claim("22", "200.00", "90.00", "90.00", sign="-"),
        _claim("1", "200.00", "110.00", "110.00")], total="20.00"))
    for path in (fix, first):  # arrival order does not matter
        X12_835Loader().load(path, conn, SETTINGS)
    rebuild(conn)
    rows = conn.execute("SELECT claim_id, code, allowed, paid, status, paid_date, "
                        "check_number FROM claim_lines").fetchall()
    assert rows == [("CLM100", "99214", Decimal("110.00"), Decimal("110.00"), "paid",
                     dt.date(2026, 4, 15), "T2")]


def test_a_reversal_without_correction_removes_the_line(tmp_path: Path) -> None:
    conn = _remit_conn()
    X12_835Loader().load(_write(tmp_path, "a.835", _payment(
        "T1", "20260320", [_claim("1", "200.00", "90.00", "90.00")])), conn, SETTINGS)
    X12_835Loader().load(_write(tmp_path, "b.835", _payment(
        "T9", "20260420", [_claim("22", "200.00", "90.00", "90.00", sign="-")],
        total="-90.00")), conn, SETTINGS)
    rebuild(conn)
    assert conn.execute("SELECT count(*) FROM claim_lines").fetchone() == (0,)


def test_a_payment_resent_under_another_name_is_counted_once(tmp_path: Path) -> None:
    conn = _remit_conn()
    claim = [_claim("1", "200.00", "90.00", "90.00")]
    X12_835Loader().load(_write(tmp_path, "run1.835", _payment("T5", "20260320", claim)),
                         conn, SETTINGS)
    # Same payer and trace number, new file name and control numbers.
    resent = _write(tmp_path, "run1_resend.835",
                    _payment("T5", "20260320", claim).replace("ST*835*0001", "ST*835*0777"))
    report = X12_835Loader().load(resent, conn, SETTINGS)
    assert report.rows_loaded == 0
    assert any("T5" in w and "counted once" in w for w in report.warnings)
    rebuild(conn)
    assert conn.execute("SELECT count(*), sum(paid) FROM claim_lines").fetchone() == (
        1, Decimal("90.00"))
    assert conn.execute("SELECT count(*) FROM remit_payments").fetchone() == (1,)


def test_an_interchange_header_alone_is_a_named_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "isa_only.835"
    path.write_text("ISA")
    with pytest.raises(IngestError, match="truncated ISA header"):
        X12_835Loader().load(path, open_memory_warehouse(), SETTINGS)


def test_a_wrong_segment_count_loads_with_a_warning(tmp_path: Path) -> None:
    text = _payment("T7", "20260320", [_claim("1", "200.00", "90.00", "90.00")])
    bad = re.sub(r"SE\*\d+\*", "SE*4*", text)
    path = _write(tmp_path, "count.835", bad)
    report = X12_835Loader().load(path, _remit_conn(), SETTINGS)
    assert report.rows_loaded == 1
    assert any("SE01 says 4 segments" in w for w in report.warnings)


CLAIM_837 = "~".join([
    "ISA*00*          *00*          *ZZ*PRACTICE       *ZZ*CLEARINGHOUSE  *260306*0900*^*"
    "00501*000000202*0*P*:",
    "GS*HC*PRACTICE*CH*20260306*0900*202*X*005010X222A1",
    "ST*837*0001*005010X222A1", "BHT*0019*00*B1*20260306*0900*CH",
    "NM1*41*2*RIVER CLINIC*****46*1234", "HL*1**20*1", "NM1*85*2*RIVER CLINIC*****XX*1234567893",
    "HL*2*1*22*0", "SBR*P*18*******CI", "NM1*IL*1*DOE*JANE****MI*M123",
    "NM1*PR*2*CEDAR RIDGE HEALTH PLAN*****PI*CRHP01",
    "CLM*CLM100*200***11:B:1*Y*A*Y*Y", "LX*1", "SV1*HC:99214*200*UN*1***1",
    "DTP*472*D8*20260305", "SE*15*0001", "GE*1*202", "IEA*1*000000202"]) + "~"


def test_an_837_adds_the_submitted_date_to_the_835_line(tmp_path: Path) -> None:
    from ingest.loaders import find_loader

    conn = _remit_conn()
    sent = tmp_path / "claims_0306.txt"
    sent.write_text(CLAIM_837)
    loader = find_loader(sent)
    assert loader is not None and loader.name == "x12_837"
    assert loader.load(sent, conn, SETTINGS).rows_loaded == 1
    X12_835Loader().load(_write(tmp_path, "march.835", _payment(
        "T1", "20260320", [_claim("1", "200.00", "90.00", "90.00")])), conn, SETTINGS)
    rebuild(conn)
    assert conn.execute("SELECT submitted_date, received_date, paid FROM claim_lines"
                        ).fetchall() == [(dt.date(2026, 3, 6), dt.date(2026, 3, 10),
                                          Decimal("90.00"))]
    # The patient is stored as the same keyed hash the 835 gives, never in clear.
    hashes = conn.execute("SELECT DISTINCT patient_hash FROM claim_submissions UNION "
                          "SELECT DISTINCT patient_hash FROM remit_claims").fetchall()
    assert len(hashes) == 1 and "M123" not in str(hashes) and "DOE" not in str(
        conn.execute("SELECT * FROM claim_submissions").fetchall())


def test_terms_stated_per_program_apply_to_that_programs_claims(tmp_path: Path) -> None:
    from assistant.analytics.timeliness import TimelinessParams, payment_timeliness

    conn = _remit_conn()
    commercial = _claim("1", "200.00", "90.00", "90.00")
    advantage = commercial.replace("CLM100", "CLM200").replace("**12*PCN100", "**16*PCN200")
    # Received 2026-03-10, paid 2026-04-19: 40 days.
    X12_835Loader().load(_write(tmp_path, "apr.835", _payment(
        "T1", "20260419", [commercial, advantage], total="180.00")), conn, SETTINGS)
    rebuild(conn)
    payer_id = conn.execute("SELECT DISTINCT payer_id FROM claim_lines").fetchone()[0]
    assert conn.execute("SELECT claim_id, program FROM claim_lines ORDER BY 1").fetchall() == [
        ("CLM100", "Commercial"), ("CLM200", "Medicare Advantage")]
    for program, days in (("Commercial", 30), ("Medicare Advantage", 45)):
        conn.execute("INSERT INTO contract_terms (contract_id, payer_id, doc_id, term, value_num, "
                     "effective_from, program) VALUES ('K', ?, 'd', 'clean_claim_payment_days', "
                     "?, DATE '2025-01-01', ?)", [payer_id, days, program])
    result = payment_timeliness(conn, TimelinessParams(payer=payer_id))
    (row,) = result.by_payer
    assert (row.claims, row.late_claims) == (2, 1)  # only the commercial claim is late


SHARED_835 = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "x12_835"


def test_a_real_file_with_an_unreadable_payment_date_still_loads() -> None:
    path = SHARED_835 / "linuxforhealth" / "managed-care.835"
    if not path.is_file():
        pytest.skip("shared 835 samples not present")
    conn = _remit_conn()
    report = X12_835Loader().load(path, conn, SETTINGS)
    assert report.rows_loaded > 0
    assert any("BPR16 '20002316' is not a date" in w for w in report.warnings)
    assert conn.execute("SELECT payment_date, production_date FROM remit_payments").fetchall() == [
        (dt.date(2002, 3, 14), dt.date(2002, 3, 14))]


def test_the_same_trace_number_with_another_amount_is_another_payment(tmp_path: Path) -> None:
    conn = _remit_conn()
    claim = [_claim("1", "200.00", "90.00", "90.00")]
    X12_835Loader().load(_write(tmp_path, "a.835", _payment("T5", "20260320", claim)),
                         conn, SETTINGS)
    other = [_claim("1", "300.00", "120.00", "120.00").replace("CLM100", "CLM300")]
    report = X12_835Loader().load(
        _write(tmp_path, "b.835", _payment("T5", "20260320", other, total="120.00")),
        conn, SETTINGS)
    assert report.rows_loaded == 1 and not report.warnings


def test_interest_paid_on_the_remittance_is_taken_off_what_is_owed(tmp_path: Path) -> None:
    from assistant.analytics.timeliness import TimelinessParams, payment_timeliness

    conn = _remit_conn()
    late = _payment("T1", "20260610", [_claim("1", "200.00", "90.00", "90.00")], total="90.50")
    segs = [s for s in late.split("~") if s]
    segs.insert(-1, "PLB*1234567893*20261231*L6:CLM100*-0.50")  # interest paid, claim CLM100
    segs[-1] = f"SE*{len(segs)}*0001"
    X12_835Loader().load(_write(tmp_path, "late.835", "~".join(segs) + "~"), conn, SETTINGS)
    rebuild(conn)
    payer_id = conn.execute("SELECT DISTINCT payer_id FROM claim_lines").fetchone()[0]
    for term, value in (("clean_claim_payment_days", 30), ("prompt_pay_interest_pct", 12)):
        conn.execute("INSERT INTO contract_terms (contract_id, payer_id, doc_id, term, "
                     "value_num, effective_from) VALUES ('K', ?, 'd', ?, ?, DATE '2025-01-01')",
                     [payer_id, term, value])
    (row,) = payment_timeliness(conn, TimelinessParams(payer=payer_id)).by_payer
    # Received 2026-03-10, paid 2026-06-10: 92 days, 62 late; 90.00 x 12% x 62/365 = 1.83.
    assert (row.late_claims, row.interest_owed, row.interest_paid) == (1, 1.83, 0.5)
    assert row.interest_outstanding == 1.33
