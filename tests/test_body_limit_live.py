"""A large anonymous body costs the real server nothing (issue 15 §3), on a live server.

A 60 MB anonymous JSON body used to be read and parsed before its 401: +390 MB per request. Here
5 MB bodies, announced by Content-Length and streamed in chunks without one, each get 413 and
the server process's peak resident memory (VmHWM in /proc/<pid>/status) stays within a few MB.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

from tests.live_server import LiveServer, start_server

BODY_SIZE = 5 * 1024 * 1024
REQUESTS = 4
# Headroom for allocator noise; the body alone, parsed, would be tens of MB.
GROWTH_BOUND_KB = 8 * 1024


def json_body(size: int) -> bytes:
    """Costly to parse: a list of many one-element lists (each a Python object)."""
    head, tail = b'{"version": 1, "note": "n", "extra": [', b"[0]]}"
    return head + b"[0]," * ((size - len(head) - len(tail)) // 4) + tail


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for process {pid}")


def post_raw(server: LiveServer, head: bytes, body_parts: list[bytes]) -> bytes:
    """Send the request while reading the answer, as the server may answer (and close) before
    the body is all sent; returns what the server answered."""
    address = urlsplit(server.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=30)

    def send() -> None:
        try:
            sock.sendall(head)
            for part in body_parts:
                sock.sendall(part)
        except OSError:  # the server closed after its 413: the rest is not wanted
            pass

    sender = threading.Thread(target=send)
    sender.start()
    answer = b""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except OSError:
        pass
    sender.join(timeout=30)
    sock.close()
    return answer


def request_head(server: LiveServer, headers: dict[str, str]) -> bytes:
    host = urlsplit(server.url).netloc
    lines = ["POST /api/v1/strategies/52/progress HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(body: bytes, size: int = 64 * 1024) -> list[bytes]:
    parts = [
        f"{len(body[i : i + size]):x}\r\n".encode() + body[i : i + size] + b"\r\n"
        for i in range(0, len(body), size)
    ]
    return parts + [b"0\r\n\r\n"]


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def test_five_mb_anonymous_bodies_get_413_without_the_server_growing(
    empty_database_url: str,
) -> None:
    server = start_server(empty_database_url)
    try:
        pid = server.process.pid
        body = json_body(BODY_SIZE)
        assert len(body) >= 5_000_000
        small = b'{"version": 1}'
        # Warm up the paths the large requests take: a small anonymous write is a 401.
        for _ in range(3):
            answer = post_raw(
                server,
                request_head(
                    server,
                    {
                        "Content-Type": "application/json",
                        "Content-Length": str(len(small)),
                        "Connection": "close",
                    },
                ),
                [small],
            )
            assert status_of(answer) == 401
        peak_before = memory_kb(pid, "VmHWM")

        announced = request_head(
            server, {"Content-Type": "application/json", "Content-Length": str(len(body))}
        )
        streamed = request_head(
            server, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        )
        for head, parts in [(announced, [body])] * REQUESTS + [
            (streamed, chunked(body))
        ] * REQUESTS:
            answer = post_raw(server, head, parts)
            assert status_of(answer) == 413
            assert b'"code": "body_too_large"' in answer
            assert b"content-security-policy:" in answer.lower()

        growth = memory_kb(pid, "VmHWM") - peak_before
        assert growth < GROWTH_BOUND_KB, f"the server's peak memory grew by {growth} kB"
        assert server.process.poll() is None
    finally:
        server.stop()
