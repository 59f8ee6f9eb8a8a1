"""Replaying the failed step behind an exception: reset the row, queue its task again.

The tasks are idempotent and start from the row's status, so a replay is "put the row
back where the task expects it, then queue the task": an outbound message that failed
goes back to ``queued`` for ``send_as2_message``; an inbound message whose processing
failed goes back to ``accepted`` for ``process_inbound_message``. The task is queued
only after the reset is committed, so a fast worker never sees the old status.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from gateway import audit
from gateway.config import Settings
from gateway.db import session_scope
from gateway.exceptions import add_note
from gateway.models import Direction, Message, OperationalException
from gateway.queue import enqueue

# (direction, failed status) -> (status the task starts from, task that does the step)
STEPS = {
    (Direction.OUTBOUND.value, "failed"): ("queued", "workers.tasks.send_as2_message"),
    (Direction.OUTBOUND.value, "mdn-failed"): ("queued", "workers.tasks.send_as2_message"),
    (Direction.INBOUND.value, "failed"): ("accepted", "workers.tasks.process_inbound_message"),
}


class NotReplayable(ValueError):
    """The exception has no failed step the gateway can run again."""


@dataclass(frozen=True)
class Replay:
    task: str
    message_id: int


def failed_step(session: Session, row: OperationalException) -> Replay | None:
    """The step that would run again for this exception, or None when there is none."""
    if row.subject_type != "message" or not (row.subject_id or "").isdigit():
        return None
    message = session.get(Message, int(row.subject_id))
    if message is None or (message.direction, message.status) not in STEPS:
        return None
    return Replay(STEPS[(message.direction, message.status)][1], message.id)


def replay_exception(settings: Settings, exception_id: int, *, actor: str) -> Replay:
    """Reset the failed message, note and audit it, then queue its task."""
    with session_scope(settings) as session:
        row = session.get(OperationalException, exception_id)
        if row is None:
            raise LookupError(f"no exception {exception_id}")
        replay = failed_step(session, row)
        if replay is None:
            raise NotReplayable(f"exception {exception_id} has no failed step to replay")
        message = session.get(Message, replay.message_id)
        previous = message.status
        message.status = STEPS[(message.direction, previous)][0]
        message.error, message.next_attempt_at = None, None
        audit.record(session, "message.replayed", actor=actor, subject_type="message", subject_id=message.id,
                     previous_status=previous, task=replay.task, exception=exception_id)
        add_note(session, exception_id, actor=actor, note=f"replayed: message {message.id} was {previous}, "
                                                          f"queued {replay.task.rsplit('.', 1)[1]} again")
    enqueue(settings, replay.task, message_id=replay.message_id)
    return replay
