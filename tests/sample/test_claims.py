"""Claims balance, the 835 files agree with claims.csv, and the planted patterns show."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest


def _cents(text: str) -> int:
    return round(float(text) * 100)


@pytest.fixture(scope="module")
def remits(sample_dir: Path, parse_835: Any) -> dict[str, dict[str, Any]]:
    """Every 835 file of the sample, parsed."""
    return {p.name: parse_835(p.read_text(encoding="ascii"))
            for p in sorted((sample_dir / "remittances").glob("*.835"))}


def test_claim_lines_balance_and_are_well_formed(claims: list[dict[str, str]],
                                                truth: dict[str, Any]) -> None:
    assert len(claims) == truth["claim_lines"]
    by_claim: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for r in claims:
        billed, allowed, paid = _cents(r["billed"]), _cents(r["allowed"]), _cents(r["paid"])
        assert billed > allowed >= paid >= 0
        assert r["status"] in {"paid", "denied", "partial"}
        if r["status"] == "denied":
            assert paid == 0 and allowed == 0 and r["group_code"] in {"CO", "PR", "OA", "PI"}
            assert r["carc"] in {"16", "18", "29", "50", "97", "197", "204"}
        assert r["patient_id"].startswith("MRN") and len(r["patient_id"]) == 10
        dos, sub, rec, pd = (dt.date.fromisoformat(r[k]) for k in (
            "date_of_service", "submitted_date", "received_date", "paid_date"))
        assert dos < sub < rec < pd <= dt.date(2026, 11, 26)
        by_claim[r["claim_id"]].add((r["payer_id"], r["patient_id"], r["date_of_service"],
                                     r["paid_date"], r["check_number"]))
    assert all(len(v) == 1 for v in by_claim.values())


def test_totals_match_claims(claims: list[dict[str, str]], truth: dict[str, Any]) -> None:
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in claims:
        s = sums[r["payer_id"]]
        s["lines"] += 1
        s["billed"] += _cents(r["billed"])
        s["paid"] += _cents(r["paid"])
        s["denied_lines"] += r["status"] == "denied"
    for pid, t in truth["totals"].items():
        assert t["lines"] == sums[pid]["lines"]
        assert round(t["billed"] * 100) == sums[pid]["billed"]
        assert round(t["paid"] * 100) == sums[pid]["paid"]
        assert t["denied_lines"] == sums[pid]["denied_lines"]
    assert truth["totals"]["BSH"]["lines"] == max(t["lines"] for t in truth["totals"].values())


def test_835_lines_balance_and_match_claims_csv(claims: list[dict[str, str]],
                                                remits: dict[str, dict[str, Any]]) -> None:
    csv_lines = {f"{r['claim_id']}-{r['line_no']}": r for r in claims}
    seen = 0
    for name, doc in remits.items():
        total = sum(round(c["paid"] * 100) for c in doc["clp"])
        assert round(float(doc["bpr"][2]) * 100) == total, name
        for c in doc["clp"]:
            assert round(c["paid"] * 100) == sum(round(li["paid"] * 100) for li in c["lines"])
        for li in doc["lines"]:
            adj = sum(round(a * 100) for _g, _c, a in li["cas"])
            assert round(li["billed"] * 100) == round(li["paid"] * 100) + adj, (name, li)
            row = csv_lines[li["ref"]]
            assert _cents(row["paid"]) == round(li["paid"] * 100)
            assert _cents(row["billed"]) == round(li["billed"] * 100)
            assert row["code"] == li["code"] and row["check_number"] in name
            seen += 1
    assert seen == len(claims)


def test_planted_underpayment_visible_in_835(remits: dict[str, dict[str, Any]],
                                             truth: dict[str, Any]) -> None:
    up = truth["planted"]["underpayment"]
    start = up["start_date"].replace("-", "")
    before, after = [], []
    for name, doc in remits.items():
        if not name.startswith(up["payer_id"]):
            continue
        for li in doc["lines"]:
            if li["code"] == up["code"] and li["allowed"] is not None:
                (after if li["dos"] >= start else before).append(li["allowed"] / li["paid_units"])
    assert after and before
    assert all(abs(a - up["paid_rate"]) < 0.005 for a in after)
    assert up["paid_rate"] < up["contract_rate"]
    assert 3.5 <= up["pct_below"] <= 4.5
    assert len(after) == up["lines"]
    short = round(sum(up["contract_rate"] - a for a in after), 2)
    assert abs(short - up["total_short"]) < 0.01
    assert all(abs(b - 140.20) < 0.005 for b in before)  # the pre-amendment contract rate


def test_planted_denial_spike(claims: list[dict[str, str]], truth: dict[str, Any]) -> None:
    ds = truth["planted"]["denial_spike"]
    q2 = [r for r in claims if r["payer_id"] == ds["payer_id"] and r["code"] in ds["codes"]
          and "2026-04-01" <= r["date_of_service"] <= "2026-06-30"]
    denied = [r for r in q2 if r["carc"] == ds["carc"] and r["group_code"] == ds["group_code"]]
    assert len(denied) == ds["denied_lines"] and len(q2) == ds["lines"]
    assert ds["spike_rate"] > 5 * ds["baseline_rate"]
    assert ds["spike_rate"] >= 0.2


def test_planted_late_payment(claims: list[dict[str, str]], truth: dict[str, Any]) -> None:
    lp = truth["planted"]["late_payment"]
    per_claim: dict[str, list[str | int]] = {}
    for r in claims:
        if r["payer_id"] != lp["payer_id"]:
            continue
        c = per_claim.setdefault(r["claim_id"], [r["received_date"], r["paid_date"], 0])
        c[2] = int(c[2]) + _cents(r["paid"])
    paid = [c for c in per_claim.values() if int(c[2]) > 0]
    late, interest = 0, 0
    for rec, pd, cents in paid:
        days = (dt.date.fromisoformat(str(pd)) - dt.date.fromisoformat(str(rec))).days
        if days > lp["clean_claim_days"]:
            late += 1
            interest += round(int(cents) * lp["interest_rate_annual"]
                              * (days - lp["clean_claim_days"]) / 365)
    assert late == lp["late_claims"] and len(paid) == lp["claims"]
    assert 0.25 <= lp["share_late"] <= 0.40
    assert interest / 100 == pytest.approx(lp["interest_owed"], abs=0.001)


def test_835_files_validate_with_pyx12(sample_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    import pyx12.params
    import pyx12.x12n_document

    files = sorted((sample_dir / "remittances").glob("*.835"))
    picks = {}
    for f in files:  # first and last run of every payer
        picks.setdefault(f.name[:3], []).append(f)
    chosen = [p for v in picks.values() for p in (v[0], v[-1])]
    assert len(chosen) == 12
    caplog.set_level(logging.ERROR, logger="pyx12")
    for f in chosen:
        ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), str(f), None, None)
        assert ok, f.name
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_pyx12_catches_a_broken_file(sample_dir: Path, tmp_path: Path) -> None:
    import pyx12.params
    import pyx12.x12n_document

    good = sorted((sample_dir / "remittances").glob("KHP_*.835"))[0]
    bad = tmp_path / "bad.835"
    bad.write_text(good.read_text().replace("SE*", "SE*9"), encoding="ascii")
    assert not pyx12.x12n_document.x12n_document(pyx12.params.params(), str(bad), None, None)
