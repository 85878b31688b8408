"""A real ``sanctions serve`` under abusive requests: over-long request lines, bad or huge
headers, trickled heads. gunicorn answers them itself, with problem+json, quickly, and its
workers (each holding a screening index and job threads) survive."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from service.serving import HEAD_SECONDS, limit_request_line
from tests.faults.server import ServiceProcess

BIG_LINE = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    with ServiceProcess(tmp_path_factory.mktemp("serve"), workers=2) as service:
        yield service


def exchange(port: int, payload: bytes | Iterator[bytes], timeout: float = 15.0) -> bytes:
    """Send ``payload`` (from a thread, as fast as the server takes it) while reading the
    answer; returns what came back before the server closed the connection."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    chunks = [payload] if isinstance(payload, bytes) else payload

    def send() -> None:
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:  # the server answered and closed while we were still sending
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    received = b""
    try:
        while data := sock.recv(65536):
            received += data
    except ConnectionResetError:
        pass
    finally:
        sock.close()
        sender.join(5)
    return received


def problem(raw: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers.get("content-type") == "application/problem+json", raw[:500]
    doc = json.loads(body)
    status = int(lines[0].split()[1])
    assert doc["status"] == status and doc["type"] == "about:blank" and doc["title"], doc
    return status, headers, doc


def big_request_line() -> Iterator[bytes]:
    yield b"GET /api/v1/search?q="
    block = b"a" * (1024 * 1024)
    for _ in range(BIG_LINE // len(block)):
        yield block
    yield b" HTTP/1.1\r\nHost: x\r\n\r\n"


def test_huge_request_line_is_refused_at_once_and_workers_survive(svc: ServiceProcess) -> None:
    before = svc.worker_pids()
    started = time.monotonic()
    status, _, doc = problem(exchange(svc.port, big_request_line()))
    assert status == 414 and str(limit_request_line) in str(doc["detail"])
    assert time.monotonic() - started < 5
    # Two at once, then an ordinary request: answered, by the same workers.
    answers: list[bytes] = []
    attackers = [threading.Thread(target=lambda: answers.append(exchange(svc.port, big_request_line())))
                 for _ in range(2)]
    for thread in attackers:
        thread.start()
    for thread in attackers:
        thread.join(15)
    assert [problem(a)[0] for a in answers] == [414, 414]
    started = time.monotonic()
    assert svc.request("GET", "/api/v1/search?q=wang", timeout=5)[0] == 200
    assert time.monotonic() - started < 2
    assert svc.worker_pids() == before
    assert "WORKER TIMEOUT" not in svc.log()


@pytest.mark.parametrize(("payload", "statuses"), [
    (b"GARBAGE\r\n\r\n", {400}),
    (b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", {400, 431}),
    (b"GET /health HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(200)) + b"\r\n",
     {400, 431}),
    (b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n", {400}),
], ids=["malformed-line", "100kb-header", "200-headers", "bad-header-name"])
def test_bad_requests_get_problem_json(svc: ServiceProcess, payload: bytes, statuses: set[int]) -> None:
    status, _, doc = problem(exchange(svc.port, payload))
    assert status in statuses and doc["detail"]


def test_long_but_legal_query_reaches_the_app(svc: ServiceProcess) -> None:
    # 5,000 characters: under the request line limit, over `q`'s documented 500.
    status, headers, doc = svc.request("GET", "/api/v1/search?q=" + "a" * 5000)
    assert status == 422 and headers["content-type"] == "application/problem+json"
    assert "q" in doc["errors"]["query"]


def test_trickled_head_gets_408_and_frees_the_worker(svc: ServiceProcess) -> None:
    before = svc.worker_pids()

    def trickle() -> Iterator[bytes]:
        yield b"GET /health HTTP/1.1\r\n"
        for i in range(int(HEAD_SECONDS * 4)):
            time.sleep(0.5)
            yield b"X-%d: v\r\n" % i

    started = time.monotonic()
    result: list[bytes] = []
    slow = threading.Thread(target=lambda: result.append(exchange(svc.port, trickle())))
    slow.start()
    time.sleep(1)
    assert svc.request("GET", "/health", key=None, timeout=5)[0] == 200  # the other worker
    slow.join(HEAD_SECONDS + 10)
    assert problem(result[0])[0] == 408
    assert HEAD_SECONDS <= time.monotonic() - started < HEAD_SECONDS + 3
    assert svc.worker_pids() == before


def test_chunked_body_over_the_limit_is_413(svc: ServiceProcess) -> None:
    # 3 MB of JSON sent chunked (no Content-Length) through gunicorn: over MAX_CONTENT_LENGTH.
    body = b'{"name": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    head = (b"POST /api/v1/persons HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n"
            b"Authorization: Bearer " + (svc.admin_key or "").encode() + b"\r\n\r\n")

    def chunks() -> Iterator[bytes]:
        yield head
        for i in range(0, len(body), 65536):
            piece = body[i:i + 65536]
            yield b"%x\r\n" % len(piece) + piece + b"\r\n"
        yield b"0\r\n\r\n"

    status, _, doc = problem(exchange(svc.port, chunks()))
    assert status == 413, doc
    assert svc.request("GET", "/api/v1/persons")[2]["total"] == 0  # nothing was stored
