"""End to end: real agreements (OCR Markdown, the same as a text-layer PDF, a faxed text
file) and a note go through a real ingest (real embedder, Chroma, DuckDB) with no CSV; the
terms land per program on the payer the registry builds from the preambles, and the
readers (contract_terms query, deadlines) show the programs."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.stores.vectors import create_vector_store
from ingest.job import IngestJob
from tests.ingest.helpers import CountingEmbedder
from tests.ingest.test_agreements import JUNIPER, TAMARACK, render_pdf
from tests.ingest.test_job import NOTE


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings, dict]:
    root = tmp_path_factory.mktemp("agreements")
    src = root / "src"
    src.mkdir()
    shutil.copy(TAMARACK, src / TAMARACK.name)
    shutil.copy(JUNIPER, src / JUNIPER.name)
    render_pdf(TAMARACK.read_text(encoding="utf-8"), src / "Tamarack_PPA_2025_signed.pdf")
    (src / "tamarack_renewal_prep.md").write_text(NOTE.replace("Northwind", "Tamarack"))
    settings = Settings(data_dir=root / "data", parse_timeout_s=60)
    embedder = CountingEmbedder()  # the model loads before the clock starts
    started = time.perf_counter()
    summary = IngestJob(settings, embedder=embedder).run([src])  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    assert summary.count("failed") == 0, summary.to_dict()
    stats = {Path(r.path).name: (r.terms, r.chunks, r.pages) for r in summary.results}
    print(f"\ningest of 4 documents: {seconds:.1f} s; (terms, chunks, pages): {stats}")
    return src, settings, stats


def _rows(settings: Settings) -> list[tuple]:
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=True)
    try:
        return conn.execute(
            "SELECT source_file, payer_id, term, value_num, value_text, program, page, section "
            "FROM contract_terms ORDER BY source_file, term, program"
        ).fetchall()
    finally:
        conn.close()


def test_documents_typed_by_content(ingested) -> None:  # type: ignore[no-untyped-def]
    src, settings, stats = ingested
    metas = {Path(c.metadata["source_path"]).name: c.metadata
             for c in create_vector_store(settings, CountingEmbedder()).iter_all()}  # type: ignore[arg-type]
    assert metas[TAMARACK.name]["doc_type"] == "contract"
    assert metas["Tamarack_PPA_2025_signed.pdf"]["doc_type"] == "contract"
    assert metas[JUNIPER.name]["doc_type"] == "contract"
    assert metas["tamarack_renewal_prep.md"]["doc_type"] == "note"
    assert "W-9" not in metas["Tamarack_PPA_2025_signed.pdf"]["title"]
    assert stats[TAMARACK.name][2] == 11 and stats["Tamarack_PPA_2025_signed.pdf"][2] == 11
    assert stats[TAMARACK.name][0] >= 20 and stats[JUNIPER.name][0] >= 14


def test_terms_land_on_the_payer_per_program(ingested) -> None:  # type: ignore[no-untyped-def]
    src, settings, _ = ingested
    rows = _rows(settings)
    by_file: dict[str, dict[tuple[str, str], tuple]] = {}
    for r in rows:
        by_file.setdefault(Path(r[0]).name, {})[(r[2], r[5])] = r
    md, pdf, txt = (by_file[TAMARACK.name], by_file["Tamarack_PPA_2025_signed.pdf"],
                    by_file[JUNIPER.name])
    assert md[("timely_filing_days", "Medicaid")][3] == 120
    assert md[("timely_filing_days", "Medicare Advantage")][3] == 90
    assert md[("timely_filing_days", "")][3] == 180
    assert md[("timely_filing_days", "Medicaid")][6:] == (9, "B.2")
    assert pdf[("timely_filing_days", "Medicaid")][3] == 120
    assert pdf[("clean_claim_payment_days", "Medicare Advantage")][3] == 30
    assert txt[("timely_filing_days", "Medicare Advantage")][3] == 365
    payers = {r[1] for r in md.values()} | {r[1] for r in pdf.values()}
    assert len(payers) == 1 and None not in payers  # one payer, from the preamble
    assert {r[1] for r in txt.values()} != payers and None not in {r[1] for r in txt.values()}

    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=True)
    try:
        names = dict(conn.execute("SELECT payer_id, name FROM payers").fetchall())
    finally:
        conn.close()
    assert "Tamarack Valley Health Plan" in names[payers.pop()]


def test_readers_show_programs(ingested) -> None:  # type: ignore[no-untyped-def]
    from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
    from assistant.stores.warehouse import open_warehouse
    from assistant.tools.contract_terms import pick_program, query_terms

    _, settings, _ = ingested
    conn = open_warehouse(settings, read_only=True)
    try:
        payer = conn.execute(
            "SELECT DISTINCT payer_id FROM contract_terms WHERE source_file LIKE ?",
            ["%tamarack_valley%"]).fetchone()[0]
        rows = query_terms(conn, dt.date(2026, 6, 1), payer)
        deadlines = contract_deadlines(conn, DeadlineParams(as_of=dt.date(2026, 6, 1), payer=payer))
    finally:
        conn.close()
    tf = [r for r in rows if r["term"] == "timely_filing_days"]
    assert {(r["program"], r["value_num"]) for r in tf} == {
        ("", 180), ("Medicaid", 120), ("Medicare Advantage", 90)}
    assert [r["value_num"] for r in pick_program(tf, "Medicaid")] == [120]
    assert [r["value_num"] for r in pick_program(tf, "MA")] == [90]
    assert [r["value_num"] for r in pick_program(tf, "Commercial")] == [180]  # the general one
    [contract] = deadlines.contracts
    assert contract.termination_without_cause_days == 180  # the general value
    assert contract.program_values["termination_without_cause_days"] == {
        "": 180, "Medicare Advantage": 90}
    assert contract.notice_days == 90 and contract.expiration_date == dt.date(2027, 12, 31)
