"""`fleetcharge db upgrade`: a new SQLite file gets the whole schema; re-running is a no-op."""

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from fleetcharge.cli.main import app
from fleetcharge.db import engine_for, make_engine
from fleetcharge.models import Base


def test_db_upgrade_creates_a_new_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "fresh.db"
    path.parent.mkdir()
    url = f"sqlite:///{path}"
    runner = CliRunner()
    try:
        for _ in range(2):  # the second run finds everything in place
            result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
            assert result.exit_code == 0, result.output
            assert "head" in result.stdout
    finally:
        engine_for.cache_clear()
    assert path.exists()
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            counter = conn.execute(text("SELECT next_number FROM invoice_number_counter")).all()
        assert len(versions) == 1
        assert len(counter) == 1
    finally:
        engine.dispose()


def test_unusable_databases_get_a_message_not_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = (
        (["db", "upgrade", "--database-url", "foo://bar"], 2, "invalid database URL"),
        (
            ["db", "upgrade", "--database-url", f"sqlite:///{tmp_path}/missing/dir/x.db"],
            1,
            "database error",
        ),
        (
            ["demo", "--no-serve", "--database-url", "postgresql://nobody@127.0.0.1:1/x"],
            1,
            "database error",
        ),
    )
    try:
        for arguments, code, message in cases:
            result = runner.invoke(app, arguments)
            assert result.exit_code == code, result.output
            assert message in result.output
            assert "Traceback" not in result.output
    finally:
        engine_for.cache_clear()


def test_serve_refuses_an_unusable_database_before_starting(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = (
        ("foo://bar", 2, "invalid database URL"),
        (f"sqlite:///{tmp_path}/empty.db", 1, "fleetcharge db upgrade"),
    )
    try:
        for url, code, message in cases:
            result = runner.invoke(app, ["serve", "--database-url", url, "--port", "1"])
            assert result.exit_code == code, result.output
            assert message in result.output
            assert "Traceback" not in result.output
    finally:
        engine_for.cache_clear()


def test_serve_refuses_unusable_tls_files_before_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CERT", "KEY", "CLIENT_CA"):
        monkeypatch.delenv(f"FLEETCHARGE_TLS_{name}_FILE", raising=False)
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"-----BEGIN CERTIFICATE-----\n\x00\xff\n")
    cases = (
        (["--tls-cert", str(tmp_path / "missing.pem")], "missing.pem does not exist"),
        (["--tls-cert", str(garbage)], "the TLS files cannot be used"),
        (["--tls-client-ca", str(garbage)], "FLEETCHARGE_TLS_CERT_FILE is needed"),
    )
    for options, message in cases:
        result = CliRunner().invoke(app, ["serve", "--port", "1", *options])
        assert result.exit_code == 2, result.output
        # Unwrapped: rich may break a long path anywhere, even inside a name.
        assert message.replace(" ", "") in "".join(result.output.split())
        assert "Traceback" not in result.output
        monkeypatch.delenv("FLEETCHARGE_TLS_CERT_FILE", raising=False)
