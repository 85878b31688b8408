"""A background round that repeats: the job recovery watchdog, the monitoring poller and the
webhook delivery loop each run one in a daemon thread of the service.

A round that fails (no tables yet, the database or the broker down) is logged and the next
one tries again: these loops are how the service catches up after an outage, so they must
outlive it. Standard library only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs ``work`` every ``interval`` seconds (from :meth:`start`) in a daemon thread named
    ``name``, at once when woken (:meth:`wake`), until :meth:`stop`. ``wait_first``: the
    first round comes after one interval instead of at once. A failed round is logged at
    ``level`` as ``failure``."""

    def __init__(self, name: str, work: Callable[[], object], *, failure: str,
                 wait_first: bool = False, level: int = logging.DEBUG) -> None:
        self.name = name
        self._work = work
        self._failure = failure
        self._wait_first = wait_first
        self._level = level
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, interval: float) -> None:
        """Start the thread (once: a second call does nothing)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, args=(interval,), name=self.name, daemon=True)
        self._thread.start()

    def _loop(self, interval: float) -> None:
        if self._wait_first and self._pause(interval):
            return
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                self._work()
            except Exception as exc:  # the next round tries again
                log.log(self._level, "%s: %s", self._failure, exc)
            if self._pause(interval):
                return

    def _pause(self, interval: float) -> bool:
        """Wait for the next round; True when stopped meanwhile."""
        self._wake.wait(interval)
        return self._stopped.is_set()

    def wake(self) -> None:
        """Run the next round now (without a started thread: nothing)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
