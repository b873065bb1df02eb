"""The Airflow assets that connect the three DAGs; defined once here, named in dags/README.md."""
from __future__ import annotations

from airflow.sdk import Asset

# Updated when an ingest run accepted at least one file: chanjiao_build is scheduled on it.
RAW = Asset(name="chanjiao_raw", uri="chanjiao://warehouse/raw", group="chanjiao")
# Updated when the marts were rebuilt and marts.duckdb replaced.
MARTS = Asset(name="chanjiao_marts", uri="chanjiao://warehouse/marts", group="chanjiao")
# Updated when a new release version was written under publications/P/vN/.
RELEASE = Asset(name="chanjiao_release", uri="chanjiao://publications/monthly", group="chanjiao")
