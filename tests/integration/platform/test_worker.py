"""A task sent through a real broker runs in a separately started worker process, and the
worker serves the lanes in their order."""
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.platform import db
from gateway.platform.config import Settings
from gateway.platform.logging import bind_request_id
from gateway.models import AuditEvent
from gateway.platform.queue import Lane, _producer, enqueue, queue_of_lane
from tests.conftest import make_settings
from tests.support.processes import gateway_environment, kill, start, wait_for

pytestmark = pytest.mark.slow  # a worker process


@pytest.fixture(params=[pytest.param("postgresql+redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
                        "sqlite+filesystem"])
def broker_stack(request, tmp_path):
    if request.param == "postgresql+redis":
        overrides = {"database_url": request.getfixturevalue("postgres_url"),
                     "broker_url": request.getfixturevalue("redis_url")}
    else:
        overrides = {}
    overrides["queue"] = f"test-{uuid.uuid4().hex[:12]}"  # unique across parallel test processes
    settings = make_settings(tmp_path, **overrides)
    db.upgrade(settings)
    stack = BrokerStack(settings, gateway_environment(tmp_path, **overrides), tmp_path / "worker.log")
    yield stack
    for worker in stack.workers:
        kill(worker)
    db.engine(settings).dispose()


@dataclass
class BrokerStack:
    settings: Settings
    environment: dict
    log: Path
    workers: list = field(default_factory=list)

    def start_worker(self) -> None:
        self.workers.append(start(["worker", "--concurrency=1"], self.environment, self.log))


def _heartbeat(settings, request_id):
    with db.session_scope(settings) as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)).first()


def test_queued_task_runs_in_the_worker_and_its_result_is_persisted(broker_stack, tmp_path):
    broker_stack.start_worker()
    bind_request_id("req-from-test")
    enqueue(broker_stack.settings, "workers.tasks.heartbeat", source="test")
    event = wait_for(lambda: _heartbeat(broker_stack.settings, "req-from-test"), 60,
                     "the worker to record the heartbeat")
    assert event.action == "worker.heartbeat"
    assert event.detail["source"] == "test"
    log = (tmp_path / "worker.log").read_text()
    assert "request_id=req-from-test" in log


def test_the_worker_serves_the_first_lane_with_work_first(broker_stack):
    """Bulk work queued first still waits while deadline-bound work is queued: the worker takes
    the urgent heartbeat, then the order lane's, then the bulk ones, oldest first in each lane."""
    settings = broker_stack.settings
    producer = _producer(settings)
    for number in range(3):
        producer.send_task("workers.tasks.heartbeat", kwargs={"source": f"bulk-{number}"},
                           queue=queue_of_lane(settings, Lane.BULK))
    producer.send_task("workers.tasks.heartbeat", kwargs={"source": "orders"},
                       queue=queue_of_lane(settings, Lane.ORDERS))
    enqueue(settings, "workers.tasks.heartbeat", source="urgent")  # routed to its lane, URGENT
    broker_stack.start_worker()

    def heartbeats():
        with db.session_scope(settings) as session:
            events = session.scalars(select(AuditEvent).where(AuditEvent.action == "worker.heartbeat")
                                     .order_by(AuditEvent.id)).all()
            return [event.detail["source"] for event in events]

    wait_for(lambda: len(heartbeats()) == 5, 60, "five heartbeats")
    assert heartbeats() == ["urgent", "orders", "bulk-0", "bulk-1", "bulk-2"]
