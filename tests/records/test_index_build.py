"""A big list's index is built with a helper process reading and preparing parts of it: the
same index as one process builds alone, on SQLite and PostgreSQL; a helper that fails fails
the build with its reason, and leaves no process behind."""

from __future__ import annotations

import pytest

from service.records import index_build
from service.records.common import archive
from service.records.designations import create_designation
from service.records.entities import create_entity
from service.records.index_build import IndexBuildError, build_lists_index
from service.screening.index import PreparedPart
from tests.unit.test_index_parts import fingerprint, matches, varied_entities


def _store(session):
    made = []
    for e in varied_entities():
        record = create_entity(session=session, data={
            "name": e.name, "type": e.type if e.type != "company" else "organization",
            "names": [{"name": n.name, "kind": n.kind} for n in e.names if n.name != e.name],
            "birth_dates": e.birth_dates, "nationalities": e.countries,
            "identifiers": [{"scheme": s, "value": v, "country": c} for s, v, c in e.identifiers],
        })
        made.append(record)
    for record in made[:3]:
        create_designation(session=session, data={"entity_id": record.id, "authority": "OFAC",
                                                  "list_ref": f"R{record.id}"})
    archive(session=session, record=made[-1])
    session.commit()
    return made


@pytest.fixture()
def helpers(monkeypatch):
    """The helpers started, and the kind of each part they sent, and the parts the build took."""
    seen: list[dict] = []

    class Recorded(index_build._Helper):
        def __init__(self, url, part):
            super().__init__(url, part)
            self.record = {"parts": [], "taken": [], "helper": self}
            seen.append(self.record)

        def _take(self, j):
            self.record["taken"].append(j)
            super()._take(j)

        def received(self, session):
            for part in super().received(session):
                self.record["parts"].append(type(part).__name__)
                yield part

    monkeypatch.setattr(index_build, "_Helper", Recorded)
    return seen


def test_the_helper_builds_the_index_one_process_builds(session, helpers):
    _store(session)
    alone = build_lists_index(session, parallel_min=10**9)
    assert not helpers
    for part in (1, 2, 3):
        built = build_lists_index(session, parallel_min=1, part=part)
        assert fingerprint(built) == fingerprint(alone)
        assert matches(built) == matches(alone)
    assert len(helpers) == 3
    assert len(alone) == len(varied_entities()) - 1  # the archived one left out
    # Parts of one entity: ten parts, each prepared by the helper or taken by the build.
    assert helpers[0]["parts"] == [PreparedPart.__name__] * 10
    # The first part is always the helper's; while it starts (a second or so), the build takes
    # later ones: both ways of preparing a part were in the builds compared.
    assert all(0 not in r["taken"] for r in helpers)
    assert any(r["taken"] for r in helpers)
    for record in helpers:
        assert record["helper"].proc.returncode is not None  # waited for: gone


def test_a_helper_that_cannot_start_fails_the_build_with_its_reason(session, helpers, monkeypatch):
    _store(session)
    monkeypatch.setattr(index_build, "HELPER_MODULE", "service.no_such_module")
    with pytest.raises(IndexBuildError, match="No module named service.no_such_module"):
        build_lists_index(session, parallel_min=1)
    assert helpers[0]["helper"].proc.returncode is not None


def test_a_helper_that_cannot_read_fails_the_build_with_its_reason(session, helpers, monkeypatch):
    _store(session)
    start = index_build._Helper.__init__

    def unreadable(self, url, part):
        start(self, "sqlite:////nonexistent-dir/none.db", part)

    monkeypatch.setattr(index_build._Helper, "__init__", unreadable)
    with pytest.raises(IndexBuildError, match="failed: OperationalError"):
        build_lists_index(session, parallel_min=1)


def test_an_in_memory_database_is_built_alone(monkeypatch):
    from sqlalchemy.orm import Session

    from service.models import Base
    from service.records.engine import make_engine

    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        # A helper could not open it: the build takes none, whatever the size.
        monkeypatch.setattr(index_build, "_Helper", None)
        assert len(build_lists_index(session, parallel_min=0)) == 0
    engine.dispose()
