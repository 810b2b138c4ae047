"""Which fee-schedule row is the contract rate: CSV rows, contract exhibit rows, rule rows.

``fee_schedule`` holds rows of three origins: ``csv`` (a fee-schedule CSV: a person's
override), ``contract`` (an exhibit rate table read from the contract) and ``rule`` (a
"112% of the 2025 MPFS" rule from ``fee_rules`` materialised for every Medicare code of
that year and locality by ``materialise_rule_rates``). ``EFFECTIVE_FEE_SQL`` is the set
the ASOF joins read:

* a CSV row for a payer + code overrides every contract-derived row of that payer + code;
* rows with the same payer, code and effective date: contract table beats rule; among
  several programs' rows (Medicaid / Medicare Advantage / ...) a row without a program
  wins, else the lowest rate (claim lines carry no program; the lowest never flags a line
  underpaid by another program's higher rate);
* otherwise the latest ``effective_from`` on or before the date of service wins, so an
  amendment's rows (or rules) replace the base agreement's from the amendment's date.

``billed_pct`` rules are per payer, not per code: ``BILLED_RULES_SQL`` feeds a second ASOF
join, and a line takes pct x billed when that rule is later than its code's row (or no
row exists for its code).
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb

#: effective_from stored when a contract states no effective date (applies from the start).
UNDATED = dt.date(1900, 1, 1)

EFFECTIVE_FEE_SQL = """SELECT payer_id, code, rate, effective_from, effective_to, contract_id,
       origin, doc_id, program, page, section, quote, basis, source_file, facility_rate
FROM (SELECT f.* REPLACE (coalesce(f.origin, 'csv') AS origin, coalesce(f.program, '') AS program)
      FROM fee_schedule f WHERE f.modifier IS NULL OR f.modifier = '') f
WHERE f.origin = 'csv' OR NOT EXISTS (
      SELECT 1 FROM fee_schedule c
      WHERE coalesce(c.origin, 'csv') = 'csv' AND (c.modifier IS NULL OR c.modifier = '')
        AND c.payer_id = f.payer_id AND c.code = f.code)
QUALIFY row_number() OVER (PARTITION BY payer_id, code, effective_from
    ORDER BY CASE origin WHEN 'csv' THEN 0 WHEN 'contract' THEN 1 ELSE 2 END,
             program <> '', rate, contract_id, doc_id) = 1"""

BILLED_RULES_SQL = """SELECT payer_id, pct, coalesce(effective_from, DATE '1900-01-01') AS effective_from,
       contract_id
FROM fee_rules WHERE kind = 'billed_pct' AND pct IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY payer_id, coalesce(effective_from, DATE '1900-01-01')
    ORDER BY coalesce(program, '') <> '', pct, contract_id) = 1"""

MPFS_HINT = ("the CMS Physician Fee Schedule national amounts for {year}: a CSV with columns "
             "hcpcs, work_rvu, nonfacility_pe_rvu, facility_pe_rvu, mp_rvu, conversion_factor, "
             "nonfacility_amount, facility_amount and the year in its name "
             "(e.g. medicare_pfs_{year}_national.csv), loaded with "
             "'parley ingest path/to/medicare_pfs_{year}_national.csv'")


def has_billed_rules(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when some payer has a percent-of-billed-charges rule."""
    row = conn.execute("SELECT count(*) FROM fee_rules WHERE kind = 'billed_pct'").fetchone()
    return bool(row and row[0])


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def pick_locality(stated: str, loaded: list[str]) -> tuple[str | None, str]:
    """(locality to use, note) for a rule's stated locality among the loaded ones."""
    if not loaded:
        return None, ""
    if stated:
        want = _norm(stated)
        num = re.match(r"(\d{1,2})\b", stated)
        for loc in loaded:
            n = _norm(loc)
            if n == want or (len(want) > 3 and want in n) or (len(n) > 3 and n in want):
                return loc, ""
            if num and re.search(rf"(?:^|\D)0*{int(num.group(1))}$", loc):
                return loc, ""
    fallback = "national" if "national" in loaded else sorted(loaded)[0]
    note = (f"locality '{stated}' not loaded; {fallback} amounts used" if stated
            else f"no locality stated; {fallback} amounts used")
    return fallback, note


def _rule_years(year: int | None, start: dt.date, loaded: list[int]) -> list[tuple[int, dt.date]]:
    """(Medicare year, effective_from) pairs a rule materialises into."""
    if year is not None:
        return [(year, start)] if year in loaded else []
    # "the Medicare fee schedule in effect on the date of service": each loaded year
    # from its January 1 (the rule's own date for the year it starts in).
    out = [(y, max(start, dt.date(y, 1, 1))) for y in sorted(loaded) if dt.date(y, 12, 31) >= start]
    if not out and loaded:
        out = [(max(loaded), start)]
    return out


def materialise_rule_rates(conn: duckdb.DuckDBPyConnection) -> int:
    """Rewrite ``fee_schedule`` rows of origin 'rule' from ``fee_rules`` x ``medicare_rates``."""
    conn.execute("DELETE FROM fee_schedule WHERE origin = 'rule'")
    rules = conn.execute("""SELECT rowid, payer_id, contract_id, doc_id, program, pct, year,
            coalesce(locality, ''), coalesce(setting, ''), effective_from, source_file, page,
            section, quote FROM fee_rules WHERE kind = 'medicare_pct' AND pct > 0
            ORDER BY rowid""").fetchall()
    if not rules:
        return 0
    loaded: dict[int, list[str]] = {}
    for y, loc in conn.execute("SELECT DISTINCT year, locality FROM medicare_rates").fetchall():
        loaded.setdefault(int(y), []).append(str(loc))
    total = 0
    for (_rid, payer, contract, doc, program, pct, year, stated, setting, eff, src, page,
         section, quote) in rules:
        start = eff or UNDATED
        for myear, from_ in _rule_years(year, start, sorted(loaded)):
            loc, note = pick_locality(stated, loaded[myear])
            col = "facility_rate" if setting == "facility" else "nonfacility_rate"
            basis = (f"{pct:g}% of {myear} Medicare {'facility' if setting == 'facility' else 'non-facility'}"
                     f" amount, locality {loc}" + (f" ({note})" if note else ""))
            cur = conn.execute(f"""INSERT INTO fee_schedule (payer_id, contract_id, code, modifier,
                    rate, effective_from, effective_to, source_file, origin, doc_id, program, page,
                    section, quote, basis, facility_rate)
                SELECT ?, ?, code, NULL, round({col} * ? / 100, 2), ?, NULL, ?, 'rule', ?, ?, ?,
                       ?, ?, ?, round(facility_rate * ? / 100, 2)
                FROM medicare_rates WHERE year = ? AND locality = ? AND {col} IS NOT NULL""",
                [payer or "", contract, pct, from_, src, doc, program or "", page, section, quote,
                 basis, pct, myear, loc])
            total += int((cur.fetchone() or [0])[0])
    return total


def medicare_needs(conn: duckdb.DuckDBPyConnection, payer_id: str | None = None) -> list[str]:
    """For each percent-of-Medicare rule that could not be computed: what file is needed."""
    loaded = {int(r[0]) for r in conn.execute("SELECT DISTINCT year FROM medicare_rates").fetchall()}
    out: list[str] = []
    for payer, pct, year, src, page, section in conn.execute(
            """SELECT DISTINCT payer_id, pct, year, source_file, page, section FROM fee_rules
               WHERE kind = 'medicare_pct' AND (? IS NULL OR payer_id = ?)
               ORDER BY payer_id, year, source_file""", [payer_id, payer_id]).fetchall():
        if (year is None and loaded) or year in loaded:
            continue
        want = year or "YYYY"
        name = src.rsplit("/", 1)[-1] if src else "a contract"
        where = ", ".join(x for x in (section or "", f"page {page}" if page else "") if x)
        stated = f"{year} " if year else ""
        out.append(f"{payer or 'an unlinked payer'}: {name} ({where}) pays {pct:g}% of the "
                   f"{stated}Medicare Physician Fee Schedule, but no {stated}Medicare rates are "
                   f"loaded, so these rates are not computed. Needed: "
                   + MPFS_HINT.format(year=want) + ".")
    return out


def expected_sql(conn: duckdb.DuckDBPyConnection, line: str = "l") -> tuple[str, str]:
    """(select list ``e, rf, rc``, extra join) computing a line's expected amount.

    ``fs`` is the ASOF-joined row of ``EFFECTIVE_FEE_SQL``; when some payer has a
    percent-of-billed rule a second ASOF join (``br``) is added and the later of the two
    applies (the code's row on the same date).
    """
    live = f"(fs.effective_to IS NULL OR {line}.date_of_service <= fs.effective_to)"
    if not has_billed_rules(conn):
        return (f"CASE WHEN {live} THEN round(fs.rate * {line}.units, 2) END AS e, "
                f"CASE WHEN {live} THEN fs.effective_from END AS rf, "
                f"CASE WHEN {live} THEN fs.contract_id END AS rc"), ""
    join = (f"ASOF LEFT JOIN ({BILLED_RULES_SQL}) br ON {line}.payer_id = br.payer_id "
            f"AND {line}.date_of_service >= br.effective_from")
    use = (f"(br.effective_from IS NOT NULL AND (NOT coalesce({live} AND fs.rate IS NOT NULL, "
           "FALSE) OR br.effective_from > fs.effective_from))")
    return (f"CASE WHEN {use} THEN round(br.pct * {line}.billed / 100, 2) WHEN {live} "
            f"THEN round(fs.rate * {line}.units, 2) END AS e, "
            f"CASE WHEN {use} THEN br.effective_from WHEN {live} THEN fs.effective_from END AS rf, "
            f"CASE WHEN {use} THEN br.contract_id WHEN {live} THEN fs.contract_id END AS rc"), join
