"""The web entry point: the Flask application factory, one blueprint per concern.

Owns HTTP only: the AS2 endpoint (``as2``), the operations pages, the REST API and the IMS
callbacks, health and metrics; each view calls one service of the packages below. A
leaf: nothing in ``gateway`` imports it (``server`` runs it under gunicorn for the CLI).
"""
from __future__ import annotations

import time

import structlog
from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway.platform.config import Settings, load_settings
from gateway.platform.logging import REQUEST_ID_HEADER, bind_request_id, new_request_id

log = structlog.get_logger("gateway.web")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["GATEWAY_SETTINGS"] = settings
    if settings.trusted_proxies:
        # request.remote_addr is then the client's address as the nearest trusted proxy
        # saw it; with none, X-Forwarded-For is ignored, so a client cannot choose it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    # Refuse bodies past the AS2 cap even when they come chunked, without a Content-Length.
    from gateway.transport.as2.receiver import LIMITS

    app.config["MAX_CONTENT_LENGTH"] = LIMITS.max_body_bytes

    from gateway.web import api, as2, diagnostics, health, ims_callbacks, inventory, invoices, remittances, shipments

    app.register_blueprint(health.blueprint)
    app.register_blueprint(as2.blueprint)
    app.register_blueprint(diagnostics.blueprint)
    app.register_blueprint(ims_callbacks.blueprint)
    app.register_blueprint(shipments.blueprint)
    app.register_blueprint(invoices.blueprint)
    app.register_blueprint(inventory.blueprint)
    app.register_blueprint(remittances.blueprint)
    app.register_blueprint(api.blueprint)

    from gateway.web import errors, login, metrics, pages, request_guard, security_headers

    app.register_blueprint(metrics.blueprint)
    login.init_app(app)
    pages.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    _log_requests(app)
    request_guard.init_app(app)  # after the request id is set: its 400s are logged like any answer
    return app


def _log_requests(app: Flask) -> None:
    """One log line per request, under a request id taken from the caller or made here."""

    @app.before_request
    def start() -> None:
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = supplied if supplied.isprintable() and 0 < len(supplied) <= 64 else new_request_id()
        g.started = time.perf_counter()
        bind_request_id(g.request_id)

    @app.after_request
    def finish(response):
        response.headers[REQUEST_ID_HEADER] = g.request_id
        log.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            ms=round((time.perf_counter() - g.started) * 1000, 1),
        )
        return response


def settings_of(app: Flask) -> Settings:
    return app.config["GATEWAY_SETTINGS"]
