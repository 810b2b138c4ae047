"""One claim-line model fed by every source: claims CSV, 835 remittances, 837P claims.

``claim_lines`` is what every analysis reads. Rows come from three places:

* a claims CSV in Parley's layout (``origin`` NULL or ``'csv'``), loaded as is;
* the 835 remittances (``origin = '835'``), derived here from the ``remit_*`` tables each
  time ``refresh_expected`` runs, for every service line that no CSV row already
  describes (same claim id, code and date of service, counted in order) — so the same
  line arriving from two sources is counted once;
* 837P claim files add what 835s lack (the submitted date, billed units) to the 835
  lines of the same claim (CLM01 = CLP01, code, date of service).

How an 835 line becomes a claim line:

* **reversals** (CLP02 = 22) take back the latest earlier adjudication of the same
  claim at the same payer; what stays is the claim's final adjudication (a corrected
  claim sent with the reversal is kept). A payment re-sent under another file name is
  dropped by the 835 loader (same payer and TRN02), so it is never here twice;
* ``allowed`` is AMT*B6 when sent, else billed minus every adjustment but the patient
  share (PR-1/2/3: deductible, coinsurance, copay);
* ``status`` is read from the money, not from CLP02 (payers send CLP02 = 4 for claims
  that went wholly to the deductible): ``denied`` when nothing was paid and no patient
  share was applied; ``partial`` when paid but reduced by an
  adjustment other than the contractual CO-45/CO-253; else ``paid``;
* ``group_code``/``carc``: the largest adjustment other than CO-45, CO-253 and PR-1/2/3
  (line level, else claim level), for denied and partial lines; ``rarc`` the first LQ
  remark code on those lines;
* ``paid_date`` is the payment date (BPR16), ``check_number`` the trace number (TRN02),
  ``received_date`` DTM*050, ``date_of_service`` DTM*472 (else the statement dates);
* ``program`` comes from the claim filing indicator (CLP06: MC Medicaid; 16, MA, MB
  Medicare Advantage — a commercial payer's Medicare business; CI, 12–15, HM, BL
  Commercial), so terms stated per program apply to the right claims;
* claims without service lines (institutional claim-level remittances) have no line to
  price and are not in ``claim_lines``; their money is in ``remit_claims``.
"""

from __future__ import annotations

import duckdb

# Adjustments that are not a reduction of what the payer owes under the contract.
CONTRACTUAL = "(a.group_code = 'CO' AND a.carc IN ('45', '253'))"
PATIENT_SHARE = "(a.group_code = 'PR' AND a.carc IN ('1', '2', '3'))"

# The program (line of business) of a remitted claim, from its claim filing indicator
# (CLP06), named as contract terms name programs (ingest.programs.PROGRAMS).
PROGRAM_SQL = """CASE upper(trim(c.filing_indicator))
    WHEN 'MC' THEN 'Medicaid'
    WHEN '16' THEN 'Medicare Advantage' WHEN 'MA' THEN 'Medicare Advantage'
    WHEN 'MB' THEN 'Medicare Advantage'
    WHEN 'CI' THEN 'Commercial' WHEN '12' THEN 'Commercial' WHEN '13' THEN 'Commercial'
    WHEN '14' THEN 'Commercial' WHEN '15' THEN 'Commercial' WHEN 'HM' THEN 'Commercial'
    WHEN 'BL' THEN 'Commercial'
    ELSE '' END"""

_CLAIMS = f"""
WITH pay AS (
    SELECT payment_id, payer_id, payment_date, trace_number FROM remit_payments
    WHERE payer_id IS NOT NULL AND payer_id <> ''),
clm AS (
    SELECT c.payment_id, c.claim_seq, c.claim_id, c.status_code, c.patient_hash,
           c.received_date, c.statement_from, p.payer_id, p.payment_date, p.trace_number,
           {PROGRAM_SQL} AS program,
           row_number() OVER (PARTITION BY p.payer_id, c.claim_id, c.status_code = '22'
               ORDER BY p.payment_date DESC NULLS LAST, c.payment_id DESC,
                        c.claim_seq DESC) AS recency,
           count(*) FILTER (c.status_code <> '22')
               OVER (PARTITION BY p.payer_id, c.claim_id) AS adjudications,
           count(*) FILTER (c.status_code = '22')
               OVER (PARTITION BY p.payer_id, c.claim_id) AS reversals
    FROM remit_claims c JOIN pay p USING (payment_id))
SELECT * FROM clm WHERE status_code <> '22' AND recency <= adjudications - reversals
"""

_DERIVE = f"""
INSERT INTO claim_lines (claim_id, line_no, payer_id, patient_hash, date_of_service,
    submitted_date, received_date, code, modifier, units, billed, allowed, paid, status,
    group_code, carc, rarc, paid_date, check_number, source_file, origin, program)
WITH kept AS ({_CLAIMS}),
adj AS (
    SELECT a.payment_id, a.claim_seq, a.line_seq,
           sum(a.amount) FILTER (NOT {PATIENT_SHARE}) AS reduced,
           sum(a.amount) FILTER ({PATIENT_SHARE}) AS patient_share,
           arg_max(a.group_code, a.amount) FILTER (NOT {CONTRACTUAL} AND NOT {PATIENT_SHARE})
               AS top_group,
           arg_max(a.carc, a.amount) FILTER (NOT {CONTRACTUAL} AND NOT {PATIENT_SHARE})
               AS top_carc
    FROM remit_adjustments a
    GROUP BY a.payment_id, a.claim_seq, a.line_seq),
lines AS (
    SELECT k.claim_id, l.line_seq AS line_no, k.payer_id, k.patient_hash,
           coalesce(l.service_date, k.statement_from, k.received_date, k.payment_date)
               AS date_of_service,
           k.received_date, l.code, nullif(l.modifiers[1], '') AS modifier,
           coalesce(l.units_billed, l.units, 1) AS units, l.billed, l.paid,
           coalesce(l.allowed, l.billed - coalesce(la.reduced, 0)) AS allowed,
           k.status_code, coalesce(la.patient_share, 0) AS patient_share,
           coalesce(la.top_group, ca.top_group) AS top_group,
           coalesce(la.top_carc, ca.top_carc) AS top_carc,
           l.remark_codes[1] AS remark, k.payment_date, k.trace_number, l.source_file,
           k.program
    FROM remit_lines l
    JOIN kept k USING (payment_id, claim_seq)
    LEFT JOIN adj la ON la.payment_id = l.payment_id AND la.claim_seq = l.claim_seq
                    AND la.line_seq = l.line_seq
    LEFT JOIN adj ca ON ca.payment_id = l.payment_id AND ca.claim_seq = l.claim_seq
                    AND ca.line_seq IS NULL
    WHERE l.code IS NOT NULL AND l.code <> ''),
rated AS (
    SELECT *, CASE
        WHEN coalesce(paid, 0) <= 0 AND patient_share <= 0 AND coalesce(billed, 0) > 0
            THEN 'denied'
        WHEN coalesce(paid, 0) > 0 AND top_group IN ('CO', 'OA', 'PI', 'CR') THEN 'partial'
        ELSE 'paid' END AS status,
        @ORDINAL@ AS ordinal
    FROM lines),
csv AS (
    SELECT claim_id, code, date_of_service,
           row_number() OVER (PARTITION BY claim_id, code, date_of_service
                              ORDER BY line_no) AS ordinal
    FROM claim_lines WHERE coalesce(origin, 'csv') = 'csv'),
sub AS (
    SELECT claim_id, code, date_of_service, min(submitted_date) AS submitted_date,
           max(units) AS units
    FROM claim_submissions GROUP BY claim_id, code, date_of_service)
SELECT r.claim_id, r.line_no, r.payer_id, r.patient_hash, r.date_of_service,
       s.submitted_date, r.received_date, r.code, r.modifier, r.units, r.billed, r.allowed,
       r.paid, r.status,
       CASE WHEN r.status = 'paid' THEN NULL ELSE r.top_group END,
       CASE WHEN r.status = 'paid' THEN NULL ELSE r.top_carc END,
       CASE WHEN r.status = 'paid' THEN NULL ELSE r.remark END,
       r.payment_date, r.trace_number, r.source_file, '835', r.program
FROM rated r
LEFT JOIN sub s ON s.claim_id = r.claim_id AND s.code = r.code
               AND s.date_of_service = r.date_of_service
@CSV_FILTER@
"""
# Lines a claims-CSV row already describes (same claim, code, date of service, counted in
# order) are left out; with no CSV rows at all the per-line ordinal (a window over every
# 835 line: a quarter of the statement's time at 1M lines) is not computed.
_ORDINAL = """row_number() OVER (PARTITION BY claim_id, code, date_of_service
                           ORDER BY payment_date, line_no)"""
_CSV_FILTER = """WHERE NOT EXISTS (SELECT 1 FROM csv c WHERE c.claim_id = r.claim_id AND c.code = r.code
                  AND c.date_of_service = r.date_of_service AND c.ordinal = r.ordinal)"""
_DERIVE_WITH_CSV = _DERIVE.replace("@ORDINAL@", _ORDINAL).replace("@CSV_FILTER@", _CSV_FILTER)
_DERIVE_835_ONLY = _DERIVE.replace("@ORDINAL@", "0").replace("@CSV_FILTER@", "")


def derive_remit_lines(conn: duckdb.DuckDBPyConnection) -> int:
    """Rewrite the 835-derived rows of ``claim_lines``; returns how many there are now.

    Run inside the caller's transaction (``refresh_expected`` does), before the derived
    columns and ``claim_facts`` are computed.
    """
    conn.execute("DELETE FROM claim_lines WHERE origin = '835'")
    csv = conn.execute("SELECT EXISTS (SELECT 1 FROM claim_lines "
                       "WHERE coalesce(origin, 'csv') = 'csv')").fetchone()
    conn.execute(_DERIVE_WITH_CSV if csv and csv[0] else _DERIVE_835_ONLY)
    row = conn.execute("SELECT count(*) FROM claim_lines WHERE origin = '835'").fetchone()
    return int(row[0]) if row else 0


SUBMISSIONS_DDL = """CREATE TABLE IF NOT EXISTS claim_submissions (
    claim_id VARCHAR NOT NULL, line_no INTEGER, payer_name VARCHAR, payer_ident VARCHAR,
    patient_hash VARCHAR, date_of_service DATE, submitted_date DATE, code VARCHAR,
    modifier VARCHAR, units DOUBLE, billed DECIMAL(14,2), source_file VARCHAR)"""
