"""CMS Transparency-in-Coverage in-network-rates JSON: other providers' negotiated rates.

Streams with ``ijson`` when it is installed; otherwise reads files up to
``MAX_PLAIN_JSON_MB`` with the standard library and refuses larger ones with a clear error.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from assistant.errors import IngestError
from assistant.settings import Settings
from ingest.loaders.base import LoadReport, bulk_insert, transactional_load

MAX_PLAIN_JSON_MB = 200
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
    """One row per negotiated price of each in-network item."""
    entity = doc.get("reporting_entity_name")
    refs = {r.get("provider_group_id"): r.get("provider_groups") or []
            for r in doc.get("provider_references") or []}
    for item in doc.get("in_network") or []:
        for nr in item.get("negotiated_rates") or []:
            groups = list(nr.get("provider_groups") or [])
            for ref in nr.get("provider_references") or []:
                groups += refs.get(ref, [])
            tins, npis = _groups(groups)
            for price in nr.get("negotiated_prices") or []:
                rate = price.get("negotiated_rate")
                if not isinstance(rate, (int, float)) or rate < 0:
                    raise IngestError(f"{source}: billing code {item.get('billing_code')}: "
                                      f"bad negotiated_rate {rate!r}")
                yield [entity, item.get("billing_code_type"), str(item.get("billing_code")),
                       "|".join(price.get("billing_code_modifier") or []) or None,
                       item.get("negotiation_arrangement"), price.get("negotiated_type"),
                       float(rate), price.get("billing_class"), price.get("expiration_date"),
                       tins, npis, source]


class TicLoader:
    """Loads a TiC in-network-rates JSON file into ``tic_rates``."""

    name = "tic_json"
    table = "tic_rates"

    def load(self, path: Path, conn: duckdb.DuckDBPyConnection,
             settings: Settings) -> LoadReport:
        """Read (or stream) the JSON and insert every negotiated price."""
        size_mb = path.stat().st_size / 1e6
        if size_mb > MAX_PLAIN_JSON_MB and importlib.util.find_spec("ijson") is None:
            raise IngestError(f"{path}: {size_mb:.0f} MB TiC file needs the 'ijson' package "
                              "to stream; install it or split the file")
        try:
            with path.open("rb") as fh:
                doc = json.load(fh)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IngestError(f"{path}: line {getattr(exc, 'lineno', '?')}: "
                              "not valid JSON") from None
        if not isinstance(doc, dict) or "in_network" not in doc:
            raise IngestError(f"{path}: not a TiC in-network-rates file (no in_network)")

        def body(c: duckdb.DuckDBPyConnection, source: str) -> int:
            return bulk_insert(c, self.table, COLS, TYPES, iter_rates(doc, source))

        return transactional_load(conn, path, self.name, (self.table,), body)
