"""Building the lists' screening index from the records, on two cores when the lists are big.

A build is three kinds of work: reading the entities (rows into engine objects), preparing
their names (tokens, transliteration: :func:`~service.screening.index.prepared_slots`), and
indexing them. Each of the three took about a third of a million entities' build on one core.
The first two are pure work on each entity, so for a big list a helper process does them,
part by part, while this process indexes the parts already sent; whenever it would wait, it
takes a later part from the helper and reads and prepares that one itself. The index is the
one :meth:`ScreeningIndex.build` makes alone, slot for slot (a million entities: 104 s alone,
60 s so).

The helper is a fresh interpreter (``python -m service.records.index_build``), not a fork:
the caller may be a threaded worker, and a forked child would inherit its locks. It reads
with a connection of its own, gets the database URL on its stdin (not on its command line,
where ``ps`` shows it), and writes length-prefixed pickles on its stdout. It dies with the
build: killed if the build fails or stops, and it stops by itself when its stdout closes.
It prepares the entities with Han names too, though their readings load pypinyin's and
pykakasi's dictionaries (about 170 MB) into it, a second copy of those the building process
holds for queries: left to the building process, they made it the slower of the two (a million
entities: 70 s against 65 s, the helper's peak 190 MB against 355 MB).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy.orm import Session

from ..screening import ScreeningIndex
from ..screening.collector import collector_paused
from ..screening.index import PreparedPart, prepare_part
from .engine import make_engine
from .listed import READ_PART, iter_listed_entities, listed_count, listed_part, listed_part_bounds

__all__ = ["PARALLEL_MIN", "IndexBuildError", "build_lists_index"]

#: Fewest live entities for which the build takes a helper process: starting one (a fresh
#: interpreter importing the engine) costs about a second, a build of this many ~5 s alone.
PARALLEL_MIN = 50_000
_HEADER = struct.Struct("<Q")
#: Parts this process reads ahead of the one it indexes, at most, while the helper is behind.
AHEAD = 2
# A part number this process takes from the helper, as sent on the helper's stdin (4 bytes:
# a pipe writes that much at once, so a read never splits one).
_TAKEN = struct.Struct("<i")
#: What the helper process runs (``python -m``).
HELPER_MODULE = __name__


class IndexBuildError(RuntimeError):
    """The helper process of a build failed or died."""


def build_lists_index(session: Session, *, parallel_min: int = PARALLEL_MIN,
                      part: int = READ_PART) -> ScreeningIndex:
    """Every live listed entity, indexed with the collector paused and then frozen out of its
    reach (see :mod:`service.screening.collector`); with a helper process from ``parallel_min``
    entities on, where the machine has a second core and the database can be opened twice."""
    url = session.get_bind().engine.url
    helper = (
        _Helper(url.render_as_string(hide_password=False), part)
        if (os.cpu_count() or 1) > 1 and not _in_memory(url) and listed_count(session) >= parallel_min
        else None
    )
    if helper is None:
        with collector_paused(collect=True):
            return ScreeningIndex.build(iter_listed_entities(session=session, part=part))
    # No collection before the freeze: a pass over a million entities' objects took 5 s, for
    # the little cyclic garbage of the database driver reading the few parts taken here.
    try:
        with collector_paused(collect=False):
            return ScreeningIndex.build_parts(helper.received(session))
    finally:
        helper.stop()


def _in_memory(url: Any) -> bool:
    return bool(url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


# --- this process ---------------------------------------------------------------------------

class _Helper:
    """The helper process, started with the URL to read and the part size."""

    def __init__(self, url: str, part: int) -> None:
        # Its stderr goes to a file, read only if it fails: a pipe nobody reads could fill and
        # stall it.
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", HELPER_MODULE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err, bufsize=0)
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):  # it died at once: received() reports how
            _write_message(self.proc.stdin, (url, part))

    def received(self, session: Session) -> Iterator[PreparedPart]:
        """The parts in id order, prepared by the helper or here (read on ``session``).

        Whenever this process would wait for the helper's part, it takes a later part the
        helper has not started (telling it so), and reads and prepares it meanwhile, up to
        ``AHEAD`` parts beyond the one it waits for. How the work splits thus follows what
        each process has to do on this machine (the database server's share of the cores
        too), not a ratio."""
        assert self.proc.stdout is not None
        bounds: list[tuple[int, int]] = self._next()[1]
        pending: dict[int, PreparedPart] = {}
        taken: set[int] = set()
        heard = -1  # the last part the helper sent or left: it works on the next one
        for k in range(len(bounds)):
            while k not in pending:
                if not _readable(self.proc.stdout):
                    j = max(heard + 2, k + 1)
                    while j in taken:
                        j += 1
                    if j < len(bounds) and j - k <= AHEAD:
                        self._take(j)
                        taken.add(j)
                        pending[j] = prepare_part(listed_part(session=session, bounds=bounds[j]))
                        continue
                kind, j, payload = self._next()
                heard = max(heard, j)
                if kind == "part" and j not in taken:  # a part taken too late is the helper's too
                    pending[j] = payload
            yield pending.pop(k)
        while self._next()[0] != "end":  # the helper's word on parts taken from it
            pass

    def _take(self, j: int) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):  # it died: _next() reports how
            self.proc.stdin.write(_TAKEN.pack(j))
            self.proc.stdin.flush()

    def _next(self) -> Any:
        assert self.proc.stdout is not None
        message = _read_message(self.proc.stdout)
        if message is None:
            self.proc.wait()
            self.err.seek(0)
            tail = self.err.read()[-2000:].decode(errors="replace").strip()
            raise IndexBuildError(f"the index build's helper process stopped (exit {self.proc.returncode})"
                                  + (f": {tail.splitlines()[-1]}" if tail else ""))
        if message[0] == "error":
            raise IndexBuildError(f"the index build's helper process failed: {message[1]}")
        return message

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.err.close()


def _read_message(stream: IO[bytes]) -> Any:
    """The next message, None at the end of the stream. Unbuffered streams: a buffer reading
    ahead would hide from select() what it holds."""
    head = _read_exactly(stream, _HEADER.size)
    if head is None:
        return None
    body = _read_exactly(stream, _HEADER.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# --- the helper process ---------------------------------------------------------------------

def _write_message(stream: IO[bytes], message: Any) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(body)))
    stream.write(body)
    stream.flush()


def _helper_main() -> None:
    # The protocol owns the real stdout; anything printed goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    gc.disable()  # many objects, no cycles, and the process is short-lived
    requests = open(sys.stdin.fileno(), "rb", buffering=0, closefd=False)  # noqa: SIM115 - stdin
    url, part = _read_message(requests)
    os.set_blocking(requests.fileno(), False)
    taken: set[int] = set()  # parts the building process took
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            bounds = listed_part_bounds(session=session, part=part)
            _write_message(out, ("bounds", bounds))
            for j, ids in enumerate(bounds):
                while _readable(requests):
                    data = os.read(requests.fileno(), 4096)
                    if not data:
                        break
                    taken.update(n for (n,) in _TAKEN.iter_unpack(data))
                if j in taken:
                    _write_message(out, ("skipped", j, None))
                else:
                    part_j = prepare_part(listed_part(session=session, bounds=ids))
                    _write_message(out, ("part", j, part_j))
        _write_message(out, ("end", -1, None))
    except BrokenPipeError:  # the build stopped: nobody reads any more
        pass
    except Exception as exc:
        with contextlib.suppress(BrokenPipeError):
            _write_message(out, ("error", f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from exc
    finally:
        engine.dispose()


def _readable(stream: IO[bytes]) -> bool:
    return bool(select.select([stream], [], [], 0)[0])


if __name__ == "__main__":
    _helper_main()
