"""The compiled engine builds on every install, with or without the optional extras.

`make run` compiles the engine with `sanctions engine build`; if that fails, the user silently
gets the pure-Python engine (several times slower). The build type-checks the engine against
the packages installed, so an optional extra that is missing (``japanese``: pykakasi) must not
break it. This test builds the engine for real in an environment without that extra: a
virtualenv whose site-packages holds links to this one's packages, all but the extra's, so it
needs no download.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from service.screening import native
from tests.conftest import ROOT

OPTIONAL = ("pykakasi",)  # the [japanese] extra's packages, as import names


def _without_extras(target: Path) -> Path:
    """A virtualenv with this environment's packages except the optional extras'; its python."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(target)
    python = target / "bin" / "python"
    theirs = Path(subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if entry.name.lower().startswith(OPTIONAL):
            continue
        link = theirs / entry.name
        if not link.exists():
            link.symlink_to(entry)
    return python


def test_engine_compiles_without_the_japanese_extra(tmp_path: Path) -> None:
    python = _without_extras(tmp_path / "venv")
    missing = subprocess.run([str(python), "-c", "import pykakasi"], capture_output=True)
    assert missing.returncode != 0, "the test environment should lack the japanese extra"
    out = tmp_path / "compiled"
    build = (
        "from pathlib import Path; from service.screening import native; "
        f"native.build(out=Path({str(out)!r}))"
    )
    env = {**os.environ, "SANCTIONS_PURE_PYTHON": "1"}  # building needs no engine loaded
    done = subprocess.run([str(python), "-c", build], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    built = {p.name.split(".")[0] for p in (out / "service" / "screening").glob("*.so")}
    assert set(native.COMPILED) <= built
    assert json.loads((out / native.MANIFEST).read_text())["sources"] == native.source_digests()


if sys.platform != "linux":  # pragma: no cover - the project runs on Linux
    pytestmark = pytest.mark.skip(reason="the engine build test runs on Linux")
