"""An inbound message as the worker stores it before a document it carries reaches intake."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Message, TradingPartner


def inbound_message(session: Session) -> tuple[TradingPartner, Message]:
    """The installation's one partner and a new inbound message from it, with its id."""
    partner = session.scalars(select(TradingPartner)).one()
    message = Message(direction="inbound", partner_id=partner.id, status="processing", body_sha256="0" * 64,
                      body_size=0)
    session.add(message)
    session.flush()
    return partner, message
