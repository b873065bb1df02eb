"""Run the demo: generate 鹤壁市's month, then the monthly DAG for real through `airflow dags test`."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from chanjiao import warehouse
from chanjiao.settings import DAGS_DIR, Settings

log = logging.getLogger(__name__)
DAG_ID = "chanjiao_monthly"
RUN_DATE = "2026-11-05T08:00:00+08:00"  # the 5th: the release day for 2026-10
# A fixed key for the demo's synthetic people only; real deployments must set CHANJIAO_PII_KEY.
DEMO_PII_KEY = "chanjiao-demo-key-not-for-real-data"


def airflow_env(settings: Settings) -> dict[str, str]:
    """Airflow for the embedded demo: SQLite metadata DB under $CHANJIAO_HOME, our dags/ folder."""
    home = settings.airflow_home
    return {
        **os.environ,
        **settings.env(),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "CHANJIAO_TASK_RETRIES": os.environ.get("CHANJIAO_TASK_RETRIES", "0"),
    }


def _airflow(settings: Settings, *args: str) -> None:
    exe = Path(sys.executable).with_name("airflow")
    started = time.monotonic()
    result = subprocess.run([str(exe), *args], env=airflow_env(settings), stdout=sys.stderr, stderr=subprocess.STDOUT)
    log.info("airflow %s: exit %d in %.1f s", " ".join(args[:2]), result.returncode, time.monotonic() - started)
    if result.returncode != 0:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed with exit {result.returncode}; its output is above")


def run_dag(settings: Settings, period: str, run_date: str = RUN_DATE) -> None:
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    _airflow(settings, "db", "migrate")
    _airflow(settings, "dags", "test", DAG_ID, run_date, "--conf", f'{{"period": "{period}"}}')


def run_demo(settings: Settings, json_output: bool = False) -> dict:
    from chanjiao.demo.generate import CITY, PERIOD, generate
    from chanjiao.indicators import format_table, indicator_values

    if settings.pii_key is None:
        settings = Settings(home=settings.home, pii_key=DEMO_PII_KEY.encode())
    warehouse.init(settings)
    files = generate(settings.landing)
    log.info("wrote %d sample submissions for 鹤壁市 %s into %s", len(files), PERIOD, settings.landing)
    run_dag(settings, PERIOD)
    from chanjiao.status import collection_status

    # The demo month fills the sheets behind these two headline indicators; apprentices, graduates and
    # enterprise returns are left empty, so the other indicators would show zeros that mean nothing.
    rows = [r for r in indicator_values(settings, PERIOD)
            if r["region"][:4] == CITY[:4] and r["indicator"] in ("dual_teacher_ratio", "above_scale_participation_rate")]
    received = collection_status(settings, PERIOD)["submitters"]
    summary = (f"收到 {sum(r['received'] for r in received)} 个文件：{sum(r['accepted'] for r in received)} 个入库，"
               f"{sum(r['rejected'] for r in received)} 个退回（原因见 {settings.quarantine / PERIOD}），"
               f"{sum(r['duplicates'] for r in received)} 个重复")
    release = settings.publications / PERIOD
    table = f"鹤壁市 {PERIOD} 产教融合核心指标\n{summary}\n发布: {release}\n\n" + format_table(rows)
    return {"indicators": rows, "table": table}
