"""Transparency-in-Coverage in-network files: streamed, batched, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.settings import Settings
from assistant.stores.warehouse import open_memory_warehouse
from ingest.loaders import load_file, tic
from ingest.loaders.tic import iter_rates, stream_rates
from tests.fakes.tic import tic_doc, tic_price

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SAMPLES = sorted((SHARED / "cms_tic" / "examples" / "in-network-rates").glob("*.json"))


@pytest.mark.skipif(not SAMPLES, reason="shared data not present")
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_streaming_reads_the_cms_samples_as_a_full_parse_does(path: Path) -> None:
    whole = list(iter_rates(json.loads(path.read_text(encoding="utf-8")), path.name))
    with path.open("rb") as fh:
        streamed = list(stream_rates(fh, path.name))
    assert streamed == whole and whole


def test_provider_references_after_the_items_still_resolve(tmp_path: Path) -> None:
    path = tmp_path / "refs-last.json"
    path.write_text(json.dumps(tic_doc([("99214", [tic_price(110.0)])], refs_last=True)))
    with path.open("rb") as fh:
        (row,) = list(stream_rates(fh, path.name))
    assert row[0] == "Test Plan Inc" and row[2] == "99214" and row[6] == 110.0
    assert row[9] == ["11-1111111"] and row[10] == ["1111111111"]


def test_rows_arrive_before_the_end_of_the_file(tmp_path: Path) -> None:
    """A stream, not a parse of the whole file: rows come out before a broken tail is read."""
    text = json.dumps(tic_doc([(f"9921{i}", [tic_price(100.0 + i)]) for i in range(3, 6)]))
    path = tmp_path / "truncated.json"
    path.write_text(text[: text.rindex("99215")])
    with path.open("rb") as fh:
        rows = stream_rates(fh, path.name)
        assert next(rows)[2] == "99213"
        with pytest.raises(Exception):  # noqa: B017 - ijson's own error; the loader translates it
            list(rows)


def test_batches_land_in_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tic, "BATCH_ROWS", 2)
    settings = Settings(data_dir=tmp_path / "data", environment="test")
    conn = open_memory_warehouse()
    good = tmp_path / "good.json"
    codes = ("99213", "99214", "20610")
    good.write_text(json.dumps(tic_doc([(c, [tic_price(90.0), tic_price(95.0)]) for c in codes])))
    assert load_file(good, conn, settings).rows_loaded == 6
    assert conn.execute("SELECT count(*), count(DISTINCT billing_code) FROM tic_rates").fetchone() == (6, 3)

    bad = tmp_path / "bad.json"  # valid rows in early batches, then a corrupt rate
    bad.write_text(json.dumps(tic_doc([("99213", [tic_price(1.0), tic_price(2.0), tic_price(3.0)]),
                                       ("99214", [tic_price("lots")])])))
    with pytest.raises(IngestError, match="bad negotiated_rate"):
        load_file(bad, conn, settings)
    truncated = tmp_path / "truncated.json"
    truncated.write_text(good.read_text()[:-40])
    with pytest.raises(IngestError, match="not valid JSON"):
        load_file(truncated, conn, settings)
    empty = tmp_path / "empty-network.json"
    empty.write_text(json.dumps(tic_doc([])))
    with pytest.raises(IngestError, match="no in-network"):
        load_file(empty, conn, settings)
    # nothing of the failed files stayed; the good file is whole
    assert conn.execute("SELECT count(*), min(source_file), max(source_file) FROM tic_rates").fetchone() == (
        6, "good.json", "good.json")
