"""``/openapi.yaml`` and the offline docs page's assets (from the swagger-ui-bundle package)."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Response, send_from_directory

from ..extensions import api

blp = Blueprint("docs_assets", __name__)


@blp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    return Response(api.spec.to_yaml(), mimetype="application/yaml")


@blp.get("/docs/assets/<path:filename>")
def assets(filename: str) -> Any:
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
