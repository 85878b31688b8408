"""Facet counts: entities (not rows) per filter value, over explicit ids or the filters."""

from __future__ import annotations

from datetime import date

import pytest

from service.extensions import db
from service.models import ENTITY_TYPES, ThreatGroup
from service.records.designations import create_designation
from service.records.entities import EntityFilters, create_entity
from service.records.facets import FacetCache, facet_counts, filtered_ids
from service.records.threat_groups import add_member
from tests.querycount import statements


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


def test_a_programme_filter_is_exact_among_joined_programmes(app):
    """CYBER keeps CYBER and "SDGT; CYBER", not CYBER2; the API's substring filter still does."""
    with app.app_context():
        s = db.session
        ids = {}
        for ref, programme in (("1", "CYBER"), ("2", "CYBER2"), ("3", "SDGT; CYBER"), ("4", "CYBER; IRGC"),
                               ("5", "SDGT; CYBER; IRGC"), ("6", "CYBERX; SDGT")):
            entity = create_entity(session=s, data={"name": f"Entity {ref}", "type": "company"})
            create_designation(session=s, data={"entity_id": entity.id, "authority": "OFAC", "list_ref": ref,
                                                "programme": programme})
            ids[programme] = entity.id
        s.commit()
        exact = EntityFilters(types=ENTITY_TYPES, programme="cyber", programme_exact=True)
        kept = set(filtered_ids(session=s, filters=exact))
        counts = as_dict(facet_counts(session=s, filters=exact))
        loose = set(filtered_ids(session=s, filters=EntityFilters(types=ENTITY_TYPES, programme="CYBER")))
    assert kept == {ids[p] for p in ("CYBER", "SDGT; CYBER", "CYBER; IRGC", "SDGT; CYBER; IRGC")}
    assert counts["programme"]["CYBER"] == len(kept) == 4 and "CYBER2" not in counts["programme"]
    assert loose == set(ids.values())


def test_the_cache_reads_the_filters_once_per_list_state(app, small_list):
    cache = FacetCache()
    persons = EntityFilters(types=("person",))
    with statements(app) as seen, app.app_context():
        first = cache.listing(session=db.session, filters=persons)
        cold = len(seen)
        again = cache.listing(session=db.session, filters=persons)
        warm = len(seen) - cold
        hits = cache.of_ids(session=db.session, ids=[small_list["b"], small_list["d"]])
        by_ids = len(seen) - cold - warm
    assert list(first.ids) == [small_list["c"], small_list["a"]]  # the most recently changed first
    assert again is first and warm == 1  # the list-state counter alone
    assert by_ids == 1 and as_dict(hits.facets)["type"] == {"company": 1, "vessel": 1}
    assert cold == 5  # counter, the filter once, and the rows (designations, groups, entities)
    assert [row.name for row in first.window(1, 1)] == ["Charlie Two"] and first.rows[small_list["a"]].groups == (
        "Group X",)


def test_a_change_to_the_records_drops_what_the_cache_holds(app, small_list):
    cache = FacetCache()
    with app.app_context():
        before = cache.listing(session=db.session, filters=EntityFilters(types=ENTITY_TYPES, authority="UK"))
        create_designation(session=db.session, data={"entity_id": small_list["d"], "authority": "UK",
                                                     "list_ref": "R9", "programme": "Russia"})
        db.session.commit()
        after = cache.listing(session=db.session, filters=EntityFilters(types=ENTITY_TYPES, authority="UK"))
    assert len(before.ids) == 2 and len(after.ids) == 3
    assert as_dict(after.facets)["programme"] == {"Russia": 3, "UKRAINE-EO13662": 1}
    assert after.rows[small_list["d"]].references == ("UK:R9",) and after.rows[small_list["d"]].status == "active"


def test_a_request_on_an_older_state_reads_for_itself(app, small_list):
    """A transaction begun before another's commit sees the older counter: it gets what it
    reads, and the cache keeps the newer state's."""
    cache = FacetCache()
    with app.app_context():
        cache.listing(session=db.session, filters=EntityFilters(types=ENTITY_TYPES))
        newer = cache._key
        assert newer is not None
        cache.clear()
        cache._key = (newer[0] + 1, "a later state", newer[2])  # as if another request saw a commit
        older = cache.listing(session=db.session, filters=EntityFilters(types=ENTITY_TYPES))
    assert len(older.ids) == 4 and len(older.rows) == 4
    assert cache._key[0] == newer[0] + 1 and not cache._listings and cache._rows is None
