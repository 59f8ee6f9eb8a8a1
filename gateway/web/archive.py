"""The message archive: find a message by PO number, interchange control number or
AS2 Message-ID, and read it as it crossed the wire (X12 one segment per line, the AS2
headers, the MDN).

One search box takes any of the three keys: ops paste whatever Amazon or a colleague
gave them, and the archive matches it against all three.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from edi_maps.x12.reader import X12Reader, X12SyntaxError
from gateway.platform.db import session_scope
from gateway.models import Message, X12Group, X12Set
from gateway.platform.storage import body_is_partial, read_payload
from gateway.transport.as2.protocol import redacted_headers
from gateway.web import login, settings_of

blueprint = Blueprint("archive", __name__)
login.protect(blueprint)

RESULTS = 100
# Past this many segments the page shows the start and says so; the payload stays whole in the store.
SHOWN_SEGMENTS = 5000


@dataclass(frozen=True)
class Layout:
    """The payload as a person reads it: one X12 segment per line, or why it is not X12."""

    lines: list[str]
    truncated: bool
    problem: str | None


@blueprint.get("/messages")
def search():
    query = request.args.get("q", "").strip()[:255]
    with session_scope(settings_of(current_app)) as db:
        messages = find_messages(db, query)
        references = _references(db, [message.id for message in messages])
        return render_template("messages.html", query=query, messages=messages, references=references)


@blueprint.get("/messages/<int:message_id>")
def show(message_id: int):
    with session_scope(settings_of(current_app)) as db:
        message = db.get(Message, message_id)
        if message is None:
            abort(404)
        groups = list(db.scalars(select(X12Group).options(selectinload(X12Group.sets))
                                 .where(X12Group.message_id == message.id).order_by(X12Group.id)))
        acknowledged = list(db.scalars(select(X12Group).where(X12Group.ack_message_id == message.id)))
        payload = read_payload(settings_of(current_app), message)
        # Redacted here too: rows stored before the receiver redacted may hold credentials.
        return render_template("message.html", message=message, groups=groups, acknowledged=acknowledged,
                               layout=None if payload is None else segment_lines(payload),
                               mdn_text=_text(message.mdn_body), headers=redacted_headers(message.headers or {}),
                               mdn_headers=redacted_headers(message.mdn_headers or {}),
                               partial_body=body_is_partial(message))


def find_messages(session: Session, query: str) -> list[Message]:
    """Messages matching ``query`` as a PO number, an ISA13 or an AS2 Message-ID; newest first.

    No query: the most recent messages. An interchange control number may be typed
    without its leading zeros.
    """
    statement = select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(RESULTS)
    if not query:
        return list(session.scalars(statement))
    control_numbers = {query, query.zfill(9)} if query.isdigit() else {query}
    # A PO's documents, and the 997s that answered them (ours for its 850, Amazon's for our 855).
    groups_of_po = select(X12Group.id).join(X12Set, X12Set.group_id == X12Group.id).where(X12Set.reference == query)
    by_po = select(X12Group.message_id).where(X12Group.id.in_(groups_of_po)).union(
        select(X12Group.ack_message_id).where(X12Group.id.in_(groups_of_po), X12Group.ack_message_id.is_not(None)))
    by_interchange = select(X12Group.message_id).where(X12Group.interchange_control_number.in_(control_numbers))
    message_ids = {query, query.strip("<>"), f"<{query.strip('<>')}>"}
    return list(session.scalars(statement.where(or_(
        Message.id.in_(by_po), Message.id.in_(by_interchange), Message.transport_id.in_(message_ids)))))


def segment_lines(payload: bytes) -> Layout:
    """Lay X12 out one segment per line with the interchange's own delimiters."""
    lines: list[str] = []
    try:
        for segment, location in X12Reader(io.BytesIO(payload)).located():
            if len(lines) == SHOWN_SEGMENTS:
                return Layout(lines, True, None)
            delimiters = location.interchange.delimiters
            lines.append(delimiters.element.join(segment.elements) + delimiters.segment)
    except X12SyntaxError as error:
        return Layout(payload[:65536].decode("latin-1").splitlines(), len(payload) > 65536, str(error))
    return Layout(lines, False, None)


def _references(session: Session, message_ids: list[int]) -> dict[int, list[str]]:
    """The PO numbers each message carried or acknowledged (a 997), for the result list."""
    found: dict[int, list[str]] = {}
    rows = [row for column in (X12Group.message_id, X12Group.ack_message_id) for row in session.execute(
        select(column, X12Set.reference).join(X12Set, X12Set.group_id == X12Group.id)
        .where(column.in_(message_ids), X12Set.reference.is_not(None)))]
    for message_id, reference in rows:
        if message_id is None or reference is None:  # never: the query leaves NULLs out; for the types
            continue
        references = found.setdefault(message_id, [])
        if reference not in references:
            references.append(reference)
    return found


def _text(data: bytes | None) -> str | None:
    return None if data is None else data[:65536].decode("latin-1")
