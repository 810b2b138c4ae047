"""CI gates (issue 8): the sample-practice suite and a CUAD subset on the offline engine.

Targets: numeric exactness ≥ 95%, citation accuracy ≥ 95%, faithfulness 100%, refusal
accuracy 100% on the sample suite; on the CUAD subset Parley's recall@5 above both
baselines measured in the same run. Failures list the items so the engine can be fixed;
the questions and metrics are not to be weakened to pass.

The CUAD subset is the first 20 contracts in the suite's name-independent hash order among
those of at most 120 kB of text (the spans suite's cap). Its cost is the text embedded twice
(Parley's chunks and the fixed-size baseline's): without the cap the three longest picks
(300, 190 and 147 kB) were 48% of that text and the test took ~62 s on an idle 2-core
machine. Measured with the cap (85 queries): Parley 0.941, fixed-size dense 0.906, BM25
0.835; without it (90 queries): 0.933, 0.856, 0.844 — Parley's lead is narrower on shorter
contracts, so the gate is no easier to pass. Contracts of any length: ``parley eval --suite
cuad`` (40 contracts, committed baseline ``eval/baselines/cuad.json``).
"""

from __future__ import annotations

from typing import Any

import pytest

from eval.runner import DEFAULT_SHARED, EvalConfig, run_sample

CI_CUAD_LIMIT = 20
CI_CUAD_MAX_BYTES = 120_000


@pytest.fixture(scope="module")
def sample_report(practice: Any) -> dict[str, Any]:
    return run_sample(practice.settings, practice.embedder, EvalConfig(), source=practice.source)


def _failing(report: dict[str, Any], check: str) -> list[str]:
    out = []
    for i in report["items"]:
        if i["skipped"]:
            continue
        if check == "figures":
            miss = [f["expected"] for f in i["figures"] if not f["ok"]]
            if miss:
                out.append(f"{i['id']}: expected {miss}, got {i['answer'][:120]!r}")
        elif check == "citation" and i["citation_ok"] is False:
            out.append(
                f"{i['id']}: cited "
                f"{[(c['source_path'] or '').split('/')[-1] for c in i['citations']]}"
            )
        elif check == "faithful" and i["unsupported"]:
            out.append(f"{i['id']}: {i['unsupported'][:3]}")
        elif check == "refusal" and not i["refusal_ok"]:
            out.append(f"{i['id']} ({i['category']}): refused={i['refused']}")
    return out


def test_numeric_exactness_at_least_95(sample_report: dict[str, Any]) -> None:
    m = sample_report["metrics"]["numeric_exactness"]
    assert m >= 0.95, f"numeric exactness {m}: " + "\n".join(_failing(sample_report, "figures"))


def test_citation_accuracy_at_least_95(sample_report: dict[str, Any]) -> None:
    m = sample_report["metrics"]["citation_accuracy"]
    assert m >= 0.95, f"citation accuracy {m}: " + "\n".join(_failing(sample_report, "citation"))


def test_faithfulness_is_100(sample_report: dict[str, Any]) -> None:
    m = sample_report["metrics"]["faithfulness"]
    assert m == 1.0, f"faithfulness {m}: " + "\n".join(_failing(sample_report, "faithful"))


def test_refusal_accuracy_is_100(sample_report: dict[str, Any]) -> None:
    m = sample_report["metrics"]["refusal_accuracy"]
    assert m == 1.0, f"refusal accuracy {m}: " + "\n".join(_failing(sample_report, "refusal"))


@pytest.mark.slow
@pytest.mark.skipif(not (DEFAULT_SHARED / "cuad").is_dir(), reason="shared CUAD data not present")
def test_cuad_subset_parley_beats_both_baselines(practice: Any, tmp_path: Any) -> None:
    from eval.cuad import run_cuad

    r = run_cuad(DEFAULT_SHARED / "cuad", practice.embedder, limit=CI_CUAD_LIMIT, work_dir=tmp_path,
                 max_bytes=CI_CUAD_MAX_BYTES)
    m = r["metrics"]
    assert r["contracts"] == CI_CUAD_LIMIT and r["failed_ingest"] == 0
    assert r["queries"] > 0
    assert m["parley_recall@5"] > m["fixed_dense_recall@5"], m
    assert m["parley_recall@5"] > m["bm25_recall@5"], m
