"""Serving the app with uvicorn, with one fix for several workers.

With `--workers N` uvicorn binds the listening socket itself and leaves its protocol number at 0.
Accepted connections inherit it, and asyncio turns TCP_NODELAY on only for sockets that say
IPPROTO_TCP, so Nagle's algorithm meets the client's delayed ACK and every keep-alive request
after the first waits about 40 ms on Linux (uvicorn issue #3149). Measured here with `make bench`:
`/healthz` on a kept-alive connection took 44 ms with 2 workers and 3 ms with 1. So for several
workers the listening socket is re-wrapped as TCP before the workers inherit it.
"""

from __future__ import annotations

import socket

APP = "app.main:create_app"


def tcp_socket(sock: socket.socket) -> socket.socket:
    """The same listening socket, saying IPPROTO_TCP, so accepted connections get TCP_NODELAY."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    tcp.set_inheritable(True)
    return tcp


def serve(
    *,
    host: str,
    port: int,
    workers: int = 1,
    reload: bool = False,
    forwarded_allow_ips: str | None = None,
) -> None:
    """`forwarded_allow_ips`: the proxies whose X-Forwarded-* headers say who the client is and
    whether it came over https (uvicorn's default, None, trusts 127.0.0.1 only)."""
    import uvicorn

    options = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips,
    }
    if workers <= 1 or reload:
        uvicorn.run(APP, reload=reload, **options)  # asyncio binds a TCP socket itself
        return
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(APP, **options)
    Multiprocess(config, sockets=[tcp_socket(config.bind_socket())]).run()
