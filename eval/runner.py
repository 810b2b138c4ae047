"""Run evaluation suites, compare with a baseline, enforce ``--fail-under`` thresholds.

``run_eval(settings, config)`` runs the chosen suites (``sample``, ``riverbend``, ``cuad``, ``spans``,
``x835``, ``routing``),
returns one report dict ``{"suites": {name: result}, "comparison": ..., ...}`` and writes
``report.json`` and ``report.html`` into ``config.out``. ``check_thresholds`` turns
``metric=value`` pairs into a list of failures; the CLI exits 1 on any.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import InputError, ParleyError

SUITES = ("sample", "riverbend", "cuad", "x835", "routing", "spans")
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


class EvalRegression(ParleyError):
    """A metric fell below its ``--fail-under`` threshold."""


@dataclass
class EvalConfig:
    """What to run and where to write."""

    suites: list[str] = field(default_factory=lambda: ["sample"])
    model: str | None = None
    limit: int | None = None
    out: Path = Path("eval-report")
    baseline: Path | None = None
    fail_under: dict[str, float] = field(default_factory=dict)
    seed: int = 7
    claims: int = 2500
    cuad_dir: Path = DEFAULT_SHARED / "cuad"
    x835_dir: Path = DEFAULT_SHARED / "x12_835"
    cuad_limit: int | None = 40
    spans_limit: int | None = 20
    work_dir: Path | None = None
    judge: str | None = None


def parse_thresholds(pairs: list[str]) -> dict[str, float]:
    """``["numeric_exactness=0.95", "cuad.parley_recall@5=0.5"]`` → dict; bad input → InputError."""
    out: dict[str, float] = {}
    for p in pairs:
        name, sep, value = p.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise InputError(
                f"--fail-under takes metric=value, e.g. numeric_exactness=0.95, not '{p}'"
            )
    return out


def flat_metrics(report: dict[str, Any]) -> dict[str, float]:
    """``{"sample.numeric_exactness": 0.97, ...}`` for every numeric suite metric."""
    out: dict[str, float] = {}
    for name, res in report.get("suites", {}).items():
        for k, v in (res.get("metrics") or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                out[f"{name}.{k}"] = float(v)
    return out


def check_thresholds(report: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """Failures as short strings; a bare metric name matches it in any suite that has it."""
    flat = flat_metrics(report)
    failures = []
    for name, floor in thresholds.items():
        keys = [name] if name in flat else [k for k in flat if k.split(".", 1)[1] == name]
        if not keys:
            failures.append(f"{name} not measured")
        failures += [f"{k} {flat[k]:.4g} < {floor:.4g}" for k in keys if flat[k] < floor]
    return failures


def compare(report: dict[str, Any], baseline: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per metric present in both: baseline, current and the difference."""
    cur, base = flat_metrics(report), flat_metrics(baseline)
    if "suites" not in baseline and "metrics" in baseline:  # a single-suite baseline file
        base = {
            f"{baseline.get('suite', '?')}.{k}": float(v)
            for k, v in baseline["metrics"].items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    return {
        k: {"baseline": base[k], "current": cur[k], "delta": round(cur[k] - base[k], 4)}
        for k in sorted(cur)
        if k in base
    }


def run_sample(
    settings: Any,
    embedder: Any,
    config: EvalConfig,
    on_item: Callable[[Any], None] | None = None,
    source: Path | None = None,
    ids: list[str] | None = None,
    practice: str = "sample",
) -> dict[str, Any]:
    """Generate + ingest the sample practice (unless ``source`` is an ingested one), run the set.

    ``practice="riverbend"`` runs the second practice (``assistant.sample.riverbend``, no CSV)
    with ``eval/datasets/riverbend.jsonl``; ``config.claims`` is ignored there (its default
    4,000 service lines).
    """
    from assistant.factory import create_assistant
    from eval.briefs import make_brief_runner
    from eval.dataset import DATASETS, SAMPLE_DATASET, load_suite
    from eval.sample_suite import run_items, summarize

    dataset = DATASETS / "riverbend.jsonl" if practice == "riverbend" else SAMPLE_DATASET

    tmp = None
    if source is None:
        from assistant.sample.generate import generate
        from ingest.job import run_ingest

        tmp = Path(tempfile.mkdtemp(prefix="parley-eval-", dir=config.work_dir))
        source = tmp / "source"
        if practice == "riverbend":
            from assistant.sample.riverbend.generate import generate as generate_riverbend

            generate_riverbend(source, seed=config.seed)
        else:
            generate(source, seed=config.seed, n_lines=config.claims)
        truth = json.loads((source / "ground_truth.json").read_text(encoding="utf-8"))
        settings = settings.model_copy(
            update={
                "data_dir": tmp / "data",
                "as_of": dt.date.fromisoformat(truth["reference_date"]),
            }
        )
        run_ingest(settings, [source], embedder=embedder)
    try:
        truth = json.loads((source / "ground_truth.json").read_text(encoding="utf-8"))
        as_of = dt.date.fromisoformat(truth["reference_date"])
        items = load_suite(truth, dataset)
        if practice == "riverbend":
            _use_parley_payer_ids(settings, truth, items)
        if ids:
            items = [i for i in items if i.id in ids]
        if config.limit:
            items = items[: config.limit]
        assistant = create_assistant(settings, model_spec=config.model, embedder=embedder)
        briefs = make_brief_runner(settings, embedder, as_of, config.model)
        results = run_items(assistant, items, as_of, on_item=on_item, run_brief=briefs)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return {
        "suite": practice,
        "model": assistant.model_name,
        "seed": truth.get("seed"),
        "reference_date": truth["reference_date"],
        "metrics": summarize(results),
        "items": [_item_json(r) for r in results],
    }


def _use_parley_payer_ids(settings: Any, truth: dict[str, Any], items: list[Any]) -> None:
    """Riverbend has no payers.csv, so Parley names its payers itself: point each item's
    retrieval payer filter at the id Parley resolves for the truth payer's names (no
    filter when none resolves)."""
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(settings, read_only=True)
    try:
        vocab = Vocabulary.load(conn)
    finally:
        conn.close()
    ids: dict[str, str | None] = {}
    for p in truth["payers"]:
        ids[p["payer_id"]] = None
        for name in [p["legal_name"], p["name"], *p["aliases"]]:
            try:
                ids[p["payer_id"]] = vocab.resolve_payer(name)
                break
            except ParleyError:
                continue
    for item in items:
        if clause := item.expect.get("clause"):
            item.expect = {**item.expect, "clause": {**clause, "payer_id": ids.get(
                clause["payer_id"])}}


def _item_json(r: Any) -> dict[str, Any]:
    from dataclasses import asdict

    d = asdict(r)
    d["passed"] = r.passed
    return d


def feedback_summary(settings: Any) -> dict[str, Any] | None:
    """Slack 👍/👎 votes from the feedback store, when one exists."""
    try:
        from connectors.slack.feedback import FeedbackStore, feedback_file
    except ImportError:
        return None
    path = feedback_file(settings.data_dir)
    if not path.exists():
        return None
    store = FeedbackStore(path)
    try:
        votes = store.votes()
    finally:
        store.close()
    up = sum(1 for v in votes if v["vote"] > 0)
    down = [v for v in votes if v["vote"] < 0]
    return {
        "votes": len(votes),
        "up": up,
        "down": len(down),
        "share_up": round(up / len(votes), 4) if votes else None,
        "down_questions": [v.get("question") for v in down][-20:],
    }


def run_eval(
    settings: Any, config: EvalConfig, progress: Callable[[str, str], None] | None = None
) -> dict[str, Any]:
    """Run the configured suites and write the reports; return the report."""
    from assistant.embeddings import create_embedder
    from eval.report import write_reports

    say = progress or (lambda suite, msg: None)
    unknown = [s for s in config.suites if s not in SUITES]
    if unknown:
        raise InputError(
            f"Unknown suite '{unknown[0]}'; choose from sample, riverbend, cuad, x835, routing, spans, all"
        )
    report: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": config.model or settings.chat_model,
        "suites": {},
    }
    wants_model = {"sample", "riverbend", "cuad", "routing", "spans"} & set(config.suites)
    embedder = create_embedder(settings) if wants_model else None
    if "sample" in config.suites:
        report["suites"]["sample"] = run_sample(
            settings,
            embedder,
            config,
            on_item=lambda r: say("sample", f"{r.id}: {'ok' if r.passed else 'FAIL'}"),
        )
        if config.judge:
            from eval.judge import judge_items

            say("sample", f"judging with {config.judge}")
            sample = report["suites"]["sample"]
            sample["judge"] = judge_items(settings, config.judge, sample["items"])
            sample["metrics"]["judge_mean_score"] = sample["judge"]["judge_mean_score"]
    if "riverbend" in config.suites:
        report["suites"]["riverbend"] = run_sample(
            settings,
            embedder,
            config,
            on_item=lambda r: say("riverbend", f"{r.id}: {'ok' if r.passed else 'FAIL'}"),
            practice="riverbend",
        )
    if "cuad" in config.suites:
        from eval.cuad import run_cuad

        report["suites"]["cuad"] = run_cuad(
            config.cuad_dir,
            embedder,
            limit=config.cuad_limit,
            work_dir=config.work_dir,
            on_progress=lambda stage, done, total: say("cuad", f"{stage} {done}/{total}"),
        )
    if "spans" in config.suites:
        from eval.spans import run_spans

        report["suites"]["spans"] = run_spans(
            config.cuad_dir,
            embedder,
            limit=config.spans_limit,
            work_dir=config.work_dir,
            on_progress=lambda stage, done, total: say("spans", f"{stage} {done}/{total}"),
        )
    if "x835" in config.suites:
        from eval.x835 import run_x835

        say("x835", "parsing samples")
        report["suites"]["x835"] = run_x835(config.x835_dir)
    if "routing" in config.suites:
        from eval.routing import run_routing

        say("routing", "planning the phrasing datasets")
        report["suites"]["routing"] = run_routing(embedder)
    report["feedback"] = feedback_summary(settings)
    if config.baseline:
        if not config.baseline.exists():
            raise InputError(f"Baseline file not found: {config.baseline}")
        report["comparison"] = compare(
            report, json.loads(config.baseline.read_text(encoding="utf-8"))
        )
    report["thresholds"] = {
        "fail_under": config.fail_under,
        "failures": check_thresholds(report, config.fail_under),
    }
    write_reports(report, config.out)
    return report


def baseline_of(report: dict[str, Any], suite: str) -> dict[str, Any]:
    """The part of a report committed as ``eval/baselines/<suite>.json`` (metrics, no answers)."""
    res = report["suites"][suite]
    keep = {k: v for k, v in res.items() if k not in ("items", "files", "mismatches")}
    if suite in ("sample", "riverbend"):
        keep["failing_items"] = [i["id"] for i in res["items"] if not i["passed"]]
    return {"suites": {suite: keep}, "model": report.get("model"), "started": report.get("started")}
