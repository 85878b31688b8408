"""When webhook delivery runs, on the same executors as the rest of the background work.

- Embedded (the default): one thread of the service, started like the screening jobs' watchdog
  (``JOB_RECOVERY`` on and not under test), runs :func:`.webhooks_delivery.run_once` every
  ``WEBHOOK_POLL_INTERVAL`` seconds (the retry schedule's next attempts come due), and at once
  when a transaction that wrote outbox events commits. Sending waits on other servers, so it has
  its own thread rather than the monitoring runs' one: a slow receiver never delays an alert.
- Celery (``SANCTIONS_JOB_BACKEND=celery``): the same moments send one task to the jobs' queue,
  and ``sanctions worker`` runs it (the poll sends one only when something is due).

Either way the state is in the database (the outbox's flag, each delivery's status,
``next_attempt_at`` and claim), so any process picks up where another stopped, and nothing
waits in a broker for hours: a retry is a row whose time has come.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..models import WebhookOutbox
from ..periodic import Periodic
from ..records.common import listen_once
from .tasks import worker_context
from .webhooks_delivery import Delivering, WebhookSettings, run_once, work_waiting

log = logging.getLogger(__name__)

#: The Celery task (registered by :func:`register_webhook_tasks`).
WEBHOOKS_TASK = "sanctions.webhooks.deliver"

_kicks: weakref.WeakKeyDictionary[Engine, Callable[[], None]] = weakref.WeakKeyDictionary()


class WebhookRunner:
    """Runs delivery in this process's thread, or hands it to Celery (``send_task``)."""

    def __init__(self, ctx: Delivering, send_task: Callable[[], None] | None = None) -> None:
        self.ctx = ctx
        self._send_task = send_task
        self._loop = Periodic("webhooks", self._pass, failure="webhook delivery pass failed", level=logging.WARNING)

    def kick(self) -> None:
        """Events were committed or deliveries restarted: deliver now. Without a running loop
        (a command, a test) nothing happens here; the service's next poll delivers."""
        if self._send_task is not None:
            self._send_task()
        else:
            self._loop.wake()

    def run_once(self) -> tuple[int, int]:
        return run_once(self.ctx)

    def _pass(self) -> None:
        if self._send_task is None:
            run_once(self.ctx)
            return
        session = self.ctx.sessions()
        try:
            due = work_waiting(session, now=self.ctx.clock())
        finally:
            session.close()
        if due:
            self._send_task()

    def start(self, interval: float) -> None:
        self._loop.start(interval)

    def shutdown(self) -> None:
        self._loop.stop()


def _after_flush(session: Session, context: Any) -> None:
    if any(isinstance(obj, WebhookOutbox) and not obj.dispatched for obj in session.new):
        session.info["webhook_events"] = True


def _after_commit(session: Session) -> None:
    # The app's and the workers' sessions are bound to their engine (not to a connection).
    bind = session.bind
    if not session.info.pop("webhook_events", None) or not isinstance(bind, Engine):
        return
    kick = _kicks.get(bind)
    try:
        if kick is not None:
            kick()
    except Exception:  # the broker is down: the periodic poll catches up
        log.exception("could not start webhook delivery")


def _after_rollback(session: Session) -> None:
    session.info.pop("webhook_events", None)


def register_webhook_tasks(app: Any, config: dict[str, Any]) -> None:
    """Add the delivery task to a Celery app (``sanctions worker``). The worker shares the
    monitoring tasks' engine."""

    @app.task(name=WEBHOOKS_TASK)
    def deliver_task() -> None:
        ctx = worker_context(config)
        run_once(Delivering(sessions=ctx.sessions, settings=WebhookSettings.from_config(config)))


def init_webhooks(app: Any) -> WebhookRunner:
    """The app's runner (``app.extensions["webhooks"]``). ``app`` is the Flask app, used only
    for its config and extensions: this package stays free of Flask."""
    engine = app.extensions["sqlalchemy_engine"]
    sessions: sessionmaker[Session] = sessionmaker(bind=engine, expire_on_commit=False)
    ctx = Delivering(sessions=sessions, settings=WebhookSettings.from_config(app.config))
    send_task: Callable[[], None] | None = None
    if app.config["SANCTIONS_JOB_BACKEND"] == "celery":
        jobs, queue = app.extensions["screening_jobs"], app.config["JOB_QUEUE"]

        def send_task() -> None:
            jobs.celery.send_task(WEBHOOKS_TASK, queue=queue)

    runner = WebhookRunner(ctx, send_task)
    listen_once(Session, [("after_flush", _after_flush), ("after_commit", _after_commit),
                          ("after_rollback", _after_rollback)])
    _kicks[engine] = runner.kick
    app.extensions["webhooks"] = runner
    if app.config["JOB_RECOVERY"] and not app.testing and app.config["WEBHOOK_POLL_INTERVAL"] > 0:
        runner.start(app.config["WEBHOOK_POLL_INTERVAL"])
    return runner
