"""The generated sample's 835 files load and agree with its claims and ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.stores.warehouse import open_memory_warehouse
from ingest.loaders import find_loader, load_file


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.sample.generate import generate

    out = tmp_path_factory.mktemp("remits") / "practice"
    generate(out, seed=11, n_lines=1200)
    return out


def test_sample_remittances_match_claims_and_truth(sample: Path) -> None:
    settings = Settings(patient_hash_key="k")  # type: ignore[call-arg]
    truth = json.loads((sample / "ground_truth.json").read_text())
    conn = open_memory_warehouse()
    for path in sorted((sample / "data").glob("*.csv")):
        load_file(path, conn, settings)
    remits = sorted((sample / "remittances").glob("*.835"))
    assert remits and all(find_loader(p) is not None for p in remits)
    for path in remits:
        load_file(path, conn, settings)
    from assistant.stores.registry import rebuild  # links the payments to their payers

    rebuild(conn)
    got = dict(conn.execute("""SELECT y.payer_id, sum(l.paid) FROM remit_lines l
        JOIN remit_payments p USING (payment_id)
        JOIN payers y USING (payer_id) GROUP BY 1""").fetchall())
    for payer_id, totals in truth["totals"].items():
        assert float(got[payer_id]) == pytest.approx(totals["paid"], abs=0.01), payer_id
    lines = conn.execute("SELECT count(*) FROM remit_lines").fetchone()[0]
    assert lines == sum(t["lines"] for t in truth["totals"].values())
    # Same keyed hash for the same patient from the CSV and from NM1*QC.
    shared = conn.execute("""SELECT count(DISTINCT patient_hash) FROM remit_claims
        WHERE patient_hash IN (SELECT patient_hash FROM claim_lines)""").fetchone()[0]
    assert shared == conn.execute(
        "SELECT count(DISTINCT patient_hash) FROM remit_claims").fetchone()[0] > 0
    # Claim received dates (DTM*050) and check numbers (TRN) come through.
    assert conn.execute("SELECT count(*) FROM remit_claims WHERE received_date IS NULL"
                        ).fetchone() == (0,)
