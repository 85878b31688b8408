"""What the ``sanctions`` commands share: their app, their one-line errors, who they act as
and progress bars."""

from __future__ import annotations

import getpass
import sys
from typing import Any

import click
from flask import Flask
from tqdm import tqdm

from .. import create_app
from ..records.actor import Actor


def make_app() -> Flask:
    # Commands never pick up interrupted screening jobs: that is for the server and workers.
    return create_app({"JOB_RECOVERY": False})


def cli_actor() -> Actor:
    """Who the rows a CLI command writes (history, evidence) name: no API key, and the
    operating-system user as ``cli:<user>``."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "unknown"
    return Actor(key_name=f"cli:{user}")


def first_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for a one-line error."""
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"


class Fail(click.ClickException):
    """One line on stderr, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"sanctions: error: {self.format_message()}", err=True)


class Bars:
    """tqdm progress bars on stderr, one per stage (hidden when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit=" entries" if stage == "merge" else "", disable=None,
                            file=sys.stderr, leave=False)
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Bars:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
