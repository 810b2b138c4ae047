"""The packaged MiniLM as an int8 ONNX model, run by onnxruntime without torch.

The first use exports the sentence-transformers model to ONNX (``torch.onnx.export``; the
only time torch is imported), quantises it dynamically to int8
(``onnxruntime.quantization.quantize_dynamic``, per-channel MatMul weights) and caches it under
``settings.onnx_cache_dir`` (default ``<data_dir>/cache/onnx``), keyed by a hash of the
model's files, so a changed model never reuses a stale export. Nothing is downloaded.
Later processes load the cached file: tokenising with the ``tokenizers`` library, mean
pooling over the attention mask and L2 normalisation reproduce sentence-transformers'
output for all-MiniLM-L6-v2 (cosine >= 0.98 against fp32 torch, see the tests).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from pathlib import Path
from threading import Lock
from typing import Any

from assistant.errors import ConfigError

log = logging.getLogger(__name__)

BACKEND = "onnx-int8"
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length
MAX_PARALLEL_RUNS = 4  # texts embedded at once at most (one core each)
EXPORT_WAIT_S = 600  # how long a process waits for another one's export of the model
MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json")


def model_key(model_dir: Path) -> str:
    """A short hash of the model's weights, configuration and tokenizer."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode())
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the OS has one, e.g. a container
    limited to some cores), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def export_int8(model_dir: Path, target: Path) -> None:
    """Export the transformer to ONNX and quantise it to int8 at ``target`` (atomic).
    The exporters' tracer warnings and progress bars are kept out of the user's output."""
    root = logging.getLogger()
    level = root.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root.setLevel(logging.ERROR)  # onnxruntime's quantiser logs advice at WARNING
        try:
            _export_int8(model_dir, target)
        finally:
            root.setLevel(level)


def _export_int8(model_dir: Path, target: Path) -> None:
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(model_dir))
    bert.eval()

    class _Encoder(torch.nn.Module):  # keyword arguments: forward()'s order varies by release
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    model = _Encoder()
    ids = torch.ones((2, 8), dtype=torch.long)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        axes = {0: "batch", 1: "tokens"}
        with torch.no_grad():
            torch.onnx.export(
                model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes,
                              "token_type_ids": axes, "last_hidden_state": axes},
                opset_version=17, dynamo=False)
        int8 = Path(tmp) / "model-int8.onnx"
        # Per-channel weights, MatMul only: cosine to fp32 >= 0.988 on contract text,
        # where the per-tensor default (embeddings included) gave 0.94.
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
        os.replace(int8, target)


class OnnxEmbedder:
    """Same interface as ``embeddings.Embedder``: normalised vectors, lazy model load."""

    backend = BACKEND

    def __init__(self, model_name: str, cache_dir: Path, batch_size: int = 1,
                 threads: int | None = None) -> None:
        self.model_name = model_name
        self.cache_dir = Path(cache_dir)
        self.batch_size = batch_size  # kept for the interface; ONNX runs one text at a time
        # Texts embedded at once, each run on one core: on this 2-core machine two one-thread
        # runs side by side gave 80 chunks/s where one run on two threads gave 44 (a single
        # ~200-token text is too small to split well across cores).
        self.threads = threads or min(usable_cpus(), MAX_PARALLEL_RUNS)
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = Lock()

    def _load(self) -> None:
        from assistant.model_files import resolve_model_path

        model_dir = Path(resolve_model_path(self.model_name))
        if not (model_dir / "tokenizer.json").is_file():
            raise ConfigError(f"Embedding model '{self.model_name}' has no tokenizer.json; "
                              "set PARLEY_EMBEDDING_BACKEND=torch for it")
        target = self.cache_dir / f"{model_dir.name}-{model_key(model_dir)}-int8.onnx"
        if not target.is_file():
            self._export(model_dir, target)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # parallel across texts instead (embed_array)
        opts.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(target), opts,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # a corrupt cache file: rebuild it next time
            target.unlink(missing_ok=True)
            raise ConfigError("The cached ONNX embedding model was unreadable and has been "
                              "removed; run the command again to rebuild it") from exc
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.no_padding()
        self._tokenizer = tok
        from assistant.model_files import quiet_blas

        quiet_blas()

    def _export(self, model_dir: Path, target: Path) -> None:
        """Export once across processes: a second process starting meanwhile (the HTTP
        server beside the Slack app, a second test worker) waits for the first's file."""
        from filelock import FileLock, Timeout

        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(target) + ".lock", timeout=EXPORT_WAIT_S):
                if target.is_file():
                    return
                log.info("exporting %s to int8 ONNX at %s (once)", self.model_name, target)
                export_int8(model_dir, target)
        except Timeout as exc:
            raise ConfigError("Another process has been exporting the embedding model for "
                              f"{EXPORT_WAIT_S} s; try again when it has finished") from exc
        except Exception as exc:  # export raises many library types
            raise ConfigError(f"Cannot export embedding model '{self.model_name}' to "
                              "ONNX; set PARLEY_EMBEDDING_BACKEND=torch") from exc

    def _ready(self) -> None:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._load()

    @property
    def dimension(self) -> int:
        """Embedding size."""
        return len(self.embed_query("dimension"))

    def _batch(self, texts: list[str]) -> Any:
        """Pooled, normalised vectors (thread-safe: onnxruntime releases the GIL)."""
        import numpy as np

        encs = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for i, e in enumerate(encs):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1
        hidden = self._session.run(["last_hidden_state"], {
            "input_ids": ids, "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)

    def embed_array(self, texts: list[str]) -> Any:
        """Embeddings as a float32 numpy array (rows in input order)."""
        import numpy as np

        self._ready()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        # One text per run: dynamic int8 quantisation scales activations over the whole
        # input, so a text batched with others (and their padding) came out different
        # (cosine 0.992 to itself alone); alone it is the same vector every time, and on
        # this CPU no slower than batches of 16 or 64. Texts run side by side on threads.
        if len(texts) == 1 or self.threads == 1:
            rows = [self._batch([text]) for text in texts]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(self.threads, thread_name_prefix="onnx-embed") as pool:
                rows = list(pool.map(lambda text: self._batch([text]), texts))
        return np.vstack(rows).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (normalised, so cosine = dot product)."""
        if not texts:
            return []
        return [row.tolist() for row in self.embed_array(texts)]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return self.embed_documents([text])[0]
