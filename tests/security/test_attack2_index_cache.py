"""Second attack pass: the one-shot ``parley ask`` over a damaged saved index.

``parley ask`` loads ``<data_dir>/index/local.{json,npz}`` while ``index/store.json`` says the
chunk store is unchanged. A damaged file must be treated as no saved index (rebuilt from the
chunk store), never as a failing tool: on 7990ed0 a truncated ``local.npz`` raises
``zipfile.BadZipFile`` and ``local.json`` holding a JSON list raises ``AttributeError``
(``assistant/index_cache.py``, ``_read_index`` catches only OSError, ValueError, KeyError;
a missing array or a short list raises outside the ``try``). Every question that searches
then answers "the contract_search step failed unexpectedly" with a traceback on stderr, and
so does every later run: nothing rewrites the damaged file.

Each case runs the real CLI in a subprocess over a private copy of the sample practice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.connectors.conftest import practice_copy

REPO = Path(__file__).resolve().parents[2]
QUESTION = "What's Keystone's timely-filing limit?"


def _ask(settings: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PARLEY_DATA_DIR": str(settings.data_dir),
           "PARLEY_AS_OF": str(settings.as_of), "PARLEY_ENVIRONMENT": "test",
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "assistant", "ask", QUESTION], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)


def _truncate_npz(index: Path) -> None:
    (index / "local.npz").write_bytes((index / "local.npz").read_bytes()[:1000])


def _json_list(index: Path) -> None:
    (index / "local.json").write_text("[]", encoding="utf-8")


def _npz_without_payer(index: Path) -> None:
    with np.load(index / "local.npz") as data:
        arrays = {k: data[k] for k in data.files if k != "payer"}
    with (index / "local.npz").open("wb") as fh:
        np.savez(fh, **arrays)


def _json_texts_short(index: Path) -> None:
    meta = json.loads((index / "local.json").read_text(encoding="utf-8"))
    meta["texts"] = meta["texts"][:-1]
    (index / "local.json").write_text(json.dumps(meta), encoding="utf-8")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated npz": _truncate_npz,
    "json list": _json_list,
    "npz without an array": _npz_without_payer,
    "json lists of unequal length": _json_texts_short,
}


@pytest.fixture(scope="module")
def clean(practice: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    """A practice copy whose saved index a first ``parley ask`` wrote; that run's answer."""
    settings = practice_copy(practice, tmp_path_factory.mktemp("index-clean"))
    first = _ask(settings)
    assert first.returncode == 0, first.stderr[-2000:]
    assert (settings.data_dir / "index" / "store.json").exists()
    return settings, first.stdout


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_saved_index_is_rebuilt_not_a_failing_tool(
        clean: tuple[Any, str], tmp_path: Path, damage: str) -> None:
    import shutil

    settings, expected = clean
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    mine = settings.model_copy(update={"data_dir": data})
    DAMAGE[damage](data / "index")
    for run in (1, 2):  # the second run must not inherit the damage either
        got = _ask(mine)
        assert got.returncode == 0, got.stderr[-2000:]
        assert "Traceback" not in got.stderr, (run, got.stderr[-1500:])
        assert "failed unexpectedly" not in got.stdout, (run, got.stdout)
        assert got.stdout == expected, (run, got.stdout, expected)


def test_unwritable_index_folder_answers_without_a_traceback(
        clean: tuple[Any, str], tmp_path: Path) -> None:
    """``<data_dir>/index`` is a file (a bad restore, a full or read-only disk): the answer
    is right, but every run printed three warnings with tracebacks (``save_index`` and
    ``_record`` log ``exc_info=True``) on 7990ed0. A warning line without a traceback, once."""
    import shutil

    settings, expected = clean
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    shutil.rmtree(data / "index")
    (data / "index").write_text("not a folder", encoding="utf-8")
    got = _ask(settings.model_copy(update={"data_dir": data}))
    assert got.returncode == 0 and got.stdout == expected, got.stderr[-1500:]
    assert "Traceback" not in got.stderr, got.stderr[-1500:]
