"""gunicorn settings and worker class for the service: ``gunicorn -c python:service.serving``.

Used by ``sanctions serve`` and by anyone running gunicorn directly. The module-level
lowercase names are gunicorn settings (command-line options override them); the worker
class answers every error gunicorn produces itself (malformed request, request line or
headers over the limits, a request head that never arrives) with an RFC 9457
``application/problem+json`` body like the app's instead of gunicorn's HTML page.

Nothing here creates the app: gunicorn's master process imports this module. The master
imports the app's modules and builds the screening index before it forks the workers (:func:`on_starting`, refreshed in
:func:`pre_fork` for a worker started later), so the workers share it copy-on-write and start
ready; each worker creates the app itself after the fork (no ``--preload``: the app's job,
monitoring and webhook threads must start in the workers, and no database connection may
cross the fork) and adopts that index (:func:`attach_index`, called by ``service.wsgi``).
"""

from __future__ import annotations

import importlib
import json
import signal
import socket
from http import HTTPStatus
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker
from sqlalchemy.orm import Session

from . import config as settings
from .records.engine import make_engine
from .records.screening import IndexCache
from .screening.translit import load_readers

# --- gunicorn settings ----------------------------------------------------------------------

worker_class = "service.serving.ProblemSyncWorker"
# 8190 bytes, the most gunicorn allows: room for every query string the API documents (a
# 500-character `q` of non-Latin script is ~4,500 bytes percent-encoded), so values over their
# documented length still reach the app and get its 422 with field errors; beyond 8190 bytes
# gunicorn answers 414 after reading just that much. Unlimited (0) let one 50 MB request line
# hold a sync worker past its timeout and get it killed, losing its screening index and jobs.
limit_request_line = 8190
# Headers: at most 100 fields of at most 8190 bytes each (gunicorn's defaults, stated here so
# they are not lost): the API reads only a few short ones (Authorization, If-Match, Accept).
limit_request_fields = 100
limit_request_field_size = 8190
# A sync worker is busy for the whole of a request and the master kills one silent for this
# long (its index and job threads die with it), so slow requests must end well before it:
# see HEAD_SECONDS and IDLE_SECONDS below.
timeout = 30

# --- the index, built once per machine ------------------------------------------------------

# (database URL, index) built by the master; a worker adopts it when its app has that URL.
PREBUILT: tuple[str, IndexCache] | None = None


def build_index(log: Any) -> None:
    """Build (or bring up to date) the master's index, with an engine of its own that is
    disposed before returning: no connection is inherited by a worker. A failure (database
    down) is logged, not raised: each worker then builds its own when it can, and reports
    itself not ready until then."""
    global PREBUILT
    url = settings.load()["DATABASE_URL"]
    cache = PREBUILT[1] if PREBUILT is not None and PREBUILT[0] == url else IndexCache()
    engine = make_engine(url)
    try:
        previous = cache.last_refresh
        with Session(engine) as session:
            state = cache.warm(session=session)
        PREBUILT = (url, cache)
        if cache.last_refresh is not previous:  # built or refreshed, not merely checked
            log.info("screening index at list state %s: %s", state.list_version, cache.last_refresh)
    except Exception as exc:  # the workers retry; the service must still start
        log.warning("screening index not built before forking the workers: %s", exc)
    finally:
        engine.dispose()


def attach_index(cache: IndexCache, url: str) -> bool:
    """Give a worker's cache the master's index when it is for the same database."""
    if PREBUILT is None or PREBUILT[0] != url:
        return False
    cache.adopt(PREBUILT[1])
    return True


# What create_app imports (Flask, the API, the web interface, the executors): imported by the
# master too, so the workers share these modules copy-on-write (about 28 MB each, measured).
# Importing them creates no app, thread or connection.
APP_MODULES = ("service.api", "service.ui", "service.jobs.executors", "service.monitoring.executor",
               "service.monitoring.webhooks_runner")


def on_starting(server: Any) -> None:
    # Before the listening socket is bound: the service accepts connections once it is ready.
    for name in APP_MODULES:
        importlib.import_module(name)
    load_readers()  # loaded lazily otherwise, once per worker
    build_index(server.log)  # a build ends with gc.freeze(): the collector leaves all this alone


def pre_fork(server: Any, worker: Any) -> None:
    # A worker started later (one died, or a HUP) gets an index up to date with the lists: one
    # read of the list-state counter when nothing changed.
    if PREBUILT is not None:
        build_index(server.log)


# A client must send its whole request line and headers within this many seconds of being
# accepted (else 408): a trickle of header bytes cannot hold a worker until the master kills it.
HEAD_SECONDS = 10.0
# After the head, one read of the body or write of the response (a whole sendall) taking
# this long fails that one request; HEAD_SECONDS + IDLE_SECONDS stays inside `timeout`, so a
# client that stalls once loses its request, not the worker. A client trickling bytes can
# still hold a worker up to `timeout`: the buffering reverse proxy in front absorbs those.
IDLE_SECONDS = 15.0

PROBLEM_MIMETYPE = "application/problem+json"  # as service.errors, not imported here
DETAIL_CHARS = 200  # gunicorn's messages may quote the request line: never echo much of it
HINTS = {
    414: f"The request line is longer than {limit_request_line} bytes; query values that long "
         "are over their documented length anyway.",
    431: f"Too many headers (more than {limit_request_fields}) or one longer than "
         f"{limit_request_field_size} bytes.",
    408: f"The request line and headers did not arrive within {HEAD_SECONDS:g} seconds.",
}


class RequestHeadTimeout(Exception):
    """The request line and headers took longer than HEAD_SECONDS."""


def problem_bytes(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP/1.1 response: the body shaped like service.errors.problem_response's."""
    body: dict[str, Any] = {"type": "about:blank", "title": reason or _phrase(status), "status": status}
    message = message.strip()
    detail = " ".join(part for part in (HINTS.get(status), message[:DETAIL_CHARS]) if part)
    if detail:
        body["detail"] = detail
    data = json.dumps(body).encode()
    head = (f"HTTP/1.1 {status} {reason or _phrase(status)}\r\nConnection: close\r\n"
            f"Content-Type: {PROBLEM_MIMETYPE}\r\nContent-Length: {len(data)}\r\n\r\n")
    return head.encode("latin-1") + data


def write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for ``gunicorn.util.write_error`` (same arguments), writing problem+json."""
    util.write_nonblock(sock, problem_bytes(status_int, reason, mesg))


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"


class ProblemSyncWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker with problem+json error responses and slow-client deadlines."""

    _reading_head = False

    def init_process(self) -> None:
        # gunicorn's handle_error picks the status, logs and writes the access-log line, then
        # calls util.write_error for the body: replacing that one function in this worker
        # process keeps gunicorn's choice of status for every error, present and future.
        util.write_error = write_problem
        super().init_process()

    def init_signals(self) -> None:
        super().init_signals()
        signal.signal(signal.SIGALRM, self._head_timeout)

    def _head_timeout(self, signum: int, frame: Any) -> None:
        if self._reading_head:  # only ever interrupts gunicorn reading a request head
            self._reading_head = False
            raise RequestHeadTimeout()

    def _disarm(self) -> None:
        self._reading_head = False
        signal.setitimer(signal.ITIMER_REAL, 0)

    def handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        self._reading_head = True
        signal.setitimer(signal.ITIMER_REAL, HEAD_SECONDS)
        # Should the alarm reach another thread (a job's), a silent client still times out here.
        client.settimeout(HEAD_SECONDS + 1)
        try:
            super().handle(listener, client, addr)
        except RequestHeadTimeout:  # fired while gunicorn was already closing the connection
            client.close()
        finally:
            self._disarm()

    def handle_request(self, listener: Any, req: Any, client: socket.socket, addr: Any) -> None:
        # The head is in: the app runs with no alarm, only a per-read/write idle limit.
        self._disarm()
        client.settimeout(IDLE_SECONDS)
        super().handle_request(listener, req, client, addr)

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        self._disarm()
        if isinstance(exc, RequestHeadTimeout):
            self.log.warning("Request head from ip=%s not complete within %ss", (addr or ("",))[0],
                             HEAD_SECONDS)
            try:
                write_problem(client, 408, "Request Timeout", "")
            except OSError:
                self.log.debug("Failed to send error message.")
            return
        super().handle_error(req, client, addr, exc)
