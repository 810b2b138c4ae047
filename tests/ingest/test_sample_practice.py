"""End to end on the generated sample practice: every ground-truth clause is found in a
chunk with the right type, page and section; extracted terms match the ground truth; the
planted instruction is flagged and never becomes a term."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.stores.vectors import create_vector_store
from ingest.job import IngestJob
from tests.ingest.helpers import CountingEmbedder


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings, dict]:
    generate = pytest.importorskip("assistant.sample.generate").generate
    root = tmp_path_factory.mktemp("practice")
    full = root / "full"
    generate(full, n_lines=500)
    src = root / "src"  # documents + payers only: the other loaders are tested elsewhere
    shutil.copytree(full / "contracts", src / "contracts")
    shutil.copytree(full / "notes", src / "notes")
    (src / "data").mkdir()
    shutil.copy(full / "data" / "payers.csv", src / "data" / "payers.csv")
    settings = Settings(data_dir=root / "data")
    summary = IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    assert summary.count("failed") == 0
    truth = json.loads((full / "ground_truth.json").read_text())
    return src, settings, truth


def test_every_clause_is_chunked_tagged_and_cited(practice) -> None:  # type: ignore[no-untyped-def]
    src, settings, truth = practice
    chunks = list(create_vector_store(settings).iter_all())
    for clause in truth["clauses"]:
        path = str((src / clause["file"]).resolve())
        found = [
            c
            for c in chunks
            if c.metadata["source_path"] == path and _norm(clause["quote"])[:120] in _norm(c.text)
        ]
        assert found, clause
        m = found[0].metadata
        assert clause["clause_type"] in m["clause_types"].split(","), (clause, m["clause_types"])
        assert m["page_start"] <= clause["page"] <= m["page_end"], clause
        assert _norm(m["section"]).removeprefix("Section ") == _norm(
            clause["section"]
        ).removeprefix("Section ")
        assert m["payer_id"] == clause["payer_id"]


def test_documents_metadata(practice) -> None:  # type: ignore[no-untyped-def]
    src, settings, truth = practice
    chunks = list(create_vector_store(settings).iter_all())
    for doc in truth["documents"]:
        path = str((src / doc["file"]).resolve())
        meta = next(c.metadata for c in chunks if c.metadata["source_path"] == path)
        assert meta["doc_type"] == doc["doc_type"], doc
        assert (meta["payer_id"] or None) == doc["payer_id"], doc
        if doc["doc_type"] in ("contract", "amendment"):
            assert meta["effective_date"] == doc["effective_date"], doc


def test_terms_match_ground_truth(practice) -> None:  # type: ignore[no-untyped-def]
    from assistant.stores.warehouse import open_warehouse

    src, settings, truth = practice
    conn = open_warehouse(settings, read_only=True)
    rows = conn.execute(
        "SELECT contract_id, payer_id, term, value_num, value_text, "
        "CAST(effective_from AS VARCHAR) FROM contract_terms"
    ).fetchall()
    conn.close()
    # Text from a chunk flagged as an injection is never a term (hardening issue, item 4):
    # a term whose clause shares the planted instruction's chunk is not stored.
    planted = _norm(truth["injection"]["text"])
    flagged = {(c.metadata["source_path"], c.metadata.get("section", ""))
               for c in create_vector_store(settings).iter_all() if planted in _norm(c.text)}
    expected = [t for t in truth["terms"]
                if (str((src / t["file"]).resolve()), t.get("section") or "") not in flagged]
    assert len(truth["terms"]) - len(expected) <= 1, flagged
    assert not any(r[1] == t["payer_id"] and r[2] == t["term"] and r[5] == t["effective_from"]
                   for t in truth["terms"] if t not in expected for r in rows)
    correct = 0
    for t in expected:
        value = t["value"]
        for r in rows:
            if r[1] != t["payer_id"] or r[2] != t["term"] or r[5] != t["effective_from"]:
                continue
            if isinstance(value, bool):
                ok = r[4] == str(value).lower()
            elif isinstance(value, int | float):
                ok = r[3] == float(value)
            else:
                ok = _norm(r[4]).lower() == _norm(value).lower() or (
                    r[3] is not None and str(value).startswith(f"{r[3]:g}%")
                )
            if ok:
                correct += 1
                break
    assert correct == len(expected)
    injected = truth["injection"]["true_value"]
    payer = next(
        d["payer_id"] for d in truth["documents"] if d["file"] == truth["injection"]["file"]
    )
    tf = [r for r in rows if r[1] == payer and r[2] == injected["term"]]
    assert tf and all(r[3] == float(injected["value"]) for r in tf)
    # the planted instruction's figure never becomes a term


def test_injection_is_flagged(practice) -> None:  # type: ignore[no-untyped-def]
    src, settings, truth = practice
    chunks = list(create_vector_store(settings).iter_all())
    planted = [c for c in chunks if _norm(truth["injection"]["text"]) in _norm(c.text)]
    assert planted and all(c.metadata["suspicious"] for c in planted)
