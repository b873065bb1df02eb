"""The Airflow DAG chanjiao_publish, exactly as shipped, beside the fault-injected chanjiao_ingest of this
folder (Airflow's safe mode parses only files that name both words). Never deployed."""
from __future__ import annotations

import runpy

from chanjiao.settings import DAGS_DIR

runpy.run_path(str(DAGS_DIR / "chanjiao_publish.py"), run_name="chanjiao_publish_shipped")
