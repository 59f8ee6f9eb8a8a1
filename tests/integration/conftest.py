"""A running gateway for integration tests: its web app on real HTTP, a fake Amazon
speaking AS2, and on request a real worker process, on SQLite + filesystem broker and on
PostgreSQL + Redis."""
from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from werkzeug.serving import make_server

from gateway.platform import db
from gateway.platform.db import session_scope
from gateway.platform.config import Settings
from gateway.sandbox import DEMO_WAREHOUSE
from gateway.sandbox.development import ensure_development_identity
from gateway.shipping.warehouses import add_or_update_warehouse
from gateway.catalogue.items import import_catalogue, read_catalogue_csv
from gateway.access.tokens import create_token
from gateway.web import create_app
from reference_ims import create_app as create_ims
from tests.conftest import POSTGRES_AND_REDIS, copy_migrated_sqlite, make_settings
from tests.fixtures import AMAZON_FIXTURES
from tests.support.amazon import AmazonSimulator, amazon_as_partner
from tests.support.processes import gateway_environment, kill, setting_variables, start
from tests.support.servers import serve_in_thread


@dataclass
class Stack:
    settings: Settings
    url: str
    amazon: AmazonSimulator
    amazon_url: str
    environment: dict
    data_dir: Path
    workers: list = field(default_factory=list)

    def start_worker(self, **overrides: str):
        """A worker process on this stack; ``overrides`` are settings for it alone (e.g. a
        shorter ``retry_base_seconds`` for a test that waits out every retry)."""
        log = self.data_dir / f"worker-{len(self.workers)}.log"
        process = start(["worker", "--concurrency=1"], {**self.environment, **setting_variables(**overrides)}, log)
        self.workers.append(process)
        return process

    def worker_log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.data_dir.glob("worker-*.log")))


@pytest.fixture(params=["sqlite", POSTGRES_AND_REDIS])
def stack(request, tmp_path, free_port):
    backend = {}
    if request.param == "postgresql":
        backend = {"database_url": request.getfixturevalue("migrated_postgres_url"),
                   "broker_url": request.getfixturevalue("redis_url")}
    else:
        copy_migrated_sqlite(request.getfixturevalue("sqlite_template"), make_settings(tmp_path))
    with running_stack(tmp_path, free_port, **backend) as running:
        yield running


@contextmanager
def running_stack(data_dir: Path, port: int, **backend: str) -> Iterator[Stack]:
    """The gateway's web app on ``port`` with its data in ``data_dir`` (SQLite unless
    ``backend`` names a database and a broker), and Amazon as a partner. A context manager
    so that a module can share one stack across many quick tests."""
    overrides = {
        "key_passphrase": "integration-test-passphrase",
        "public_url": f"http://127.0.0.1:{port}",
        "retry_base_seconds": "0.2",
        "queue": f"test-{uuid.uuid4().hex[:12]}",  # unique across parallel test processes
        **backend,
    }
    settings = make_settings(data_dir, **overrides)
    db.upgrade(settings)
    ensure_development_identity(settings)
    with amazon_as_partner(settings) as (amazon, amazon_url):
        with serve_in_thread(create_app(settings), port) as url:
            running = Stack(settings, url, amazon, amazon_url, gateway_environment(data_dir, **overrides), data_dir)
            try:
                yield running
            finally:
                for worker in running.workers:
                    kill(worker)  # the test is over: no need to wait for a warm shutdown
    db.engine(settings).dispose()


IMS_TOKEN = "intake-test-ims-token"


@dataclass
class Ims:
    client: httpx.Client

    def order(self, po_number: str) -> dict:
        response = self.client.get(f"/api/v1/sales-orders/{po_number}")
        response.raise_for_status()
        return response.json()

    def allocated(self, sku: str) -> int:
        return self.client.get(f"/api/v1/stock/{sku}").json()["allocated"]

    def fault(self, **fault) -> None:
        self.client.post("/_faults", json=fault).raise_for_status()


@pytest.fixture
def ims(stack, tmp_path):
    """The reference IMS (the demo stock of tests/fixtures/amazon, faults enabled, callbacks and
    shipments to the gateway) and a gateway with the demo catalogue, set up for the workers the test starts."""
    with session_scope(stack.settings) as session:
        import_catalogue(session, read_catalogue_csv(AMAZON_FIXTURES / "catalogue.csv"))
        callback_token = create_token(session, "ims", "reference IMS")
        add_or_update_warehouse(session, *DEMO_WAREHOUSE)  # the reference IMS ships from WH1
    app = create_ims(tmp_path / "ims.sqlite3", token=IMS_TOKEN, stock_csv=AMAZON_FIXTURES / "stock.csv",
                     callback_url=f"{stack.url}/api/v1/ims/allocations", callback_token=callback_token,
                     shipment_url=f"{stack.url}/api/v1/ims/shipments", faults=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    stack.environment.update({
        "EDI_GATEWAY_IMS_URL": url, "EDI_GATEWAY_IMS_TOKEN": IMS_TOKEN, "EDI_GATEWAY_IMS_TIMEOUT_SECONDS": "1",
        "EDI_GATEWAY_IMS_ATTEMPTS": "2", "EDI_GATEWAY_IMS_BACKOFF_SECONDS": "0.05",
    })
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {IMS_TOKEN}"}, timeout=10) as client:
        yield Ims(client)
    server.shutdown()
