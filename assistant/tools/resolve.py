"""Resolve what the model or user typed into known payer ids and codes."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process

from assistant.engines.entities import PayerName, Vocabulary
from assistant.errors import PermissionDenied, UnknownEntityError


def load_vocabulary(conn: Any) -> Vocabulary:
    """Payers (with aliases) and codes known to the warehouse."""
    payers = [
        PayerName(r[0], r[1] or r[0], tuple(a for a in (r[2] or []) if a))
        for r in conn.execute("SELECT payer_id, name, aliases FROM payers ORDER BY payer_id").fetchall()
    ]
    known = {p.payer_id for p in payers}
    for (pid,) in conn.execute(
        "SELECT DISTINCT payer_id FROM (SELECT payer_id FROM fee_schedule UNION "
        "SELECT payer_id FROM contract_terms) WHERE payer_id IS NOT NULL"
    ).fetchall():
        if pid not in known:
            payers.append(PayerName(pid, pid))
    codes = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT code FROM fee_schedule UNION SELECT DISTINCT code FROM medicare_rates"
        ).fetchall()
    }
    descriptions = {
        code: desc
        for code, desc in conn.execute(
            "SELECT code, description FROM costs WHERE description IS NOT NULL"
        ).fetchall()
    }
    return Vocabulary(payers=payers, codes=codes, descriptions=descriptions)


def resolve_payer(vocab: Vocabulary, text: str | None, allowed: list[str] | None = None) -> str | None:
    """A payer id for ``text`` (id, name, alias or close typo); None passes through."""
    if text is None or not str(text).strip():
        return None
    t = str(text).strip().lower()
    for p in vocab.payers:
        if t in (n.lower() for n in p.names()):
            return _check_allowed(p.payer_id, allowed)
    choices = {n.lower(): p.payer_id for p in vocab.payers for n in p.names() if len(n) >= 3}
    best = process.extractOne(t, list(choices), scorer=fuzz.WRatio)
    if best and best[1] >= 88:
        return _check_allowed(choices[best[0]], allowed)
    suggestions = [p.name for p in vocab.payers]
    ranked = process.extract(t, suggestions, scorer=fuzz.WRatio, limit=3)
    raise UnknownEntityError("payer", str(text), [r[0] for r in ranked])


def resolve_code(vocab: Vocabulary, code: str | None) -> str | None:
    """A known procedure code, or an error naming the closest known codes."""
    if code is None or not str(code).strip():
        return None
    c = str(code).strip().upper()
    if c in vocab.codes:
        return c
    ranked = process.extract(c, sorted(vocab.codes), scorer=fuzz.ratio, limit=3)
    raise UnknownEntityError("procedure code", c, [r[0] for r in ranked])


def _check_allowed(payer_id: str, allowed: list[str] | None) -> str:
    if allowed is not None and payer_id not in allowed:
        raise PermissionDenied("That payer's data is not visible to you here.")
    return payer_id
