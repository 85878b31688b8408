"""Small helpers the resource modules share."""

from __future__ import annotations

from typing import Any

from ..records.common import Page


def page_body(page: Page) -> dict[str, Any]:
    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }

