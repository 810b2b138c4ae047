"""Idempotence, replacement, prune and crash-restart of the ingestion job (real stores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.stores.vectors import VectorStore, create_vector_store
from ingest.job import IngestJob, text_path
from ingest.ledger import Ledger
from tests.ingest.helpers import CONTRACT, CountingEmbedder, make_pdf

NOTE = """# Northwind renewal prep — meeting notes

## Their position
Northwind says their fee schedule is fixed for 2025 and they will not move above 105%.

## Our asks
Raise the E/M rates to 120% of Medicare and shorten clean-claim payment to 21 days.
"""


def _write_sources(src: Path) -> None:
    (src / "contract.txt").write_text(CONTRACT)
    (src / "notes.md").write_text(NOTE)
    make_pdf(
        src / "amendment.pdf",
        [
            "AMENDMENT NO. 1\nAgreement No. NW-2024-001\nThis Amendment is effective as of "
            "July 1, 2025.\n2.1 Timely Filing. Provider shall submit claims within one hundred "
            "twenty (120) days after the date of service."
        ],
    )


def _state(settings: Settings, embedder: CountingEmbedder) -> tuple[set[str], list[tuple]]:
    store = create_vector_store(settings, embedder)  # type: ignore[arg-type]
    ids = {c.chunk_id for c in store.iter_all()}
    ledger = Ledger(settings.ledger_file)
    rows = sorted((r.path, r.content_hash, r.status, tuple(r.chunk_ids)) for r in ledger.all())
    ledger.close()
    return ids, rows


def test_second_run_embeds_nothing(settings, embedder, src):  # type: ignore[no-untyped-def]
    _write_sources(src)
    first = IngestJob(settings, embedder=embedder).run([src])
    assert first.count("ingested") == 3
    assert embedder.embedded == first.to_dict()["chunks"] > 0
    counter = CountingEmbedder()
    second = IngestJob(settings, embedder=counter).run([src])  # type: ignore[arg-type]
    assert second.count("unchanged") == 3
    assert counter.embedded == 0


def test_chunks_carry_metadata_and_offsets(settings, embedder, src):  # type: ignore[no-untyped-def]
    _write_sources(src)
    IngestJob(settings, embedder=embedder).run([src])
    store = create_vector_store(settings, embedder)  # type: ignore[arg-type]
    chunks = [c for c in store.iter_all() if c.metadata["source_path"].endswith("contract.txt")]
    full = text_path(settings, chunks[0].metadata["doc_id"]).read_text()
    for c in chunks:
        m = c.metadata
        assert full[m["char_start"] : m["char_end"]] == c.text
        assert m["doc_type"] == "contract" and m["contract_id"] == "NW-2024-001"
        assert m["effective_date"] == "2024-01-01" and m["payer_name"].startswith("Northwind")
    tf = next(c for c in chunks if "ninety (90) days after the date of" in c.text)
    assert tf.metadata["section"] == "2.1" and tf.metadata["heading"] == "Timely Filing"
    assert tf.metadata["ct_timely_filing"] is True
    assert "timely_filing" in tf.metadata["clause_types"].split(",")
    amendment = next(c for c in store.iter_all() if c.metadata["source_path"].endswith(".pdf"))
    assert amendment.metadata["doc_type"] == "amendment" and amendment.metadata["page_start"] == 1
    note = next(c for c in store.iter_all() if c.metadata["source_path"].endswith(".md"))
    assert note.metadata["doc_type"] == "note"


def test_changed_document_is_replaced_without_stale_chunks(settings, embedder, src):  # type: ignore[no-untyped-def]
    _write_sources(src)
    IngestJob(settings, embedder=embedder).run([src])
    (src / "contract.txt").write_text(
        CONTRACT.replace("ninety (90) days after", "sixty (60) days after")
    )
    summary = IngestJob(settings, embedder=embedder).run([src])
    assert [r.status for r in summary.results if r.path.endswith("contract.txt")] == ["replaced"]
    store = create_vector_store(settings, embedder)  # type: ignore[arg-type]
    texts = [c.text for c in store.iter_all() if c.metadata["source_path"].endswith("contract.txt")]
    assert any("sixty (60) days after" in t for t in texts)
    assert not any("ninety (90) days after the date" in t for t in texts)
    hashes = {
        c.metadata["content_hash"]
        for c in store.iter_all()
        if c.metadata["source_path"].endswith("contract.txt")
    }
    assert len(hashes) == 1


def test_prune_removes_documents_gone_from_source(settings, embedder, src):  # type: ignore[no-untyped-def]
    _write_sources(src)
    IngestJob(settings, embedder=embedder).run([src])
    (src / "notes.md").unlink()
    kept = IngestJob(settings, embedder=embedder).run([src])
    assert kept.count("pruned") == 0
    pruned = IngestJob(settings, embedder=embedder).run([src], prune=True)
    assert pruned.count("pruned") == 1
    store = create_vector_store(settings, embedder)  # type: ignore[arg-type]
    assert not [c for c in store.iter_all() if c.metadata["source_path"].endswith("notes.md")]


class _Crash(Exception):
    pass


class _CrashingStore(VectorStore):
    """The real store that dies at a chosen step, like a killed process."""

    def __init__(self, inner: VectorStore, at: str) -> None:
        super().__init__(inner.collection, inner.embedder)
        self.at = at

    def upsert(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.at == "before_upsert":
            raise _Crash()
        super().upsert(*args, **kwargs)
        if self.at == "after_upsert":
            raise _Crash()

    def delete_doc(self, doc_id, keep_hash=None):  # type: ignore[no-untyped-def]
        super().delete_doc(doc_id, keep_hash)
        if self.at == "after_delete" and keep_hash is not None:
            raise _Crash()


@pytest.mark.parametrize("at", ["before_upsert", "after_upsert", "after_delete"])
def test_crash_then_restart_ends_in_same_state(tmp_path, embedder, src, at):  # type: ignore[no-untyped-def]
    _write_sources(src)
    reference = Settings(data_dir=tmp_path / "ref")
    IngestJob(reference, embedder=embedder).run([src])
    (src / "contract.txt").write_text(
        CONTRACT + "\n3.4 Notices. Notices go to the addresses above.\n"
    )
    IngestJob(reference, embedder=embedder).run([src])
    expected = _state(reference, embedder)

    crashed = Settings(data_dir=tmp_path / "crash")
    _write_sources(src)
    IngestJob(crashed, embedder=embedder).run([src])
    (src / "contract.txt").write_text(
        CONTRACT + "\n3.4 Notices. Notices go to the addresses above.\n"
    )
    real = create_vector_store(crashed, embedder)  # type: ignore[arg-type]
    with pytest.raises(_Crash):
        IngestJob(crashed, embedder=embedder, store=_CrashingStore(real, at)).run([src])
    counter = CountingEmbedder()
    IngestJob(crashed, embedder=counter).run([src])  # type: ignore[arg-type]
    ids, rows = _state(crashed, embedder)
    assert (ids, rows) == expected
    if at != "before_upsert":
        assert counter.embedded == 0  # chunks already in the store are not embedded again


def test_contract_terms_rows_and_amendment_history(settings, embedder, src):  # type: ignore[no-untyped-def]
    from assistant.stores.warehouse import open_warehouse

    _write_sources(src)
    IngestJob(settings, embedder=embedder).run([src])
    conn = open_warehouse(settings, read_only=True)
    rows = conn.execute(
        "SELECT term, value_num, value_text, effective_from, contract_id, chunk_id, quote "
        "FROM contract_terms ORDER BY term, effective_from"
    ).fetchall()
    conn.close()
    terms = {}
    for term, num, text, eff, cid, chunk_id, quote in rows:
        terms.setdefault(term, []).append((num, text, str(eff), cid))
        assert (chunk_id and quote) or (term, text) == ("mfn_present", "false")
    assert terms["timely_filing_days"] == [
        (90.0, "90", "2024-01-01", "NW-2024-001"),
        (120.0, "120", "2025-07-01", "NW-2024-001"),
    ]
    assert terms["termination_without_cause_days"][0][0] == 120.0
    assert terms["non_renewal_notice_days"][0][0] == 90.0
    assert terms["initial_term_months"][0][0] == 36.0
    assert terms["renewal_term_months"][0][0] == 12.0
    assert terms["auto_renewal"][0][1] == "true"
    assert terms["clean_claim_payment_days"][0][0] == 30.0
    assert terms["appeal_window_days"][0][0] == 60.0
    assert terms["prompt_pay_interest_pct"][0][0] == 12.0
    assert terms["fee_schedule_basis"][0][1] == "110% of Medicare 2024"
    assert terms["payer_amendment_notice_days"][0][0] == 45.0
    assert terms["effective_date"][0][1] == "2024-01-01"
    assert terms["mfn_present"] == [
        (0.0, "false", "2024-01-01", "NW-2024-001")
    ]  # stated by absence


class _CallCounting(CountingEmbedder):
    """The real embedder, counting model calls; it can fail on a chosen call."""

    def __init__(self, fail_on_call: int = 0) -> None:
        super().__init__()
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        from assistant.errors import ConfigError

        self.calls += 1
        if self.calls == self.fail_on_call:
            raise ConfigError("embedding model went away")
        return super().embed_documents(texts)


def _many_sources(src: Path) -> None:
    _write_sources(src)
    for i in range(4):
        (src / f"contract{i}.txt").write_text(CONTRACT.replace("NW-2024-001", f"NW-2024-10{i}"))


def test_several_embedding_groups_land_like_one_group(tmp_path, src, monkeypatch):  # type: ignore[no-untyped-def]
    import ingest.job as job

    _many_sources(src)
    reference = Settings(data_dir=tmp_path / "ref")
    one = _CallCounting()
    first = IngestJob(reference, embedder=one).run([src])  # type: ignore[arg-type]
    assert one.calls == 1  # the whole corpus fits one group

    monkeypatch.setattr(job, "EMBED_GROUP_CHUNKS", 3)
    grouped = Settings(data_dir=tmp_path / "grouped")
    noting = _CallCounting()
    summary = IngestJob(grouped, embedder=noting).run([src])  # type: ignore[arg-type]
    assert noting.calls >= 3
    assert [r.path for r in summary.results] == [r.path for r in first.results]
    assert summary.count("ingested") == first.count("ingested") == 7
    assert _state(grouped, one) == _state(reference, one)
    a = {c.chunk_id: c.embedding for c in create_vector_store(reference).iter_all(embeddings=True)}
    b = {c.chunk_id: c.embedding for c in create_vector_store(grouped).iter_all(embeddings=True)}
    assert a.keys() == b.keys()
    for cid in a:  # same vectors whichever group (and batch padding) a chunk was in
        assert sum(x * y for x, y in zip(a[cid], b[cid], strict=True)) > 0.999


def test_embedding_failure_mid_run_stops_it_and_a_rerun_completes(tmp_path, src, monkeypatch):  # type: ignore[no-untyped-def]
    import ingest.job as job
    from assistant.errors import ConfigError

    _many_sources(src)
    reference = Settings(data_dir=tmp_path / "ref")
    IngestJob(reference, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    monkeypatch.setattr(job, "EMBED_GROUP_CHUNKS", 3)
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(ConfigError):
        IngestJob(settings, embedder=_CallCounting(fail_on_call=2)).run([src])  # type: ignore[arg-type]
    ledger = Ledger(settings.ledger_file)
    landed = [r for r in ledger.all() if r.status == "ok"]
    ledger.close()
    assert landed  # the group embedded before the failure was stored
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    counter = CountingEmbedder()
    assert _state(settings, counter) == _state(reference, counter)
