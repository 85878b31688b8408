"""``/api/v1/imports``: upload an official list (multipart) and read what each import did."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from ..extensions import Blueprint, Parser, db
from ..records import imports as records
from ..schemas.imports import ImportListArgs, ImportRunOut, ImportRunPage, ImportUpload
from ..uploads import save_uploads
from .common import page_body

UPLOAD_ENDPOINT = "imports.Imports"


class _UploadParser(Parser):
    """The ``files`` location also sees the form fields, so one schema describes the whole
    multipart body (flask-smorest documents one request body per operation)."""

    def load_files(self, req: Any, schema: Any) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


class _UploadBlueprint(Blueprint):
    ARGUMENTS_PARSER = _UploadParser()


blp = _UploadBlueprint("imports", __name__, url_prefix="/api/v1/imports",
                       description="Imports of official sanctions lists (OFAC, UK, UN, EU, FtM) and their run records.")


@blp.before_request
def _allow_big_uploads() -> None:
    # Lists are far bigger than any JSON body: only this endpoint gets MAX_IMPORT_BYTES.
    if request.endpoint == UPLOAD_ENDPOINT and request.method == "POST":
        request.max_content_length = current_app.config["MAX_IMPORT_BYTES"]


@blp.route("")
class Imports(MethodView):
    @blp.etag
    @blp.arguments(ImportListArgs, location="query")
    @blp.response(200, ImportRunPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List import runs, newest first"""
        page = records.list_runs(session=db.session, page=args["page"], page_size=args["page_size"],
                                 fmt=args.get("format"), status=args.get("status"))
        return page_body(page)

    @blp.arguments(ImportUpload, location="files", content_type="multipart/form-data")
    @blp.response(201, ImportRunOut)
    @blp.alt_response(413, description="The upload is larger than MAX_IMPORT_BYTES")
    def post(self, data: dict[str, Any]) -> Any:
        """Import a list from uploaded files (multipart: format + one or more file parts); all or nothing, 422 when the files cannot be read"""
        with tempfile.TemporaryDirectory(prefix="sanctions-upload-") as tmp:
            paths = save_uploads(data["file"], Path(tmp))
            run = records.run_import(session=db.session, fmt=data["format"], paths=paths, origin="api")
        return run, 201, {"Location": url_for("imports.ImportById", run_id=run.id)}


@blp.route("/<int:run_id>")
class ImportById(MethodView):
    @blp.etag
    @blp.response(200, ImportRunOut)
    def get(self, run_id: int) -> Any:
        """Read an import run: files, counts, warnings and the changes it made"""
        return records.get_run(session=db.session, run_id=run_id)
