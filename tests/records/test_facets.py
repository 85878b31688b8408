"""Facet counts: entities (not rows) per filter value, over explicit ids or the filters."""

from __future__ import annotations

from datetime import date

import pytest

from service.extensions import db
from service.models import ENTITY_TYPES, ThreatGroup
from service.records.designations import create_designation
from service.records.entities import EntityFilters, create_entity
from service.records.facets import facet_counts
from service.records.threat_groups import add_member


@pytest.fixture()
def small_list(app):
    """Four entities: a person listed by OFAC twice (one designation under two programmes) and
    in a group; a company delisted by OFAC but listed by the UK; a person delisted everywhere;
    a vessel with no designation."""
    with app.app_context():
        s = db.session
        a = create_entity(session=s, data={"name": "Alpha One", "type": "person", "nationalities": ["CN"],
                                           "countries": ["CN", "HK"]})
        b = create_entity(session=s, data={"name": "Bravo Ltd", "type": "company", "countries": ["RU"]})
        c = create_entity(session=s, data={"name": "Charlie Two", "type": "person", "nationalities": ["RU"]})
        d = create_entity(session=s, data={"name": "Delta Ship", "type": "vessel"})
        for entity, authority, ref, programme, delisted in (
            (a, "OFAC", "1", "SDGT; IRGC", None), (a, "OFAC", "2", "SDGT", None),
            (b, "OFAC", "3", "UKRAINE-EO13662", date(2020, 1, 1)), (b, "UK", "R1", "Russia", None),
            (c, "UK", "R2", "Russia", date(2021, 5, 5)),
        ):
            create_designation(session=s, data={"entity_id": entity.id, "authority": authority, "list_ref": ref,
                                                "programme": programme, "listed_on": date(2019, 1, 1),
                                                "delisted_on": delisted})
        group = ThreatGroup(name="Group X", aliases=["GX"])
        s.add(group)
        s.flush()
        add_member(s, group, {"entity_id": a.id, "role": "member"})
        add_member(s, group, {"entity_id": a.id, "role": "leader"})  # two links, one entity
        s.commit()
        return {"a": a.id, "b": b.id, "c": c.id, "d": d.id}


def as_dict(facets):
    return {f.name: dict(f.values) for f in facets}


def test_counts_every_entity_once_per_value(app, small_list):
    with app.app_context():
        got = as_dict(facet_counts(session=db.session, filters=EntityFilters(types=ENTITY_TYPES)))
    assert got["type"] == {"person": 2, "company": 1, "vessel": 1}
    assert got["authority"] == {"OFAC": 2, "UK": 2}
    assert got["programme"] == {"SDGT": 1, "IRGC": 1, "UKRAINE-EO13662": 1, "Russia": 2}
    assert got["country"] == {"CN": 1, "HK": 1, "RU": 2}
    assert got["threat_group"] == {"Group X": 1}
    assert got["status"] == {"active": 2, "delisted": 1}  # the vessel was never listed


def test_counts_follow_the_filters_or_the_ids(app, small_list):
    with app.app_context():
        uk = as_dict(facet_counts(session=db.session, filters=EntityFilters(types=ENTITY_TYPES, authority="UK")))
        ids = as_dict(facet_counts(session=db.session, filters=EntityFilters(types=ENTITY_TYPES),
                                   ids=[small_list["b"], small_list["d"], small_list["b"]]))
        persons = as_dict(facet_counts(session=db.session, filters=EntityFilters(types=("person",), active=False)))
    assert uk["type"] == {"company": 1, "person": 1} and uk["authority"] == {"OFAC": 1, "UK": 2}
    assert ids["type"] == {"company": 1, "vessel": 1} and ids["status"] == {"active": 1}
    assert persons["type"] == {"person": 1} and persons["country"] == {"RU": 1}


def test_values_are_ranked_and_cut(app, small_list):
    with app.app_context():
        facets = facet_counts(session=db.session, filters=EntityFilters(types=ENTITY_TYPES), limit=2)
    assert facets.programme.values == [("Russia", 2), ("IRGC", 1)] and facets.programme.more == 2
