"""What the Airflow DAGs in dags/ call: assets, chunking of landing, tasks, alerts (dags/README.md)."""
