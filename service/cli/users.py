"""``sanctions users create|list|disable|enable|reset-password|bootstrap``: the people who sign
in to the web interface."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from ..errors import DomainError
from ..extensions import db as database
from ..models import User
from ..records import users as records
from .common import Fail, make_app


@click.group()
def users() -> None:
    """Users of the web interface: create, list, disable, reset passwords."""


def read_password(from_stdin: bool) -> str:
    """The password from the first line of standard input, or prompted twice (hidden)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise Fail("no password on standard input")
        return password
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _done(action: str) -> None:
    """Commit, or turn a refused change into one error line."""
    try:
        database.session.commit()
    except Exception as exc:  # a constraint the checks did not foresee (a race on the name)
        database.session.rollback()
        raise Fail(f"could not {action}: {type(exc).__name__}") from exc


def _change(action: str, change: Callable[[], User]) -> User:
    """Run ``change`` (which may prompt) and commit; a refused change is one error line."""
    with make_app().app_context():
        try:
            user = change()
        except DomainError as exc:
            raise Fail(exc.detail) from exc
        _done(action)
    return user


def _change_password(action: str, check: Callable[[], object], write: Callable[[str], User],
                     from_stdin: bool) -> User:
    """:func:`_change` that sets a password: ``check()`` first, so that no one is asked for a
    password the change would refuse anyway, then ``write(password)``."""

    def change() -> User:
        check()
        return write(read_password(from_stdin))

    return _change(action, change)


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, help="admin, editor, analyst or screener")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input's first line.")
def users_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a user (the password is prompted for unless --password-stdin)."""
    user = _change_password(
        "create the user", lambda: records.check_new_user(session=database.session, username=username, role=role),
        lambda password: records.create_user(session=database.session, username=username, role=role,
                                             password=password),
        password_stdin)
    click.echo(f"created user {user.username} ({user.role})")


@users.command("list")
def users_list() -> None:
    """List users: name, role, state, created, last sign-in."""
    with make_app().app_context():
        for user in records.list_users(session=database.session):
            state = "disabled" if user.disabled else "active"
            last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
            click.echo(f"{user.id}\t{user.username}\t{user.role}\t{state}\t{user.created_at:%Y-%m-%d}\t{last}")


def _set_disabled(username: str, disabled: bool) -> None:
    user = _change("change the user", lambda: records.set_disabled(
        session=database.session, username=username, disabled=disabled))
    click.echo(f"{'disabled' if disabled else 'enabled'} user {user.username}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable a user: no more sign-ins, and open sessions end at their next request."""
    _set_disabled(username, True)


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled user again."""
    _set_disabled(username, False)


@users.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input's first line.")
def users_reset_password(username: str, password_stdin: bool) -> None:
    """Set a new password (prompted for unless --password-stdin); open sessions end."""
    user = _change_password(
        "reset the password", lambda: records.get_user(session=database.session, username=username),
        lambda password: records.reset_password(session=database.session, username=username, password=password),
        password_stdin)
    click.echo(f"new password set for {user.username}")


@users.command("bootstrap")
def users_bootstrap() -> None:
    """Create an admin user if there is no user at all (used by `make run`)."""
    with make_app().app_context():
        created = records.create_first_admin(session=database.session)
        if created is None:
            click.echo("a web interface user exists; `sanctions users create` makes another")
            return
        _done("create the first admin user")
    user, password = created
    click.echo("created the web interface's first admin user; store its password now, it is not shown again:")
    click.echo(f"  user name: {user.username}")
    click.echo(f"  password:  {password}")
