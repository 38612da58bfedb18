"""`plantrack serve --workers N`: accepted connections get TCP_NODELAY (no 40 ms per request)."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from app.serving import tcp_socket
from tests.event_loops import run_in_own_loop


def _nodelay_of_accepted(listener: socket.socket) -> int:
    """TCP_NODELAY as asyncio leaves it on a connection accepted from `listener`."""
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    run_in_own_loop(run())
    return seen[0]


def test_connections_accepted_on_the_socket_uvicorn_binds_for_workers_get_tcp_nodelay() -> None:
    config = uvicorn.Config("app.main:create_app", factory=True, host="127.0.0.1", port=0)
    # Whatever protocol number this uvicorn gives the socket it binds (0 before 0.55, issue
    # #3149), the socket the workers accept on must hand out connections with TCP_NODELAY.
    fixed = tcp_socket(config.bind_socket())
    assert fixed.proto == socket.IPPROTO_TCP and fixed.get_inheritable()
    assert _nodelay_of_accepted(fixed) == 1


def test_a_socket_that_already_says_tcp_is_kept() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        assert tcp_socket(sock) is sock
    finally:
        sock.close()
