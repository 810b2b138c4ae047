"""Resolve expected values from the sample generator's ``ground_truth.json``.

Dataset items never hold numbers; they hold paths into the ground truth, resolved at run
time, so the suite works for any seed. Path syntax:

- ``totals.BSH.paid`` — dict keys; ``totals.*.paid`` maps over every value (a list).
- ``terms[payer_id=NWM,term=timely_filing_days].value`` — list items whose fields match.
  Only entries in force on the reference date are kept: ``effective_from`` on or before
  it and ``effective_to`` empty or on or after it; among open-ended entries with the same
  ``payer_id`` the latest ``effective_from`` wins (an amendment replaces the base term).
- ``sum(PATH)``, ``max(PATH)``, ``min(PATH)`` and ``ratio(PATH,PATH)`` over the above.

A path that matches exactly one value returns that value; several return a list.
"""

from __future__ import annotations

import re
from typing import Any

_SEL = re.compile(r"^([A-Za-z_][\w]*)?\[([^\]]*)\]$")
_FUNC = re.compile(r"^(sum|max|min|ratio)\((.*)\)$")


class TruthError(KeyError):
    """A dataset path that does not resolve against the ground truth."""


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets and parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def _in_force(items: list[dict[str, Any]], ref: str) -> list[dict[str, Any]]:
    kept = [
        it
        for it in items
        if str(it.get("effective_from") or "") <= ref
        and (not it.get("effective_to") or str(it["effective_to"]) >= ref)
    ]
    if not kept or "effective_to" in kept[0] or "effective_from" not in kept[0]:
        return kept
    latest: dict[Any, str] = {}
    for it in kept:
        key = it.get("payer_id")
        latest[key] = max(latest.get(key, ""), str(it.get("effective_from") or ""))
    return [it for it in kept if str(it.get("effective_from") or "") == latest[it.get("payer_id")]]


def _select(items: list[Any], cond: str, ref: str) -> list[Any]:
    pairs = [c.split("=", 1) for c in cond.split(",") if c.strip()]
    out = [
        it
        for it in items
        if isinstance(it, dict) and all(str(it.get(k.strip())) == v.strip() for k, v in pairs)
    ]
    return _in_force(out, ref)


def _step(values: list[Any], part: str, ref: str) -> list[Any]:
    out: list[Any] = []
    m = _SEL.match(part)
    for v in values:
        if m:
            base = v.get(m.group(1)) if m.group(1) else v
            if not isinstance(base, list):
                raise TruthError(part)
            out.extend(_select(base, m.group(2), ref))
        elif part == "*":
            out.extend(v.values() if isinstance(v, dict) else v)
        elif isinstance(v, dict) and part in v:
            out.append(v[part])
        else:
            raise TruthError(part)
    return out


def _walk(truth: dict[str, Any], path: str) -> list[Any]:
    ref = str(truth.get("reference_date", "9999-12-31"))
    values: list[Any] = [truth]
    for part in _split_top(path, "."):
        values = _step(values, part, ref)
    return values


def resolve(truth: dict[str, Any], path: str) -> Any:
    """The value at ``path`` (a scalar when exactly one matches, else a list)."""
    path = path.strip()
    if m := _FUNC.match(path):
        fn, inner = m.group(1), m.group(2)
        if fn == "ratio":
            a, b = (_as_number(resolve(truth, p)) for p in _split_top(inner, ","))
            return a / b if b else None
        nums = [float(x) for x in _as_list(resolve(truth, inner))]
        if not nums:
            raise TruthError(path)
        if fn == "sum":
            return sum(nums)
        return max(nums) if fn == "max" else min(nums)
    values = _walk(truth, path)
    if not values:
        raise TruthError(path)
    return values[0] if len(values) == 1 else values


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _as_number(value: Any) -> float:
    if isinstance(value, list):
        return float(sum(float(v) for v in value))
    return float(value)


def clauses_for(truth: dict[str, Any], payer_id: str, clause_type: str) -> list[dict[str, Any]]:
    """Ground-truth clauses of one type in one payer's documents."""
    return [
        c
        for c in truth.get("clauses", [])
        if c.get("payer_id") == payer_id and c.get("clause_type") == clause_type
    ]
