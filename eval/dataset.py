"""The sample-practice golden set: loading items and resolving their expectations."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.metrics import display
from eval.truth import TruthError, clauses_for, resolve

DATASETS = Path(__file__).parent / "datasets"
SAMPLE_DATASET = DATASETS / "sample_practice.jsonl"


@dataclass
class ExpectedFigure:
    """One figure the answer must state."""

    path: str
    format: str
    value: Any

    @property
    def shown(self) -> str:
        """The figure as a person writes it."""
        if isinstance(self.value, list):
            return ", ".join(display(v, self.format) for v in self.value)
        return display(self.value, self.format)


@dataclass
class Item:
    """One question with its expectations resolved against the ground truth."""

    id: str
    question: str
    category: str
    expect: dict[str, Any]
    conversation: str | None = None
    figures: list[ExpectedFigure] = field(default_factory=list)
    clauses: list[dict[str, Any]] = field(default_factory=list)
    source_file: str | None = None
    period: tuple[str, str] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def must_refuse(self) -> bool:
        """The product must decline this question."""
        return bool(self.expect.get("refuse"))

    @property
    def injection(self) -> bool:
        """The question tries to get Parley to obey text planted in a document."""
        return bool(self.expect.get("injection"))


def load_items(path: Path = SAMPLE_DATASET) -> list[dict[str, Any]]:
    """Raw dataset rows, in file order (conversation turns stay in order)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path.name}: line {n}: {exc.msg}") from None
    return rows


def _period(name: str, as_of: dt.date) -> tuple[str, str]:
    """The date range a relative period means on ``as_of`` (computed here, not by Parley)."""
    if name == "last_quarter":
        q = (as_of.month - 1) // 3  # quarters completed this year
        year, q = (as_of.year, q) if q else (as_of.year - 1, 4)
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
        return start.isoformat(), end.isoformat()
    if name.startswith("last_") and name.endswith("_months"):
        months = int(name.split("_")[1])
        first = as_of.replace(day=1)
        y, m = divmod(first.month - 1 - months, 12)
        return dt.date(first.year + y, m + 1, 1).isoformat(), (
            first - dt.timedelta(days=1)
        ).isoformat()
    raise ValueError(f"unknown period '{name}'")


def resolve_item(row: dict[str, Any], truth: dict[str, Any]) -> Item:
    """Turn a dataset row into an ``Item`` with values from ``truth``."""
    exp = row.get("expect", {})
    item = Item(
        id=row["id"],
        question=row["question"],
        category=row.get("category", ""),
        expect=exp,
        conversation=row.get("conversation"),
    )
    for f in exp.get("figures", []):
        try:
            item.figures.append(ExpectedFigure(f["path"], f["format"], resolve(truth, f["path"])))
        except (TruthError, TypeError, ValueError) as exc:
            item.errors.append(f"figure path {f['path']}: {exc}")
    if c := exp.get("clause"):
        item.clauses = clauses_for(truth, c["payer_id"], c["clause_type"])
        if not item.clauses:
            item.errors.append(f"no ground-truth clause {c}")
    if sf := exp.get("source_file"):
        try:
            item.source_file = str(resolve(truth, sf))
        except TruthError as exc:
            item.errors.append(f"source path {sf}: {exc}")
    if p := exp.get("period"):
        item.period = _period(p, dt.date.fromisoformat(truth["reference_date"]))
    return item


def load_suite(truth: dict[str, Any], path: Path = SAMPLE_DATASET) -> list[Item]:
    """Every item of the dataset, resolved."""
    return [resolve_item(r, truth) for r in load_items(path)]
