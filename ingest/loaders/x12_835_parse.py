"""The 835 segment loop (``parse_segments``), kept in one function for speed.

One pass over the segments, each split once with ``str.split`` on the file's element
separator and dispatched on its id, most frequent first (CAS, DTM, SVC, REF, AMT, CLP);
values go straight into the column lists of a ``Remittance`` (source_file, the same for
a whole file, is filled in at the end). The rules (which segment sets which column, which
values are checked, every error and warning, with its segment number) are the earlier
row-by-row parser's: ``tests/loaders/test_x12_835_reference.py`` holds this loop to it
(``tests/loaders/reference_835.py``) on every sample and on corrupted copies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.errors import IngestError
from ingest.loaders.x12_835_rows import LIST_SEP, Remittance, join_list

FLUSH_LINES = 50_000  # service lines parsed before rows go to the warehouse (big files)
SPLIT_BLOCK = 1 << 22  # bytes of a file read, decoded and split into segments at a time
CAS_GROUPS = frozenset(("CO", "PR", "OA", "PI", "CR"))
MEMO_MAX = 100_000  # distinct amounts / dates remembered per parse
_PAD = [""] * 21


def _split_composite(value: str, comp: str) -> list[str]:
    """Split a composite; some senders use another component separator than ISA16."""
    if comp in value:
        return value.split(comp)
    for alt in (">", ":", "^", "\\"):
        if alt != comp and alt in value:
            return value.split(alt)
    return [value]


class _Bad(Exception):
    """A bad segment; the loop adds the file and segment number (``IngestError``)."""


class _Values:
    """Amount, quantity and date conversion with memos (a remittance repeats a few
    charges and dates many times); raises ``_Bad`` naming the value."""

    def __init__(self) -> None:
        self.amounts: dict[str, str | None] = {"": None}
        self.numbers: dict[str, float | None] = {"": None}
        self.dates: dict[str, str | None] = {"": None}

    def amount(self, value: str, what: str) -> str | None:
        """``value`` as a canonical decimal string (``str(Decimal(value))``), or None."""
        try:
            return self.amounts[value]
        except KeyError:
            pass
        try:
            found = str(Decimal(value))
        except InvalidOperation:
            raise _Bad(f"bad amount '{value}' in {what}") from None
        if len(self.amounts) < MEMO_MAX:
            self.amounts[value] = found
        return found

    def number(self, value: str, what: str) -> float | None:
        """``value`` as a float (read as a decimal first), or None when empty."""
        try:
            return self.numbers[value]
        except KeyError:
            pass
        amt = self.amount(value, what)
        found = None if amt is None else float(Decimal(amt))
        if len(self.numbers) < MEMO_MAX:
            self.numbers[value] = found
        return found

    def date(self, value: str, what: str) -> str | None:
        """CCYYMMDD or YYMMDD as an ISO date string, or None when empty."""
        try:
            return self.dates[value]
        except KeyError:
            pass
        found: dt.date | None = None
        try:
            if len(value) == 8:
                found = dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            elif len(value) == 6:
                found = dt.date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
        except ValueError:
            pass
        if found is None:
            raise _Bad(f"bad date '{value}' in {what}")
        iso = found.isoformat()
        if len(self.dates) < MEMO_MAX:
            self.dates[value] = iso
        return iso


def parse_segments(runs: Iterable[str], elem: str, comp: str, term: str, path: Path, source: str,
                   hash_patient: Callable[[str | None], str | None],
                   flush: Callable[[Remittance], None] | None = None,
                   flush_lines: int = FLUSH_LINES, into: Remittance | None = None
                   ) -> Remittance:
    """Parse the segments in ``runs`` (the file's text from ISA on, cut at segment
    terminators: ``x12_835._runs``) into a Remittance (``into``: append
    to that one; on an error it is left part-filled, see ``Remittance.truncate``).

    With ``flush``, the rows collected so far are handed over every ``flush_lines``
    service lines, at a claim boundary (rows are complete there).
    """
    out = Remittance() if into is None else into
    warnings = out.warnings
    payments = out.payment_rows
    (c_pid, c_seq, c_id, c_status, c_billed, c_paid, c_resp, c_filing, c_ctrl, c_hash,
     c_recv, c_from, c_to, c_src) = out.claim_cols
    (l_pid, l_cseq, l_seq, l_qual, l_code, l_mods, l_billed, l_paid, l_rev, l_units,
     l_orig, l_date, l_date_end, l_allowed, l_ctrl, l_remarks, l_src,
     l_units_billed) = out.line_cols
    a_pid, a_cseq, a_lseq, a_group, a_carc, a_amount, a_qty, a_src = out.adj_cols
    b_pid, b_prov, b_period, b_reason, b_ref, b_amount, b_src = out.plb_cols
    seg_no = 0
    values = _Values()
    amounts, numbers, dates = values.amounts, values.numbers, values.dates
    amount, number, date = values.amount, values.number, values.date
    payment: list[object] | None = None
    in_claim = in_line = False
    claim_pid = ""
    claim_seq = line_seq = st_count = st_seg_no = 0

    # With a newline terminator some senders still put '~' at segment starts.
    strip = "\r\n\t ~" if term in "\r\n" else "\r\n\t "
    try:
        for run in runs:
            for chunk in run.split(term):
                seg = chunk.strip(strip)
                if not seg:
                    continue
                seg_no += 1
                e = seg.split(elem)
                tag = e[0]
                if tag == "CAS":
                    if not in_claim:
                        raise _Bad("CAS outside a claim")
                    k = len(e)
                    if k < 2:
                        e += _PAD[k:2]
                    group = e[1]
                    if group not in CAS_GROUPS:
                        raise _Bad(f"CAS group code '{group}' is not CO/PR/OA/PI/CR")
                    adj_line = line_seq if in_line else None
                    for i in range(2, k if k < 20 else 20, 3):
                        reason = e[i]
                        if not reason:
                            continue
                        raw = e[i + 1] if i + 1 < k else ""
                        try:
                            amt = amounts[raw]
                        except KeyError:
                            amt = amount(raw, "CAS amount")
                        raw = e[i + 2] if i + 2 < k else ""
                        try:
                            qty = numbers[raw]
                        except KeyError:
                            qty = number(raw, "CAS quantity")
                        a_pid.append(claim_pid)
                        a_cseq.append(claim_seq)
                        a_lseq.append(adj_line)
                        a_group.append(group)
                        a_carc.append(reason)
                        a_amount.append(amt)
                        a_qty.append(qty)
                elif tag == "DTM":
                    if len(e) < 3:
                        e += _PAD[len(e):3]
                    q = e[1]
                    try:
                        when = dates[e[2]]
                    except KeyError:
                        when = date(e[2], f"DTM*{q}")
                    if in_line and (q == "472" or q == "150"):
                        l_date[-1] = when
                    elif in_line and q == "151":
                        l_date_end[-1] = when
                    elif in_claim and q == "050":
                        c_recv[-1] = when
                    elif in_claim and q == "232":
                        c_from[-1] = when
                    elif in_claim and q == "233":
                        c_to[-1] = when
                    elif not in_claim and payment is not None and q == "405":
                        payment[13] = when
                        if payment[11] is None and payment[8] is not None:
                            payment[11] = when  # BPR16 was unreadable (see BPR below)
                elif tag == "SVC":
                    if not in_claim:
                        raise _Bad("SVC outside a claim (no CLP before it)")
                    if len(e) < 8:
                        e += _PAD[len(e):8]
                    if not e[1]:
                        raise _Bad("SVC01 (procedure) is empty")
                    proc = e[1].split(comp) if comp in e[1] else _split_composite(e[1], comp)
                    orig = e[6] and _split_composite(e[6], comp)
                    try:
                        units = numbers[e[5]]
                    except KeyError:
                        units = number(e[5], "SVC05")
                    try:
                        units_billed = numbers[e[7]]
                    except KeyError:
                        units_billed = number(e[7], "SVC07")
                    try:
                        billed = amounts[e[2]]
                    except KeyError:
                        billed = amount(e[2], "SVC02")
                    try:
                        paid = amounts[e[3]]
                    except KeyError:
                        paid = amount(e[3], "SVC03")
                    line_seq += 1
                    in_line = True
                    l_pid.append(claim_pid)
                    l_cseq.append(claim_seq)
                    l_seq.append(line_seq)
                    l_qual.append(proc[0])
                    l_code.append(proc[1] if len(proc) > 1 and proc[1] else None)
                    l_mods.append(join_list([m for m in proc[2:6] if m]) if len(proc) > 2 else "")
                    l_billed.append(billed)
                    l_paid.append(paid)
                    l_rev.append(e[4] or None)
                    l_units.append(1.0 if units is None else units)
                    l_orig.append(orig[1] if orig and len(orig) > 1 else None)
                    l_date.append(None)
                    l_date_end.append(None)
                    l_allowed.append(None)
                    l_ctrl.append(None)
                    l_remarks.append("")
                    l_units_billed.append(units_billed if units_billed is not None
                                          else (units or 1.0))
                elif tag == "REF":
                    if len(e) < 3:
                        e += _PAD[len(e):3]
                    if in_line and e[1] == "6R":
                        l_ctrl[-1] = e[2]
                    elif not in_claim and payment is not None and e[1] == "2U":
                        payment[4] = payment[4] or e[2]
                elif tag == "AMT":
                    if in_line:
                        if len(e) < 3:
                            e += _PAD[len(e):3]
                        if e[1] == "B6":
                            try:
                                l_allowed[-1] = amounts[e[2]]
                            except KeyError:
                                l_allowed[-1] = amount(e[2], "AMT*B6")
                elif tag == "CLP":
                    if flush is not None and len(l_pid) >= flush_lines:
                        out.fill_source(source)
                        flush(out.detach())
                    if payment is None:
                        raise _Bad("CLP outside an ST/SE transaction")
                    p = payment
                    if len(e) < 8:
                        e += _PAD[len(e):8]
                    if not e[1] or not e[2]:
                        raise _Bad("CLP without claim id or status")
                    claim_seq += 1
                    line_seq = 0
                    in_line = False
                    in_claim = True
                    claim_pid = str(p[0])
                    c_pid.append(claim_pid)
                    c_seq.append(claim_seq)
                    c_id.append(e[1])
                    c_status.append(e[2])
                    c_billed.append(amount(e[3], "CLP03"))
                    c_paid.append(amount(e[4], "CLP04"))
                    c_resp.append(amount(e[5], "CLP05"))
                    c_filing.append(e[6] or None)
                    c_ctrl.append(e[7] or None)
                    c_hash.append(None)
                    c_recv.append(None)
                    c_from.append(None)
                    c_to.append(None)
                elif tag == "NM1":
                    if len(e) < 10:
                        e += _PAD[len(e):10]
                    if not in_claim or e[1] not in ("QC", "IL"):
                        continue
                    if e[1] == "IL" and c_hash[-1] is not None:
                        continue
                    # The member / record id alone, so it hashes like the claims CSV's patient_id.
                    ident = e[9] if e[9].strip() else f"NAME:{e[3]},{e[4]}"
                    c_hash[-1] = hash_patient(ident)
                elif tag == "LQ":
                    if len(e) < 3:
                        e += _PAD[len(e):3]
                    if in_line and e[2]:
                        held = l_remarks[-1]
                        l_remarks[-1] = f"{held}{LIST_SEP}{join_list([e[2]])}" if held \
                            else join_list([e[2]])
                elif tag == "ST":
                    if len(e) < 3:
                        e += _PAD[len(e):3]
                    if e[1] != "835":
                        raise _Bad(f"transaction set {e[1] or '?'} is not an 835 remittance")
                    st_count += 1
                    st_seg_no = seg_no
                    payment = [f"{source}#{st_count}:{e[2]}", source, e[2]] + [None] * 11
                    payments.append(payment)
                    in_claim = in_line = False
                    claim_seq = 0
                elif tag == "SE":
                    if payment is None:
                        raise _Bad("SE outside an ST/SE transaction")
                    p = payment
                    if len(e) < 2:
                        e += _PAD[len(e):2]
                    counted = seg_no - st_seg_no + 1
                    if e[1].strip().isdigit() and int(e[1]) != counted:
                        warnings.append(
                            f"{path.name}: transaction {p[2] or '?'}: SE01 says {int(e[1])} "
                            f"segments, the transaction has {counted}; loaded as read, check "
                            "the file")
                    payment = None
                    in_claim = in_line = False
                elif tag == "BPR":
                    if payment is None:
                        raise _Bad("BPR outside an ST/SE transaction")
                    p = payment
                    if len(e) < 17:
                        e += _PAD[len(e):17]
                    p[7], p[8], p[9], p[10] = e[1], amount(e[2], "BPR02"), e[3], e[4]
                    try:
                        p[11] = date(e[16], "BPR16")
                    except _Bad:
                        # Seen in real files (BPR16 '20002316'): the money is still good. Take
                        # the production date (DTM*405) as the payment date and say so.
                        p[11] = None
                        warnings.append(
                            f"{path.name}: segment {seg_no}: payment date BPR16 '{e[16][:12]}' "
                            "is not a date; the production date (DTM*405) is used instead")
                elif tag == "TRN":
                    if payment is None:
                        raise _Bad("TRN outside an ST/SE transaction")
                    p = payment
                    p[12] = e[2] if len(e) > 2 else ""
                elif tag == "N1":
                    if payment is None:
                        raise _Bad("N1 outside an ST/SE transaction")
                    p = payment
                    if len(e) < 5:
                        e += _PAD[len(e):5]
                    if e[1] == "PR":
                        p[3], p[4] = e[2], e[4] or None
                    elif e[1] == "PE":
                        p[5], p[6] = e[2], e[4] or None
                elif tag == "PLB":
                    if payment is None:
                        raise _Bad("PLB outside an ST/SE transaction")
                    p = payment
                    if len(e) < 15:
                        e += _PAD[len(e):15]
                    period = date(e[2], "PLB02")
                    for i in range(3, 15, 2):
                        reason = e[i]
                        if not reason:
                            continue
                        parts = reason.split(comp)
                        b_pid.append(p[0])
                        b_prov.append(e[1])
                        b_period.append(period)
                        b_reason.append(parts[0])
                        b_ref.append(parts[1] if len(parts) > 1 else None)
                        b_amount.append(amount(e[i + 1], "PLB amount"))
    except _Bad as bad:
        raise IngestError(f"{path}: segment {seg_no}: {bad}") from None
    out.fill_source(source)
    if st_count == 0:
        raise IngestError(f"{path}: no ST*835 transaction found")
    if payment is not None:
        raise IngestError(f"{path}: transaction not closed (missing SE segment)")
    return out
