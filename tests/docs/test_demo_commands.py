"""Every shell block of README.md and docs/*.md that says it runs against the demo does, as
printed: on a fresh demo database, with the demo's server running, in document order.

Each ```sh block is preceded by a marker saying which it is, so that none goes untested
unnoticed: `<!-- demo -->` (run here), or `<!-- not run against the demo: why -->`.
Option synopses (`[--flag]`) are ```text blocks. What a block may not know is given the
way a reader has it: `TOKEN=...` lines stand for the token `demo` printed (Cybertron's),
`$ADMIN_TOKEN` is an operator's admin token, and the port is a free one instead of 8000.
"""

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.cli_forks import forked_cli
from tests.servers import running_server

ROOT = Path(__file__).parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEMO = "<!-- demo -->"
NOT_RUN = re.compile(r"<!-- not run against the demo: .+ -->")
BLOCK = re.compile(r"^(?P<marker>[^\n]*)\n```sh\n(?P<body>.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r"^(\w+)=\.\.\..*$", re.M)
# curl, failing loudly: a block whose request is refused must not pass because a pipe ended
# in `head`.
CURL = (
    'curl() { command curl --fail-with-body "$@" || { echo "curl failed: $*" >&2;'
    ' echo "$*" >>"$CURL_FAILURES"; return 1; }; }\n'
)
BLOCK_TIMEOUT_S = 120


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    body: str
    demo: bool


def blocks() -> list[Block]:
    found = []
    for path in DOCUMENTS:
        text = path.read_text()
        for match in BLOCK.finditer(text):
            marker = match["marker"].strip()
            assert marker == DEMO or NOT_RUN.fullmatch(marker), (
                f"{path.name}, line {text[: match.start('body')].count(chr(10))}: an sh block "
                f"needs {DEMO} or <!-- not run against the demo: why --> on the line before"
            )
            line = text[: match.start("body")].count("\n")
            found.append(Block(path.name, line, match["body"], marker == DEMO))
    return found


def test_every_sh_block_says_whether_it_runs_against_the_demo() -> None:
    found = blocks()
    assert sum(block.demo for block in found) >= 5
    assert any(not block.demo for block in found)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh demo database served; the environment a reader's shell would have."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {
        **os.environ,
        "FLEETCHARGE_DATABASE_URL": url,
        "FLEETCHARGE_LOG_FORMAT": "text",
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "CURL_FAILURES": str(tmp_path / "curl-failures"),
    }
    with forked_cli(tmp_path, env) as cli:
        env["PATH"] = f"{cli}:{env['PATH']}"
        yield from _served(env, url, tmp_path)


def _served(env: dict[str, str], url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    loaded = run(["fleetcharge", "demo", "--no-serve", "--json", "--sessions", "300"], env)
    tokens = {o["name"]: o["token"] for o in json.loads(loaded)["organisations"]}
    admin = run(["fleetcharge", "operators", "create", "--name", "Docs", "--json"], env)
    env |= {"TOKEN": tokens["Cybertron"], "ADMIN_TOKEN": json.loads(admin)["token"]}
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    with running_server(url, {}) as base:
        yield env | {"BASE": base, "WORKDIR": str(tmp_path)}


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_every_documented_demo_command_runs_against_the_demo(demo: dict[str, str]) -> None:
    """In document order, on one demo (a block may use what an earlier one made); every
    failing block is reported, not only the first."""
    port = demo["BASE"].rsplit(":", 1)[1]
    failures = []
    for block in (b for b in blocks() if b.demo):
        script = PLACEHOLDER.sub(lambda m: f": {m[1]} is set", block.body).replace("8000", port)
        done = subprocess.run(
            ["bash", "-c", "set -eu\n" + CURL + script],
            cwd=demo["WORKDIR"],
            env=demo,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT_S,
        )
        output = done.stdout + done.stderr
        curl_failed = Path(demo["CURL_FAILURES"])
        if done.returncode or "Traceback" in output or curl_failed.exists():
            failures.append(f"{block.document}, line {block.line}: {output[-1500:]}")
            curl_failed.unlink(missing_ok=True)
    assert not failures, "\n\n".join(failures)
