"""The payer registry through the real ingest job (real embeddings, Chroma, DuckDB):
the same files in any order and any number of runs give the same payers and links;
a later payers.csv relinks a contract the job calls unchanged; merge and rename relink
terms, remittances and chunk metadata at once, with nothing re-embedded."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.settings import Settings
from assistant.stores.vectors import create_vector_store
from assistant.stores.warehouse import open_warehouse
from ingest.job import IngestJob
from tests.ingest.helpers import CONTRACT, CountingEmbedder, make_pdf

NOTE = """# Northwind renewal prep, meeting notes

Northwind says their fee schedule is fixed for 2025 and they will not move above 105%.
"""
AMENDMENT = ("AMENDMENT NO. 1\nAgreement No. NW-2024-001\nThis Amendment is effective as of "
             "July 1, 2025.\n2.1 Timely Filing. Provider shall submit claims within one hundred "
             "twenty (120) days after the date of service.")
PAYERS_CSV = "payer_id,name,plan_type,aliases\nNWH,Northwind Health Plan,HMO,NW Health\n"


def make_835(payer: str, ident: str, trace: str) -> str:
    """A small, valid 835: one payment, one claim, one 99214 line."""
    segs = [
        "ISA*00*          *00*          *ZZ*NWH            *ZZ*CLINIC         *260315*0800*^*"
        "00501*000000001*0*P*:",
        "GS*HP*NWH*CLINIC*20260315*0800*1*X*005010X221A1", "ST*835*0001",
        "BPR*I*98.00*C*ACH*CCP*01*091000019*DA*100200300*1410987654**01*091000022*DA*"
        "700800900*20260315",
        f"TRN*1*{trace}*1410987654", "DTM*405*20260315", f"N1*PR*{payer}*XV*{ident}",
        "N1*PE*SPRINGFIELD FAMILY MEDICINE*XX*1588667799", "LX*1",
        "CLP*CLM0001*1*150.00*98.00*20.00*12*NW0000001*11*1",
        "NM1*QC*1*DOE*JANE****MR*MRN0001", "DTM*050*20260301",
        "SVC*HC:99214*150.00*98.00**1", "DTM*472*20260225", "CAS*CO*45*32.00",
        "CAS*PR*2*20.00", "AMT*B6*118.00", "SE*17*0001", "GE*1*1", "IEA*1*000000001",
    ]
    return "~\n".join(segs) + "~\n"


def write_sources(src: Path, with_csv: bool, remit_payer: str = "NORTHWIND HEALTH PLAN") -> list[Path]:
    src.mkdir(parents=True, exist_ok=True)
    (src / "nw_contract.txt").write_text(CONTRACT)
    (src / "nw_notes.md").write_text(NOTE)
    make_pdf(src / "nw_amendment_1.pdf", [AMENDMENT])
    (src / "nw_20260315.835").write_text(make_835(remit_payer, "NW01", "EFT0315"))
    if with_csv:
        (src / "payers.csv").write_text(PAYERS_CSV)
    return sorted(p for p in src.iterdir())


def settings_in(root: Path) -> Settings:
    return Settings(data_dir=root, parse_timeout_s=60, environment="test")


def state(settings: Settings) -> dict[str, object]:
    """What the registry decided, by file name (comparable across data dirs)."""
    conn = open_warehouse(settings, read_only=True)
    try:
        out: dict[str, object] = {
            "payers": sorted(conn.execute(
                "SELECT payer_id, name, plan_type, aliases FROM payers").fetchall()),
            "links": sorted((Path(s).name, p) for s, p in conn.execute(
                "SELECT source_file, payer_id FROM payer_links").fetchall()),
            "terms": sorted({(Path(s).name, t, p) for s, t, p in conn.execute(
                "SELECT source_file, term, payer_id FROM contract_terms").fetchall()}),
            "remits": sorted(conn.execute(
                "SELECT source_file, payer_id FROM remit_payments").fetchall()),
        }
    finally:
        conn.close()
    store = create_vector_store(settings)
    out["chunks"] = sorted({(Path(c.metadata["source_path"]).name, c.metadata["payer_id"],
                             c.metadata["payer_name"]) for c in store.iter_all()})
    return out


class Counting(CountingEmbedder):
    """The counting wrapper, reporting its model's backend (the store records it)."""

    @property
    def backend(self) -> str:
        return str(getattr(self.inner, "backend", "torch"))


@pytest.fixture(scope="module")
def embedder() -> CountingEmbedder:
    return Counting()


@pytest.mark.parametrize("with_csv", [False, True], ids=["no_csv", "payers_csv"])
def test_order_never_matters(tmp_path: Path, embedder: CountingEmbedder, with_csv: bool) -> None:
    files = write_sources(tmp_path / "src", with_csv)
    orders = {
        "one run": [files],
        "one file per run": [[f] for f in files],
        "reverse, one per run": [[f] for f in reversed(files)],
        "two runs, shuffled": [list(reversed(files[::2])), files[1::2]],
        "one run, reversed paths": [list(reversed(files))],
    }
    states = {}
    for label, runs in orders.items():
        settings = settings_in(tmp_path / label.replace(" ", "_").replace(",", ""))
        for paths in runs:
            summary = IngestJob(settings, embedder=embedder).run(paths)  # type: ignore[arg-type]
            assert not [r for r in summary.results if r.status == "failed"], summary.results
        states[label] = state(settings)
    first = states["one run"]
    for label, got in states.items():
        assert got == first, label
    want = "NWH" if with_csv else "NORTHWIND"
    assert [p[0] for p in first["payers"]] == [want]  # type: ignore[index]
    assert {p for _, p in first["links"]} == {want}  # type: ignore[union-attr]
    assert {f for f, _ in first["links"]} == {  # type: ignore[union-attr]
        "nw_contract.txt", "nw_notes.md", "nw_amendment_1.pdf"}
    terms = first["terms"]
    assert terms and {p for _, _, p in terms} == {want}  # type: ignore[union-attr]
    assert {f for f, _, _ in terms} == {"nw_contract.txt", "nw_amendment_1.pdf"}  # type: ignore[union-attr]
    assert first["remits"] == [("nw_20260315.835", want)]
    assert {p for _, p, _ in first["chunks"]} == {want}  # type: ignore[union-attr]


def test_payers_csv_after_the_contract_relinks_it(tmp_path: Path,
                                                  embedder: CountingEmbedder) -> None:
    src = tmp_path / "src"
    write_sources(src, with_csv=False)
    settings = settings_in(tmp_path / "data")
    IngestJob(settings, embedder=embedder).run([src])  # type: ignore[arg-type]
    assert state(settings)["remits"] == [("nw_20260315.835", "NORTHWIND")]
    (src / "payers.csv").write_text(PAYERS_CSV)
    counter = Counting(embedder.inner)
    summary = IngestJob(settings, embedder=counter).run([src])  # type: ignore[arg-type]
    assert summary.count("unchanged") == 4 and counter.embedded == 0  # 3 documents, the 835
    got = state(settings)
    assert [p[0] for p in got["payers"]] == ["NWH"]  # type: ignore[index]
    assert {p for _, p, _ in got["chunks"]} == {"NWH"}  # type: ignore[union-attr]
    assert {n for _, _, n in got["chunks"]} == {"Northwind Health Plan"}  # type: ignore[union-attr]
    assert {p for _, _, p in got["terms"]} == {"NWH"}  # type: ignore[union-attr]
    assert got["remits"] == [("nw_20260315.835", "NWH")]


def test_merge_and_rename_relink_everything_without_reembedding(
        tmp_path: Path, embedder: CountingEmbedder, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.retrieval import create_retriever

    src = tmp_path / "src"
    write_sources(src, with_csv=False, remit_payer="NWHP ADMINISTRATORS")
    settings = settings_in(tmp_path / "data")
    IngestJob(settings, embedder=embedder).run([src])  # type: ignore[arg-type]
    before = state(settings)
    assert [p[0] for p in before["payers"]] == ["NORTHWIND", "NWHP"]  # type: ignore[index]
    assert before["remits"] == [("nw_20260315.835", "NWHP")]
    store = create_vector_store(settings)
    vectors = {c.chunk_id: list(c.embedding) for c in store.iter_all(embeddings=True)}
    retriever = create_retriever(settings, embedder=embedder.inner)  # type: ignore[arg-type]
    assert retriever.search("timely filing", payer_ids=["NWHP"]) == []
    counted = embedder.embedded
    data = ["--data-dir", str(settings.data_dir)]
    assert main([*data, "payers", "merge", "Northwind", "NWHP"]) == 0
    out = capsys.readouterr().out
    assert "Merged Northwind Health Plan, Inc. (NORTHWIND) into" in out
    assert "Re-linked 3 document(s)" in out
    after = state(settings)
    assert [p[0] for p in after["payers"]] == ["NWHP"]  # type: ignore[index]
    assert {p for _, p, _ in after["chunks"]} == {"NWHP"}  # type: ignore[union-attr]
    assert {p for _, _, p in after["terms"]} == {"NWHP"}  # type: ignore[union-attr]
    assert after["remits"] == [("nw_20260315.835", "NWHP")]
    hits = retriever.search("timely filing", payer_ids=["NWHP"])  # the same retriever
    assert hits and {h.payer_id for h in hits} == {"NWHP"}
    assert main([*data, "payers", "rename", "NWHP", "Northwind Health Plan West"]) == 0
    assert "Re-linked 3 document(s)" in capsys.readouterr().out
    renamed = state(settings)
    assert {n for _, _, n in renamed["chunks"]} == {"Northwind Health Plan West"}  # type: ignore[union-attr]
    assert [p[0] for p in renamed["payers"]] == ["NWHP"]  # type: ignore[index]
    # Nothing was embedded again: same chunk ids, same vectors, and a re-run embeds nothing.
    again = {c.chunk_id: list(c.embedding) for c in store.iter_all(embeddings=True)}
    assert again == vectors and embedder.embedded == counted
    summary = IngestJob(settings, embedder=embedder).run([src])  # type: ignore[arg-type]
    assert summary.count("unchanged") == 4 and embedder.embedded == counted
    assert state(settings) == renamed


def test_documents_from_before_the_registry_are_registered_when_unchanged(
        tmp_path: Path, embedder: CountingEmbedder) -> None:
    src = tmp_path / "src"
    write_sources(src, with_csv=True)
    settings = settings_in(tmp_path / "data")
    IngestJob(settings, embedder=embedder).run([src])  # type: ignore[arg-type]
    want = state(settings)
    # Forget what the registry knew about the documents, as in a warehouse from before it.
    conn = open_warehouse(settings)
    for table in ("doc_openings", "payer_links", "payer_chunk_sync"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("DELETE FROM payer_mentions WHERE doc_id IS NOT NULL")
    conn.execute("UPDATE contract_terms SET payer_id = NULL")
    conn.close()
    store = create_vector_store(settings)
    for doc_id in {c.metadata["doc_id"] for c in store.iter_all()}:
        store.set_doc_payer(doc_id, "", "")
    counter = Counting(embedder.inner)
    IngestJob(settings, embedder=counter).run([src])  # type: ignore[arg-type]
    assert counter.embedded == 0 and state(settings) == want


def test_a_copied_folder_is_the_same_payer(tmp_path: Path, embedder: CountingEmbedder) -> None:
    """Two copies of the same contract in two folders: one payer, both linked."""
    first = tmp_path / "a"
    write_sources(first, with_csv=False)
    shutil.copytree(first, tmp_path / "b")
    settings = settings_in(tmp_path / "data")
    IngestJob(settings, embedder=embedder).run([first, tmp_path / "b"])  # type: ignore[arg-type]
    got = state(settings)
    assert [p[0] for p in got["payers"]] == ["NORTHWIND"]  # type: ignore[index]
    assert len(got["links"]) == 6 and {p for _, p in got["links"]} == {"NORTHWIND"}  # type: ignore[arg-type, union-attr]
    assert list(itertools.chain(got["remits"]))  # type: ignore[call-overload]
