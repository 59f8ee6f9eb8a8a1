"""The reference IMS served over real HTTP on a free port, and stand-ins for the gateway's
allocation callback and shipment endpoints."""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from reference_ims import create_app
from tests.fixtures import AMAZON_FIXTURES

TOKEN = "ims-test-token"
GATEWAY_TOKEN = "gateway-test-token"
STOCK_CSV = AMAZON_FIXTURES / "stock.csv"


@pytest.fixture
def start_ims(tmp_path) -> Iterator:
    """``start_ims(**create_app options)`` -> an httpx client on a running reference IMS
    that holds the Amazon samples' demo stock (tests/fixtures/amazon/stock.csv) unless told
    otherwise."""
    servers, apps = [], []

    def start(**options) -> httpx.Client:
        options.setdefault("stock_csv", STOCK_CSV)
        app = create_app(tmp_path / f"ims-{len(servers)}.sqlite3", token=TOKEN, **options)
        apps.append(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return httpx.Client(base_url=f"http://127.0.0.1:{server.server_port}",
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)

    yield start
    for server in servers:
        server.shutdown()
    for app in apps:
        if "reference_ims.auto_ship" in app.extensions:
            app.extensions["reference_ims.auto_ship"].stop()


@pytest.fixture
def ims(start_ims) -> httpx.Client:
    """A reference IMS on the demo stock (tests/fixtures/amazon/stock.csv), fault injection enabled."""
    return start_ims(faults=True)


class GatewayReceiver:
    """A stand-in for one of the gateway's ``/api/v1/ims/`` endpoints, served over real HTTP by
    werkzeug: records what the IMS posts and answers ``statuses`` in turn (a status, or a
    status and a JSON body), then 202."""

    def __init__(self, path: str, what: str) -> None:
        self.what = what
        self.received: queue.Queue[tuple[dict, dict, int]] = queue.Queue()
        self.statuses: list[int | tuple[int, dict]] = []
        app = Flask(f"receiver{path.replace('/', '-')}")

        @app.post(path)
        def receive():
            answer = self.statuses.pop(0) if self.statuses else 202
            status, body = answer if isinstance(answer, tuple) else (answer, {"status": "accepted"} if answer == 202 else {})
            self.received.put((dict(request.headers), request.get_json(), status))
            return jsonify(body), status

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}{path}"

    def next(self, timeout: float = 10) -> tuple[dict, dict, int]:
        """(headers, body, status answered) of the next post; fails after ``timeout``."""
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {self.what} within {timeout}s") from None


def _serve(receiver: GatewayReceiver) -> Iterator[GatewayReceiver]:
    threading.Thread(target=receiver.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def callback_receiver() -> Iterator[GatewayReceiver]:
    """The gateway's allocation callback endpoint."""
    yield from _serve(GatewayReceiver("/api/v1/ims/allocations", "allocation callback"))


@pytest.fixture
def shipment_receiver() -> Iterator[GatewayReceiver]:
    """The gateway's shipment endpoint (being built beside the sandbox's shipping)."""
    yield from _serve(GatewayReceiver("/api/v1/ims/shipments", "shipment post"))
