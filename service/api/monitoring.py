"""``/api/v1/monitoring``: the portfolio of monitored subjects, their alerts and the runs.

Three blueprints, so that each has its own permissions (``auth.PERMISSIONS``): subjects
(written by screening systems), alerts (read and decided by analysts) and runs."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView
from werkzeug.exceptions import PreconditionFailed, PreconditionRequired

from ..errors import Invalid, TooLarge
from ..extensions import Blueprint, db
from ..monitoring import alerts as alert_store
from ..monitoring import runs as run_store
from ..monitoring.executor import Monitor
from ..monitoring.portfolio_csv import import_csv
from ..monitoring.screen import screen_now
from ..monitoring.subjects import (
    SubjectFilters,
    delete_subject,
    external_id_problem,
    get_subject,
    list_subjects,
    upsert_many,
)
from ..schemas import monitoring as s
from .auth import current_actor
from .jobs import jobs_dir, upload
from .resources import action_resource, list_resource, read_resource
from .screening import log_settings

subjects = Blueprint("monitoring-subjects", __name__, url_prefix="/api/v1/monitoring",
                     description="Ongoing monitoring: the customers and vendors rescreened on every list change.")
alerts = Blueprint("monitoring-alerts", __name__, url_prefix="/api/v1/monitoring",
                   description="Monitoring alerts and their review: open, under review, decided.")
runs = Blueprint("monitoring-runs", __name__, url_prefix="/api/v1/monitoring",
                 description="Monitoring runs: the evidence that monitoring kept up; full rescreens.")


def monitor() -> Monitor:
    return current_app.extensions["monitoring"]  # type: ignore[no-any-return]


def _write_and_screen(items: list[dict[str, Any]]) -> list[tuple[Any, str, list[int]]]:
    """Create or replace, commit, then screen what changed at once (a second transaction: the
    subject is screened against the lists as committed after it, see monitoring.subjects)."""
    done = upsert_many(session=db.session, items=items)
    db.session.commit()
    ids = [d.subject.id for d in done if d.subject is not None and d.outcome != "unchanged"]
    opened = screen_now(session=db.session, ctx=monitor().ctx, subject_ids=ids) if ids else []
    db.session.commit()
    by_subject: dict[int, list[int]] = {}
    for alert in alert_store.get_many(session=db.session, ids=opened):
        by_subject.setdefault(alert.subject_id, []).append(alert.id)
    return [(d.subject, d.outcome, by_subject.get(d.subject.id, []) if d.subject else []) for d in done]


list_resource(subjects, args=s.SubjectListArgs, page=s.SubjectPage, lister=list_subjects, filters=SubjectFilters,
              summaries={"get": "List monitored subjects (filters: status, type, country, name, pending)"},
              ).register("/subjects", "Subjects")


@subjects.route("/subjects/<external_id:external_id>")
class SubjectById(MethodView):
    @subjects.etag
    @subjects.response(200, s.SubjectOut)
    def get(self, external_id: str) -> Any:
        """Read one monitored subject by its external id"""
        return get_subject(session=db.session, external_id=external_id)

    @subjects.arguments(s.SubjectIn)
    @subjects.response(200, s.SubjectWritten)
    @subjects.alt_response(201, schema=s.SubjectWritten, description="Created")
    def put(self, data: dict[str, Any], external_id: str) -> Any:
        """Create or replace a monitored subject (idempotent); it is screened at once"""
        if problem := external_id_problem(external_id):
            raise Invalid("This external id cannot name a subject.", errors={"external_id": [problem]})
        subject, outcome, opened = _write_and_screen([{**data, "external_id": external_id}])[0]
        subject.alerts_opened = opened
        return subject, 201 if outcome == "created" else 200

    @subjects.response(204)
    def delete(self, external_id: str) -> None:
        """Stop monitoring a subject (its alerts stay)"""
        delete_subject(session=db.session, external_id=external_id)
        db.session.commit()


@subjects.route("/subjects/batch")
class SubjectBatch(MethodView):
    @subjects.arguments(s.SubjectBatchRequest)
    @subjects.response(200, s.SubjectBatchResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Create or replace up to 1000 subjects, each with its external_id; screened at once"""
        items = data["subjects"]
        if len(items) > s.MAX_BATCH:
            raise TooLarge(f"At most {s.MAX_BATCH} subjects per batch request; this one has {len(items)}. "
                           "Split it, or upload a CSV file.")
        counts = Counter(i["external_id"] for i in items)
        dupes = sorted(k for k, n in counts.items() if n > 1)
        if dupes:
            raise Invalid("The same external_id appears more than once in the batch.",
                                      errors={"subjects": [f"Repeated external ids: {', '.join(dupes[:20])}"]})
        results = _write_and_screen(items)
        return {"results": [{"external_id": subj.external_id, "outcome": outcome, "alerts_opened": opened}
                            for subj, outcome, opened in results]}


@subjects.route("/subjects/csv")
class SubjectCsv(MethodView):
    @subjects.arguments(s.PortfolioCsvOptions, location="query")
    @subjects.doc(requestBody={"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
        "text/csv": {"schema": {"type": "string", "format": "binary"}}}})
    @subjects.response(200, s.PortfolioCsvReport)
    def post(self, options: dict[str, Any]) -> Any:
        """Create or replace subjects from a CSV file (bad rows reported per row); screened in the background"""
        source, _ = upload()
        with tempfile.TemporaryDirectory(prefix="sanctions-portfolio-", dir=jobs_dir()) as tmp:
            path = Path(tmp) / "portfolio.csv"
            with path.open("wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            report = import_csv(session=db.session, path=path, options=options, work_dir=Path(tmp))
        db.session.commit()
        monitor().subjects_written()
        return report


list_resource(alerts, args=s.AlertListArgs, page=s.AlertPage, lister=alert_store.list_alerts,
              filters=alert_store.AlertFilters, summaries={
                  "get": "List monitoring alerts, newest first (filters: state, subject, entity_id, authority, "
                         "created_since)"},
              ).register("/alerts", "Alerts")


read_resource(alerts, "/alerts/<int:alert_id>", "AlertById", out=s.AlertDetail, load=alert_store.get_alert,
              summary="Read one alert with its events (the ETag to send back in If-Match)")


@alerts.route("/alerts/<int:alert_id>/transitions")
class AlertTransitions(MethodView):
    @alerts.etag
    @alerts.arguments(s.TransitionIn)
    @alerts.response(200, s.AlertDetail)
    def post(self, data: dict[str, Any], alert_id: int) -> Any:
        """Move an alert to its next state, with a comment (If-Match required); a decision writes a disposition"""
        alert = alert_store.get_alert(session=db.session, alert_id=alert_id)
        if not request.if_match:
            raise PreconditionRequired()
        # The ETag a GET of the alert gave (POST is not among the methods flask-smorest checks).
        if alerts._generate_etag(s.AlertDetail().dump(alert)) not in request.if_match:
            raise PreconditionFailed()
        alert = alert_store.transition(session=db.session, alert=alert, to=data["to"], comment=data["comment"],
                                       actor=current_actor(), settings=log_settings())
        db.session.commit()
        return alert


def _release(data: dict[str, Any], run_id: int) -> Any:
    run_store.get_run(session=db.session, run_id=run_id)
    return {"released": alert_store.release_run(session=db.session, run_id=run_id, actor=current_actor(),
                                                comment=data["comment"])}


action_resource(alerts, "/runs/<int:run_id>/release", "RunRelease", args=s.ReleaseIn, out=s.ReleaseOut,
                act=_release, summary="Open the alerts the storm guard held in a run")


def _start_full(self: MethodView, data: dict[str, Any]) -> Any:
    run = run_store.start_full(session=db.session)
    db.session.commit()
    monitor().submit_full(run.id)
    return run, 202, {"Location": url_for("monitoring-runs.RunById", run_id=run.id)}


_runs = list_resource(runs, args=s.RunListArgs, page=s.RunPage, lister=run_store.list_runs,
                      filters=run_store.RunFilters, summaries={
                          "get": "List monitoring runs, newest first: changes considered, pairs scored, alerts "
                                 "opened, lag",
                          "post": "Start a full rescreen of the portfolio in the background (pairs already decided "
                                  "are skipped)"})
_runs.add("post", _start_full, runs.arguments(s.RunRequest), runs.response(202, s.RunOut))
_runs.register("/runs", "Runs")

read_resource(runs, "/runs/<int:run_id>", "RunById", out=s.RunOut, load=run_store.get_run,
              summary="Read one monitoring run")

