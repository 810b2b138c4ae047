"""The 835 parser as it was before the column-wise rewrite (issue 18): one object per
segment handler, one list per row, ``Decimal`` / ``date`` values. Kept only as the
reference that ``test_x12_835_reference.py`` holds ``ingest.loaders.x12_835`` to: same
rows, warnings and errors on every sample. Not used by the product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.errors import IngestError
from assistant.settings import Settings
from ingest.loaders.base import patient_hasher
from ingest.loaders.x12_835 import _separators, _split_composite

FLUSH_LINES = 50_000
SPLIT_BLOCK = 1 << 22


@dataclass
class Remittance:
    """Rows parsed from one 835 file, one list per warehouse table."""

    payments: list[list[object]] = field(default_factory=list)
    claims: list[list[object]] = field(default_factory=list)
    lines: list[list[object]] = field(default_factory=list)
    adjustments: list[list[object]] = field(default_factory=list)
    provider_adjustments: list[list[object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Parser:
    def __init__(self, path: Path, source: str, hash_patient: Callable[[str | None], str | None]):
        self.path, self.source, self.hash_patient = path, source, hash_patient
        self.out = Remittance()
        self.seg_no = 0
        self.payment: list[object] | None = None
        self.claim: list[object] | None = None
        self.line: list[object] | None = None
        self.claim_seq = 0
        self.line_seq = 0
        self.st_count = 0
        self.st_seg_no = 0
        self.dates: dict[str, dt.date] = {}  # a remittance repeats a few dates many times

    # -- value helpers --------------------------------------------------
    def fail(self, reason: str) -> IngestError:
        return IngestError(f"{self.path}: segment {self.seg_no}: {reason}")

    def amount(self, value: str, what: str) -> Decimal | None:
        if not value:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise self.fail(f"bad amount '{value}' in {what}") from None

    def number(self, value: str, what: str) -> float | None:
        amt = self.amount(value, what)
        return None if amt is None else float(amt)

    def date(self, value: str, what: str) -> dt.date | None:
        if not value:
            return None
        found = self.dates.get(value)
        if found is not None:
            return found
        try:
            if len(value) == 8:
                found = dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            elif len(value) == 6:
                found = dt.date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
        except ValueError:
            pass
        if found is None:
            raise self.fail(f"bad date '{value}' in {what}")
        self.dates[value] = found
        return found

    # -- segments -------------------------------------------------------
    def run(self, segments: Iterable[str], elem: str, comp: str,
            flush: Callable[[Remittance], None] | None = None) -> Remittance:
        """Parse segment strings; with ``flush``, hand over the rows collected so far
        every FLUSH_LINES service lines, at a claim boundary (rows are complete there)."""
        handlers = {name[4:]: getattr(self, name) for name in dir(self)
                    if name.startswith("seg_")}
        pad = [""] * 21
        for seg in segments:
            self.seg_no += 1
            els = seg.split(elem)
            handler = handlers.get(els[0])
            if handler is None:
                continue
            if len(els) < 21:
                els += pad[len(els):]
            if flush is not None and els[0] == "CLP" and len(self.out.lines) >= FLUSH_LINES:
                flush(self.out)
                self.out = Remittance(warnings=self.out.warnings)
            handler(els, comp)
        if self.st_count == 0:
            raise IngestError(f"{self.path}: no ST*835 transaction found")
        if self.payment is not None:
            raise IngestError(f"{self.path}: transaction not closed (missing SE segment)")
        return self.out

    def seg_ST(self, e: list[str], comp: str) -> None:  # noqa: N802
        if e[1] != "835":
            raise self.fail(f"transaction set {e[1] or '?'} is not an 835 remittance")
        self.st_count += 1
        self.st_seg_no = self.seg_no
        pid = f"{self.source}#{self.st_count}:{e[2]}"
        self.payment = [pid, self.source, e[2]] + [None] * 11
        self.out.payments.append(self.payment)
        self.claim = self.line = None
        self.claim_seq = 0

    def _need_payment(self, tag: str) -> list[object]:
        if self.payment is None:
            raise self.fail(f"{tag} outside an ST/SE transaction")
        return self.payment

    def seg_SE(self, e: list[str], comp: str) -> None:  # noqa: N802
        p = self._need_payment("SE")
        counted = self.seg_no - self.st_seg_no + 1
        if e[1].strip().isdigit() and int(e[1]) != counted:
            self.out.warnings.append(
                f"{self.path.name}: transaction {p[2] or '?'}: SE01 says {int(e[1])} segments, "
                f"the transaction has {counted}; loaded as read, check the file")
        self.payment = self.claim = self.line = None

    def seg_BPR(self, e: list[str], comp: str) -> None:  # noqa: N802
        p = self._need_payment("BPR")
        p[7], p[8], p[9], p[10] = e[1], self.amount(e[2], "BPR02"), e[3], e[4]
        try:
            p[11] = self.date(e[16], "BPR16")
        except IngestError:
            # Seen in real files (BPR16 '20002316'): the money is still good. Take the
            # production date (DTM*405) as the payment date and say so.
            p[11] = None
            self.out.warnings.append(
                f"{self.path.name}: segment {self.seg_no}: payment date BPR16 '{e[16][:12]}' is "
                "not a date; the production date (DTM*405) is used instead")

    def seg_TRN(self, e: list[str], comp: str) -> None:  # noqa: N802
        self._need_payment("TRN")[12] = e[2]

    def seg_N1(self, e: list[str], comp: str) -> None:  # noqa: N802
        p = self._need_payment("N1")
        if e[1] == "PR":
            p[3], p[4] = e[2], e[4] or None
        elif e[1] == "PE":
            p[5], p[6] = e[2], e[4] or None

    def seg_REF(self, e: list[str], comp: str) -> None:  # noqa: N802
        if self.line is not None and e[1] == "6R":
            self.line[14] = e[2]
        elif self.claim is None and self.payment is not None and e[1] == "2U":
            self.payment[4] = self.payment[4] or e[2]

    def seg_DTM(self, e: list[str], comp: str) -> None:  # noqa: N802
        q, when = e[1], self.date(e[2], f"DTM*{e[1]}")
        if self.line is not None and q in ("472", "150"):
            self.line[11] = when
        elif self.line is not None and q == "151":
            self.line[12] = when
        elif self.claim is not None and q == "050":
            self.claim[10] = when
        elif self.claim is not None and q == "232":
            self.claim[11] = when
        elif self.claim is not None and q == "233":
            self.claim[12] = when
        elif self.claim is None and self.payment is not None and q == "405":
            self.payment[13] = when
            if self.payment[11] is None and self.payment[8] is not None:
                self.payment[11] = when  # BPR16 was unreadable (see seg_BPR)

    def seg_CLP(self, e: list[str], comp: str) -> None:  # noqa: N802
        p = self._need_payment("CLP")
        if not e[1] or not e[2]:
            raise self.fail("CLP without claim id or status")
        self.claim_seq += 1
        self.line_seq = 0
        self.line = None
        self.claim = [p[0], self.claim_seq, e[1], e[2], self.amount(e[3], "CLP03"),
                      self.amount(e[4], "CLP04"), self.amount(e[5], "CLP05"), e[6] or None,
                      e[7] or None, None, None, None, None, self.source]
        self.out.claims.append(self.claim)

    def seg_NM1(self, e: list[str], comp: str) -> None:  # noqa: N802
        if self.claim is None or e[1] not in ("QC", "IL"):
            return
        if e[1] == "IL" and self.claim[9] is not None:
            return
        # The member / record id alone, so it hashes like the claims CSV's patient_id.
        ident = e[9] if e[9].strip() else f"NAME:{e[3]},{e[4]}"
        self.claim[9] = self.hash_patient(ident)

    def seg_SVC(self, e: list[str], comp: str) -> None:  # noqa: N802
        if self.claim is None:
            raise self.fail("SVC outside a claim (no CLP before it)")
        if not e[1]:
            raise self.fail("SVC01 (procedure) is empty")
        proc = _split_composite(e[1], comp)
        orig = _split_composite(e[6], comp) if e[6] else []
        units = self.number(e[5], "SVC05")
        units_billed = self.number(e[7], "SVC07")
        self.line_seq += 1
        self.line = [self.claim[0], self.claim_seq, self.line_seq, proc[0],
                     proc[1] if len(proc) > 1 and proc[1] else None,
                     [m for m in proc[2:6] if m], self.amount(e[2], "SVC02"),
                     self.amount(e[3], "SVC03"), e[4] or None, 1.0 if units is None else units,
                     orig[1] if len(orig) > 1 else None, None, None, None, None, [],
                     self.source,
                     units_billed if units_billed is not None else (units or 1.0)]
        self.out.lines.append(self.line)

    def seg_CAS(self, e: list[str], comp: str) -> None:  # noqa: N802
        if self.claim is None:
            raise self.fail("CAS outside a claim")
        if e[1] not in ("CO", "PR", "OA", "PI", "CR"):
            raise self.fail(f"CAS group code '{e[1]}' is not CO/PR/OA/PI/CR")
        line_seq = self.line_seq if self.line is not None else None
        for k in range(6):
            reason, amt, qty = e[2 + 3 * k], e[3 + 3 * k], e[4 + 3 * k]
            if not reason:
                continue
            self.out.adjustments.append(
                [self.claim[0], self.claim_seq, line_seq, e[1], reason,
                 self.amount(amt, "CAS amount"), self.number(qty, "CAS quantity"),
                 self.source])

    def seg_LQ(self, e: list[str], comp: str) -> None:  # noqa: N802
        if self.line is not None and e[2]:
            self.line[15].append(e[2])  # type: ignore[attr-defined]

    def seg_AMT(self, e: list[str], comp: str) -> None:  # noqa: N802
        if self.line is not None and e[1] == "B6":
            self.line[13] = self.amount(e[2], "AMT*B6")

    def seg_PLB(self, e: list[str], comp: str) -> None:  # noqa: N802
        p = self._need_payment("PLB")
        period = self.date(e[2], "PLB02")
        for k in range(6):
            reason, amt = e[3 + 2 * k], e[4 + 2 * k]
            if not reason:
                continue
            parts = reason.split(comp)
            self.out.provider_adjustments.append(
                [p[0], e[1], period, parts[0], parts[1] if len(parts) > 1 else None,
                 self.amount(amt, "PLB amount"), self.source])


def _segments(text: str, term: str) -> Iterator[str]:
    """The file's segments, split a block at a time (a list of every segment of a
    100 MB file would cost more memory than its rows)."""
    # With a newline terminator some senders still put '~' at segment starts.
    strip = "\r\n\t ~" if term in "\r\n" else "\r\n\t "
    start, n = 0, len(text)
    while start < n:
        end = text.rfind(term, start, start + SPLIT_BLOCK) if start + SPLIT_BLOCK < n else n
        if end <= start:
            end = n
        for chunk in text[start:end].split(term):
            seg = chunk.strip(strip)
            if seg:
                yield seg
        start = end + 1


def parse_835(path: Path, settings: Settings, source: str | None = None,
              flush: Callable[[Remittance], None] | None = None) -> Remittance:
    """Parse an 835 file into table rows; raise IngestError with the segment on bad input.

    With ``flush``, rows are handed over in parts while parsing (big files); the returned
    Remittance then holds only the last part.
    """
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
    del raw
    elem, comp, term = _separators(text, path)
    parser = _Parser(path, source or path.name, patient_hasher(settings))
    return parser.run(_segments(text, term), elem, comp, flush)
