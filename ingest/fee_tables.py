"""Fee-schedule rows from a contract's own text (exhibit rate tables).

Layouts handled: pipe / Markdown tables, DOCX tables (rendered ``a | b | c``), ruled
tables as pypdf renders them (one cell per line), aligned columns (2+ spaces or tabs),
single-spaced rows, and dotted leaders (``99213 Office visit ..... $99.62``). A row is a
CPT (5 digits, or 4 digits + F/T/U) or HCPCS (letter + 4 digits) code at the start of a
line or first cell, optional modifiers, a description (it may wrap onto the next lines)
and one or more dollar rates. Rows with several rate columns keep every column; the rate
used for professional claims is the non-facility one (said in ``basis``). A lone line
that looks like a row is only taken under a rate-table header, in a fee/compensation
section, or beside other rows, so addresses, phone numbers, years and section numbers
are not rates. Rules by reference ("112% of the 2025 MPFS") are in ``ingest.fee_rules``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.chunking import match_heading
from ingest.fee_context import PARENT_PREFIXES, Locator, program_of
from ingest.parsers import ParsedDoc

CODE = r"(?:\d{4}[0-9FTU]|[A-V]\d{4})"
_CODE_AT_START = re.compile(rf"^\s*\|?\s*({CODE})(?:\s*[-/]\s*([A-Z0-9]{{2}}))?(?=\s|\||$)")
_MONEY = re.compile(r"^\$?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{2})?$")
_NO_RATE = re.compile(r"^(?:n/?a|—|–|-|by report|br|not covered|nc|tbd|\*+)$", re.I)
_PCT_CELL = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)\s*%$")
_UNIT_CELL = re.compile(r"^(?:per\s+(?:service|unit|visit|procedure|day|\d+\s+min\w*)|each|"
                        r"flat|case rate|per diem)$", re.I)
_LEADER = re.compile(r"\s*(?:\.\s?){3,}\s*|\s*…+\s*|\s*_{3,}\s*")
_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{2,}")
_MOD_NUMERIC = frozenset(
    "22 23 24 25 26 27 32 33 47 50 51 52 53 54 55 56 57 58 59 62 63 66 73 74 76 77 78 79 80 "
    "81 82 90 91 92 93 95 96 97 99".split())
_NOT_MOD = frozenset("OR OF IN ON TO AT BY NO IS AN IF UP".split())
_HEADER_CODE = re.compile(r"\b(?:CPT|HCPCS|codes?|procedure|service code)\b", re.I)
_HEADER_RATE = re.compile(r"\b(?:rates?|fees?|allowables?|amounts?|reimbursement|payment|price|"
                          r"facility|non-?facility|allowed)\b", re.I)
_HEADER_WORD = re.compile(
    r"^(?=.{1,40}$)[A-Za-z/ .&()#-]*\b(?:CPT|HCPCS|codes?|procedure|mod\.?|modifiers?|"
    r"description|descriptor|service|rates?|fees?|allowables?|allowed|amounts?|facility|"
    r"non-?facility|reimbursement|payment|price|units?)\b[A-Za-z/ .&()#-]*$", re.I)
_FEE_SECTION = re.compile(r"fee|compensation|reimbursement|rate|payment|exhibit|schedule|"
                          r"attachment|appendix", re.I)
@dataclass
class FeeRow:
    """One rate row of an exhibit table."""

    code: str
    rate: Decimal  # the rate for professional claims (non-facility when both are given)
    modifiers: list[str] = field(default_factory=list)
    description: str = ""
    facility_rate: Decimal | None = None
    columns: dict[str, Decimal] = field(default_factory=dict)  # every rate column as written
    basis: str = ""
    program: str = ""
    page: int = 1
    section: str = ""
    quote: str = ""


def _is_header_line(s: str) -> bool:
    """Every cell of the line is a column name (CPT, Mod, Description, Rate, Facility ...)."""
    cells = [c for c in _SPLIT.split(s.strip().strip("|")) if c.strip()]
    return bool(cells) and len(s) <= 160 and all(_HEADER_WORD.match(c.strip()) for c in cells)


def _money(tok: str) -> Decimal | None:
    m = _MONEY.match(tok.strip())
    if not m or ("$" not in tok and not m.group(2)):
        return None  # a bare integer is a count or a number, not a rate
    return Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))


def _is_mod(tok: str, header_has_mod: bool) -> bool:
    t = tok.strip().upper()
    if t in _MOD_NUMERIC:
        return True
    if re.fullmatch(r"[A-Z]{2}|[A-Z]\d|\d[A-Z]", t) and t not in _NOT_MOD:
        return header_has_mod or tok.strip().isupper()
    return False


def _cells(line: str) -> list[str]:
    """Cells of a row line: pipes, tabs or 2+ spaces, else single-spaced tokens."""
    line = _LEADER.sub("  ", line.strip().strip("|"))
    line = re.sub(r"\$\s+(?=\d)", "$", line)
    cells = [c for c in _SPLIT.split(line) if c.strip()]
    out: list[str] = []
    for c in cells:  # a cell may still hold "text $99.62 $71.10": split its money off
        toks = c.split()
        tail: list[str] = []
        while len(toks) > 1 and (_money(toks[-1]) is not None or _NO_RATE.match(toks[-1])):
            tail.insert(0, toks.pop())
        out.append(" ".join(toks))
        out.extend(tail)
    return out


@dataclass
class _Header:
    has_mod: bool = False
    rate_cols: list[str] = field(default_factory=list)


def _header_of(words: list[str]) -> _Header | None:
    text = " ".join(words)
    if not (_HEADER_CODE.search(text) and _HEADER_RATE.search(text)):
        return None
    if re.search(r"\d{4}[0-9FTU]|\$\d", text):
        return None
    cols = words if len(words) > 1 else re.findall(
        r"non-?facility|facility|medicaid|medicare advantage|commercial|exchange|rate|fee|"
        r"allowable|amount", text, re.I)
    rate_cols = [c for c in cols if _HEADER_RATE.search(c) or program_of(c)]
    rate_cols = [c for c in rate_cols if not _HEADER_CODE.search(c)] or ["Rate"]
    return _Header(has_mod=bool(re.search(r"\bmod", text, re.I)), rate_cols=rate_cols)


@dataclass
class _Pending:
    start: int
    end: int
    code: str
    cells: list[str]
    cont: list[str] = field(default_factory=list)

    def has_money(self) -> bool:
        return any(_money(c) is not None for c in self.cells)


def _build(p: _Pending, header: _Header | None) -> FeeRow | None:
    mods: list[str] = []
    desc: list[str] = []
    rates: list[Decimal | None] = []
    pcts: list[tuple[int, Decimal]] = []  # (rates seen before it, percent)
    for c in p.cells:
        value = _money(c)
        pm = _PCT_CELL.match(c.strip())
        if pm and rates:
            pcts.append((len(rates), Decimal(pm.group(1))))
        elif value is not None or _NO_RATE.match(c.strip()):
            rates.append(value)
        elif not desc and not rates and _is_mod(c, bool(header and header.has_mod)):
            mods.append(c.strip().upper())
        elif not rates:
            parts = c.split()
            while parts and not desc and not mods and _is_mod(parts[0], False) and len(parts) > 1:
                mods.append(parts.pop(0).upper())
            desc.append(" ".join(parts))
    if not any(r is not None for r in rates):
        return None
    for at, pct in pcts:  # "Medicare $69.87 | 112.0% | $78.25": the rate is pct x benchmark
        if 0 < at < len(rates) and rates[at - 1] is not None and rates[at] is not None:
            bench, rate = rates[at - 1], rates[at]
            if abs(bench * pct / 100 - rate) <= Decimal("0.02") + rate / 500:  # type: ignore[operator]
                description = " ".join(x for x in [*desc, *p.cont] if x).strip(" -–—:")
                return FeeRow(code=p.code, rate=rate, modifiers=mods,  # type: ignore[arg-type]
                              description=description,
                              columns={"benchmark": bench, "rate": rate},  # type: ignore[dict-item]
                              basis=f"rate column ({pct}% of the row's benchmark {bench})")
    names = list(header.rate_cols) if header else []
    if 0 < len(rates) < len(names):
        names = names[:len(rates)]  # empty trailing cells vanish from a PDF's text
    if len(names) != len(rates):
        names = ["Rate"] if len(rates) == 1 else [f"rate {i + 1}" for i in range(len(rates))]
    columns = {n: r for n, r in zip(names, rates, strict=True) if r is not None}
    nonfac = next((v for n, v in columns.items() if re.search(r"non-?facility|office", n, re.I)),
                  None)
    fac = next((v for n, v in columns.items()
                if re.search(r"facility", n, re.I) and not re.search(r"non", n, re.I)), None)
    own = {n: v for n, v in columns.items()
           if not re.search(r"medicare|benchmark|billed|charge|prior|old|previous|former|existing", n, re.I)}
    if nonfac is not None:
        rate, basis = nonfac, "non-facility rate (professional claims)"
    elif own and len(own) < len(columns):
        name, rate = next(iter(own.items()))
        basis = f"'{name}' column (the others are benchmarks or prior rates)"
    else:
        name, rate = next(iter(columns.items()))
        basis = ("only rate column" if len(columns) == 1
                 else f"'{name}' column (first of {len(columns)}; header does not say which "
                      "is non-facility)")
    description = " ".join(x for x in [*desc, *p.cont] if x).strip(" -–—:")
    return FeeRow(code=p.code, rate=rate, modifiers=mods, description=description,
                  facility_rate=fac, columns=columns, basis=basis)


def extract_fee_rows(doc: ParsedDoc, loc: Locator | None = None) -> list[FeeRow]:
    """Every rate row of the document's rate tables, with page, section, program, quote."""
    loc = loc or Locator(doc)
    text = doc.text
    lines: list[tuple[int, str]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        lines.append((pos, raw.rstrip("\n")))
        pos += len(raw)
    blocks: list[list[tuple[FeeRow, _Pending]]] = [[]]
    block_ctx: list[tuple[_Header | None, bool]] = [(None, False)]
    header: _Header | None = None
    program = ""
    pending: _Pending | None = None
    header_words: list[str] = []

    def finish() -> None:
        nonlocal pending
        if pending is not None:
            row = _build(pending, header)
            if row is not None:
                row.program = program
                blocks[-1].append((row, pending))
        pending = None

    def new_block(h: _Header | None, fee: bool) -> None:
        blocks.append([])
        block_ctx.append((h, fee))

    for i, (start, line) in enumerate(lines):
        s = line.strip()
        if not s:
            if pending is not None and pending.has_money():
                finish()
            if header_words:
                h, header_words = _header_of(header_words), []
                if h is not None:
                    header = h
                    new_block(h, True)
            continue
        m = _CODE_AT_START.match(s)
        building = pending is not None and not pending.has_money()
        is_header = (not m and not building and _is_header_line(s)
                     and bool(header_words or _HEADER_CODE.search(s)))
        if header_words and not is_header:
            h = _header_of(header_words)
            header_words = []
            if h is not None:
                header = h
                new_block(h, True)
        if m:
            finish()
            rest = s[m.end():]
            cells = ([m.group(2)] if m.group(2) else []) + _cells(rest)
            pending = _Pending(start, start + len(line), m.group(1), cells)
            if not blocks[-1] and block_ctx[-1][0] is None and header is None:
                new_block(None, bool(_FEE_SECTION.search(loc.section(start))))
            continue
        if is_header:
            finish()
            cells = [c.strip() for c in _SPLIT.split(s.strip("|")) if c.strip()]
            header_words = cells if len(cells) > 1 else header_words + cells
            nxt = lines[i + 1][1].strip() if i + 1 < len(lines) else ""
            h = _header_of(header_words)
            if h is not None and not (nxt and _is_header_line(nxt)):
                header, header_words = h, []
                new_block(h, True)
            if program_of(s) and not _HEADER_CODE.search(s):
                program = program_of(s)  # "Medicare Advantage Fee Schedule"
            continue
        if re.fullmatch(r"[|\s:\-+=]+", s):
            continue  # a Markdown separator or a rule
        if pending is not None and not pending.has_money() and len(" ".join(pending.cells)) < 300:
            pending.cells.extend(_cells(s))
            pending.end = start + len(line)
            continue
        if pending is not None and all(_money(c) is not None or _NO_RATE.match(c)
                                       or _PCT_CELL.match(c) or _UNIT_CELL.match(c)
                                       for c in _cells(s)):
            pending.cells.extend(_cells(s))  # another column of the row on its own line
            pending.end = start + len(line)
            continue
        if pending is not None and _continues(s, line, lines, i):
            pending.cont.append(s)
            pending.end = start + len(line)
            continue
        finish()
        heading = match_heading(s)
        if len(s) <= 100 and program_of(s):
            program = program_of(s)
        if (heading is not None and heading.section) or len(s) > 100:
            header = None  # a new section or a prose paragraph ends the table
            if heading is not None and heading.section.startswith(PARENT_PREFIXES + ("Article",)):
                program = program_of(s)
            new_block(None, False)
    finish()
    out: list[FeeRow] = []
    for rows, (h, fee) in zip(blocks, block_ctx, strict=True):
        if not rows or not (h is not None or fee or len(rows) >= 2):
            continue
        for row, p in rows:
            row.page = loc.page(p.start)
            row.section = loc.section(p.start)
            row.program = row.program or program_of(row.section) or loc.heading_program(p.start)
            row.quote = text[p.start:p.end].strip()
            out.append(row)
    return out


def _continues(s: str, line: str, lines: list[tuple[int, str]], i: int) -> bool:
    """Is this text line the wrapped end of the previous row's description?"""
    if len(s) > 80 or _money(s.split()[-1]) is not None or s.endswith((".", ":")):
        return False
    if program_of(s) or match_heading(s) is not None and not line[:1].isspace():
        return False
    if line[:1].isspace():
        return True
    nxt = next((ln for _, ln in lines[i + 1:] if ln.strip()), "")
    return bool(_CODE_AT_START.match(nxt.strip()))
