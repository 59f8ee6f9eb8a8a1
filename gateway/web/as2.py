"""The AS2 endpoint partners POST to, and the URL for their asynchronous MDNs."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from gateway.transport.as2.receiver import LIMITS, HttpAnswer, receive_as2
from gateway.transport.as2.sender import receive_async_mdn
from gateway.web import as2_edge, settings_of

blueprint = Blueprint("as2", __name__)
as2_edge.guard(blueprint)  # the refusal limit and the free-disk floor, before any work


@blueprint.post("/as2")
def inbound():
    return _answer(receive_as2)


@blueprint.post("/as2/mdn")
def asynchronous_mdn():
    return _answer(receive_async_mdn)


def _answer(handler) -> Response:
    if request.content_length is not None and request.content_length > LIMITS.max_body_bytes:
        return Response(f"message larger than {LIMITS.max_body_bytes} bytes\n", 413, mimetype="text/plain")
    answer: HttpAnswer = handler(settings_of(current_app), list(request.headers.items()), request.get_data(cache=False))
    return Response(answer.body, answer.status, headers=answer.headers)
