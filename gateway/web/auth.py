"""Bearer-token authentication for ``/api/v1``: ``@requires_token_role("ims", "admin")`` on a view.

``admin`` may do everything; any other role only what the view names. Errors are
RFC 9457 problem documents, like the rest of the API. An authorised request's log lines
carry ``token_id`` (bound to structlog's context), so each call can be traced to the token
that made it without the token ever being written down.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import structlog
from flask import current_app, g, jsonify, request

from gateway.platform.db import session_scope
from gateway.access.tokens import authorise
from gateway.web import settings_of


def problem(status: int, title: str, detail: str, **extra):
    """An application/problem+json response (RFC 9457)."""
    response = jsonify(type="about:blank", title=title, status=status, detail=detail, **extra)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def requires_token_role(*roles: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                response = problem(401, "Unauthorized", "send Authorization: Bearer <token>")
                response.headers["WWW-Authenticate"] = 'Bearer realm="edi-gateway"'
                return response
            with session_scope(settings_of(current_app)) as session:
                grant = authorise(session, token.strip())
            if grant is None:
                response = problem(401, "Unauthorized", "unknown, expired or revoked token")
                response.headers["WWW-Authenticate"] = 'Bearer realm="edi-gateway", error="invalid_token"'
                return response
            structlog.contextvars.bind_contextvars(token_id=grant.token_id)
            role = grant.role
            if role != "admin" and role not in roles:
                return problem(403, "Forbidden", f"a {role} token may not do this; needs {' or '.join(roles)}")
            g.api_role = role
            return view(*args, **kwargs)

        return guarded

    return decorate
