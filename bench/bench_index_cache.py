"""Saving and loading the retriever's local index (prints figures; not a test).

    python bench/bench_index_cache.py                   # 35,000 chunks
    python bench/bench_index_cache.py --chunks 100000

Builds a local index over synthetic chunks shaped like CUAD's (≈900 characters of
contract words drawn from the CUAD texts, 384-dim unit vectors, the usual metadata with
a few clause-type flags), then times building it, saving it (``index_cache.save_index``)
and loading it in a fresh process state (``index_cache.load_index``), and checks that a
search over the loaded index equals one over the built index.
Target (issue 18): load < 1 s at 35k chunks.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

CUAD = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cuad" / "contracts"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=35_000)
    args = ap.parse_args()
    import numpy as np

    from assistant import index_cache
    from assistant.local_index import ALL, LocalIndex
    from assistant.stores.vectors import StoredChunk

    words = " ".join(p.read_text(errors="replace") for p in sorted(CUAD.glob("*.txt"))[:40]).split()
    rnd = random.Random(1)
    vecs = np.random.default_rng(1).standard_normal((args.chunks, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = []
    for i in range(args.chunks):
        start = rnd.randrange(len(words) - 160)
        meta = {"doc_id": f"doc-{i // 70}", "title": f"Agreement {i // 70}",
                "payer_id": f"P{i % 12}", "doc_type": "contract", "effective_ord": 20240101,
                "section": f"{i % 30}.{i % 7}", "context": f"Agreement {i // 70} — Article {i % 9}",
                "page_start": 1 + i % 40, "page_end": 1 + i % 40, "char_start": 0,
                "char_end": 900, "chunk_index": i % 70, "content_hash": "x" * 64,
                "source_path": f"/data/contracts/agreement_{i // 70}.pdf",
                f"ct_{('timely_filing', 'termination', 'mfn', 'appeals')[i % 4]}": True}
        chunks.append(StoredChunk(f"c{i:06d}", " ".join(words[start:start + 150]), meta,
                                  vecs[i].tolist()))
    t = time.perf_counter()
    built = LocalIndex(chunks)
    print(f"build over {args.chunks} chunks: {time.perf_counter() - t:.2f} s")
    folder = Path(tempfile.mkdtemp(prefix="parley-index-"))
    t = time.perf_counter()
    index_cache.save_index(built, folder, "v1")
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"save: {time.perf_counter() - t:.2f} s, {size:.0f} MB")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        loaded = index_cache.load_index(folder, "v1")
        times.append(time.perf_counter() - t)
    assert loaded is not None
    print(f"load: {min(times):.2f} s (best of 3; {', '.join(f'{x:.2f}' for x in times)})")
    q = vecs[7].tolist()
    same = ([c.chunk_id for c, _ in built.nearest(q, 10, ALL)]
            == [c.chunk_id for c, _ in loaded.nearest(q, 10, ALL)])
    bm = np.allclose(built.scores("timely filing notice termination"),
                     loaded.scores("timely filing notice termination"))
    print(f"loaded index answers like the built one: vectors {same}, BM25 {bm}")


if __name__ == "__main__":
    main()
