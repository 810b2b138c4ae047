"""The 835 suite on the real samples: hand-checked totals and the expected parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.runner import DEFAULT_SHARED
from eval.x835 import run_x835

DATA = DEFAULT_SHARED / "x12_835"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared x12 data not present")


def test_x835_suite_matches_hand_checked_totals() -> None:
    r = run_x835(Path(DATA))
    m = r["metrics"]
    assert m["hand_totals_match"] == 1.0
    assert r["lines_compared"] == 18
    # Every difference from edi-835-parser's expected parse has been checked by hand.
    assert m["expected_field_match_adjudicated"] == 1.0, [
        x for x in r["mismatches"] if not x["adjudicated"]
    ]
    # Every 835 loads (managed-care.835's unreadable BPR16 date is a warning); the 999
    # acknowledgment beside it is not a remittance.
    assert {f["file"] for f in r["files"] if f["status"] == "rejected"} == {
        "linuxforhealth/managed-care.835.997",
    }
