"""CMS Transparency-in-Coverage in-network-rates JSON: other providers' negotiated rates.

Real files run to many gigabytes, so the file is streamed with ``ijson`` (C backend) and
rows go into DuckDB in batches of ``BATCH_ROWS``: memory stays bounded by one in-network
item, one batch and the provider-reference table, whatever the file size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from assistant.errors import IngestError
from assistant.settings import Settings
from ingest.loaders.base import LoadReport, bulk_insert, transactional_load

BATCH_ROWS = 50_000
MAX_NPIS = 50
COLS = ("reporting_entity", "billing_code_type", "billing_code", "billing_code_modifier",
        "negotiation_arrangement", "negotiated_type", "negotiated_rate", "billing_class",
        "expiration_date", "tins", "npis", "source_file")
TYPES = ("VARCHAR",) * 6 + ("DOUBLE", "VARCHAR", "DATE", "VARCHAR[]", "VARCHAR[]", "VARCHAR")


def sniff_tic(head: str) -> bool:
    """True for an in-network-rates file (not allowed-amounts or a table of contents)."""
    text = head.lstrip("\ufeff \r\n\t")
    return text.startswith("{") and '"in_network"' in head or (
        '"reporting_entity_name"' in head and '"out_of_network"' not in head
        and '"reporting_structure"' not in head and text.startswith("{"))


def _groups(groups: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    tins: list[str] = []
    npis: list[str] = []
    for g in groups or []:
        tin = (g.get("tin") or {}).get("value")
        if tin and tin not in tins:
            tins.append(str(tin))
        for n in g.get("npi") or []:
            if len(npis) < MAX_NPIS and str(n) not in npis:
                npis.append(str(n))
    return tins, npis


def iter_rates(doc: dict[str, Any], source: str) -> Iterator[list[object]]:
    """One row per negotiated price of each in-network item of a parsed document."""
    refs = {r.get("provider_group_id"): r.get("provider_groups") or []
            for r in doc.get("provider_references") or []}
    return _rows(doc.get("reporting_entity_name"), refs, doc.get("in_network") or [], source)


def _rows(entity: object, refs: dict[Any, list[dict[str, Any]]], items: Iterable[dict[str, Any]],
          source: str) -> Iterator[list[object]]:
    for item in items:
        for nr in item.get("negotiated_rates") or []:
            groups = list(nr.get("provider_groups") or [])
            for ref in nr.get("provider_references") or []:
                groups += refs.get(ref, [])
            tins, npis = _groups(groups)
            for price in nr.get("negotiated_prices") or []:
                rate = price.get("negotiated_rate")
                if not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate < 0:
                    raise IngestError(f"{source}: billing code {item.get('billing_code')}: "
                                      f"bad negotiated_rate {rate!r}")
                yield [entity, item.get("billing_code_type"), str(item.get("billing_code")),
                       "|".join(price.get("billing_code_modifier") or []) or None,
                       item.get("negotiation_arrangement"), price.get("negotiated_type"),
                       float(rate), price.get("billing_class"), price.get("expiration_date"),
                       tins, npis, source]


def stream_rates(fh: BinaryIO, source: str) -> Iterator[list[object]]:
    """Rows of an in-network-rates file read from the binary file ``fh`` with ijson, in
    three C-level passes (entity name, provider references, in-network items): the keys may
    come in any order, and only one in-network item is in memory at a time."""
    import ijson

    entity = next(ijson.items(fh, "reporting_entity_name"), None)
    fh.seek(0)
    # the whole array at once: the pass stops where the array ends (keys are unique)
    found = next(ijson.items(fh, "provider_references", use_float=True), None)
    refs = {r.get("provider_group_id"): r.get("provider_groups") or []
            for r in (found if isinstance(found, list) else []) if isinstance(r, dict)}
    fh.seek(0)
    items = (i for i in ijson.items(fh, "in_network.item", use_float=True) if isinstance(i, dict))
    yield from _rows(entity, refs, items, source)


class TicLoader:
    """Loads a TiC in-network-rates JSON file into ``tic_rates``."""

    name = "tic_json"
    table = "tic_rates"

    def load(self, path: Path, conn: duckdb.DuckDBPyConnection,
             settings: Settings) -> LoadReport:
        """Stream the JSON and insert every negotiated price, batch by batch, in one
        transaction (a file that fails half-way leaves no rows behind)."""
        import ijson

        def body(c: duckdb.DuckDBPyConnection, source: str) -> int:
            total = 0
            with path.open("rb") as fh:
                rows = stream_rates(fh, source)
                try:
                    while batch := list(islice(rows, BATCH_ROWS)):
                        total += bulk_insert(c, self.table, COLS, TYPES, batch)
                except ijson.JSONError:
                    raise IngestError(f"{path}: not valid JSON (cut off or corrupt)") from None
                except UnicodeDecodeError:
                    raise IngestError(f"{path}: not UTF-8 JSON") from None
            if total == 0:
                raise IngestError(f"{path}: no in-network negotiated rates in the file")
            return total

        return transactional_load(conn, path, self.name, (self.table,), body)
