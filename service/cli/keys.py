"""``sanctions keys create|list|revoke|bootstrap``: API keys."""

from __future__ import annotations

import click

from ..errors import DomainError
from ..extensions import db as database
from ..records.keys import create_key, has_active_key, list_keys, revoke_key
from .common import Fail, make_app


@click.group()
def keys() -> None:
    """API keys: create, list, revoke."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "analyst", "screener"]))
@click.option("--name", required=True)
def keys_create(role: str, name: str) -> None:
    """Create a key and print it (shown once)."""
    with make_app().app_context():
        key, token = create_key(session=database.session, name=name, role=role)
        database.session.commit()
    click.echo(f"created key {key.id} ({role}, {name}); store it now, it is not shown again:")
    click.echo(token)


@keys.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    with make_app().app_context():
        for key in list_keys(session=database.session):
            state = "revoked" if key.revoked_at else "active"
            click.echo(f"{key.id}\t{key.prefix}...\t{key.role}\t{state}\t{key.name}")


@keys.command("revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id: int) -> None:
    """Revoke a key by id."""
    with make_app().app_context():
        try:
            revoke_key(session=database.session, key_id=key_id)
        except DomainError as exc:
            raise Fail(exc.detail) from exc
        database.session.commit()
    click.echo(f"revoked key {key_id}")


@keys.command("bootstrap")
def keys_bootstrap() -> None:
    """Create an admin key if there is no active key (used by `make run`)."""
    with make_app().app_context():
        if has_active_key(session=database.session):
            click.echo("an active API key exists; `sanctions keys create` makes another")
            return
        _, token = create_key(session=database.session, name="bootstrap admin", role="admin")
        database.session.commit()
    click.echo("created an admin API key; store it now, it is not shown again:")
    click.echo(f"  {token}")
    click.echo(f"  e.g. curl -H 'Authorization: Bearer {token}' http://127.0.0.1:8000/api/v1/persons")
