"""Import runs: the multipart upload and what each run read and changed."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from ..imports import PARSERS
from ..vocabulary import IMPORT_STATUSES
from .common import Paging, Schema, page_of


class UploadedFile(Upload):
    """A file part; a plain form field of the same name is refused."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Send the list as a file part (a filename in Content-Disposition).")
        return value


class ImportUpload(Schema):
    """``multipart/form-data``: the list format and one or more files (same field name)."""

    format = fields.String(required=True, validate=validate.OneOf(sorted(PARSERS)),
                           metadata={"description": "ofac, uk, un, eu or ftm"})
    file: fields.List = fields.List(UploadedFile(), required=True, validate=validate.Length(min=1, max=20),
                       metadata={"description": "The list files; OFAC files keep their names (sdn.csv, alt.csv ...)."})


class ImportFile(Schema):
    name = fields.String()
    sha256 = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)


class ImportWarningOut(Schema):
    file = fields.String()
    row = fields.Raw(metadata={"description": "Line number, or the source's own id for XML"})
    message = fields.String()


class ImportChange(Schema):
    action = fields.String(metadata={"description": "added, changed, merged or delisted"})
    entity_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    references = fields.List(fields.String(), metadata={"description": "AUTHORITY:LISTREF of the entries"})
    fields_ = fields.Dict(data_key="fields", attribute="fields",
                          metadata={"description": "Field -> {before, after}"})


class ImportRunSummary(Schema):
    id = fields.Integer()
    format = fields.String()
    origin = fields.String(metadata={"description": "cli, api or download"})
    status = fields.String(metadata={"description": "succeeded or failed"})
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    duration_seconds = fields.Float(allow_none=True)
    files = fields.List(fields.Nested(ImportFile))
    authorities = fields.List(fields.String())
    added = fields.Integer(metadata={"description": "New entities"})
    changed = fields.Integer(metadata={"description": "Existing entities changed (merged included)"})
    merged = fields.Integer(metadata={"description": "Existing entities matched by a strong identifier"})
    unchanged = fields.Integer()
    delisted = fields.Integer(metadata={"description": "Designations gone from the list (delisted_on set)"})
    relisted = fields.Integer(metadata={"description": "Designations back on the list (delisted_on cleared)"})
    designations = fields.Integer(metadata={"description": "Designations in the files"})
    names = fields.Integer(metadata={"description": "Names in the files"})
    warning_count = fields.Integer()
    change_count = fields.Integer()
    error = fields.String(allow_none=True)


class ImportRunOut(ImportRunSummary):
    stats = fields.Dict()
    warnings = fields.List(fields.Nested(ImportWarningOut),
                           metadata={"description": "The first 1000 row-level warnings (warning_count has all)"})
    changes = fields.List(fields.Nested(ImportChange),
                          metadata={"description": "The first 2000 changes (change_count has all)"})


class ImportListArgs(Paging):
    format = fields.String(validate=validate.OneOf(sorted(PARSERS)))
    status = fields.String(validate=validate.OneOf(IMPORT_STATUSES))


ImportRunPage = page_of(ImportRunSummary, "ImportRunPage")
