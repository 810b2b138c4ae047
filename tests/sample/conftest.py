"""One small sample practice per test session (generation takes about a second)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.sample.generate import generate

SMALL_LINES = 4000


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated sample practice (seed 7, 4,000 claim lines)."""
    out = tmp_path_factory.mktemp("sample") / "practice"
    generate(out, seed=7, n_lines=SMALL_LINES)
    return out


@pytest.fixture(scope="session")
def truth(sample_dir: Path) -> dict[str, Any]:
    """The parsed ground_truth.json."""
    return json.loads((sample_dir / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def claims(sample_dir: Path) -> list[dict[str, str]]:
    """Rows of data/claims.csv."""
    with (sample_dir / "data/claims.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def parse_835() -> Callable[[str], dict[str, Any]]:
    """The minimal 835 reader below, as a fixture."""
    return _parse_835


def _parse_835(text: str) -> dict[str, Any]:
    """A minimal 835 reader for tests: payment header and service lines."""
    segs = [s.strip().split("*") for s in text.split("~") if s.strip()]
    out: dict[str, Any] = {"bpr": None, "clp": [], "lines": []}
    claim: dict[str, Any] | None = None
    line: dict[str, Any] | None = None
    for s in segs:
        tag = s[0]
        if tag == "BPR":
            out["bpr"] = s
        elif tag == "CLP":
            claim = {"id": s[1], "status": s[2], "billed": float(s[3]), "paid": float(s[4]),
                     "pr": float(s[5]), "lines": []}
            out["clp"].append(claim)
        elif tag == "SVC" and claim is not None:
            line = {"claim": claim["id"], "code": s[1].split(":")[1], "billed": float(s[2]),
                    "paid": float(s[3]), "paid_units": int(s[5]),
                    "units": int(s[7]) if len(s) > 7 else int(s[5]), "cas": [],
                    "allowed": None, "dos": None, "ref": None}
            claim["lines"].append(line)
            out["lines"].append(line)
        elif tag == "DTM" and s[1] == "472" and line is not None:
            line["dos"] = s[2]
        elif tag == "CAS" and line is not None:
            rest = s[2:]
            for i in range(0, len(rest), 3):
                if len(rest) > i + 1 and rest[i]:
                    line["cas"].append((s[1], rest[i], float(rest[i + 1])))
        elif tag == "AMT" and s[1] == "B6" and line is not None:
            line["allowed"] = float(s[2])
        elif tag == "REF" and s[1] == "6R" and line is not None:
            line["ref"] = s[2]
    return out
