"""Replaying the failed step behind an exception: reset the row, queue its task again.

The tasks are idempotent and start from the row's status, so a replay is "put the row
back where the task expects it, then queue the task": an outbound message that failed
goes back to ``queued`` for ``send_as2_message``; an inbound message whose processing
failed goes back to ``accepted`` for ``process_inbound_message``; a PO the IMS refused
(held) goes back to ``received`` for ``create_sales_order`` or ``change_pending`` for
``update_sales_order``. The task is queued only after the reset is committed, so a fast
worker never sees the old status.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import add_note, note_replay
from gateway.orders.status import TIMELINE, PurchaseOrderStatus, move
from gateway.models import Direction, Message, OperationalException, PurchaseOrder
from gateway.platform.queue import enqueue
from gateway.transport.status import MessageStatus

# (direction, failed status) -> (status the task starts from, task that does the step); looked up
# with the row's plain strings, which the StrEnum members equal.
STEPS: dict[tuple[str, str], tuple[MessageStatus, str]] = {
    (Direction.OUTBOUND.value, MessageStatus.FAILED): (MessageStatus.QUEUED, "workers.tasks.send_as2_message"),
    (Direction.OUTBOUND.value, MessageStatus.MDN_FAILED): (MessageStatus.QUEUED, "workers.tasks.send_as2_message"),
    (Direction.INBOUND.value, MessageStatus.FAILED): (MessageStatus.ACCEPTED, "workers.tasks.process_inbound_message"),
}


# IMS operation of an ims_call_failed exception -> (PO status the task starts from, task)
IMS_STEPS = {
    "create": (PurchaseOrderStatus.RECEIVED, "workers.tasks.create_sales_order"),
    "update": (PurchaseOrderStatus.CHANGE_PENDING, "workers.tasks.update_sales_order"),
}


class NotReplayable(ValueError):
    """The exception has no failed step the gateway can run again."""


@dataclass(frozen=True)
class Replay:
    task: str
    subject: str  # what runs again, in words: "message 12", "PO 2XK7QP9M"
    arguments: dict[str, int]


def failed_step(session: Session, row: OperationalException) -> Replay | None:
    """The step that would run again for this exception, or None when there is none."""
    if row.kind == "ims_call_failed" and row.subject_type == TIMELINE:
        purchase_order = _held_purchase_order(session, row)
        if purchase_order is None or row.detail.get("operation") not in IMS_STEPS:
            return None
        return Replay(IMS_STEPS[row.detail["operation"]][1], f"PO {purchase_order.po_number}",
                      {"purchase_order_id": purchase_order.id})
    subject_id = row.subject_id
    if row.subject_type != "message" or subject_id is None or not subject_id.isdigit():
        return None
    message = session.get(Message, int(subject_id))
    if message is None or (message.direction, message.status) not in STEPS:
        return None
    return Replay(STEPS[(message.direction, message.status)][1], f"message {message.id}", {"message_id": message.id})


def _held_purchase_order(session: Session, row: OperationalException) -> PurchaseOrder | None:
    """The PO behind an IMS failure, when a refusal holds it (an outage retries by itself)."""
    purchase_order = session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number == row.subject_id)).first()
    return purchase_order if purchase_order is not None and purchase_order.status == PurchaseOrderStatus.HELD else None


def replay_exception(settings: Settings, exception_id: int, *, actor: str) -> Replay:
    """Reset the failed row, note and audit it, then queue its task."""
    with session_scope(settings) as session:
        row = session.get(OperationalException, exception_id)
        if row is None:
            raise LookupError(f"no exception {exception_id}")
        replay = failed_step(session, row)
        if replay is None:
            raise NotReplayable(f"exception {exception_id} has no failed step to replay")
        subject_id: int | str  # a message by its id, a PO by its number
        if "message_id" in replay.arguments:
            message = existing(session, Message, replay.arguments["message_id"])
            previous = message.status
            message.status = STEPS[(message.direction, previous)][0].value
            message.error, message.next_attempt_at = None, None
            if message.direction == Direction.OUTBOUND.value:
                message.attempts = 0  # a replay gets a fresh set of attempts; the audit keeps the old count
            subject_type, subject_id = "message", message.id
        else:
            purchase_order = existing(session, PurchaseOrder, replay.arguments["purchase_order_id"])
            previous = purchase_order.status
            move(purchase_order, IMS_STEPS[row.detail["operation"]][0])
            subject_type, subject_id = TIMELINE, purchase_order.po_number
        audit.record(session, f"{subject_type}.replayed", actor=actor, subject_type=subject_type,
                     subject_id=subject_id, previous_status=previous, task=replay.task, exception=exception_id)
        add_note(session, exception_id, actor=actor, note=f"replayed: {replay.subject} was {previous}, "
                                                          f"queued {replay.task.rsplit('.', 1)[1]} again")
        note_replay(session, row, actor=actor, what=replay.subject)
    enqueue(settings, replay.task, **replay.arguments)
    return replay
