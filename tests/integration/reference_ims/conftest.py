"""The reference IMS served over real HTTP on a free port, and a stand-in for the gateway's
allocation callback endpoint."""
from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
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
    servers = []

    def start(**options) -> httpx.Client:
        options.setdefault("stock_csv", STOCK_CSV)
        app = create_app(tmp_path / f"ims-{len(servers)}.sqlite3", token=TOKEN, **options)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return httpx.Client(base_url=f"http://127.0.0.1:{server.server_port}",
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def ims(start_ims) -> httpx.Client:
    """A reference IMS on the demo stock (tests/fixtures/amazon/stock.csv), fault injection enabled."""
    return start_ims(faults=True)


class CallbackReceiver:
    """Records what the IMS posts; answers with ``statuses`` in turn, then 202."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[dict, dict, int]] = queue.Queue()
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = receiver.statuses.pop(0) if receiver.statuses else 202
                receiver.received.put((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v1/ims/allocations"

    def next(self, timeout: float = 10) -> tuple[dict, dict, int]:
        """(headers, body, status answered) of the next callback; fails after ``timeout``."""
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no allocation callback within {timeout}s") from None


@pytest.fixture
def callback_receiver() -> Iterator[CallbackReceiver]:
    receiver = CallbackReceiver()
    threading.Thread(target=receiver.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
