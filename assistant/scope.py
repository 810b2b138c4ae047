"""The aggregate rule for payer-scoped callers (issue 15, item 13).

A caller scoped to some payers (an HTTP key with ``payers``, a Slack channel's visibility)
sees other payers only as aggregates over at least ``MIN_PEERS`` of them: a median and a
count. Never a named value, never a single payer's value: no min, no max, no rank, no gap
to "the best payer", and no median that is itself one payer's exact rate. Every tool and
the brief apply these helpers *before* their result is built; an unscoped caller
(``allowed is None``) keeps the full, named comparison.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TypedDict

MIN_PEERS = 3
NOT_AVAILABLE = (
    "Comparison with other payers is not available at this scope (fewer than "
    f"{MIN_PEERS} other payers to aggregate over)."
)
SCOPED_NOTE = (
    f"At this scope other payers appear only as a median over at least {MIN_PEERS} payers; "
    "the best payer's rate and the gap to it are not shown."
)


class PeerAggregate(TypedDict):
    """What a scoped caller may know of other payers' values."""

    median: float
    count: int


def hidden(payer_ids: Iterable[str], allowed: Collection[str] | None) -> list[str]:
    """The payers among ``payer_ids`` the caller may not see by name (none when unscoped)."""
    if allowed is None:
        return []
    return sorted({p for p in payer_ids if p not in allowed})


def enough_peers(payer_ids: Iterable[str], allowed: Collection[str] | None) -> bool:
    """Whether a total or aggregate over the hidden payers among ``payer_ids`` may be shown:
    always for an unscoped caller, else only over at least ``MIN_PEERS`` hidden payers
    (with fewer, practice total minus the visible ones is one or two payers' value)."""
    found = hidden(payer_ids, allowed)
    return allowed is None or not found or len(found) >= MIN_PEERS


def _central(values: list[float]) -> float:
    """The median, taken for an odd count as the mean of the three central values, so that
    the figure shown is never one payer's exact value (the plain median of 3 or 5 is)."""
    v = sorted(values)
    n = len(v)
    mid = n // 2
    central = v[mid - 1: mid + 2] if n % 2 else v[mid - 1: mid + 1]
    return round(sum(central) / len(central), 2)


def peer_aggregate(values_by_payer: Mapping[str, float],
                   allowed: Collection[str] | None) -> PeerAggregate | None:
    """Median and count of the values of payers outside ``allowed``; None with fewer than
    ``MIN_PEERS`` of them (the comparison is then not available at this scope).

    For an unscoped caller (``allowed is None``) every payer in ``values_by_payer`` counts.
    """
    values = [float(v) for p, v in values_by_payer.items()
              if v is not None and (allowed is None or p not in allowed)]
    if len(values) < MIN_PEERS:
        return None
    return {"median": _central(values), "count": len(values)}
