"""The `sanctions` command on a fresh database of each backend."""

from __future__ import annotations

import codecs
import getpass
import json

from click.testing import CliRunner
from sqlalchemy import select

from service.cli import main
from service.models import ScreeningLog
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


def test_screen_writes_what_jobs_write_and_is_logged(app, seeded, database_url, session, tmp_path):
    """CSV with a BOM, JSON Lines with each row's decision and every match's explanation, and
    one evidence row per run, attributed to no key but to cli:<OS user>."""
    src = tmp_path / "in.csv"
    src.write_text("ref,name\nA1,Zhao Guangzong\nA2,Mary Poppins\nA3,\n", encoding="utf-8")
    runner = CliRunner()
    env = {"DATABASE_URL": database_url}
    out = tmp_path / "out.csv"
    assert runner.invoke(main, ["screen", str(src), "-o", str(out)], env=env).exit_code == 0
    assert out.read_bytes().startswith(codecs.BOM_UTF8 + b"ref,name,match_entity_id")
    result = runner.invoke(main, ["screen", str(src), "--format", "jsonl"], env=env)  # to standard output
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["decision"] == "match" and rows[1]["decision"] in ("clear", "possible")
    assert rows[2]["decision"] == "error"
    assert rows[0]["matches"][0]["explanation"]["name_score"] > 0.9

    logged = session.scalars(select(ScreeningLog).order_by(ScreeningLog.id)).all()
    assert [row.kind for row in logged] == ["file", "file"]
    user = getpass.getuser()
    for row in logged:
        assert row.key_id is None and row.key_name == f"cli:{user}" and row.request_id is None
        assert row.subject["source"] == "cli" and row.subject["filename"] == "in.csv" and row.subject["rows"] == 3
        assert row.had_match is True and row.list_fingerprint
        assert seeded["ZHAO, Guangzong"] in {r["entity_id"] for r in row.results if r["match"]}
    # Both runs produced the same JSON Lines results: the same hash, whichever format was written.
    assert logged[0].subject["results_sha256"] == logged[1].subject["results_sha256"]
