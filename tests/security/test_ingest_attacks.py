"""Attacks through ingestion: an 835 named ``.txt`` (2) and X12 patient segments pasted into
a document, which must never reach the chunk store, the text cache or an answer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from ingest.job import IngestJob
from ingest.ledger import Ledger


def _stored_text(settings: Settings) -> str:
    """Everything the document side stored: chunk texts and the full-text cache."""
    from assistant.stores.vectors import create_vector_store

    parts = []
    texts = settings.data_dir / "texts"
    if texts.exists():
        parts += [p.read_text(encoding="utf-8") for p in texts.glob("*.txt")]
    store = create_vector_store(settings, None)  # type: ignore[arg-type]
    got = store.collection.get(include=["documents"]) if hasattr(store, "collection") else None
    if got:
        parts += [d or "" for d in got["documents"]]
    return "\n".join(parts)


def test_835_saved_as_txt_goes_to_the_835_loader(practice: Any, tmp_path: Path) -> None:
    remit = sorted((practice.source / "remittances").glob("*.835"))[0]
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(remit, src / "march-remittance.txt")
    settings = Settings(data_dir=tmp_path / "data", environment="test")
    summary = IngestJob(settings, embedder=practice.embedder).run([src])
    (result,) = summary.results
    assert result.status == "loaded" and "remit" in result.reason, result
    assert "NM1*QC" not in _stored_text(settings)
    ledger = Ledger(settings.ledger_file)
    try:
        assert not [r for r in ledger.all() if r.status == "ok"]
    finally:
        ledger.close()


def test_x12_patient_segments_inside_a_document_are_refused(practice: Any, tmp_path: Path) -> None:
    remit = sorted((practice.source / "remittances").glob("*.835"))[0].read_text()
    segs = [s.strip() for s in remit.split("~")]
    segments = "~\n".join(s for s in segs if s.startswith(("CLP", "NM1*QC", "SVC")))[:2000]
    assert "NM1*QC" in segments
    src = tmp_path / "src"
    src.mkdir()
    (src / "billing-notes.md").write_text(
        "# Call with the billing office\n\nThey pasted the remittance below so we could "
        "check the adjustments.\n\n" + segments + "\n\nFollow up next week.\n"
    )
    settings = Settings(data_dir=tmp_path / "data", environment="test")
    summary = IngestJob(settings, embedder=practice.embedder).run([src])
    (result,) = summary.results
    assert result.status == "failed" and "X12" in result.reason, result
    assert "NM1*QC" not in _stored_text(settings)
