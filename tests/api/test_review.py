"""The review queue and four-eyes decisions: the records functions (service/records/review.py,
decisions.py) and ``POST /api/v1/dispositions`` with FOUR_EYES_REVIEW on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from service.errors import Conflict, Invalid, NotFound
from service.extensions import db
from service.models import (
    Disposition,
    MonitoredSubject,
    MonitoringAlert,
    ReviewJobMatch,
    ReviewProposal,
)
from service.records import decisions
from service.records.actor import Actor
from service.records.evidence import LogSettings
from service.records.review import QueueFilters, assign, queue, resolve
from service.records.users import create_user
from tests.api.test_jobs import submit, wait
from tests.helpers import problem

PASSWORD = "a long enough password"
PLAIN = LogSettings()


@pytest.fixture()
def four_eyes(app: Any) -> Iterator[None]:
    app.config["FOUR_EYES_REVIEW"] = True
    yield
    app.config["FOUR_EYES_REVIEW"] = False


def users(*specs: tuple[str, str]) -> dict[str, Actor]:
    out = {}
    for name, role in specs:
        out[name] = Actor.of_user(create_user(session=db.session, username=name, role=role, password=PASSWORD))
    db.session.commit()
    return out


def items(**filters: Any) -> list[Any]:
    return list(queue(session=db.session, filters=QueueFilters(**filters), page=1, page_size=50).items)


def screen(client: Any, name: str, **extra: Any) -> dict[str, Any]:
    resp = client.post("/api/v1/screen", json={"name": name, **extra})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json  # type: ignore[no-any-return]


def screening_pair(result: dict[str, Any], entity_id: int) -> Any:
    return resolve(session=db.session, source="screening", ref_id=result["screening_id"], entity_id=entity_id,
                   settings=PLAIN)


def test_queue_lists_undecided_matches_newest_first_once_per_pair(client, app, seeded):
    screen(client, "Zhao Guangzong")
    screen(client, "Ni Gaobin")
    latest = screen(client, "Zhao Guangzong")  # the same subject again: one item, its latest screening
    screen(client, "Mary Poppins")  # no match: not queued
    with app.app_context():
        found = items()
        pairs = [(i.subject["name"], i.entity_id) for i in found]
        assert pairs[0] == ("Zhao Guangzong", seeded["ZHAO, Guangzong"])
        assert ("Ni Gaobin", seeded["NI, Gaobin"]) in pairs
        assert len(pairs) == len(set(pairs)) and "Mary Poppins" not in {p[0] for p in pairs}
        assert found[0].ref_id == latest["screening_id"] and found[0].source == "screening"
        assert [i.at for i in found] == sorted((i.at for i in found), reverse=True)
        # Score range and authority filters (Ni Gaobin: OFAC and UK; every seeded listing is one of those).
        assert all(0.9 <= i.score <= 1 for i in items(min_score=0.9, max_score=1))
        assert items(min_score=1.01) == []
        assert {i.entity_id for i in items(authority="uk")} <= {i.entity_id for i in found}
        assert items(authority="NOPE") == []
        with pytest.raises(Invalid):
            items(min_score=0.9, max_score=0.5)
        with pytest.raises(Invalid):
            items(source="email")


def test_a_decision_takes_the_pair_out_of_the_queue_and_a_later_entity_change_reopens_a_false_positive(client, app, seeded):
    screen(client, "Ni Gaobin")
    result, zhao = screen(client, "Zhao Guangzong"), seeded["ZHAO, Guangzong"]
    with app.app_context():
        people = users(("ann", "analyst"))
        pair = screening_pair(result, zhao)
        done = decisions.decide(session=db.session, pair=pair, decision="needs_review", comment="check DOB",
                                actor=people["ann"], four_eyes=False)
        db.session.commit()
        assert done.in_force and done.disposition.user_name == "ann"
        assert zhao in {i.entity_id for i in items()}  # needs_review decides nothing
        decisions.decide(session=db.session, pair=pair, decision="false_positive", comment="different person",
                         actor=people["ann"], four_eyes=False)
        db.session.commit()
        assert zhao not in {i.entity_id for i in items()}
        assert [i.entity_id for i in items()] == [seeded["NI, Gaobin"]]  # the other pair stays
    etag = client.get(f"/api/v1/persons/{zhao}").headers["ETag"]
    assert client.patch(f"/api/v1/persons/{zhao}", json={"nationalities": ["CN", "HK"]},
                        headers={"If-Match": etag}).status_code == 200
    with app.app_context():
        assert zhao in {i.entity_id for i in items()}  # the entity changed: the false positive lapsed


def test_assignment_and_the_mine_and_unassigned_filters(client, app, seeded):
    result, zhao = screen(client, "Zhao Guangzong"), seeded["ZHAO, Guangzong"]
    with app.app_context():
        people = users(("ann", "analyst"), ("bob", "analyst"))
        pair = screening_pair(result, zhao)
        assign(session=db.session, pair=pair, actor=people["ann"])
        db.session.commit()
        ann, bob = people["ann"].user_id, people["bob"].user_id
        assert [i.entity_id for i in items(assigned="mine", user_id=ann)] == [zhao]
        assert items(assigned="mine", user_id=bob) == []
        assert zhao not in {i.entity_id for i in items(assigned="unassigned")}
        assign(session=db.session, pair=pair, actor=people["bob"])  # taking it over
        db.session.commit()
        assert items(assigned="mine", user_id=ann) == []
        assert items(assigned="mine", user_id=bob)[0].assignment.user_name == "bob"
        with pytest.raises(Invalid):
            assign(session=db.session, pair=pair, actor=Actor(key_id=1, key_name="a key", role="admin"))


def test_resolve_refuses_what_an_item_did_not_match(client, app, seeded):
    result = screen(client, "Zhao Guangzong")
    with app.app_context():
        with pytest.raises(NotFound):
            resolve(session=db.session, source="screening", ref_id=result["screening_id"], entity_id=10**6,
                    settings=PLAIN)
        with pytest.raises(NotFound):
            resolve(session=db.session, source="screening", ref_id=10**6, entity_id=1, settings=PLAIN)
        with pytest.raises(Invalid):
            resolve(session=db.session, source="monitoring", ref_id=1, entity_id=1, settings=PLAIN)


def test_four_eyes_proposal_approved_by_a_second_analyst(client, app, seeded):
    result, zhao = screen(client, "Zhao Guangzong"), seeded["ZHAO, Guangzong"]
    with app.app_context():
        people = users(("ann", "analyst"), ("bob", "editor"), ("sam", "screener"))
        pair = screening_pair(result, zhao)
        done = decisions.decide(session=db.session, pair=pair, decision="true_match", comment="same DOB",
                                actor=people["ann"], four_eyes=True)
        db.session.commit()
        assert not done.in_force and done.proposal.state == "pending"
        assert db.session.query(Disposition).count() == 0  # nothing in force yet
        pending = items()[0].pending
        assert pending.id == done.proposal.id and pending.user_name == "ann"
        with pytest.raises(Conflict):  # one proposal per pair at a time
            decisions.decide(session=db.session, pair=pair, decision="false_positive", comment=None,
                             actor=people["bob"], four_eyes=True)
        with pytest.raises(decisions.NotAllowed, match="You proposed"):
            decisions.approve(session=db.session, proposal_id=done.proposal.id, actor=people["ann"], comment=None)
        with pytest.raises(decisions.NotAllowed, match="analyst role"):
            decisions.approve(session=db.session, proposal_id=done.proposal.id, actor=people["sam"], comment=None)
        with pytest.raises(decisions.NotAllowed):
            decisions.approve(session=db.session, proposal_id=done.proposal.id,
                              actor=Actor(key_id=9, key_name="k", role="admin"), comment=None)
        approved = decisions.approve(session=db.session, proposal_id=done.proposal.id, actor=people["bob"],
                                     comment="agreed")
        db.session.commit()
        disposition = db.session.get(Disposition, approved.disposition_id)
        assert (disposition.decision, disposition.user_name, disposition.comment) == ("true_match", "ann", "same DOB")
        assert (approved.state, approved.reviewer_user_name, approved.review_comment) == ("approved", "bob", "agreed")
        assert approved.reviewed_at is not None
        assert zhao not in {i.entity_id for i in items()}
        with pytest.raises(Conflict):  # closed once
            decisions.reject(session=db.session, proposal_id=approved.id, actor=people["bob"], comment=None)


def test_four_eyes_rejection_leaves_the_match_undecided_and_needs_review_is_not_held(client, app, seeded):
    result, zhao = screen(client, "Zhao Guangzong"), seeded["ZHAO, Guangzong"]
    with app.app_context():
        people = users(("ann", "analyst"), ("bob", "analyst"))
        pair = screening_pair(result, zhao)
        proposal = decisions.decide(session=db.session, pair=pair, decision="false_positive", comment="not him",
                                    actor=people["ann"], four_eyes=True).proposal
        rejected = decisions.reject(session=db.session, proposal_id=proposal.id, actor=people["bob"], comment="DOB matches")
        db.session.commit()
        assert rejected.state == "rejected" and rejected.disposition_id is None
        assert zhao in {i.entity_id for i in items()} and items()[0].pending is None
        done = decisions.decide(session=db.session, pair=pair, decision="needs_review", comment=None,
                                actor=people["ann"], four_eyes=True)
        assert done.in_force
        record = decisions.pair_record(session=db.session, pair=pair)
        assert [p.state for p in record.proposals] == ["rejected"] and len(record.dispositions) == 1
        with pytest.raises(Invalid):
            decisions.decide(session=db.session, pair=pair, decision="maybe", comment=None, actor=people["ann"],
                             four_eyes=True)


def test_api_decisions_become_proposals_with_four_eyes(client, client_as, app, seeded, four_eyes):
    zhao = seeded["ZHAO, Guangzong"]
    body = {"subject": {"name": "Zhao Guangzong"}, "entity_id": zhao, "decision": "false_positive", "comment": "k"}
    resp = client_as("analyst").post("/api/v1/dispositions", json=body)
    assert resp.status_code == 202, resp.get_data(as_text=True)
    proposed = resp.json
    assert proposed["status"] == "proposed" and proposed["id"] is None and proposed["proposal_id"]
    assert proposed["decision"] == "false_positive" and proposed["key_name"] == "test analyst"
    assert client.get("/api/v1/dispositions").json["total"] == 0
    # The screening does not carry it: the match is not suppressed until approved.
    match = screen(client, "Zhao Guangzong")["matches"][0]
    assert match["entity_id"] == zhao and not match["suppressed"]
    problem(client.post("/api/v1/dispositions", json=body), 409)  # already awaiting approval
    # needs_review is recorded at once.
    needs = client.post("/api/v1/dispositions", json={**body, "decision": "needs_review"})
    assert needs.status_code == 201 and needs.json["status"] == "recorded" and needs.json["id"]
    with app.app_context():
        people = users(("bob", "analyst"))
        decisions.approve(session=db.session, proposal_id=proposed["proposal_id"], actor=people["bob"], comment=None)
        db.session.commit()
    listed = client.get("/api/v1/dispositions?decision=false_positive").json["items"]
    assert [(d["decision"], d["key_name"]) for d in listed] == [("false_positive", "test analyst")]
    assert screen(client, "Zhao Guangzong")["matches"][0]["suppressed"] is True


def test_api_decisions_take_effect_at_once_without_four_eyes(client, seeded):
    resp = client.post("/api/v1/dispositions", json={"subject": {"name": "Zhao Guangzong"},
                                                     "entity_id": seeded["ZHAO, Guangzong"], "decision": "true_match"})
    assert resp.status_code == 201 and resp.json["status"] == "recorded" and resp.json["proposal_id"] is None
    problem(client.post("/api/v1/dispositions", json={"subject": {"name": "X"}, "entity_id": 10**6,
                                                      "decision": "true_match"}), 422)


def test_finished_job_rows_with_a_match_join_the_queue(client, app, seeded):
    csv = "Name,DOB,Country\nZhao Guangzong,1985-11-12,CN\nMary Poppins,,GB\nNi Gaobin,,\n"
    job = submit(client, csv).json
    assert wait(client, job["id"])["status"] == "done"
    with app.app_context():
        found = items(source="job")
        rows = {(i.row, i.subject["name"], i.entity_id) for i in found}
        assert (2, "Zhao Guangzong", seeded["ZHAO, Guangzong"]) in rows
        assert (4, "Ni Gaobin", seeded["NI, Gaobin"]) in rows
        assert "Mary Poppins" not in {r[1] for r in rows}
        zhao = next(i for i in found if i.subject["name"] == "Zhao Guangzong")
        assert zhao.job_id == job["id"] and zhao.subject["birth_date"] == "1985-11-12"
        pair = resolve(session=db.session, source="job", ref_id=zhao.ref_id, entity_id=zhao.entity_id, settings=PLAIN)
        decisions.decide(session=db.session, pair=pair, decision="true_match", comment=None,
                         actor=Actor(user_id=1, user_name="x", role="analyst"), four_eyes=False)
        db.session.commit()
        assert (2, "Zhao Guangzong", seeded["ZHAO, Guangzong"]) not in {(i.row, i.subject["name"], i.entity_id)
                                                                         for i in items(source="job")}
        assert db.session.query(ReviewProposal).count() == 0
    # The decision carries to a later screening of the same subject (same key).
    again = screen(client, "Zhao Guangzong", birth_date="1985-11-12", country="CN")["matches"][0]
    assert again["disposition"]["decision"] == "true_match"


def test_a_big_job_queues_every_matched_row(client, app, seeded):
    """Enough matched rows for the bulk write (COPY on PostgreSQL): each (row, entity) pair is
    queued once, its subject whole."""
    lines = [f"Zhao Guangzong,1985-11-{day:02d},CN" for day in range(1, 31)]
    lines += [f"Ni Gaobin,19{70 + i}-01-01," for i in range(30)]
    job = submit(client, "Name,DOB,Country\n" + "\n".join(lines) + "\n").json
    assert wait(client, job["id"])["status"] == "done"
    with app.app_context():
        rows = db.session.query(ReviewJobMatch).filter_by(job_id=job["id"]).all()
        pairs = {(r.row, r.entity_id) for r in rows}
        assert len(pairs) == len(rows) >= 60
        assert {r.row for r in rows} == set(range(2, 62))
        tenth = next(r for r in rows if r.row == 11 and r.entity_id == seeded["ZHAO, Guangzong"])
        assert tenth.subject == {"name": "Zhao Guangzong", "type": None, "birth_date": "1985-11-10",
                                 "country": "CN", "identifiers": []}
        assert tenth.subject_key and tenth.created_at is not None and 0 < tenth.score <= 1


def open_alert(entity_id: int, external_id: str = "vendor-42", state: str = "open") -> int:
    """A monitoring alert as a monitoring run raises it (rows written directly)."""
    subject = MonitoredSubject(external_id=external_id, name="Zhao Guangzong", country="CN")
    db.session.add(subject)
    db.session.flush()
    alert = MonitoringAlert(subject_id=subject.id, entity_id=entity_id, entity_version=1, subject_version=1,
                            state=state, score=0.97, threshold=0.78, matched_name="Zhao Guangzong",
                            entity_name="ZHAO, Guangzong", references=["OFAC:47814"])
    db.session.add(alert)
    db.session.commit()
    return alert.id


def test_undecided_monitoring_alerts_are_in_the_queue(app, seeded):
    zhao = seeded["ZHAO, Guangzong"]
    with app.app_context():
        alert_id = open_alert(zhao)
        open_alert(zhao, "vendor-43", state="false_positive")  # decided: not listed
        found = items(source="monitoring")
        assert [(i.ref_id, i.external_id, i.alert_state, i.subject["name"]) for i in found] == [
            (alert_id, "vendor-42", "open", "Zhao Guangzong")]
        assert found[0].assignment is None and found[0].pending is None
        assert [i.ref_id for i in items(assigned="unassigned", source="monitoring")] == [alert_id]
        assert items(assigned="mine", user_id=1, source="monitoring") == []
        assert [i.ref_id for i in items(authority="OFAC", source="monitoring")] == [alert_id]
