"""End-to-end scoring of casual staff phrasings: routing, and the asked value in the answer.

Rows of ``eval/datasets/routing_staff_c.jsonl`` (and later held-out sets in its format):

    {"id", "question", "tools": [tool, ...], "alt": [tool, ...], "asked": kind,
     "expect": [spec, ...]}

``tools`` are the tools a right answer uses (``["refuse"]``: Parley must refuse); ``alt``
are tools that may stand in for the first one. Each ``expect`` spec names a figure resolved
from the practice's ``ground_truth.json`` (or its data files) when the suite runs, so the
set holds for any seed:

- ``{"term": "PAYER.term_key", "unit"?}``: the term in force on the reference date;
- ``{"deadline": "PAYER.field"}``: a date of the ``deadlines`` truth;
- ``{"fee": "PAYER.code"}``, ``{"medicare": "code"}``, ``{"top_fee_payer": "code"}``;
- ``{"planted": "kind.field", "unit"?}``, ``{"truth": "dotted.path", "unit"?}``,
  ``{"note": "notes_facts key", "unit"?}``, ``{"ratio": [path, path], "tol"?}`` (percent);
- ``{"paid_in": PAYER, "month": "YYYY-MM" | "YYYY-MM..YYYY-MM"}``: service-line payments
  by payment date (claims.csv ``paid_date``);
- ``{"any_text": [...]}``, ``{"number": n}``, ``{"kind": "money"}``, ``{"any_of": [spec...]}``.

An answer is end-to-end correct when it is not refused (or is, for ``refuse``) and every
spec is found in its text.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from eval.metrics import dates_in, figure_present, norm

UNIT_FORMATS = {"days": "days", "months": "months", "percent": "number", "money": "money",
                "count": "int", "share": "share_pct1", "date": "date", "text": "text"}


def load_staff_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of one staff-phrasing set (rows with ``tools``)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if not {"question", "tools"} <= row.keys():
                raise ValueError(f"{path}:{n}: a row needs 'question' and 'tools'")
            rows.append(row)
    return rows


class Truth:
    """The facts of one generated practice, looked up by the dataset's specs."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.data = json.loads((source / "ground_truth.json").read_text(encoding="utf-8"))
        self.as_of = dt.date.fromisoformat(self.data["reference_date"])
        self._claims: list[dict[str, str]] | None = None

    def path(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def term(self, payer: str, key: str) -> Any:
        rows = [t for t in self.data["terms"] if t["payer_id"] == payer and t["term"] == key
                and (t.get("effective_from") or "0000") <= self.as_of.isoformat()]
        rows.sort(key=lambda t: t.get("effective_from") or "")
        return rows[-1]["value"]

    def fee(self, payer: str, code: str) -> float:
        day = self.as_of.isoformat()
        rows = [f for f in self.data["fee_schedule"] if f["payer_id"] == payer and f["code"] == code
                and f["effective_from"] <= day and (not f.get("effective_to") or f["effective_to"] >= day)]
        return float(rows[-1]["rate"])

    def medicare(self, code: str) -> float:
        with (self.source / "data" / "medicare_benchmark.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["code"] == code:
                    return float(row["nonfacility_rate"])
        raise KeyError(code)

    def payer_name(self, payer: str) -> str:
        return next(p["name"] for p in self.data["payers"] if p["payer_id"] == payer)

    def paid_in(self, payer: str, months: str) -> float:
        if self._claims is None:
            with (self.source / "data" / "claims.csv").open(encoding="utf-8") as fh:
                self._claims = list(csv.DictReader(fh))
        first, _, last = months.partition("..")
        last = last or first
        return round(sum(float(r["paid"] or 0) for r in self._claims
                         if r["payer_id"] == payer and r["paid_date"]
                         and first <= r["paid_date"][:7] <= last), 2)

    def note(self, key: str) -> Any:
        return next(n["value"] for n in self.data["notes_facts"] if n["key"] == key)


def _fmt(spec: dict[str, Any], default: str) -> str:
    return UNIT_FORMATS.get(spec.get("unit", ""), default)


def check_spec(spec: dict[str, Any], text: str, truth: Truth) -> tuple[bool, str]:
    """(found, what was looked for) for one expectation spec."""
    if "any_of" in spec:
        results = [check_spec(s, text, truth) for s in spec["any_of"]]
        return any(ok for ok, _ in results), " or ".join(w for _, w in results)
    if "any_text" in spec:
        words = spec["any_text"]
        return any(norm(w) in norm(text) for w in words), "/".join(words)
    if "number" in spec:
        return figure_present(text, spec["number"], "number"), str(spec["number"])
    if "kind" in spec:
        return bool(re.search(r"\$\s?\d", text)), "a dollar amount"
    value: Any
    fmt = "number"
    if "term" in spec:
        payer, key = spec["term"].split(".", 1)
        value = truth.term(payer, key)
        fmt = _fmt(spec, "days")
    elif "deadline" in spec:
        payer, key = spec["deadline"].split(".", 1)
        value = next(d[key] for d in truth.data["deadlines"] if d["payer_id"] == payer)
        fmt = "date"
    elif "fee" in spec:
        payer, code = spec["fee"].split(".", 1)
        value, fmt = truth.fee(payer, code), "money"
    elif "medicare" in spec:
        value, fmt = truth.medicare(spec["medicare"]), "money"
    elif "top_fee_payer" in spec:
        code = spec["top_fee_payer"]
        payers = [p["payer_id"] for p in truth.data["payers"]]
        rates = {}
        for p in payers:
            try:
                rates[p] = truth.fee(p, code)
            except IndexError:
                continue
        value, fmt = truth.payer_name(max(rates, key=lambda p: rates[p])), "text"
    elif "planted" in spec:
        value = truth.path("planted." + spec["planted"])
        fmt = _fmt(spec, "text" if isinstance(value, str) else "number")
    elif "truth" in spec:
        value = truth.path(spec["truth"])
        fmt = _fmt(spec, "number")
    elif "note" in spec:
        value = truth.note(spec["note"])
        fmt = _fmt(spec, "number")
        if fmt == "date":
            return str(value) in dates_in(text), str(value)
    elif "ratio" in spec:
        num, den = (float(truth.path(p)) for p in spec["ratio"])
        want = 100 * num / den
        tol = float(spec.get("tol", 0.1))
        from eval.metrics import numbers_in

        return any(abs(n.value - want) <= tol for n in numbers_in(text)), f"{want:.1f}%"
    elif "paid_in" in spec:
        value, fmt = truth.paid_in(spec["paid_in"], spec["month"]), "money"
    else:
        raise ValueError(f"unknown expectation {spec}")
    if isinstance(value, bool):
        value, fmt = ("yes" if value else "no"), "text"
    return figure_present(text, value, fmt), f"{value}"


def score_row(row: dict[str, Any], answer: Any, truth: Truth) -> dict[str, Any]:
    """Routing and end-to-end verdicts for one answered row."""
    want = list(row["tools"])
    used = list(answer.tools_used)
    if want == ["refuse"]:
        ok = bool(answer.refused)
        return {"id": row["id"], "routing_ok": ok, "e2e_ok": ok, "tools": used, "missing": []}
    first_ok = want[0] in used or any(t in used for t in row.get("alt", []))
    routing_ok = first_ok and all(t in used for t in want[1:]) and not answer.refused
    missing = []
    for spec in row.get("expect", []):
        ok, what = check_spec(spec, answer.text, truth)
        if not ok:
            missing.append(what)
    return {"id": row["id"], "routing_ok": routing_ok, "e2e_ok": not missing and not answer.refused,
            "tools": used, "missing": missing}


def run_staff(assistant: Any, rows: list[dict[str, Any]], truth: Truth,
              keep_text: bool = True) -> dict[str, Any]:
    """Ask every row in its own thread; routing accuracy and end-to-end correctness."""
    results = []
    for row in rows:
        answer = assistant.ask(row["question"], as_of=truth.as_of)
        res = score_row(row, answer, truth)
        res["question"] = row["question"]
        if keep_text:
            res["answer"] = answer.text
        results.append(res)
    n = max(len(results), 1)
    return {
        "metrics": {
            "routing_accuracy": sum(r["routing_ok"] for r in results) / n,
            "e2e_correct": sum(r["e2e_ok"] for r in results) / n,
        },
        "n": len(results),
        "items": results,
    }


def run_staff_suite(settings: Any, embedder: Any, paths: list[Path], source: Path | None = None,
                    claims: int = 24000, seed: int = 7) -> dict[str, Any]:
    """Score staff sets end to end on the sample practice: ``source`` is an already ingested
    practice folder (``settings.data_dir`` holds its index), else one is generated and
    ingested into a temporary folder (about two minutes)."""
    import shutil
    import tempfile

    from assistant.factory import create_assistant

    tmp = None
    if source is None:
        from assistant.sample.generate import generate
        from ingest.job import run_ingest

        tmp = Path(tempfile.mkdtemp(prefix="parley-staff-"))
        source = tmp / "source"
        generate(source, seed=seed, n_lines=claims)
        settings = settings.model_copy(update={"data_dir": tmp / "data"})
        run_ingest(settings, [source], embedder=embedder)
    try:
        truth = Truth(source)
        assistant = create_assistant(settings, embedder=embedder)
        out: dict[str, Any] = {"suite": "staff_e2e", "model": assistant.model_name,
                               "metrics": {}, "n": 0, "items": []}
        for path in paths:
            res = run_staff(assistant, load_staff_rows(path), truth)
            for k, v in res["metrics"].items():
                out["metrics"][f"{k}/{path.name}"] = v
            out["n"] += res["n"]
            out["items"] += [{**r, "file": path.name} for r in res["items"]]
        n = max(out["n"], 1)
        out["metrics"]["routing_accuracy"] = sum(r["routing_ok"] for r in out["items"]) / n
        out["metrics"]["e2e_correct"] = sum(r["e2e_ok"] for r in out["items"]) / n
        return out
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
