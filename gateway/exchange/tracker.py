"""The functional-ack tracker: every group we send expects the partner's 997 in time.

An outbound group is recorded with its due time when it is queued; the partner's 997
closes it (accepted) or opens an exception whose text says which document, which PO,
which segment and element, and what the code means. A beat task raises the ones whose
997 is overdue. Inbound groups are recorded by ``gateway.exchange.inbound`` with the 997 we
returned, so the tracker shows both directions.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edi_maps.amazon import describe_functional_ack
from edi_maps.documents import FunctionalAck
from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import record_exception
from gateway.exchange.envelopes import OutboundInterchange
from gateway.models import Direction, Message, TradingPartner, X12Group, X12Set
from gateway.partners.registry import profile_of

log = structlog.get_logger("gateway.exchange.tracker")

DOCUMENT_NAMES = {"855": "PO acknowledgement (855)", "856": "ship notice (856)", "810": "invoice (810)",
                  "846": "inventory advice (846)"}


# Sets whose business key (the tracker's reference) is not a PO number: the 856's is the
# shipment id, the 810's the invoice number.
REFERENCE_NAMES = {"856": "shipment", "810": "invoice"}


def functional_ack_due(session: Session, message_id: int | None, set_id: str) -> tuple[str | None, datetime | None]:
    """The partner's 997 code (AK5 of the set, else AK9 of its group) for the latest ``set_id``
    the message carried (None while awaited) and when that 997 is due."""
    if message_id is None:
        return None, None
    row = session.execute(select(func.coalesce(X12Set.ack_status, X12Group.ack_status), X12Group.ack_due_at)
                          .join(X12Group, X12Set.group_id == X12Group.id)
                          .where(X12Group.message_id == message_id, X12Set.set_id == set_id)
                          .order_by(X12Set.id.desc()).limit(1)).first()
    return (None, None) if row is None else (row[0], row[1])


def about(tset: X12Set) -> str:
    """What a set of ours was about, for a sentence: " for PO 2XK7QP9M", or for an 856 (whose
    business key is the shipment, which may carry several POs) " for shipment SHP-1", or for
    an 810 " for invoice INV-1"."""
    if not tset.reference:
        return ""
    return f" for {REFERENCE_NAMES.get(tset.set_id, 'PO')} {tset.reference}"


def po_number_of(group: X12Group, tset: X12Set) -> str | None:
    """The PO a set of ours was about: its message's (an 856 of one PO and every 810 have it),
    else the set's reference, which is the PO number for every set but the 856 (a shipment
    id) and the 810 (an invoice number)."""
    if group.message.po_number:
        return group.message.po_number
    return None if tset.set_id in REFERENCE_NAMES else tset.reference


def ack_window(partner: TradingPartner) -> timedelta:
    """How long the partner has to send its 997 (profile ``x12.ack_window_hours``, default 4)."""
    return timedelta(hours=profile_of(partner).x12.ack_window_hours)


def expect_functional_ack(
    session: Session, message: Message, partner: TradingPartner, interchange: OutboundInterchange,
    set_code: str, references: dict[str, str | None] | None = None, version: str = "004010",
) -> X12Group:
    """Record an outbound group and when its 997 is due. ``references`` maps ST02 to the set's
    business key (the PO number of an 855, the shipment id of an 856, the invoice number of an 810)."""
    references = references or {}
    group = X12Group(
        message_id=message.id, partner_id=partner.id, direction=Direction.OUTBOUND.value,
        interchange_control_number=f"{interchange.interchange_control_number:09d}",
        functional_id=interchange.functional_id, control_number=str(interchange.group_control_number),
        version=version, ack_due_at=datetime.now(timezone.utc) + ack_window(partner),
    )
    group.sets = [X12Set(set_id=set_code, control_number=number, reference=references.get(number), errors=[])
                  for number in interchange.set_control_numbers]
    session.add(group)
    session.flush()
    return group


def apply_functional_ack(session: Session, partner: TradingPartner, message_id: int, ack: FunctionalAck) -> X12Group | None:
    """Close our group that ``ack`` answers; an error or rejection becomes an exception."""
    group = session.scalars(
        select(X12Group).where(X12Group.direction == Direction.OUTBOUND.value, X12Group.partner_id == partner.id,
                               X12Group.functional_id == ack.functional_id,
                               X12Group.control_number == str(ack.group_control_number))
    ).first()
    if group is None:
        log.warning("997 for a group we have no record of", partner=partner.as2_id,
                    group=f"{ack.functional_id} {ack.group_control_number}")
        audit.record(session, "tracker.unmatched_997", subject_type="message", subject_id=message_id,
                     functional_id=ack.functional_id, group=ack.group_control_number)
        return None
    group.ack_status = ack.status.value
    group.ack_codes = [error.code for error in ack.errors]
    group.ack_message_id = message_id
    group.acked_at = datetime.now(timezone.utc)
    sentences = describe_functional_ack(ack)
    by_number = {tset.control_number: tset for tset in group.sets}
    for set_ack, sentence in zip(ack.sets, sentences[1:]):
        tset = by_number.get(set_ack.control_number)
        if tset is None:
            continue
        tset.ack_status = set_ack.status.value
        tset.errors = [] if set_ack.status.value == "A" else [sentence]
        if set_ack.status.value != "A":
            document = DOCUMENT_NAMES.get(tset.set_id, f"set {tset.set_id}")
            record_exception(session, "ack_997_rejected",
                             f"{partner.as2_id} answered our {document}{about(tset)}: {sentence}",
                             subject_type="x12_set", subject_id=tset.id, po_number=po_number_of(group, tset))
    if ack.status.value != "A" and not ack.sets:
        record_exception(session, "ack_997_rejected", f"{partner.as2_id}: {sentences[0]}",
                         subject_type="x12_group", subject_id=group.id)
    audit.record(session, "tracker.997_received", subject_type="x12_group", subject_id=group.id,
                 status=group.ack_status, partner=partner.as2_id)
    return group


def raise_overdue(settings: Settings, now: datetime | None = None) -> list[int]:
    """Open an exception for each outbound group whose 997 is past due; returns the group ids."""
    now = now or datetime.now(timezone.utc)
    overdue = []
    with session_scope(settings) as session:
        query = select(X12Group).where(X12Group.direction == Direction.OUTBOUND.value, X12Group.ack_status.is_(None),
                                       X12Group.ack_due_at < now)
        for group in session.scalars(query):
            partner = existing(session, TradingPartner, group.partner_id)
            references = "".join(sorted({about(tset) for tset in group.sets}))
            documents = ", ".join(sorted({DOCUMENT_NAMES.get(tset.set_id, tset.set_id) for tset in group.sets}))
            due = group.ack_due_at
            record_exception(
                session, "ack_997_overdue",
                f"no 997 from {partner.as2_id} for our {documents}{references} (group {group.functional_id} "
                f"{group.control_number}); due {due:%Y-%m-%d %H:%M} UTC",
                subject_type="x12_group", subject_id=group.id,
                po_number=next(filter(None, (po_number_of(group, tset) for tset in group.sets)), None))
            overdue.append(group.id)
    return overdue
