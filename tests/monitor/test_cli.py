"""``parley monitor``, ``parley findings`` and ``parley dispute`` end to end (in-process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.cli import main


def test_monitor_findings_dispute_cli(mon_settings: Any, practice: Any, tmp_path: Path,
                                      capsys: Any) -> None:
    root = ["--data-dir", str(mon_settings.data_dir), "--as-of", practice.as_of.isoformat()]
    assert main(root + ["monitor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"]["new"] == len(report["new"]) > 0
    und = next(f for f in report["new"] if f["kind"] == "underpayment")
    assert main(root + ["monitor"]) == 0
    assert "0 new findings" in capsys.readouterr().out
    assert main(root + ["findings", "set", und["finding_id"], "acknowledged",
                        "--note", "checking"]) == 0
    capsys.readouterr()
    assert main(root + ["findings", "--status", "acknowledged", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [f["finding_id"] for f in listed] == [und["finding_id"]]
    out = tmp_path / "letters"
    assert main(root + ["dispute", und["payer_id"], "--finding", und["finding_id"],
                        "--out", str(out), "--format", "md,docx"]) == 0
    assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".md"]


def test_monitor_post_without_slack_is_one_line(mon_settings: Any, practice: Any,
                                                capsys: Any) -> None:
    root = ["--data-dir", str(mon_settings.data_dir), "--as-of", practice.as_of.isoformat()]
    assert main(root + ["monitor", "--post"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("parley: Slack is not configured") and "\n" not in err


def test_findings_set_bad_status(mon_settings: Any, practice: Any, capsys: Any) -> None:
    root = ["--data-dir", str(mon_settings.data_dir)]
    assert main(root + ["findings", "set", "UND-000000000000", "closed"]) == 1
    assert "Unknown status" in capsys.readouterr().err
