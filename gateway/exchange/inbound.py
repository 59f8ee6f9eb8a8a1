"""What happens to an inbound AS2 payload once it is safely stored: validate, 997, translate.

Runs in a worker (``workers.tasks.process_inbound_message``, through ``gateway.routing``).
Every group gets its 997, every group and set is recorded for the tracker with its errors
in words, and each accepted set is translated to its canonical document by the partner's
retailer maps. In the same transaction each accepted document goes to the business
service ``receivers`` names for its type (an 850 becomes a purchase order, an 860 a change
to one); the tasks they ask for are queued after the commit. Amazon's own 997s close our
tracker rows here. An interchange whose envelope is bad is refused whole with a TA1: the
message ends ``refused`` with a critical exception naming what Amazon believes it sent.
So is an interchange whose control number its sender already used (a replay, TA1 note 025).
A payload that is not X12 at all fails visibly; nothing is dropped.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import structlog
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from edi_maps.amazon import TranslationError
from edi_maps.canonical_json import to_json_dict
from edi_maps.documents import FunctionalAck
from edi_maps.salvage import Carried, carried
from edi_maps.validation import TA1_NOTES, InterchangeResult, Issue, ValidationReport, validate_interchange
from edi_maps.x12.errors import X12Error, X12WriteError
from edi_maps.x12.reader import X12Reader, transaction_sets
from gateway.platform import audit
from gateway.exchange import retailers, transports
from gateway.partners.registry import profile_of
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import Severity, record_exception
from gateway.exchange.envelopes import (
    build_functional_acks,
    build_ta1_interchange,
    partner_delimiters,
    partner_envelope,
)
from gateway.models import Direction, Message, TradingPartner, X12Group, X12Set
from gateway.platform.queue import enqueue
from gateway.platform.storage import read_payload
from gateway.transport.status import MessageStatus
from gateway.exchange.tracker import apply_functional_ack

log = structlog.get_logger("gateway.exchange.inbound")

# The TA1 note of an interchange control number its sender already used: a replay.
REPLAY_NOTE = "025"
# Statuses from which processing (re)starts; anything else was already handled.
PENDING = (MessageStatus.ACCEPTED, MessageStatus.PROCESSING)


@dataclass(frozen=True)
class FollowUp:
    """A task a receiving service wants queued once the inbound transaction has committed."""

    task: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


# A business service taking one accepted canonical document in the inbound transaction:
# (session, partner, message it came in, document) -> the tasks to queue after the commit.
Receiver = Callable[[Session, TradingPartner, Message, Any], Sequence[FollowUp]]


def process_inbound_message(settings: Settings, message_id: int, receivers: Mapping[type, Receiver]) -> str:
    """Validate, acknowledge and translate one stored inbound message; returns its status."""
    with session_scope(settings) as session:
        message = session.get(Message, message_id)
        if message is None or message.status not in PENDING:
            return message.status if message else "missing"
        message.status = MessageStatus.PROCESSING.value
        payload = read_payload(settings, message)
        # The receive path accepts a message only once its payload is out (stored with the status).
        assert payload is not None, f"accepted message {message_id} has no payload"
        profile = profile_of(existing(session, TradingPartner, message.partner_id))
    report = validate_interchange(payload)
    documents = _translate(payload, retailers.BY_NAME[profile.retailer])
    outbound: list[int] = []
    follow_ups: list[FollowUp] = []
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        partner = existing(session, TradingPartner, message.partner_id)
        _refuse_replays(session, message, report, timedelta(days=settings.interchange_replay_days))
        refused = any(interchange.ta1_note_code is not None for interchange in report.interchanges)
        if report.errors and not refused:
            message.status, message.error = MessageStatus.FAILED.value, "; ".join(report.errors)
            record_exception(session, "inbound_rejected", f"message {message_id} is not X12: {message.error}",
                             subject_type="message", subject_id=message_id)
        else:
            # Read only when needed: what a refused interchange carries is not in the report.
            found = carried(payload) if refused else []
            for interchange in report.interchanges:
                if interchange.ta1_note_code is not None:
                    outbound += _refuse(session, settings, message, partner, interchange,
                                        [c for c in found if c.control_number == interchange.control_number])
                else:
                    # Business rows first, control numbers (the 997's) last, as the 855 takes
                    # them: two workers locking a PO and the ISA sequence in opposite orders
                    # (an 860 coming in while the PO's 855 is built) would deadlock.
                    follow_ups += _take_in(session, message, partner, interchange, documents, receivers)
                    outbound += _acknowledge(session, settings, message, partner, interchange, documents)
            message.status = (MessageStatus.REFUSED if refused else MessageStatus.PROCESSED).value
            message.error = None if report.is_valid else "; ".join(report.messages())[:4000]
            message.document_type = document_type(report, found)
        message.processed_at = datetime.now(timezone.utc)
        audit.record(session, "inbound.processed", actor="worker", subject_type="message", subject_id=message_id,
                     status=message.status, valid=report.is_valid, acknowledgements=outbound)
        status = message.status
    for ack_id in outbound:
        transports.start_delivery(settings, ack_id, profile.transport)
    for follow_up in follow_ups:
        enqueue(settings, follow_up.task, **follow_up.arguments)
    log.info("inbound processed", message=message_id, status=status, valid=report.is_valid)
    return status



def document_type(report: ValidationReport, found: Sequence[Carried] = ()) -> str | None:
    """What the message carried, for /messages and /metrics: its sets' ST01s ("850",
    "850+860", "mixed" past two kinds); None when no set could be read. ``found`` adds the
    ST01s read from the raw text of refused interchanges, which pyx12 may not have read."""
    set_ids = sorted({result.set_id for interchange in report.interchanges for group in interchange.groups
                      for result in group.sets if result.set_id} | {set_id for c in found for set_id in c.set_ids})
    if not set_ids:
        return None
    return "+".join(set_ids) if len(set_ids) <= 2 else "mixed"


def _refuse_replays(session: Session, message: Message, report: ValidationReport, window: timedelta) -> None:
    """Mark each sound interchange whose control number its sender used within ``window``
    as refused with TA1 note 025, so nothing in it is taken in.

    A signed message replayed under a new AS2 Message-ID passes every AS2 check; its ISA13
    is what gives it away. Partners number interchanges per sender (ISA06) and wrap only
    after a billion, so a number seen again within the window is the same interchange:
    taking it in again would apply an 860 twice. Only interchanges with groups are
    recorded, and only those are checked: an empty one carries nothing to take in twice.
    """
    since = datetime.now(timezone.utc) - window
    seen_here: set[tuple[str, str]] = set()
    for interchange in report.interchanges:
        if interchange.ta1_note_code is not None or not interchange.groups:
            continue
        identity = (interchange.sender_id, interchange.control_number)
        earlier = session.scalars(
            select(X12Group).where(
                X12Group.partner_id == message.partner_id, X12Group.direction == Direction.INBOUND.value,
                X12Group.interchange_control_number == interchange.control_number,
                or_(X12Group.interchange_sender_id == interchange.sender_id,
                    X12Group.interchange_sender_id.is_(None)),  # recorded before senders were kept
                X12Group.message_id != message.id, X12Group.created_at >= since)
            .order_by(X12Group.id).limit(1)).first()
        if earlier is not None:
            interchange.issues.append(Issue(REPLAY_NOTE, (
                f"interchange {interchange.control_number} from {interchange.sender_id} was already taken in from "
                f"message {earlier.message_id} on {earlier.created_at:%Y-%m-%d %H:%M} UTC: this copy is a replay "
                f"[TA1 note {REPLAY_NOTE}: {TA1_NOTES[REPLAY_NOTE]}]")))
        elif identity in seen_here:
            interchange.issues.append(Issue(REPLAY_NOTE, (
                f"interchange {interchange.control_number} from {interchange.sender_id} appears twice in this "
                f"message: the second copy is refused [TA1 note {REPLAY_NOTE}: {TA1_NOTES[REPLAY_NOTE]}]")))
        seen_here.add(identity)


def _refuse(session: Session, settings: Settings, message: Message, partner: TradingPartner,
            interchange: InterchangeResult, found: Sequence[Carried]) -> list[int]:
    """Queue the TA1 refusing an interchange whose envelope is bad, and open the exception
    that says what was refused: its control number, its sender (ISA06) and every PO it
    carries, read from its raw text (``found``) since its envelope cannot be trusted.

    Nothing in it is taken in or recorded for the tracker: its groups, if pyx12 read any,
    sit in an envelope that was refused. The TA1 goes back the way a 997 does. When none
    can be written (ISA13 is not a number), the exception says so instead.
    """
    note = interchange.issues[0].code  # the TA1's note: the first fault found
    po_numbers = list(dict.fromkeys(po for c in found for po in c.po_numbers))
    refusal: Message | None = None
    try:
        ta1 = build_ta1_interchange(session, partner.as2_id, interchange, partner_delimiters(partner),
                                    fallback=partner_envelope(partner.organisation, partner))
    except X12WriteError as error:
        answer = f"no TA1 could be written: {error}"
    else:
        assert ta1 is not None  # refused, so there is a TA1 to build
        refusal = transports.queue_payload(session, settings, partner, profile_of(partner).transport, ta1.encode(),
                                           document_type="TA1", filename=f"TA1-{interchange.control_number}.edi",
                                           po_number=po_numbers[0] if len(po_numbers) == 1 else None)
        answer = f"TA1 queued as message {refusal.id}"
    if po_numbers:
        carries = f"It carries PO{'s' if len(po_numbers) > 1 else ''} {', '.join(po_numbers)}"
    else:
        carries = "No PO number could be read in it"
    findings = [issue.message for issue in interchange.issues]
    record_exception(
        session, "interchange_refused",
        f"Interchange {interchange.control_number} from {interchange.sender_id or '(blank ISA06)'} (ISA06) refused "
        f"with TA1 note {note} ({TA1_NOTES.get(note, '')}); {answer}. {carries}; "
        f"nothing in it was taken in. " + "; ".join(findings)[:1500],
        subject_type="message", subject_id=message.id, key=interchange.control_number,
        po_number=po_numbers[0] if len(po_numbers) == 1 else None,
        # A replay's orders were taken in the first time: someone must look, nothing is lost.
        severity=Severity.HIGH if note == REPLAY_NOTE else None,
        detail={"interchange_control_number": interchange.control_number, "sender_id": interchange.sender_id,
                "ta1_note_code": note, "po_numbers": po_numbers, "findings": findings,
                "ta1_message_id": refusal.id if refusal is not None else None})
    for po_number in po_numbers:
        audit.record(session, "purchase_order.interchange_refused", actor="worker", subject_type="purchase_order",
                     subject_id=po_number, interchange=interchange.control_number, ta1_note_code=note,
                     message_id=refusal.id if refusal is not None else None)
    return [] if refusal is None else [refusal.id]


def _acknowledge(session: Session, settings: Settings, message: Message, partner: TradingPartner,
                 interchange: InterchangeResult, documents: dict[tuple[str, str, str], object]) -> list[int]:
    """Record the sound interchange's groups and sets, and queue its 997s; a group of 997s
    is recorded and answered with nothing."""
    if not interchange.groups:
        return []
    delimiters = partner_delimiters(partner)
    transport = profile_of(partner).transport
    acks = build_functional_acks(session, partner.as2_id, interchange, delimiters)
    # A 997 answering one PO carries its number, so a failed delivery names that PO.
    po_numbers = {getattr(document, "po_number", None) for document in documents.values()} - {None}
    ack = None if acks is None else transports.queue_payload(
        session, settings, partner, transport, acks.text.encode(), document_type="997",
        filename=f"997-{acks.interchange_control_number}.edi",
        po_number=po_numbers.pop() if len(po_numbers) == 1 else None)
    answered_at = datetime.now(timezone.utc)
    for group in interchange.groups:
        row = X12Group(
            message_id=message.id, partner_id=partner.id, direction=Direction.INBOUND.value,
            interchange_control_number=interchange.control_number,
            interchange_sender_id=interchange.sender_id[:15] or None, functional_id=group.functional_id,
            control_number=group.control_number, version=group.version, ack_status=group.status,
            ack_codes=list(group.codes), ack_message_id=ack.id if ack else None, acked_at=answered_at if ack else None,
        )
        for result in group.sets:
            document = documents.get((group.control_number, result.set_id, result.control_number))
            accepted = result.status != "R"
            reference = getattr(document, "po_number", None)
            row.sets.append(X12Set(
                set_id=result.set_id, control_number=result.control_number, ack_status=result.status,
                errors=[error.message for error in result.segment_errors]
                + [element.message for error in result.segment_errors for element in error.elements]
                + [issue.message for issue in result.issues],
                reference=reference,
                document=to_json_dict(document) if accepted and document is not None else None,
            ))
            if accepted and isinstance(document, FunctionalAck):
                apply_functional_ack(session, partner, message.id, document)
            if reference and ack is not None:
                audit.record(session, "purchase_order.997_queued", actor="worker", subject_type="purchase_order",
                             subject_id=reference, set_id=result.set_id, status=result.status,
                             message_id=ack.id)
        session.add(row)
        if group.status != "A":
            record_exception(
                session, "inbound_rejected",
                f"{partner.as2_id} group {group.functional_id} {group.control_number}: 997 {group.status}; "
                + "; ".join(message for result in row.sets for message in result.errors)[:1500],
                subject_type="x12_group", subject_id=f"{interchange.control_number}/{group.control_number}",
                po_number=next((s.reference for s in row.sets if s.reference), None))
    return [] if ack is None else [ack.id]


def _take_in(session: Session, message: Message, partner: TradingPartner, interchange: InterchangeResult,
             documents: dict[tuple[str, str, str], object], receivers: Mapping[type, Receiver]) -> list[FollowUp]:
    """Each accepted document of a sound interchange to its receiving service; returns the
    tasks they ask for.

    A rejected group or a rejected set brings in nothing: Amazon was told so in the 997.
    A document no service receives (a 997, which the tracker took) is only recorded.
    """
    follow_ups: list[FollowUp] = []
    for group in interchange.groups:
        for result in group.sets:
            if group.status == "R" or result.status not in ("A", "E"):
                continue
            document = documents.get((group.control_number, result.set_id, result.control_number))
            receiver = receivers.get(type(document))
            if receiver is not None:
                follow_ups += receiver(session, partner, message, document)
    return follow_ups


def _translate(payload: bytes, retailer: retailers.Retailer) -> dict[tuple[str, str, str], object]:
    """The canonical document of every set that translates, keyed by (GS06, ST01, ST02)."""
    documents: dict[tuple[str, str, str], object] = {}
    try:
        for segments, location in transaction_sets(X12Reader(io.BytesIO(payload))):
            group = location.group.control_number if location.group else ""
            key = (group, segments[0][1], segments[0][2])
            try:
                documents[key] = retailer.translate(segments, location.interchange.delimiters.component)
            except TranslationError as error:
                log.info("set not translated", set=key, error=str(error))
    except X12Error as error:
        log.info("payload not readable as X12", error=str(error))
    return documents
