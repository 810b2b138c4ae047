"""The Riverbend practice: determinism, real-parser 835s that balance, contracts whose
exhibits hold the rates, no CSV in Parley's layout, and ground truth equal to sums over
the generated 835 lines (recomputed here by a reader independent of the generator).

Uses the session fixtures ``riverbend_dir`` / ``riverbend_truth`` from tests/conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.sample.riverbend.generate import generate
from assistant.settings import Settings
from ingest.loaders import find_loader
from ingest.loaders.csv_tables import CsvLoader
from ingest.loaders.mpfs import MpfsLoader
from ingest.loaders.x12_835 import parse_835

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _segments(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="ascii")
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def _read_era(root: Path) -> list[dict[str, Any]]:
    """Every transaction of every 835 file: payer, trace, payment date, claims, PLB."""
    out = []
    for path in sorted((root / "era").rglob("*.835")):
        tx: dict[str, Any] | None = None
        claim: dict[str, Any] | None = None
        line: dict[str, Any] | None = None
        for s in _segments(path):
            tag = s[0]
            if tag == "ST":
                tx = {"file": path.name, "claims": [], "plb": Decimal(0)}
                out.append(tx)
                claim = line = None
            elif tx is None:
                continue
            elif tag == "BPR":
                tx["total"], tx["date"] = Decimal(s[2]), s[16]
            elif tag == "TRN":
                tx["trace"] = s[2]
            elif tag == "N1" and s[1] == "PR":
                tx["payer"] = s[2]
            elif tag == "CLP":
                claim = {"id": s[1], "status": s[2], "billed": Decimal(s[3]),
                         "paid": Decimal(s[4]), "cas": Decimal(0), "lines": [], "member": ""}
                tx["claims"].append(claim)
                line = None
            elif tag == "NM1" and s[1] == "QC" and claim is not None:
                claim["member"] = s[9]
            elif tag == "SVC" and claim is not None:
                line = {"code": s[1].split(":")[1], "billed": Decimal(s[2]),
                        "paid": Decimal(s[3]), "allowed": Decimal(0), "cas": []}
                claim["lines"].append(line)
            elif tag == "CAS" and claim is not None:
                pairs = [(s[1], s[i], Decimal(s[i + 1])) for i in range(2, len(s) - 1, 3)
                         if s[i]]
                claim["cas"] += sum(a for _g, _c, a in pairs)
                if line is not None:
                    line["cas"] += pairs
            elif tag == "AMT" and s[1] == "B6" and line is not None:
                line["allowed"] = Decimal(s[2])
            elif tag == "PLB":
                tx["plb"] += sum(Decimal(s[i]) for i in range(4, len(s), 2))
    return out


def _independent_totals(txs: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    seen: set[tuple[str, str]] = set()
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    paid_month: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for tx in sorted(txs, key=lambda t: t["date"]):
        key = (tx["payer"], tx["trace"])
        if key in seen:  # the same payment delivered again
            continue
        seen.add(key)
        pid = names[tx["payer"]]
        for c in tx["claims"]:
            paid_month[pid][f"{tx['date'][:4]}-{tx['date'][4:6]}"] += \
                sum(li["paid"] for li in c["lines"])
            if c["status"] != "22":
                latest[(pid, c["id"])] = c
    out: dict[str, Any] = {}
    for (pid, _cid), c in latest.items():
        t = out.setdefault(pid, {"lines": 0, "claims": 0, "patients": set(), "billed": 0,
                                 "allowed": 0, "paid": 0, "denied_lines": 0})
        t["claims"] += 1
        t["patients"].add(c["member"])
        for li in c["lines"]:
            t["lines"] += 1
            t["billed"] += li["billed"]
            t["allowed"] += li["allowed"]
            t["paid"] += li["paid"]
            t["denied_lines"] += li["allowed"] == 0
    for pid, t in out.items():
        t["patients"] = len(t["patients"])
        t["paid_by_month"] = {m: float(v) for m, v in sorted(paid_month[pid].items())}
        for k in ("billed", "allowed", "paid"):
            t[k] = float(t[k])
    return out


def test_same_seed_same_bytes_other_seed_same_contracts(riverbend_dir: Path,
                                                        tmp_path: Path) -> None:
    generate(tmp_path / "again", seed=7)
    a, b = _files(riverbend_dir), _files(tmp_path / "again")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    generate(tmp_path / "s8", seed=8, n_lines=800)
    c = _files(tmp_path / "s8")
    assert a["ground_truth.json"] != c["ground_truth.json"]
    for k in a:
        if k.startswith(("contracts/", "correspondence/", "medicare/")):
            assert a[k] == c[k], k


def test_every_835_parses_with_the_real_parser_and_balances(riverbend_dir: Path,
                                                            tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="test")
    files = sorted((riverbend_dir / "era").rglob("*.835"))
    assert len(files) > 50
    multi = 0
    for path in files:
        remit = parse_835(path, settings)
        payers = {p[3] for p in remit.payments}
        multi += len(payers) > 1
        for p in remit.payments:
            clp = sum(c[5] for c in remit.claims if c[0] == p[0])
            plb = sum(a[5] for a in remit.provider_adjustments if a[0] == p[0])
            assert p[8] == clp - plb, (path.name, p[0])
            assert p[4] and p[12] and p[11], "payer id, trace and payment date"
        for c in remit.claims:
            cas = sum(a[5] for a in remit.adjustments if a[0] == c[0] and a[1] == c[1])
            assert c[4] == c[5] + cas, (path.name, c[2])
            assert c[9] and c[10], "patient hash and DTM*050 received date"
        for li in remit.lines:
            cas = sum(a[5] for a in remit.adjustments
                      if a[0] == li[0] and a[1] == li[1] and a[2] == li[2])
            assert li[6] == li[7] + cas and li[11] and li[14]
    assert multi > len(files) // 2, "clearinghouse files carry several payers"
    assert any(len(list(filter(lambda s: s[0] == "GS", _segments(f)))) > 1 for f in files)


def test_835_features_are_present(riverbend_dir: Path, riverbend_truth: dict[str, Any]) -> None:
    txs = _read_era(riverbend_dir)
    segs = [s for f in sorted((riverbend_dir / "era").rglob("*.835")) for s in _segments(f)]
    assert any(s[0] == "CLP" and s[2] == "22" and s[4].startswith("-") for s in segs)
    assert {s[3].split(":")[0] for s in segs if s[0] == "PLB"} == {"WO", "L6"}
    assert any(s[0] == "CAS" and s[1:3] == ["CO", "197"] for s in segs)
    assert any(s[0] == "SVC" and s[1] in ("HC:99214:25", "HC:20610:50") for s in segs)
    dup = riverbend_truth["planted"]["duplicate_remittance"]
    carriers = {t["file"] for t in txs if t["trace"] == dup["trace_number"]}
    assert carriers == {Path(dup["original_file"]).name, Path(dup["resent_file"]).name}
    for p in riverbend_truth["payers"]:  # the 835 spelling is not the contract's
        assert p["x12_name"] in p["aliases"] and p["x12_name"] != p["name"]
        assert any(s[:2] == ["N1", "PR"] and s[2] == p["x12_name"] and s[4] == p["x12_payer_id"]
                   for s in segs)


def test_totals_equal_sums_over_the_835_lines(riverbend_dir: Path,
                                              riverbend_truth: dict[str, Any]) -> None:
    names = {p["x12_name"]: p["payer_id"] for p in riverbend_truth["payers"]}
    mine = _independent_totals(_read_era(riverbend_dir), names)
    for pid, t in riverbend_truth["totals"].items():
        for key in ("lines", "claims", "patients", "denied_lines"):
            assert t[key] == mine[pid][key], (pid, key)
        for key in ("billed", "allowed", "paid"):
            assert t[key] == pytest.approx(mine[pid][key], abs=0.005), (pid, key)
        assert t["paid_by_month"].keys() == mine[pid]["paid_by_month"].keys()
        for m, v in t["paid_by_month"].items():
            assert v == pytest.approx(mine[pid]["paid_by_month"][m], abs=0.005), (pid, m)
    planted = riverbend_truth["planted"]
    assert planted["underpayment"]["lines"] > 20 and planted["late_payment"]["late_claims"] > 20
    assert planted["denial_spike"]["spike_rate"] > 3 * planted["denial_spike"]["baseline_rate"]


def test_contracts_are_pdf_and_docx_with_their_exhibit_rows(
        riverbend_dir: Path, riverbend_truth: dict[str, Any]) -> None:
    import docx
    from pypdf import PdfReader

    from assistant.sample.riverbend.contracts_pdf import page_texts

    docs = [d for d in riverbend_truth["documents"] if d["doc_type"] in ("contract", "amendment")]
    assert {d["format"] for d in docs} == {"pdf", "docx"}
    texts: dict[str, list[str]] = {}
    for d in docs:
        path = riverbend_dir / d["file"]
        if d["format"] == "pdf":
            assert len(PdfReader(path).pages) >= 1
            texts[d["file"]] = page_texts(path.read_bytes())
        else:
            body = " ".join(p.text for p in docx.Document(str(path)).paragraphs)
            texts[d["file"]] = [" ".join(body.split())]
    for row in riverbend_truth["fee_schedule"]:
        page = texts[row["file"]][row["page"] - 1]
        if row["payer_id"] == "GPHI":
            assert "115" in page and "non-facility" in page
        else:
            assert row["code"] in page and f"${row['rate']:,.2f}" in page, row
    for c in riverbend_truth["clauses"]:
        assert c["quote"] in texts[c["file"]][c["page"] - 1], c["quote"][:40]
    first = texts[next(d["file"] for d in docs if d["payer_id"] == "CRHP"
                       and d["doc_type"] == "contract")][0]
    assert "Name According to W-9 Form" in first
    leaders = texts["contracts/Sandhill_Provider_Network_Agreement_2025.pdf"]
    assert any("99213 Office visit" in t and "..... $99.62" in t for t in leaders)
    programs = {(t["term"], t["program"]): t["value"] for t in riverbend_truth["terms"]
                if t["payer_id"] == "CRHP" and t["term"] == "timely_filing_days"}
    assert programs[("timely_filing_days", "Commercial")] != \
        programs[("timely_filing_days", "Medicare Advantage")]


def test_no_csv_in_parleys_layout_and_real_medicare_values(riverbend_dir: Path,
                                                           tmp_path: Path) -> None:
    for rel in _files(riverbend_dir):
        loader = find_loader(riverbend_dir / rel)
        assert not isinstance(loader, CsvLoader), rel
    csvs = [p for p in riverbend_dir.rglob("*.csv")]
    assert len(csvs) == 1 and isinstance(find_loader(csvs[0]), MpfsLoader)
    shared = SHARED / "mpfs" / "medicare_pfs_2025_national.csv"
    if not shared.exists():
        pytest.skip("shared MPFS file not available")
    ref = {r["hcpcs"]: r for r in csv.DictReader(io.StringIO(shared.read_text()))}
    for row in csv.DictReader(io.StringIO(csvs[0].read_text())):
        assert row == ref[row["hcpcs"]]


def test_837_claims_match_the_remittances(riverbend_dir: Path,
                                          riverbend_truth: dict[str, Any]) -> None:
    info = riverbend_truth["x12_837"]
    segs = _segments(riverbend_dir / info["file"])
    assert segs[2][0] == "ST" and segs[2][3] == "005010X222A1"
    clm = [s[1] for s in segs if s[0] == "CLM"]
    assert len(clm) == info["claims"] and sum(s[0] == "SV1" for s in segs) == info["lines"]
    bht = sorted(s[4] for s in segs if s[0] == "BHT")
    assert bht[0] == info["submitted_from"].replace("-", "")
    remitted = {c["id"] for t in _read_era(riverbend_dir) for c in t["claims"]}
    assert set(clm) <= remitted


def test_cli_writes_riverbend_and_keeps_the_default(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--practice", "riverbend", "--out", str(tmp_path / "rb"),
                 "--claims", "300"]) == 0
    truth = json.loads((tmp_path / "rb" / "ground_truth.json").read_text())
    assert truth["practice"]["name"].startswith("Riverbend") and truth["claim_lines"] == 300
    assert main(["sample", "--out", str(tmp_path / "lk"), "--claims", "100"]) == 0
    assert (tmp_path / "lk" / "data" / "claims.csv").exists()
    assert main(["sample", "--practice", "nowhere", "--out", str(tmp_path / "x")]) == 1
    assert "riverbend" in capsys.readouterr().err
