"""``edi-gateway serve`` (gunicorn, as in production) takes AS2 messages whose headers are folded.

The other endpoint tests run the Flask app under werkzeug; what gunicorn lets through is
its own configuration (``gateway/web/server.py``), so here a real ``serve`` process is
sent bytes written by hand on a socket, as an old AS2 product writes them.
"""
from __future__ import annotations

import email
import socket
import threading

import httpx
import pytest

from sqlalchemy import select

from gateway.models import Message
from gateway.platform.db import session_scope
from gateway.transport.as2.protocol import MdnStatus, build_message
from gateway.transport.as2.receiver import LIMITS
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


def status_while_sending(port: int, request: bytes) -> int:
    """The status of the answer to ``request``, read while it is still being sent: a server
    that refuses early closes with the rest unread, and the reset may come before we read."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        def send() -> None:
            try:
                connection.sendall(request)
            except OSError:  # the server has answered and closed
                pass
        sender = threading.Thread(target=send)
        sender.start()
        try:
            while b"\r\n" not in answer and (data := connection.recv(65536)):
                answer += data
        except ConnectionResetError:  # after the status line, or the assert below says so
            pass
        finally:
            try:
                connection.shutdown(socket.SHUT_RDWR)  # ends the sender's sendall
            except OSError:  # the server closed first
                pass
            sender.join()
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_gunicorn_answers_413_to_a_chunked_body_over_the_limit_and_400_to_one_cut_short(stack, tmp_path):
    """gunicorn, unlike werkzeug's server, decides what a chunked or a short body looks like
    to the app: neither is cut and processed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = {**stack.environment, "EDI_GATEWAY_PORT": str(port), "EDI_GATEWAY_WEB_WORKERS": "1",
               "EDI_GATEWAY_WEB_THREADS": "2"}
    built = build_message(stack.amazon.own_profile(), stack.amazon.gateway_profile(), ORDER, "order.edi")
    chunk = b"~" * (1024 * 1024)
    chunks = LIMITS.max_body_bytes // len(chunk) + 2
    chunked_head = "".join(f"{line}\r\n" for line in [
        "POST /as2 HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{name}: {value}" for name, value in built.headers.items()),
        "Transfer-Encoding: chunked", "Connection: close"])
    chunked_body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(chunks)) + b"0\r\n\r\n"

    server = start(["serve"], environ, tmp_path / "serve.log")
    try:
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200, 60,
                 "`edi-gateway serve` to be ready")
        too_big = status_while_sending(port, chunked_head.encode("latin-1") + b"\r\n" + chunked_body)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            head = "".join(f"{line}\r\n" for line in [
                "POST /as2 HTTP/1.1", f"Host: 127.0.0.1:{port}",
                *(f"{name}: {value}" for name, value in built.headers.items()),
                f"Content-Length: {len(built.body)}", "Connection: close"])
            connection.sendall(head.encode("latin-1") + b"\r\n" + built.body[:len(built.body) // 2])
            connection.shutdown(socket.SHUT_WR)
            answer = b""
            while data := connection.recv(65536):
                answer += data
        ready_after = httpx.get(f"http://127.0.0.1:{port}/readyz").status_code
    finally:
        kill(server)

    assert too_big == 413
    assert int(answer.split(b" ", 2)[1]) == 400, answer[:200]
    assert ready_after == 200
    with session_scope(stack.settings) as session:
        assert session.scalars(select(Message)).all() == [], "nothing of either was kept"
