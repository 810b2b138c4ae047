"""The payer registry on a real DuckDB warehouse: merging spellings, no false merges, links,
overrides, person edits, re-linking of stored rows, and order independence."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from assistant.errors import InputError, UnknownEntityError
from assistant.settings import Settings
from assistant.stores import payer_model, registry_edits
from assistant.stores.payer_names import core_key, full_key
from assistant.stores.registry import (
    PayerMention,
    ensure_registry_schema,
    forget,
    load_model,
    rebuild,
    record_mentions,
    record_opening,
)
from assistant.stores.warehouse import open_memory_warehouse
from ingest.loaders import load_file


def contract(conn, doc: str, name: str, ref: str = "", kind: str = "contract",
             opening: str = "") -> None:
    record_mentions(conn, source_file=f"/src/{doc}.pdf", kind=kind, doc_id=doc,
                    mentions=[PayerMention("counterparty", name, contract_ref=ref)])
    record_opening(conn, doc, f"/src/{doc}.pdf", opening or f"Agreement between {name}")


def note(conn, doc: str, text: str, kind: str = "note") -> None:
    record_mentions(conn, source_file=f"/src/{doc}.md", kind=kind, doc_id=doc,
                    mentions=[PayerMention("counterparty", "")])
    record_opening(conn, doc, f"/src/{doc}.md", text)


def remit(conn, source: str, name: str, ident: str = "") -> None:
    record_mentions(conn, source_file=source, kind="835",
                    mentions=[PayerMention("payer", name, ident)])


def payers(conn) -> dict[str, tuple[str, list[str]]]:
    return {r[0]: (r[1], sorted(r[2] or [])) for r in conn.execute(
        "SELECT payer_id, name, aliases FROM payers").fetchall()}


def test_names_differing_only_in_form_share_keys() -> None:
    assert core_key("Cedar Ridge Health Plan, Inc.") == core_key("CEDAR RIDGE HEALTH PLAN") \
        == core_key("Cedar Ridge") == "cedar ridge"
    assert full_key("Blue Cross and Blue Shield of Texas") == full_key(
        "BLUE CROSS BLUE SHIELD OF TEXAS")
    assert core_key("Blue Cross Blue Shield of Texas") != core_key(
        "Blue Cross Blue Shield of Illinois")
    # A common word alone is never a payer's core.
    assert core_key("United Healthcare Insurance Company") == "united healthcare"


def test_spelling_variants_merge_into_one_payer_with_aliases() -> None:
    conn = open_memory_warehouse()
    contract(conn, "d1", "Cedar Ridge Health Plan, Inc.", "CR-100")
    remit(conn, "cr_0301.835", "CEDAR RIDGE HEALTH PLAN", "CR01")
    contract(conn, "d2", "Cedar Ridge", kind="exhibit")
    result = rebuild(conn)
    got = payers(conn)
    assert list(got) == ["CEDAR-RIDGE"], got
    name, aliases = got["CEDAR-RIDGE"]
    assert name == "Cedar Ridge Health Plan, Inc."
    assert aliases == ["CEDAR RIDGE HEALTH PLAN", "Cedar Ridge"]
    assert result.links == {"d1": ("CEDAR-RIDGE", name), "d2": ("CEDAR-RIDGE", name)}


def test_no_false_merge_across_states_or_short_common_words() -> None:
    conn = open_memory_warehouse()
    contract(conn, "tx", "Blue Cross and Blue Shield of Texas, Inc.")
    contract(conn, "il", "Blue Cross Blue Shield of Illinois")
    remit(conn, "il.835", "BLUE CROSS BLUE SHIELD OF ILLINOIS")
    contract(conn, "vague", "Blue Cross Blue Shield")  # fits both states: joins neither
    contract(conn, "u1", "United Healthcare Insurance Company")
    contract(conn, "u2", "United American Insurance Company")
    contract(conn, "ia", "Cedar Ridge Health Plan of Iowa")
    contract(conn, "ne", "Cedar Ridge Health Plan of Nebraska")
    rebuild(conn)
    names = sorted(n for n, _ in payers(conn).values())
    assert names == ["Blue Cross Blue Shield", "Blue Cross Blue Shield of Illinois",
                     "Blue Cross and Blue Shield of Texas, Inc.",
                     "Cedar Ridge Health Plan of Iowa", "Cedar Ridge Health Plan of Nebraska",
                     "United American Insurance Company", "United Healthcare Insurance Company"]
    links = dict(conn.execute("SELECT doc_id, payer_id FROM payer_links").fetchall())
    assert len({links["tx"], links["il"], links["vague"]}) == 3


def test_same_835_identifier_is_the_same_payer() -> None:
    conn = open_memory_warehouse()
    remit(conn, "a.835", "UNITED HEALTHCARE INSURANCE COMPANY", "87726")
    remit(conn, "b.835", "ACME, INC. A WHOLLY OWNED SUBSIDIARY OF UNITED HEALTHCARE", "87726")
    remit(conn, "c.835", "UnitedHealthcare")
    rebuild(conn)
    got = payers(conn)
    assert len(got) == 1, got
    assert "ACME, INC. A WHOLLY OWNED SUBSIDIARY OF UNITED HEALTHCARE" in next(
        iter(got.values()))[1]


def test_amendment_takes_its_base_agreement_payer_and_notes_only_link() -> None:
    conn = open_memory_warehouse()
    contract(conn, "base", "Keystone Health Plan, Inc.", "KHP-2023-01")
    contract(conn, "amend", "", "khp 2023 01", kind="amendment",
             opening="AMENDMENT NO. 1 to Agreement No. KHP-2023-01 between the parties")
    note(conn, "n1", "Call notes: Keystone says the MRI denials are a coding issue.")
    note(conn, "n2", "Lunch with Acme Dental Plan about nothing in particular.")
    note(conn, "mail", "Subject: Evergreen renewal", kind="email")
    result = rebuild(conn)
    assert list(payers(conn)) == ["KEYSTONE"]  # notes never create payers
    assert result.links["amend"][0] == "KEYSTONE" and result.links["n1"][0] == "KEYSTONE"
    assert result.links["n2"] == ("", "") and result.links["mail"] == ("", "")
    reasons = load_model(conn).link_reason
    assert reasons == {"base": "counterparty", "amend": "base agreement", "n1": "text"}


def test_override_wins_and_a_later_payers_csv_relinks_terms_and_remits(tmp_path: Path) -> None:
    conn = open_memory_warehouse()
    contract(conn, "d1", "Northwind Health Plan, Inc.", "NW-1")
    conn.execute("INSERT INTO contract_terms (contract_id, payer_id, doc_id, term, value_num) "
                 "VALUES ('NW-1', NULL, 'd1', 'timely_filing_days', 90)")
    conn.execute("INSERT INTO remit_payments (payment_id, source_file, payer_name, "
                 "payer_id_code) VALUES ('p1', 'nw.835', 'NORTHWIND HEALTH PLAN', '')")
    remit(conn, "nw.835", "NORTHWIND HEALTH PLAN")
    rebuild(conn)
    assert conn.execute("SELECT payer_id FROM contract_terms").fetchone() == ("NORTHWIND",)
    assert conn.execute("SELECT payer_id FROM remit_payments").fetchone() == ("NORTHWIND",)
    csv = tmp_path / "payers.csv"
    csv.write_text("payer_id,name,plan_type,aliases\nNWH,Northwind,HMO,NW Health|Northwind HP\n")
    # The payers.csv load rebuilds the registry in its own transaction.
    assert load_file(csv, conn, Settings(patient_hash_key="k")).table == "payer_overrides"
    assert payers(conn) == {"NWH": ("Northwind", [
        "NORTHWIND HEALTH PLAN", "NW Health", "Northwind HP", "Northwind Health Plan, Inc."])}
    assert conn.execute("SELECT payer_id FROM contract_terms").fetchone() == ("NWH",)
    assert conn.execute("SELECT payer_id FROM remit_payments").fetchone() == ("NWH",)
    result = rebuild(conn)  # nothing left to relink; the chunks still need their payer
    assert result.links["d1"] == ("NWH", "Northwind") and result.relinked_rows[
        "contract_terms"] == 0 and result.changed == ["d1"]


def test_two_overrides_never_merge_automatically(tmp_path: Path) -> None:
    conn = open_memory_warehouse()
    csv = tmp_path / "payers.csv"
    csv.write_text("payer_id,name,plan_type,aliases\nA1,Acme Health,,Acme\nA2,Acme Health Plan,,\n")
    load_file(csv, conn, Settings(patient_hash_key="k"))
    remit(conn, "x.835", "ACME HEALTH")
    rebuild(conn)
    assert sorted(payers(conn)) == ["A1", "A2"]


def test_person_edits_survive_rebuilds_and_relink(tmp_path: Path) -> None:
    conn = open_memory_warehouse()
    contract(conn, "nw", "Northwind Senior Health Plans, Inc.")
    remit(conn, "nw.835", "NORTHWIND MEDICARE ADVANTAGE")
    conn.execute("INSERT INTO contract_terms (contract_id, doc_id, term, value_num) VALUES "
                 "('c', 'nw', 'timely_filing_days', 90)")
    rebuild(conn)
    assert sorted(payers(conn)) == ["NORTHWIND-MA", "NORTHWIND-SENIOR"]
    out = registry_edits.merge(conn, "northwind senior", "NORTHWIND-MA", by="ann")
    assert out.payer_id == "NORTHWIND-MA" and "Merged" in out.message
    assert conn.execute("SELECT payer_id FROM contract_terms").fetchone() == ("NORTHWIND-MA",)
    assert out.result.links["nw"][0] == "NORTHWIND-MA"
    registry_edits.rename(conn, "NORTHWIND-MA", "Northwind MA", by="ann")
    registry_edits.alias(conn, "Northwind MA", "NWMA", by="bob")
    # New files arrive and the registry is rebuilt: the edits still hold.
    contract(conn, "other", "Evergreen Select Health Company")
    rebuild(conn)
    got = payers(conn)
    assert got["NORTHWIND-MA"][0] == "Northwind MA"
    assert {"NWMA", "Northwind Senior Health Plans, Inc."} <= set(got["NORTHWIND-MA"][1])
    assert conn.execute('SELECT op, "by" FROM payer_edits ORDER BY seq').fetchall() == [
        ("merge", "ann"), ("rename", "ann"), ("alias", "bob")]
    with pytest.raises(UnknownEntityError) as err:
        registry_edits.rename(conn, "Northwnd Seniior Heath", "x", by="ann")
    assert "Unknown payer" in err.value.user_message
    with pytest.raises(UnknownEntityError) as err:
        registry_edits.merge(conn, "Zebra Mutual", "Evergreen", by="ann")
    assert err.value.suggestions
    with pytest.raises(InputError):
        registry_edits.merge(conn, "NWMA", "Northwind MA", by="ann")


def test_forget_removes_a_pruned_document() -> None:
    conn = open_memory_warehouse()
    contract(conn, "d1", "Cedar Ridge Health Plan")
    rebuild(conn)
    forget(conn, source_file="/src/d1.pdf", doc_id="d1")
    assert rebuild(conn).payers == 0 and payers(conn) == {}


def test_a_warehouse_from_before_the_registry_keeps_its_payers() -> None:
    conn = open_memory_warehouse()
    for table in ("payer_mentions", "doc_openings", "payer_overrides", "payer_edits",
                  "payer_links", "payer_chunk_sync"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("INSERT INTO payers VALUES ('BSH', 'Blue Summit Health', 'PPO', "
                 "['Blue Summit'], 'payers.csv')")
    conn.execute("INSERT INTO remit_payments (payment_id, source_file, payer_name) VALUES "
                 "('p', 'b.835', 'BLUE SUMMIT HEALTH')")
    ensure_registry_schema(conn)
    rebuild(conn)
    assert payers(conn) == {"BSH": ("Blue Summit Health", ["BLUE SUMMIT HEALTH", "Blue Summit"])}
    assert conn.execute("SELECT payer_id FROM remit_payments").fetchone() == ("BSH",)


def _inputs() -> tuple[list, dict, list, list]:
    m = payer_model.Mention
    mentions = [
        m("/s/c1.pdf", "c1", "contract", "counterparty", "Cedar Ridge Health Plan, Inc.", "", "CR-1"),
        m("/s/a1.pdf", "a1", "amendment", "counterparty", "", "", "CR-1"),
        m("/s/c2.pdf", "c2", "contract", "counterparty", "Blue Cross Blue Shield of Texas", "", ""),
        m("/s/c3.pdf", "c3", "contract", "counterparty", "Blue Cross Blue Shield of Illinois", "",
          ""),
        m("/s/n1.md", "n1", "note", "counterparty", "", "", ""),
        m("r1.835", "", "835", "payer", "CEDAR RIDGE HEALTH PLAN", "CR01", ""),
        m("r2.835", "", "835", "payer", "CR HEALTH PLAN", "CR01", ""),
        m("r3.835", "", "835", "payer", "BCBS TEXAS", "TX9", ""),
        m("r4.835", "", "835", "payer", "Harborline Workers Compensation Network", "", ""),
        m("/s/c4.pdf", "c4", "contract", "counterparty", "Harborline Comp Network Services, LLC",
          "", ""),
    ]
    openings = {"n1": "Met Cedar Ridge and BCBS Texas about rates", "a1": "Amendment to CR-1",
                "c1": "", "c2": "", "c3": "", "c4": ""}
    overrides = [payer_model.Override("HWC", "Harborline Workers' Compensation Network", None,
                                      ("Harborline", "Harborline Comp"), "payers.csv")]
    edits = [payer_model.Edit(1, "merge", full_key("BCBS TEXAS"),
                              full_key("Blue Cross Blue Shield of Texas"))]
    return mentions, openings, overrides, edits


def _snapshot(model: payer_model.Model) -> tuple:
    return ([(p.payer_id, p.name, p.plan_type, tuple(p.aliases), tuple(sorted(p.sources)))
             for p in model.payers], sorted(model.links.items()), model.remit)


def test_order_never_matters_for_the_model() -> None:
    mentions, openings, overrides, edits = _inputs()
    first = _snapshot(payer_model.build(mentions, openings, overrides, edits))
    assert [p[0] for p in first[0]] == ["BLUE-CBSI", "BLUE-CBST", "CEDAR-RIDGE", "HWC"]
    assert dict(first[1])["n1"] == "CEDAR-RIDGE" and dict(first[1])["a1"] == "CEDAR-RIDGE"
    rng = random.Random(14)
    for _ in range(30):
        shuffled = mentions[:]
        rng.shuffle(shuffled)
        opened = dict(rng.sample(sorted(openings.items()), len(openings)))
        assert _snapshot(payer_model.build(shuffled, opened, overrides[::-1], edits)) == first


def test_rebuild_is_the_same_whatever_order_sources_were_recorded_in() -> None:
    states = []
    for seed in range(4):
        conn = open_memory_warehouse()
        steps = [lambda c: contract(c, "c1", "Cedar Ridge Health Plan, Inc.", "CR-1"),
                 lambda c: contract(c, "a1", "", "CR-1", kind="amendment"),
                 lambda c: note(c, "n1", "Cedar Ridge call"),
                 lambda c: remit(c, "r1.835", "CEDAR RIDGE HEALTH PLAN", "CR01")]
        random.Random(seed).shuffle(steps)
        for i, step in enumerate(steps):
            step(conn)
            if i % 2:
                rebuild(conn)  # some runs rebuild between arrivals, as ingest runs do
        rebuild(conn)
        states.append((sorted(payers(conn).items()), sorted(conn.execute(
            "SELECT doc_id, payer_id FROM payer_links").fetchall())))
    assert all(s == states[0] for s in states)
    assert states[0][0][0][0] == "CEDAR-RIDGE"


def test_edit_timestamps_are_recorded() -> None:
    conn = open_memory_warehouse()
    contract(conn, "d1", "Cedar Ridge Health Plan")
    rebuild(conn)
    registry_edits.alias(conn, "Cedar Ridge", "CRHP", by="ann")
    at = conn.execute('SELECT "at" FROM payer_edits').fetchone()[0]
    assert abs(at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=5)


def test_remittance_abbreviations_merge_with_the_contract_name() -> None:
    conn = open_memory_warehouse()
    contract(conn, "t", "Tamarack Mutual Insurance Company")
    remit(conn, "t.835", "TAMARACK MUTUAL INS CO", "41822")
    contract(conn, "s", "Sandhill Cooperative Health Association")
    remit(conn, "s.835", "SANDHILL COOP HEALTH")
    contract(conn, "c", "Cedar Ridge Health Plan, Inc.")
    remit(conn, "c.835", "CEDAR RIDGE HLTH PLN")
    rebuild(conn)
    assert sorted(payers(conn)) == ["CEDAR-RIDGE", "SANDHILL-COOPERATIVE", "TAMARACK-MUTUAL"]


def test_notes_link_by_short_name_or_capital_initials_only_when_unambiguous() -> None:
    conn = open_memory_warehouse()
    contract(conn, "t", "Tamarack Mutual Insurance Company")
    contract(conn, "g", "Granite Peak Health Insurance Company")
    contract(conn, "c", "Cedar Ridge Health Plan")
    contract(conn, "n1", "Northwind Senior Health Plans, Inc.")
    contract(conn, "n2", "Northwind Medicare Advantage")
    note(conn, "lead", "If Tamarack will not stay above 120% of Medicare, we walk.")
    note(conn, "caps", "Subject: walk-away numbers for TMIC")
    note(conn, "initials", "GPHI renewal: bring the 99214 numbers")
    note(conn, "lower", "the tmic and gphi folks never called back")  # not written as initials
    note(conn, "city", "Our Cedar Falls office moves in May.")  # 'cedar' is too short alone
    note(conn, "shared", "Northwind wants a meeting.")  # two Northwind payers: neither
    result = rebuild(conn)
    got = {d: result.links[d][0] for d in ("lead", "caps", "initials", "lower", "city", "shared")}
    assert got == {"lead": "TAMARACK-MUTUAL", "caps": "TAMARACK-MUTUAL",
                   "initials": "GRANITE-PEAK", "lower": "", "city": "", "shared": ""}


def test_a_remittance_abbreviation_joins_the_contract_it_abbreviates() -> None:
    conn = open_memory_warehouse()
    contract(conn, "nc", "Blue Cross and Blue Shield of North Carolina")
    contract(conn, "tx", "Blue Cross and Blue Shield of Texas")
    remit(conn, "nc.835", "BCBS NC", "56162")
    remit(conn, "tx.835", "BCBS TX", "84980")
    remit(conn, "xx.835", "BCBS", "99999")  # names no state: could be either, stays apart
    rebuild(conn)
    got = payers(conn)
    by_alias = {alias: pid for pid, (_, aliases) in got.items() for alias in aliases}
    nc = next(pid for pid, (name, _) in got.items() if name.endswith("North Carolina"))
    tx = next(pid for pid, (name, _) in got.items() if name.endswith("Texas"))
    assert by_alias["BCBS NC"] == nc and by_alias["BCBS TX"] == tx and nc != tx
    assert len(got) == 3
