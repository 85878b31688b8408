"""One way to declare a record's resources: a collection (list, create), an item (read,
replace, change, archive) and its history, built from ``records/`` functions and the schemas.

Every record resource has the same HTTP shape, so it is written once here: ETags on every
operation, If-Match on every write, ``as_of`` reads from history, 201 with a Location on
create. A module declares what differs: the schemas, the records functions (as callables
taking the URL's ids as keywords) and the one-line summaries the OpenAPI document shows.
Each resource is a MethodView named as its endpoint (``cases.CaseById``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask.views import MethodView

from ..errors import NotFound
from ..extensions import Blueprint, db
from ..records.common import Page, archive, filters_from
from ..records.history import as_of, history_of
from ..schemas.audit import HistoryArgs, HistoryList
from ..schemas.common import ItemArgs, PageArgs
from .common import page_body

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass(frozen=True)
class Item:
    """An item resource as its history route needs it."""

    rule: str
    record_type: str
    label: str
    id_arg: str


class Operations:
    """The operations of one resource as they are declared: each view function under
    flask-smorest's decorators, with its OpenAPI summary."""

    def __init__(self, blp: Blueprint, summaries: Mapping[str, str], *, doc_summaries: bool) -> None:
        self.blp = blp
        self.summaries = summaries
        # Summaries go in as docstrings, or through ``blp.doc`` as the entity and history
        # resources always have: the two differ only in where openapi.yaml shows them.
        self.doc_summaries = doc_summaries
        self.views: dict[str, Callable[..., Any]] = {}

    def add(self, method: str, view: Callable[..., Any], *decorators: Decorator) -> None:
        """``view`` as the ``method`` (get, post ...), under ``decorators`` (outermost first)."""
        summary = self.summaries[method]
        if self.doc_summaries:
            decorators = (*decorators, self.blp.doc(summary=summary))
        else:
            view.__doc__ = summary
        for decorator in reversed(decorators):
            view = decorator(view)
        self.views[method] = view

    def register(self, rule: str, name: str) -> None:
        self.blp.route(rule)(type(name, (MethodView,), self.views))


def read_resource(blp: Blueprint, rule: str, name: str, *, out: type, load: Callable[..., Any], summary: str) -> None:
    """``GET`` of one thing, with its ETag: ``load(session=..., **ids)``, the URL's ids as keywords."""

    def get(self: MethodView, **ids: int) -> Any:
        return load(session=db.session, **ids)

    ops = Operations(blp, {"get": summary}, doc_summaries=False)
    ops.add("get", get, blp.etag, blp.response(200, out))
    ops.register(rule, name)


def list_resource(
    blp: Blueprint, *, args: type, page: type, lister: Callable[..., Page], summaries: Mapping[str, str],
    filters: type | None = None, parent: Callable[..., Any] | None = None,
) -> Operations:
    """A paginated list: ``GET`` with ``args`` (the page, and the filters the ``filters``
    dataclass declares) answered by ``lister(session, **ids, filters, page, page_size)``, the
    URL's ids as keywords. A list that belongs to a thing (``parent(session=..., **ids)``) is a
    404 when that thing does not exist. The caller may add other methods of the same route,
    then registers it."""

    def get(self: MethodView, query: dict[str, Any], **ids: int) -> Any:
        if parent is not None:
            parent(session=db.session, **ids)
        given: dict[str, Any] = {"filters": filters_from(filters, query)} if filters is not None else {}
        return page_body(lister(session=db.session, **ids, **given, page=query["page"], page_size=query["page_size"]))

    ops = Operations(blp, summaries, doc_summaries=False)
    ops.add("get", get, blp.etag, blp.arguments(args, location="query"), blp.response(200, page))
    return ops


def action_resource(
    blp: Blueprint, rule: str, name: str, *, out: type, act: Callable[..., Any], summary: str,
    args: type | None = None, status: int = 200, then: Callable[[], None] | None = None,
) -> None:
    """``POST`` of an action on a thing (rotate a secret, release held alerts, send again):
    ``act(data, **ids)``, or ``act(**ids)`` when the action takes no body ``args``, committed;
    then ``then()``, for work that must see the commit (waking a background runner); answered
    with what ``act`` returns, as ``out``."""

    def done(result: Any) -> Any:
        db.session.commit()
        if then is not None:
            then()
        return result

    ops = Operations(blp, {"post": summary}, doc_summaries=False)
    if args is None:
        def bare(self: MethodView, **ids: int) -> Any:
            return done(act(**ids))

        ops.add("post", bare, blp.response(status, out))
    else:
        def post(self: MethodView, data: dict[str, Any], **ids: int) -> Any:
            return done(act(data, **ids))

        ops.add("post", post, blp.arguments(args), blp.response(status, out))
    ops.register(rule, name)


def partial_schema(schema_cls: type) -> Any:
    """The PATCH form of a schema: every top-level field optional and without defaults, while
    nested items (a name, an identifier) stay whole and validated as on create."""
    return schema_cls(partial=tuple(schema_cls().fields))


def collection_resource(
    blp: Blueprint, rule: str, name: str, *, list_args: type, page: type, body: type, out: type,
    list_page: Callable[..., Page], create: Callable[..., Any], item: tuple[str, str], summaries: Mapping[str, str],
    doc_summaries: bool = False,
) -> None:
    """``GET``: ``list_page(args, **ids)`` (``args`` parsed by ``list_args``) as a ``page``;
    ``POST``: ``create(data, **ids)``, answered 201 with the Location of ``item`` (its endpoint
    name and id variable)."""
    item_endpoint, item_id = item

    def get(self: MethodView, args: dict[str, Any], **ids: int) -> Any:
        return page_body(list_page(args, **ids))

    def post(self: MethodView, data: dict[str, Any], **ids: int) -> Any:
        record = create(data, **ids)
        db.session.commit()
        location: dict[str, Any] = {**ids, item_id: record.id}
        return record, 201, {"Location": url_for(f"{blp.name}.{item_endpoint}", **location)}

    ops = Operations(blp, summaries, doc_summaries=doc_summaries)
    ops.add("get", get, blp.etag, blp.arguments(list_args, location="query"), blp.response(200, page))
    ops.add("post", post, blp.etag, blp.arguments(body), blp.response(201, out))
    ops.register(rule, name)


def item_resource(
    blp: Blueprint, rule: str, name: str, *, record_type: str, label: str, out: type, load: Callable[..., Any],
    summaries: Mapping[str, str], body: type | None = None, patch: type | None = None,
    update: Callable[[Any, dict[str, Any], bool], object] | None = None,
    archivable: bool = False, doc_summaries: bool = False,
) -> Item:
    """One record, its id the last variable of ``rule``: ``load(**ids, include_archived=False)``.

    ``GET`` reads it (or, with ``as_of``, its own fields as they stood then). With ``update``,
    ``PUT`` replaces it (given a ``body``) and ``PATCH`` changes some fields (``patch``, by default
    ``body`` made partial), both through ``update(record, data, replace)``; when ``archivable``,
    ``DELETE`` archives it (:func:`~service.records.common.archive`). Every write checks If-Match.
    Summaries: ``get`` is required; the writes default to "Replace / Change some fields of /
    Archive a {label} (If-Match required)"."""
    id_arg = re.findall(r"<(?:\w+:)?(\w+)>", rule)[-1]
    summaries = {
        "put": f"Replace a {label} (If-Match required)",
        "patch": f"Change some fields of a {label} (If-Match required)",
        "delete": f"Archive a {label} (If-Match required)",
        **summaries,
    }

    def get(self: MethodView, args: dict[str, Any], **ids: int) -> Any:
        if args.get("as_of") is not None:
            return as_of(session=db.session, record_type=record_type, record_id=ids[id_arg],
                         moment=args["as_of"], label=label)
        return load(**ids, include_archived=args["include_archived"])

    def checked(ids: dict[str, int]) -> Any:
        record = load(**ids)
        blp.check_etag(record, out)
        return record

    ops = Operations(blp, summaries, doc_summaries=doc_summaries)
    ops.add("get", get, blp.etag, blp.arguments(ItemArgs, location="query"), blp.response(200, out))
    if update is not None:
        def write(replace: bool) -> Callable[..., Any]:
            def view(self: MethodView, data: dict[str, Any], **ids: int) -> Any:
                record = checked(ids)
                update(record, data, replace)
                db.session.commit()
                return record
            return view

        if body is not None:
            ops.add("put", write(True), blp.etag, blp.arguments(body), blp.response(200, out))
            patch = patch or partial_schema(body)
        ops.add("patch", write(False), blp.etag, blp.arguments(patch), blp.response(200, out))
    if archivable:
        def delete(self: MethodView, **ids: int) -> None:
            archive(session=db.session, record=checked(ids))
            db.session.commit()

        ops.add("delete", delete, blp.etag, blp.response(204))
    ops.register(rule, name)
    return Item(rule, record_type, label, id_arg)


def link_resources(
    blp: Blueprint, rule: str, names: tuple[str, str], *, parent: Callable[[int], Any], record_type: str, label: str,
    page: type, body: type, out: type, links: Any, summaries: Mapping[str, str], patch: type | None = None,
) -> Item:
    """A parent's links to entities (a case's defendants, a group's members) at ``rule``:
    the collection ``names[0]`` and each link ``names[1]`` at ``rule/<int:{names[1]}_id>``.

    ``parent(id)`` loads the parent from the URL's first id; ``links`` holds the records
    functions, each taking the session and the parent first: ``list``, ``add``, ``get``
    and, when links can change (given ``patch``), ``update``."""
    parent_id = re.findall(r"<(?:\w+:)?(\w+)>", rule)[0]
    collection, item_name = names
    link_id = f"{item_name.lower()}_id"

    def list_page(args: dict[str, Any], **ids: int) -> Page:
        return links.list(db.session, parent(ids[parent_id]), include_archived=args["include_archived"],
                          page=args["page"], page_size=args["page_size"])

    def load(include_archived: bool = False, **ids: int) -> Any:
        return links.get(db.session, parent(ids[parent_id]), ids[link_id], include_archived=include_archived)

    collection_resource(
        blp, rule, collection, list_args=PageArgs, page=page, body=body, out=out, item=(item_name, link_id),
        list_page=list_page, create=lambda data, **ids: links.add(db.session, parent(ids[parent_id]), data),
        summaries={"get": summaries["list"], "post": summaries["add"]},
    )
    item_summaries = {key: summaries[key] for key in ("get", "delete", "patch") if key in summaries}
    return item_resource(
        blp, f"{rule}/<int:{link_id}>", item_name, record_type=record_type, label=label, out=out, patch=patch,
        load=load, archivable=True, summaries=item_summaries,
        # A link is never replaced whole: only its role, notes and sources change.
        update=(lambda link, data, replace: links.update(db.session, link, data)) if patch else None,
    )


def history_resources(blp: Blueprint, *items: Item) -> None:
    """``GET {item}/history`` for each item: the record's changes, oldest first."""
    for item in items:
        _history(blp, item)


def _history(blp: Blueprint, item: Item) -> None:
    def get(self: MethodView, args: dict[str, Any], **ids: int) -> Any:
        entries = history_of(session=db.session, record_type=item.record_type, record_id=ids[item.id_arg],
                             until=args.get("until"))
        if not entries:
            raise NotFound(f"No {item.label} with id {ids[item.id_arg]}.")
        return {"items": entries, "total": len(entries)}

    summary = f"Every change to a {item.label}: who, when, which request, each field before and after"
    ops = Operations(blp, {"get": summary}, doc_summaries=True)
    ops.add("get", get, blp.arguments(HistoryArgs, location="query"), blp.response(200, HistoryList))
    ops.register(f"{item.rule}/history", f"{item.record_type.title().replace('_', '')}History")
