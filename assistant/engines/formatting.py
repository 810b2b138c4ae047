"""Number formatting shared by the writer, the briefs and the grounding check."""

from __future__ import annotations

from typing import SupportsFloat, SupportsIndex, TypeAlias

# What float() reads: numbers (Decimal, numpy scalars included), numeric strings; None is "n/a".
Number: TypeAlias = SupportsFloat | SupportsIndex | str | None


def money(v: Number) -> str:
    """$1,234.56 (negative as -$12.00)."""
    if v is None:
        return "n/a"
    x = float(v)
    return f"-${abs(x):,.2f}" if x < 0 else f"${x:,.2f}"


def pct(v: Number, digits: int = 1) -> str:
    """12.3% from a value already in percent."""
    if v is None:
        return "n/a"
    return f"{float(v):.{digits}f}%"


def share(v: Number, digits: int = 1) -> str:
    """12.3% from a 0..1 fraction."""
    if v is None:
        return "n/a"
    return f"{float(v) * 100:.{digits}f}%"


def num(v: Number) -> str:
    """An integer with thousands separators, or a short decimal."""
    if v is None:
        return "n/a"
    x = float(v)
    if x.is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}"


def term_value(value: Number, unit: str | None) -> str:
    """A contract term as a person reads it."""
    if value is None:
        return "not stated"
    if unit == "bool":
        return "yes" if str(value).lower() in ("1", "1.0", "true", "yes") else "no"
    if unit == "days":
        return f"{num(value)} days"
    if unit == "months":
        return f"{num(value)} months"
    if unit == "percent":
        return f"{float(value):g}% per year"
    return str(value)


def section_ref(section: str | None) -> str:
    """'§ 4.3' for a bare number; headings that already say Section/§/Article as they are."""
    if not section:
        return ""
    s = section.strip()
    if s[0].isdigit():
        return f"§ {s}"
    return s
