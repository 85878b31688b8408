"""``/api/v1/keys``: API keys, for admins."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from ..extensions import Blueprint, db
from ..records import keys as records
from ..schemas.keys import KeyCreated, KeyIn, KeyList, KeyOut

blp = Blueprint("keys", __name__, url_prefix="/api/v1/keys",
                description="API keys and their roles (admin only). Keys are shown once, on creation.")


@blp.route("")
class Keys(MethodView):
    @blp.response(200, KeyList)
    def get(self) -> Any:
        """List API keys (never their secrets)"""
        keys = records.list_keys(session=db.session)
        return {"items": keys, "total": len(keys)}

    @blp.arguments(KeyIn)
    @blp.response(201, KeyCreated)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an API key; the response holds the key, shown this once"""
        key, token = records.create_key(session=db.session, name=data["name"], role=data["role"])
        db.session.commit()
        fields = ("id", "name", "role", "prefix", "created_at", "revoked_at", "active")
        return {**{f: getattr(key, f) for f in fields}, "key": token}


@blp.route("/<int:key_id>")
class KeyById(MethodView):
    @blp.response(200, KeyOut)
    def delete(self, key_id: int) -> Any:
        """Revoke an API key (it stops working within API_KEY_CACHE_SECONDS)"""
        key = records.revoke_key(session=db.session, key_id=key_id)
        db.session.commit()
        current_app.extensions["api_keys"].forget(key_id)  # here at once; elsewhere within the bound
        return key
