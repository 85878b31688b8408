"""The index's read of the records: read in parts of entity ids, it gives what one read gives,
without archived entities and with each entity's names, identifiers and references whole."""

from __future__ import annotations

from datetime import date

from service.records.common import archive
from service.records.designations import create_designation
from service.records.entities import create_entity
from service.records.listed import iter_listed_entities, listed_entities, listed_part_bounds


def _entities(session):
    made = []
    for i in range(7):
        e = create_entity(session=session, data={
            "name": f"Person {i} Example", "type": "person",
            "names": [{"name": f"Alias {i}", "kind": "aka"}, {"name": f"Other {i}", "kind": "aka"}],
            "birth_dates": [f"19{60 + i}-01-02"], "nationalities": ["CN"],
            "identifiers": [{"scheme": "passport", "value": f"P{i:04d}", "country": "CN"}],
        })
        create_designation(session=session, data={"entity_id": e.id, "authority": "OFAC", "list_ref": f"R{i}",
                                                  "listed_on": date(2024, 3, 25)})
        made.append(e)
    archive(session=session, record=made[3])
    session.commit()
    return [e.id for e in made]


def _shape(e):
    return (e.entity_id, e.type, e.name, [(n.name, n.kind) for n in e.names], e.birth_dates, e.countries,
            sorted(e.identifiers), e.references)


def test_read_in_parts_equals_one_read(session):
    ids = _entities(session)
    whole = [_shape(e) for e in listed_entities(session=session)]
    assert [e[0] for e in whole] == [i for i in ids if i != ids[3]]  # the archived one left out
    for part in (1, 2, 3, 100):
        assert [_shape(e) for e in iter_listed_entities(session=session, part=part)] == whole
    # Parts of two: each entity keeps all its names, identifiers and references.
    first = next(iter_listed_entities(session=session, part=2))
    assert [n.name for n in first.names][:3] == ["Person 0 Example", "Alias 0", "Other 0"]
    assert first.identifiers == [("passport", "P0000", "CN")]
    assert first.references == ["OFAC:R0"]
    # By id, likewise (the refresh path), archived ones left out.
    assert [_shape(e) for e in listed_entities(session=session, ids=set(ids))] == whole


def test_part_bounds_are_counted_over_live_entities(session):
    ids = _entities(session)
    live = [i for i in ids if i != ids[3]]  # six live ones, the archived one in their midst
    for part in (1, 2, 4, 6, 100):
        expected = [(live[k], live[min(k + part, len(live)) - 1]) for k in range(0, len(live), part)]
        assert listed_part_bounds(session=session, part=part) == expected
    assert listed_part_bounds(session=session, part=4) == [(live[0], live[3]), (live[4], live[5])]


def test_read_is_lazy(session):
    """The build consumes one part before the next is read: the generator yields before it
    has read every entity."""
    _entities(session)
    parts = iter_listed_entities(session=session, part=2)
    first = next(parts)
    assert first.name == "Person 0 Example"
    assert parts.gi_frame is not None  # suspended, not exhausted


def test_empty_json_lists_are_read_without_the_parser_and_never_shared():
    from service.records.engine import json_loads

    first, second = json_loads(b"[]"), json_loads("[]")
    assert first == second == [] and first is not second  # a record may append to its own
    assert json_loads(b'["CN", "RU"]') == ["CN", "RU"] and json_loads('[{"country": "CN"}]') == [{"country": "CN"}]
