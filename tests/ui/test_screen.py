"""The screening page (/screen): every field used, results with explanations in words, the
evidence-log row attributed to the signed-in user, field-level errors, permissions."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from service.extensions import db
from service.models import Disposition, ScreeningLog
from service.records.actor import Actor
from service.records.evidence import LogSettings, record_disposition
from service.records.users import find_user


def screen(client: Any, **params: Any) -> Any:
    return client.get("/screen?" + urlencode(params, doseq=True))


def text_of(resp: Any) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.get_data(as_text=True)))


def logs(app: Any) -> list[ScreeningLog]:
    with app.app_context():
        rows = list(db.session.scalars(select(ScreeningLog).order_by(ScreeningLog.id)))
        db.session.expunge_all()
        return rows


def test_the_form_alone_screens_nothing(app, ui_as):
    resp = ui_as("screener").get("/screen")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    for field in ("name", "type", "birth_date", "country", "threshold", "id_scheme_0", "id_value_0", "id_country_0"):
        assert f'id="{field}"' in body and f'for="{field}"' in body
    assert "Results for" not in body and logs(app) == []


def test_a_chinese_name_finds_zhao_with_an_explanation_and_evidence(app, seeded, ui_as):
    client = ui_as("analyst", "Ana")
    resp = screen(client, name="赵光宗", type="person", birth_date="1985-11-12", country="CN")
    assert resp.status_code == 200
    text = text_of(resp)
    assert "ZHAO, Guangzong" in text and "1 match at or above the threshold" in text
    assert "OFAC:47814" in text and "UK:CYB0045" in text
    assert "name in its original script" in text
    assert "zhao zhao 1.00 exact" in text
    assert "Birth date +0.02: 1985-11-12 matches 1985-11-12" in text and "Country +0.02: CN in CN" in text
    assert "Every word of both names is accounted for." in text
    assert "Decision in force none yet" in text
    [row] = logs(app)
    assert (row.kind, row.user_name, row.key_id, row.had_match) == ("single", "Ana", None, True)
    assert row.subject == {"name": "赵光宗", "type": "person", "birth_date": "1985-11-12", "country": "CN",
                           "identifiers": []}
    assert f"Screening no. {row.id} in the evidence log" in text


def test_leftover_words_and_contradicting_details_are_explained(app, seeded, ui_as):
    resp = screen(ui_as("screener"), name="Zhao Guang Zong Smith", birth_date="1970", country="US")
    text = text_of(resp)
    assert "No match at the threshold" in text and "near miss" in text
    assert ("smith in your query — weight 1.00: a full name word; your query has a word the listed name "
            "lacks, which costs 0.2× its weight (a missing part).") in text
    assert "Birth date -0.15: 1970 contradicts 1985-11-12" in text
    assert "Country -0.05: US not in CN" in text
    assert re.search(r"Score: 0\.94 \(name\) − 0\.15 \(birth date\) − 0\.05 \(country\) = 0\.74\. Below the threshold", text)
    # A screener may not read the records: no link to the entity page.
    assert "/entities/" not in resp.get_data(as_text=True)


def test_a_clean_name_shows_no_match_and_is_logged(app, seeded, ui_as):
    resp = screen(ui_as("screener", "Sam"), name="Margaret Thistlewood")
    assert resp.status_code == 200
    assert "No match. Nothing on the lists scores near" in text_of(resp)
    [row] = logs(app)
    assert (row.user_name, row.had_match, row.results) == ("Sam", False, [])


def test_identifiers_are_used(app, seeded, ui_as):
    resp = screen(ui_as("analyst"), name="Zhao Guangzong", id_scheme=["passport", "national_id"],
                  id_value=["E12345678", ""], id_country=["CN", ""])
    assert resp.status_code == 200
    [row] = logs(app)
    assert row.subject["identifiers"] == [{"scheme": "passport", "value": "E12345678", "country": "CN"}]


def test_bad_fields_get_messages_beside_them_and_nothing_is_screened(app, seeded, ui_as):
    client = ui_as("analyst")
    resp = screen(client, name="", birth_date="12/11/1985", country="ZZ", threshold="2",
                  id_scheme=["passport", "passport"], id_value=["", "X1"], id_country=["", "QQ"])
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert 'id="name" name="name"' in body and 'aria-describedby="name-error"' in body
    assert re.search(r'id="name-error">[^<]*required', body)
    assert re.search(r'id="birth_date-error">Not a date of the form YYYY, YYYY-MM or YYYY-MM-DD', body)
    assert re.search(r'id="country-error">Not an ISO 3166-1 alpha-2 country code', body)
    assert 'id="threshold-error"' in body
    # The second identifier row was the one sent: its message is beside it.
    assert 'id="id_country_1-error"' in body and 'id="id_country_0-error"' not in body
    assert 'value="12/11/1985"' in body  # what was typed stays in the form
    assert logs(app) == []


def test_the_decision_in_force_is_shown(app, seeded, ui_as):
    with app.app_context():
        record_disposition(session=db.session, subject={"name": "Zhao Guangzong"},
                           entity_id=seeded["ZHAO, Guangzong"], decision="true_match", comment="Confirmed by passport",
                           actor=Actor(user_name="Reviewer"), settings=LogSettings())
        db.session.commit()
    text = text_of(screen(ui_as("analyst"), name="Zhao Guangzong"))
    assert "Decision in force true match by Reviewer on" in text and "Confirmed by passport" in text
    with app.app_context():
        assert db.session.scalar(select(Disposition.decision)) == "true_match"


def test_roles(app, seeded, ui_as, anonymous):
    for role in ("screener", "analyst", "editor", "admin"):
        client = ui_as(role)
        assert client.get("/screen").status_code == 200
        nav = client.get("/screen").get_data(as_text=True)
        assert '<a href="/screen" aria-current="page">Screen</a>' in nav
    resp = anonymous.get("/screen?name=zhao")
    assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]
    assert logs(app) == []


def test_screening_is_attributed_to_the_user_not_a_key(app, seeded, ui_as):
    client = ui_as("editor", "Erin")
    screen(client, name="Wuhan Xiaoruizhi")
    screen(client, name="Wuhan Xiaoruizhi")  # each screening leaves its row
    rows = logs(app)
    with app.app_context():
        erin = find_user(session=db.session, username="erin")
        assert [(r.user_id, r.user_name, r.key_id) for r in rows] == [(erin.id, "Erin", None)] * 2
