"""The payer registry on both fixture practices, ingested by the real job: the sample
(payers.csv overrides) and Riverbend (no CSV, names spelled differently across documents
and 835s). Every document links to its ground-truth payer; every payment too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.stores.payer_names import full_key
from assistant.stores.vectors import create_vector_store
from assistant.stores.warehouse import open_warehouse


def _registry(settings: Any) -> tuple[list[tuple], dict[str, str | None], dict[str, set]]:
    conn = open_warehouse(settings, read_only=True)
    try:
        payers = conn.execute("SELECT payer_id, name, aliases FROM payers").fetchall()
        links = {Path(s).name: p for s, p in conn.execute(
            "SELECT source_file, payer_id FROM payer_links").fetchall()}
        remits: dict[str, set] = {}
        for name, pid in conn.execute(
                "SELECT DISTINCT payer_name, payer_id FROM remit_payments").fetchall():
            remits.setdefault(str(name), set()).add(pid)
    finally:
        conn.close()
    return payers, links, remits


def _chunk_payers(settings: Any, embedder: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in create_vector_store(settings, embedder).iter_all():
        out.setdefault(Path(c.metadata["source_path"]).name, set()).add(c.metadata["payer_id"])
    return out


def test_sample_practice_links_match_ground_truth(practice: Any) -> None:
    payers, links, remits = _registry(practice.settings)
    assert sorted(p[0] for p in payers) == sorted(p["payer_id"] for p in practice.truth["payers"])
    for doc in practice.truth["documents"]:
        assert links[Path(doc["file"]).name] == doc["payer_id"], doc
    by_key = {full_key(p["name"]): p["payer_id"] for p in practice.truth["payers"]}
    assert remits and {n: ids for n, ids in remits.items()} == {
        n: {by_key[full_key(n)]} for n in remits}
    chunks = _chunk_payers(practice.settings, practice.embedder)
    for doc in practice.truth["documents"]:
        assert chunks[Path(doc["file"]).name] == {doc["payer_id"] or ""}, doc


def test_riverbend_payers_come_from_its_documents_alone(riverbend_practice: Any) -> None:
    truth = riverbend_practice.truth
    payers, links, remits = _registry(riverbend_practice.settings)
    assert len(payers) == len(truth["payers"]), payers
    spellings = {p[0]: {s.upper() for s in [p[1], *(p[2] or [])]} for p in payers}
    ours: dict[str, str] = {}
    for t in truth["payers"]:
        found = [pid for pid, names in spellings.items()
                 if t["legal_name"].upper() in names and t["x12_name"].upper() in names]
        assert len(found) == 1, (t, spellings)
        ours[t["payer_id"]] = found[0]
    for doc in truth["documents"]:
        want = ours.get(doc["payer_id"]) if doc["payer_id"] else None
        assert links[Path(doc["file"]).name] == want, doc
    for t in truth["payers"]:
        assert remits[t["x12_name"]] == {ours[t["payer_id"]]}, t
    chunks = _chunk_payers(riverbend_practice.settings, riverbend_practice.embedder)
    for doc in truth["documents"]:
        want = ours.get(doc["payer_id"], "") if doc["payer_id"] else ""
        assert chunks[Path(doc["file"]).name] == {want}, doc
