"""CPU time of processes on this machine, read from /proc, for benchmarks' per-request figures."""

import os
from pathlib import Path


def _own_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its child processes (a server and its workers)."""
    return _own_seconds(pid) + sum(_own_seconds(child) for child in _children(pid))


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on this machine (the benchmark's backends),
    each counted once."""
    total = 0.0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            is_postgres = comm.read_text().strip() == "postgres"
        except OSError:
            continue
        if is_postgres:
            total += _own_seconds(int(comm.parent.name))
    return total
