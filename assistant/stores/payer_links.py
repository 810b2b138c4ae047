"""Which payer each document belongs to (pure; used by ``payer_model.build``).

A document links to its counterparty's payer; else, for an amendment or exhibit, to the
payer of the agreement whose number it carries (a base contract wins over other documents
with that number); else to the payer whose spelling or core name appears earliest in its
opening (first 6,000 characters, title, file name), longest first at the same place.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from assistant.stores import payer_names as pn

if TYPE_CHECKING:
    from assistant.stores.payer_model import Mention, Payer

CONTRACT_KINDS = ("contract", "amendment", "exhibit")


class _Matcher:
    """Finds the payer named earliest in a text: every distinctive key and core of every
    payer's spellings, a core's distinctive lead word ("Tamarack"), and the initials of its
    names written in capitals ("TMIC"), looked up by first words at each word of the text
    (longest key first at the same word), so a text costs one pass whatever the number of
    payers. A key two payers share names neither."""

    def __init__(self, payers: list[Payer]) -> None:
        owners: dict[tuple[str, bool], set[str]] = defaultdict(set)
        for p in payers:
            for s in p.spellings:
                full, core = pn.full_key(s), pn.core_key(s)
                for key in (full, core):
                    if pn.matchable(key):
                        owners[(key, False)].add(p.payer_id)
                if pn.lead_word(core):
                    owners[(pn.lead_word(core), False)].add(p.payer_id)
                for initials in pn.acronyms(full):
                    owners[(initials, True)].add(p.payer_id)
        self.index: dict[tuple[str, ...], list[tuple[tuple[str, ...], bool, str]]] = (
            defaultdict(list))
        for (key, caps), ids in sorted(owners.items()):
            if len(ids) == 1:
                words = tuple(key.split())
                self.index[words[:2]].append((words, caps, next(iter(ids))))
        for entries in self.index.values():
            entries.sort(key=lambda e: (-len(e[0]), e[0], e[1]))

    def find(self, text: str) -> str | None:
        """The payer whose key starts earliest in ``text`` (the longest key there)."""
        cased = pn.tokens_cased(text)
        words = [w for w, _ in cased]
        for i in range(len(words)):
            for head in (tuple(words[i:i + 2]), (words[i],)):
                for key, caps, payer_id in self.index.get(head, ()):
                    if tuple(words[i:i + len(key)]) == key and (not caps or cased[i][1]):
                        return payer_id
        return None


def link_documents(mentions: list[Mention], openings: dict[str, str], payers: list[Payer],
                   key_to_payer: dict[str, str]
                   ) -> tuple[dict[str, str | None], dict[str, str], dict[str, str]]:
    """(doc_id → payer_id or None, doc_id → why linked, doc_id → source file)."""
    docs: dict[str, Mention] = {}
    for m in mentions:
        if m.doc_id and m.role == "counterparty":
            docs.setdefault(m.doc_id, m)
    sources = {d: m.source_file for d, m in docs.items()}
    links: dict[str, str | None] = {d: None for d in sorted(set(docs) | set(openings))}
    reason: dict[str, str] = {}
    for d, m in docs.items():
        pid = key_to_payer.get(pn.full_key(m.name)) if m.name.strip() else None
        if pid:
            links[d], reason[d] = pid, "counterparty"
    by_ref: dict[str, set[tuple[bool, str]]] = defaultdict(set)
    for d, m in docs.items():
        ref = pn.contract_ref_key(m.contract_ref)
        if ref and links[d]:
            by_ref[ref].add((m.kind != "contract", links[d] or ""))
    for d, m in sorted(docs.items()):
        ref = pn.contract_ref_key(m.contract_ref)
        if links[d] or m.kind not in CONTRACT_KINDS or not by_ref.get(ref):
            continue
        best = min(c for c, _ in by_ref[ref])
        ids = {pid for c, pid in by_ref[ref] if c == best}
        if len(ids) == 1:
            links[d], reason[d] = ids.pop(), "base agreement"
    matcher = _Matcher(payers)
    for d in links:
        if links[d] or d not in openings:
            continue
        found = matcher.find(openings[d])
        if found:
            links[d], reason[d] = found, "text"
    return links, reason, sources
