"""The answer to a document the IMS posts (a shipment, an invoice), the same for each kind.

202 once it is stored and its X12 queued, or when the same body comes again (``outcome``
says which); 422 with one ``errors`` entry per problem; 409 when its key names another body,
or when a request running at the same time stored the same key first.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Protocol

from flask import Response, current_app, g, jsonify, request
from sqlalchemy.exc import IntegrityError

from gateway.platform.config import Settings
from gateway.platform.json_reading import BodyConflict, BodyRefused
from gateway.web import settings_of
from gateway.web.auth import problem


class Receipt(Protocol):
    @property
    def outcome(self) -> StrEnum: ...


def accept_document(what: str, receive: Callable[..., Receipt]) -> Response:
    """Run ``receive(settings, body, actor=...)`` on the request's JSON and answer as the contract says."""
    body = request.get_json(silent=True)
    if body is None:
        return problem(400, "Bad Request", "the body must be JSON (Content-Type: application/json)")
    settings: Settings = settings_of(current_app)
    try:
        receipt = receive(settings, body, actor=f"api:{g.api_role}")
    except BodyRefused as refused:
        return problem(422, "Unprocessable Content", str(refused), errors=[p.as_json() for p in refused.problems])
    except BodyConflict as conflict:
        return problem(409, "Conflict", str(conflict))
    except IntegrityError:
        return problem(409, "Conflict", f"the {what} was stored by another request meanwhile; send it again")
    answer: Any = jsonify(status="accepted", outcome=receipt.outcome.value,
                          received_at=datetime.now(timezone.utc).isoformat())
    answer.status_code = 202
    return answer
