"""A `fleetcharge` command that starts in milliseconds, for documented shell blocks run many
times: one process imports the CLI once and forks a child per command; a small stand-in
script on the PATH hands the child its arguments, environment, working directory and
standard streams, forwards signals to it (`kill %1` stops a backgrounded `serve`) and exits
with its exit status. Each command still runs in a process of its own, from the same entry
point as the installed script; only Python's start and the imports are shared (a second of
each command otherwise). The real script is still what tests/docs/test_readme_walkthrough.py
runs on SQLite."""

import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Runs in the process that forks: imports the CLI, then one child per connection.
FORKER = """
import array, json, os, random, signal, socket, sys, traceback
from fleetcharge.cli.main import app

def receive(conn):
    fds = array.array("i")
    data, ancillary, _, _ = conn.recvmsg(4, socket.CMSG_LEN(3 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    size = int.from_bytes(data, "big")
    body = b""
    while len(body) < size:
        body += conn.recv(size - len(body))
    return list(fds), json.loads(body)

def child(conn):
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    fds, request = receive(conn)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["fleetcharge", *request["argv"]]
    random.seed()
    conn.sendall(b"%d\\n" % os.getpid())
    try:
        app()
        code = 0
    except SystemExit as exit:
        if exit.code is None or isinstance(exit.code, int):
            code = exit.code or 0
        else:
            print(exit.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    conn.sendall(b"%d\\n" % code)
    os._exit(code)

signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reaped by the system
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(16)
print("ready", flush=True)
while True:
    conn, _ = server.accept()
    if os.fork() == 0:
        server.close()
        child(conn)
    conn.close()
"""

# The stand-in `fleetcharge` (python -IS: no site packages to import, a few ms to start).
SHIM = """
import array, json, os, signal, socket, sys
conn = socket.socket(socket.AF_UNIX)
conn.connect({socket!r})
body = json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}})
fds = array.array("i", [0, 1, 2])
conn.sendmsg(
    [len(body.encode()).to_bytes(4, "big")], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)]
)
conn.sendall(body.encode())
replies = conn.makefile("rb")
pid = int(replies.readline())
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, lambda number, frame: os.kill(pid, number))
code = replies.readline()
sys.exit(int(code) if code else 1)
"""


@contextmanager
def forked_cli(workdir: Path, env: dict[str, str]) -> Iterator[Path]:
    """A directory holding the stand-in `fleetcharge`, to put first on the PATH; `env` is
    the environment the CLI is imported in (each command then gets its caller's)."""
    bin_dir = workdir / "forked-cli"
    bin_dir.mkdir()
    # A short path: a socket's may not be longer than about 100 bytes.
    socket_dir = Path(tempfile.mkdtemp(prefix="fc-cli-", dir="/tmp"))
    socket_path = socket_dir / "cli.sock"
    shim = bin_dir / "fleetcharge"
    shim.write_text(f"#!{sys.executable} -IS\n" + SHIM.format(socket=str(socket_path)))
    shim.chmod(0o755)
    forker = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(FORKER), str(socket_path)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert forker.stdout is not None
        assert forker.stdout.readline().strip() == "ready", "the forking CLI did not start"
        yield bin_dir
    finally:
        forker.terminate()
        forker.wait(10)
        shutil.rmtree(socket_dir, ignore_errors=True)
