"""A run without PostgreSQL or Redis says so in one summary line per missing service, not
one per test file."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_missing_services_are_one_line_each() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FLEETCHARGE_TEST_POSTGRES_URL", "FLEETCHARGE_TEST_REDIS_URL")
        and not k.startswith("FLEETCHARGE_TEST_REQUIRE")
    }
    targets = ["tests/tariffs/test_repository.py", "tests/test_migrations.py"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-n", "0", "-rs", *targets],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, skipped
    assert "PostgreSQL tests skipped: set FLEETCHARGE_TEST_POSTGRES_URL" in skipped[0]
    count = int(skipped[0].split("[")[1].split("]")[0])
    assert count >= 2  # both files' PostgreSQL tests, counted together
