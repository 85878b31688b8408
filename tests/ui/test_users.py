"""Users: argon2id hashes, rehashing, unique names without regard to case, disabling, resets,
and the `sanctions users` commands."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from service import create_app
from service.cli import main
from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.records import users
from tests.conftest import fresh_database

PASSWORD = "correct horse battery staple"
# Cheap parameters where the cost is not what is tested (the default takes 64 MiB).
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_passwords_are_stored_as_argon2id_and_checked(session):
    user = users.create_user(session=session, username="Alice", role="analyst", password=PASSWORD)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert not users.HASHER.check_needs_rehash(user.password_hash)  # the library's current parameters
    ok = users.authenticate(session=session, username="ALICE", password=PASSWORD)
    assert ok.user is user and ok.failure is None and user.last_login_at is not None
    assert users.authenticate(session=session, username="alice", password=PASSWORD + "x").failure == "wrong password"
    assert users.authenticate(session=session, username="bob", password=PASSWORD).failure == "unknown user"
    assert users.authenticate(session=session, username="", password="").user is None


def test_a_hash_made_with_other_parameters_is_replaced_at_sign_in(session):
    user = users.create_user(session=session, username="old", role="analyst", password=PASSWORD, hasher=FAST)
    weak = user.password_hash
    assert "m=8," in weak and users.HASHER.check_needs_rehash(weak)
    assert users.authenticate(session=session, username="old", password=PASSWORD).user is user
    assert user.password_hash != weak and not users.HASHER.check_needs_rehash(user.password_hash)
    # A wrong password never rewrites the hash.
    current = user.password_hash
    users.authenticate(session=session, username="old", password="not the password", hasher=FAST)
    assert user.password_hash == current


def test_user_names_are_unique_without_regard_to_case_and_checked(session):
    users.create_user(session=session, username="Alice", role="analyst", password=PASSWORD, hasher=FAST)
    with pytest.raises(Conflict):
        users.create_user(session=session, username="aLiCe", role="editor", password=PASSWORD, hasher=FAST)
    for name, role, password in (("bad name", "analyst", PASSWORD), ("x" * 65, "analyst", PASSWORD),
                                 ("bob", "boss", PASSWORD), ("bob", "analyst", "short"),
                                 ("bob", "analyst", "x" * 2000)):
        with pytest.raises(Invalid):
            users.create_user(session=session, username=name, role=role, password=password, hasher=FAST)
    assert [u.username for u in users.list_users(session=session)] == ["Alice"]


def test_disable_enable_and_reset(session):
    user = users.create_user(session=session, username="carol", role="editor", password=PASSWORD, hasher=FAST)
    stamp = users.session_stamp(user)
    users.set_disabled(session=session, username="CAROL", disabled=True)
    assert users.authenticate(session=session, username="carol", password=PASSWORD).failure == "user disabled"
    users.set_disabled(session=session, username="carol", disabled=False)
    assert users.authenticate(session=session, username="carol", password=PASSWORD).user is user
    users.reset_password(session=session, username="carol", password="another long password")
    assert users.session_stamp(user) != stamp  # open sessions end
    assert users.authenticate(session=session, username="carol", password=PASSWORD).user is None
    assert users.authenticate(session=session, username="carol", password="another long password").user is user
    with pytest.raises(NotFound):
        users.set_disabled(session=session, username="nobody", disabled=True)


def test_first_admin_only_when_there_is_no_user(session):
    created = users.create_first_admin(session=session, hasher=FAST)
    assert created is not None
    admin, password = created
    assert admin.role == "admin" and len(password) >= users.MIN_PASSWORD
    assert users.authenticate(session=session, username="admin", password=password, hasher=FAST).user is admin
    assert users.create_first_admin(session=session, hasher=FAST) is None


def test_users_commands(backend, tmp_path):
    url, cleanup = fresh_database(backend, tmp_path)
    env = {"DATABASE_URL": url}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
        result = runner.invoke(main, list(args), env=env, input=stdin)
        return result.exit_code, result.output

    try:
        assert run("db", "upgrade")[0] == 0
        code, out = run("users", "bootstrap")
        assert code == 0 and "user name: admin" in out and "password:" in out
        password = out.split("password:")[1].split()[0]
        assert "exists" in run("users", "bootstrap")[1]  # only once
        code, out = run("users", "create", "--username", "Dana", "--role", "analyst", "--password-stdin",
                        stdin=PASSWORD + "\n")
        assert code == 0 and "created user Dana (analyst)" in out
        # Prompted (twice, hidden) without --password-stdin.
        code, out = run("users", "create", "--username", "erin", "--role", "screener",
                        stdin=f"{PASSWORD}\n{PASSWORD}\n")
        assert code == 0 and "created user erin" in out
        for args, stdin, message in (
            (("--username", "dana", "--role", "editor"), PASSWORD, "exists already"),
            (("--username", "fay", "--role", "boss"), PASSWORD, "Unknown role 'boss'"),
            (("--username", "fay", "--role", "editor"), "short", "at least 12 characters"),
            (("--username", "fay", "--role", "editor"), "", "no password on standard input"),
            (("--username", "f y", "--role", "editor"), PASSWORD, "A user name is"),
        ):
            code, out = run("users", "create", *args, "--password-stdin", stdin=stdin + "\n")
            assert code == 1 and out.startswith("sanctions: error:") and message in out, out
            assert out.strip().count("\n") == 0, out
        code, out = run("users", "list")
        assert code == 0 and [line.split("\t")[1:4] for line in out.splitlines()] == [
            ["admin", "admin", "active"], ["Dana", "analyst", "active"], ["erin", "screener", "active"]]
        assert run("users", "disable", "DANA") == (0, "disabled user Dana\n")
        assert "\tdisabled\t" in run("users", "list")[1]
        code, out = run("users", "disable", "nobody")
        assert code == 1 and out == "sanctions: error: No user named 'nobody'.\n"
        assert run("users", "enable", "dana")[0] == 0
        code, out = run("users", "reset-password", "dana", "--password-stdin", stdin="a new long password\n")
        assert code == 0 and "new password set for Dana" in out
        code, out = run("users", "reset-password", "dana", "--password-stdin", stdin="short\n")
        assert code == 1 and "at least 12" in out
        app = create_app({"DATABASE_URL": url, "TESTING": True})
        with app.app_context():  # the printed password is the first admin's
            assert users.authenticate(session=db.session, username="admin", password=password).user is not None
            db.session.rollback()
            db.engine.dispose()
    finally:
        cleanup()
