"""The column-wise 835 parser gives what the earlier row-by-row parser gave.

``reference_835.py`` is the parser as it was before issue 18's rewrite. On every real
sample, on the Riverbend practice's clearinghouse files, on generated big files read in
parts (streaming flush, small read blocks) and on a few hundred corrupted copies (bad
amounts and dates, missing and repeated segments, unknown transaction sets), both must
produce the same rows (amounts as ``Decimal``, dates as ``date``), the same warnings, and
the same error naming the same segment.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ingest.loaders.x12_835 as live
from assistant.errors import IngestError
from assistant.settings import Settings
from tests.loaders import reference_835 as reference

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "x12_835"
SAMPLES = sorted(p for p in DATA.glob("*/*")
                 if p.is_file() and "LICENSE" not in p.name and p.suffix != ".csv")
JUNK = ("", "x", "8x0", "2026", "20261301", "260231", "1e5", "NaN", " 12 ", "-", "HC",
        "HC:99213:25:59", "CO", "ZZ", "835", "999", "~", "*", ":", "1_0")
TAGS = ("SVC", "CAS", "CLP", "SE", "ST", "DTM", "LQ", "PLB", "NM1", "AMT", "REF", "N1",
        "BPR", "TRN")


@pytest.fixture()
def settings() -> Settings:
    return Settings(patient_hash_key="reference-key")  # type: ignore[arg-type]


def _outcome(parse: Callable[..., Any], path: Path, settings: Settings,
             parts: bool = False) -> object:
    """Every part's rows and warnings, or the error's text."""
    got: list[Any] = []
    try:
        last = parse(path, settings, flush=got.append if parts else None)
    except IngestError as exc:
        return ("error", str(exc))
    got.append(last)
    # repr: a NaN amount (Decimal('NaN') != itself) still compares equal.
    return repr([(r.payments, r.claims, r.lines, r.adjustments, r.provider_adjustments,
                  list(r.warnings)) for r in got])


def _same(path: Path, settings: Settings, parts: bool = False) -> None:
    assert _outcome(live.parse_835, path, settings, parts) == \
        _outcome(reference.parse_835, path, settings, parts), path.name


@pytest.mark.skipif(not DATA.is_dir(), reason="shared x12 data not present")
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_real_samples_parse_as_before(path: Path, settings: Settings) -> None:
    _same(path, settings)


def test_riverbend_remittances_parse_as_before(riverbend_dir: Path, settings: Settings) -> None:
    files = sorted((riverbend_dir / "era").rglob("*.835"))
    assert len(files) > 50
    for path in files:
        _same(path, settings)


def _corrupt(text: str, rnd: random.Random) -> str:
    segs = text.split("~")
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(segs))
        els = segs[i].split("*")
        op = rnd.random()
        if op < 0.5 and len(els) > 1:
            j = rnd.randrange(1, len(els) + 3)
            els += [""] * (j + 1 - len(els))
            els[j] = rnd.choice(JUNK)
        elif op < 0.65:
            els = els[:rnd.randrange(1, len(els) + 1)]
        elif op < 0.8:
            segs.insert(i, rnd.choice(segs))
            continue
        elif op < 0.9:
            del segs[i]
            continue
        else:
            els[0] = rnd.choice(TAGS)
        segs[i] = "*".join(els)
    return "~".join(segs)


def test_corrupted_files_fail_or_load_as_before(riverbend_dir: Path, tmp_path: Path,
                                                settings: Settings) -> None:
    rnd = random.Random(18)
    sources = sorted((riverbend_dir / "era").rglob("*.835"))[:20] + [
        p for p in SAMPLES if p.stat().st_size < 50_000]
    errors = 0
    for k in range(300):
        path = tmp_path / f"m{k}.835"
        path.write_text(_corrupt(rnd.choice(sources).read_text(errors="replace"), rnd))
        outcome = _outcome(reference.parse_835, path, settings)
        errors += isinstance(outcome, tuple)
        assert _outcome(live.parse_835, path, settings) == outcome, path.read_text()[:400]
    assert 20 < errors < 280  # both outcomes were exercised


def test_a_big_file_read_in_blocks_and_flushed_in_parts_as_before(
        riverbend_dir: Path, tmp_path: Path, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # One interchange of many transactions; tiny read blocks (multi-byte characters and
    # terminators fall across block edges) and a flush every 40 service lines.
    bodies = []
    for path in sorted((riverbend_dir / "era").rglob("*.835"))[:15]:
        text = path.read_text()
        st, ge = text.index("ST*835"), text.rindex("GE*")
        bodies.append(text[st:ge])
    head = sorted((riverbend_dir / "era").rglob("*.835"))[0].read_text()
    big = tmp_path / "big.835"
    big.write_text(head[:head.index("ST*835")] + "".join(bodies).replace(
        "NM1*QC*1*", "NM1*QC*1*Ünïcødé ") + "GE*1*1~IEA*1*000000001~")
    monkeypatch.setattr(live, "SPLIT_BLOCK", 97)
    monkeypatch.setattr(live, "FLUSH_LINES", 40)
    monkeypatch.setattr(reference, "FLUSH_LINES", 40)
    parts: list[Any] = []
    live.parse_835(big, settings, flush=parts.append)
    assert len(parts) > 3
    _same(big, settings, parts=True)


def test_the_benchmark_files_parse_as_before(tmp_path: Path, settings: Settings) -> None:
    from bench.bench_835 import write_big, write_small

    write_small(tmp_path / "small", 40)
    for path in sorted((tmp_path / "small").glob("*.835")):
        _same(path, settings)
    write_big(tmp_path / "big.835", 2_000)
    _same(tmp_path / "big.835", settings)
