"""`fleetcharge serve` in a child process on a loopback port, for tests that need real
processes (shared Redis limits, graceful shutdown). Always stopped and bounded in time."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(database_url: str, env: dict[str, str]) -> Iterator[str]:
    """Start a server; yield its base URL once /healthz answers; SIGTERM it afterwards."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from fleetcharge.cli.main import app; app()",
        "serve",
        "--port",
        str(port),
        "--database-url",
        database_url,
    ]
    child_env = {**os.environ, "FLEETCHARGE_LOG_FORMAT": "text", **env}
    process = subprocess.Popen(
        command, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
