"""The entity page's record: now, as of a past day, and its history with related records."""

from __future__ import annotations

from datetime import date, timedelta

from service.extensions import db
from service.models import Designation
from service.records.actor import Actor
from service.records.common import archive
from service.records.entities import update_entity
from service.records.timeline import entity_timeline, entity_view, load_entity


def test_history_of_an_entity_and_its_designations(app, seeded):
    with app.app_context():
        s = db.session
        zhao = load_entity(session=s, entity_id=seeded["ZHAO, Guangzong"])
        before = entity_view(session=s, entity=zhao, day=date.today())
        assert {d.reference for d in before.designations} == {"OFAC:47814", "UK:CYB0045"}
        s.info["actor"] = Actor(user_id=1, user_name="alice")
        update_entity(session=s, entity=zhao, data={"nationalities": ["CN", "HK"]}, replace=False)
        uk = s.query(Designation).filter_by(entity_id=zhao.id, authority="UK").one()
        archive(session=s, record=uk)
        s.commit()
        zhao = load_entity(session=s, entity_id=zhao.id)
        timeline = entity_timeline(session=s, entity=zhao)
        newest, second = timeline[0], timeline[1]
        assert (newest.action, newest.label, newest.actor) == ("archive", "designation UK:CYB0045", "alice")
        assert (second.action, second.label) == ("update", "the record")
        assert [(c.field, c.before, c.after) for c in second.changes] == [("nationalities", ["CN"], ["CN", "HK"])]
        assert {e.label for e in timeline} >= {"count 1 in United States v. seven APT31 hackers (Ni Gaobin et al.)",
                                               "link to APT31 (member)"}
        # As of the end of today the archived designation is gone; the day before, nothing existed.
        today = entity_view(session=s, entity=zhao, day=date.today())
        assert [d.reference for d in today.designations] == ["OFAC:47814"]
        assert today.entity.nationalities == ["CN", "HK"] and "赵光宗" in [n.name for n in today.names]
        assert [c.count_number for c in today.charges] == [1, 2] and today.charges[0].case.title.startswith("United")
        assert [link.group.name for link in today.group_links] == ["APT31"]
        assert entity_view(session=s, entity=zhao, day=date.today() - timedelta(days=1)) is None
        now = entity_view(session=s, entity=zhao)
        assert [d.reference for d in now.designations] == ["OFAC:47814"] and now.moment is None
