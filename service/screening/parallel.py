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
from collections.abc import Generator, Iterable
from multiprocessing.pool import AsyncResult
from typing import TYPE_CHECKING, TypeVar

from .types import DEFAULT_THRESHOLD, Match, Subject

if TYPE_CHECKING:
    from .index import ScreeningIndex

T = TypeVar("T")

#: Below this many subjects a process pool costs more than it saves.
PARALLEL_MIN_BATCH = 500
#: Batches in flight per process: enough to keep each busy while the caller
#: works, few enough to bound memory.
IN_FLIGHT_PER_PROCESS = 3

# Set (under the lock) just before forking, so children inherit the index.
_FORK_LOCK = threading.Lock()
_FORK_STATE: tuple[ScreeningIndex, float, int] | None = None


def _screen_batch(subjects: list[Subject]) -> list[list[Match]]:
    assert _FORK_STATE is not None
    index, threshold, limit = _FORK_STATE
    return [index.screen(s, threshold=threshold, limit=limit) for s in subjects]


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


def _fork_pool(index: ScreeningIndex, threshold: float, limit: int, n: int) -> mp.pool.Pool:
    global _FORK_STATE
    with _FORK_LOCK:
        _FORK_STATE = (index, threshold, limit)
        try:
            return mp.get_context("fork").Pool(n, initializer=_child_start)
        finally:
            _FORK_STATE = None


def screen_batches(
    index: ScreeningIndex,
    batches: Iterable[tuple[T, list[Subject]]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    processes: int = 0,
) -> Generator[tuple[T, list[list[Match]]], None, None]:
    """``(tag, matches per subject)`` for each ``(tag, subjects)`` batch, in
    order. With ``processes > 0`` the batches are screened by that many forked
    processes while the caller consumes the results. Closing the generator early
    (a cancelled job) stops the processes."""
    if processes <= 0 or not can_fork():
        for tag, subjects in batches:
            yield tag, [index.screen(s, threshold=threshold, limit=limit) for s in subjects]
        return
    pool = _fork_pool(index, threshold, limit, processes)
    try:
        pending: deque[tuple[T, AsyncResult[list[list[Match]]]]] = deque()
        for tag, subjects in batches:
            pending.append((tag, pool.apply_async(_screen_batch, (subjects,))))
            if len(pending) >= processes * IN_FLIGHT_PER_PROCESS:
                first, result = pending.popleft()
                yield first, result.get()
        while pending:
            first, result = pending.popleft()
            yield first, result.get()
    finally:
        pool.terminate()
        pool.join()


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
