"""Importing official lists: fixtures per format, idempotency, updates and delisting, failed
files, the APT31 merge, the multipart endpoint, and the real files (once per backend)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from service.imports import PARSERS
from service.models import (
    Base,
    Designation,
    Entity,
    EntityIdentifier,
    EntityName,
    ImportRun,
    ListState,
)
from service.records.imports import ImportFailed, run_import
from tests.conftest import data_file
from tests.helpers import problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
FIXTURE_DIRS = {"ofac": "ofac", "uk": "uk", "un": "un", "eu": "eu", "ftm": "ftm"}


def files(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / folder).iterdir() if p.is_file())


# Monitoring's background bookkeeping: its runs, cursor and per-entity fingerprints, and the
# webhook events they emit, advance on their own schedule after every committed list change
# (here, the imports before a snapshot), so they are not part of what an import must leave as it was.
BACKGROUND = frozenset({"monitoring_runs", "monitoring_cursors", "monitored_entity_states", "webhook_outbox",
                        "webhook_deliveries", "webhook_attempts"})


def counts(session: Any) -> dict[str, int]:
    """Rows in every table (but monitoring's background bookkeeping) and the list-state counter."""
    out = {t.name: session.execute(select(func.count()).select_from(t)).scalar() for t in Base.metadata.sorted_tables
           if t.name in _tables(session) and t.name not in BACKGROUND}
    out["counter"] = session.scalar(select(ListState.counter).where(ListState.id == 1)) or 0
    return out


def _tables(session: Any) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(session.connection()).get_table_names())


def versions(session: Any) -> dict[str, int]:
    ents = {f"e{i}": v for i, v in session.execute(select(Entity.id, Entity.version))}
    return ents | {f"d{i}": v for i, v in session.execute(select(Designation.id, Designation.version))}


def db_totals(session: Any) -> tuple[int, int, int]:
    return (session.scalar(select(func.count(Entity.id))), session.scalar(select(func.count(EntityName.id))),
            session.scalar(select(func.count(Designation.id))))


@pytest.mark.parametrize("fmt", sorted(FIXTURE_DIRS))
def test_fixture_import_per_format(session, fmt):
    parsed = PARSERS[fmt](files(FIXTURE_DIRS[fmt]))
    run = run_import(session=session, fmt=fmt, paths=files(FIXTURE_DIRS[fmt]))
    assert run.status == "succeeded" and run.id and run.finished_at
    assert run.files and all(len(f["sha256"]) == 64 and f["size"] > 0 for f in run.files)
    entities, names, designations = db_totals(session)
    with_refs = [e for e in parsed.entities if e.designations]
    assert run.added == entities == len(with_refs)
    assert designations == run.designations == sum(len(e.designations) for e in with_refs)
    assert names == run.names == sum(len(e.names) for e in with_refs)
    assert run.warning_count >= len(parsed.warnings)
    assert {c["action"] for c in run.changes} == {"added"}


def test_reimport_unchanged_changes_nothing(session):
    run_import(session=session, fmt="ofac", paths=files("ofac"))
    run_import(session=session, fmt="uk", paths=files("uk"))
    before, before_versions = counts(session), versions(session)
    again = run_import(session=session, fmt="ofac", paths=files("ofac"))
    assert (again.added, again.changed, again.delisted, again.relisted) == (0, 0, 0, 0)
    assert again.unchanged == len(PARSERS["ofac"](files("ofac")).entities) and again.changes == []
    after = counts(session)
    assert after.pop("import_runs") == before.pop("import_runs") + 1
    assert after == before and versions(session) == before_versions


def test_update_with_ofac_v2_reports_and_applies(session):
    run_import(session=session, fmt="ofac", paths=files("ofac"))
    counter = counts(session)["counter"]
    run = run_import(session=session, fmt="ofac", paths=files("ofac_v2"), today=date(2026, 1, 2))
    # 47818 and 9002 changed; 47800 is no longer said to be on the consolidated list too.
    assert (run.added, run.delisted, run.changed) == (1, 1, 3)
    by_ref = {c["references"][0]: c for c in run.changes}
    assert by_ref["OFAC:47900"]["action"] == "added"
    ni = by_ref["OFAC:47818"]
    assert ni["action"] == "changed"
    assert "passport: E12345678 (CN)" in ni["fields"]["identifiers"]["after"]
    assert "passport: E12345678 (CN)" not in ni["fields"]["identifiers"]["before"]
    assert "NI, Gao Bin [aka]" in ni["fields"]["names"]["after"]
    assert by_ref["OFAC:9002"]["fields"]["notes"]["after"].endswith("john@example.com.")
    gone = by_ref["OFAC:306"]
    assert gone["action"] == "delisted"
    assert gone["fields"]["designation OFAC:306 delisted_on"] == {"before": None, "after": "2026-01-02"}
    cuba = session.scalar(select(Designation).where(Designation.list_ref == "306"))
    assert cuba.delisted_on == date(2026, 1, 2) and cuba.entity.archived_at is None  # nothing deleted
    # sdn.csv alone says nothing about the consolidated list: its entries stay listed.
    cons = session.scalars(select(Designation).where(Designation.list_ref.in_(
        [e.source_key.split(":")[1] for e in PARSERS["ofac"](FIXTURES / "ofac" / "cons_prim.csv").entities]
    ))).all()
    assert cons and all(d.delisted_on is None for d in cons)
    assert counts(session)["counter"] == counter + 1
    # The entry comes back: delisted_on is cleared.
    back = run_import(session=session, fmt="ofac", paths=files("ofac"))
    assert back.relisted == 1
    session.refresh(cuba)
    assert cuba.delisted_on is None


@pytest.mark.parametrize("case", ["wrong_format", "truncated", "utf16", "png"])
def test_bad_file_leaves_database_untouched(session, seeded, tmp_path, case):
    run_import(session=session, fmt="ofac", paths=files("ofac"))
    source = (FIXTURES / "ofac" / "sdn.csv").read_bytes()
    bad = tmp_path / "sdn.csv"
    fmt = "ofac"
    if case == "wrong_format":
        bad = tmp_path / "list.csv"
        bad.write_bytes(source)
        fmt = "uk"
    elif case == "truncated":
        bad.write_bytes(source[: source.index(b"DOB 27 Oct") + 5])
    elif case == "utf16":
        bad.write_bytes(source.decode("ascii").encode("utf-16"))
    else:
        bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    before, before_versions = counts(session), versions(session)
    with pytest.raises(ImportFailed) as caught:
        run_import(session=session, fmt=fmt, paths=[bad, FIXTURES / "ofac" / "alt.csv"] if fmt == "ofac" else [bad])
    assert bad.name in caught.value.detail and "\n" not in caught.value.detail
    after = counts(session)
    assert after.pop("import_runs") == before.pop("import_runs") + 1
    assert after == before and versions(session) == before_versions
    failed = session.get(ImportRun, caught.value.run_id)
    assert failed.status == "failed" and failed.error == caught.value.detail and failed.added == 0


def test_bad_rows_become_warnings(session):
    run = run_import(session=session, fmt="ofac", paths=files("ofac"))
    assert run.status == "succeeded"
    messages = [w["message"] for w in run.warnings]
    assert any("31 Feb 1970" in m for m in messages) and any("Atlantis" in m for m in messages)
    assert session.scalar(select(func.count(Entity.id).filter(Entity.name == "DOE, John"))) == 1


def _guangzong(client) -> dict[str, Any]:
    body = client.get("/api/v1/persons?name=Guangzong").json
    assert body["total"] == 1, body
    return body["items"][0]


def test_apt31_lists_merge_with_the_seed(client, session, seeded):
    run_import(session=session, fmt="ofac", paths=files("ofac"))
    uk = run_import(session=session, fmt="uk", paths=files("uk"))
    zhao = _guangzong(client)
    assert zhao["id"] == seeded["ZHAO, Guangzong"] and zhao["name"] == "ZHAO, Guangzong"
    assert {d["reference"] for d in zhao["designations"]} == {"OFAC:47814", "UK:CYB0045"}
    names = {n["name"] for n in zhao["names"]}
    assert {"Zhao Guangzong", "赵光宗"} <= names  # the seed's names are kept
    assert zhao["notes"].startswith("Aged 38")  # hand-entered notes are not overwritten
    assert [i["value"] for i in zhao["identifiers"]] == ["421003198511121539"]
    assert uk.added == 3 and uk.merged == 0  # the seed already held the UK refs
    assert session.scalar(select(func.count(Entity.id)).where(Entity.name.ilike("%xiaoruizhi%"))) == 1


def test_one_person_several_lists_by_national_id(client, session):
    run_import(session=session, fmt="ofac", paths=files("ofac"))
    uk = run_import(session=session, fmt="uk", paths=files("uk"))
    assert uk.merged >= 2  # Zhao and Ni share their national ID numbers across the lists
    zhao = _guangzong(client)
    assert {d["reference"] for d in zhao["designations"]} == {"OFAC:47814", "UK:CYB0045"}
    assert zhao["properties"]["import_source"] == "OFAC:47814"
    merged = next(c for c in uk.changes if "UK:16461" in c["references"] or c["entity_id"] == zhao["id"])
    assert merged["action"] == "merged" and "designation UK:CYB0045" in merged["fields"]
    # Importing them again in turn changes nothing.
    assert run_import(session=session, fmt="ofac", paths=files("ofac")).changes == []
    assert run_import(session=session, fmt="uk", paths=files("uk")).changes == []


def test_incompatible_birth_date_is_not_merged(session):
    run_import(session=session, fmt="ofac", paths=files("ofac"))
    ident = session.scalar(select(EntityIdentifier).where(EntityIdentifier.value == "421003198511121539"))
    ident.entity.birth_dates = ["1970"]
    session.commit()
    uk = run_import(session=session, fmt="uk", paths=files("uk"))
    assert uk.merged == 1  # Ni only
    assert session.scalar(select(func.count(Entity.id)).where(Entity.name == "ZHAO, Guangzong")) == 2


# -- over HTTP -------------------------------------------------------------------------------

def _upload(client, fmt: str, parts: list[tuple[bytes, str]]) -> Any:
    data = {"format": fmt, "file": [(io.BytesIO(content), name) for content, name in parts]}
    return client.post("/api/v1/imports", data=data, content_type="multipart/form-data")


def test_upload_and_read_the_run(client):
    resp = _upload(client, "ofac", [(p.read_bytes(), p.name) for p in files("ofac")])
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.json
    assert body["status"] == "succeeded" and body["origin"] == "api" and body["added"] == 7
    assert [f["name"] for f in body["files"]] == [p.name for p in files("ofac")]
    run = client.get(resp.headers["Location"])
    assert run.status_code == 200 and run.json["id"] == body["id"] and run.json["changes"]
    listing = client.get("/api/v1/imports?format=ofac").json
    assert listing["total"] == 1 and "changes" not in listing["items"][0]
    problem(client.get("/api/v1/imports/999999"), 404)


def test_upload_of_the_wrong_format_is_422_and_recorded(client):
    sdn = FIXTURES / "ofac" / "sdn.csv"
    body = problem(_upload(client, "uk", [(sdn.read_bytes(), "sdn.csv")]), 422)
    assert "sdn.csv" in body["detail"] and body["errors"]["file"]
    failed = client.get("/api/v1/imports?status=failed").json
    assert failed["total"] == 1 and failed["items"][0]["error"]
    assert client.get("/api/v1/persons").json["total"] == 0
    problem(client.post("/api/v1/imports", data={"format": "ofac"}, content_type="multipart/form-data"), 422)
    problem(_upload(client, "xml", [(sdn.read_bytes(), "sdn.csv")]), 422)


def test_upload_size_limit(client, app, monkeypatch):
    big = b"x" * (3 * 1024 * 1024)  # over MAX_CONTENT_LENGTH, under MAX_IMPORT_BYTES: read, then refused
    resp = _upload(client, "ofac", [(big, "notes.txt")])
    assert problem(resp, 422)["detail"].startswith("notes.txt")
    monkeypatch.setitem(app.config, "MAX_IMPORT_BYTES", 1024 * 1024)
    body = problem(_upload(client, "ofac", [(big, "sdn.csv")]), 413)
    assert "larger" in body["detail"]
    assert client.get("/api/v1/imports").json["total"] == 1


def test_upload_file_names_cannot_escape(client, tmp_path):
    part = FIXTURES / "uk" / "conlist_part_a.csv"
    resp = _upload(client, "uk", [(part.read_bytes(), "../../etc/passwd"), (part.read_bytes(), "../passwd")])
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert [f["name"] for f in resp.json["files"]] == ["etc_passwd", "passwd"]
    assert Path("/etc/passwd").read_bytes() != part.read_bytes()


# -- the real lists, once per backend ---------------------------------------------------------

@pytest.mark.slow
def test_real_ofac_and_uk_lists(client, session):
    ofac_files = sorted(data_file("ofac").glob("*.csv"))
    uk_files = sorted(data_file("uk").glob("*.csv"))
    parsed = PARSERS["ofac"](ofac_files)
    run = run_import(session=session, fmt="ofac", paths=ofac_files)
    assert run.added == len(parsed.entities) == 15346
    assert db_totals(session) == (len(parsed.entities), sum(len(e.names) for e in parsed.entities),
                                  sum(len(e.designations) for e in parsed.entities))
    before, before_versions = counts(session), versions(session)
    again = run_import(session=session, fmt="ofac", paths=ofac_files)
    assert again.changes == [] and again.unchanged == len(parsed.entities)
    after = counts(session)
    after.pop("import_runs"), before.pop("import_runs")
    assert after == before and versions(session) == before_versions

    uk_parsed = PARSERS["uk"](uk_files)
    uk = run_import(session=session, fmt="uk", paths=uk_files)
    assert uk.added + uk.changed + uk.unchanged == len(uk_parsed.entities) == 4686
    assert uk.merged == uk.changed > 0
    entities, _, designations = db_totals(session)
    assert entities == len(parsed.entities) + uk.added
    assert designations == len(parsed.entities) + len(uk_parsed.entities)
    zhao = _guangzong(client)
    assert {d["reference"] for d in zhao["designations"]} == {"OFAC:47814", "UK:CYB0045"}
    # Screening the full lists finds him once, with both listings.
    screened = client.post("/api/v1/screen", json={"name": "Zhao Guangzong", "type": "person"}).json
    top = [m for m in screened["matches"] if m["match"]]
    assert [m["entity_id"] for m in top] == [zhao["id"]]
    assert set(top[0]["references"]) == {"OFAC:47814", "UK:CYB0045"}


def test_upload_needs_file_parts(client):
    resp = client.post("/api/v1/imports", data={"format": "eu", "file": "{}"}, content_type="multipart/form-data")
    assert "file" in problem(resp, 422)["errors"]["files"]


def test_import_writes_history(client, seeded):
    """Imports leave history rows too (action "import"), with the key that ran them."""
    from pathlib import Path

    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "imports" / "ofac"
    files = [(open(p, "rb"), p.name) for p in sorted(fixtures.glob("*.csv"))]
    resp = client.post("/api/v1/imports", data={"format": "ofac", "file": files}, content_type="multipart/form-data")
    for fh, _ in files:
        fh.close()
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
    zhao = seeded["ZHAO, Guangzong"]
    entries = client.get(f"/api/v1/persons/{zhao}/history").json["items"]
    imported = [e for e in entries if e["action"] == "import"]
    assert imported and imported[-1]["key_name"] == "test admin"
    run = client.get(resp.headers["Location"]).json
    new_id = next(c["entity_id"] for c in run["changes"] if c["action"] == "added")
    new_entries = client.get(f"/api/v1/persons/{new_id}/history").json["items"]
    assert [(e["action"], e["version"]) for e in new_entries] == [("import", 1)]
    assert new_entries[0]["changes"]["designations"][1]
