"""``parley payers``: every real 835 sample's payer is listed; merge, rename and alias print
what changed; unknown payers are one-line errors with the closest names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from ingest.loaders.x12_835 import parse_835

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "x12_835"
SAMPLES = sorted(p for p in DATA.glob("*/*") if p.is_file() and "LICENSE" not in p.name
                 and p.suffix not in (".csv", ".997"))


def _run(data: Path, *argv: str) -> int:
    return main(["--data-dir", str(data), *argv])


@pytest.mark.skipif(not DATA.is_dir(), reason="shared x12 data not present")
def test_every_shared_835_payer_is_listed(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.errors import IngestError
    from assistant.settings import Settings

    settings = Settings(patient_hash_key="k")  # type: ignore[call-arg]
    expected: dict[str, str] = {}
    for path in SAMPLES:
        try:
            remit = parse_835(path, settings)
        except IngestError:
            continue  # rejected by the loader with a named reason (tests/loaders)
        for payment in remit.payments:
            expected[str(payment[3] or "").strip()] = path.name
    assert len(expected) >= 8
    data = tmp_path / "data"
    _run(data, "load", *map(str, SAMPLES))
    capsys.readouterr()
    assert _run(data, "payers", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    spellings = {s.upper() for p in listed for s in [p["name"], *p["aliases"]]}
    for name, file in expected.items():
        assert name.upper() in spellings, (name, file)
    united = [p for p in listed if "UNITED HEALTHCARE INSURANCE COMPANY" in
              {s.upper() for s in [p["name"], *p["aliases"]]}]
    assert len(united) == 1  # the subsidiary spelling shares the 87726 payer id
    assert any(a.startswith("ACME, INC.") for a in united[0]["aliases"])
    assert _run(data, "payers") == 0
    text = capsys.readouterr().out
    assert "United Healthcare Insurance Company" in text and "835: " in text


def test_merge_rename_alias_and_errors(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "payers.csv").write_text("payer_id,name,plan_type,aliases\n"
                                    "ACM,Acme Health,PPO,Acme\nZED,Zed Mutual,,\n")
    data = tmp_path / "data"
    assert _run(data, "load", str(src)) == 0
    capsys.readouterr()
    assert _run(data, "payers") == 0
    out = capsys.readouterr().out
    assert "ACM  Acme Health (PPO)  [from payers.csv]" in out and "2 payer(s)." in out
    assert _run(data, "payers", "rename", "acme", "Acme Health Plan of Ohio") == 0
    out = capsys.readouterr().out
    assert "Renamed Acme Health (ACM) to Acme Health Plan of Ohio." in out
    assert "Re-linked 0 document(s)" in out
    assert _run(data, "payers", "alias", "ACM", "AHPO", "--by", "ann") == 0
    assert "Added alias 'AHPO' to Acme Health Plan of Ohio (ACM)." in capsys.readouterr().out
    assert _run(data, "payers", "merge", "Zed Mutual", "AHPO") == 0
    out = capsys.readouterr().out
    assert "Merged Zed Mutual (ZED) into Acme Health Plan of Ohio (ACM)." in out
    assert "1 payer(s) now." in out
    assert _run(data, "payers", "merge", "Zebra Insurance", "ACM") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("parley: Unknown payer 'Zebra Insurance'.") and len(err.splitlines()) == 1
    assert "Did you mean" in err
    assert _run(data, "payers", "alias", "ACM", "   ") == 1
    assert "must contain letters or digits" in capsys.readouterr().err


def test_help_texts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["payers", "--help"]) == 0
    out = capsys.readouterr().out
    for word in ("merge", "rename", "alias", "re-links"):
        assert word in out.lower()
    assert main(["payers", "merge", "--help"]) == 0
    assert "INTO keeps its id and name" in " ".join(capsys.readouterr().out.split())


def test_no_payers_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path / "d", "payers") == 0
    assert "No payers yet" in capsys.readouterr().out
