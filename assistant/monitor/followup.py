"""Money found after a finding was closed: a closed finding (recovered, written off) is
never reopened, but underpaid lines or late claims that arrive later (a date of service /
paid date after every line it covered) become a follow-up finding with its own id."""

from __future__ import annotations

import datetime as dt

from assistant.monitor.findings import CLOSED_STATUSES, EvidenceLine, Finding, finding_id

_DATE_ATTR = {"underpayment": "date_of_service", "late_payment": "paid_date"}


def _day(ln: EvidenceLine, kind: str) -> dt.date | None:
    value = getattr(ln, _DATE_ATTR[kind])
    return value if isinstance(value, dt.date) else None


def split_after_closed(found: list[Finding], logged: list[Finding]) -> list[Finding]:
    """Replace each freshly computed finding whose id (or follow-up chain) is closed in the
    log by a follow-up over the lines dated after the closed ones; drop it if none."""
    closed = [g for g in logged if g.status in CLOSED_STATUSES]
    out: list[Finding] = []
    for f in found:
        if f.kind not in _DATE_ATTR:
            out.append(f)
            continue
        chain = [g for g in closed
                 if g.finding_id == f.finding_id or g.details.get("base_id") == f.finding_id]
        if not chain:
            out.append(f)
            continue
        covered = [d for g in chain for ln in g.evidence.lines if (d := _day(ln, f.kind))]
        cutoff = max(covered) if covered else dt.date.min
        lines = [ln for ln in f.evidence.lines if (d := _day(ln, f.kind)) and d > cutoff]
        if not lines:
            continue
        out.append(_followup(f, lines, cutoff))
    return out


def _followup(f: Finding, lines: list[EvidenceLine], cutoff: dt.date) -> Finding:
    details = {**f.details, "base_id": f.finding_id, "after": cutoff.isoformat()}
    if f.kind == "underpayment":
        amount = round(sum(ln.short or 0 for ln in lines), 2)
        details.update(lines=len(lines), total_short=amount)
        title = (f"{f.payer_id} still pays {details.get('code')} below contract after "
                 f"{cutoff.isoformat()}: {len(lines)} new lines, ${amount:,.2f} short")
    else:
        amount = round(sum(ln.interest or 0 for ln in lines), 2)
        details.update(late_claims=len(lines), interest_owed=amount,
                       late_principal=round(sum(ln.paid or 0 for ln in lines), 2))
        title = (f"{f.payer_id} paid {len(lines)} more claims late after "
                 f"{cutoff.isoformat()}: ${amount:,.2f} interest owed")
    return f.model_copy(update={
        "finding_id": finding_id(f.kind, f.payer_id, f.finding_id, f"after:{cutoff}"),
        "amount": amount, "details": details, "title": title,
        "evidence": f.evidence.model_copy(update={"lines": lines, "figures": details})})
