"""The intermittent ``partially initialized module 'torch' has no attribute 'Tensor'`` of a
brief (12). scipy.stats checks ``sys.modules['torch'].Tensor`` while it imports
(array-api-compat); a brief imported scipy.stats for the denial analysis on one thread
while its embedding thread was importing torch. Pinned two ways: the mechanism, and the
rule that a brief imports both on the calling thread before its worker thread starts."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _run(code: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def test_scipy_stats_fails_while_torch_is_half_imported() -> None:
    """The mechanism: a half-initialised ``torch`` in sys.modules breaks scipy.stats' import."""
    proc = _run("""
        import sys, types
        sys.modules["torch"] = types.ModuleType("torch")  # what another thread's import leaves
        try:
            from scipy.stats import binom
        except AttributeError as exc:
            print("RACE", exc)
    """)
    assert "RACE" in proc.stdout and "Tensor" in proc.stdout, proc.stdout + proc.stderr


def test_brief_imports_torch_and_scipy_on_the_calling_thread(practice: Any, tmp_path: Path) -> None:
    """Every import of torch and scipy.stats during a cold brief happens on the main thread."""
    from tests.connectors.conftest import practice_copy

    settings = practice_copy(practice, tmp_path)
    # The race needs the torch backend: an empty chunk store (a brief without clauses still
    # loads the model on its embedding thread), so no store embedded by another backend.
    shutil.rmtree(settings.chroma_path, ignore_errors=True)
    proc = _run(f"""
        import os, sys, threading, datetime as dt
        os.environ["PARLEY_EMBEDDING_BACKEND"] = "torch"  # the race needs torch
        seen = {{}}

        class Spy:
            def find_spec(self, name, path=None, target=None):
                if name in ("torch", "scipy.stats") and name not in seen:
                    seen[name] = threading.current_thread().name
                return None

        sys.meta_path.insert(0, Spy())
        from assistant.settings import Settings
        from assistant.briefs.build import build_brief
        settings = Settings(data_dir={str(settings.data_dir)!r}, environment="test",
                            as_of=dt.date.fromisoformat({practice.as_of.isoformat()!r}))
        build_brief(settings, "KHP", formats=("md",))
        print("SEEN", seen)
    """)
    assert "SEEN" in proc.stdout, proc.stderr[-3000:]
    seen = eval(proc.stdout.split("SEEN", 1)[1].strip())  # noqa: S307 (our own repr)
    assert seen == {"torch": "MainThread", "scipy.stats": "MainThread"}, seen
