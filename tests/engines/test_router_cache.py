"""The fitted router is cached: a start-up with the cache neither imports scikit-learn nor
fits, and gives the same probabilities as the fitted model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.engines.router import SemanticRouter
from tests.ingest.helpers import real_embedder

QUESTIONS = ["whats northwind's timely filing", "did keystone underpay 99214 last quarter",
             "how much would we lose if we dropped blue summit", "MFN clause?"]


def test_the_cached_router_matches_the_fitted_one(tmp_path: Path) -> None:
    embedder = real_embedder()
    fitted = SemanticRouter(embedder, cache_dir=tmp_path)
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("router-*")) == [
        "clf", "embeddings"]
    loaded = SemanticRouter(embedder, cache_dir=tmp_path)
    from sklearn.linear_model import LogisticRegression

    matrix = np.load(next(tmp_path.glob("router-embeddings-*.npy")))
    labels = [c for c in fitted._classes]  # noqa: C416
    assert labels == loaded._classes
    for q in QUESTIONS:
        a, b = fitted.analyse(q), loaded.analyse(q)
        assert a[0].keys() == b[0].keys()
        for key in a[0]:
            assert a[0][key] == pytest.approx(b[0][key], abs=1e-9)
    # The softmax over the cached coefficients is scikit-learn's own predict_proba.
    import json

    from assistant.prompts import PROMPTS_DIR

    data = json.loads((PROMPTS_DIR / "router_exemplars.json").read_text())
    y = [k for k, ex in data.items() if not k.startswith("_") for _ in ex]
    model = LogisticRegression(C=16.0, max_iter=3000).fit(matrix, y)
    q = np.asarray([embedder.embed_query(QUESTIONS[0])])
    want = dict(zip(model.classes_, model.predict_proba(q)[0], strict=True))
    scores = fitted._coef @ q[0] + fitted._intercept
    got = np.exp(scores - scores.max())
    got /= got.sum()
    for cls, p in zip(fitted._classes, got, strict=True):
        assert p == pytest.approx(want[cls], abs=1e-6)


def test_a_start_with_the_cache_does_not_import_scikit_learn(tmp_path: Path) -> None:
    SemanticRouter(real_embedder(), cache_dir=tmp_path)
    code = ("import sys\nfrom assistant.embeddings import create_embedder\n"
            "from assistant.settings import Settings\n"
            "from assistant.engines.router import SemanticRouter\n"
            f"r = SemanticRouter(create_embedder(Settings()), cache_dir=__import__('pathlib')"
            f".Path({str(tmp_path)!r}))\n"
            "r.analyse('timely filing for northwind')\n"
            "print('sklearn' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
