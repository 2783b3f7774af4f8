"""`fleetcharge serve` in a child process on a loopback port, for tests that need real
processes (shared Redis limits and routing, graceful shutdown). Always stopped and bounded
in time."""

import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import IO

import httpx

STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT (https:// with TLS)
    process: "subprocess.Popen[bytes]"
    log: IO[bytes]  # its stderr
    verify: ssl.SSLContext | bool = True  # how a client checks its TLS certificate


@contextmanager
def running_server(
    database_url: str, env: dict[str, str], verify: ssl.SSLContext | None = None
) -> Iterator[str]:
    """Start a server; yield its base URL once /healthz answers; SIGTERM it afterwards.
    With `verify` (a client's context trusting its certificate) it serves https:// only."""
    with running_servers(database_url, env, verify=verify) as [server]:
        yield server.base


@contextmanager
def running_servers(
    database_url: str, env: dict[str, str], count: int = 1, verify: ssl.SSLContext | None = None
) -> Iterator[list[Server]]:
    """`count` servers started side by side, yielded once all answer. A test may stop one
    itself (its process is then left alone)."""
    servers: list[Server] = []
    with ExitStack() as stack:
        try:
            for _ in range(count):
                # Logs go to a file: a pipe that nobody reads would block a chatty server.
                log = stack.enter_context(tempfile.TemporaryFile())
                servers.append(_start(database_url, env, log, free_port(), verify))
            for server in servers:
                _wait_until_ready(server)
            yield servers
        finally:
            for server in servers:
                _stop(server.process)


@contextmanager
def server_on(port: int, database_url: str, env: dict[str, str]) -> Iterator[Server]:
    """A server on a given port (in place of one a test killed, say), yielded once it
    answers; stopped afterwards unless the test stopped it."""
    with tempfile.TemporaryFile() as log:
        server = _start(database_url, env, log, port)
        try:
            _wait_until_ready(server)
            yield server
        finally:
            _stop(server.process)


def _start(
    database_url: str,
    env: dict[str, str],
    log: IO[bytes],
    port: int,
    verify: ssl.SSLContext | None = None,
) -> Server:
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
    process = subprocess.Popen(command, env=child_env, stdout=subprocess.DEVNULL, stderr=log)
    scheme = "http" if verify is None else "https"
    return Server(f"{scheme}://127.0.0.1:{port}", process, log, verify or True)


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if server.process.poll() is not None:
            server.log.seek(0)
            raise RuntimeError(f"server exited: {server.log.read().decode()[-2000:]}")
        try:
            health = httpx.get(f"{server.base}/healthz", timeout=1, verify=server.verify)
            if health.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start in time")
        time.sleep(0.1)


def _stop(process: "subprocess.Popen[bytes]") -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
