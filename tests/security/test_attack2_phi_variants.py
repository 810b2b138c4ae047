"""Second attack pass: X12 patient segments pasted into a document in shapes the detector of
issue 15 (item 2) misses. ``ingest/discovery.py``'s ``_X12_PHI`` accepts only ``* | ^ : ~``
right after ``NM1`` and ``QC``/``IL``, upper case, no spaces; X12 lets the sender choose the
element separator (ISA's 4th character: ``!`` is seen in the wild), and text copied out of a
PDF viewer often has spaces around the separators. The segments below were stored in the
chunk store and the text cache, and ``parley ask`` quoted the patient's name and MRN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from ingest.job import IngestJob
from tests.security.test_ingest_attacks import _stored_text

VARIANTS = {
    "spaces around separators": "NM1 * QC * 1 * QUIMBY * ZELDA * * * * MR * MRN7777001",
    "bang separator": "NM1!QC!1!QUIMBY!XAVIER!!!!MR!MRN7777003",
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_pasted_patient_segment_variants_are_never_stored(
        practice: Any, tmp_path: Path, variant: str) -> None:
    segment = VARIANTS[variant]
    src = tmp_path / "src"
    src.mkdir()
    (src / "keystone-call.md").write_text(
        "# Keystone call notes\n\nPasted from the remittance viewer so we could check the "
        f"adjustment:\n\n{segment}\n\nFollow up with Keystone next week.\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", environment="test")
    IngestJob(settings, embedder=practice.embedder).run([src])
    stored = _stored_text(settings)
    mrn = segment.rsplit(segment[3], 1)[-1].strip()
    assert mrn not in stored and "QUIMBY" not in stored, stored[:500]
