"""Extension objects, created once and bound to the app in ``create_app``."""

from __future__ import annotations

import http
import json
import math
import re
from typing import IO, Any, cast

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from flask import Flask, current_app
from flask import Request as _Request
from flask.globals import app_ctx
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest.spec import prepare_response
from flask_smorest.spec.plugins import integerconverter2paramschema
from sqlalchemy import Engine
from sqlalchemy.orm import Session, scoped_session
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter, IntegerConverter
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream

from .monitoring.subjects import RESERVED_EXTERNAL_IDS
from .records.engine import make_engine
from .schemas.common import MAX_ID, PROBLEM_MIMETYPE, ProblemSchema, page_size_doc


class Database:
    """A SQLAlchemy engine per app and a session per app context (request, CLI command)."""

    def __init__(self) -> None:
        # Typed as Session: the scoped_session proxies every Session method, and records/
        # functions take a plain Session.
        self.session: Session = scoped_session(  # type: ignore[assignment]
            self._new_session,  # type: ignore[arg-type]
            scopefunc=lambda: id(app_ctx._get_current_object()),  # type: ignore[attr-defined]
        )

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])
        app.extensions["sqlalchemy_engine"] = engine
        app.teardown_appcontext(self._remove)

    def _new_session(self) -> Session:
        return Session(bind=self.engine, expire_on_commit=False)

    def _remove(self, exc: BaseException | None = None) -> None:
        self.session.remove()  # type: ignore[attr-defined]

    @property
    def engine(self) -> Engine:
        return current_app.extensions["sqlalchemy_engine"]  # type: ignore[no-any-return]


db = Database()


class Api(_Api):
    """Our one subclass of flask-smorest's Api: errors are documented as problem+json, and the
    OpenAPI document shows this app's page-size settings.

    Errors are answered by :mod:`service.api.problems`, for the API's requests only; this class
    registers no handler of its own (flask-smorest's answers every HTTPException app-wide)."""

    def init_app(self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.ma_plugin.converter.add_attribute_function(page_size_doc(app.config))

    def _register_error_handlers(self) -> None:
        """None here: service.api.problems registers the API's."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def schema_name(schema: Any) -> str:
    """Component names for the spec: the PATCH (partial) form of ``XIn`` is ``XPatch``."""
    name = resolver(schema)
    if isinstance(schema, ma.Schema) and schema.partial:
        name = name.removesuffix("In") + "Patch"
    return name


def spec_kwargs(description: str) -> dict[str, Any]:
    return {
        "info": {"description": description},
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        # Every operation needs an API key (see service/api/auth.py).
        "security": [{"bearerAuth": []}],
    }


class IdConverter(IntegerConverter):
    """``<int:...>`` in our routes: record ids from 1 to 2**31-1, so an id too large for the
    database's integer column is a 404 rather than a database error."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class ExternalIdConverter(BaseConverter):
    """``<external_id:...>``: a monitored subject's id, any path segment except the names of
    the operations beside it (``/subjects/batch``), so that those routes answer alone, with an
    ``Allow`` header that lists only their own methods."""

    regex = "(?!(?:" + "|".join(RESERVED_EXTERNAL_IDS) + ")$)[^/]+"


def external_id_param_schema(converter: Any) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "not": {"enum": list(RESERVED_EXTERNAL_IDS)}}


def register_converters(app: Flask, api_: Any) -> None:
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["external_id"] = ExternalIdConverter
    api_.register_converter(IdConverter, integerconverter2paramschema)
    api_.register_converter(ExternalIdConverter, external_id_param_schema)


def register_security_scheme(api_: Any) -> None:
    api_.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API key: Authorization: Bearer sk_..."}
    )


class Parser(FlaskParser):
    """Query strings obey the schema's ``unknown = RAISE`` too: a misspelt filter is an error,
    not a silently unfiltered list."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None,
    }

    def _raw_load_json(self, req: Any) -> Any:
        # Every JSON body goes through the app's strict decoder (JSONProvider below):
        # malformed JSON is a 400, well-formed JSON we cannot store a 422 naming the field.
        if not is_json_request(req):
            return ma.missing
        raw = req.get_data(cache=True)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"Not UTF-8: {exc.reason}", "<bytes>", exc.start) from exc
        if not text:
            raise json.JSONDecodeError("No body", "", 0)  # webargs: no body at all is "missing"
        try:
            return current_app.json.loads(text)
        except UnusableJSON as exc:
            raise ma.ValidationError(exc.errors) from exc


# --- request bodies ---------------------------------------------------------------------

# No field the API stores holds a number this long (ids and counts are 32-bit, PostgreSQL's
# BIGINT has 19 digits), and Python refuses to convert integers of over 4,300 digits.
MAX_INT_DIGITS = 50
# Only a \uD800-\uDFFF escape can put a lone surrogate in a decoded string (the body must be
# valid UTF-8); a body without one needs no walk.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class UnusableJSON(ValueError):
    """Well-formed JSON that no record can hold: lone surrogates (not Unicode text; neither
    UTF-8 nor PostgreSQL can store them), integers of more than MAX_INT_DIGITS digits, NaN and
    Infinity. ``errors`` says where, keyed like marshmallow's field errors."""

    def __init__(self, errors: dict[Any, Any]) -> None:
        super().__init__("The JSON body holds values no record can store.")
        self.errors = errors


class _Refused:
    """Stands in for a refused number while decoding, so the walk can say where it was."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def loads_strict(text: str | bytes) -> Any:
    """``json.loads`` that refuses (UnusableJSON) what json.loads lets through but nothing
    downstream can handle; a body nested too deeply is malformed JSON (JSONDecodeError)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode(json.detect_encoding(text))
    refused = False

    def parse_int(digits: str) -> Any:
        nonlocal refused
        if len(digits) - digits.startswith("-") > MAX_INT_DIGITS:
            refused = True
            return _Refused(f"Number too large: more than {MAX_INT_DIGITS} digits.")
        return int(digits)

    def parse_float(digits: str) -> Any:
        nonlocal refused
        number = float(digits)
        if math.isinf(number):
            refused = True
            return _Refused("Number out of range.")
        return number

    def parse_constant(name: str) -> Any:
        nonlocal refused
        refused = True
        return _Refused(f"{name} is not a JSON number.")

    try:
        data = json.loads(text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant)
        errors = _unusable(data) if refused or _SURROGATE_ESCAPE.search(text) else None
    except RecursionError as exc:
        # Thousands of levels deep: answer it as the malformed JSON it is (400).
        raise json.JSONDecodeError("JSON nested too deeply", "<nested>", 0) from exc
    if errors:
        raise UnusableJSON(errors if isinstance(errors, dict) else {"_schema": errors})
    return data


def _unusable(value: Any) -> Any:
    """Field errors ({key: [message]}, list items by index) for the refused values, else None."""
    if isinstance(value, str):
        return ["Not valid Unicode text: it contains a lone UTF-16 surrogate (\\ud800-\\udfff)."] \
            if _SURROGATE.search(value) else None
    if isinstance(value, _Refused):
        return [value.message]
    if isinstance(value, list):
        return {i: e for i, item in enumerate(value) if (e := _unusable(item))} or None
    if isinstance(value, dict):
        errors: dict[Any, Any] = {}
        for key, item in value.items():
            if _SURROGATE.search(key):
                errors[key.encode("utf-8", "backslashreplace").decode()] = [
                    "Not valid Unicode text: the field name contains a lone UTF-16 surrogate."
                ]
            elif e := _unusable(item):
                errors[key] = e
        return errors or None
    return None


class JSONProvider(DefaultJSONProvider):
    """The app's JSON: output keeps field order; input is decoded by :func:`loads_strict`."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_strict(s)


class _CappedStream(LimitedStream):
    """The body stream, capped at ``max_content_length``, when the server ends the body itself
    (``wsgi.input_terminated``: gunicorn, and any server decoding a chunked body, which has no
    Content-Length to check up front). werkzeug's own stops silently at the limit and hands
    back the body cut short, which then fails as malformed JSON (400); here a body that goes
    on past the limit is 413, and one of exactly the limit is read whole."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__(stream, limit, is_max=True)

    def on_exhausted(self) -> None:
        if self._stream.read(1):  # the client is still sending
            raise RequestEntityTooLarge()

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted:
            self.on_exhausted()
        return data


class Request(_Request):
    """Flask's request, with a body stream that answers 413 for any body over the limit."""

    @cached_property
    def stream(self) -> IO[bytes]:
        # get_input_stream checks a declared Content-Length against the limit (413) and
        # wraps the stream; a server that terminates chunked bodies sets input_terminated.
        stream = get_input_stream(self.environ, max_content_length=self.max_content_length)
        if isinstance(stream, LimitedStream) and "wsgi.input_terminated" in self.environ \
                and self.max_content_length is not None:
            return cast(IO[bytes], _CappedStream(self.environ["wsgi.input"], self.max_content_length))
        return stream


def init_requests(app: Flask) -> None:
    """Request bodies: strict JSON decoding and a size cap that also holds for chunked bodies."""
    app.json = JSONProvider(app)
    app.request_class = Request


class Blueprint(_Blueprint):
    """Our Blueprint: the home for any cross-cutting view behaviour."""

    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema: Any, **kwargs: Any) -> Any:
        # webargs makes an instance of a schema class on every request it parses (a tenth of
        # a millisecond for a screen); an instance is made once, here. The OpenAPI document
        # names and describes an instance without modifiers as it does its class.
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)


api = Api()
