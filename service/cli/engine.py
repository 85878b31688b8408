"""``sanctions engine build|status``: the screening engine's compiled (mypyc) build.

These commands import :mod:`..screening.native` inside each function, on purpose: importing
anything under ``service.screening`` loads the engine (the compiled build when a fresh one
exists), and the build must run with no engine loaded, old or new (``SANCTIONS_PURE_PYTHON``
is set first). The ``sanctions`` group loads this module only for these commands.
"""

from __future__ import annotations

import os
import sys

import click

from .common import Fail


@click.group()
def engine() -> None:
    """The screening engine's compiled (mypyc) build."""


@engine.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the build matches the sources.")
def engine_build(force: bool) -> None:
    """Compile the engine's hot modules with mypyc (needs mypy and a C compiler)."""
    os.environ["SANCTIONS_PURE_PYTHON"] = "1"  # building needs no engine, old or new
    from ..screening import native  # after the variable is set: see the module's docstring

    if native.is_fresh() and not force:
        click.echo(f"compiled engine in {native.OUT} is up to date")
        return
    try:
        native.build()
    except Exception as exc:  # any compiler failure: the pure-Python engine stays in use
        raise Fail(f"could not compile the screening engine ({exc}); the pure-Python engine stays in use") from exc
    click.echo(f"compiled {', '.join(native.COMPILED)} -> {native.OUT}")


@engine.command("status")
def engine_status() -> None:
    """Say which build of the engine runs; exit 1 if the compiled one is not in use."""
    from ..screening import native  # loads the engine as any command would: see the docstring

    if native.ACTIVE:
        click.echo(f"compiled (mypyc) engine in use: {native.OUT}")
        return
    reason = ("forced by SANCTIONS_PURE_PYTHON" if native.pure_python_forced()
              else "no up-to-date build (run `sanctions engine build`)")
    click.echo(f"pure-Python engine in use: {reason}")
    sys.exit(1)
