"""Finding stored work whose task never ran, and queueing it again; and MDNs that never came.

The database, not the broker, is the record of what is owed: a message is stored before
its task is queued, so a broker outage, a filesystem broker that hands a message to a
worker that is then killed, or a lost task leaves a row in a waiting state. Beat runs
this sweep every few minutes; the tasks are idempotent, so a duplicate is harmless.

A message sent with an asynchronous MDN waits for it until its ``next_attempt_at``; past
that the attempt counts as failed and the same bytes are sent again (``sender.mdn_overdue``).
An asynchronous MDN of ours whose attempts are spent is given up here with an exception.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import structlog
from sqlalchemy import and_, or_, select

from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.models import Direction, Message
from gateway.platform.queue import enqueue
from gateway.transport.as2 import receiver, sender
from gateway.transport.status import MessageStatus

log = structlog.get_logger("gateway.recovery.sweep")

STALLED_AFTER = timedelta(minutes=10)


def requeue_stalled_work(settings: Settings, stalled_after: timedelta = STALLED_AFTER) -> dict[str, list[int]]:
    """Re-queue inbound processing, async MDNs and outbound sends left waiting too long."""
    cutoff = datetime.now(timezone.utc) - stalled_after
    with session_scope(settings) as session:
        waiting = select(Message.id).where(Message.updated_at < cutoff)
        found = {
            "workers.tasks.process_inbound_message": session.scalars(waiting.where(
                Message.direction == Direction.INBOUND.value, Message.status.in_((MessageStatus.ACCEPTED, MessageStatus.PROCESSING)))).all(),
            "workers.tasks.send_async_mdn": session.scalars(waiting.where(
                Message.direction == Direction.INBOUND.value, Message.mdn_status == "pending",
                Message.attempts < settings.send_attempts)).all(),
            # A send waiting for its next retry is not stalled until that retry is overdue.
            "workers.tasks.send_as2_message": session.scalars(select(Message.id).where(
                Message.direction == Direction.OUTBOUND.value, Message.status == MessageStatus.QUEUED,
                or_(Message.next_attempt_at < cutoff,
                    and_(Message.next_attempt_at.is_(None), Message.updated_at < cutoff)))).all(),
        }
        # An async MDN whose attempts are spent is given up, not queued again for ever.
        for message in session.scalars(select(Message).where(
                Message.direction == Direction.INBOUND.value, Message.mdn_status == "pending",
                Message.attempts >= settings.send_attempts)):
            receiver.give_up_async_mdn(session, message, f"still not delivered after {message.attempts} attempts")
        now = datetime.now(timezone.utc)
        awaiting = session.scalars(select(Message.id).where(
            Message.direction == Direction.OUTBOUND.value, Message.status == MessageStatus.AWAITING_MDN,
            or_(Message.next_attempt_at < now, and_(Message.next_attempt_at.is_(None),
                Message.updated_at < now - timedelta(seconds=settings.mdn_wait_seconds))))).all()
    overdue = [message_id for message_id in awaiting if sender.mdn_overdue(settings, message_id, now)]
    found["workers.tasks.send_as2_message"] = [*found["workers.tasks.send_as2_message"], *overdue]
    for task, ids in found.items():
        for message_id in ids:
            enqueue(settings, task, message_id=message_id)
    if any(found.values()):
        log.warning("re-queued stalled work", **{task.rsplit(".", 1)[1]: ids for task, ids in found.items() if ids})
    return {task.rsplit(".", 1)[1]: list(ids) for task, ids in found.items()}
