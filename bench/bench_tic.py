"""Transparency-in-Coverage loader benchmark (prints figures; not a test).

    python bench/bench_tic.py --items 200000 --prices 5     # 1M prices, ~180 MB of JSON

Writes a synthetic in-network-rates file (CMS schema: provider references first, then
``in_network`` items of ``--prices`` negotiated prices each), loads it into an on-disk
warehouse with the real loader in a fresh process, and reports file size, load time,
rows/s and the loader process's peak RSS. Real payer files run to gigabytes, so the figure that
matters is how peak memory grows with the file: run two sizes and compare.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import resource, sys, time
from pathlib import Path
from assistant.settings import Settings
from assistant.stores.warehouse import open_warehouse
from ingest.loaders import load_file
conn = open_warehouse(Settings(data_dir=Path(sys.argv[2])))
t0 = time.perf_counter()
report = load_file(Path(sys.argv[1]), conn, Settings())
print(report.rows_loaded, time.perf_counter() - t0,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def write_file(path: Path, items: int, prices: int, seed: int = 1) -> None:
    """Stream a synthetic in-network-rates document to ``path``."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"reporting_entity_name": "Bench Health Plan", "reporting_entity_type": "issuer",'
                 ' "last_updated_on": "2026-10-01", "version": "1.3.1", "provider_references": [')
        fh.write(",".join(json.dumps({"provider_group_id": g, "provider_groups": [
            {"npi": [1000000000 + g * 10 + i for i in range(5)],
             "tin": {"type": "ein", "value": f"{g:02d}-{g * 7919 % 10_000_000:07d}"}}]})
            for g in range(1, 201)))
        fh.write('], "in_network": [')
        for i in range(items):
            code = f"{10000 + i % 89999:05d}"
            item = {"negotiation_arrangement": "ffs", "name": f"service {code}",
                    "billing_code_type": "CPT", "billing_code_type_version": "2026",
                    "billing_code": code, "description": f"service {code}",
                    "negotiated_rates": [{"provider_references": [rnd.randint(1, 200)],
                                          "negotiated_prices": [
                        {"negotiated_type": "negotiated",
                         "negotiated_rate": round(rnd.uniform(20, 900), 2),
                         "expiration_date": "9999-12-31", "billing_class": "professional"}
                        for _ in range(prices)]}]}
            fh.write(("," if i else "") + json.dumps(item))
        fh.write("]}")


def main() -> int:
    """Generate, load in a child process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200_000, help="in-network items")
    parser.add_argument("--prices", type=int, default=5, help="negotiated prices per item")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_in-network-rates.json"
        t0 = time.perf_counter()
        write_file(path, args.items, args.prices)
        size_mb = path.stat().st_size / 1e6
        print(f"wrote {size_mb:.0f} MB ({args.items:,} items x {args.prices} prices) "
              f"in {time.perf_counter() - t0:.1f} s", flush=True)
        out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(Path(tmp) / "data")],
                             check=True, capture_output=True, text=True).stdout.split()
        rows, seconds, rss = int(out[0]), float(out[1]), float(out[2])
        print(f"loaded {rows:,} prices in {seconds:.1f} s ({rows / seconds:,.0f} rows/s, "
              f"{size_mb / seconds:.1f} MB/s); loader process peak RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
