"""835 loading throughput (prints figures; not a test).

    python bench/bench_835.py                       # both shapes, default sizes
    python bench/bench_835.py --files 2500 --big-lines 1000000

Two shapes, as clearinghouses deliver them:

* a folder of many small remittance files (``--files``, each one payment of a few claims),
  loaded the way ``parley ingest`` loads a folder (``load_files``: batches of files per
  transaction, one file at a time again if a batch fails);
* one big file (``--big-lines`` service lines: many ST/SE transactions in one ISA).

Then the payer registry is rebuilt, which links the payments and derives the claim-line
model from them (``registry.rebuild``).
Reports service lines/s (wall clock, and per CPU-second of this process, which is the
comparable figure on a shared machine) for each shape, the refresh time, and this
process's peak RSS.
Target (issue 18): >= 50,000 service lines/s for both shapes, peak RSS < 2 GB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from pathlib import Path

PAYERS = (("CEDAR RIDGE HEALTH PLAN", "CRHP01"), ("SUMMIT VALLEY HEALTH", "SVH22"),
          ("GREAT LAKES COMMUNITY CARE", "GLCC7"))
CODES = (("99213", "110.00"), ("99214", "160.00"), ("97110", "65.00"), ("73721", "900.00"),
         ("20610", "180.00"))


def _claim(rnd: random.Random, n: int, lines: int) -> list[str]:
    segs = [f"CLP*C{n:09d}*1*{{billed}}*{{paid}}*20.00*12*P{n:012d}*11*1",
            f"NM1*QC*1*PATIENT*TEST****MI*M{rnd.randrange(10**8):08d}",
            "DTM*232*20260302", "DTM*233*20260302", "DTM*050*20260306"]
    billed = paid = 0.0
    for i in range(1, lines + 1):
        code, charge = CODES[rnd.randrange(len(CODES))]
        b = float(charge)
        p = round(b * 0.6, 2)
        billed += b
        paid += p
        segs += [f"SVC*HC:{code}*{b:.2f}*{p:.2f}**1", "DTM*472*20260302",
                 f"CAS*CO*45*{b - p - 20 / lines:.2f}", f"CAS*PR*2*{20 / lines:.2f}",
                 f"REF*6R*C{n:09d}-{i}", f"AMT*B6*{p + 20 / lines:.2f}"]
    segs[0] = segs[0].format(billed=f"{billed:.2f}", paid=f"{paid:.2f}")
    return segs


def _payment(rnd: random.Random, st: int, first_claim: int, claims: int,
             lines_per_claim: int) -> list[str]:
    name, ident = PAYERS[st % len(PAYERS)]
    body = ["BPR*I*1000.00*C*ACH*CCP*01*091000019*DA*1*1999999999**01*091000022*DA*2*20260320",
            f"TRN*1*TR{st:010d}*1999999999", "DTM*405*20260320", f"N1*PR*{name}*XV*{ident}",
            "N1*PE*RIVER CLINIC*XX*1234567893", "LX*1"]
    for c in range(claims):
        body += _claim(rnd, first_claim + c, lines_per_claim)
    return [f"ST*835*{st:04d}", *body, f"SE*{len(body) + 2}*{st:04d}"]


def _interchange(payments: list[list[str]], ctrl: int) -> str:
    head = ["ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*RIVERCLINIC    *260320*0800*^*"
            f"00501*{ctrl:09d}*0*P*:", f"GS*HP*CH*RC*20260320*0800*{ctrl}*X*005010X221A1"]
    segs = head + [s for p in payments for s in p] + [f"GE*{len(payments)}*{ctrl}",
                                                      f"IEA*1*{ctrl:09d}"]
    return "~\n".join(segs) + "~\n"


def write_small(folder: Path, files: int, seed: int = 1) -> int:
    """``files`` files of one payment each (8-24 claims of 1-3 lines, ~40 lines: the size
    of the sample practice's weekly remittances); returns lines."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total, claim = 0, 0
    for f in range(files):
        claims, per = rnd.randint(8, 24), rnd.randint(1, 3)
        (folder / f"remit_{f:05d}.835").write_text(
            _interchange([_payment(rnd, f + 1, claim, claims, per)], f + 1))
        claim += claims
        total += claims * per
    return total


def write_big(path: Path, lines: int, seed: int = 2) -> int:
    """One file of ``lines`` service lines: payments of 200 claims x 2 lines."""
    rnd = random.Random(seed)
    with path.open("w") as fh:
        done, st, claim = 0, 0, 0
        payments: list[list[str]] = []
        while done < lines:
            st += 1
            payments.append(_payment(rnd, st, claim, 200, 2))
            claim += 200
            done += 400
        fh.write(_interchange(payments, 1))
    return done


def _cpu() -> float:
    """User + system CPU seconds of this process so far (all threads, DuckDB's too)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=2500)
    ap.add_argument("--big-lines", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path)
    args = ap.parse_args()

    from assistant.settings import Settings
    from assistant.stores.registry import rebuild
    from assistant.stores.warehouse import open_warehouse
    from ingest.loaders import load_files

    work = args.work or Path(tempfile.mkdtemp(prefix="parley-bench835-"))
    t = time.perf_counter()
    small_lines = write_small(work / "small", args.files)
    big_lines = write_big(work / "big.835", args.big_lines) if args.big_lines else 0
    print(f"generated {args.files} small files ({small_lines} lines) and one file of "
          f"{big_lines} lines in {time.perf_counter() - t:.1f} s under {work}")

    for label, paths, n in (
        ("small files", sorted((work / "small").glob("*.835")), small_lines),
        ("one big file", [work / "big.835"] if big_lines else [], big_lines),
    ):
        if not paths:
            continue
        settings = Settings(data_dir=work / f"data-{label.replace(' ', '_')}",
                            patient_hash_key="bench-not-a-secret")  # type: ignore[call-arg]
        conn = open_warehouse(settings)
        t, cpu = time.perf_counter(), _cpu()
        reports = load_files(paths, conn, settings)
        secs, cpu = time.perf_counter() - t, _cpu() - cpu
        failed = [r for r in reports if isinstance(r, Exception)]
        loaded = conn.execute("SELECT count(*) FROM remit_lines").fetchone()[0]  # type: ignore[index]
        print(f"{label}: {len(paths)} files, {loaded} service lines in {secs:.2f} s = "
              f"{loaded / secs:,.0f} lines/s ({len(failed)} failed; expected {n}); "
              f"CPU {cpu:.2f} s user+sys = {loaded / cpu:,.0f} lines per CPU-second")
        t = time.perf_counter()
        rebuild(conn)  # the payer registry links the payments, then derives the claim lines
        lines = conn.execute("SELECT count(*) FROM claim_lines").fetchone()[0]  # type: ignore[index]
        print(f"  payer registry + claim-line model from the 835s: {lines} lines in "
              f"{time.perf_counter() - t:.2f} s")
        conn.close()
    print(f"peak RSS {_rss_mb():,.0f} MB; load average {os.getloadavg()[0]:.2f} "
          f"(the machine may be shared: compare CPU-seconds)")


if __name__ == "__main__":
    main()
