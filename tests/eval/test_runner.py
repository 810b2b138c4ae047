"""The runner end to end on a handful of golden items, reports, baselines and --fail-under."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.cli import main
from eval.report import write_reports
from eval.runner import EvalConfig, baseline_of, check_thresholds, compare, run_sample

HANDFUL = ["term-tf-nwm", "dl-60", "fu1-a", "fu1-b", "ref-weather", "inj-esp-tf"]  # file order


def test_runner_on_a_handful_of_items(practice: Any, tmp_path: Path) -> None:
    config = EvalConfig(out=tmp_path)
    res = run_sample(
        practice.settings, practice.embedder, config, source=practice.source, ids=HANDFUL
    )
    assert [i["id"] for i in res["items"]] == HANDFUL
    m = res["metrics"]
    assert m["items"] == len(HANDFUL) and m["scored"] == len(HANDFUL)
    for key in (
        "numeric_exactness",
        "citation_accuracy",
        "faithfulness",
        "refusal_accuracy",
        "latency_p50_ms",
        "latency_p95_ms",
        "retrieval_recall@5",
        "retrieval_mrr",
    ):
        assert m[key] is not None, key
    report = {"model": "offline", "suites": {"sample": res}}
    jpath, hpath = write_reports(report, tmp_path)
    assert json.loads(jpath.read_text())["suites"]["sample"]["metrics"]["items"] == len(HANDFUL)
    assert "data:image/png;base64," in hpath.read_text()
    base = baseline_of(report, "sample")
    assert "items" not in base["suites"]["sample"]
    assert set(compare(report, base)) >= {"sample.numeric_exactness", "sample.faithfulness"}
    assert check_thresholds(report, {"refusal_accuracy": 1.01})


def test_fail_under_exits_non_zero(tmp_path: Path, capsys: Any) -> None:
    code = main(
        [
            "eval",
            "--suite",
            "x835",
            "--out",
            str(tmp_path),
            "--fail-under",
            "x835.hand_totals_match=1.01",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("parley: eval below threshold: x835.hand_totals_match")
    assert (tmp_path / "report.json").exists() and (tmp_path / "report.html").exists()
    assert (
        main(
            [
                "eval",
                "--suite",
                "x835",
                "--out",
                str(tmp_path),
                "--fail-under",
                "hand_totals_match=1.0",
            ]
        )
        == 0
    )
