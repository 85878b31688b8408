"""Small helpers the resource modules share."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..extensions import db
from ..records.common import Page


def page_body(page: Page) -> dict[str, Any]:
    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


def created(obj: Any, endpoint: str, **values: Any) -> tuple[Any, int, dict[str, str]]:
    """Commit and answer 201 with a Location header."""
    db.session.commit()
    return obj, 201, {"Location": url_for(endpoint, **values)}


def commit(obj: Any) -> Any:
    db.session.commit()
    return obj


def partial_schema(schema_cls: type) -> Any:
    """The PATCH form of a schema: every top-level field optional and without defaults, while
    nested items (a name, an identifier) stay whole and validated as on create."""
    return schema_cls(partial=tuple(schema_cls().fields))


def read_item(args: dict[str, Any], load: Any, *, record_type: str, record_id: int, label: str) -> Any:
    """The live record, or with ``as_of`` its own fields as they stood then (from history)."""
    if args.get("as_of") is not None:
        from ..records.history import as_of

        return as_of(session=db.session, record_type=record_type, record_id=record_id,
                     moment=args["as_of"], label=label)
    return load()
