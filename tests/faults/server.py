"""A real ``sanctions serve`` (gunicorn master and workers) in a subprocess, for fault tests.

    with ServiceProcess(tmp_path, workers=2) as svc:        # db upgrade, admin key, serve
        status, headers, body = svc.request("GET", "/api/v1/persons")
        before = svc.worker_pids()
        svc.kill()                                          # SIGKILL master and workers
        svc.start()                                         # same database, port and key
    print(svc.log())                                        # master, workers and access log

The database is a fresh SQLite file ``tmp_path/{name}.db`` unless ``database_url`` is given;
jobs go to ``tmp_path/{name}-jobs``, the log to ``tmp_path/{name}.log``; ``env`` adds or
overrides environment variables (JOB_RECOVERY is off unless ``job_recovery=True``; rate
limiting is off). The server runs in its own process group,
so ``kill`` also reaches anything the workers forked (screening processes).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from service.config import ROOT

SANCTIONS = [sys.executable, "-m", "service.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed worker waits, orphaned, for init to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class ServiceProcess:
    def __init__(
        self,
        tmp_path: Path,
        *,
        database_url: str | None = None,
        env: Mapping[str, str] | None = None,
        workers: int = 2,
        job_recovery: bool = False,
        serve_args: tuple[str, ...] = (),
        name: str = "service",
    ) -> None:
        self.dir = Path(tmp_path)
        self.database_url = database_url or f"sqlite:///{self.dir / f'{name}.db'}"
        self.workers = workers
        self.port = free_port()
        self.log_path = self.dir / f"{name}.log"
        self.serve_args = serve_args
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "JOB_DIR": str(self.dir / f"{name}-jobs"),
            "JOB_RECOVERY": "true" if job_recovery else "false",
            "RATELIMIT_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            # gunicorn's control socket: one per server, not the user's shared default.
            "XDG_RUNTIME_DIR": str(self.dir),
            **(env or {}),
        }
        self.admin_key: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    # --- life cycle ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The gunicorn master's pid (``sanctions serve`` execs gunicorn)."""
        assert self.proc is not None, "not started"
        return self.proc.pid

    def sanctions(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a ``sanctions`` command with the server's environment."""
        result = subprocess.run([*SANCTIONS, *args], env=self.env, cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
        if check and result.returncode:
            raise RuntimeError(f"sanctions {' '.join(args)} failed: {result.stderr or result.stdout}")
        return result

    def start(self, timeout: float = 60.0) -> ServiceProcess:
        """Migrate, create an admin key (first time only), serve, and wait until every worker
        is up and GET /health answers 200. Callable again after ``stop`` or ``kill``."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.sanctions("db", "upgrade")
        if self.admin_key is None:
            out = self.sanctions("keys", "create", "--role", "admin", "--name", "fault tests").stdout
            self.admin_key = out.strip().splitlines()[-1].strip()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [*SANCTIONS, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers), *self.serve_args],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"the server exited during start-up:\n{self.log()[-3000:]}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    if self.request("GET", "/health", key=None, timeout=2)[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise TimeoutError(f"the server did not answer /health in {timeout}s:\n{self.log()[-3000:]}")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (the master's child processes), sorted."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        return _children(self.proc.pid)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM to the master (graceful shutdown) and wait; returns its exit status."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the master, its workers and whatever they forked (the process group)."""
        if self.proc is None:
            return
        workers = _children(self.proc.pid)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.stop(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # stragglers of the group (a worker's forked processes)

    # --- HTTP ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        key: str | None | bool = True,
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], Any]:
        """One request; ``key=True`` sends the admin key, a string sends that key, None none.
        A dict/list body is sent as JSON; a JSON response body is decoded."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            sent = dict(headers or {})
            if key is True:
                key = self.admin_key
            if key:
                sent["Authorization"] = f"Bearer {key}"
            if isinstance(body, dict | list):
                body = json.dumps(body)
                sent.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            data = resp.read()
            got = {k.lower(): v for k, v in resp.getheaders()}
            ctype = got.get("content-type", "")
            decoded: Any = json.loads(data) if "json" in ctype and data else data
            return resp.status, got, decoded
        finally:
            conn.close()
