"""Bulk CSV screening: reading real-world CSV files (csvio, rows), the one screening pipeline
that job parts, ``/screen/csv`` and ``sanctions screen`` share (pipeline, evidence), the job
steps (runner) and who holds them (claims, context), the job store the API uses (store) and
where jobs run (executors, celery_app)."""
