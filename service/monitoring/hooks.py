"""When the lists change: every transaction that grows the list-state counter also records when
it committed and what it was (an import run, or a request's key or user), and, once committed,
tells the engine's monitor to run the delta rescreen.

The monitor is found by the session's engine (:func:`register`), so the hooks serve every app
and worker process without Flask.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..models import ImportRun, ListCommit, utcnow
from ..records.actor import NOBODY, Actor
from ..records.common import listen_once

log = logging.getLogger(__name__)

_monitors: weakref.WeakKeyDictionary[Engine, Callable[[], None]] = weakref.WeakKeyDictionary()


def register(engine: Engine, notify: Callable[[], None]) -> None:
    """Call ``notify`` after every commit of a list change made through ``engine``."""
    _monitors[engine] = notify


def _before_commit(session: Session) -> None:
    runs = [o for o in session.new if isinstance(o, ImportRun)]
    # The commit's own flush comes after this hook: flush now so the change log is written
    # and the import run has its id.
    session.flush()
    counter = session.info.get("list_counter")
    if counter is None or session.info.get("monitoring_commit") == counter:
        return
    actor: Actor = session.info.get("actor") or NOBODY
    session.connection().execute(insert(ListCommit).values(
        counter=counter, committed_at=utcnow(), import_run_id=runs[0].id if runs else None, **actor.columns()))
    session.info["monitoring_commit"] = counter


def _after_commit(session: Session) -> None:
    if session.info.pop("monitoring_commit", None) is None:
        return
    try:
        bind: Any = session.get_bind()
    except Exception:  # an unbound session: nobody to tell
        return
    notify = _monitors.get(bind.engine if hasattr(bind, "engine") else bind)
    if notify is not None:
        try:
            notify()
        except Exception:  # the broker is down: the periodic poll catches up
            log.exception("could not start the monitoring delta run")


def _after_rollback(session: Session) -> None:
    session.info.pop("monitoring_commit", None)


def install_monitoring_hooks() -> None:
    listen_once(Session, [("before_commit", _before_commit), ("after_commit", _after_commit),
                          ("after_rollback", _after_rollback)])
