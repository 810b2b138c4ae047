"""The payer registry: payers built from the documents themselves, in any order.

Sources record what they say about payers (``record_mentions``: a contract's counterparty
and number, an 835's N1*PR name and identifier) and their opening text
(``record_opening``); ``payers.csv`` rows land in ``payer_overrides``; people's corrections
in ``payer_edits``. ``rebuild`` is a pure function of those four tables
(``payer_model.build``): it rewrites ``payers`` and ``payer_links``, re-links the stored
rows (``contract_terms`` and any allow-listed table with ``doc_id`` and ``payer_id``, and
``remit_payments`` by payer name and identifier) and refreshes the derived claim lines.
The caller then updates the chunks' payer metadata in Chroma (``sync_chunks``; no
re-embedding). ``payer_chunk_sync`` records what the chunks carry, so a run killed between
the two is completed by the next one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from assistant.stores import payer_model

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.stores.vectors import VectorStore

REGISTRY_TABLES = ("payer_mentions", "doc_openings", "payer_overrides", "payer_edits",
                   "payer_links", "payer_chunk_sync")
#: Tables re-linked by ``doc_id`` when they have both columns. A fixed allow-list: table
#: names in SQL text never come from data.
RELINK_TABLES = ("contract_terms", "fee_schedule", "fee_rules")
KINDS = ("contract", "amendment", "exhibit", "note", "email", "835", "837", "csv")
OPENING_CHARS = 6000

REGISTRY_DDL = (
    """CREATE TABLE IF NOT EXISTS payer_mentions (
        source_file VARCHAR NOT NULL, doc_id VARCHAR, kind VARCHAR NOT NULL,
        role VARCHAR NOT NULL, name VARCHAR, ident VARCHAR, contract_ref VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS doc_openings (
        doc_id VARCHAR NOT NULL, source_file VARCHAR, text VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS payer_overrides (
        payer_id VARCHAR NOT NULL, name VARCHAR NOT NULL, plan_type VARCHAR,
        aliases VARCHAR[], source_file VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS payer_edits (
        seq INTEGER NOT NULL, op VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR,
        "by" VARCHAR, "at" TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS payer_links (
        doc_id VARCHAR NOT NULL, source_file VARCHAR, payer_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS payer_chunk_sync (
        doc_id VARCHAR NOT NULL, payer_id VARCHAR, payer_name VARCHAR)""",
)


@dataclass(frozen=True)
class PayerMention:
    """What one source says about a payer: ``role`` counterparty (a document's other
    party, possibly unnamed, with its contract number) or payer (an 835's N1*PR)."""

    role: str
    name: str = ""
    ident: str = ""
    contract_ref: str = ""


@dataclass
class RegistryResult:
    """What a rebuild decided."""

    payers: int
    links: dict[str, tuple[str, str]]  # doc_id → (payer_id, payer_name); "" when unlinked
    changed: list[str]  # docs whose chunks do not carry their link yet
    relinked_rows: dict[str, int] = field(default_factory=dict)


def _has_table(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [name]).fetchone()[0])  # type: ignore[index]


def ensure_registry_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the registry tables. A warehouse from before the registry keeps what it
    knew: its ``payers`` rows (from payers.csv) become overrides, its 835 payments' payers
    become mentions."""
    fresh = not _has_table(conn, "payer_mentions")
    for ddl in REGISTRY_DDL:
        conn.execute(ddl)
    if fresh and _has_table(conn, "payers"):
        conn.execute("INSERT INTO payer_overrides SELECT payer_id, name, plan_type, aliases, "
                     "source_file FROM payers")
        conn.execute("""INSERT INTO payer_mentions SELECT DISTINCT source_file, NULL, '835',
            'payer', coalesce(payer_name, ''), coalesce(payer_id_code, ''), NULL
            FROM remit_payments WHERE source_file IS NOT NULL""")


def record_mentions(conn: duckdb.DuckDBPyConnection, *, source_file: str, kind: str,
                    mentions: Iterable[PayerMention], doc_id: str | None = None) -> None:
    """Replace what ``source_file`` says about payers (no transaction of its own: loaders
    call it inside theirs)."""
    if kind not in KINDS:
        raise ValueError(f"unknown mention kind {kind!r}")
    conn.execute("DELETE FROM payer_mentions WHERE source_file = ?", [source_file])
    rows = [(source_file, doc_id, kind, m.role, m.name or "", m.ident or "",
             m.contract_ref or "") for m in dict.fromkeys(mentions)]
    if rows:
        conn.executemany("INSERT INTO payer_mentions VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def record_remit_mentions(conn: duckdb.DuckDBPyConnection, sources: list[str]) -> None:
    """``record_mentions`` for loaded 835 files, set-based: each file's payers (N1*PR name
    and id) straight from its stored payments (a batch of hundreds of files costs two
    statements, not two per file)."""
    conn.execute("DELETE FROM payer_mentions WHERE source_file IN (SELECT unnest(?::VARCHAR[]))",
                 [sources])
    conn.execute("""INSERT INTO payer_mentions
        SELECT DISTINCT source_file, NULL, '835', 'payer', coalesce(payer_name, ''),
               coalesce(payer_id_code, ''), ''
        FROM remit_payments WHERE source_file IN (SELECT unnest(?::VARCHAR[]))""", [sources])


def record_opening(conn: duckdb.DuckDBPyConnection, doc_id: str, source_file: str,
                   text: str) -> None:
    """Keep a document's opening (its first ~6,000 characters, title and file stem) for
    name matching at rebuild time; its chunks are new, so their payer is set again."""
    conn.execute("DELETE FROM doc_openings WHERE doc_id = ?", [doc_id])
    conn.execute("DELETE FROM payer_chunk_sync WHERE doc_id = ?", [doc_id])
    conn.execute("INSERT INTO doc_openings VALUES (?, ?, ?)",
                 [doc_id, source_file, text[: OPENING_CHARS + 2000]])


def has_opening(conn: duckdb.DuckDBPyConnection, doc_id: str) -> bool:
    """Whether a document's opening is recorded (documents ingested before the registry
    are not, until backfilled)."""
    return bool(conn.execute("SELECT count(*) FROM doc_openings WHERE doc_id = ?",
                             [doc_id]).fetchone()[0])  # type: ignore[index]


def forget(conn: duckdb.DuckDBPyConnection, *, source_file: str | None = None,
           doc_id: str | None = None) -> None:
    """Drop what a removed source said (its mentions, opening, link)."""
    for table, column, value in (("payer_mentions", "source_file", source_file),
                                 ("payer_mentions", "doc_id", doc_id),
                                 ("doc_openings", "doc_id", doc_id),
                                 ("doc_openings", "source_file", source_file),
                                 ("payer_links", "doc_id", doc_id),
                                 ("payer_chunk_sync", "doc_id", doc_id)):
        if value is not None:
            conn.execute(f"DELETE FROM {table} WHERE {column} = ?", [value])


def load_model(conn: duckdb.DuckDBPyConnection) -> payer_model.Model:
    """The registry decided from the stored inputs (reads only)."""
    mentions = [payer_model.Mention(*(str(v or "") for v in r)) for r in conn.execute(
        "SELECT source_file, doc_id, kind, role, name, ident, contract_ref "
        "FROM payer_mentions").fetchall()]
    opening_rows = conn.execute("SELECT doc_id, source_file, text FROM doc_openings").fetchall()
    openings = {str(d): str(t or "") for d, _, t in opening_rows}
    overrides = [payer_model.Override(str(r[0]), str(r[1]), r[2], tuple(r[3] or ()),
                                      str(r[4] or "")) for r in conn.execute(
        "SELECT payer_id, name, plan_type, aliases, source_file FROM payer_overrides")
        .fetchall()]
    edits = [payer_model.Edit(int(r[0]), str(r[1]), str(r[2]), str(r[3] or ""))
             for r in conn.execute("SELECT seq, op, key, value FROM payer_edits").fetchall()]
    model = payer_model.build(mentions, openings, overrides, edits)
    for d, src, _ in opening_rows:
        model.doc_sources.setdefault(str(d), str(src or ""))
    return model


def rebuild(conn: duckdb.DuckDBPyConnection) -> RegistryResult:
    """Rewrite ``payers`` and ``payer_links`` from the registry inputs and re-link every
    stored row, in one transaction; then say which documents' chunks need their payer."""
    conn.execute("BEGIN TRANSACTION")
    try:
        result = rebuild_in_transaction(conn)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return result


def rebuild_in_transaction(conn: duckdb.DuckDBPyConnection) -> RegistryResult:
    """``rebuild`` inside the caller's open transaction (a payers.csv load)."""
    from assistant.stores.warehouse import refresh_expected

    model = load_model(conn)
    names = {p.payer_id: p.name for p in model.payers}
    conn.execute("DELETE FROM payers")
    rows = [(p.payer_id, p.name, p.plan_type, p.aliases,
             p.override_file or (sorted(p.sources)[0] if p.sources else None))
            for p in model.payers]
    if rows:
        conn.executemany("INSERT INTO payers (payer_id, name, plan_type, aliases, "
                         "source_file) VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("DELETE FROM payer_links")
    links = [(d, model.doc_sources.get(d, ""), pid) for d, pid in model.links.items()]
    if links:
        conn.executemany("INSERT INTO payer_links VALUES (?, ?, ?)", links)
    relinked = _relink_docs(conn)
    relinked["remit_payments"] = _relink_remits(conn, model.remit)
    refresh_expected(conn)
    synced = {str(r[0]): (str(r[1] or ""), str(r[2] or "")) for r in conn.execute(
        "SELECT doc_id, payer_id, payer_name FROM payer_chunk_sync").fetchall()}
    result = {d: (pid or "", names.get(pid, "") if pid else "") for d, pid in model.links.items()}
    changed = sorted(d for d, v in result.items() if synced.get(d) != v)
    return RegistryResult(len(model.payers), result, changed, relinked)


def _relink_docs(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    cols: dict[str, dict[str, str]] = {}
    for table, column, nullable in conn.execute(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'main' AND column_name IN ('doc_id', 'payer_id')").fetchall():
        cols.setdefault(str(table), {})[str(column)] = str(nullable)
    out: dict[str, int] = {}
    for table in RELINK_TABLES:  # names from this constant only
        have = cols.get(table, {})
        if "doc_id" not in have or "payer_id" not in have:
            continue
        value = "l.payer_id" if have["payer_id"] == "YES" else "coalesce(l.payer_id, '')"
        got = conn.execute(
            f"UPDATE {table} SET payer_id = {value} FROM payer_links l "
            f"WHERE {table}.doc_id = l.doc_id AND {table}.payer_id IS DISTINCT FROM {value}"
        ).fetchone()
        out[table] = int(got[0]) if got else 0
    return out


def _relink_remits(conn: duckdb.DuckDBPyConnection,
                   remit: list[tuple[str, str, str | None]]) -> int:
    conn.execute("CREATE OR REPLACE TEMP TABLE remit_payer_map (payer_name VARCHAR, "
                 "payer_id_code VARCHAR, payer_id VARCHAR)")
    if remit:
        conn.executemany("INSERT INTO remit_payer_map VALUES (?, ?, ?)", remit)
    got = conn.execute("""UPDATE remit_payments SET payer_id = m.payer_id
        FROM remit_payer_map m
        WHERE coalesce(remit_payments.payer_name, '') = m.payer_name
          AND coalesce(remit_payments.payer_id_code, '') = m.payer_id_code
          AND remit_payments.payer_id IS DISTINCT FROM m.payer_id""").fetchone()
    conn.execute("""UPDATE remit_payments SET payer_id = NULL WHERE payer_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM remit_payer_map m
            WHERE coalesce(remit_payments.payer_name, '') = m.payer_name
              AND coalesce(remit_payments.payer_id_code, '') = m.payer_id_code)""")
    conn.execute("DROP TABLE remit_payer_map")
    return int(got[0]) if got else 0


def sync_chunks(conn: duckdb.DuckDBPyConnection, store: VectorStore | None,
                result: RegistryResult) -> int:
    """Set ``payer_id``/``payer_name`` on the chunks of every document whose link changed
    (metadata only, no re-embedding) and record that they carry it. Returns how many
    documents were updated."""
    if not result.changed:
        return 0
    for doc_id in result.changed:
        if store is not None:
            store.set_doc_payer(doc_id, *result.links[doc_id])
    return record_chunk_sync(conn, result)


def record_chunk_sync(conn: duckdb.DuckDBPyConnection, result: RegistryResult) -> int:
    """Record that the changed documents' chunks now carry their payer (after the chunk
    store was updated; a run killed in between is finished by the next one)."""
    if not result.changed:
        return 0
    rows = [(d, *result.links[d]) for d in result.changed]
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.executemany("DELETE FROM payer_chunk_sync WHERE doc_id = ?",
                         [(d,) for d in result.changed])
        conn.executemany("INSERT INTO payer_chunk_sync VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return len(rows)


def sync_configured_chunks(conn: duckdb.DuckDBPyConnection, settings: Settings,
                           result: RegistryResult) -> int:
    """``sync_chunks`` with the configured vector store, opened only when a document's
    link changed (``parley load``, ``parley payers``)."""
    if not result.changed:
        return 0
    from assistant.stores.vectors import create_vector_store

    # Metadata only: no vector is read or written, so the store's embedding backend is not
    # checked (a store of another backend still gets its payer links).
    return sync_chunks(conn, create_vector_store(settings, check_backend=False), result)
