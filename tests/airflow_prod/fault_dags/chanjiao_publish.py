"""chanjiao_publish, exactly as shipped, beside the fault-injected chanjiao_ingest of this folder. Never deployed."""
from __future__ import annotations

import runpy

from chanjiao.settings import DAGS_DIR

runpy.run_path(str(DAGS_DIR / "chanjiao_publish.py"), run_name="chanjiao_publish_shipped")
