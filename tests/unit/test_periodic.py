"""The background round shared by the job watchdog, the monitoring poller and webhooks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest

from service.periodic import Periodic


def _wait_for(test: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(0.01)
    return False


def test_runs_at_once_then_when_woken_and_not_after_stop() -> None:
    rounds: list[float] = []
    loop = Periodic("t-periodic", lambda: rounds.append(time.monotonic()), failure="round failed")
    loop.start(60.0)
    assert _wait_for(lambda: len(rounds) == 1)
    loop.wake()  # the interval is a minute: only the wake can bring the second round
    assert _wait_for(lambda: len(rounds) == 2)
    loop.stop()
    time.sleep(0.1)
    loop.wake()
    time.sleep(0.1)
    assert len(rounds) == 2
    assert loop._thread is not None and not loop._thread.is_alive()


def test_wait_first_delays_the_first_round() -> None:
    rounds: list[int] = []
    loop = Periodic("t-periodic", lambda: rounds.append(1), failure="round failed", wait_first=True)
    loop.start(60.0)
    time.sleep(0.2)
    assert rounds == []
    loop.wake()
    assert _wait_for(lambda: rounds == [1])
    loop.stop()


def test_a_failed_round_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database down")

    caplog.set_level(logging.WARNING, logger="service.periodic")
    loop = Periodic("t-periodic", work, failure="delivery pass failed", level=logging.WARNING)
    loop.start(0.01)
    assert _wait_for(lambda: len(calls) >= 2)
    loop.stop()
    assert "delivery pass failed: database down" in caplog.text


def test_start_twice_starts_one_thread() -> None:
    loop = Periodic("t-periodic-once", lambda: None, failure="x")
    loop.start(60.0)
    first = loop._thread
    loop.start(60.0)
    assert loop._thread is first
    loop.stop()
