"""``/api/v1/webhooks``: endpoints that receive signed monitoring events (admin only), their
secrets, deliveries and delivery log. The work is in :mod:`service.monitoring.webhooks` and
:mod:`service.monitoring.webhooks_delivery`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from ..extensions import Blueprint, db
from ..monitoring import webhooks as store
from ..monitoring.webhooks_delivery import ping
from ..monitoring.webhooks_runner import WebhookRunner
from ..schemas import webhooks as s
from .common import page_body
from .resources import action_resource, list_resource, read_resource

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks",
                description="Webhook endpoints (admin only): monitoring events POSTed and signed per the Standard "
                            "Webhooks specification, retried, logged, redelivered on request.")


def runner() -> WebhookRunner:
    return current_app.extensions["webhooks"]  # type: ignore[no-any-return]


def _private() -> bool:
    return runner().ctx.settings.allow_private


@blp.route("")
class Endpoints(MethodView):
    @blp.etag
    @blp.arguments(s.EndpointListArgs, location="query")
    @blp.response(200, s.EndpointPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List webhook endpoints (never their secrets)"""
        return page_body(store.list_endpoints(session=db.session, enabled=args.get("enabled"), page=args["page"],
                                              page_size=args["page_size"]))

    @blp.arguments(s.EndpointIn)
    @blp.response(201, s.EndpointCreated)
    def post(self, data: dict[str, Any]) -> Any:
        """Register an endpoint; the response holds its signing secret, shown this once"""
        endpoint, secret = store.create_endpoint(session=db.session, allow_private=_private(),
                                                 resolve=runner().ctx.resolve, **data)
        db.session.commit()
        body = {name: getattr(endpoint, name) for name in s.EndpointOut().fields}
        return {**body, "secret": secret}, 201, {"Location": url_for("webhooks.EndpointById",
                                                                     endpoint_id=endpoint.id)}


@blp.route("/<int:endpoint_id>")
class EndpointById(MethodView):
    @blp.etag
    @blp.response(200, s.EndpointOut)
    def get(self, endpoint_id: int) -> Any:
        """Read one endpoint: events, state, failures, secrets (not their values)"""
        return store.get_endpoint(session=db.session, endpoint_id=endpoint_id)

    @blp.etag
    @blp.arguments(s.EndpointPatch)
    @blp.response(200, s.EndpointOut)
    def patch(self, data: dict[str, Any], endpoint_id: int) -> Any:
        """Change the URL, events or description; disable or enable (If-Match required)"""
        endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
        blp.check_etag(endpoint, s.EndpointOut)
        store.update_endpoint(session=db.session, endpoint=endpoint, data=data, allow_private=_private(),
                              resolve=runner().ctx.resolve)
        db.session.commit()
        return endpoint

    @blp.etag
    @blp.response(204)
    def delete(self, endpoint_id: int) -> None:
        """Remove an endpoint with its deliveries and their log (If-Match required)"""
        endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
        blp.check_etag(endpoint, s.EndpointOut)
        store.delete_endpoint(session=db.session, endpoint=endpoint)
        db.session.commit()


def _rotate(data: dict[str, Any], endpoint_id: int) -> Any:
    endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
    secret = store.rotate_secret(session=db.session, endpoint=endpoint, overlap=timedelta(hours=data["overlap_hours"]),
                                 now=runner().ctx.clock())
    return {"secret": secret, "secrets": endpoint.secrets}


def _ping(endpoint_id: int) -> Any:
    store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
    delivery_id = ping(runner().ctx, db.session, endpoint_id=endpoint_id)
    return store.get_delivery(session=db.session, endpoint_id=endpoint_id, delivery_id=delivery_id)


action_resource(blp, "/<int:endpoint_id>/rotate", "RotateSecret", args=s.RotateIn, out=s.RotateOut, act=_rotate,
                summary="Add a new signing secret (shown this once); the old ones stay valid for overlap_hours")
action_resource(blp, "/<int:endpoint_id>/test", "Ping", out=s.DeliveryDetail, act=_ping,
                summary="Send a test event (webhook.test) now; the answer is the delivery with its first attempt")


list_resource(blp, args=s.DeliveryListArgs, page=s.DeliveryPage, lister=store.list_deliveries,
              filters=store.DeliveryFilters, parent=store.get_endpoint, summaries={
                  "get": "List an endpoint's deliveries, newest first (filters: status, event_type, since)"},
              ).register("/<int:endpoint_id>/deliveries", "Deliveries")
read_resource(blp, "/<int:endpoint_id>/deliveries/<int:delivery_id>", "DeliveryById", out=s.DeliveryDetail,
              load=store.get_delivery, summary="Read one delivery with every attempt")


def _redeliver(endpoint_id: int, delivery_id: int) -> Any:
    endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
    delivery = store.get_delivery(session=db.session, endpoint_id=endpoint_id, delivery_id=delivery_id)
    store.redeliver(session=db.session, endpoint=endpoint, delivery=delivery, now=runner().ctx.clock())
    return delivery


def _redeliver_failed(data: dict[str, Any], endpoint_id: int) -> Any:
    endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
    count = store.redeliver_failed(session=db.session, endpoint=endpoint, since=data["since"],
                                   now=runner().ctx.clock())
    return {"redelivered": count}


action_resource(blp, "/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver", "Redeliver", out=s.DeliveryOut,
                act=_redeliver, status=202, then=lambda: runner().kick(),
                summary="Send one delivery again, from the start of the retry schedule (same webhook-id)")
action_resource(blp, "/<int:endpoint_id>/redeliver", "RedeliverFailed", args=s.RedeliverIn, out=s.RedeliverOut,
                act=_redeliver_failed, status=202, then=lambda: runner().kick(),
                summary="Send again every failed delivery of events since a time")


list_resource(blp, args=s.Paging, page=s.AttemptPage, lister=store.list_attempts, parent=store.get_endpoint,
              summaries={"get": "The endpoint's delivery log: every attempt, newest first (time, status, response, "
                                "error, duration)"},
              ).register("/<int:endpoint_id>/attempts", "Attempts")
