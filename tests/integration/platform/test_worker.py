"""A task sent through a real broker runs in a separately started worker process."""
import uuid

import pytest
from sqlalchemy import select

from gateway.platform import db
from gateway.platform.logging import bind_request_id
from gateway.models import AuditEvent
from gateway.platform.queue import enqueue
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
    worker = start(["worker", "--concurrency=1"], gateway_environment(tmp_path, **overrides), tmp_path / "worker.log")
    yield settings
    kill(worker)
    db.engine(settings).dispose()


def _heartbeat(settings, request_id):
    with db.session_scope(settings) as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)).first()


def test_queued_task_runs_in_the_worker_and_its_result_is_persisted(broker_stack, tmp_path):
    bind_request_id("req-from-test")
    enqueue(broker_stack, "workers.tasks.heartbeat", source="test")
    event = wait_for(lambda: _heartbeat(broker_stack, "req-from-test"), 60, "the worker to record the heartbeat")
    assert event.action == "worker.heartbeat"
    assert event.detail["source"] == "test"
    log = (tmp_path / "worker.log").read_text()
    assert "request_id=req-from-test" in log
