"""The ``sanctions`` command: database, seed, imports, screening, keys, users, OpenAPI, the
engine build and serving.

Errors end with a one-line message on stderr and a non-zero exit, never a traceback.

Each command's module is imported only when that command runs (click's lazily loaded
subcommands): ``sanctions engine build`` must start before anything imports the screening
engine (it builds with no engine loaded, old or new), and a command does not pay for the
others' imports (Celery, the screening pipeline ...): ``sanctions engine status`` took 0.5 s
against 2.5 s for importing every command, measured on a busy machine.
"""

from __future__ import annotations

import importlib

import click

# Command name -> "module:attribute" under this package.
COMMANDS = {
    "db": "database:db",
    "seed": "database:seed",
    "import": "lists:import_cmd",
    "screen": "screen:screen",
    "keys": "keys:keys",
    "users": "users:users",
    "openapi": "server:openapi",
    "serve": "server:serve",
    "worker": "worker:worker",
    "engine": "engine:engine",
    "monitoring": "monitoring:monitoring",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when looked up (see the module's docstring)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, attr = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup)
def main() -> None:
    """Sanctions and indictment records: database, seed data, OpenAPI and the server."""
