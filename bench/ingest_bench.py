"""How much of ingest time the quality gate takes, on the production path.

    .venv/bin/python bench/ingest_bench.py 200

Generates N school workbooks like the demo's with the submissions factory (rosters of 40–160 teachers,
12–30 cooperations) plus the city's register, ingests them into a fresh warehouse with `chanjiao ingest`'s own function, and
prints the seconds spent reading (archive + parse), gating (GX, one batch) and loading (one
transaction per file), the gate's share (target < 30%) and the per-file overhead of the gate.
A second, single-file run of a 100-row workbook gives the fixed cost a lone file pays.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chanjiao.app.ingest import ingest  # noqa: E402
from chanjiao.demo.factory import School, hebi, row_count, workbook, write  # noqa: E402
from chanjiao.settings import Settings  # noqa: E402

PERIOD = "2026-10"


def make_files(folder: Path, n: int) -> int:
    rng = random.Random(1)
    register = hebi.register(rng, PERIOD, 400)
    write("above_scale_register", folder / "register.xlsx", {"above_scale_enterprises": register})
    rows = len(register)
    for i in range(n):
        school = hebi.random_school(rng, i, name="测试学校{i}", levels=["中职", "高职专科"], teachers=(40, 160), dual=0.6)
        data = workbook(rng, school, register, PERIOD)
        write("school_workbook", folder / f"school_{i:04d}.xlsx", data)
        rows += row_count(data)
        if (i + 1) % 50 == 0:
            print(f"  generated {i + 1}/{n} workbooks", file=sys.stderr)
    return rows


def run(files: Path, home: Path) -> tuple[dict, float, int]:
    settings = Settings(home=home, pii_key=b"bench-key")
    timings: dict = {}
    started = time.perf_counter()
    outcomes = ingest(settings, [files], period=PERIOD, timings=timings)
    return timings, time.perf_counter() - started, len(outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of school workbooks")
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        print(f"generating {args.n} school workbooks…", file=sys.stderr)
        rows = make_files(tmp / "in", args.n)
        import great_expectations  # noqa: F401  (import cost is paid once per process, not per batch: keep it out of the figures)

        timings, total, files = run(tmp / "in", tmp / "home")
        print(f"files: {files}  rows: {rows}  cpus: {os.cpu_count()}")
        print(f"ingest total {total:.2f} s  ({rows / total:,.0f} rows/s)")
        for phase in ("read", "gate", "load"):
            print(f"  {phase:<5} {timings[phase]:7.2f} s  {timings[phase] / total:6.1%}")
        print(f"gate share of ingest time: {timings['gate'] / total:.1%} (target < 30%)")
        print(f"gate cost per file in the batch: {timings['gate'] / files * 1000:.1f} ms")

        one = tmp / "one"
        one.mkdir()
        rng = random.Random(2)
        school = School("4141099999", "单文件学校", "410611", "中职", 85, 0.6, 1500)
        data = workbook(rng, school, hebi.register(rng, PERIOD, 50), PERIOD)
        data["cooperations"] = data["cooperations"][:14]
        write("school_workbook", one / "one.xlsx", data)
        timings, total, _ = run(one, tmp / "home1")
        rows1 = row_count(data)
        print(f"single {rows1}-row file: total {total * 1000:.0f} ms, gate {timings['gate'] * 1000:.0f} ms, "
              f"read {timings['read'] * 1000:.0f} ms, load {timings['load'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
