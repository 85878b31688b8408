"""Extension objects, created once and bound to the app in ``create_app``."""

from __future__ import annotations

import http
import json
from typing import Any

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from flask import Flask, current_app
from flask.globals import app_ctx
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest.spec.plugins import integerconverter2paramschema
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import StaticPool
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

from .errors import _http_exception


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine with the settings each backend needs."""
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers (screening, other workers) run while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


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
        app.extensions["sqlalchemy_engine"] = make_engine(
            app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False)
        )
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
    """Our one subclass of flask-smorest's Api: errors leave, and are documented, as
    problem+json."""

    def handle_http_exception(self, error: Any) -> Any:
        return _http_exception(error)

    def _register_responses(self) -> None:
        from flask_smorest.spec import prepare_response

        from .errors import PROBLEM_MIMETYPE
        from .schemas.common import ProblemSchema

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


MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in our routes: record ids from 1 to 2**31-1, so an id too large for the
    database's integer column is a 404 rather than a database error."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def register_converters(app: Flask, api_: Any) -> None:
    app.url_map.converters["int"] = IdConverter
    api_.register_converter(IdConverter, integerconverter2paramschema)


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
        # A body nested thousands of levels deep exhausts the recursion limit of the JSON
        # decoder: answer it as the malformed JSON it is (400), not as a server error.
        try:
            return super()._raw_load_json(req)
        except RecursionError as exc:
            raise json.JSONDecodeError("JSON nested too deeply", "<nested>", 0) from exc


class Blueprint(_Blueprint):
    """Our Blueprint: the home for any cross-cutting view behaviour."""

    ARGUMENTS_PARSER = Parser()


api = Api()
