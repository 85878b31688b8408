"""The `sanctions` command on a fresh database of each backend."""

from __future__ import annotations

from click.testing import CliRunner

from service.cli import main
from tests.conftest import fresh_database


def test_db_upgrade_and_seed_twice(backend, tmp_path):
    url, cleanup = fresh_database(backend, tmp_path)
    env = {"DATABASE_URL": url}
    runner = CliRunner()
    try:
        result = runner.invoke(main, ["db", "upgrade"], env=env)
        assert result.exit_code == 0, result.output
        first = runner.invoke(main, ["seed"], env=env)
        assert first.exit_code == 0, first.output
        assert "8 entities" in first.output and "6 designations" in first.output
        second = runner.invoke(main, ["seed"], env=env)
        assert second.exit_code == 0 and "created nothing" in second.output
    finally:
        cleanup()


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["seed", "--path", str(tmp_path / "missing")], env=env)
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "No seed files" in result.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text("entities:\n  - {key: a, type: person, name: A, nationalities: [ZZ]}\n")
    result = runner.invoke(main, ["seed", "--path", str(bad)], env=env)
    assert result.exit_code == 1 and "ZZ" in result.output
    # A failed seed wrote nothing.
    result = runner.invoke(main, ["serve", "--workers", "0"], env=env)
    assert result.exit_code != 0


def test_bad_database_url_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert result.exit_code == 1 and result.output.startswith("sanctions: error:")
