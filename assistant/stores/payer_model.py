"""The payer registry as a pure function: (mentions, openings, overrides, edits) → payers,
document links and the 835 payer map. No database here (``registry.py`` stores and applies
it), and nothing depends on the order rows arrived in: every input is sorted first.

Rules (docs/ARCHITECTURE.md, "Payer registry"):

* payers are *created* by contract/amendment/exhibit counterparties, 835 payers (N1*PR name
  and identifier, REF*2U) and ``payers.csv`` overrides; notes and e-mails only *link*;
* spellings merge when their full keys, core keys (generic trailing words dropped) or
  spaceless cores are equal, when they share an 835 payer identifier, when they are one
  typo apart (long words only), when a vague name ("Cedar Ridge") begins exactly one other
  payer's name, or when a longer name begins with a spelling of exactly one payers.csv
  payer; two overrides never merge automatically;
* an override's id and name win; otherwise the id derives from the core of the chosen name;
* a document links to its counterparty's payer, else (amendment, exhibit) to the payer of
  the agreement whose number it carries, else to the payer named earliest in its opening;
* person edits (merge, rename, alias; keyed by normalised names) apply last, in order.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.stores import payer_names as pn
from assistant.stores.payer_links import CONTRACT_KINDS, link_documents

CREATOR_KINDS = (*CONTRACT_KINDS, "835")


@dataclass(frozen=True)
class Mention:
    """One stored ``payer_mentions`` row."""

    source_file: str
    doc_id: str
    kind: str
    role: str
    name: str
    ident: str
    contract_ref: str


@dataclass(frozen=True)
class Override:
    """One ``payer_overrides`` row (from a payers.csv)."""

    payer_id: str
    name: str
    plan_type: str | None
    aliases: tuple[str, ...]
    source_file: str


@dataclass(frozen=True)
class Edit:
    """One person's edit: op merge (key → value key), rename (key → new name), alias."""

    seq: int
    op: str
    key: str
    value: str


@dataclass
class Payer:
    """A payer of the registry."""

    payer_id: str
    name: str
    plan_type: str | None = None
    spellings: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    override_file: str = ""

    @property
    def aliases(self) -> list[str]:
        """Every spelling seen except the name itself."""
        return sorted(s for s in self.spellings if s != self.name)


@dataclass
class Model:
    """What ``build`` decides."""

    payers: list[Payer]
    key_to_payer: dict[str, str]
    links: dict[str, str | None]  # doc_id → payer_id
    link_reason: dict[str, str]  # doc_id → counterparty | base agreement | text
    doc_sources: dict[str, str]
    remit: list[tuple[str, str, str | None]]  # (payer_name, payer_id_code, payer_id)


class _Groups:
    """Union-find over name keys; a group owns at most one override id."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.owner: dict[str, str] = {}

    def add(self, key: str, owner: str = "") -> None:
        if key not in self.parent:
            self.parent[key], self.owner[key] = key, owner

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        oa, ob = self.owner[ra], self.owner[rb]
        if oa and ob and oa != ob:
            return  # two payers.csv payers are never merged automatically
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.owner[ra] = oa or ob

    def roots(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.parent):
            out[self.find(key)].append(key)
        return out


def node_key(name: str, ident: str) -> str:
    """The registry key of a spelling: its full key, or the 835 identifier when nameless."""
    return pn.full_key(name) or (f"#{ident.strip().upper()}" if ident.strip() else "")


def _merge_by(groups: _Groups, keys: list[str], by: Callable[[str], str]) -> None:
    buckets: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        value = by(key)
        if value:
            buckets[value].append(key)
    for members in buckets.values():
        for other in members[1:]:
            groups.union(members[0], other)


# normalised name key -> "spellings" / "sources" / "kinds" / "idents" -> the values seen
_Info = dict[str, dict[str, set[str]]]


def _cluster(mentions: list[Mention], overrides: list[Override]) -> tuple[_Groups, _Info]:
    groups = _Groups()
    info: _Info = defaultdict(lambda: defaultdict(set))
    for o in overrides:
        for name in (o.name, *o.aliases):
            key = pn.full_key(name)
            if not key:
                continue
            groups.add(key, o.payer_id)
            info[key]["spellings"].add(" ".join(name.split()))
            info[key]["sources"].add(o.source_file)
    for m in mentions:
        key = node_key(m.name, m.ident)
        if m.kind not in CREATOR_KINDS or m.role not in ("counterparty", "payer") or not key:
            continue
        groups.add(key)
        if m.name.strip():
            info[key]["spellings"].add(" ".join(m.name.split()))
        info[key]["sources"].add(m.source_file)
        info[key]["kinds"].add(m.kind)
        if m.ident.strip():
            info[key]["idents"].add(m.ident.strip().upper())
    for o in overrides:
        keys = [k for k in (pn.full_key(n) for n in (o.name, *o.aliases)) if k]
        for key in keys[1:]:
            groups.union(keys[0], key)
    names = [k for k in sorted(groups.parent) if not k.startswith("#")]
    _merge_by(groups, names, pn.core_key)
    _merge_by(groups, names, lambda k: pn.compact(pn.core_key(k)))
    by_ident: dict[str, list[str]] = defaultdict(list)
    for key in sorted(info):
        for ident in info[key]["idents"]:
            by_ident[ident].append(key)
    for members in by_ident.values():
        for other in members[1:]:
            groups.union(members[0], other)
    cores = sorted({pn.core_key(k) for k in names if not pn.is_placeholder(k)})
    core_home = {pn.core_key(k): k for k in reversed(names)}
    for i, a in enumerate(cores):
        for b in cores[i + 1:]:
            if pn.one_typo_apart(a, b):
                groups.union(core_home[a], core_home[b])
    _prefix_merges(groups)
    _initials_merges(groups)
    return groups, info


_STATES = {
    "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
    "colorado": "co", "connecticut": "ct", "delaware": "de", "florida": "fl", "georgia": "ga",
    "hawaii": "hi", "idaho": "id", "illinois": "il", "indiana": "in", "iowa": "ia",
    "kansas": "ks", "kentucky": "ky", "louisiana": "la", "maine": "me", "maryland": "md",
    "massachusetts": "ma", "michigan": "mi", "minnesota": "mn", "mississippi": "ms",
    "missouri": "mo", "montana": "mt", "nebraska": "ne", "nevada": "nv",
    "new hampshire": "nh", "new jersey": "nj", "new mexico": "nm", "new york": "ny",
    "north carolina": "nc", "north dakota": "nd", "ohio": "oh", "oklahoma": "ok",
    "oregon": "or", "pennsylvania": "pa", "rhode island": "ri", "south carolina": "sc",
    "south dakota": "sd", "tennessee": "tn", "texas": "tx", "utah": "ut", "vermont": "vt",
    "virginia": "va", "washington": "wa", "west virginia": "wv", "wisconsin": "wi",
    "wyoming": "wy",
}
_STATE_RE = re.compile(r"\b(" + "|".join(sorted(_STATES, key=len, reverse=True)) + r")\b")


def _initials_merges(groups: _Groups) -> None:
    """A remittance's abbreviation joins the one payer whose name it abbreviates: "BCBS NC"
    is "Blue Cross and Blue Shield of North Carolina" (initials of the name's words; the
    abbreviation's words are all short and its letters number 4 or more)."""
    roots = groups.roots()
    initials: dict[str, set[str]] = defaultdict(set)
    for root, members in roots.items():
        for key in members:
            words = key.split()
            if not key.startswith("#") and len(words) >= 3:
                initials["".join(w[0] for w in words)].add(root)
                # a state is abbreviated by its postal code ("BCBS TX", "BCBS NC")
                with_state = _STATE_RE.sub(lambda m: "=" + _STATES[m.group(0)], key).split()
                initials["".join(w[1:] if w.startswith("=") else w[0]
                                 for w in with_state)].add(root)
    pairs = []
    for root, members in roots.items():
        for key in members:
            words = key.split()
            letters = "".join(words)
            if (key.startswith("#") or len(letters) < 4 or len(words) > 3
                    or any(len(w) > 4 for w in words)):
                continue
            homes = initials.get(letters, set()) - {root}
            if len(homes) == 1 and root not in initials.get(letters, set()):
                pairs.append((root, homes.pop()))
    for a, b in sorted(pairs):
        groups.union(a, b)


def _prefix_merges(groups: _Groups) -> None:
    """Names that begin one another, when only one payer fits:

    * a vague name ("Cedar Ridge") joins the one payer whose name it begins;
    * a longer legal name ("Riverbend Community Care Organization", "Northwind Senior
      Health Plans, Inc.") joins the one payers.csv payer one of whose spellings begins it
      (the practice's own aliases say what its short names mean).
    """
    roots = groups.roots()
    cores = {r: {pn.core_key(k) for k in members if not k.startswith("#")}
             for r, members in roots.items()}
    pairs = []
    for root, own in cores.items():
        if groups.owner[root] or not own:
            continue
        if all(pn.prefix_strong(c) for c in own):
            targets = {r for r, theirs in cores.items() if r != root
                       and any(pn.is_prefix(s, c) for s in own for c in theirs)}
            if len(targets) == 1:
                pairs.append((root, targets.pop()))
                continue
        owners = {r for r, theirs in cores.items() if r != root and groups.owner[r]
                  and any(pn.prefix_strong(s) and pn.is_prefix(s, c)
                          for s in theirs for c in own)}
        if len(owners) == 1:
            pairs.append((root, owners.pop()))
    for a, b in sorted(pairs):
        groups.union(a, b)


def _rank(spelling: str, info: _Info) -> tuple[bool, bool, int, int, str]:
    key = pn.full_key(spelling)
    kinds = info[key]["kinds"] if key in info else set()
    letters = [c for c in spelling if c.isalpha()]
    all_caps = bool(letters) and not any(c.islower() for c in letters)
    contractish = bool(kinds & set(CONTRACT_KINDS))
    return (not contractish, all_caps, -len(info[key]["sources"]) if key in info else 0,
            -len(spelling), spelling)


def _payers(groups: _Groups, info: _Info, overrides: list[Override]) -> list[Payer]:
    by_id = {o.payer_id: o for o in overrides}
    out: list[Payer] = []
    for root, members in sorted(groups.roots().items()):
        spellings = {s for k in members for s in info[k]["spellings"]}
        sources = {s for k in members for s in info[k]["sources"]}
        owner = groups.owner[root]
        if owner:
            o = by_id[owner]
            p = Payer(owner, " ".join(o.name.split()), o.plan_type, override_file=o.source_file)
        else:
            pick = sorted(spellings, key=lambda s: _rank(s, info))
            name = pn.display_name(pick[0]) if pick else members[0].lstrip("#")
            p = Payer(pn.auto_payer_id(name), name)
        p.spellings, p.sources, p.keys = spellings | {p.name}, sources, set(members)
        out.append(p)
    used = {p.payer_id for p in out if p.override_file}
    for p in sorted((p for p in out if not p.override_file), key=lambda p: sorted(p.keys)[0]):
        if p.payer_id in used:  # two different payers whose cores slug alike
            digest = hashlib.sha256(sorted(p.keys)[0].encode()).hexdigest()[:4].upper()
            p.payer_id = f"{p.payer_id}-{digest}"
        used.add(p.payer_id)
    return out


def _apply_edits(payers: list[Payer], edits: list[Edit]) -> list[Payer]:
    def owner_of(key: str) -> Payer | None:
        return next((p for p in payers if key in p.keys
                     or key in {pn.full_key(s) for s in p.spellings}), None)

    def absorb(into: Payer, gone: Payer) -> None:
        into.spellings |= gone.spellings
        into.sources |= gone.sources
        into.keys |= gone.keys
        into.plan_type = into.plan_type or gone.plan_type
        payers.remove(gone)

    for e in sorted(edits, key=lambda e: e.seq):
        target = owner_of(e.key)
        if target is None:
            continue  # the payer this edit named is gone with its files; the edit waits
        if e.op == "merge":
            into = owner_of(e.value)
            if into is not None and into is not target:
                absorb(into, target)
        elif e.op in ("rename", "alias"):
            other = owner_of(pn.full_key(e.value))
            if other is not None and other is not target:
                absorb(target, other)
            if e.op == "rename":
                target.name = " ".join(e.value.split())
            target.spellings.add(" ".join(e.value.split()))
            target.keys.add(pn.full_key(e.value))
    return payers


def build(mentions: list[Mention], openings: dict[str, str], overrides: list[Override],
          edits: list[Edit]) -> Model:
    """The registry for these inputs (sorted first: arrival order never matters)."""
    mentions = sorted(set(mentions), key=lambda m: tuple(str(v) for v in vars(m).values()))
    first: dict[str, Override] = {}
    for o in sorted(overrides, key=lambda o: (o.payer_id, o.source_file, o.name)):
        first.setdefault(o.payer_id, o)
    overrides = list(first.values())
    groups, info = _cluster(mentions, overrides)
    payers = _apply_edits(_payers(groups, info, overrides), edits)
    key_to_payer = {k: p.payer_id for p in payers for k in sorted(p.keys)}
    for p in payers:
        for s in sorted(p.spellings):
            key_to_payer.setdefault(pn.full_key(s), p.payer_id)
    links, reason, sources = link_documents(mentions, openings, payers, key_to_payer)
    remit = sorted({(m.name, m.ident, key_to_payer.get(node_key(m.name, m.ident)))
                    for m in mentions if m.kind == "835"}, key=lambda r: (r[0], r[1]))
    return Model(sorted(payers, key=lambda p: p.payer_id), key_to_payer, links, reason,
                 sources, remit)
