"""An outbound message is signed and encrypted by its first send attempt, not when it is
queued, and every later attempt POSTs the bytes that first attempt kept (RFC 4130).

A partner endpoint over real HTTP records what reaches it; the sends are called as the
worker's task calls them, on each database.
"""
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from gateway.partners.certificates import generate_organization_key
from gateway.transport.as2.sender import TransientSendError, queue_outbound, send
from gateway.platform.db import session_scope
from gateway.sandbox.development import ensure_development_identity
from gateway.operations.exception_queue import open_exceptions
from gateway.partners.keystore import create_organisation_certificate, import_partner_certificate
from gateway.models import AuditEvent, Message
from gateway.recovery.replay import replay_exception
from gateway.platform.storage import read_body
from gateway.partners.registry import add_partner, get_partner, the_organisation, update_profile
from tests.support.servers import serve_in_thread
from tests.unit.platform.test_tls import counting_contexts

PAYLOAD = b"ISA*00*          *00*          *ZZ*ACMEBRANDS     *ZZ*AMAZON         *261120*0930*U*00401*000000001*0*P*>~"
AMAZON_KEY = generate_organization_key("AMAZON", b"test")


class Unavailable:
    """A partner endpoint that answers 503 and keeps the Message-ID and body of every POST."""

    def __init__(self):
        self.posts, self._lock = [], threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.posts.append((request.headers["Message-ID"], request.get_data()))
        return Response("try later", status=503)(environ, start_response)


@pytest.fixture
def partner_down(settings):
    endpoint = Unavailable()
    ensure_development_identity(settings)
    with serve_in_thread(endpoint) as url:
        with session_scope(settings) as session:
            add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON", as2={"url": f"{url}/as2"})
        yield settings, endpoint


def queued(settings) -> int:
    with session_scope(settings) as session:
        return queue_outbound(session, settings, get_partner(session, "AMAZON"), PAYLOAD, document_type="997",
                              filename="997-000000001.edi").id


def stored(settings, message_id) -> Message:
    with session_scope(settings) as session:
        return session.get(Message, message_id)


def test_queued_is_the_payload_only_and_every_attempt_posts_the_first_attempts_bytes(partner_down, monkeypatch):
    settings, endpoint = partner_down
    with session_scope(settings) as session:
        import_partner_certificate(session, get_partner(session, "AMAZON"), AMAZON_KEY.certificate_pem)
    message_id = queued(settings)
    waiting = stored(settings, message_id)
    assert (waiting.status, waiting.transport_id, waiting.body_sha256, waiting.mic) == ("queued", None, None, None)

    contexts = counting_contexts(monkeypatch)
    for _ in range(3):
        with pytest.raises(TransientSendError, match="HTTP 503"):
            send(settings, message_id)
    assert len(contexts) == 1, "one TLS context per process, not one per send (about 50 ms each)"
    sent = stored(settings, message_id)
    assert sent.attempts == 3 and sent.mic and sent.mdn_mode == "sync"
    assert [message_id_header for message_id_header, _ in endpoint.posts] == [f"<{sent.transport_id}>"] * 3
    assert {hashlib.sha256(body).hexdigest() for _, body in endpoint.posts} == {sent.body_sha256}
    assert read_body(settings, sent) == endpoint.posts[0][1]
    with session_scope(settings) as session:
        built = session.scalars(select(AuditEvent).where(AuditEvent.action == "as2.built")).all()
    assert len(built) == 1, "built once, by the first attempt"


def test_a_partner_we_cannot_encrypt_for_fails_the_message_visibly_and_a_replay_sends_it_once_fixed(partner_down):
    settings, endpoint = partner_down
    message_id = queued(settings)  # the partner has no certificate yet
    assert send(settings, message_id) == "failed"
    failed = stored(settings, message_id)
    assert "could not sign and encrypt it for AMAZON" in failed.error and failed.body_sha256 is None
    assert endpoint.posts == [], "nothing went out"
    with session_scope(settings) as session:
        [problem] = [row for row in open_exceptions(session) if row.kind == "as2_send_failed"]
        assert problem.message.startswith(f"997 (message {message_id}, never built) not delivered: could not sign and encrypt")
        import_partner_certificate(session, get_partner(session, "AMAZON"), AMAZON_KEY.certificate_pem)
    replay_exception(settings, problem.id, actor="user:ops")
    with pytest.raises(TransientSendError):  # what the queued task does: now built, and posted
        send(settings, message_id)
    assert [message_id_header for message_id_header, _ in endpoint.posts] == [
        f"<{stored(settings, message_id).transport_id}>"]


def test_a_partner_without_an_as2_url_fails_the_message_visibly_and_a_replay_sends_it_once_set(partner_down):
    settings, endpoint = partner_down
    with session_scope(settings) as session:
        partner = get_partner(session, "AMAZON")
        import_partner_certificate(session, partner, AMAZON_KEY.certificate_pem)
        url = partner.profile["as2"]["url"]
        update_profile(partner, "as2", {"url": None})
    message_id = queued(settings)
    assert send(settings, message_id) == "failed"
    assert stored(settings, message_id).error == (
        "partner AMAZON has no AS2 URL: set it with `edi-gateway partners update AMAZON --url URL`, then replay")
    with session_scope(settings) as session:
        [problem] = [row for row in open_exceptions(session) if row.kind == "as2_send_failed"]
        update_profile(get_partner(session, "AMAZON"), "as2", {"url": url})
    replay_exception(settings, problem.id, actor="user:ops")
    with pytest.raises(TransientSendError):  # posted now, to an endpoint that answers 503
        send(settings, message_id)
    assert len(endpoint.posts) == 1


def test_a_built_message_whose_profiles_cannot_be_loaded_again_fails_visibly_before_it_is_posted(partner_down):
    """A retry POSTs the kept bytes, but checks the MDN with the profiles of now: when our
    keys cannot be read (a new key pair made, every key file then lost), the attempt stops
    before the POST and the message fails with the reason, not an error in the worker's log."""
    settings, endpoint = partner_down
    with session_scope(settings) as session:
        import_partner_certificate(session, get_partner(session, "AMAZON"), AMAZON_KEY.certificate_pem)
    message_id = queued(settings)
    with pytest.raises(TransientSendError, match="HTTP 503"):
        send(settings, message_id)
    with session_scope(settings) as session:
        create_organisation_certificate(session, settings, the_organisation(session))
    for key_file in (settings.data_dir / "keys").iterdir():
        key_file.unlink()

    assert send(settings, message_id) == "failed"
    failed = stored(settings, message_id)
    assert failed.error.startswith("could not check an MDN from AMAZON: ") and "No such file" in failed.error
    assert len(endpoint.posts) == 1, "the second attempt was not posted"
    with session_scope(settings) as session:
        [problem] = [row for row in open_exceptions(session) if row.kind == "as2_send_failed"]
    assert problem.message.startswith(f"997 (Message-ID {failed.transport_id}) not delivered: could not check an MDN")


class KeepingPartner(BaseHTTPRequestHandler):
    """A partner's HTTP/1.1 endpoint that keeps connections open (werkzeug's closes each) and
    answers 503 with a cookie; it keeps the client's port and the cookies it sent: one port
    for several POSTs is one connection."""

    protocol_version = "HTTP/1.1"
    requests: list[tuple[int, str | None]] = []
    closes = False

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append((self.client_address[1], self.headers.get("Cookie")))
        self.send_response(503)
        self.send_header("Set-Cookie", "lb=node-7; Path=/")
        self.send_header("Content-Length", "9")
        self.end_headers()
        self.wfile.write(b"try later")
        self.close_connection = self.closes

    def log_message(self, *_arguments) -> None:
        pass


class ClosingPartner(KeepingPartner):
    """Closes each connection right after its answer without saying so (no ``Connection:
    close``), as a server with a short idle timeout does."""

    closes = True


def three_sends(settings, partner: type[KeepingPartner]) -> list[tuple[int, str | None]]:
    """Three messages sent to ``partner``, each answered 503; what the partner saw."""
    partner.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ensure_development_identity(settings)
        with session_scope(settings) as session:
            row = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON",
                              as2={"url": f"http://127.0.0.1:{server.server_port}/as2"})
            import_partner_certificate(session, row, AMAZON_KEY.certificate_pem)
        for message_id in (queued(settings), queued(settings), queued(settings)):
            # The partner's answer each time, never an error from a connection it had closed.
            with pytest.raises(TransientSendError, match="HTTP 503"):
                send(settings, message_id)
    finally:
        server.shutdown()
    return partner.requests


def test_sends_to_a_partner_reuse_one_connection_and_send_back_no_cookie(settings):
    requests = three_sends(settings, KeepingPartner)
    assert len(requests) == 3
    assert len({port for port, _ in requests}) == 1, "one connection, kept between sends"
    assert [cookie for _, cookie in requests] == [None, None, None]


def test_a_connection_the_partner_closed_is_not_reused(settings):
    requests = three_sends(settings, ClosingPartner)
    assert len({port for port, _ in requests}) == 3, "a new connection for each send"
