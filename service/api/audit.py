"""``/api/v1/screenings`` (evidence log, export) and ``/api/v1/dispositions``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, stream_with_context
from flask.views import MethodView

from ..csvcells import utf8
from ..errors import NotFound
from ..extensions import Blueprint, db
from ..records import decisions, evidence
from ..records.review import Pair
from ..schemas import audit as s
from .auth import current_actor
from .common import page_body
from .screening import log_settings

screenings = Blueprint("screenings", __name__, url_prefix="/api/v1/screenings",
                       description="The screening evidence log: what was screened, by whom, against which list state, with what result.")
dispositions = Blueprint("dispositions", __name__, url_prefix="/api/v1/dispositions",
                         description="Analysts' decisions on screened subject / listed entity pairs.")

LOG_FILTERS = ("since", "until", "key_id", "user_id", "had_match", "entity_id", "kind")


def _filters(args: dict[str, Any]) -> evidence.LogFilters:
    return evidence.LogFilters(**{k: args[k] for k in LOG_FILTERS if k in args})


@screenings.route("")
class Screenings(MethodView):
    @screenings.arguments(s.ScreeningLogArgs, location="query")
    @screenings.response(200, s.ScreeningLogPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List logged screenings, newest first (filter by dates, key or user, match, entity)"""
        page = evidence.list_screenings(session=db.session, filters=_filters(args),
                                        page=args["page"], page_size=args["page_size"])
        return page_body(page)


@screenings.route("/export")
class ScreeningsExport(MethodView):
    @screenings.arguments(s.ScreeningExportArgs, location="query")
    @screenings.response(200, description="CSV or JSON Lines, streamed",
                         content_type="application/x-ndjson")
    def get(self, args: dict[str, Any]) -> Any:
        """Export the screening log as CSV or JSON Lines (same filters as the list)"""
        rows = evidence.iter_screenings(session=db.session, filters=_filters(args))
        if args["format"] == "csv":
            lines, mimetype = s.screening_log_csv(rows), "text/csv"
        else:
            lines, mimetype = _jsonl(rows), "application/x-ndjson"
        body = (utf8(line) for line in lines)  # a stored lone surrogate must not cut the download short
        return Response(stream_with_context(body), mimetype=mimetype,
                        headers={"Content-Disposition": f"attachment; filename=screenings.{args['format']}"})


def _jsonl(rows: Iterator[Any]) -> Iterator[str]:
    schema = s.ScreeningLogOut()
    for row in rows:
        yield json.dumps(schema.dump(row), ensure_ascii=False) + "\n"


@screenings.route("/<int:screening_id>")
class ScreeningById(MethodView):
    @screenings.response(200, s.ScreeningLogOut)
    def get(self, screening_id: int) -> Any:
        """Read one logged screening"""
        row = evidence.load_log(session=db.session, log_id=screening_id)
        if row is None:
            raise NotFound(f"No logged screening with id {screening_id}.")
        return row


@dispositions.route("")
class Dispositions(MethodView):
    @dispositions.arguments(s.DispositionArgs, location="query")
    @dispositions.response(200, s.DispositionPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List decisions, newest first"""
        subject = {k: args.get(k) for k in ("name", "birth_date", "country")} if args.get("name") else None
        page = evidence.list_dispositions(session=db.session, entity_id=args.get("entity_id"),
                                          decision=args.get("decision"), subject=subject,
                                          page=args["page"], page_size=args["page_size"])
        return page_body(page)

    @dispositions.arguments(s.DispositionIn)
    @dispositions.response(201, s.DispositionOut)
    @dispositions.alt_response(202, schema=s.DispositionOut,
                               description="Four-eyes review is on: the decision is a proposal awaiting approval")
    def post(self, data: dict[str, Any]) -> Any:
        """Record a decision (true_match, false_positive, needs_review) on a subject and entity"""
        subject = data["subject"]
        pair = Pair(evidence.subject_key(subject), evidence.stored_subject(subject, log_settings()), data["entity_id"])
        done = decisions.decide(session=db.session, pair=pair, decision=data["decision"], comment=data.get("comment"),
                                actor=current_actor(), four_eyes=current_app.config["FOUR_EYES_REVIEW"])
        db.session.commit()
        if done.disposition is not None:
            return done.disposition
        return decisions.proposal_body(done.proposal), 202

