"""People's corrections to the payer registry, and the listing they review.

``merge``, ``rename`` and ``alias`` append to ``payer_edits`` (keyed by normalised names,
so they survive every later rebuild, whatever files arrive) and rebuild at once: terms,
remittances and derived claim lines follow in the same call; the caller passes the result
to ``registry.sync_chunks`` for the chunks' metadata.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from assistant.errors import InputError
from assistant.stores import payer_names
from assistant.stores.registry import RegistryResult, load_model, rebuild


@dataclass
class EditOutcome:
    """What an edit changed, in words, and the rebuild it caused."""

    message: str
    result: RegistryResult
    payer_id: str


@dataclass
class PayerListing:
    """One payer as ``parley payers`` shows it."""

    payer_id: str
    name: str
    plan_type: str | None
    aliases: list[str]
    from_csv: str
    files: list[str] = field(default_factory=list)  # contracts, notes, payers.csv
    remittance_files: list[str] = field(default_factory=list)
    linked_by: dict[str, str] = field(default_factory=dict)  # file → why it is linked


def resolve(conn: duckdb.DuckDBPyConnection, text: str) -> tuple[str, str]:
    """(payer_id, name) of the payer meant by an id, name or alias, exactly (an edit
    re-links stored data, so a typo is never guessed), else UnknownEntityError naming
    the closest payers."""
    from assistant.analytics.vocabulary import PayerInfo, Vocabulary

    rows = conn.execute("SELECT payer_id, name, plan_type, aliases FROM payers "
                        "ORDER BY payer_id").fetchall()
    vocab = Vocabulary(payers=[PayerInfo(r[0], r[1], r[2], tuple(a for a in (r[3] or []) if a))
                               for r in rows])
    pid = vocab.resolve_payer(text, fuzzy=False)
    return pid, vocab.payer_name(pid)


def _record(conn: duckdb.DuckDBPyConnection, op: str, key: str, value: str, by: str) -> None:
    seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM payer_edits").fetchone()[0]  # type: ignore[index]
    conn.execute('INSERT INTO payer_edits (seq, op, key, value, "by", "at") VALUES '
                 "(?, ?, ?, ?, ?, ?)",
                 [seq, op, key, value, by, dt.datetime.now(dt.UTC).replace(tzinfo=None)])


def _clean(text: str, what: str) -> str:
    value = " ".join(text.split())
    if not payer_names.full_key(value):
        raise InputError(f"The {what} must contain letters or digits, not '{text}'.")
    if len(value) > 200:
        raise InputError(f"The {what} is too long (at most 200 characters).")
    return value


def merge(conn: duckdb.DuckDBPyConnection, a: str, b: str, by: str) -> EditOutcome:
    """Merge payer ``a`` into payer ``b``: b keeps its id and name, a's spellings become
    b's aliases, and everything linked to a is linked to b."""
    a_id, a_name = resolve(conn, a)
    b_id, b_name = resolve(conn, b)
    if a_id == b_id:
        raise InputError(f"'{a}' and '{b}' are already the same payer ({b_name}, {b_id}).")
    _record(conn, "merge", payer_names.full_key(a_name), payer_names.full_key(b_name), by)
    result = rebuild(conn)
    return EditOutcome(f"Merged {a_name} ({a_id}) into {b_name} ({b_id}).", result, b_id)


def rename(conn: duckdb.DuckDBPyConnection, payer: str, new_name: str, by: str) -> EditOutcome:
    """Show a payer under a new name (its id stays; the old name stays an alias)."""
    pid, old = resolve(conn, payer)
    name = _clean(new_name, "new name")
    _record(conn, "rename", payer_names.full_key(old), name, by)
    result = rebuild(conn)
    return EditOutcome(f"Renamed {old} ({pid}) to {name}.", result, pid)


def alias(conn: duckdb.DuckDBPyConnection, payer: str, alias_name: str, by: str) -> EditOutcome:
    """Add a spelling of a payer: documents naming it link to the payer (a payer that
    has this spelling already is merged in)."""
    pid, name = resolve(conn, payer)
    value = _clean(alias_name, "alias")
    _record(conn, "alias", payer_names.full_key(name), value, by)
    result = rebuild(conn)
    return EditOutcome(f"Added alias '{value}' to {name} ({pid}).", result, pid)


def listing(conn: duckdb.DuckDBPyConnection) -> list[PayerListing]:
    """Every payer with its aliases and the files behind it (what created it, what links
    to it and why)."""
    model = load_model(conn)
    kinds = dict(conn.execute("SELECT source_file, any_value(kind) FROM payer_mentions "
                              "GROUP BY 1").fetchall())
    out: list[PayerListing] = []
    for p in model.payers:
        item = PayerListing(p.payer_id, p.name, p.plan_type, p.aliases, p.override_file)
        files = Counter[str]()
        for src in p.sources:
            if kinds.get(src) == "835":
                item.remittance_files.append(src)
            else:
                files[src] += 1
                item.linked_by[src] = "payers.csv" if src == p.override_file else "named as party"
        for doc_id, pid in model.links.items():
            doc_src = model.doc_sources.get(doc_id, "")
            if pid == p.payer_id and doc_src:
                files[doc_src] += 1
                item.linked_by.setdefault(doc_src, model.link_reason.get(doc_id, ""))
        item.files = sorted(files)
        item.remittance_files.sort()
        out.append(item)
    return out
