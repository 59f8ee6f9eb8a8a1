"""The AS2 endpoint partners POST to, and the URL for their asynchronous MDNs.

The body is read here with a cap, whatever the framing: a Content-Length over the limit
is refused before a byte is read, and a chunked body (no Content-Length) is read only up
to the limit, then refused with 413 rather than cut and processed. A body that ends
before its Content-Length (the client went away) is answered 400 and nothing is stored:
the sender never got an answer, so it sends again, and a half message is not a message.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import ClientDisconnected

from gateway.transport.as2.receiver import LIMITS, HttpAnswer, receive_as2
from gateway.transport.as2.sender import receive_async_mdn
from gateway.web import as2_edge, settings_of

blueprint = Blueprint("as2", __name__)
as2_edge.guard(blueprint)  # the refusal limit and the free-disk floor, before any work

_READ_SIZE = 64 * 1024


@blueprint.post("/as2")
def inbound():
    return _answer(receive_as2)


@blueprint.post("/as2/mdn")
def asynchronous_mdn():
    return _answer(receive_async_mdn)


def _answer(handler) -> Response:
    body = _read_body(LIMITS.max_body_bytes)
    if isinstance(body, Response):
        return body
    answer: HttpAnswer = handler(settings_of(current_app), list(request.headers.items()), body)
    return Response(answer.body, answer.status, headers=answer.headers)


def _read_body(limit: int) -> bytes | Response:
    """The whole request body, or the answer refusing it: 413 over ``limit`` bytes (read
    no further than one byte past it), 400 when it is shorter than its Content-Length."""
    expected = request.content_length
    if expected is not None and expected > limit:
        return _refusal(413, f"message larger than {limit} bytes")
    # A chunked body reaches ``request.stream`` when the server marks its input as
    # ending on its own (gunicorn and werkzeug's server do); werkzeug raises
    # ClientDisconnected when a Content-Length body ends early.
    stream = request.stream
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = stream.read(min(_READ_SIZE, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except ClientDisconnected:
        return _refusal(400, f"the body ended after {size} of {expected} bytes; nothing was kept")
    if size > limit:
        return _refusal(413, f"message larger than {limit} bytes")
    if expected is not None and size < expected:
        return _refusal(400, f"the body ended after {size} of {expected} bytes; nothing was kept")
    return b"".join(chunks)


def _refusal(status: int, text: str) -> Response:
    return Response(f"{text}\n", status, mimetype="text/plain")
