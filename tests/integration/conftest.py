"""A running gateway for integration tests: its web app on real HTTP, a fake Amazon
speaking AS2, and on request a real worker process, on SQLite + filesystem broker and on
PostgreSQL + Redis."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gateway import db
from gateway.db import session_scope
from gateway.development import ensure_development_identity
from gateway.keystore import import_partner_certificate, organisation_keys
from gateway.trading_partners import add_partner, the_organisation
from gateway.web import create_app
from tests.amazon import AmazonSimulator
from tests.conftest import make_settings
from tests.processes import gateway_environment, kill, start
from tests.servers import serve_in_thread


@dataclass
class Stack:
    settings: object
    url: str
    amazon: AmazonSimulator
    amazon_url: str
    environment: dict
    data_dir: Path
    workers: list = field(default_factory=list)

    def start_worker(self):
        log = self.data_dir / f"worker-{len(self.workers)}.log"
        process = start(["worker", "--concurrency=1"], self.environment, log)
        self.workers.append(process)
        return process

    def worker_log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.data_dir.glob("worker-*.log")))


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, tmp_path, free_port):
    overrides = {
        "key_passphrase": "integration-test-passphrase",
        "public_url": f"http://127.0.0.1:{free_port}",
        "retry_base_seconds": "0.2",
        "queue": f"test-{tmp_path.name}",
    }
    if request.param == "postgresql":
        overrides["database_url"] = request.getfixturevalue("postgres_url")
        overrides["broker_url"] = request.getfixturevalue("redis_url")
    settings = make_settings(tmp_path, **overrides)
    db.upgrade(settings)
    ensure_development_identity(settings)
    with session_scope(settings) as session:
        our_certificate = organisation_keys(session, settings, the_organisation(session))[0].certificate_pem
    amazon = AmazonSimulator(gateway_certificate=our_certificate)
    with serve_in_thread(amazon.app()) as amazon_url:
        with session_scope(settings) as session:
            partner = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON",
                                  as2={"url": f"{amazon_url}/as2", "canonicalize_as_binary": True})
            import_partner_certificate(session, partner, amazon.certificate)
        with serve_in_thread(create_app(settings), free_port) as url:
            running = Stack(settings, url, amazon, amazon_url, gateway_environment(tmp_path, **overrides), tmp_path)
            yield running
            for worker in running.workers:
                kill(worker)  # the test is over: no need to wait for a warm shutdown
    db.engine(settings).dispose()
