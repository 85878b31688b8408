"""Bulk CSV screening jobs: reading real-world CSV files (csvio, rows), the job steps
(runner), the job store the API uses (store) and where jobs run (executors, celery_app)."""
