"""Shared types and helpers of the analytics functions.

Every analytics result is an ``AnalyticsResult``: the figures plus the ``filters`` that
produced them and the ``row_count`` of warehouse rows behind them, so an answer can cite
"tool X with filters Y over N claim lines".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field

from assistant.periods import Period
from assistant.scope import Scope


class ScopedParams(BaseModel):
    """Base of the analytics parameters: the caller's payer scope.

    ``within`` is a SQL filter, not a post-filter: rows of payers outside it are never read
    into the result (None = every payer). A ``payer`` named in the params must lie within
    it, and an unknown name reads like a hidden one (``Scope.resolve_payer``).
    """

    within: list[str] | None = None

    @property
    def scope(self) -> Scope:
        """``within`` as a ``Scope``."""
        return Scope.of(self.within)


class AnalyticsResult(BaseModel):
    """Base of every analytics result."""

    model_config = ConfigDict(frozen=False)

    function: str
    filters: dict[str, Any] = Field(default_factory=dict)
    row_count: int = 0


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
         ) -> list[dict[str, Any]]:
    """Run parameterised SQL and return rows as dicts."""
    cur = conn.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """First column of the first row (None if no row)."""
    row = conn.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def money(value: Any) -> float:
    """A money figure as a float rounded to cents (None → 0.0)."""
    return round(float(value or 0), 2)


def period_filters(period: Period | None) -> dict[str, Any]:
    """The filter entries of a period."""
    if period is None:
        return {}
    return {"period": period.label, "start": period.start.isoformat(),
            "end": period.end.isoformat()}


def line_where(payer_id: str | None, code: str | None, period: Period | None,
               date_col: str = "date_of_service", alias: str = "",
               scope: Scope | None = None) -> tuple[str, list[Any]]:
    """A WHERE fragment (always starting with 'TRUE') over claim_lines and its params;
    ``scope`` keeps only the caller's visible payers."""
    a = f"{alias}." if alias else ""
    parts: list[str] = ["TRUE"]
    params: list[Any] = []
    if scope is not None and scope.scoped:
        frag, extra = scope.sql(f"{a}payer_id")
        parts.append(frag)
        params += extra
    if payer_id:
        parts.append(f"{a}payer_id = ?")
        params.append(payer_id)
    if code:
        parts.append(f"{a}code = ?")
        params.append(code)
    if period is not None:
        parts.append(f"{a}{date_col} BETWEEN ? AND ?")
        params += [period.start, period.end]
    return " AND ".join(parts), params


def annualise_factor(period: Period) -> float:
    """Multiply a figure over ``period`` by this to get a 365-day figure."""
    days = (period.end - period.start).days + 1
    return 365.0 / days if days > 0 else 1.0


def medicare_locality(conn: duckdb.DuckDBPyConnection, wanted: str | None) -> str | None:
    """The Medicare locality to compare against: the wanted one if loaded, else the most
    common one in the table (the sample's single locality), else None (no benchmark)."""
    if wanted and scalar(conn, "SELECT count(*) FROM medicare_rates WHERE locality = ?",
                         [wanted]):
        return wanted
    most_common = scalar(conn, "SELECT locality FROM medicare_rates GROUP BY locality "
                               "ORDER BY (locality = 'national') DESC, count(*) DESC LIMIT 1")
    return None if most_common is None else str(most_common)


def medicare_sql(year_param: bool = True) -> str:
    """SELECT code, medicare_rate for one locality (param 1) and the latest year ≤ param 2."""
    return """SELECT code, arg_max(nonfacility_rate, year) AS medicare_rate
              FROM medicare_rates WHERE locality = ? AND year <= ? GROUP BY code"""


def rates_in_force_sql() -> str:
    """SELECT payer_id, code, rate, effective_from, contract_id in force on a date (params
    1 and 2), and where the rate comes from (origin, source_file, page, section, quote,
    program, basis): a CSV row overrides contract-derived rows (stores/fee_sources.py)."""
    from assistant.stores.fee_sources import EFFECTIVE_FEE_SQL

    return f"""SELECT payer_id, code, rate, effective_from, contract_id, origin, source_file,
                     page, section, quote, program, basis
              FROM ({EFFECTIVE_FEE_SQL})
              WHERE effective_from <= ? AND (effective_to IS NULL OR effective_to >= ?)
              QUALIFY row_number() OVER (PARTITION BY payer_id, code
                                         ORDER BY effective_from DESC) = 1"""


def default_volume_period(as_of: dt.date) -> Period:
    """The trailing 12 months before ``as_of`` (volume basis for annual figures)."""
    from assistant.periods import resolve_period
    return resolve_period("last 12 months", as_of)


def resolve_inputs(conn: duckdb.DuckDBPyConnection, payer: str | None = None,
                   code: str | None = None, scope: Scope | None = None
                   ) -> tuple[str | None, str | None]:
    """Validate a payer (within ``scope``) and a code against the known vocabulary
    (UnknownEntityError; PermissionDenied for a payer outside the scope)."""
    from assistant.analytics.vocabulary import Vocabulary

    if payer is None and code is None:
        return None, None
    vocab = Vocabulary.load(conn)
    return ((scope or Scope()).resolve_payer(vocab, payer) if payer else None,
            vocab.resolve_code(code) if code else None)


def payer_names(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """payer_id → display name for every payer in the payers table."""
    return dict(conn.execute("SELECT payer_id, name FROM payers").fetchall())


def claim_facts_source(conn: duckdb.DuckDBPyConnection) -> str:
    """``claim_facts`` when it is up to date with claim_lines, else its defining query
    (rows written to claim_lines without ``refresh_expected`` are still counted)."""
    from assistant.stores.warehouse import CLAIM_FACTS_SQL

    try:
        fresh = scalar(conn, """SELECT (SELECT count(*) FROM claim_lines)
            = (SELECT coalesce(sum(lines), 0) FROM claim_facts)
            AND NOT EXISTS (SELECT 1 FROM claim_lines WHERE claim_key IS NULL)""")
    except (duckdb.CatalogException, duckdb.BinderException):
        from assistant.errors import ConfigError

        raise ConfigError("The warehouse was built by an older version of Parley; run "
                          "'parley ingest' again to upgrade it.") from None
    if fresh:
        return "claim_facts"
    sql = CLAIM_FACTS_SQL.replace("l.claim_key", "coalesce(l.claim_key, hash(l.claim_id))")
    sql = sql.replace("l.patient_key", "coalesce(l.patient_key, hash(l.patient_hash))")
    return f"({sql})"
