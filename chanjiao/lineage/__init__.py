"""Lineage of published numbers: from a value back to the models, loads, files and rows behind it.

- `trace`: `chanjiao trace` — definition, targets, dbt lineage, loads with their checks, source rows,
  and with `--compare-to` the reporting units whose contribution changed;
- `rebuild`: the release current at a past time rebuilt from the archive (`publish --as-of`, `trace --as-of`);
- `openlineage`: OpenLineage events of dbt, Airflow and ingest, to $CHANJIAO_HOME/lineage/.

The load ledger itself is raw.loads (chanjiao.ledger): append-only; marts.fct_load derives what
superseded what.
"""
