"""The base Schema, shared fields (country codes, partial dates, URLs), paging and the problem
details every error is answered with."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date
from typing import Any

import marshmallow as ma
import pycountry
from flask import current_app
from marshmallow import fields, validate

# ISO 3166-1 alpha-2, plus XK (Kosovo), which sanctions lists use though ISO has not assigned it.
COUNTRY_CODES = frozenset({c.alpha_2 for c in pycountry.countries} | {"XK"})
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Schema(ma.Schema):
    """Base schema: unknown fields are rejected (marshmallow's RAISE), output keeps field order,
    and NUL characters are refused everywhere (PostgreSQL cannot store them in text)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):  # a JSON object, or webargs' view of a query string
            bad = {key: ["NUL characters are not allowed."] for key, value in data.items() if _has_nul(value)}
            if bad:
                raise ma.ValidationError(bad)
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


# The database's INTEGER columns (ids, counts, numbers): 32-bit signed.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Record ids run from 1 to this, in the routes' ``<int:...>`` as in bodies and query strings.
MAX_ID = INT_MAX


# A number written as text (a query string, a form field), as the OpenAPI schema's types mean
# it: Python's int() and float() also take surrounding whitespace ("9\v"), underscores ("1_0"),
# other scripts' digits and, for float(), "nan" and "infinity".
INTEGER_TEXT = re.compile(r"-?[0-9]+")
NUMBER_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class Integer(fields.Integer):
    """The integer field for everything the API reads (body, query string): a number beyond
    the database's INTEGER column is a 422 naming the field, never a database error, even
    where a schema sets no narrower range; text must be plain digits."""

    default_error_messages = {"int_range": f"Must be between {INT_MIN} and {INT_MAX}."}

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and not INTEGER_TEXT.fullmatch(value):
            raise self.make_error("invalid")
        number = super()._validated(value)
        if not INT_MIN <= number <= INT_MAX:
            raise self.make_error("int_range")
        return number


class Float(fields.Float):
    """The number field for everything the API reads: text must be a plain decimal number."""

    def _validated(self, value: Any) -> float:
        if isinstance(value, str) and not NUMBER_TEXT.fullmatch(value):
            raise self.make_error("invalid")
        return super()._validated(value)


def record_id(**kwargs: Any) -> Integer:
    """An id of a record (1 to MAX_ID), as in the routes' ``<int:...>``."""
    return Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class GroupRef(fields.String):
    """A threat group by id, name, MITRE id or alias; a number must be a possible id."""

    default_error_messages = {"group_id": f"A threat group id is between 1 and {MAX_ID}."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(max=255), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text.isascii() and text.isdigit() and not 1 <= int(text) <= MAX_ID:
            raise self.make_error("group_id")
        return text


class CountryCode(fields.String):
    """ISO 3166-1 alpha-2 code, case-insensitive on input, upper case on output."""

    default_error_messages = {"country": "Not an ISO 3166-1 alpha-2 country code: {input!r}."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if text not in COUNTRY_CODES:
            raise self.make_error("country", input=value)
        return text


class PartialDate(fields.String):
    """A date that may be known only to the year or month: ``1985``, ``1985-11``, ``1985-11-12``."""

    default_error_messages = {
        "partial_date": "Not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {input!r}."
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not is_partial_date(text):
            raise self.make_error("partial_date", input=value)
        return text


def is_partial_date(text: str) -> bool:
    m = PARTIAL_DATE.match(text)
    if not m:
        return False
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return int(year) >= 1800


def text(max_len: int = 255, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=max_len), **kwargs)


def optional_text(max_len: int = 255, **kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=max_len), **kwargs)


def url_list() -> fields.List:
    return fields.List(
        fields.Url(schemes={"http", "https"}, validate=validate.Length(max=1024)),
        validate=validate.Length(max=50),
    )


def str_list(max_len: int = 255, max_items: int = 100) -> fields.List:
    return fields.List(text(max_len), validate=validate.Length(max=max_items))


class RecordOutMixin(Schema):
    """Fields every record shows."""

    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    archived = fields.Boolean(dump_only=True)
    archived_at = fields.DateTime(dump_only=True, allow_none=True)


def _default_page_size() -> int:
    return int(current_app.config["DEFAULT_PAGE_SIZE"])


class PageSize(Integer):
    """``page_size``: its default and cap are the app's DEFAULT_PAGE_SIZE and MAX_PAGE_SIZE, read
    when a request is parsed (and by :func:`page_size_doc` when the OpenAPI document is built)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default=_default_page_size, **kwargs)

    def _validated(self, value: Any) -> int:
        number = super()._validated(value)
        validate.Range(min=1, max=current_app.config["MAX_PAGE_SIZE"])(number)
        return number


def page_size_doc(config: Mapping[str, Any]) -> Callable[..., dict[str, Any]]:
    """An apispec attribute function documenting each :class:`PageSize` with ``config``'s values."""

    def attributes(converter: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(field, PageSize):
            return {}
        cap = config["MAX_PAGE_SIZE"]
        return {"default": config["DEFAULT_PAGE_SIZE"], "minimum": 1, "maximum": cap,
                "description": f"Items per page, at most {cap}."}

    return attributes


class PageArgs(Schema):
    page = Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = PageSize()
    sort = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "Field to sort by; prefix with - for descending; comma-separated."},
    )
    include_archived = fields.Boolean(load_default=False)


class Paging(PageArgs):
    """The page of a list in one fixed order, with nothing archived in it (logs, monitoring)."""

    class Meta(PageArgs.Meta):
        exclude = ("sort", "include_archived")


class ItemArgs(Schema):
    include_archived = fields.Boolean(load_default=False)
    as_of = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "Read the record's own fields as they stood at this moment (from its history); "
                                 "nested related records are left out."},
    )


PAGE_META = ("total", "page", "page_size", "pages")


def page_of(item_schema: type[ma.Schema], name: str, *, items_first: bool = False) -> type[ma.Schema]:
    """A paged-list envelope: ``{"total", "page", "page_size", "pages", "items": [...]}``; with
    ``items_first`` the items lead (as the search and job pages have always listed them)."""
    meta = {field: fields.Integer() for field in PAGE_META}
    items = {"items": fields.List(fields.Nested(item_schema))}
    return type(name, (Schema,), {**items, **meta} if items_first else {**meta, **items})


PROBLEM_MIMETYPE = "application/problem+json"


class ProblemSchema(Schema):
    """RFC 9457 problem details (sent as PROBLEM_MIMETYPE)."""

    type = fields.String(metadata={"description": "A URI naming the problem type (about:blank for plain HTTP errors)."})
    title = fields.String(metadata={"description": "A short summary of the problem type."})
    status = fields.Integer(metadata={"description": "The HTTP status code."})
    detail = fields.String(metadata={"description": "What went wrong with this request, for a person to read."})
    instance = fields.String(metadata={"description": "The request path the problem occurred on."})
    errors = fields.Dict(metadata={"description": "Field-level messages, keyed by field name."})
