"""Routing suite: does the offline planner send staff phrasings to the right analysis?

A dataset row is ``{"want": label, "question": text}`` where ``label`` is an intent
(``rates``, ``denials`` ...), ``clause:<type>`` (a contract question about that clause
type) or ``refuse``. A row passes when the plan's first tool belongs to the wanted intent
(and, for clauses, a contract search asks for that clause type), or when the planner
refuses a ``refuse`` row and answers every other. The payer vocabulary is the sample
practice's (the phrasings name its payers); no warehouse or store is opened.

Rows in the staff format of ``eval/staff.py`` (``{"question", "tools", "alt"?, "expect"}``,
``routing_staff_c.jsonl``) pass when the plan calls every wanted tool (``alt`` may stand in
for the first). ``--e2e`` also asks them of the assistant over an ingested sample practice
and checks the asked value is in the answer (routing and end-to-end figures separately).

    python -m eval.routing eval/datasets/routing_*.jsonl [--json]
    python -m eval.routing --e2e eval/datasets/routing_staff_c.jsonl [--source DIR --data-dir DIR]
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


def load_rows(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows of the given JSONL files, each tagged with its file name."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if not ({"want", "question"} <= row.keys() or {"tools", "question"} <= row.keys()):
                    raise ValueError(f"{path}:{n}: a row needs 'want' (or 'tools') and 'question'")
                if "want" not in row:
                    row["want"] = "refuse" if row["tools"] == ["refuse"] else "+".join(row["tools"])
                rows.append({**row, "file": path.name})
    return rows


def judge_tools(plan: Any, row: dict[str, Any]) -> tuple[bool, str]:
    """A staff-format row: the plan calls every wanted tool (``alt`` for the first)."""
    names = [c["name"] for c in plan.calls] if not plan.refusal else []
    did = "+".join(dict.fromkeys(names)) or f"refused ({plan.refusal})"
    want = list(row["tools"])
    if want == ["refuse"]:
        return not names, did
    first = want[0] in names or any(t in names for t in row.get("alt", []))
    return bool(names) and first and all(t in names for t in want[1:]), did


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


def run_routing(embedder: Any, paths: list[Path] | None = None,
                cache_dir: Path | None = None) -> dict[str, Any]:
    """Plan every row; accuracy overall, per file and per label, and the misses. With
    ``cache_dir`` the router reads (or writes) its fitted classifier there, as the assistant
    does under ``<data_dir>/cache`` (keyed by the exemplar file, the model and C)."""
    from assistant.engines.planner import Planner
    from assistant.engines.router import SemanticRouter

    rows = load_rows(paths or DATASETS)
    vocab = sample_vocabulary()
    planner = Planner(SemanticRouter(embedder, cache_dir), lambda: vocab)
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[dict[str, str]] = []
    for row in rows:
        plan = planner.plan(row["question"], AS_OF, [])
        ok, did = judge_tools(plan, row) if "tools" in row else judge(plan, row["want"])
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
    parser.add_argument("--e2e", action="store_true",
                        help="ask staff-format rows end to end over the sample practice")
    parser.add_argument("--source", type=Path, help="--e2e: an ingested sample practice folder")
    parser.add_argument("--data-dir", type=Path, help="--e2e: the data dir it was ingested into")
    args = parser.parse_args(argv)
    from assistant.embeddings import create_embedder
    from assistant.settings import Settings

    settings = Settings()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    if args.e2e:
        from eval.staff import run_staff_suite

        paths = args.files or [p for p in DATASETS if p.name == "routing_staff_c.jsonl"]
        res = run_staff_suite(settings, create_embedder(settings), paths, args.source)
        if args.json:
            print(json.dumps(res, indent=2, default=str))
            return 0
        for name, value in res["metrics"].items():
            print(f"{name:48s} {value:6.1%}")
        for r in res["items"]:
            if not (r["routing_ok"] and r["e2e_ok"]):
                print(f"  [{r['id']}] routing={'ok' if r['routing_ok'] else 'MISS'} "
                      f"e2e={'ok' if r['e2e_ok'] else 'MISS'} tools={'+'.join(r['tools']) or '-'} "
                      f"missing={r['missing']} :: {r['question']}")
        return 0
    result = run_routing(create_embedder(settings), args.files or None)
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
