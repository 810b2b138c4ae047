"""Who may see which payers: one ``Scope`` type, and the aggregate rule for scoped callers.

Each edge builds a ``Scope`` once from its principal (an HTTP key's ``payers``, a Slack
channel's or user's visibility) and hands it to the assistant, which carries it on the turn
context. Everything downstream asks the scope: payer arguments are resolved through
``Scope.resolve_payer`` (an unknown name and a hidden payer read alike, so answers never
reveal which other payers exist), analytics filter their SQL with ``Scope.sql`` (rows of
hidden payers are never read into a scoped result), and briefs and findings are checked
before they are built.

The aggregate rule (issue 15, item 13): a scoped caller sees other payers only as aggregates
over at least ``MIN_PEERS`` of them, a median and a count. Never a named value, never a
single payer's value: no min, no max, no rank, no gap to "the best payer", and no median
that is itself one payer's exact rate. An unscoped caller (``Scope.everyone()``) keeps the
full, named comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from assistant.errors import ParleyError, PermissionDenied, UnknownEntityError

if TYPE_CHECKING:
    from assistant.analytics.vocabulary import Vocabulary

T = TypeVar("T")

MIN_PEERS = 3
NOT_AVAILABLE = (
    "Comparison with other payers is not available at this scope (fewer than "
    f"{MIN_PEERS} other payers to aggregate over)."
)
OUT_OF_SCOPE = "That payer's data is not visible to you here."
SCOPED_NOTE = (
    f"At this scope other payers appear only as a median over at least {MIN_PEERS} payers "
    "(rounded: $5 steps from $50 up); "
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


def peer_step(value: float) -> float:
    """The rounding step of a peer aggregate: $5 from $50 up, $1 from $10, else $0.25."""
    return 5.0 if value >= 50 else 1.0 if value >= 10 else 0.25


def _central(values: list[float]) -> float:
    """The median, taken for an odd count as the mean of the three central values (so the
    figure is never one payer's exact value, as the plain median of 3 or 5 is), rounded to
    ``peer_step``: means over peer sets that differ by one payer (two as-of dates, a payer
    joining) would otherwise give that payer's exact rate by differencing."""
    v = sorted(values)
    n = len(v)
    mid = n // 2
    central = v[mid - 1: mid + 2] if n % 2 else v[mid - 1: mid + 1]
    mean = sum(central) / len(central)
    step = peer_step(mean)
    return round(round(mean / step) * step, 2)


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


@dataclass(frozen=True)
class Scope:
    """The payer ids a caller may see; ``payers=None`` means every payer.

    Built once per request by the edge, carried on the turn context; never a bare list.
    """

    payers: frozenset[str] | None = None

    @classmethod
    def everyone(cls) -> Scope:
        """No payer restriction (an admin key, an unconfigured Slack install, the CLI)."""
        return cls(None)

    @classmethod
    def of(cls, payers: Iterable[str] | None) -> Scope:
        """A scope over ``payers`` (None: every payer)."""
        return cls(None if payers is None else frozenset(str(p) for p in payers))

    @property
    def scoped(self) -> bool:
        """True when some payers are hidden from this caller."""
        return self.payers is not None

    @property
    def empty(self) -> bool:
        """True when nothing is visible."""
        return self.payers is not None and not self.payers

    @property
    def allowed(self) -> list[str] | None:
        """The visible payer ids, sorted (None: every payer)."""
        return sorted(self.payers) if self.payers is not None else None

    def allows(self, payer_id: str | None) -> bool:
        """True when ``payer_id`` is visible (a row with no payer is visible only unscoped)."""
        return self.payers is None or (payer_id is not None and payer_id in self.payers)

    def keep(self, items: Iterable[T], payer_of: Callable[[T], str | None]) -> list[T]:
        """The items whose payer is visible."""
        return [i for i in items if self.allows(payer_of(i))]

    def narrow(self, payer_id: str | None) -> Scope:
        """This scope narrowed to one visible payer (unchanged for None)."""
        if payer_id is None:
            return self
        if not self.allows(payer_id):
            raise PermissionDenied(OUT_OF_SCOPE)
        return Scope(frozenset([payer_id]))

    def single(self) -> str | None:
        """The payer id when the scope holds exactly one, else None."""
        if self.payers is not None and len(self.payers) == 1:
            return next(iter(self.payers))
        return None

    def resolve_payer(self, vocab: Vocabulary, text: str) -> str:
        """The visible payer ``text`` names (id, name, alias, close typo).

        Unscoped: UnknownEntityError with suggestions for a name no payer has. Scoped: a
        hidden payer and an unknown name raise the same PermissionDenied, so a scoped
        caller cannot learn which other payers exist.
        """
        try:
            return vocab.resolve_payer(text, self.allowed)
        except UnknownEntityError:
            if self.payers is None:
                raise
            raise PermissionDenied(OUT_OF_SCOPE) from None
        except PermissionDenied:
            raise PermissionDenied(OUT_OF_SCOPE) from None

    def resolve_optional(self, vocab: Vocabulary, text: str | None) -> str | None:
        """``resolve_payer`` for an optional argument: blank or None passes through."""
        if text is None or not str(text).strip():
            return None
        return self.resolve_payer(vocab, str(text))

    def sql(self, column: str = "payer_id") -> tuple[str, list[Any]]:
        """A WHERE fragment restricting ``column`` (a fixed identifier from our own code,
        never from input) to the visible payers, and its parameters. ``TRUE`` unscoped."""
        if self.payers is None:
            return "TRUE", []
        return f"list_contains(?::VARCHAR[], {column})", [sorted(self.payers)]

    def hidden(self, payer_ids: Iterable[str]) -> list[str]:
        """The payers among ``payer_ids`` this caller may not see by name."""
        return hidden(payer_ids, self.allowed)

    def enough_peers(self, payer_ids: Iterable[str]) -> bool:
        """Whether a total that includes the hidden payers among ``payer_ids`` may be shown."""
        return enough_peers(payer_ids, self.allowed)

    def peer_aggregate(self, values_by_payer: Mapping[str, float]) -> PeerAggregate | None:
        """Median and count over the payers this caller may not see (see ``peer_aggregate``)."""
        return peer_aggregate(values_by_payer, self.allowed)

    def message(self, exc: Exception) -> str:
        """A user-safe message for ``exc``; for a scoped caller, no other payer's name."""
        if self.payers is not None and isinstance(exc, UnknownEntityError):
            # a suggestion list could name a hidden payer; an unknown payer reads as hidden
            return OUT_OF_SCOPE if exc.kind == "payer" else f"Unknown {exc.kind} '{exc.value}'."
        return exc.user_message if isinstance(exc, ParleyError) else "that step failed"


EVERYONE = Scope(None)
