"""A province's month through the whole cycle, timed phase by phase in one run.

    .venv/bin/python bench/province.py                  # 河南 at scale 1: ~500 school workbooks, 60,000 firms
    .venv/bin/python bench/province.py --scale 2        # and scale 2 in the same run: the scaling ratio
    .venv/bin/python bench/province.py --airflow        # also the same month through the three DAGs

The month comes from the project's submissions factory (chanjiao.demo.factory.province_month): every
county of 河南 in force at the period, school workbooks of ~1,150 rows, one enterprise-return CSV, three
registers. Every file is valid, so everything read is loaded. Then, in one run:

- raw parse: python-calamine over every sheet of every workbook and the csv module over the CSV, one
  process — the ceiling no checked reader reaches;
- `chanjiao ingest`, `chanjiao build`, `chanjiao publish` as a user runs them (the CLI, in a fresh home);
- with --airflow, chanjiao_ingest → chanjiao_build (asset-triggered) → chanjiao_publish on LocalExecutor
  and a PostgreSQL metadata DB, as tests/airflow_prod runs Airflow.

Prints a table: seconds, ratio to the raw parse, rows/s, and the peak resident memory of each command's
whole process tree (sampled every 0.1 s: the command, its reader workers, dbt).
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chanjiao.demo import factory  # noqa: E402
from ingestion.period import Period  # noqa: E402

CLI = Path(sys.executable).with_name("chanjiao")
PAGE = os.sysconf("SC_PAGE_SIZE")
GOALS = {"ingest_ratio": 4.0, "build": 20.0, "publish": 5.0, "cycle": 40.0, "rss_gib": 2.0, "scale_ratio": 2.1, "airflow_ratio": 1.5}


def _session_rss(sid: int) -> int:
    """Resident bytes of every process in session `sid` (the command started with a session of its own)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if int(fields[3]) == sid:  # fields after the command name: state ppid pgrp session …
                with open(f"/proc/{entry.name}/statm", "rb") as fh:
                    total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue  # it ended while we looked
    return total


def timed(command: list[str], env: dict[str, str], log: Path) -> tuple[float, int]:
    """Wall seconds and the peak resident bytes of the command's process tree."""
    peak = 0
    with log.open("ab") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        done = threading.Event()

        def sample():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _session_rss(proc.pid))
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    if code not in (0,):
        sys.exit(f"{' '.join(command[1:3])} failed (exit {code}); its output is in {log}")
    return seconds, peak


def raw_parse(files: list[Path]) -> tuple[float, int]:
    """The ceiling: every cell of every sheet through python-calamine (the CSV through the csv module)."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    cells = 0
    for path in files:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                cells += sum(len(row) for row in csv.reader(fh))
            continue
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return time.perf_counter() - started, cells


def cli_cycle(month: factory.Month, work: Path, label: str) -> dict:
    home = work / f"home-{label}"
    env = {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": "bench-province-key"}
    env.pop("CHANJIAO_TASK_RETRIES", None)
    log = work / f"{label}.log"
    out = {}
    out["ingest"], out["ingest_rss"] = timed([str(CLI), "ingest", str(month.folder), "--period", month.period], env, log)
    print(f"  [{label}] ingest  {out['ingest']:6.1f} s", flush=True)
    out["build"], out["build_rss"] = timed([str(CLI), "build"], env, log)
    print(f"  [{label}] build   {out['build']:6.1f} s", flush=True)
    out["publish"], out["publish_rss"] = timed([str(CLI), "publish", "--period", month.period], env, log)
    print(f"  [{label}] publish {out['publish']:6.1f} s", flush=True)
    out["cycle"] = out["ingest"] + out["build"] + out["publish"]
    out["rss"] = max(out["ingest_rss"], out["build_rss"], out["publish_rss"])
    return out


def airflow_cycle(month: factory.Month, work: Path) -> float:
    """The same month through chanjiao_ingest → chanjiao_build → chanjiao_publish (LocalExecutor, PostgreSQL)."""
    from tests.airflow_prod.cluster import AirflowCluster, postgres_error

    if error := postgres_error():
        sys.exit(f"--airflow needs PostgreSQL: {error}")
    cluster = AirflowCluster(work / "airflow", "chanjiao_province_bench", work / "home-airflow")
    with cluster:
        cluster.wait_parsed(["chanjiao_ingest", "chanjiao_build", "chanjiao_publish"])
        landing = cluster.chanjiao_home / "landing"
        landing.mkdir(parents=True, exist_ok=True)
        for f in month.files:
            shutil.copy2(f.path, landing / f.path.name)
        cluster.unpause("chanjiao_build")
        started = time.perf_counter()
        ingest_run = cluster.trigger("chanjiao_ingest", conf={"period": month.period})
        cluster.wait_run("chanjiao_ingest", ingest_run, timeout=3600)
        cluster.wait_runs("chanjiao_build", 1, timeout=3600)
        build = cluster.runs("chanjiao_build")[-1]
        cluster.wait_run("chanjiao_build", build["run_id"], timeout=3600)
        publish_run = cluster.trigger("chanjiao_publish", conf={"period": month.period})
        cluster.wait_run("chanjiao_publish", publish_run, timeout=3600)
        return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, action="append", help="scales to run (default 1; give 1 and 2 for the ratio)")
    ap.add_argument("--airflow", action="store_true", help="also run the month (scale 1) through the DAGs")
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one, removed)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes writing the month (not timed)")
    args = ap.parse_args()
    scales = args.scale or [1.0]
    period = str(Period.collecting())
    work = args.keep or Path(tempfile.mkdtemp(prefix="chanjiao-province-"))
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; work in {work}", flush=True)
    results = {}
    try:
        for scale in scales:
            label = f"scale{scale:g}"
            month = factory.province_month(work / label / "landing", period, "410000", scale=scale, workers=args.workers)
            files = [f.path for f in month.files]
            size = sum(p.stat().st_size for p in files)
            print(f"{label}: {len(files)} files, {month.rows:,} data rows, {size / 1e6:.0f} MB written in {month.seconds:.0f} s", flush=True)
            raw, cells = raw_parse(files)
            print(f"  [{label}] raw calamine parse {raw:.1f} s ({cells:,} cells)", flush=True)
            if args.airflow and scale == scales[0]:
                kept = work / label / "for-airflow"
                shutil.copytree(month.folder, kept)
            result = cli_cycle(month, work / label, label)
            result.update(raw=raw, rows=month.rows, files=len(files))
            if args.airflow and scale == scales[0]:
                month.folder = kept
                result["airflow"] = airflow_cycle(month, work / label)
                print(f"  [{label}] airflow cycle {result['airflow']:.1f} s", flush=True)
            results[scale] = result
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print("\n| phase | " + " | ".join(f"scale {s:g}" for s in scales) + " | goal |")
    print("|---|" + "---|" * len(scales) + "---|")
    rows = [("raw python-calamine parse, one process", lambda r: f"{r['raw']:.1f} s", "—"),
            ("`chanjiao ingest` (read + gate + load)",
             lambda r: f"{r['ingest']:.1f} s = {r['ingest'] / r['raw']:.1f}× raw, {r['rows'] / r['ingest']:,.0f} rows/s",
             f"≤ {GOALS['ingest_ratio']:g}× raw"),
            ("`chanjiao build`", lambda r: f"{r['build']:.1f} s", f"≤ {GOALS['build']:g} s"),
            ("`chanjiao publish`", lambda r: f"{r['publish']:.1f} s", f"≤ {GOALS['publish']:g} s"),
            ("cycle", lambda r: f"{r['cycle']:.1f} s", f"≤ {GOALS['cycle']:g} s"),
            ("peak RSS (process tree)", lambda r: f"{r['rss'] / 2**30:.2f} GiB", f"< {GOALS['rss_gib']:g} GiB")]
    for name, cell, goal in rows:
        print(f"| {name} | " + " | ".join(cell(results[s]) for s in scales) + f" | {goal} |")
    first = results[scales[0]]
    if len(scales) > 1:
        last = results[scales[-1]]
        print(f"\nscale {scales[-1]:g} / scale {scales[0]:g}: cycle {last['cycle'] / first['cycle']:.2f}× "
              f"(goal ≤ {GOALS['scale_ratio']:g}× for scale 2)")
    if "airflow" in first:
        print(f"Airflow path {first['airflow']:.1f} s = {first['airflow'] / first['cycle']:.2f}× the CLI cycle (goal ≤ {GOALS['airflow_ratio']:g}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
