"""The forked screening processes always end: on close, on error, on a dead child, and
when the parent has a SIGTERM handler that does not exit (as a gunicorn worker has)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service.screening.parallel import ScreeningProcessError, map_batches


def _echo(index: Any, payload: int) -> int:
    return payload * 2


def _fail_on_seven(index: Any, payload: int) -> int:
    if payload == 7:
        raise ValueError("bad batch")
    return payload


def _die_on_five(index: Any, payload: int) -> int:
    if payload == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return payload


@pytest.fixture()
def gunicorn_like_sigterm() -> Iterator[None]:
    """A parent whose SIGTERM handler only sets a flag, like gunicorn's worker."""
    flag = threading.Event()
    old = signal.signal(signal.SIGTERM, lambda *_: flag.set())
    yield
    signal.signal(signal.SIGTERM, old)


def test_results_in_order_with_tags() -> None:
    out = list(map_batches(None, ((f"t{i}", i) for i in range(50)), _echo, processes=2))  # type: ignore[arg-type]
    assert out == [(f"t{i}", i * 2) for i in range(50)]
    assert multiprocessing.active_children() == []


def test_closing_early_ends_the_children_despite_a_parent_sigterm_handler(gunicorn_like_sigterm: None) -> None:
    gen = map_batches(None, ((i, i) for i in range(10_000)), _echo, processes=2)  # type: ignore[arg-type]
    assert next(gen) == (0, 0)
    children = multiprocessing.active_children()
    assert len(children) == 2
    gen.close()
    assert multiprocessing.active_children() == []
    assert all(not c.is_alive() for c in children)


def test_an_error_in_a_child_is_raised_and_ends_the_children(gunicorn_like_sigterm: None) -> None:
    with pytest.raises(ScreeningProcessError, match="bad batch"):
        list(map_batches(None, ((i, i) for i in range(100)), _fail_on_seven, processes=2))  # type: ignore[arg-type]
    assert multiprocessing.active_children() == []


def test_a_killed_child_is_an_error_not_a_hang() -> None:
    with pytest.raises(ScreeningProcessError, match="ended unexpectedly"):
        list(map_batches(None, ((i, i) for i in range(100)), _die_on_five, processes=2))  # type: ignore[arg-type]
    assert multiprocessing.active_children() == []


def test_an_error_in_the_consumer_ends_the_children() -> None:
    with pytest.raises(RuntimeError, match="consumer"):
        for tag, _ in map_batches(None, ((i, i) for i in range(10_000)), _echo, processes=2):  # type: ignore[arg-type]
            if tag == 3:
                raise RuntimeError("consumer")
    assert multiprocessing.active_children() == []


def test_a_stuck_job_thread_does_not_hold_up_the_steps_behind_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.jobs import executors

    release, ran = threading.Event(), []

    def fake_run_part(ctx: Any, job_id: int, number: int) -> None:
        if number == 0:
            release.wait(30)  # stuck: no heartbeat any more
        ran.append(number)

    monkeypatch.setattr(executors, "run_part", fake_run_part)
    monkeypatch.setattr(executors, "recoverable", lambda ctx, include_queued: ([], []))
    stuck: list[tuple[int, int]] = []
    monkeypatch.setattr(executors, "stuck_parts", lambda ctx: stuck)
    executor = executors.EmbeddedExecutor(ctx=None, threads=1)  # type: ignore[arg-type]
    for number in range(3):
        executor.submit_part(1, number)
    executor.submit_part(1, 1)  # already waiting here: not queued twice
    time.sleep(0.2)
    assert ran == []  # parts 1 and 2 wait behind the stuck one
    stuck.append((1, 0))  # its heartbeat is now stale
    executor.recover(include_queued=False)
    deadline = time.monotonic() + 5
    while sorted(ran) != [1, 2] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sorted(ran) == [1, 2]
    release.set()
    executor.shutdown()


def _mark(index: dict[str, int]) -> None:
    index["setup"] = index.get("setup", 0) + 1


def _setup_seen(index: dict[str, int], payload: int) -> tuple[int, int]:
    return os.getpid(), index.get("setup", 0)


def test_setup_runs_once_in_each_child_and_never_in_the_parent() -> None:
    index: dict[str, int] = {}
    out = [v for _, v in map_batches(index, ((i, i) for i in range(40)), _setup_seen, processes=2, setup=_mark)]
    assert {seen for _, seen in out} == {1}  # once per child, before its first batch
    assert len({pid for pid, _ in out} - {os.getpid()}) == 2
    assert index == {}  # each child marked its own copy
    # In this thread (no processes), the caller's index is left as it is.
    assert [v for _, v in map_batches(index, [(0, 0)], _setup_seen, processes=0, setup=_mark)] == [(os.getpid(), 0)]
