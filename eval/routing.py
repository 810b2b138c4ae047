"""Routing suite: does the offline planner send staff phrasings to the right analysis?

Each dataset row is ``{"want": label, "question": text}`` where ``label`` is an intent
(``rates``, ``denials`` ...), ``clause:<type>`` (a contract question about that clause
type) or ``refuse``. A row passes when the plan's first tool belongs to the wanted intent
(and, for clauses, a contract search asks for that clause type), or when the planner
refuses a ``refuse`` row and answers every other. The payer vocabulary is the sample
practice's (the phrasings name its payers); no warehouse or store is opened.

    python -m eval.routing eval/datasets/routing_*.jsonl [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DATASETS = sorted((Path(__file__).parent / "datasets").glob("routing_*.jsonl"))
AS_OF = dt.date(2026, 11, 27)


def sample_vocabulary() -> Any:
    """The sample practice's payers and codes, as the planner sees them."""
    from assistant.analytics.vocabulary import PayerInfo, Vocabulary
    from assistant.sample.facts import CODES, PAYERS

    return Vocabulary(
        payers=[PayerInfo(p.payer_id, p.name, p.plan_type, tuple(p.aliases)) for p in PAYERS],
        codes=sorted(c.code for c in CODES),
        descriptions={c.code: c.description for c in CODES},
    )


def load_rows(paths: list[Path]) -> list[dict[str, str]]:
    """Rows of the given JSONL files, each tagged with its file name."""
    rows: list[dict[str, str]] = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if not {"want", "question"} <= row.keys():
                    raise ValueError(f"{path}:{n}: a row needs 'want' and 'question'")
                rows.append({**row, "file": path.name})
    return rows


def judge(plan: Any, want: str) -> tuple[bool, str]:
    """(passed, what the planner did) for one plan."""
    from assistant.engines.planner import TOOL_INTENTS

    if plan.refusal or not plan.calls:
        return want == "refuse", f"refused ({plan.refusal})"
    first = plan.calls[0]
    got = TOOL_INTENTS.get(first["name"], "clause")
    if got == "clause" and set(first["args"].get("doc_types") or ()) <= {"note", "email"} \
            and first["args"].get("doc_types"):
        got = "notes"  # a search of negotiation notes and e-mails only
    if got == "clause":
        types = [c["args"].get("clause_type") for c in plan.calls if c["name"] == "contract_search"]
        did = f"clause:{','.join(str(t) for t in types if t) or '-'}"
        return want.startswith("clause:") and want.split(":", 1)[1] in types, did
    return got == want, got


def run_routing(embedder: Any, paths: list[Path] | None = None) -> dict[str, Any]:
    """Plan every row; accuracy overall, per file and per label, and the misses."""
    from assistant.engines.planner import Planner
    from assistant.engines.router import SemanticRouter

    rows = load_rows(paths or DATASETS)
    vocab = sample_vocabulary()
    planner = Planner(SemanticRouter(embedder), lambda: vocab)
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[dict[str, str]] = []
    for row in rows:
        ok, did = judge(planner.plan(row["question"], AS_OF, []), row["want"])
        label = row["want"].split(":")[0]
        for key in ("all", f"file:{row['file']}", f"label:{label}"):
            total[key] += 1
            passed[key] += ok
        if not ok:
            misses.append({"file": row["file"], "want": row["want"], "got": did,
                           "question": row["question"]})
    metrics = {"routing_accuracy": passed["all"] / max(total["all"], 1)}
    for key in sorted(total):
        if key != "all":
            metrics[f"accuracy/{key.split(':', 1)[1]}"] = passed[key] / total[key]
    return {"suite": "routing", "metrics": metrics, "n": total["all"], "misses": misses}


def main(argv: list[str] | None = None) -> int:
    """Print accuracy per file and label, and every miss."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="JSONL datasets (default: eval/datasets/routing_*)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    from assistant.embeddings import create_embedder
    from assistant.settings import Settings

    result = run_routing(create_embedder(Settings()), args.files or None)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name, value in result["metrics"].items():
        print(f"{name:40s} {value:6.1%}")
    print(f"\n{len(result['misses'])} misses of {result['n']}:")
    for m in result["misses"]:
        print(f"  [{m['file']}] want {m['want']:34s} got {m['got']:28s} {m['question']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
