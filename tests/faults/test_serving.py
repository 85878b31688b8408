"""One index per machine, with real gunicorn workers: the master builds the index before it
forks, every worker starts ready, a write through one worker is screenable on the next request
to either, and a revoked key stops working in every worker within API_KEY_CACHE_SECONDS.

To aim a request at a given worker: a sync worker reading a request head serves nobody else,
so while one connection holds a worker with half a head, the next connection goes to the
other worker; finishing the held head then has the first worker answer.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import BACKENDS, fresh_database
from tests.faults.server import ServiceProcess

KEY_SECONDS = 1.5


@pytest.fixture(scope="module", params=BACKENDS)
def svc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    tmp = tmp_path_factory.mktemp(f"serving-{request.param}")
    url, cleanup = fresh_database(request.param, tmp)
    try:
        with ServiceProcess(tmp, database_url=url, workers=2,
                            env={"API_KEY_CACHE_SECONDS": str(KEY_SECONDS)}) as service:
            service.sanctions("seed")
            yield service
    finally:
        cleanup()


class Held:
    """A connection holding one worker: the request line and part of the head are sent."""

    def __init__(self, svc: ServiceProcess, path: str, body: dict[str, Any], key: str) -> None:
        self.body = json.dumps(body).encode()
        self.sock = socket.create_connection(("127.0.0.1", svc.port), timeout=30)
        self.sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n".encode())
        time.sleep(0.5)  # let a free worker accept it and start reading the head

    def finish(self) -> tuple[int, Any]:
        self.sock.sendall(f"Content-Type: application/json\r\nContent-Length: {len(self.body)}\r\n"
                          f"Connection: close\r\n\r\n".encode() + self.body)
        raw = b""
        while chunk := self.sock.recv(65536):
            raw += chunk
        self.sock.close()
        head, _, payload = raw.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(payload) if payload else None


def on_each_worker(svc: ServiceProcess, path: str, body: dict[str, Any], key: str) -> list[tuple[int, Any]]:
    """The same request answered once by each of the two workers."""
    first = Held(svc, path, body, key)  # one worker is now busy with this connection
    second = Held(svc, path, body, key)  # so this one went to the other
    return [second.finish(), first.finish()]


def test_the_master_builds_the_index_once_and_every_worker_starts_ready(svc):
    assert svc.log().count("screening index at list state") >= 1
    assert svc.request("GET", "/health/ready", key=None)[0] == 200
    for status, body in on_each_worker(svc, "/api/v1/screen", {"name": "Zhao Guangzong"}, svc.admin_key or ""):
        assert status == 200 and body["matches"][0]["name"] == "ZHAO, Guangzong"
    # No worker built an index of its own: each adopted the master's.
    assert svc.log().count("'mode': 'build'") == 1 and "screening index in this worker" not in svc.log()


def test_a_write_through_one_worker_is_screenable_on_the_next_request_to_either(svc):
    key = svc.admin_key or ""
    name = {"name": "Quirinus Wolkenstein-Abernathy", "type": "person"}
    for status, body in on_each_worker(svc, "/api/v1/screen", name, key):
        assert status == 200 and not [m for m in body["matches"] if m["match"]]
    # While one worker is held, the write goes through the other ...
    held = Held(svc, "/api/v1/screen", name, key)
    status, _, created = svc.request("POST", "/api/v1/persons", body={"name": "WOLKENSTEIN-ABERNATHY, Quirinus"})
    assert status == 201, created
    other = Held(svc, "/api/v1/screen", name, key)
    # ... and the held worker, which did not write, sees it at once, as does the writer.
    for status, body in (held.finish(), other.finish()):
        assert status == 200 and body["matches"][0]["entity_id"] == created["id"], body
    # A designation added to it shows in the match's summary on both workers.
    status, _, _ = svc.request("POST", "/api/v1/designations", body={
        "entity_id": created["id"], "authority": "UK", "programme": "Cyber", "list_ref": "CYB9999"})
    assert status == 201
    for status, body in on_each_worker(svc, "/api/v1/screen", name, key):
        assert status == 200 and [d["reference"] for d in body["matches"][0]["entity"]["designations"]] == \
            ["UK:CYB9999"]


def test_a_revoked_key_stops_working_in_every_worker_within_the_bound(svc):
    status, _, created = svc.request("POST", "/api/v1/keys", body={"name": "vendor", "role": "screener"})
    assert status == 201
    token = created["key"]
    assert [s for s, _ in on_each_worker(svc, "/api/v1/screen", {"name": "x"}, token)] == [200, 200]
    assert svc.request("DELETE", f"/api/v1/keys/{created['id']}")[0] == 200
    revoked = time.monotonic()
    time.sleep(KEY_SECONDS)
    answers = on_each_worker(svc, "/api/v1/screen", {"name": "x"}, token)
    assert time.monotonic() - revoked < KEY_SECONDS + 4  # the requests came soon after the bound
    assert [s for s, _ in answers] == [401, 401], answers


def test_the_master_loads_the_han_and_kanji_readers_before_it_forks() -> None:
    # Loaded lazily, each worker would load its own copy (about 80 MB) on its first Han name.
    import subprocess
    import sys

    code = ("import sys; from service import serving; serving.build_index = lambda log: None;"
            "print('pypinyin' in sys.modules, end=' ');"
            "serving.on_starting(type('Master', (), {'log': None})());"
            "from service.screening import translit;"
            "print('pypinyin' in sys.modules, translit._KAKASI is not None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
