"""Screening on several cores: forked processes that share the index.

Scoring is CPU-bound Python, so threads do not help. Processes forked from the
one holding the index get it without pickling or rebuilding (copy-on-write);
only the subjects go out and the matches come back. The caller keeps reading
input and writing results while the children screen, so a bulk job uses every
core.

The children only ever run :meth:`ScreeningIndex.screen`: no logging, database
or files, which is what makes forking from a threaded service safe here.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable
from multiprocessing.pool import AsyncResult
from typing import TYPE_CHECKING, TypeVar

from .types import DEFAULT_THRESHOLD, Match, Subject

if TYPE_CHECKING:
    from .index import ScreeningIndex

T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R")

#: Below this many subjects a process pool costs more than it saves.
PARALLEL_MIN_BATCH = 500
#: Batches in flight per process: enough to keep each busy while the caller
#: works, few enough to bound memory.
IN_FLIGHT_PER_PROCESS = 3

# Set (under the lock) just before forking, so children inherit the index.
_FORK_LOCK = threading.Lock()
_FORK_INDEX: ScreeningIndex | None = None


def _run_in_child(task: Callable[[ScreeningIndex, P], R], payload: P) -> R:
    assert _FORK_INDEX is not None
    return task(_FORK_INDEX, payload)


def processes(workers: int) -> int:
    """``workers`` as a process count: -1 (or 0) means one per core."""
    return (os.cpu_count() or 1) if workers <= 0 else workers


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def _child_start() -> None:
    # Everything inherited goes to the permanent generation (a constant-time splice): the
    # child's garbage collector then never walks the index, which would cost time and
    # write to (so copy) every page of it.
    gc.freeze()


def _fork_pool(index: ScreeningIndex, n: int) -> mp.pool.Pool:
    global _FORK_INDEX
    with _FORK_LOCK:
        _FORK_INDEX = index
        try:
            return mp.get_context("fork").Pool(n, initializer=_child_start)
        finally:
            _FORK_INDEX = None


def map_batches(
    index: ScreeningIndex,
    batches: Iterable[tuple[T, P]],
    task: Callable[[ScreeningIndex, P], R],
    *,
    processes: int = 0,
) -> Generator[tuple[T, R], None, None]:
    """``(tag, task(index, payload))`` for each ``(tag, payload)``, in order. With
    ``processes > 0`` the tasks run in that many forked processes while the caller
    consumes the results (``task`` must be a module-level function; the payloads and
    results travel pickled, the index does not). Closing the generator early (a
    cancelled job) stops the processes."""
    if processes <= 0 or not can_fork():
        for tag, payload in batches:
            yield tag, task(index, payload)
        return
    pool = _fork_pool(index, processes)
    try:
        pending: deque[tuple[T, AsyncResult[R]]] = deque()
        for tag, payload in batches:
            pending.append((tag, pool.apply_async(_run_in_child, (task, payload))))
            if len(pending) >= processes * IN_FLIGHT_PER_PROCESS:
                first, result = pending.popleft()
                yield first, result.get()
        while pending:
            first, result = pending.popleft()
            yield first, result.get()
    finally:
        pool.terminate()
        pool.join()


def _screen_subjects(index: ScreeningIndex, payload: tuple[list[Subject], float, int]) -> list[list[Match]]:
    subjects, threshold, limit = payload
    return [index.screen(s, threshold=threshold, limit=limit) for s in subjects]


def screen_batches(
    index: ScreeningIndex,
    batches: Iterable[tuple[T, list[Subject]]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    processes: int = 0,
) -> Generator[tuple[T, list[list[Match]]], None, None]:
    """``(tag, matches per subject)`` for each ``(tag, subjects)`` batch, in order (see
    :func:`map_batches`)."""
    payloads = ((tag, (subjects, threshold, limit)) for tag, subjects in batches)
    return map_batches(index, payloads, _screen_subjects, processes=processes)


def screen_many(
    index: ScreeningIndex,
    subjects: Iterable[Subject],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    workers: int = 1,
) -> list[list[Match]]:
    """Matches for each subject, as :meth:`ScreeningIndex.screen` in a loop
    would return them; large lists are split over ``workers`` processes."""
    subjects = list(subjects)
    n = processes(workers)
    if n <= 1 or len(subjects) < PARALLEL_MIN_BATCH:
        n = 1
    size = max(1, -(-len(subjects) // (n * 4)))
    batches = ((None, subjects[i : i + size]) for i in range(0, len(subjects), size))
    return [m for _, part in screen_batches(index, batches, threshold=threshold, limit=limit,
                                            processes=n if n > 1 else 0) for m in part]
