"""A province-scale month through the real chanjiao_ingest DAG, as production runs it.

    .venv/bin/python bench/airflow_ingest_bench.py 2000              # 2000 schools' workbooks + the register
    .venv/bin/python bench/airflow_ingest_bench.py 200 --chunk 50    # smaller, 50 files per ingest_chunk task

Airflow as in tests/airflow_prod: scheduler, dag-processor and api-server processes, LocalExecutor,
PostgreSQL metadata DB `chanjiao_airflow_bench` (dropped and created each run), the 1-slot pool
`chanjiao_warehouse`. The workbooks (鹤壁市's nine schools, then synthetic ones; 30–200 teachers and
12–30 cooperations each, names, ID-free 工号 and USCCs as schools fill them) are written into landing
before the clock starts; one run of chanjiao_ingest is triggered for the collection period and the clock
stops when every ingest run that started meanwhile has finished and landing is empty (a quarter-hour
scheduled run may share the work: the counts are over all runs). chanjiao_build stays paused, so only
ingest is measured. Prints progress, then files/s and rows/s (rows: the data rows loaded).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chanjiao.demo.factory.hebi import city_month  # noqa: E402
from ingestion.period import Period  # noqa: E402
from tests.airflow_prod.cluster import AirflowCluster, postgres_error  # noqa: E402

DATABASE = "chanjiao_airflow_bench"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("schools", type=int, nargs="?", default=2000, help="school workbooks (plus one register)")
    ap.add_argument("--chunk", type=int, default=100, help="files per ingest_chunk task (CHANJIAO_INGEST_CHUNK_FILES)")
    ap.add_argument("--timeout", type=float, default=4 * 3600)
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one, removed)")
    args = ap.parse_args()
    if error := postgres_error():
        sys.exit(error)
    work = args.keep or Path(tempfile.mkdtemp(prefix="chanjiao-airflowbench-"))
    period = str(Period.collecting())

    cluster = AirflowCluster(work, DATABASE, work / "chanjiao", extra_env={"CHANJIAO_INGEST_CHUNK_FILES": str(args.chunk)})
    with cluster:
        cluster.wait_parsed(["chanjiao_ingest"])
        cluster.unpause("chanjiao_ingest")
        time.sleep(15)  # the scheduled run unpausing may start finds landing empty
        cluster.wait_runs("chanjiao_ingest", len(cluster.runs("chanjiao_ingest")), timeout=600)

        started = time.perf_counter()
        files = city_month(cluster.chanjiao_home / "landing", period, args.schools)
        size = sum(f.stat().st_size for f in files)
        print(f"wrote {len(files)} workbooks ({size / 1e6:.0f} MB) for {period} in {time.perf_counter() - started:.0f} s; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)

        before = {r["run_id"] for r in cluster.runs("chanjiao_ingest")}
        clock = time.perf_counter()
        first = cluster.trigger("chanjiao_ingest", conf={"period": period})
        landing = cluster.chanjiao_home / "landing"
        while True:
            cluster.check_alive()
            runs = [r for r in cluster.runs("chanjiao_ingest") if r["run_id"] not in before]
            left = sum(1 for p in landing.rglob("*") if p.is_file())
            rows = cluster.query("select state, count(*) from task_instance where dag_id = 'chanjiao_ingest' and task_id = 'ingest_chunk' "
                                 "and run_id = any(%s) group by state", ([r["run_id"] for r in runs],))
            chunks = dict(rows)
            elapsed = time.perf_counter() - clock
            done_files = len(files) - left
            print(f"{elapsed:7.0f} s  files taken {done_files}/{len(files)} ({done_files / elapsed:.2f}/s)  "
                  f"chunks {chunks}  runs {[r['state'] for r in runs]}", flush=True)
            if runs and all(r["state"] in ("success", "failed") for r in runs) and left == 0:
                break
            if elapsed > args.timeout:
                sys.exit(f"not done within {args.timeout} s")
            time.sleep(10)
        wall = time.perf_counter() - clock
        failed = [r["run_id"] for r in runs if r["state"] != "success"]
        if failed:
            print(cluster.task_logs("chanjiao_ingest")[-20000:])
            sys.exit(f"runs failed: {failed}")
        outcomes = [o for r in runs for o in cluster.ingest_outcomes(r["run_id"])]
        taken = [o for o in outcomes if o["status"] != "vanished"]
        accepted = [o for o in taken if o["status"] == "accepted"]
        loaded_rows = sum(o["rows"] for o in accepted)
        durations = [d for (d,) in cluster.query("select extract(epoch from end_date - start_date) from task_instance "
                                                 "where dag_id = 'chanjiao_ingest' and task_id = 'ingest_chunk' and run_id = any(%s) "
                                                 "and state = 'success'", ([r["run_id"] for r in runs],))]
        print(f"\n{len(runs)} ingest run(s) ({first} triggered), {len(durations)} ingest_chunk tasks of ≤{args.chunk} files")
        print(f"files: {len(taken)} ({len(accepted)} accepted, {len(taken) - len(accepted)} not), rows loaded: {loaded_rows}")
        print(f"wall {wall:.0f} s: {len(taken) / wall:.2f} files/s, {loaded_rows / wall:.0f} rows/s")
        if durations:
            busy = float(sum(durations))
            print(f"ingest_chunk tasks: mean {busy / len(durations):.1f} s, sum {busy:.0f} s "
                  f"({100 * busy / wall:.0f}% of the wall time; the rest is scheduling and task start-up outside the pool slot)")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
