"""Screening on several cores: forked processes that share the index.

Scoring is CPU-bound Python, so threads do not help. Processes forked from the
one holding the index get it without pickling or rebuilding (copy-on-write);
only the subjects go out and the matches come back. The caller keeps reading
input and writing results while the children screen, so a bulk job uses every
core.

Each child has its own pipe and is sent a batch only while it waits for one, so
neither side can block the other, and the children share no lock with the
parent or with each other: stopping them is a SIGKILL that always works. (A
``multiprocessing.Pool`` forked from a gunicorn worker did not stop: its children
inherited the worker's SIGTERM handler, so ``terminate()`` left them blocked on a
full result pipe and ``join()`` waited for ever, wedging the job thread.) The
children only ever run the task: no logging, database or files, which is what
makes forking from a threaded service safe here.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Generator, Iterable
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from .types import DEFAULT_THRESHOLD, Match, Subject

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

IndexT = TypeVar("IndexT")  # whatever the children inherit and the task reads
T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R")

#: Below this many subjects a process pool costs more than it saves.
PARALLEL_MIN_BATCH = 500
#: Batches screened but not yet consumed, per process: enough to keep each busy while the
#: caller works on an earlier result, few enough to bound memory.
IN_FLIGHT_PER_PROCESS = 3
#: How often an idle child checks that its parent is still there.
ORPHAN_CHECK_SECONDS = 1.0


class Screener(Protocol):
    """What the screening tasks need of an index (a :class:`~.index.ScreeningIndex`)."""

    def screen(self, subject: Subject, *, threshold: float = ..., limit: int = ...) -> list[Match]: ...


ScreenerT = TypeVar("ScreenerT", bound=Screener)


class ScreeningProcessError(RuntimeError):
    """A screening process failed or died; the batch it held is lost with it."""


def processes(workers: int) -> int:
    """``workers`` as a process count: -1 (or 0) means one per core."""
    return (os.cpu_count() or 1) if workers <= 0 else workers


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def _default_signals() -> None:
    # The parent may be a gunicorn worker or a CLI with handlers of its own (gunicorn's
    # SIGTERM handler only sets a flag): a child must die of the signals sent to stop it.
    for sig in signal.valid_signals():
        try:
            if callable(signal.getsignal(sig)):
                signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError, TypeError):
            continue


def _child_main(index: Any, task: Callable[[Any, Any], Any], conn: Connection,
                parent: int, setup: Callable[[Any], Any] | None) -> None:
    _default_signals()
    # Everything inherited goes to the permanent generation (a constant-time splice): the
    # child's garbage collector then never walks the index, which would cost time and
    # write to (so copy) every page of it.
    gc.freeze()
    if setup is not None:
        setup(index)
    while True:
        while not conn.poll(ORPHAN_CHECK_SECONDS):
            if os.getppid() != parent:  # the parent was killed: nobody will read our results
                os._exit(0)
        try:
            message = conn.recv()
        except EOFError:
            os._exit(0)
        if message is None:
            os._exit(0)
        seq, payload = message
        try:
            reply = (seq, True, task(index, payload))
        except Exception as exc:  # reported to the parent, which raises it there
            reply = (seq, False, f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class _Children:
    """``n`` processes forked now, each inheriting ``index`` and waiting for batches."""

    def __init__(self, index: Any, task: Callable[[Any, Any], Any], n: int,
                 setup: Callable[[Any], Any] | None = None) -> None:
        ctx = mp.get_context("fork")
        self.procs: dict[Connection, BaseProcess] = {}
        try:
            for _ in range(n):
                ours, theirs = ctx.Pipe()
                proc = ctx.Process(target=_child_main, args=(index, task, theirs, os.getpid(), setup),
                                   name="screening", daemon=True)
                proc.start()
                theirs.close()  # so that the child's death reads as EOF here
                self.procs[ours] = proc
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill and reap every child: they hold nothing of value between batches, and a
        SIGKILL cannot be caught, inherited away or blocked on a pipe."""
        for conn, proc in self.procs.items():
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            conn.close()
        self.procs.clear()


def map_batches(
    index: IndexT,
    batches: Iterable[tuple[T, P]],
    task: Callable[[IndexT, P], R],
    *,
    processes: int = 0,
    setup: Callable[[IndexT], object] | None = None,
) -> Generator[tuple[T, R], None, None]:
    """``(tag, task(index, payload))`` for each ``(tag, payload)``, in order. With
    ``processes > 0`` the tasks run in that many forked processes while the caller
    consumes the results (``task`` must be a module-level function; the payloads and
    results travel pickled, the index does not). ``setup(index)`` runs in each process
    before its first task (never in this one), on its own copy of the index. Closing the
    generator early (a cancelled job) or an error anywhere kills the processes before it
    returns."""
    if processes <= 0 or not can_fork():
        for tag, payload in batches:
            yield tag, task(index, payload)
        return
    children = _Children(index, task, processes, setup)
    try:
        source = iter(batches)
        tags: dict[int, T] = {}
        ready: dict[int, R] = {}
        idle = list(children.procs)
        busy: set[Connection] = set()
        sent = consumed = 0
        window = processes * IN_FLIGHT_PER_PROCESS
        exhausted = False
        while True:
            # Keep every idle child busy, within the window of results not yet consumed.
            while idle and not exhausted and sent - consumed < window:
                try:
                    tag, payload = next(source)
                except StopIteration:
                    exhausted = True
                    break
                conn = idle.pop()
                conn.send((sent, payload))
                busy.add(conn)
                tags[sent] = tag
                sent += 1
            while consumed in ready:
                value = ready.pop(consumed)
                yield tags.pop(consumed), value
                consumed += 1
            if not busy:
                if exhausted and consumed == sent:
                    return
                continue
            for ready_conn in wait(list(busy)):
                conn = cast(Connection, ready_conn)
                try:
                    seq, ok, value = conn.recv()
                except EOFError:
                    raise ScreeningProcessError(
                        f"a screening process ended unexpectedly (exit code {children.procs[conn].exitcode})"
                    ) from None
                if not ok:
                    raise ScreeningProcessError(f"screening failed in a worker process: {value}")
                busy.discard(conn)
                idle.append(conn)
                ready[seq] = value
    finally:
        children.stop()


def _screen_subjects(index: Screener, payload: tuple[list[Subject], float, int]) -> list[list[Match]]:
    subjects, threshold, limit = payload
    return [index.screen(s, threshold=threshold, limit=limit) for s in subjects]


def screen_batches(
    index: ScreenerT,
    batches: Iterable[tuple[T, list[Subject]]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    processes: int = 0,
    setup: Callable[[ScreenerT], object] | None = None,
) -> Generator[tuple[T, list[list[Match]]], None, None]:
    """``(tag, matches per subject)`` for each ``(tag, subjects)`` batch, in order (see
    :func:`map_batches`)."""
    payloads = ((tag, (subjects, threshold, limit)) for tag, subjects in batches)
    return map_batches(index, payloads, _screen_subjects, processes=processes, setup=setup)


def screen_many(
    index: ScreenerT,
    subjects: Iterable[Subject],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    workers: int = 1,
    setup: Callable[[ScreenerT], object] | None = None,
) -> list[list[Match]]:
    """Matches for each subject, as :meth:`~.index.ScreeningIndex.screen` in a loop
    would return them; large lists are split over ``workers`` processes (each runs
    ``setup(index)`` first: see :func:`map_batches`)."""
    subjects = list(subjects)
    n = processes(workers)
    if n <= 1 or len(subjects) < PARALLEL_MIN_BATCH:
        n = 1
    size = max(1, -(-len(subjects) // (n * 4)))
    batches = ((None, subjects[i : i + size]) for i in range(0, len(subjects), size))
    return [m for _, part in screen_batches(index, batches, threshold=threshold, limit=limit,
                                            processes=n if n > 1 else 0, setup=setup) for m in part]
