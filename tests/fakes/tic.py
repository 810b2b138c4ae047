"""Transparency-in-Coverage in-network-rates documents for tests (CMS schema 1.x)."""

from __future__ import annotations

from typing import Any


def tic_price(rate: float, **kw: Any) -> dict[str, Any]:
    """One negotiated price: a professional dollar fee in force unless ``kw`` says otherwise."""
    return {"negotiated_type": "negotiated", "negotiated_rate": rate, "expiration_date": "9999-12-31",
            "billing_class": "professional", **kw}


def tic_doc(items: list[tuple[str, list[dict[str, Any]]]], refs_last: bool = False,
            entity: str = "Test Plan Inc") -> dict[str, Any]:
    """A CMS in-network-rates document; provider references after the items when ``refs_last``."""
    doc: dict[str, Any] = {"reporting_entity_name": entity, "reporting_entity_type": "issuer",
                           "last_updated_on": "2026-10-01", "version": "1.3.1"}
    refs = [{"provider_group_id": 1,
             "provider_groups": [{"npi": [1111111111], "tin": {"type": "ein", "value": "11-1111111"}}]}]
    in_network = [{"negotiation_arrangement": "ffs", "name": code, "billing_code_type": "CPT",
                   "billing_code_type_version": "2026", "billing_code": code, "description": code,
                   "negotiated_rates": [{"provider_references": [1], "negotiated_prices": prices}]}
                  for code, prices in items]
    if refs_last:
        doc["in_network"], doc["provider_references"] = in_network, refs
    else:
        doc["provider_references"], doc["in_network"] = refs, in_network
    return doc
