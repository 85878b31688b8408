"""What a signed-in user does is attributed to that user, through the one Actor path the API's
keys use: history, the evidence log, decisions and jobs."""

from __future__ import annotations

import io

import pytest
from flask import g, request_finished
from sqlalchemy import select

from service.errors import NotFound
from service.extensions import db
from service.jobs import store
from service.models import Entity, HistoryEntry
from service.records.actor import Actor, jobs_owner
from service.records.evidence import (
    LogFilters,
    LogSettings,
    list_screenings,
    log_screenings,
    record_disposition,
)
from service.records.users import find_user
from tests.ui.conftest import make_user

RESULT = {"threshold": 0.8, "algorithm": "x", "algorithm_version": "1", "list_version": 1,
          "list_fingerprint": "f", "matches": []}


def test_a_signed_in_request_acts_as_its_user(app, ui_as):
    client = ui_as("editor", "Erin")
    seen = []

    def record(sender, response, **extra):  # at the end of the request, before teardown
        seen.append((g.actor, db.session.info.get("actor")))

    with request_finished.connected_to(record, app):
        assert client.get("/", headers={"X-Request-ID": "ui-42"}).status_code == 200
    [(actor, stamped)] = seen
    assert stamped is actor  # the session's actor: what the history hook stamps on rows
    assert (actor.user_name, actor.key_id, actor.request_id, actor.role) == ("Erin", None, "ui-42", "editor")


def test_user_rows_name_the_user(app, session):
    make_user(app, "editor", "Erin")
    user = find_user(session=session, username="erin")
    actor = Actor.of_user(user, "req-1")
    session.info["actor"] = actor
    entity = Entity(type="person", name="Jane Roe")
    session.add(entity)
    session.flush()
    entry = session.scalar(select(HistoryEntry).where(HistoryEntry.record_id == entity.id))
    assert (entry.user_id, entry.user_name, entry.key_id, entry.key_name, entry.request_id) == \
        (user.id, "Erin", None, None, "req-1")
    ids = log_screenings(session=session, kind="single", subjects={"q": {"name": "Jane Roe"}}, results={"q": RESULT},
                         actor=actor, settings=LogSettings(), batch=False)
    mine = list_screenings(session=session, filters=LogFilters(user_id=user.id), page=1, page_size=10)
    assert [row.id for row in mine.items] == [ids["q"]] and mine.items[0].user_name == "Erin"
    decision = record_disposition(session=session, subject={"name": "Jane Roe"}, entity_id=entity.id,
                                  decision="false_positive", comment="not her", actor=actor, settings=LogSettings())
    assert (decision.user_name, decision.key_name) == ("Erin", None)
    session.rollback()


def test_a_screener_sees_only_its_own_jobs(app, session, tmp_path):
    make_user(app, "screener", "sam")
    make_user(app, "screener", "sue")
    make_user(app, "analyst", "ann")
    sam, sue, ann = (Actor.of_user(find_user(session=session, username=n)) for n in ("sam", "sue", "ann"))
    options = {"threshold": 0.8, "limit": 3, "format": "csv"}
    jobs = {}
    for actor in (sam, sue):
        jobs[actor.user_name] = store.create_job(
            session=session, jobs_dir=tmp_path, source=io.BytesIO(b"name\nZhao\n"), filename="x.csv",
            options=options, max_bytes=10_000, backend="embedded", actor=actor)
    session.commit()
    assert jobs["sam"].user_name == "sam" and jobs["sam"].key_id is None

    def visible(actor: Actor) -> list[str]:
        page = store.list_jobs(session=session, status=None, page=1, page_size=10, owner=jobs_owner(actor))
        return sorted(job.user_name for job in page.items)

    assert visible(sam) == ["sam"] and visible(sue) == ["sue"] and visible(ann) == ["sam", "sue"]
    assert store.get_job(session, jobs["sam"].id, jobs_owner(sam)) is jobs["sam"]
    with pytest.raises(NotFound):
        store.get_job(session, jobs["sam"].id, jobs_owner(sue))
    # A key and a user never share ownership, even with equal ids.
    key_actor = Actor(key_id=sam.user_id, key_name="k", role="screener")
    assert visible(key_actor) == []
