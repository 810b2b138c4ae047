"""End to end: a contract PDF with a fee-schedule exhibit and an 835, ingested with no CSV,
then ``reimbursement_variance`` finds the underpaid line and ``parley rates review`` shows
what was read from the contract (real ingest job, real embeddings, real DuckDB)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.cli import main
from assistant.settings import Settings

CONTRACT_PAGES = [
    """PARTICIPATING PROVIDER AGREEMENT
Agreement No. CRH-2026-01
This Participating Provider Agreement is effective as of January 1, 2026, by and between
Cedar Ridge Health Plan, Inc. ("Payer") and Springfield Family Medicine ("Provider").
ARTICLE 1 CLAIMS
1.1 Timely Filing. Provider shall submit claims within ninety (90) days after the date of
service.
1.2 Compensation. Payer shall pay Provider the rates in Exhibit A. Services not listed
in Exhibit A are paid at one hundred ten percent (110%) of the 2026 Medicare Physician
Fee Schedule.""",
    """EXHIBIT A - FEE SCHEDULE
CPT/HCPCS   Mod   Description                                   Rate
99213             Office visit, established patient, low ........ $100.00
99214             Office visit, established patient,
                  moderate complexity ........................... $150.00
73721       TC    MRI lower extremity joint, technical .......... $210.00""",
]


def _segments_835() -> str:
    body = [
        "ST*835*0001",
        "BPR*I*220.00*C*CHK************20260320",
        "TRN*1*CHK7001*1999999999",
        "DTM*405*20260320",
        "N1*PR*CEDAR RIDGE HEALTH PLAN",
        "N3*PO BOX 100", "N4*SPRINGFIELD*IL*62704",
        "N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1234567893",
        "LX*1",
        "CLP*CLM-1*1*400.00*220.00*0*12*PCN1*11*1",
        "NM1*QC*1*DOE*JANE****MR*MRN-1",
        "DTM*232*20260302", "DTM*233*20260302", "DTM*050*20260305",
        "SVC*HC:99213*180.00*100.00**1", "DTM*472*20260302", "CAS*CO*45*80.00",
        "REF*6R*CLM-1-1", "AMT*B6*100.00",
        "SVC*HC:99214*220.00*120.00**1", "DTM*472*20260302", "CAS*CO*45*100.00",
        "REF*6R*CLM-1-2", "AMT*B6*120.00",
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    head = ["ISA*00*          *00*          *ZZ*CEDARRIDGE     *ZZ*SPRINGFIELD    *260320*0800*^*"
            "00501*000000001*0*P*:", "GS*HP*CEDARRIDGE*SPRINGFIELD*20260320*0800*1*X*005010X221A1"]
    return "~\n".join(head + body + ["GE*1*1", "IEA*1*000000001"]) + "~\n"


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from ingest.job import IngestJob
    from tests.ingest.helpers import CountingEmbedder, make_pdf

    root = tmp_path_factory.mktemp("rates_cli")
    src = root / "src"
    src.mkdir()
    make_pdf(src / "cedar_ridge_agreement.pdf", CONTRACT_PAGES)  # type: ignore[arg-type]
    (src / "cedar_ridge_20260320.835").write_text(_segments_835())
    settings = Settings(data_dir=root / "data", environment="test", parse_timeout_s=60)
    summary = IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    return {"settings": settings, "summary": summary}


def _payer_id(settings: Settings) -> str:
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=True)
    try:
        return conn.execute("SELECT DISTINCT payer_id FROM fee_schedule").fetchone()[0]
    finally:
        conn.close()


def test_contract_exhibit_and_835_find_the_underpaid_line(practice: dict[str, Any]) -> None:
    from assistant.analytics.variance import VarianceParams, reimbursement_variance
    from assistant.stores.warehouse import open_warehouse

    settings = practice["settings"]
    assert practice["summary"].count("failed") == 0, practice["summary"].to_dict()
    payer_id = _payer_id(settings)
    assert payer_id  # the contract's rows are linked to the payer the 835 is linked to
    conn = open_warehouse(settings, read_only=True)
    try:
        res = reimbursement_variance(conn, VarianceParams(payer="Cedar Ridge Health Plan"))
        origins = conn.execute("SELECT DISTINCT origin FROM claim_lines").fetchall()
    finally:
        conn.close()
    assert origins == [("835",)]  # no claims CSV: the lines come from the 835 alone
    assert res.lines_compared == 2 and res.underpaid_lines == 1
    (line,) = res.lines
    assert (line.code, line.expected, line.allowed, line.short) == ("99214", 150.0, 120.0, 30.0)
    (src,) = [s for s in res.rate_sources if s.code == "99214"]
    assert src.origin == "contract" and src.page == 2 and src.section == "Exhibit A"
    assert src.file == "cedar_ridge_agreement.pdf" and "moderate complexity" in src.quote


def test_rates_review_lists_rows_rules_and_the_missing_medicare_file(
        practice: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = str(practice["settings"].data_dir)
    assert main(["--data-dir", data_dir, "rates", "review", "Cedar Ridge", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {(r["code"], r["modifier"]): r for r in data["rows"]}
    assert set(rows) == {("99213", None), ("99214", None), ("73721", "TC")}
    r = rows[("99214", None)]
    assert (r["rate"], r["page"], r["section"], r["effective_from"]) == (
        150.0, 2, "Exhibit A", "2026-01-01")
    assert r["file"] == "cedar_ridge_agreement.pdf" and r["csv_override"] is False
    (rule,) = data["rules"]
    assert (rule["kind"], rule["pct"], rule["year"], rule["codes"]) == ("medicare_pct", 110.0,
                                                                        2026, 0)
    (need,) = data["medicare_needed"]
    assert "no 2026 Medicare rates are loaded" in need
    assert "parley ingest path/to/medicare_pfs_2026_national.csv" in need
    assert main(["--data-dir", data_dir, "rates", "review", "Cedar Ridge"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Exhibit A" in text and "110% of 2026 Medicare PFS" in text
    assert "medicare_pfs_2026_national.csv" in text


def test_unknown_payer_names_the_close_ones(practice: dict[str, Any],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["--data-dir", str(practice["settings"].data_dir), "rates", "review", "Zzyzx Mutual"])
    err = capsys.readouterr().err.strip()
    assert rc == 1 and err.startswith("parley: Unknown payer 'Zzyzx Mutual'.")
    assert "Did you mean" in err and "Cedar Ridge" in err


def _deps(settings: Settings) -> Any:
    from assistant.stores.warehouse import open_warehouse
    from assistant.tools.base import ToolDeps

    return ToolDeps(settings=settings, retriever_factory=lambda: None,
                    warehouse_factory=lambda: open_warehouse(settings, read_only=True),
                    vocabulary=lambda: None)


def _runtime() -> Any:
    import datetime as dt
    from types import SimpleNamespace

    from assistant.tools.base import TurnContext

    return SimpleNamespace(context=TurnContext(as_of=dt.date(2026, 4, 1)))


def test_rate_tools_cite_the_exhibit_row_and_name_the_missing_file(practice: dict[str, Any]) -> None:
    from assistant.tools.rates import make_rate_comparison
    from assistant.tools.underpayments import make_underpayments

    deps = _deps(practice["settings"])
    content, art = make_rate_comparison(deps).func(  # type: ignore[attr-defined]
        runtime=_runtime(), codes=["99214"], payer="Cedar Ridge")
    (row,) = art["data"]["rows"]
    assert row["rate"] == 150.0 and row["source"]["section"] == "Exhibit A"
    (cite,) = art["citations"]
    assert cite["ref"] == row["source_ref"] and cite["page"] == 2
    assert cite["document"] == "cedar_ridge_agreement.pdf" and "$150.00" in cite["quote"]
    assert "medicare_pfs_2026_national.csv" in art["note"]
    assert "cedar_ridge_agreement.pdf" in content  # the model sees where the rate comes from
    _, art = make_underpayments(deps).func(  # type: ignore[attr-defined]
        runtime=_runtime(), payer="Cedar Ridge")
    assert art["data"]["underpaid_lines"] == 1
    (src,) = [s for s in art["data"]["rate_sources"] if s["code"] == "99214"]
    assert src["origin"] == "contract" and "moderate complexity" in src["quote"]
