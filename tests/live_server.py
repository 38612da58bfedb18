"""A real PlanTrack server (uvicorn) on 127.0.0.1, on a database of the test's own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from app.settings import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    database_url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(
    database_url: str,
    *,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
    prepare: bool = True,
) -> LiveServer:
    """Serve `database_url` from a process of its own; `prepare` first migrates and seeds it
    (with demo users), as `make run` does; a restart of a prepared database can skip that."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEMO_MODE": "true",
        "ENVIRONMENT": "test",
        **(extra_env or {}),
    }
    plantrack = [sys.executable, "-m", "app.cli"]
    for command in (["db", "upgrade"], ["seed"], ["demo-users"]) if prepare else ():
        subprocess.run(plantrack + command, env=env, cwd=ROOT, check=True, capture_output=True)
    process = subprocess.Popen(
        plantrack + ["serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return LiveServer(url, database_url, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(
        f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}"
    )
