"""The mypyc build of the engine: chosen only when it matches the sources, and
it returns exactly what the pure-Python engine returns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.screening import native
from tests.conftest import ROOT, data_file


def _fake_build(tmp_path: Path, src: Path) -> Path:
    out = tmp_path / "_compiled"
    (out / "service" / "screening").mkdir(parents=True)
    manifest = {"cache_tag": sys.implementation.cache_tag, "sources": native.source_digests(src)}
    (out / native.MANIFEST).write_text(json.dumps(manifest))
    return out


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A copy of the compiled modules' sources, to edit."""
    src = tmp_path / "src"
    src.mkdir()
    for mod in native.COMPILED:
        (src / f"{mod}.py").write_bytes((native.HERE / f"{mod}.py").read_bytes())
    return src


@pytest.fixture
def clean_sys_path():
    before = list(sys.path)
    active = native.ACTIVE
    yield
    sys.path[:] = before
    native.ACTIVE = active


def test_a_build_matching_the_sources_goes_first_on_the_package_path(tmp_path, sources, clean_sys_path, monkeypatch):
    monkeypatch.delenv("SANCTIONS_PURE_PYTHON", raising=False)
    out = _fake_build(tmp_path, sources)
    path = ["/pkg"]
    assert native.activate(path, out, sources) is True
    assert path == [str(out / "service" / "screening"), "/pkg"]
    assert str(out) in sys.path


def test_an_edited_source_falls_back_to_pure_python(tmp_path, sources, clean_sys_path, monkeypatch, caplog):
    monkeypatch.delenv("SANCTIONS_PURE_PYTHON", raising=False)
    out = _fake_build(tmp_path, sources)
    with open(sources / "score.py", "a") as fh:
        fh.write("\n# edited\n")
    path = ["/pkg"]
    assert native.is_fresh(out, sources) is False
    assert native.activate(path, out, sources) is False
    assert path == ["/pkg"] and str(out) not in sys.path
    assert "out of date" in caplog.text


def test_a_build_for_another_python_is_not_used(tmp_path, sources, clean_sys_path, monkeypatch):
    monkeypatch.delenv("SANCTIONS_PURE_PYTHON", raising=False)
    out = _fake_build(tmp_path, sources)
    manifest = json.loads((out / native.MANIFEST).read_text())
    manifest["cache_tag"] = "cpython-00"
    (out / native.MANIFEST).write_text(json.dumps(manifest))
    path: list[str] = []
    assert native.activate(path, out, sources) is False and path == []


def test_no_build_and_forced_pure_python(tmp_path, sources, clean_sys_path, monkeypatch):
    path: list[str] = []
    assert native.activate(path, tmp_path / "missing", sources) is False
    out = _fake_build(tmp_path, sources)
    monkeypatch.setenv("SANCTIONS_PURE_PYTHON", "1")
    assert native.activate(path, out, sources) is False and path == []


_SCREEN_UN = """
import json, sys
sys.path.insert(0, sys.argv[1])
from bench.accuracy import _rows, entities_from_yente, subject_from_row
from service.screening import ScreeningIndex, Subject, native
untreated = _rows("yente_positives_un_untreated.csv")
index = ScreeningIndex.build(entities_from_yente(untreated))
queries = [subject_from_row(r) for r in _rows("yente_positives_un_treated.csv")]
queries += [subject_from_row(r) for r in _rows("yente_negatives_global_1000.csv")]
queries += [Subject(name=r["full_name"]) for r in untreated[:300]]  # type left open
results = [[(m.entity_id, m.score, m.explanation) for m in index.screen(q)] for q in queries]
print(json.dumps({"native": native.ACTIVE, "results": results}))
"""


def _screen_un(pure: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SANCTIONS_PURE_PYTHON"}
    if pure:
        env["SANCTIONS_PURE_PYTHON"] = "1"
    out = subprocess.run([sys.executable, "-c", _SCREEN_UN, str(ROOT)], env=env, capture_output=True,
                         text=True, check=True, timeout=300)
    return json.loads(out.stdout)


@pytest.mark.slow
def test_compiled_and_pure_python_engines_return_the_same_matches():
    data_file("namematch", "yente_positives_un_untreated.csv")
    if not native.is_fresh():
        pytest.skip("no up-to-date compiled engine (run `sanctions engine build` or `make compile`)")
    compiled, pure = _screen_un(pure=False), _screen_un(pure=True)
    assert compiled["native"] is True and pure["native"] is False
    assert sum(len(r) for r in pure["results"]) > 500  # the comparison is not empty
    assert compiled["results"] == pure["results"]
