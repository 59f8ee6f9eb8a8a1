"""``edi-gateway serve`` (gunicorn, as in production) takes AS2 messages whose headers are folded.

The other endpoint tests run the Flask app under werkzeug; what gunicorn lets through is
its own configuration (``gateway/web/server.py``), so here a real ``serve`` process is
sent bytes written by hand on a socket, as an old AS2 product writes them.
"""
from __future__ import annotations

import email
import socket

import httpx
import pytest

from gateway.transport.as2.protocol import MdnStatus, build_message
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import kill, start, wait_for

pytestmark = pytest.mark.slow  # starts `edi-gateway serve`

ORDER = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()
# Continuation lines start with a tab or a space (RFC 5322 folding, obsolete in HTTP).
FOLDED = {
    "content-type": 'application/pkcs7-mime; name="smime.p7m";\r\n\tsmime-type="enveloped-data"',
    "disposition-notification-options": "signed-receipt-protocol=required, pkcs7-signature;\r\n"
                                        "   signed-receipt-micalg=optional, sha256",
}


def post_raw(port: int, head: str, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send ``head`` (the request line and header lines, each ending in CRLF), a blank
    line and ``body``; the answer's status, headers and body, read until the server
    closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head.encode("latin-1") + b"\r\n" + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    header_block, _, content = rest.partition(b"\r\n\r\n")
    headers = email.message_from_bytes(header_block + b"\r\n\r\n")
    return int(status_line.split()[1]), list(headers.items()), content


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)  # gunicorn's parsing is the point, not the database
def test_a_message_with_folded_headers_gets_its_signed_mdn_from_gunicorn(stack, tmp_path):
    with socket.socket() as probe:  # the stack's own server has the free_port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = {**stack.environment, "EDI_GATEWAY_PORT": str(port), "EDI_GATEWAY_WEB_WORKERS": "1",
               "EDI_GATEWAY_WEB_THREADS": "2"}
    amazon = stack.amazon
    built = build_message(amazon.own_profile(), amazon.gateway_profile(), ORDER, "order.edi")
    lines = [f"{name}: {FOLDED.get(name.lower(), value)}" for name, value in built.headers.items()]
    assert sum(name.lower() in FOLDED for name in built.headers) == len(FOLDED)
    head = "".join(f"{line}\r\n" for line in ["POST /as2 HTTP/1.1", f"Host: 127.0.0.1:{port}", *lines,
                                               f"Content-Length: {len(built.body)}", "Connection: close"])

    server = start(["serve"], environ, tmp_path / "serve.log")
    try:
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200, 60,
                 "`edi-gateway serve` to be ready")
        status, headers, body = post_raw(port, head, built.body)
    finally:
        kill(server)

    assert status == 200, body
    mdn = amazon.verify_mdn(built, headers, body)
    assert (mdn.status, mdn.signed, mdn.mic) == (MdnStatus.PROCESSED, True, built.mic), mdn
