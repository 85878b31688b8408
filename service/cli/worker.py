"""``sanctions worker``: a Celery worker for screening jobs."""

from __future__ import annotations

import os

import click

from .. import config as settings
from ..jobs.celery_app import make_celery
from ..monitoring.tasks import register_tasks
from ..monitoring.webhooks_runner import register_webhook_tasks
from .common import Fail


@click.command()
@click.option("--concurrency", "-c", type=int, default=1, show_default=True,
              help="Worker processes (each screens one part at a time and holds its own index).")
@click.option("--loglevel", default="info", show_default=True)
def worker(concurrency: int, loglevel: str) -> None:
    """Run a Celery worker for screening jobs and monitoring (SANCTIONS_JOB_BACKEND=celery, CELERY_BROKER_URL)."""
    if concurrency < 1:
        raise Fail("--concurrency must be at least 1")
    config = settings.load()
    celery = make_celery(config)
    register_tasks(celery, config)  # the same workers run the monitoring runs
    register_webhook_tasks(celery, config)  # and webhook delivery
    celery.worker_main(["worker", "--queues", config["JOB_QUEUE"], "--concurrency", str(concurrency),
                        "--loglevel", loglevel, "--without-gossip", "--without-mingle", "--without-heartbeat",
                        "--hostname", f"sanctions-{os.getpid()}@%h"])
