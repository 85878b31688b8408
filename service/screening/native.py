"""Optional native build of the engine's hot modules, compiled with mypyc.

The engine is plain typed Python. mypyc (part of mypy) compiles the same
source files to C extensions, which screen about 1.5x faster; nothing else
changes, and ``tests/unit/test_native.py`` checks that both builds return the
same results.

The compiled modules live in ``_compiled/`` beside the sources, never next to
them, with a manifest of the source hashes they were built from. On import,
:func:`activate` puts that folder first on the package path only when the
manifest matches the sources exactly, so an edited source file is never
shadowed by an old build: the engine falls back to pure Python (with a log
warning) until it is rebuilt with ``sanctions engine build`` (``make compile``;
``make test``, ``make run`` and the ``make bench`` targets do it).
``SANCTIONS_PURE_PYTHON=1`` forces the pure-Python engine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from ..config import pure_python_forced  # SANCTIONS_PURE_PYTHON

log = logging.getLogger(__name__)

#: Modules compiled, in dependency order (all of the per-query hot path).
COMPILED = ("memo", "chinese", "companies", "normalize", "keys", "abjad", "tokens", "prepare", "variants", "anchors", "syllables", "costs", "score", "multimap", "vocabulary", "estimate",
            "retrieval", "adjust", "columns", "index")
HERE = Path(__file__).resolve().parent
OUT = HERE / "_compiled"
MANIFEST = "manifest.json"

#: True once :func:`activate` has put the compiled modules on the path.
ACTIVE = False


def source_digests(src: Path = HERE) -> dict[str, str]:
    return {m: hashlib.sha256((src / f"{m}.py").read_bytes()).hexdigest() for m in COMPILED}


def _wanted(src: Path) -> dict[str, object]:
    return {"cache_tag": sys.implementation.cache_tag, "sources": source_digests(src)}


def is_fresh(out: Path = OUT, src: Path = HERE) -> bool:
    """Whether ``out`` holds a build of exactly the current sources for this
    Python."""
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    wanted = _wanted(src)
    return all(manifest.get(k) == v for k, v in wanted.items())


def activate(package_path: list[str], out: Path = OUT, src: Path = HERE) -> bool:
    """Prefer the compiled modules for the package whose ``__path__`` is given,
    if a fresh build exists and pure Python is not forced."""
    global ACTIVE
    if pure_python_forced():
        return False
    if not (out / MANIFEST).exists():
        return False
    if not is_fresh(out, src):
        log.warning("compiled screening engine in %s is out of date; using pure Python "
                    "(rebuild with `sanctions engine build`)", out)
        return False
    # The shared mypyc runtime is a top-level module of the build folder.
    if str(out) not in sys.path:
        sys.path.append(str(out))
    package_path.insert(0, str(out / "service" / "screening"))
    ACTIVE = True
    return True


def build(out: Path = OUT, quiet: bool = True) -> Path:
    """Compile :data:`COMPILED` with mypyc into ``out`` (replaced atomically)."""
    # The [native] extra, needed only to build: mypyc and setuptools take ~230 ms to
    # import, which every start of the service would otherwise pay.
    from mypyc.build import mypycify
    from setuptools import setup

    root = HERE.parent.parent  # mypyc names modules after their path from here
    sources = [f"service/screening/{m}.py" for m in COMPILED]
    digests = _wanted(HERE)
    cwd = os.getcwd()
    stage = Path(tempfile.mkdtemp(prefix="_compiled.", dir=out.parent))
    try:
        os.chdir(root)
        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            # setuptools reads pyproject.toml here and warns about its beta support.
            warnings.simplefilter("ignore")
            # Type errors in modules the engine does not import at run time (the package
            # root pulls in the whole service) must not stop the engine's build: mypy still
            # checks the compiled modules, and reports nothing from the ones it only follows.
            extensions = mypycify([*sources, "--follow-imports=silent"], opt_level="3",
                                  target_dir=os.path.join(tmp, "c"))
            args = ["build_ext", "--build-lib", str(stage), "--build-temp", os.path.join(tmp, "o")]
            setup(name="sanctions-screening-native", ext_modules=extensions,
                  script_args=(["-q"] if quiet else []) + args)
        (stage / MANIFEST).write_text(json.dumps(digests, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
    finally:
        os.chdir(cwd)
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return out

